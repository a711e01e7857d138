//! The pure contacts domain: validation and normalisation of phone numbers,
//! e-mail addresses and whole contacts.
//!
//! Nothing here knows about Leptos, the database or the network: the same
//! functions run in the browser (WASM) for instant feedback and on the server,
//! which never trusts the browser and validates everything again.

pub mod contact;
pub mod validate;

pub use contact::{
    validate_contact, ContactDraft, DetailDraft, FieldIssue, FieldPath, IssueKind, ValidContact,
    ValidDetail,
};
pub use validate::{normalize_email, normalize_phone, DetailKind, EmailIssue, PhoneIssue, Region};
