//! From mapped rows to contacts: every row is validated with the same rules
//! as the contact form, rows sharing a phone or e-mail merge into one
//! contact, and every refused row gets its reasons with the row number the
//! user sees.
//!
//! A row is imported when it has at least one valid phone or e-mail; its
//! invalid extra details are dropped and reported as warnings.

use serde::{Deserialize, Serialize};

use super::consent::{merge_consent, parse_consent, RowConsent};
use super::contact::{
    clean_label, clean_name, email_message, phone_message, MAX_DETAILS_PER_KIND, MAX_NAME_LEN,
};
use super::dates::{parse_date, region_order, DateOrder};
use super::fields::{FieldName, FieldValue, ReadAs};
use super::group::{push_group, GroupName, GroupNameIssue, MAX_GROUPS_PER_ROW, MAX_GROUP_NAME};
use super::mapping::{Field, Mapping};
use super::numbering::LineType;
use super::read::GridRow;
use super::text::{is_placeholder, strip_controls};
use super::validate::{
    expand_scientific, match_key, normalize_email, DetailKind, PhoneCache, PhoneIssue, Region,
};

/// Longest e-mail input (RFC 5321 path limit).
const MAX_EMAIL_INPUT: usize = 254;
/// Longest phone input.
const MAX_PHONE_INPUT: usize = 64;

/// Why a row was not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    NoContactDetail,
    InvalidPhone,
    InvalidEmail,
    TooLong,
    /// More of something than a row may hold (groups).
    TooMany,
    /// Its details belong to two different existing contacts.
    Conflict,
    /// A cell that says nothing its field can read (a consent cell saying
    /// "maybe"): only a warning, the row is imported without it.
    InvalidValue,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::NoContactDetail => "no_contact_detail",
            RejectReason::InvalidPhone => "invalid_phone",
            RejectReason::InvalidEmail => "invalid_email",
            RejectReason::TooLong => "too_long",
            RejectReason::TooMany => "too_many",
            RejectReason::Conflict => "conflict",
            RejectReason::InvalidValue => "invalid_value",
        }
    }
}

/// One problem in one cell (or in the row as a whole: `column: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    pub row: u32,
    pub column: Option<usize>,
    pub kind: RejectReason,
    pub message: String,
}

/// A refused row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub row: u32,
    pub reasons: Vec<RejectReason>,
    pub issues: Vec<RowIssue>,
    /// All the issues in one sentence, for the error file's `Reason` column.
    pub message: String,
}

impl Rejection {
    pub fn new(row: u32, issues: Vec<RowIssue>) -> Self {
        let mut reasons: Vec<RejectReason> = issues.iter().map(|i| i.kind).collect();
        reasons.sort();
        reasons.dedup();
        let message = issues
            .iter()
            .map(|i| i.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Rejection {
            row,
            reasons,
            issues,
            message,
        }
    }
}

/// A phone or e-mail, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportDetail {
    pub kind: DetailKind,
    /// E.164, or the e-mail with its domain lower-cased.
    pub value: String,
    pub label: String,
    /// A phone's line type (mobile, landline…); `None` for an e-mail.
    #[serde(default)]
    pub line: Option<LineType>,
}

impl ImportDetail {
    /// The same rule as the form's details: see [`match_key`].
    pub fn match_key(&self) -> String {
        match_key(self.kind, &self.value)
    }
}

/// A contact to create or update: one or more rows of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportContact {
    /// The rows it came from (several when duplicates merged).
    pub rows: Vec<u32>,
    pub first_name: String,
    pub last_name: String,
    /// A whole name we did not split (then first and last are empty).
    pub full_name: Option<String>,
    pub company: String,
    pub details: Vec<ImportDetail>,
    pub groups: Vec<GroupName>,
    /// What its consent cell said, if it has one (see [`super::consent`]).
    #[serde(default)]
    pub consent: Option<RowConsent>,
    /// Its custom fields' values (one per field; see [`super::fields`]).
    #[serde(default)]
    pub fields: Vec<CustomValue>,
}

