use sea_orm::entity::prelude::*;

/// The ledger of applied chunks: a chunk sent again returns its outcome
/// instead of being applied twice.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_chunk")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub chunk_no: i32,
    pub account_id: i64,
    /// The chunk's `ChunkOutcome`, as JSON.
    pub outcome: String,
    /// `wire::chunk_fingerprint` of the rows it was applied with ("" for
    /// chunks written before fingerprints were kept).
    pub fingerprint: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
