use sea_orm::entity::prelude::*;

use crate::import::Region;

/// One import: what was imported, how, and what it did.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_batch")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub file_name: String,
    pub sheet: String,
    pub format: String,
    /// The confirmed columns, as JSON (`Vec<WireColumn>`).
    pub mapping: String,
    /// The phone region the rows are read with.
    pub region: Region,
    pub group_id: Option<i64>,
    pub group_name: String,
    pub total_rows: i64,
    /// `running` or `done`.
    pub status: String,
    pub chunks: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub details_dropped: i64,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// The hash of the file's rows (`wire::ImportRequest::content_hash`).
    pub content_hash: String,
    /// The wizard's mapping and region, as JSON (`wire::WizardState`), to
    /// resume after a reload.
    pub wizard_state: String,
    /// The import's consent option (`import::ImportConsent`).
    pub consent: String,
    /// Contacts it opted in / out, and rows it kept opted out.
    pub opted_in: i64,
    pub opted_out: i64,
    pub kept_opted_out: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
