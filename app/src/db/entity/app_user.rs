use sea_orm::entity::prelude::*;

/// A person who logs in, in one account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// As typed at sign-up (its domain lower-cased).
    pub email: String,
    /// The e-mail lower-cased: the login's key.
    #[sea_orm(unique)]
    pub email_key: String,
    /// Argon2id, in the PHC string format.
    pub password_hash: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
