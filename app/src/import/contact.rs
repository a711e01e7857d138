//! A whole contact as typed into the form (or, later, mapped from a row), and
//! the rule that turns it into something the store may keep: trimmed names
//! within length limits, normalised details, at least one valid phone or e-mail.
//!
//! Validation reports every issue of the draft, not just the first.

use serde::{Deserialize, Serialize};

use super::consent::SmsStatus;
use super::fields::{FieldDef, FieldValue, ReadAs};

use super::numbering::LineType;
use super::text::{has_controls, strip_controls};
use super::validate::{
    classify_phone, match_key, normalize_email, DetailKind, EmailIssue, PhoneIssue, Region,
};

/// Longest first name, last name or company we keep.
pub const MAX_NAME_LEN: usize = 200;
/// Longest label (`mobile`, `work`…).
pub const MAX_LABEL_LEN: usize = 40;
/// Most phones, or e-mails, one contact may carry.
pub const MAX_DETAILS_PER_KIND: usize = 20;

/// One phone or e-mail as typed, with its label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailDraft {
    pub value: String,
    pub label: String,
}

impl DetailDraft {
    pub fn new(value: &str, label: &str) -> Self {
        DetailDraft {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// A contact as the user typed it. Blank detail rows are allowed and ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDraft {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phones: Vec<DetailDraft>,
    pub emails: Vec<DetailDraft>,
    pub group_ids: Vec<i64>,
    /// Add Single Contact's SMS status (an existing contact's is changed on
    /// its own: `Store::set_sms_status`).
    #[serde(default)]
    pub sms_status: SmsStatus,
    /// Custom fields' values as typed, by field id (a blank one clears it).
    #[serde(default)]
    pub fields: Vec<FieldDraft>,
}

/// A custom field's value as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDraft {
    pub field_id: i64,
    pub value: String,
}

/// Where an issue is, so the form can show it next to the right field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "index", rename_all = "snake_case")]
pub enum FieldPath {
    FirstName,
    LastName,
    Company,
    Phone(usize),
    Email(usize),
    /// A custom field, by id.
    Custom(i64),
    /// The contact as a whole (e.g. no contact detail at all).
    Contact,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    InvalidPhone(PhoneIssue),
    InvalidEmail(EmailIssue),
    TooLong,
    TooMany,
    /// A control character (NUL, escape…), which no stored text keeps.
    ControlCharacter,
    NoContactDetail,
    /// The same phone or e-mail twice in one contact.
    Repeated,
    /// A custom field's value that is not one of its kind.
    InvalidValue,
    /// The detail already belongs to another contact of the account.
    Taken {
        contact_id: i64,
        contact_name: String,
    },
}

/// One problem with a draft, with a message that says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIssue {
    pub field: FieldPath,
    pub kind: IssueKind,
    pub message: String,
}

/// A normalised detail, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidDetail {
    pub kind: DetailKind,
    /// E.164 for phones, e-mail with its domain lower-cased.
    pub value: String,
    pub label: String,
    pub is_primary: bool,
    /// Index in the draft's list of that kind, to point issues back at the field.
    pub index: usize,
    /// A phone's line type (mobile, landline…); `None` for an e-mail.
    #[serde(default)]
    pub line: Option<LineType>,
}

impl ValidDetail {
    /// See [`match_key`].
    pub fn match_key(&self) -> String {
        match_key(self.kind, &self.value)
    }
}

/// A contact that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidContact {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub details: Vec<ValidDetail>,
    pub group_ids: Vec<i64>,
    pub sms_status: SmsStatus,
    /// Custom values to set (`Some`) or clear (`None`), by field id.
    #[serde(default)]
    pub fields: Vec<(i64, Option<FieldValue>)>,
}