/// A row's value of a custom field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomValue {
    pub field: FieldName,
    /// The account's field, when the import resolved it at its start.
    #[serde(default)]
    pub field_id: Option<i64>,
    pub value: FieldValue,
}

impl ImportContact {
    pub fn phones(&self) -> impl Iterator<Item = &ImportDetail> {
        self.details.iter().filter(|d| d.kind == DetailKind::Phone)
    }

    pub fn emails(&self) -> impl Iterator<Item = &ImportDetail> {
        self.details.iter().filter(|d| d.kind == DetailKind::Email)
    }

    /// The first name to store: an unsplit full name is kept there whole.
    pub fn stored_first_name(&self) -> &str {
        self.full_name.as_deref().unwrap_or(&self.first_name)
    }
}

/// Counts of what reading and validating found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCounts {
    pub data_rows: usize,
    pub valid: usize,
    pub rejected: usize,
    pub duplicates_merged: usize,
    pub details_dropped: usize,
    /// Cells ignored with a warning (a consent cell saying "maybe", a
    /// consent date in the future).
    #[serde(default)]
    pub values_ignored: usize,
}

/// What an import will do, before the database is asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPlan {
    pub contacts: Vec<ImportContact>,
    pub rejected: Vec<Rejection>,
    /// Invalid extra details dropped from imported rows.
    pub warnings: Vec<RowIssue>,
    pub counts: PlanCounts,
}

/// The cells of one row, gathered by field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowCells {
    pub row: u32,
    pub first_name: Vec<(usize, String)>,
    pub last_name: Vec<(usize, String)>,
    pub full_name: Vec<(usize, String)>,
    pub company: Vec<(usize, String)>,
    /// (column, value, label)
    pub phones: Vec<(usize, String, String)>,
    pub emails: Vec<(usize, String, String)>,
    pub groups: Vec<(usize, String)>,
    pub consent: Vec<(usize, String)>,
    /// (column, cell, the column's label: its day/month order)
    pub consent_date: Vec<(usize, String, String)>,
    /// (column, cell, the column's place in the mapping: its field)
    pub custom: Vec<(usize, String, usize)>,
}

/// Splits a cell that holds several values (Google's ` ::: `, or a list).
fn split_values(cell: &str, kind: DetailKind) -> Vec<String> {
    let parts: Vec<&str> = cell.split(":::").collect();
    parts
        .into_iter()
        .flat_map(|p| match kind {
            DetailKind::Email => p
                .split([';', ',', ' ', '\n'])
                .map(str::to_string)
                .collect::<Vec<_>>(),
            DetailKind::Phone => p
                .split([';', '\n'])
                .flat_map(split_on_slash)
                .map(str::to_string)
                .collect(),
        })
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The phone numbers a phone cell holds, as [`gather`] splits them.
pub(crate) fn phone_values(cell: &str) -> Vec<String> {
    split_values(cell, DetailKind::Phone)
}

/// `07911 123456 / 020 7946 0000` holds two numbers; `n/a`, `24/7` or
/// `07400/123456` none or one: a slash splits only when every side has the
/// seven digits or more of a whole number.
fn split_on_slash(part: &str) -> Vec<&str> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
    let sides: Vec<&str> = part.split('/').collect();
    if sides.len() > 1 && sides.iter().all(|s| digits(s) >= 7) {
        sides
    } else {
        vec![part]
    }
}

/// Splits a group cell on ` ::: `, `;` and `,`.
pub fn split_groups(cell: &str) -> Vec<String> {
    cell.split(":::")
        .flat_map(|p| p.split([';', ',']))
        .map(|g| g.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|g| !g.is_empty() && g != "* myContacts" && !g.eq_ignore_ascii_case("mycontacts"))
        .collect()
}

