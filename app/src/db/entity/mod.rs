//! SeaORM entities. Migrations never import these (old migrations must keep
//! compiling when an entity changes).

pub mod account;
pub mod app_user;
pub mod auth_session;
pub mod contact;
pub mod contact_detail;
pub mod contact_field_value;
pub mod contact_group;
pub mod custom_field;
pub mod group_member;
pub mod import_batch;
pub mod import_chunk;
pub mod invitation;
pub mod sms_status_event;