/// [`validate_contact`] and its custom fields' values, each checked by its
/// field's kind (`fields`: the account's, by id); a value for a field the
/// account lacks is refused.
pub fn validate_contact_with(
    draft: &ContactDraft,
    region: Region,
    fields: &[(i64, FieldDef)],
) -> Result<ValidContact, Vec<FieldIssue>> {
    let mut values = Vec::new();
    let mut issues = Vec::new();
    if draft.fields.len() > super::fields::MAX_FIELDS {
        issues.push(FieldIssue {
            field: FieldPath::Contact,
            kind: IssueKind::TooMany,
            message: format!(
                "a contact has at most {} custom fields",
                super::fields::MAX_FIELDS
            ),
        });
        return Err(issues);
    }
    let read = ReadAs::new(region, None, super::fields::today());
    for d in &draft.fields {
        let Some((_, def)) = fields.iter().find(|(id, _)| *id == d.field_id) else {
            issues.push(FieldIssue {
                field: FieldPath::Custom(d.field_id),
                kind: IssueKind::InvalidValue,
                message: "this field no longer exists: reload the page".into(),
            });
            continue;
        };
        if values.iter().any(|(id, _)| *id == d.field_id) {
            continue;
        }
        match def.check(&d.value, read) {
            Ok(v) => values.push((d.field_id, v)),
            Err(issue) => issues.push(FieldIssue {
                field: FieldPath::Custom(d.field_id),
                kind: IssueKind::InvalidValue,
                message: issue.message(d.value.trim(), def),
            }),
        }
    }
    match validate_contact(draft, region) {
        Ok(mut valid) if issues.is_empty() => {
            valid.fields = values;
            Ok(valid)
        }
        Ok(_) => Err(issues),
        Err(mut more) => {
            more.extend(issues);
            Err(more)
        }
    }
}

