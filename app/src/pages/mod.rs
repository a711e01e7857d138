//! One file per page (the import wizard gets its own folder when it grows).

mod auth;
mod contact_form;
mod contact_page;
mod contacts;
pub(crate) mod fields;
mod groups;
mod import;
mod messages;
mod settings;

pub use auth::{InvitePage, LoginPage, SignUpPage};
pub use contact_form::{EditContactPage, NewContactPage};
pub use contact_page::ContactDetailsPage;
pub use contacts::ContactsPage;
pub use groups::GroupsPage;
pub use import::ImportPage;
pub use messages::{MessagesPage, NotFound};
pub use settings::SettingsPage;
