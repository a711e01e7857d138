//! One file per page (the import wizard gets its own folder when it grows).

mod contact_form;
mod contacts;
mod groups;
mod import;
mod messages;

pub use contact_form::{EditContactPage, NewContactPage};
pub use contacts::ContactsPage;
pub use groups::GroupsPage;
pub use import::ImportPage;
pub use messages::{MessagesPage, NotFound};