/// Checks every field of `draft`; on success the contact is normalised and
/// holds at least one valid phone or e-mail.
pub fn validate_contact(
    draft: &ContactDraft,
    region: Region,
) -> Result<ValidContact, Vec<FieldIssue>> {
    let mut issues = Vec::new();
    let first_name = name_field(
        &draft.first_name,
        FieldPath::FirstName,
        "First name",
        &mut issues,
    );
    let last_name = name_field(
        &draft.last_name,
        FieldPath::LastName,
        "Last name",
        &mut issues,
    );
    let company = name_field(&draft.company, FieldPath::Company, "Company", &mut issues);

    let mut details = Vec::new();
    for (index, d) in draft.phones.iter().enumerate() {
        if d.value.trim().is_empty() {
            continue;
        }
        match classify_phone(&d.value, region) {
            Ok((value, line)) => {
                let mut phone = detail(DetailKind::Phone, value, &d.label, index);
                phone.line = Some(line);
                details.push(phone);
            }
            Err(issue) => issues.push(FieldIssue {
                field: FieldPath::Phone(index),
                message: phone_message(d.value.trim(), &issue, region),
                kind: IssueKind::InvalidPhone(issue),
            }),
        }
    }
    for (index, d) in draft.emails.iter().enumerate() {
        if d.value.trim().is_empty() {
            continue;
        }
        match normalize_email(&d.value) {
            Ok(value) => details.push(detail(DetailKind::Email, value, &d.label, index)),
            Err(issue) => issues.push(FieldIssue {
                field: FieldPath::Email(index),
                message: email_message(d.value.trim(), &issue),
                kind: IssueKind::InvalidEmail(issue),
            }),
        }
    }
    check_counts(draft, &mut issues);
    check_repeats(&details, &mut issues);

    if details.is_empty()
        && !issues
            .iter()
            .any(|i| matches!(i.field, FieldPath::Phone(_) | FieldPath::Email(_)))
    {
        issues.push(FieldIssue {
            field: FieldPath::Contact,
            kind: IssueKind::NoContactDetail,
            message: "needs at least one valid phone or e-mail".into(),
        });
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    mark_primaries(&mut details);
    let mut group_ids = draft.group_ids.clone();
    group_ids.sort_unstable();
    group_ids.dedup();
    Ok(ValidContact {
        first_name,
        last_name,
        company,
        details,
        group_ids,
        sms_status: draft.sms_status,
        fields: Vec::new(),
    })
}

/// The message for a refused phone number.
pub fn phone_message(raw: &str, issue: &PhoneIssue, region: Region) -> String {
    match issue {
        PhoneIssue::Empty => "enter a phone number".into(),
        PhoneIssue::NotANumber => format!("{raw} is not a phone number"),
        PhoneIssue::NotValid => format!("{raw} is not a valid mobile or landline for {region}"),
    }
}

/// The message for a refused e-mail address.
pub fn email_message(raw: &str, issue: &EmailIssue) -> String {
    let why = match issue {
        EmailIssue::Empty => return "enter an e-mail address".into(),
        EmailIssue::MissingAt => "it has no @",
        EmailIssue::SeveralAt => "it has more than one @",
        EmailIssue::TooLong => "it is too long",
        EmailIssue::BadLocalPart => "the part before the @ is not valid",
        EmailIssue::BadDomain => "the domain after the @ is not valid",
    };
    format!("{raw} is not a valid e-mail address: {why}")
}

/// A name as stored: trimmed, inner runs of whitespace made one space.
pub fn clean_name(raw: &str) -> String {
    strip_controls(raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn name_field(raw: &str, field: FieldPath, what: &str, issues: &mut Vec<FieldIssue>) -> String {
    if has_controls(raw) {
        issues.push(FieldIssue {
            field,
            kind: IssueKind::ControlCharacter,
            message: format!(
                "{what} holds an invisible control character (pasted from another program?): retype it"
            ),
        });
    }
    let value = clean_name(raw);
    if value.chars().count() > MAX_NAME_LEN {
        issues.push(FieldIssue {
            field,
            kind: IssueKind::TooLong,
            message: format!("{what} is too long: keep it under {MAX_NAME_LEN} characters"),
        });
    }
    value
}

/// A detail label as stored: trimmed, lower-case, at most [`MAX_LABEL_LEN`]
/// characters.
pub fn clean_label(raw: &str) -> String {
    strip_controls(raw)
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_LABEL_LEN)
        .collect()
}

fn detail(kind: DetailKind, value: String, label: &str, index: usize) -> ValidDetail {
    ValidDetail {
        kind,
        value,
        label: clean_label(label),
        is_primary: false,
        index,
        line: None,
    }
}

fn check_counts(draft: &ContactDraft, issues: &mut Vec<FieldIssue>) {
    for (n, field, what) in [
        (
            draft.phones.len(),
            FieldPath::Phone(MAX_DETAILS_PER_KIND),
            "phone numbers",
        ),
        (
            draft.emails.len(),
            FieldPath::Email(MAX_DETAILS_PER_KIND),
            "e-mail addresses",
        ),
    ] {
        if n > MAX_DETAILS_PER_KIND {
            issues.push(FieldIssue {
                field,
                kind: IssueKind::TooMany,
                message: format!("a contact can have at most {MAX_DETAILS_PER_KIND} {what}"),
            });
        }
    }
}

fn check_repeats(details: &[ValidDetail], issues: &mut Vec<FieldIssue>) {
    for (i, d) in details.iter().enumerate() {
        if details[..i]
            .iter()
            .any(|e| e.kind == d.kind && e.match_key() == d.match_key())
        {
            let field = match d.kind {
                DetailKind::Phone => FieldPath::Phone(d.index),
                DetailKind::Email => FieldPath::Email(d.index),
            };
            issues.push(FieldIssue {
                field,
                kind: IssueKind::Repeated,
                message: format!("{} is already listed above", d.value),
            });
        }
    }
}

/// The first detail of each kind is the primary one.
fn mark_primaries(details: &mut [ValidDetail]) {
    for kind in [DetailKind::Phone, DetailKind::Email] {
        if let Some(d) = details.iter_mut().find(|d| d.kind == kind) {
            d.is_primary = true;
        }
    }
}

/// "First Last", else the company; `None` when all three are empty.
pub fn display_name(first: &str, last: &str, company: &str) -> Option<String> {
    let name = format!("{first} {last}").trim().to_string();
    if !name.is_empty() {
        Some(name)
    } else if !company.is_empty() {
        Some(company.to_string())
    } else {
        None
    }
}

/// The columns derived from a contact's names: its sort key (the display
/// name, else its first detail) and the text name search looks in.
pub fn derived_columns(
    first: &str,
    last: &str,
    company: &str,
    first_detail: Option<&str>,
) -> (String, String) {
    let sort_name = display_name(first, last, company)
        .or_else(|| first_detail.map(str::to_string))
        .unwrap_or_default()
        .to_lowercase();
    let search_text = format!("{first} {last} {company}").trim().to_lowercase();
    (sort_name, search_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb() -> Region {
        Region::default()
    }

    fn draft(phones: &[&str], emails: &[&str]) -> ContactDraft {
        ContactDraft {
            first_name: "  Ada ".into(),
            last_name: "Lovelace".into(),
            phones: phones
                .iter()
                .map(|p| DetailDraft::new(p, "Mobile"))
                .collect(),
            emails: emails.iter().map(|e| DetailDraft::new(e, "work")).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_contact_with_one_valid_phone_is_accepted_and_normalised() {
        let c = validate_contact(&draft(&["07911 123123"], &[]), gb()).unwrap();
        assert_eq!(c.first_name, "Ada");
        assert_eq!(c.details.len(), 1);
        assert_eq!(c.details[0].value, "+447911123123");
        assert_eq!(c.details[0].label, "mobile");
        assert!(c.details[0].is_primary);
    }

    #[test]
    fn blank_detail_rows_are_ignored() {
        let c = validate_contact(&draft(&["", "  "], &["ada@example.com", ""]), gb()).unwrap();
        assert_eq!(c.details.len(), 1);
        assert_eq!(c.details[0].kind, DetailKind::Email);
    }

    #[test]
    fn a_contact_without_details_needs_one() {
        let issues = validate_contact(&draft(&[], &[]), gb()).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, FieldPath::Contact);
        assert_eq!(issues[0].kind, IssueKind::NoContactDetail);
        assert_eq!(
            issues[0].message,
            "needs at least one valid phone or e-mail"
        );
    }

    #[test]
    fn every_invalid_field_is_reported_with_its_position() {
        let mut d = draft(&["07911 123123", "12"], &["nope", "ok@example.com"]);
        d.company = "x".repeat(MAX_NAME_LEN + 1);
        let issues = validate_contact(&d, gb()).unwrap_err();
        let fields: Vec<FieldPath> = issues.iter().map(|i| i.field).collect();
        assert_eq!(
            fields,
            vec![FieldPath::Company, FieldPath::Phone(1), FieldPath::Email(0)]
        );
        assert!(
            issues[1].message.starts_with("12 is not a"),
            "{}",
            issues[1].message
        );
        assert_eq!(
            issues[2].message,
            "nope is not a valid e-mail address: it has no @"
        );
    }

    #[test]
    fn only_invalid_details_report_those_not_a_missing_detail() {
        let issues = validate_contact(&draft(&["abc1"], &[]), gb()).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, FieldPath::Phone(0));
    }

    #[test]
    fn the_same_number_twice_in_other_notations_is_a_repeat() {
        let issues =
            validate_contact(&draft(&["07911 123123", "+44 7911 123123"], &[]), gb()).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, FieldPath::Phone(1));
        assert_eq!(issues[0].kind, IssueKind::Repeated);
    }

    #[test]
    fn e_mails_differing_only_in_case_are_one_address() {
        let issues = validate_contact(&draft(&[], &["Ada@Example.com", "ada@example.COM"]), gb())
            .unwrap_err();
        assert_eq!(issues[0].kind, IssueKind::Repeated);
        let c = validate_contact(&draft(&[], &["Ada@Example.com"]), gb()).unwrap();
        assert_eq!(
            (
                c.details[0].value.as_str(),
                c.details[0].match_key().as_str()
            ),
            ("Ada@example.com", "ada@example.com")
        );
    }

    #[test]
    fn too_many_details_are_refused() {
        let phones: Vec<String> = (0..=MAX_DETAILS_PER_KIND)
            .map(|i| format!("07911 1231{i:02}"))
            .collect();
        let refs: Vec<&str> = phones.iter().map(String::as_str).collect();
        let issues = validate_contact(&draft(&refs, &[]), gb()).unwrap_err();
        assert!(issues.iter().any(|i| i.kind == IssueKind::TooMany));
    }

    #[test]
    fn names_collapse_inner_whitespace() {
        let mut d = draft(&["07911 123123"], &[]);
        d.last_name = " de   la  Cruz ".into();
        assert_eq!(validate_contact(&d, gb()).unwrap().last_name, "de la Cruz");
    }

    #[test]
    fn a_control_character_in_a_name_is_refused_with_its_field() {
        let mut d = draft(&["07911 123123"], &[]);
        d.first_name = "Ad\u{0}a".into();
        d.company = "Acme\u{1b}".into();
        let issues = validate_contact(&d, gb()).unwrap_err();
        let fields: Vec<FieldPath> = issues
            .iter()
            .filter(|i| i.kind == IssueKind::ControlCharacter)
            .map(|i| i.field)
            .collect();
        assert_eq!(fields, [FieldPath::FirstName, FieldPath::Company]);
        assert!(
            issues[0].message.contains("retype"),
            "{}",
            issues[0].message
        );
        // Tabs and line breaks are whitespace, not controls to refuse.
        d.first_name = "Ada\tMarie".into();
        d.company = String::new();
        assert_eq!(validate_contact(&d, gb()).unwrap().first_name, "Ada Marie");
    }

    #[test]
    fn full_width_digits_and_odd_spaces_are_a_number() {
        let d = draft(&["０７９１１\u{a0}１２３１２３"], &["ada＠example.org"]);
        let c = validate_contact(&d, gb()).unwrap();
        let values: Vec<&str> = c.details.iter().map(|d| d.value.as_str()).collect();
        assert_eq!(values, ["+447911123123", "ada@example.org"]);
    }

    #[test]
    fn custom_values_are_checked_by_their_field_and_a_blank_one_clears() {
        use crate::import::fields::{FieldDef, FieldKind, FieldName};
        let defs = vec![
            (
                7,
                FieldDef {
                    name: FieldName::parse("Spend").unwrap(),
                    kind: FieldKind::Number,
                    choices: vec![],
                    id: None,
                },
            ),
            (
                8,
                FieldDef {
                    name: FieldName::parse("City").unwrap(),
                    kind: FieldKind::Text,
                    choices: vec![],
                    id: None,
                },
            ),
        ];
        let field = |id, v: &str| FieldDraft {
            field_id: id,
            value: v.into(),
        };
        let mut d = draft(&["07911 123123"], &[]);
        d.fields = vec![field(7, "1,200.50"), field(8, "  ")];
        let c = validate_contact_with(&d, gb(), &defs).unwrap();
        let values: Vec<(i64, Option<&str>)> = c
            .fields
            .iter()
            .map(|(id, v)| (*id, v.as_ref().map(|v| v.as_str())))
            .collect();
        assert_eq!(values, [(7, Some("1200.5")), (8, None)]);
        // Not a number, and a field the account does not have: both said,
        // with the other issues of the form.
        d.fields = vec![field(7, "lots"), field(99, "x")];
        d.phones.clear();
        let issues = validate_contact_with(&d, gb(), &defs).unwrap_err();
        let paths: Vec<FieldPath> = issues.iter().map(|i| i.field).collect();
        assert_eq!(
            paths,
            [
                FieldPath::Contact,
                FieldPath::Custom(7),
                FieldPath::Custom(99)
            ]
        );
        assert!(issues[1].message.contains("Spend"), "{}", issues[1].message);
    }
}
