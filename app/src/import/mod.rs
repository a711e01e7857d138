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
//!   --(per batch, on the server) store loads a Snapshot--> decide --> Changes --> store writes
//! ```

pub mod consent;
pub mod contact;
pub mod dates;
pub mod decide;
pub mod error_file;
pub mod fields;
pub mod group;
pub mod mapping;
mod numbering;
pub mod plan;
pub mod read;
pub mod rows;
pub mod table;
pub mod text;
pub mod validate;
pub mod warm_up;
pub mod wire;
pub mod wizard;
pub mod worker;

pub use consent::{ImportConsent, SmsStatus};
pub use contact::{
    validate_contact, validate_contact_with, ContactDraft, DetailDraft, FieldDraft, FieldIssue,
    FieldPath, IssueKind, ValidContact, ValidDetail,
};
pub use decide::{decide, rejected_rows, Changes, Conflict, Snapshot};
pub use group::{GroupKey, GroupName, GroupNameIssue, MAX_GROUP_NAME};
pub use mapping::{auto_map, ColumnMapping, Field, Mapping};
pub use numbering::{line_type_of, LineType};
pub use plan::{plan, plan_cached};
pub use read::{open, open_pasted, Book, Budget, Format, Grid, GridRow, ReadError, ReadErrorKind};
pub use rows::{
    ImportContact, ImportDetail, ImportPlan, PlanCounts, RejectReason, Rejection, RowIssue,
};
pub use table::{choose_sheet, ChosenSheet, HeaderChoice, Table};
pub use validate::{
    classify_phone, lenient_classify, lenient_phone, normalize_email, normalize_phone, DetailKind,
    EmailIssue, PhoneCache, PhoneIssue, Region,
};
