//! How many members of a group have each SMS status and reach (kept by
//! triggers: the `audience_counts` migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_audience")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub group_id: i64,
    pub sms_status: String,
    pub reach: String,
    /// Added up per (status, reach): several rows of a pair on PostgreSQL,
    /// until folded into one.
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
