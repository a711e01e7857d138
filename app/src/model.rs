//! The shapes that cross the wire between the browser and the server
//! functions. Plain data, compiled on both sides.

use serde::{Deserialize, Serialize};

use crate::import::consent::{Exclusion, Reach};
pub use crate::import::contact::display_name;
use crate::import::validate::display_phone;
use crate::import::{DetailKind, LineType, Region, SmsStatus};

/// Contacts per page unless the caller asks otherwise, and the most it may ask.
pub const DEFAULT_PAGE_SIZE: u64 = 25;
pub const MAX_PAGE_SIZE: u64 = 200;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Name,
    /// Most recently updated first.
    Updated,
}

impl SortOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Name => "name",
            SortOrder::Updated => "updated",
        }
    }

    pub fn parse(s: &str) -> Self {
        if s == "updated" {
            SortOrder::Updated
        } else {
            SortOrder::Name
        }
    }
}

/// Which contacts to show, by group membership.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum GroupFilter {
    #[default]
    All,
    /// Contacts in no group at all ("floating").
    None,
    Group(i64),
}

impl GroupFilter {
    /// The form used in URLs: `""`, `"none"` or the group id.
    pub fn to_param(self) -> String {
        match self {
            GroupFilter::All => String::new(),
            GroupFilter::None => "none".into(),
            GroupFilter::Group(id) => id.to_string(),
        }
    }

    pub fn from_param(s: &str) -> Self {
        match s {
            "none" => GroupFilter::None,
            other => other
                .parse()
                .map(GroupFilter::Group)
                .unwrap_or(GroupFilter::All),
        }
    }
}

/// Which contacts to show, by whether we may text them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsFilter {
    #[default]
    All,
    /// By SMS status.
    Status(SmsStatus),
    /// A phone that can receive SMS, and not opted out.
    Textable,
    /// No phone that can receive SMS (landlines only, or no phone).
    NoTextableNumber,
}

impl SmsFilter {
    pub const ALL: [SmsFilter; 6] = [
        SmsFilter::All,
        SmsFilter::Textable,
        SmsFilter::NoTextableNumber,
        SmsFilter::Status(SmsStatus::OptedIn),
        SmsFilter::Status(SmsStatus::NotRecorded),
        SmsFilter::Status(SmsStatus::OptedOut),
    ];

    /// The form used in URLs.
    pub fn to_param(self) -> &'static str {
        match self {
            SmsFilter::All => "",
            SmsFilter::Status(s) => s.as_str(),
            SmsFilter::Textable => "textable",
            SmsFilter::NoTextableNumber => "no_textable_number",
        }
    }

    pub fn from_param(s: &str) -> Self {
        SmsFilter::ALL
            .into_iter()
            .find(|f| f.to_param() == s)
            .unwrap_or_default()
    }

    /// Whether a contact of this status and reach passes the filter (what
    /// the list's SQL filter checks, for the kept counts).
    pub fn admits(self, status: SmsStatus, reach: Reach) -> bool {
        match self {
            SmsFilter::All => true,
            SmsFilter::Status(s) => status == s,
            SmsFilter::Textable => status != SmsStatus::OptedOut && reach == Reach::Textable,
            SmsFilter::NoTextableNumber => reach != Reach::Textable,
        }
    }

    /// What the list's dropdown says.
    pub fn label(self) -> &'static str {
        match self {
            SmsFilter::All => "Any SMS status",
            SmsFilter::Textable => "Has a number for SMS, not opted out",
            SmsFilter::NoTextableNumber => "No number that can receive SMS",
            SmsFilter::Status(SmsStatus::OptedIn) => "Opted in",
            SmsFilter::Status(SmsStatus::NotRecorded) => "Consent not recorded",
            SmsFilter::Status(SmsStatus::OptedOut) => "Opted out",
        }
    }
}

/// A request for one page of the contacts list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactQuery {
    /// Name, company, e-mail, or phone in any notation.
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub group: GroupFilter,
    #[serde(default)]
    pub sort: SortOrder,
    /// 1-based.
    #[serde(default)]
    pub page: u64,
    #[serde(default)]
    pub per_page: u64,
    /// Only the contacts a wizard import created or changed last.
    #[serde(default)]
    pub import: Option<i64>,
    #[serde(default)]
    pub sms: SmsFilter,
    /// Only the contacts whose custom field holds this value.
    #[serde(default)]
    pub field: Option<FieldFilter>,
    /// Custom fields the list shows as columns, by id (the page's choice;
    /// the store does not read it).
    #[serde(default)]
    pub columns: Vec<i64>,
}

