use sea_orm::entity::prelude::*;

/// One change of a contact's SMS status (migration m20261207_000012).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_status_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub contact_id: i64,
    pub at: DateTimeUtc,
    pub from_status: String,
    pub to_status: String,
    pub source: String,
    /// The person's e-mail; empty for an import (`import_id` names it).
    pub actor: String,
    /// Why a person re-subscribed a contact.
    pub reason: String,
    pub import_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
