use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    /// Lower-cased display name: what "sort by name" orders by.
    pub sort_name: String,
    /// Lower-cased names and company: what name search matches.
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The last wizard import that created or changed it.
    pub import_id: Option<i64>,
    /// `opted_in`, `not_recorded` or `opted_out` (`import::SmsStatus`).
    pub sms_status: String,
    /// When it last changed (`None` while not recorded).
    pub sms_status_at: Option<DateTimeUtc>,
    /// Where the last change came from ("form", "import of leads.xlsx…").
    pub sms_status_source: String,
    /// The number it is texted at (`import::consent::sms_number`); empty:
    /// no phone of it can receive SMS.
    pub sms_number: String,
    /// `textable`, `landline_only` or `no_phone` (`import::consent::Reach`):
    /// with `sms_status`, the class the recipients' counts are kept by
    /// (`account_audience`, `group_audience`).
    pub reach: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
