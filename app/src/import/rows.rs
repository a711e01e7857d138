//! From mapped rows to contacts: every row is validated with the same rules
//! as the contact form, rows sharing a phone or e-mail merge into one
//! contact, and every refused row gets its reasons with the row number the
//! user sees.
//!
//! A row is imported when it has at least one valid phone or e-mail; its
//! invalid extra details are dropped and reported as warnings.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::contact::{
    clean_label, clean_name, email_message, phone_message, MAX_DETAILS_PER_KIND, MAX_NAME_LEN,
};
use super::mapping::{Field, Mapping};
use super::read::GridRow;
use super::table::Table;
use super::validate::{
    match_key, normalize_email, normalize_phone, DetailKind, PhoneIssue, Region,
};

/// Longest group name.
pub const MAX_GROUP_NAME: usize = 100;
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
    /// Its details belong to two different existing contacts.
    Conflict,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::NoContactDetail => "no_contact_detail",
            RejectReason::InvalidPhone => "invalid_phone",
            RejectReason::InvalidEmail => "invalid_email",
            RejectReason::TooLong => "too_long",
            RejectReason::Conflict => "conflict",
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
    pub groups: Vec<String>,
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

/// Normalises a phone as a spreadsheet may have mangled it: a number that
/// lost its leading `0` or `+` (a numeric cell), or one written in scientific
/// notation whose digits are all present (`4.47911123456E+11`). A repair is
/// kept only when it gives a valid number.
pub fn lenient_phone(raw: &str, region: Region) -> Result<String, PhoneIssue> {
    let raw = raw.trim();
    let first = normalize_phone(raw, region);
    if first.is_ok() {
        return first;
    }
    let digits = match expand_scientific(raw) {
        Some(Ok(d)) => d,
        Some(Err(())) => return Err(PhoneIssue::NotANumber),
        None if raw.len() >= 7 && raw.chars().all(|c| c.is_ascii_digit()) => raw.to_string(),
        None => return first,
    };
    for candidate in [digits.clone(), format!("+{digits}"), format!("0{digits}")] {
        if candidate.starts_with("+") && digits.len() < 10 {
            continue;
        }
        if let Ok(n) = normalize_phone(&candidate, region) {
            return Ok(n);
        }
    }
    first
}

/// `4.47911123456E+11` → `Some(Ok("447911123456"))`; `4.47912E+11` (digits
/// lost) → `Some(Err(()))`; anything else → `None`.
fn expand_scientific(raw: &str) -> Option<Result<String, ()>> {
    let (mantissa, exponent) = raw.split_once(['e', 'E'])?;
    let exponent: usize = exponent
        .strip_prefix('+')
        .unwrap_or(exponent)
        .parse()
        .ok()?;
    let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || exponent > 20
    {
        return None;
    }
    // Fewer decimals than the exponent: the trailing digits were rounded
    // away (Excel shows 4.47E+11); more: not an integer. Either way the
    // number is lost.
    if frac.len() != exponent {
        return Some(Err(()));
    }
    Some(Ok(format!("{int}{frac}")))
}

/// Phone verdicts by (region, text as written). Parsing a number is most
/// of the cost of validating a row (measured: 1.2 s of 1.6 s for 100,000
/// rows, native release), and the wizard revalidates every row after each
/// mapping change: with the verdicts kept, only cells never seen are parsed.
#[derive(Debug, Default)]
pub struct PhoneCache {
    verdicts: HashMap<Region, HashMap<String, Result<String, PhoneIssue>>>,
    len: usize,
}

impl PhoneCache {
    /// Verdicts kept at most; past this the cache starts over (memory stays
    /// bounded whatever the file).
    pub const CAPACITY: usize = 1_000_000;