/// Gathers the cells of `row` by field, following `mapping`.
pub fn gather(row: &GridRow, mapping: &Mapping) -> RowCells {
    let mut out = RowCells {
        row: row.number,
        ..Default::default()
    };
    for (position, c) in mapping.columns.iter().enumerate() {
        let cell = strip_controls(row.cell(c.index));
        let cell = cell.as_ref();
        if cell.is_empty()
            || (matches!(c.field, Some(Field::Phone | Field::Email)) && is_placeholder(cell))
        {
            continue;
        }
        let label = || {
            c.label_column
                // Google marks the primary value `* Mobile`: the star goes.
                .map(|l| clean_label(row.cell(l).trim_start_matches('*')))
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| c.label.clone())
        };
        match c.field {
            Some(Field::FirstName) => out.first_name.push((c.index, cell.into())),
            Some(Field::LastName) => out.last_name.push((c.index, cell.into())),
            Some(Field::FullName) => out.full_name.push((c.index, cell.into())),
            Some(Field::Company) => out.company.push((c.index, cell.into())),
            Some(Field::Phone) => {
                for v in split_values(cell, DetailKind::Phone) {
                    out.phones.push((c.index, v, label()));
                }
            }
            Some(Field::Email) => {
                for v in split_values(cell, DetailKind::Email) {
                    out.emails.push((c.index, v, label()));
                }
            }
            Some(Field::Group) => out.groups.push((c.index, cell.into())),
            Some(Field::SmsConsent) => out.consent.push((c.index, cell.into())),
            Some(Field::ConsentDate) => {
                out.consent_date
                    .push((c.index, cell.into(), c.label.clone()))
            }
            Some(Field::Custom) => out.custom.push((c.index, cell.into(), position)),
            Some(Field::Ignore) | None => {}
        }
    }
    out
}

/// Splits a full name into (first, last) when that is safe: `Last, First`, or
/// exactly two words of letters. Otherwise `None` (keep it whole).
pub fn split_full_name(full: &str) -> Option<(String, String)> {
    let wordy = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.'))
    };
    if let Some((last, first)) = full.split_once(',') {
        let (first, last) = (first.trim(), last.trim());
        if !first.contains(',') && first.split(' ').all(wordy) && last.split(' ').all(wordy) {
            return Some((first.to_string(), last.to_string()));
        }
        return None;
    }
    let words: Vec<&str> = full.split_whitespace().collect();
    match words.as_slice() {
        [first, last] if wordy(first) && wordy(last) => Some((first.to_string(), last.to_string())),
        _ => None,
    }
}

/// What one row gives: a contact (with warnings) or a rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowVerdict {
    Contact(ImportContact, Vec<RowIssue>),
    Rejected(Rejection),
}

/// Validates one gathered row.
pub fn validate_row(cells: &RowCells, mapping: &Mapping, region: Region) -> RowVerdict {
    validate_row_cached(cells, mapping, region, &mut PhoneCache::default())
}

