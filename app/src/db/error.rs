//! What the store answers besides its data. The store speaks of records and
//! constraints; the API layer ([`crate::error::AppError`]'s `From`) turns
//! each answer into a status and the words a user reads.

use sea_orm::DbErr;

use crate::import::consent::StatusIssue;
use crate::import::fields::FieldName;
use crate::import::{FieldIssue, GroupName};

/// A record the store was asked for and the account does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Account,
    Contact,
    Group,
    Import,
    /// An invitation used, expired or never made.
    Invitation,
    /// An invitation another acceptance used while this one ran.
    InvitationUsedMeanwhile,
    /// One of the groups a contact was to join.
    ChosenGroup,
    /// The group an import puts its contacts in, deleted while it ran.
    ImportGroup,
    /// A custom field.
    Field,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0:?} not found")]
    NotFound(Missing),
    /// Another group of the account has that name (case-insensitively).
    #[error("a group named {0} exists")]
    GroupNameTaken(GroupName),
    /// Another custom field of the account has that name (case-insensitively).
    #[error("a field named {0} exists")]
    FieldNameTaken(FieldName),
    /// A custom field's definition refused (its choices).
    #[error("field refused: {0}")]
    FieldRefused(String),
    /// The account has as many custom fields as it may.
    #[error("too many custom fields")]
    TooManyFields,
    /// Another login has that e-mail.
    #[error("the e-mail has a login")]
    EmailTaken,
    /// A contact the store must not keep: the issues name the fields (a
    /// detail another contact holds, no phone or e-mail at all).
    #[error("contact refused: {0:?}")]
    ContactRefused(Vec<FieldIssue>),
    /// A detail another request saved on another contact between the
    /// check and the write.
    #[error("a detail was taken meanwhile")]
    DetailTakenMeanwhile,
    /// A chunk sent to an import that is finished.
    #[error("the import is finished")]
    ImportFinished,
    /// A chunk number the import's ledger holds with other rows.
    #[error("the chunk's rows differ from those applied under its number")]
    ChunkChanged,
    /// A person's change of SMS status refused (a re-subscription without
    /// its reason).
    #[error("SMS status: {0}")]
    SmsStatus(StatusIssue),
    /// An argument no caller should send (a chunk number out of range).
    #[error("out of range: {0}")]
    OutOfRange(&'static str),
    /// Something the store wrote earlier and cannot read back.
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}