    /// [`lenient_phone`], remembered.
    pub fn lenient_phone(&mut self, raw: &str, region: Region) -> Result<String, PhoneIssue> {
        if let Some(v) = self.verdicts.get(&region).and_then(|m| m.get(raw)) {
            return v.clone();
        }
        let v = lenient_phone(raw, region);
        if self.len >= Self::CAPACITY {
            self.verdicts.clear();
            self.len = 0;
        }
        self.verdicts
            .entry(region)
            .or_default()
            .insert(raw.to_string(), v.clone());
        self.len += 1;
        v
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
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
            DetailKind::Phone => p.split([';', '\n', '/']).map(str::to_string).collect(),
        })
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
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
    for c in &mapping.columns {
        let cell = row.cell(c.index);
        if cell.is_empty() {
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
pub fn validate_row(cells: &RowCells, region: Region) -> RowVerdict {
    validate_row_cached(cells, region, &mut PhoneCache::default())
}

/// [`validate_row`] with phone verdicts kept in `cache`.
pub fn validate_row_cached(cells: &RowCells, region: Region, cache: &mut PhoneCache) -> RowVerdict {
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
    let mut groups: Vec<String> = Vec::new();
    for (col, cell) in &cells.groups {
        for g in split_groups(cell) {
            if g.chars().count() > MAX_GROUP_NAME {
                issues.push(RowIssue {
                    row,
                    column: Some(*col),
                    kind: RejectReason::TooLong,
                    message: format!("a group name is longer than {MAX_GROUP_NAME} characters"),
                });
            } else if !groups.iter().any(|x| x.to_lowercase() == g.to_lowercase()) {
                groups.push(g);
            }
        }
    }

    let mut details: Vec<ImportDetail> = Vec::new();
    let mut bad_details: Vec<RowIssue> = Vec::new();
    for (col, raw, label) in &cells.phones {
        let result = if raw.chars().count() > MAX_PHONE_INPUT {
            Err(RowIssue {
                row,
                column: Some(*col),
                kind: RejectReason::TooLong,
                message: format!("a phone number is longer than {MAX_PHONE_INPUT} characters"),
            })
        } else {
            cache.lenient_phone(raw, region).map_err(|issue| RowIssue {
                row,
                column: Some(*col),
                kind: RejectReason::InvalidPhone,
                message: phone_issue_message(raw, &issue, region),
            })
        };
        match result {
            Ok(value) => push_detail(&mut details, DetailKind::Phone, value, label),
            Err(i) => bad_details.push(i),
        }
    }
    for (col, raw, label) in &cells.emails {
        let result = if raw.chars().count() > MAX_EMAIL_INPUT {
            Err(RowIssue {
                row,
                column: Some(*col),
                kind: RejectReason::TooLong,
                message: format!("an e-mail address is longer than {MAX_EMAIL_INPUT} characters"),
            })
        } else {
            normalize_email(raw).map_err(|issue| RowIssue {
                row,
                column: Some(*col),
                kind: RejectReason::InvalidEmail,
                message: email_message(raw, &issue),
            })
        };
        match result {
            Ok(value) => push_detail(&mut details, DetailKind::Email, value, label),
            Err(i) => bad_details.push(i),
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
    RowVerdict::Contact(
        ImportContact {
            rows: vec![row],
            first_name,
            last_name,
            full_name,
            company,
            details,
            groups,
        },
        warnings,
    )
}

fn phone_issue_message(raw: &str, issue: &PhoneIssue, region: Region) -> String {
    if expand_scientific(raw).is_some() {
        return format!(
            "{raw} lost digits in scientific notation: format the column as text in your spreadsheet and type the number again"
        );
    }
    phone_message(raw, issue, region)
}

fn push_detail(details: &mut Vec<ImportDetail>, kind: DetailKind, value: String, label: &str) {
    let d = ImportDetail {
        kind,
        value,
        label: label.to_string(),
    };
    if !details
        .iter()
        .any(|e| e.kind == kind && e.match_key() == d.match_key())
    {
        details.push(d);
    }
}

/// At most [`MAX_DETAILS_PER_KIND`] of each kind; the rest are dropped with a warning.
fn cap_details(details: &mut Vec<ImportDetail>, row: u32, warnings: &mut Vec<RowIssue>) {
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

/// Validates every data row of `table` under `mapping`, merges in-file
/// duplicates, and adds `extra_groups` (the wizard's or `--group`'s choice)
/// to every contact.
pub fn plan(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    extra_groups: &[String],
) -> ImportPlan {
    plan_cached(
        table,
        mapping,
        region,
        extra_groups,
        &mut PhoneCache::default(),
    )
}

/// [`plan`] with phone verdicts kept in `cache` (the wizard keeps one for
/// as long as the file is open).
pub fn plan_cached(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    extra_groups: &[String],
    cache: &mut PhoneCache,
) -> ImportPlan {
    plan_with_progress(table, mapping, region, extra_groups, cache, &mut |_| {})
}

/// Rows between two calls of a plan's progress callback.
pub const PROGRESS_ROWS: usize = 10_000;

/// [`plan_cached`] that calls `progress` with the rows validated so far
/// every [`PROGRESS_ROWS`] rows (for the wizard's "Checking… 40%").
pub fn plan_with_progress(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    extra_groups: &[String],
    cache: &mut PhoneCache,
    progress: &mut dyn FnMut(usize),
) -> ImportPlan {
    let mut contacts: Vec<ImportContact> = Vec::new();
    let mut rejected = Vec::new();
    let mut warnings = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        if i > 0 && i % PROGRESS_ROWS == 0 {
            progress(i);
        }
        match validate_row_cached(&gather(row, mapping), region, cache) {
            RowVerdict::Contact(c, w) => {
                contacts.push(c);
                warnings.extend(w);
            }
            RowVerdict::Rejected(r) => rejected.push(r),
        }
    }
    let valid = contacts.len();
    let mut merged = merge_duplicates(contacts, &mut warnings);
    for c in &mut merged {
        for g in extra_groups {
            if !c
                .groups
                .iter()
                .any(|x| x.to_lowercase() == g.to_lowercase())
            {
                c.groups.push(g.clone());
            }
        }
    }
    let counts = PlanCounts {
        data_rows: table.rows.len(),
        valid,
        rejected: rejected.len(),
        duplicates_merged: valid - merged.len(),
        details_dropped: warnings.len(),
    };
    ImportPlan {
        contacts: merged,
        rejected,
        warnings,
        counts,
    }
}

/// Rows sharing a normalised phone or e-mail become one contact: details
/// united in order, the first non-empty name kept and later rows filling
/// gaps, groups united.
pub fn merge_duplicates(
    contacts: Vec<ImportContact>,
    warnings: &mut Vec<RowIssue>,
) -> Vec<ImportContact> {
    let n = contacts.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<(DetailKind, String), usize> = HashMap::new();
    for (i, c) in contacts.iter().enumerate() {
        for d in &c.details {
            match owner.get(&(d.kind, d.match_key())) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    // The earlier row is the root, so merged contacts keep file order.
                    let (lo, hi) = (a.min(b), a.max(b));
                    parent[hi] = lo;
                }
                None => {
                    owner.insert((d.kind, d.match_key()), i);
                }
            }
        }
    }
    let mut out: Vec<ImportContact> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for (i, c) in contacts.into_iter().enumerate() {
        let root = find(&mut parent, i);
        match slot.get(&root) {
            None => {
                slot.insert(root, out.len());
                out.push(c);
            }
            Some(&k) => merge_into(&mut out[k], c),
        }
    }
    for c in &mut out {
        let row = c.rows[0];
        cap_details(&mut c.details, row, warnings);
    }
    out
}

fn merge_into(into: &mut ImportContact, from: ImportContact) {
    into.rows.extend(from.rows);
    into.rows.sort_unstable();
    let has_name = |c: &ImportContact| {
        !c.first_name.is_empty() || !c.last_name.is_empty() || c.full_name.is_some()
    };
    if !has_name(into) {
        into.first_name = from.first_name;
        into.last_name = from.last_name;
        into.full_name = from.full_name;
    } else if into.full_name.is_none() {
        if into.first_name.is_empty() {
            into.first_name = from.first_name;
        }
        if into.last_name.is_empty() {
            into.last_name = from.last_name;
        }
    }
    if into.company.is_empty() {
        into.company = from.company;
    }
    for d in from.details {
        if !into
            .details
            .iter()
            .any(|e| e.kind == d.kind && e.match_key() == d.match_key())
        {
            into.details.push(d);
        }
    }
    for g in from.groups {
        if !into
            .groups
            .iter()
            .any(|x| x.to_lowercase() == g.to_lowercase())
        {
            into.groups.push(g);
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::import::mapping::auto_map;

    #[test]
    fn the_phone_cache_gives_the_same_verdicts_and_parses_each_text_once() {
        let mut cache = PhoneCache::default();
        let fr: Region = "FR".parse().unwrap();
        for raw in ["07400 123456", "12", "06 12 34 56 78", "07400 123456"] {
            assert_eq!(
                cache.lenient_phone(raw, gb()),
                lenient_phone(raw, gb()),
                "{raw}"
            );
        }
        assert_eq!(cache.len(), 3);
        // The region is part of the key.
        assert_eq!(
            cache.lenient_phone("06 12 34 56 78", fr),
            Ok("+33612345678".to_string())
        );
        assert_eq!(cache.len(), 4);
    }

    fn gb() -> Region {
        Region::default()
    }

    #[rstest]
    #[case::plain("07400 123456", Ok("+447400123456"))]
    #[case::lost_leading_zero("7400123456", Ok("+447400123456"))]
    #[case::lost_plus("447400123456", Ok("+447400123456"))]
    #[case::scientific_complete("4.47400123456E+11", Ok("+447400123456"))]
    #[case::scientific_lost_digits("4.47400E+11", Err(PhoneIssue::NotANumber))]
    #[case::junk("call me", Err(PhoneIssue::NotANumber))]
    #[case::short("12345", Err(PhoneIssue::NotValid))]
    fn spreadsheet_mangled_phones_are_recovered_only_when_valid(
        #[case] raw: &str,
        #[case] expected: Result<&str, PhoneIssue>,
    ) {
        assert_eq!(
            lenient_phone(raw, gb()),
            expected.map(String::from),
            "{raw}"
        );
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
        Table {
            header_row: Some(1),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| GridRow::new(i as u32 + 2, r.iter()))
                .collect(),
            width: headers.len(),
        }
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
}
