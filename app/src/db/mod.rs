//! Server-only persistence: SeaORM entities, migrations and the [`Store`].
//!
//! Every query of an account's data is scoped by its `account_id`; only
//! the sessions and the login throttle's counters belong to no account.

mod bulk;
pub mod entity;
mod error;
mod export;
mod fields;
mod import;
mod import_batch;
pub mod migration;
mod nodelay;
mod race;
mod recipients;
mod region;
mod store;
mod throttle;
mod users;

pub use bulk::BULK_STEP;
pub use error::{Missing, StoreError};
pub use export::EXPORT_BATCH;
pub use fields::{value_key, KEY_CHARS};
pub use import::{ImportSms, UpsertSummary, LOOKUP_SETTINGS, PROBE_SQL, UPSERT_BATCH};
pub use import_batch::{ImportRecord, PlannedChunk, STATUS_DONE, STATUS_RUNNING};
pub use store::{connect, connect_options, Store};
pub use throttle::Allowance;
pub use users::{invitation_expiry, SessionRecords};