/// [`validate_row`] with phone verdicts kept in `cache`.
pub fn validate_row_cached(
    cells: &RowCells,
    mapping: &Mapping,
    region: Region,
    cache: &mut PhoneCache,
) -> RowVerdict {
    let row = cells.row;
    let mut issues: Vec<RowIssue> = Vec::new();
    let mut name = |values: &[(usize, String)], what: &str, max: usize| -> String {
        let joined = values
            .iter()
            .map(|(_, v)| clean_name(v))
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if joined.chars().count() > max {
            issues.push(RowIssue {
                row,
                column: values.first().map(|(c, _)| *c),
                kind: RejectReason::TooLong,
                message: format!("{what} is longer than {max} characters"),
            });
        }
        joined
    };
    let mut first_name = name(&cells.first_name, "the first name", MAX_NAME_LEN);
    let mut last_name = name(&cells.last_name, "the last name", MAX_NAME_LEN);
    let full = name(&cells.full_name, "the name", MAX_NAME_LEN * 2);
    let company = name(&cells.company, "the company", MAX_NAME_LEN);
    let mut full_name = None;
    if first_name.is_empty() && last_name.is_empty() && !full.is_empty() {
        match split_full_name(&full) {
            Some((f, l)) => (first_name, last_name) = (f, l),
            None if full.chars().count() > MAX_NAME_LEN => issues.push(RowIssue {
                row,
                column: cells.full_name.first().map(|(c, _)| *c),
                kind: RejectReason::TooLong,
                message: format!("the name is longer than {MAX_NAME_LEN} characters"),
            }),
            None => full_name = Some(full),
        }
    }
    let mut groups: Vec<GroupName> = Vec::new();
    'cells: for (col, cell) in &cells.groups {
        for g in split_groups(cell) {
            match GroupName::parse(&g) {
                Ok(name) => push_group(&mut groups, name),
                Err(GroupNameIssue::TooLong) => issues.push(RowIssue {
                    row,
                    column: Some(*col),
                    kind: RejectReason::TooLong,
                    message: format!("a group name is longer than {MAX_GROUP_NAME} characters"),
                }),
                // split_groups leaves no empty name.
                Err(GroupNameIssue::Empty) => {}
            }
            // Counted as distinct groups (a name repeated is one group);
            // the rest of a runaway cell is not even read.
            if groups.len() > MAX_GROUPS_PER_ROW {
                issues.push(RowIssue {
                    row,
                    column: Some(*col),
                    kind: RejectReason::TooMany,
                    message: format!(
                        "more than {MAX_GROUPS_PER_ROW} groups in one row: a row may name at most {MAX_GROUPS_PER_ROW}"
                    ),
                });
                break 'cells;
            }
        }
    }

    let mut details: Vec<ImportDetail> = Vec::new();
    let mut bad_details: Vec<RowIssue> = Vec::new();
    let kinds = [
        (
            DetailKind::Phone,
            &cells.phones,
            MAX_PHONE_INPUT,
            "a phone number",
        ),
        (
            DetailKind::Email,
            &cells.emails,
            MAX_EMAIL_INPUT,
            "an e-mail address",
        ),
    ];
    for (kind, values, max, what) in kinds {
        for (col, raw, label) in values {
            let issue = |kind, message| RowIssue {
                row,
                column: Some(*col),
                kind,
                message,
            };
            let result = if raw.chars().count() > max {
                Err(issue(
                    RejectReason::TooLong,
                    format!("{what} is longer than {max} characters"),
                ))
            } else {
                match kind {
                    DetailKind::Phone => cache
                        .lenient_phone(raw, region)
                        .map(|(e164, line)| (e164, Some(line)))
                        .map_err(|i| {
                            issue(
                                RejectReason::InvalidPhone,
                                phone_issue_message(raw, &i, region),
                            )
                        }),
                    DetailKind::Email => normalize_email(raw)
                        .map(|email| (email, None))
                        .map_err(|i| issue(RejectReason::InvalidEmail, email_message(raw, &i))),
                }
            };
            match result {
                Ok((value, line)) => push_detail(&mut details, kind, value, line, label),
                Err(i) => bad_details.push(i),
            }
        }
    }

    if details.is_empty() {
        if bad_details.is_empty() {
            issues.push(RowIssue {
                row,
                column: None,
                kind: RejectReason::NoContactDetail,
                message: "no phone number or e-mail address".into(),
            });
        }
        issues.extend(bad_details);
        return RowVerdict::Rejected(Rejection::new(row, issues));
    }
    if !issues.is_empty() {
        return RowVerdict::Rejected(Rejection::new(row, issues));
    }
    let mut warnings = bad_details;
    cap_details(&mut details, row, &mut warnings);
    let mut consent = None;
    let mut consent_date = None;
    for (col, cell, label) in &cells.consent_date {
        let order = DateOrder::parse(label).or_else(|| region_order(region));
        match parse_date(cell, order, chrono::Utc::now().date_naive()) {
            Ok(date) => consent_date = Some((*col, date)),
            Err(issue) => warnings.push(RowIssue {
                row,
                column: Some(*col),
                kind: RejectReason::InvalidValue,
                message: format!(
                    "{} (the row was imported without it)",
                    issue.message(&cell.chars().take(40).collect::<String>())
                ),
            }),
        }
    }
    for (col, cell) in &cells.consent {
        match parse_consent(cell) {
            Ok(said) => merge_consent(&mut consent, said),
            Err(_) => warnings.push(RowIssue {
                row,
                column: Some(*col),
                kind: RejectReason::InvalidValue,
                message: format!(
                    "“{}” says neither yes nor no to SMS: write yes, no or STOP (the row was imported without it)",
                    cell.chars().take(40).collect::<String>()
                ),
            }),
        }
    }
    // A date dates what the row's consent cell says; on its own it says
    // nothing (a date is no statement of consent), and it is reported.
    match (consent.as_mut(), consent_date) {
        (Some(c), Some((_, date))) => c.date = Some(date),
        (None, Some((col, _))) => warnings.push(RowIssue {
            row,
            column: Some(col),
            kind: RejectReason::InvalidValue,
            message: "a consent date without a yes or no in the SMS consent column was ignored"
                .into(),
        }),
        _ => {}
    }
    let fields = custom_values(cells, mapping, region, &mut warnings);
    RowVerdict::Contact(
        ImportContact {
            rows: vec![row],
            first_name,
            last_name,
            full_name,
            company,
            details,
            groups,
            consent,
            fields,
        },
        warnings,
    )
}