/// "City = Leeds": a custom field and a value, compared as the field
/// compares its values (`FieldValue::key`: `leeds` and `LEEDS` are one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldFilter {
    pub field_id: i64,
    pub value: String,
}

impl FieldFilter {
    /// As the list's URL carries it: `12:Leeds`.
    pub fn to_param(&self) -> String {
        format!("{}:{}", self.field_id, self.value)
    }

    pub fn from_param(s: &str) -> Option<Self> {
        let (id, value) = s.split_once(':')?;
        let field_id = id.parse().ok().filter(|&id: &i64| id > 0)?;
        (!value.trim().is_empty()).then(|| FieldFilter {
            field_id,
            value: value.to_string(),
        })
    }
}

/// The last page a list request may ask for (200 a page: 200 million
/// contacts, and an offset far inside the databases' 64-bit range).
pub const MAX_PAGE: u64 = 1_000_000;
/// Longest search, in characters.
pub const MAX_SEARCH: usize = 200;

impl ContactQuery {
    /// Refuses a request outside the list's ranges, with what to do.
    pub fn check(&self) -> Result<(), String> {
        if self.search.chars().count() > MAX_SEARCH {
            return Err(format!("Search for at most {MAX_SEARCH} characters."));
        }
        if self.page > MAX_PAGE {
            return Err(format!("Ask for a page between 1 and {MAX_PAGE}."));
        }
        if self.import.is_some_and(|id| id < 1) {
            return Err("That import does not exist.".into());
        }
        if self.columns.len() > crate::import::fields::MAX_FIELDS {
            return Err("Show at most 100 field columns.".into());
        }
        if let Some(f) = &self.field {
            if f.value.chars().count() > MAX_SEARCH {
                return Err(format!("Filter by at most {MAX_SEARCH} characters."));
            }
        }
        Ok(())
    }

    pub fn page(&self) -> u64 {
        self.page.clamp(1, MAX_PAGE)
    }

