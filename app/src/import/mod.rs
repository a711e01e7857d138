//! The pure import domain: read a contacts file from bytes, find its table,
//! map its columns onto contact fields, validate and normalise every row,
//! merge in-file duplicates, and write the error file — plus the validation
//! of phone numbers, e-mail addresses and whole contacts the form uses.
//!
//! Nothing here knows about Leptos, the database or the network: the same
//! functions run in the browser (WASM) for the preview and on the server,
//! which never trusts the browser and validates everything again.
//!
//! ```text
//! bytes --read::open--> Book --choose_sheet--> Table + Mapping --plan--> ImportPlan
//! ```

pub mod contact;
pub mod error_file;
pub mod mapping;
mod numbering;
pub mod read;
pub mod rows;
pub mod table;
pub mod validate;
pub mod wire;
pub mod wizard;
pub mod worker;

pub use contact::{
    validate_contact, ContactDraft, DetailDraft, FieldIssue, FieldPath, IssueKind, ValidContact,
    ValidDetail,
};
pub use mapping::{auto_map, ColumnMapping, Field, Mapping};
pub use read::{open, open_pasted, Book, Budget, Format, Grid, GridRow, ReadError, ReadErrorKind};
pub use rows::{
    plan, plan_cached, ImportContact, ImportDetail, ImportPlan, PhoneCache, PlanCounts,
    RejectReason, Rejection, RowIssue, MAX_GROUP_NAME,
};
pub use table::{choose_sheet, ChosenSheet, HeaderChoice, Table};
pub use validate::{normalize_email, normalize_phone, DetailKind, EmailIssue, PhoneIssue, Region};