/// The row's custom values, each checked by its field's kind
/// ([`super::fields::FieldDef::check`]); a cell that is not a value of its
/// field is a warning and the row is imported without it. Two columns of
/// one field: the first value wins.
fn custom_values(
    cells: &RowCells,
    mapping: &Mapping,
    region: Region,
    warnings: &mut Vec<RowIssue>,
) -> Vec<CustomValue> {
    let mut out: Vec<CustomValue> = Vec::new();
    if cells.custom.is_empty() {
        return out;
    }
    let today = chrono::Utc::now().date_naive();
    for (col, cell, position) in &cells.custom {
        let Some(column) = mapping.columns.get(*position) else {
            continue;
        };
        let Some(def) = &column.custom else {
            continue;
        };
        let read = ReadAs::new(region, DateOrder::parse(&column.label), today);
        match def.check(cell, read) {
            Ok(Some(value)) => {
                if !out.iter().any(|v| v.field.key() == def.name.key()) {
                    out.push(CustomValue {
                        field: def.name.clone(),
                        field_id: def.id,
                        value,
                    });
                }
            }
            Ok(None) => {}
            Err(issue) => warnings.push(RowIssue {
                row: cells.row,
                column: Some(*col),
                kind: RejectReason::InvalidValue,
                message: format!(
                    "{} (the row was imported without it)",
                    issue.message(cell, def)
                ),
            }),
        }
    }
    out
}

fn phone_issue_message(raw: &str, issue: &PhoneIssue, region: Region) -> String {
    if expand_scientific(raw).is_some() {
        return format!(
            "{raw} lost digits in scientific notation: format the column as text in your spreadsheet and type the number again"
        );
    }
    phone_message(raw, issue, region)
}

fn push_detail(
    details: &mut Vec<ImportDetail>,
    kind: DetailKind,
    value: String,
    line: Option<LineType>,
    label: &str,
) {
    let d = ImportDetail {
        kind,
        value,
        label: label.to_string(),
        line,
    };
    if !details
        .iter()
        .any(|e| e.kind == kind && e.match_key() == d.match_key())
    {
        details.push(d);
    }
}