    pub fn per_page(&self) -> u64 {
        match self.per_page {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailView {
    pub kind: DetailKind,
    pub value: String,
    pub label: String,
    pub is_primary: bool,
    /// A phone's line type (mobile, landline…); `None` for an e-mail.
    #[serde(default)]
    pub line: Option<LineType>,
}

impl DetailView {
    /// The value as people read it (`+44 7700 900123`).
    pub fn display(&self) -> String {
        match self.kind {
            DetailKind::Phone => display_phone(&self.value),
            DetailKind::Email => self.value.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub details: Vec<DetailView>,
    pub groups: Vec<GroupRef>,
    /// RFC 3339.
    pub updated_at: String,
    /// Whom we may text: opted in, not recorded, opted out.
    #[serde(default)]
    pub sms_status: SmsStatus,
    /// When it last changed (RFC 3339) and where from.
    #[serde(default)]
    pub sms_status_at: Option<String>,
    #[serde(default)]
    pub sms_status_source: String,
    /// The number it is texted at; `None`: no phone of it can receive SMS.
    #[serde(default)]
    pub sms_number: Option<String>,
    /// Its custom fields' values, by field id (fields it holds no value of
    /// are absent).
    #[serde(default)]
    pub fields: Vec<FieldValueView>,
    /// RFC 3339.
    #[serde(default)]
    pub created_at: String,
    /// The last import that created or changed it.
    #[serde(default)]
    pub import_id: Option<i64>,
}

/// A contact's value of one custom field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValueView {
    pub field_id: i64,
    /// Canonical text (`import::fields::FieldValue`).
    pub value: String,
}

/// One of the account's custom fields, as the Settings page and the
/// mapping stage list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomFieldView {
    pub id: i64,
    pub name: String,
    pub kind: crate::import::fields::FieldKind,
    #[serde(default)]
    pub choices: Vec<String>,
}

impl CustomFieldView {
    /// The definition its values are checked against.
    pub fn def(&self) -> Option<crate::import::fields::FieldDef> {
        Some(crate::import::fields::FieldDef {
            name: crate::import::fields::FieldName::parse(&self.name).ok()?,
            kind: self.kind,
            choices: self.choices.clone(),
            id: Some(self.id),
        })
    }
}

/// One change of a contact's SMS status, for its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsEventView {
    /// RFC 3339.
    pub at: String,
    pub from: SmsStatus,
    pub to: SmsStatus,
    pub source: String,
    /// The person who made it (their e-mail); empty for an import.
    pub actor: String,
    /// Why a person re-subscribed the contact.
    pub reason: String,
    pub import_id: Option<i64>,
}

impl ContactView {
    pub fn display_name(&self) -> String {
        display_name(&self.first_name, &self.last_name, &self.company).unwrap_or_else(|| {
            self.details
                .first()
                .map(DetailView::display)
                .unwrap_or_default()
        })
    }

    pub fn details_of(&self, kind: DetailKind) -> impl Iterator<Item = &DetailView> {
        self.details.iter().filter(move |d| d.kind == kind)
    }

    /// Whether some phone of it can receive SMS (whatever its status).
    pub fn has_textable_number(&self) -> bool {
        self.details_of(DetailKind::Phone)
            .any(|d| d.line.is_some_and(LineType::can_receive_sms))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPage {
    pub contacts: Vec<ContactView>,
    /// How many contacts match; with `more`, a lower bound: the count
    /// stopped at [`COUNT_CAP`] matches, or after reading as many contacts
    /// as the store counts through (`db::COUNT_BUDGET`).
    pub total: u64,
    /// The count stopped: at least `total` match, shown as "10,000+"
    /// (counting every match of a word most contacts hold costs more than
    /// finding the page).
    #[serde(default)]
    pub more: bool,
    pub page: u64,
    pub per_page: u64,
}

/// Past this many matches, a search that matches very many contacts stops
/// counting them (shown as "10,000+").
pub const COUNT_CAP: u64 = 10_000;

impl ContactPage {
    /// The pages there are; with `more`, the pages counted so far.
    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }

    /// Whether a page follows this one (an open count is closed by the
    /// store on the page where the matches end).
    pub fn has_next(&self) -> bool {
        self.more || self.page < self.page_count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub member_count: u64,
}

/// What the browser needs to know about the account before it validates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub account_name: String,
    pub default_region: Region,
    /// Text only contacts whose consent is recorded (opted in).
    #[serde(default)]
    pub require_consent: bool,
}

// ---------------------------------------------------------------- recipients

/// Most groups one selection may name.
pub const MAX_SELECTED_GROUPS: usize = 1_000;
/// Most contacts one selection may name one by one (a request body is at
/// most 64 KiB).
pub const MAX_SELECTED_CONTACTS: usize = 5_000;
/// Most recipients one page of [`RecipientsPage`] holds.
pub const MAX_RECIPIENTS_PAGE: u32 = 10_000;

/// Whom a message goes to: every contact of these groups, these contacts,
/// and those the list's filter finds (their union; a contact in several
/// counts once). Paged by contact id: `after` is the last id of the
/// previous page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientsRequest {
    #[serde(default)]
    pub group_ids: Vec<i64>,
    #[serde(default)]
    pub contact_ids: Vec<i64>,
    /// The contacts list's search and filters (its page and sort are not used).
    #[serde(default)]
    pub filter: Option<ContactQuery>,
    /// Counts only (no page of numbers) when 0.
    #[serde(default)]
    pub limit: u32,
    #[serde(default)]
    pub after: Option<i64>,
}

impl RecipientsRequest {
    /// Refuses a selection past the limits, with what to do.
    pub fn check(&self) -> Result<(), String> {
        if self.group_ids.len() > MAX_SELECTED_GROUPS {
            return Err(format!("Choose at most {MAX_SELECTED_GROUPS} groups."));
        }
        if self.contact_ids.len() > MAX_SELECTED_CONTACTS {
            return Err(format!(
                "Choose at most {MAX_SELECTED_CONTACTS} contacts one by one, or use a group or a filter."
            ));
        }
        if self.limit > MAX_RECIPIENTS_PAGE {
            return Err(format!(
                "Ask for at most {MAX_RECIPIENTS_PAGE} recipients a page."
            ));
        }
        if let Some(f) = &self.filter {
            f.check()?;
        }
        Ok(())
    }

    /// Whether it selects anything at all.
    pub fn is_empty(&self) -> bool {
        self.group_ids.is_empty() && self.contact_ids.is_empty() && self.filter.is_none()
    }
}

/// How many of a selection we may text, and why the others not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceCounts {
    /// Contacts selected (each once).
    pub selected: u64,
    /// Those we text, each at one number.
    pub textable: u64,
    /// The others, by reason (every reason, zeros included, in
    /// [`Exclusion::ALL`]'s order).
    pub excluded: Vec<(Exclusion, u64)>,
}

/// One contact we text, at one number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub contact_id: i64,
    pub name: String,
    /// E.164.
    pub number: String,
}

