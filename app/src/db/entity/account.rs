use sea_orm::entity::prelude::*;

use crate::import::Region;

/// Who owns the data. Every other table carries an `account_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// ISO 3166-1 alpha-2 region for phone numbers without a country code.
    pub default_region: Region,
    pub created_at: DateTimeUtc,
    /// How many contacts the account has (kept by the store's writes).
    pub contact_count: i64,
    /// Text only contacts whose consent is recorded (opted in).
    pub require_consent: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