/// At most [`MAX_DETAILS_PER_KIND`] of each kind; the rest are dropped with a warning.
pub(crate) fn cap_details(details: &mut Vec<ImportDetail>, row: u32, warnings: &mut Vec<RowIssue>) {
    for kind in [DetailKind::Phone, DetailKind::Email] {
        let mut seen = 0;
        details.retain(|d| {
            if d.kind != kind {
                return true;
            }
            seen += 1;
            if seen > MAX_DETAILS_PER_KIND {
                warnings.push(RowIssue {
                    row,
                    column: None,
                    kind: match kind {
                        DetailKind::Phone => RejectReason::InvalidPhone,
                        DetailKind::Email => RejectReason::InvalidEmail,
                    },
                    message: format!(
                        "{} dropped: a contact keeps at most {MAX_DETAILS_PER_KIND} of each kind",
                        d.value
                    ),
                });
                return false;
            }
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::import::mapping::auto_map;
    use crate::import::plan::plan;
    use crate::import::table::Table;

    fn gb() -> Region {
        Region::default()
    }

    #[rstest]
    #[case("Ada Lovelace", Some(("Ada", "Lovelace")))]
    #[case("Lovelace, Ada", Some(("Ada", "Lovelace")))]
    #[case("Ada King Lovelace", None)]
    #[case("Dr. Ada Lovelace", None)]
    #[case("Ada", None)]
    #[case("ACME Ltd 2", None)]
    fn full_names_are_split_only_when_safe(
        #[case] full: &str,
        #[case] expected: Option<(&str, &str)>,
    ) {
        assert_eq!(
            split_full_name(full),
            expected.map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }

    #[test]
    fn groups_split_on_google_separator_semicolons_and_commas() {
        assert_eq!(
            split_groups("Friends ::: * myContacts ::: Work; Golf,  Book  club "),
            vec!["Friends", "Work", "Golf", "Book club"]
        );
    }

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table::literal(headers, rows)
    }

    fn run(headers: &[&str], rows: &[&[&str]]) -> ImportPlan {
        let t = table(headers, rows);
        let m = auto_map(&t.headers, &t.rows, t.width, gb());
        plan(&t, &m, gb(), &[])
    }

    #[test]
    fn rows_are_validated_with_reasons_and_row_numbers() {
        let p = run(
            &["Name", "Mobile", "Email"],
            &[
                &["Ada Lovelace", "07400 123456", "ada@example.com"],
                &["Bob", "12", ""],
                &["Cy", "", "nope"],
                &["Dee", "", ""],
                &["Eve", "07400 654321", "bad@"],
            ],
        );
        assert_eq!(p.counts.data_rows, 5);
        assert_eq!(p.counts.valid, 2);
        assert_eq!(p.counts.rejected, 3);
        let r: Vec<(u32, Vec<RejectReason>)> = p
            .rejected
            .iter()
            .map(|r| (r.row, r.reasons.clone()))
            .collect();
        assert_eq!(
            r,
            vec![
                (3, vec![RejectReason::InvalidPhone]),
                (4, vec![RejectReason::InvalidEmail]),
                (5, vec![RejectReason::NoContactDetail]),
            ]
        );
        assert!(
            p.rejected[0].message.contains("12 is not a valid"),
            "{}",
            p.rejected[0].message
        );
        assert_eq!(p.counts.details_dropped, 1);
        assert_eq!(p.warnings[0].row, 6);
        let ada = &p.contacts[0];
        assert_eq!(
            (ada.first_name.as_str(), ada.last_name.as_str()),
            ("Ada", "Lovelace")
        );
        assert_eq!(ada.details[0].label, "mobile");
    }

    /// Cells as other programs leave them: placeholders, control
    /// characters, compatibility characters, slashes that split or not.
    #[rstest]
    #[case::placeholder_phone_is_empty("Ann", "n/a", "ann@example.com", &[], &["mailto:ann@example.com"])]
    #[case::placeholder_alone_means_no_detail("Ann", "N/A", "-", &[RejectReason::NoContactDetail], &[])]
    #[case::excel_na("Ann", "#N/A", "ann@example.com", &[], &["mailto:ann@example.com"])]
    #[case::two_numbers_on_a_slash("Ann", "07400 123456 / 020 7946 0000", "", &[], &["+442079460000", "+447400123456"])]
    #[case::slash_inside_one_number("Ann", "07400/123456", "", &[], &["+447400123456"])]
    #[case::full_width_digits("Ann", "０７４００ １２３４５６", "", &[], &["+447400123456"])]
    #[case::nbsp_and_thin_spaces("Ann", "07400\u{a0}123\u{2009}456", "", &[], &["+447400123456"])]
    #[case::full_width_at("Ann", "", "ann＠example.org", &[], &["mailto:ann@example.org"])]
    #[case::nul_in_phone("Ann", "07400\u{0}123456", "", &[], &["+447400123456"])]
    #[case::nul_in_email("Ann", "", "ann\u{0}@example.org", &[], &["mailto:ann@example.org"])]
    fn messy_cells_read_as_people_meant_them(
        #[case] name: &str,
        #[case] phone: &str,
        #[case] email: &str,
        #[case] reasons: &[RejectReason],
        #[case] details: &[&str],
    ) {
        let p = run(&["Name", "Mobile", "Email"], &[&[name, phone, email]]);
        let got_reasons: Vec<RejectReason> =
            p.rejected.iter().flat_map(|r| r.reasons.clone()).collect();
        assert_eq!(got_reasons, reasons, "{:?}", p.rejected);
        let mut got: Vec<String> = p
            .contacts
            .iter()
            .flat_map(|c| c.details.iter())
            .map(|d| match d.kind {
                DetailKind::Phone => d.value.clone(),
                DetailKind::Email => format!("mailto:{}", d.value),
            })
            .collect();
        got.sort();
        assert_eq!(got, details);
        assert_eq!(p.counts.details_dropped, 0, "{:?}", p.warnings);
    }

    #[test]
    fn control_characters_never_reach_a_contact_or_group() {
        let p = run(
            &["First name", "Last name", "Phone", "Group"],
            &[&[
                "Ad\u{0}a",
                "Love\u{1b}lace",
                "07400 123456",
                "VIP\u{0}; Fr\u{7f}iends",
            ]],
        );
        let c = &p.contacts[0];
        assert_eq!(
            (c.first_name.as_str(), c.last_name.as_str()),
            ("Ada", "Lovelace")
        );
        let groups: Vec<&str> = c.groups.iter().map(GroupName::as_str).collect();
        assert_eq!(groups, ["VIP", "Friends"]);
    }

    #[test]
    fn a_row_names_at_most_fifty_groups() {
        let many = |n: usize| {
            (0..n)
                .map(|i| format!("g{i}"))
                .collect::<Vec<_>>()
                .join(";")
        };
        let (fifty, fifty_one) = (many(MAX_GROUPS_PER_ROW), many(MAX_GROUPS_PER_ROW + 1));
        let same_twice = format!("{fifty};{fifty}");
        let p = run(
            &["Phone", "Group"],
            &[
                &["07400 123456", &fifty],
                &["07400 123457", &fifty_one],
                &["07400 123458", &many(10_000)],
                &["07400 123459", &same_twice],
            ],
        );
        assert_eq!(p.contacts.len(), 2, "{:?}", p.rejected);
        assert_eq!(p.contacts[0].groups.len(), MAX_GROUPS_PER_ROW);
        assert_eq!(
            p.contacts[1].groups.len(),
            MAX_GROUPS_PER_ROW,
            "a name twice is one group"
        );
        assert_eq!(p.rejected.len(), 2);
        for r in &p.rejected {
            assert_eq!(r.reasons, [RejectReason::TooMany]);
            assert!(r.message.contains("at most 50"), "{}", r.message);
        }
    }

    #[test]
    fn duplicate_rows_merge_by_phone_in_another_notation_or_by_email_case() {
        let p = run(
            &["First name", "Last name", "Phone", "E-mail", "Group"],
            &[
                &["Ada", "", "07400 123456", "", "Friends"],
                &["", "Lovelace", "+44 7400 123456", "Ada@Example.com", "Work"],
                &["Bob", "", "", "bob@example.com", ""],
                &["Robert", "Smith", "", "BOB@example.COM", "friends"],
            ],
        );
        assert_eq!(p.counts.valid, 4);
        assert_eq!(p.counts.duplicates_merged, 2);
        assert_eq!(p.contacts.len(), 2);
        let ada = &p.contacts[0];
        assert_eq!(ada.rows, vec![2, 3]);
        assert_eq!(
            (ada.first_name.as_str(), ada.last_name.as_str()),
            ("Ada", "Lovelace")
        );
        assert_eq!(ada.details.len(), 2);
        assert_eq!(ada.groups, vec!["Friends", "Work"]);
        let bob = &p.contacts[1];
        assert_eq!(
            (bob.first_name.as_str(), bob.last_name.as_str()),
            ("Bob", "Smith")
        );
        assert_eq!(bob.groups, vec!["friends"]);
    }

    #[test]
    fn a_too_long_name_rejects_the_row() {
        let long = "x".repeat(MAX_NAME_LEN + 1);
        let p = run(&["First name", "Phone"], &[&[&long, "07400 123456"]]);
        assert_eq!(p.rejected[0].reasons, vec![RejectReason::TooLong]);
    }

    #[test]
    fn several_values_in_one_cell_are_all_kept() {
        let p = run(
            &["Phone 1 - Value", "E-mail 1 - Value"],
            &[&[
                "07400 123456 ::: 07400 654321",
                "a@example.com; b@example.com",
            ]],
        );
        assert_eq!(p.contacts[0].details.len(), 4);
    }

    #[test]
    fn an_unsplittable_full_name_is_kept_whole() {
        let p = run(
            &["Full name", "Phone"],
            &[&["Ada King Lovelace", "07400 123456"]],
        );
        let c = &p.contacts[0];
        assert_eq!(c.full_name.as_deref(), Some("Ada King Lovelace"));
        assert_eq!(c.stored_first_name(), "Ada King Lovelace");
    }

    #[test]
    fn consent_dates_date_the_consent_or_give_it_and_bad_ones_are_warnings() {
        use crate::import::consent::SmsStatus;
        let p = run(
            &["Mobile", "SMS consent", "Consent date"],
            &[
                &["07400 000001", "yes", "13/02/2024"],
                // GB: day first.
                &["07400 000002", "oui", "03/04/2024"],
                &["07400 000003", "STOP", "2099-01-01"],
                &["07400 000004", "", "soon"],
                // A date alone is no consent; an unreadable cell gives none.
                &["07400 000005", "", "01/02/2024"],
                &["07400 000006", "maybe", "01/02/2024"],
            ],
        );
        let consent = |i: usize| p.contacts[i].consent.clone();
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            consent(0).map(|c| (c.status, c.date)),
            Some((SmsStatus::OptedIn, date(2024, 2, 13)))
        );
        assert_eq!(
            consent(1).map(|c| (c.status, c.date)),
            Some((SmsStatus::OptedIn, date(2024, 4, 3)))
        );
        assert_eq!(
            consent(2).map(|c| (c.status, c.date)),
            Some((SmsStatus::OptedOut, None))
        );
        assert_eq!(consent(3), None);
        assert_eq!(consent(4), None);
        assert_eq!(consent(5), None);
        let warned: Vec<(u32, Option<usize>)> =
            p.warnings.iter().map(|w| (w.row, w.column)).collect();
        assert_eq!(
            warned,
            [
                (4, Some(2)),
                (5, Some(2)),
                (6, Some(2)),
                (7, Some(1)),
                (7, Some(2))
            ]
        );
        // Ignored values, not dropped details.
        assert_eq!((p.counts.details_dropped, p.counts.values_ignored), (0, 5));
        assert!(
            p.warnings[0].message.contains("in the future"),
            "{}",
            p.warnings[0].message
        );
        assert_eq!(p.rejected.len(), 0);
    }

    #[test]
    fn a_date_column_s_values_decide_its_order_over_the_region() {
        // In a UK account, "02/13/2024" makes the column month first.
        let t = Table::literal(
            &["Mobile", "Opt-in", "Opt-in date"],
            &[
                &["07400 000001", "yes", "02/13/2024"],
                &["07400 000002", "yes", "03/04/2024"],
            ],
        );
        let m = auto_map(&t.headers, &t.rows, t.width, gb());
        assert_eq!(m.columns[2].field, Some(Field::ConsentDate));
        assert_eq!(m.columns[2].label, "month_first");
        let p = plan(&t, &m, gb(), &[]);
        assert_eq!(
            p.contacts[1].consent.as_ref().and_then(|c| c.date),
            chrono::NaiveDate::from_ymd_opt(2024, 3, 4)
        );
    }
}
