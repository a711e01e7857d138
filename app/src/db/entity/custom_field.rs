use sea_orm::entity::prelude::*;

/// One of an account's custom fields (migration m20261207_000014).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custom_field")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    /// The name lower-cased: unique per account.
    pub name_key: String,
    /// `import::fields::FieldKind::as_str`.
    pub kind: String,
    /// A one-of-a-list field's choices, a JSON array of strings.
    pub choices: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
