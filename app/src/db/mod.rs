//! Server-only persistence: SeaORM entities, migrations and the [`Store`].
//!
//! Every query is scoped by an `account_id`; nothing here reads a table
//! without one.

pub mod entity;
mod error;
mod import;
mod import_batch;
pub mod migration;
mod nodelay;
mod region;
mod store;
mod users;

pub use error::{Missing, StoreError};
pub use import::{UpsertSummary, LOOKUP_SETTINGS, PROBE_SQL, UPSERT_BATCH};
pub use import_batch::{ImportRecord, STATUS_DONE, STATUS_RUNNING};
pub use store::{connect, connect_options, Store};
pub use users::{invitation_expiry, SessionRecords};
