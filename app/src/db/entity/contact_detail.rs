use sea_orm::entity::prelude::*;

/// A phone (E.164) or e-mail (domain lower-cased) of a contact.
/// Unique per (account_id, kind, match_key): a detail belongs to one contact.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_detail")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub contact_id: i64,
    /// `phone` or `email`.
    pub kind: String,
    pub value: String,
    /// What uniqueness and matching compare: the E.164 phone, or the whole
    /// e-mail lower-cased (`Ada@x.org` and `ada@x.org` are one address).
    pub match_key: String,
    pub label: String,
    pub is_primary: bool,
    /// Order within the contact, as the user entered them.
    pub position: i32,
    /// A phone's line type (`import::LineType::as_str`); empty for an e-mail.
    pub line_type: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