/// The answer to [`RecipientsRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientsPage {
    /// On the first page only (`after` not given).
    pub counts: Option<AudienceCounts>,
    pub recipients: Vec<Recipient>,
    /// The `after` of the next page; `None` on the last.
    pub next: Option<i64>,
    /// Whether the account requires recorded consent (so "no consent" excludes).
    pub require_consent: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_filters_round_trip_through_urls() {
        for f in [GroupFilter::All, GroupFilter::None, GroupFilter::Group(42)] {
            assert_eq!(GroupFilter::from_param(&f.to_param()), f);
        }
        assert_eq!(GroupFilter::from_param("junk"), GroupFilter::All);
    }

    #[test]
    fn page_sizes_are_bounded() {
        let q = ContactQuery {
            per_page: 10_000,
            ..Default::default()
        };
        assert_eq!(q.per_page(), MAX_PAGE_SIZE);
        assert_eq!(ContactQuery::default().per_page(), DEFAULT_PAGE_SIZE);
        assert_eq!(ContactQuery::default().page(), 1);
    }

    #[test]
    fn display_names_fall_back_to_the_company() {
        assert_eq!(display_name("Ada", "", "ACME").as_deref(), Some("Ada"));
        assert_eq!(display_name("", "", "ACME").as_deref(), Some("ACME"));
        assert_eq!(display_name("", "", ""), None);
    }

    fn sample_view() -> ContactView {
        ContactView {
            id: 1,
            first_name: "Ada".into(),
            last_name: String::new(),
            company: String::new(),
            details: vec![],
            groups: vec![],
            updated_at: String::new(),
            sms_status: SmsStatus::NotRecorded,
            sms_status_at: None,
            sms_status_source: String::new(),
            sms_number: None,
            fields: vec![],
            created_at: String::new(),
            import_id: None,
        }
    }

    #[test]
    fn page_count_rounds_up() {
        let p = ContactPage {
            contacts: vec![],
            total: 51,
            more: false,
            page: 1,
            per_page: 25,
        };
        assert_eq!(p.page_count(), 3);
        assert!(p.has_next());
        assert!(!ContactPage {
            page: 3,
            ..p.clone()
        }
        .has_next());
        // A count that stopped: more pages follow, past the counted ones.
        let many = ContactPage {
            contacts: vec![sample_view(); 25],
            total: COUNT_CAP,
            more: true,
            page: 400,
            per_page: 25,
        };
        assert!(many.has_next());
    }
}

