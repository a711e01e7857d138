//! Reusable widgets.

mod confirm;
mod toolbar;

pub use confirm::{ConfirmDialog, Confirmation};
pub use toolbar::Toolbar;
