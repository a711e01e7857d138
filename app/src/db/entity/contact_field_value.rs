use sea_orm::entity::prelude::*;

/// A contact's value of a custom field (migration m20261207_000014).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_field_value")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub field_id: i64,
    pub account_id: i64,
    /// Canonical text (`import::fields::FieldValue`).
    pub value: String,
    /// What a filter compares (`FieldValue::key`, its first 200 characters).
    pub value_key: String,
    /// Its contact's `sort_name`, so that the value index pages its holders
    /// in the list's name order (migration m20261208_000016).
    pub sort_name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