impl ContactQuery {
    /// The query a list's URL holds (what [`ContactQuery::to_url`] writes),
    /// read through `get` (a parameter's value by name): the page reads its
    /// address with it, the export its request.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        ContactQuery {
            search: get("q").unwrap_or_default(),
            group: GroupFilter::from_param(&get("group").unwrap_or_default()),
            sort: SortOrder::parse(&get("sort").unwrap_or_default()),
            page: get("page").and_then(|n| n.parse().ok()).unwrap_or(1),
            per_page: 0,
            import: get("import").and_then(|n| n.parse().ok()),
            sms: SmsFilter::from_param(&get("sms").unwrap_or_default()),
            field: get("field").and_then(|f| FieldFilter::from_param(&f)),
            columns: get("cols")
                .map(|c| {
                    c.split(',')
                        .filter_map(|id| id.parse().ok())
                        .take(crate::import::fields::MAX_FIELDS)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The list's export address for this query, in `format` (csv, xlsx,
    /// vcf): its search and filters, not its page.
    pub fn export_url(&self, format: &str) -> String {
        let list = ContactQuery {
            page: 1,
            columns: Vec::new(),
            ..self.clone()
        }
        .to_url();
        let params = list.split_once('?').map_or("", |(_, q)| q);
        match params {
            "" => format!("/api/contacts/export?format={format}"),
            p => format!("/api/contacts/export?format={format}&{p}"),
        }
    }

    /// The list's URL for this query, leaving defaults out (`/contacts?q=ada&page=2`).
    pub fn to_url(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.search.is_empty() {
            s.append_pair("q", &self.search);
        }
        if self.group != GroupFilter::All {
            s.append_pair("group", &self.group.to_param());
        }
        if self.sort != SortOrder::Name {
            s.append_pair("sort", self.sort.as_str());
        }
        if let Some(id) = self.import {
            s.append_pair("import", &id.to_string());
        }
        if self.sms != SmsFilter::All {
            s.append_pair("sms", self.sms.to_param());
        }
        if let Some(f) = &self.field {
            s.append_pair("field", &f.to_param());
        }
        if !self.columns.is_empty() {
            let ids: Vec<String> = self.columns.iter().map(i64::to_string).collect();
            s.append_pair("cols", &ids.join(","));
        }
        if self.page() > 1 {
            s.append_pair("page", &self.page().to_string());
        }
        let qs = s.finish();
        if qs.is_empty() {
            "/contacts".into()
        } else {
            format!("/contacts?{qs}")
        }
    }
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn default_query_is_the_bare_list() {
        assert_eq!(ContactQuery::default().to_url(), "/contacts");
    }

    #[test]
    fn search_is_url_encoded() {
        let q = ContactQuery {
            search: "Zoë & co +44".into(),
            group: GroupFilter::Group(3),
            sort: SortOrder::Updated,
            page: 2,
            per_page: 0,
            import: None,
            sms: SmsFilter::Status(SmsStatus::OptedOut),
            field: Some(FieldFilter {
                field_id: 7,
                value: "Leeds: north".into(),
            }),
            columns: vec![7, 9],
        };
        assert_eq!(
            q.to_url(),
            "/contacts?q=Zo%C3%AB+%26+co+%2B44&group=3&sort=updated&sms=opted_out&field=7%3ALeeds%3A+north&cols=7%2C9&page=2"
        );
        assert_eq!(FieldFilter::from_param("7:Leeds: north"), q.field);
        // The URL reads back as the query.
        let url = q.to_url();
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
                .into_owned()
                .collect();
        let back = ContactQuery::from_params(|k| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, q);
        assert_eq!(
            q.export_url("csv"),
            "/api/contacts/export?format=csv&q=Zo%C3%AB+%26+co+%2B44&group=3&sort=updated&sms=opted_out&field=7%3ALeeds%3A+north"
        );
        assert_eq!(
            ContactQuery::default().export_url("vcf"),
            "/api/contacts/export?format=vcf"
        );
        assert_eq!(FieldFilter::from_param("x:Leeds"), None);
        assert_eq!(FieldFilter::from_param("0:Leeds"), None);
        assert_eq!(FieldFilter::from_param("7: "), None);
        for f in SmsFilter::ALL {
            assert_eq!(SmsFilter::from_param(f.to_param()), f);
        }
        let q = ContactQuery {
            import: Some(12),
            sort: SortOrder::Updated,
            ..Default::default()
        };
        assert_eq!(q.to_url(), "/contacts?sort=updated&import=12");
    }
}

/// One import in the history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    pub sheet: String,
    pub group_id: Option<i64>,
    pub group_name: String,
    pub total_rows: u64,
    /// `running` (stopped or still going) or `done`.
    pub status: String,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub details_dropped: u64,
    /// The confirmed mapping, as "Header → Field" pairs.
    pub mapping: Vec<(String, String)>,
    /// RFC 3339.
    pub started_at: String,
    pub consent: crate::import::ImportConsent,
    pub opted_in: u64,
    pub opted_out: u64,
    pub kept_opted_out: u64,
}
