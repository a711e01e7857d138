//! Custom fields: what an account keeps about its contacts beyond names,
//! numbers and e-mails (city, birthday, customer id, plan…). One rule for
//! the Settings page, the mapping stage's "New field…", the value checks
//! of the wizard's preview and of the server, the contact form, the list's
//! filter and the command line's `--create-fields`.
//!
//! * A field has a [`FieldName`] (unique per account, whatever its case:
//!   its [`FieldName::key`]) and a [`FieldKind`]: text, number, date,
//!   yes/no or one of a list (its choices).
//! * [`FieldDef::check`] reads a cell as the field's kind and gives the
//!   value as it is stored ([`FieldValue`]: canonical text) or why it is
//!   not one ([`ValueIssue`]). A bad value is a cell problem: the value is
//!   dropped, the row still imports.
//! * [`guess_kind`] proposes a kind for a column from its header and
//!   values (dates, numbers, yes/no, a short list of repeated values), for
//!   the user to change before confirming.
//! * [`FieldValue::key`] is what a filter compares: the list's "City =
//!   leeds" reads its value with the same [`FieldDef::check`], so `Leeds`,
//!   ` leeds ` and `LEEDS` are one city and `12`, `12.0` one number.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dates::{infer_order, parse_calendar_date, DateIssue, DateOrder};
use super::group::collapse;
use super::mapping::{normalize_header, ColumnMapping, Field, Mapping};
use super::read::GridRow;
use super::validate::Region;

/// Longest field name, in characters.
pub const MAX_FIELD_NAME: usize = 60;
/// Most custom fields one account may have.
pub const MAX_FIELDS: usize = 100;
/// Longest value a field keeps, in characters (a longer cell is a problem,
/// not a value silently cut).
pub const MAX_VALUE: usize = 1_000;
/// Most choices a one-of-a-list field may offer.
pub const MAX_CHOICES: usize = 50;
/// Longest choice, in characters.
pub const MAX_CHOICE: usize = 100;

/// The kind of values a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    YesNo,
    /// One of the field's choices.
    Choice,
}

impl FieldKind {
    pub const ALL: [FieldKind; 5] = [
        FieldKind::Text,
        FieldKind::Number,
        FieldKind::Date,
        FieldKind::YesNo,
        FieldKind::Choice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::YesNo => "yes_no",
            FieldKind::Choice => "choice",
        }
    }

    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What people see.
    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Text => "Text",
            FieldKind::Number => "Number",
            FieldKind::Date => "Date",
            FieldKind::YesNo => "Yes/no",
            FieldKind::Choice => "One of a list",
        }
    }
}

/// A valid field name, as it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldName(String);

/// Why a field name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldNameIssue {
    Empty,
    TooLong,
    /// The name of a field every contact has (`Phone`, `E-mail`…).
    BuiltIn(String),
}

impl fmt::Display for FieldNameIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldNameIssue::Empty => f.write_str("Give the field a name."),
            FieldNameIssue::TooLong => {
                write!(f, "A field name has at most {MAX_FIELD_NAME} characters.")
            }
            FieldNameIssue::BuiltIn(name) => write!(
                f,
                "“{name}” is already a field of every contact: choose another name."
            ),
        }
    }
}

impl std::error::Error for FieldNameIssue {}

/// Names every contact already has, and the columns our own exports write:
/// a custom field of that name would make a file's column mean two things.
const BUILT_IN: &[&str] = &[
    "first name",
    "last name",
    "full name",
    "name",
    "phone",
    "phones",
    "email",
    "emails",
    "company",
    "group",
    "groups",
    "sms consent",
    "consent date",
    "sms status",
    "ignore",
    "created",
    "updated",
];

impl FieldName {
    pub fn parse(raw: &str) -> Result<Self, FieldNameIssue> {
        let name = collapse(raw);
        if name.is_empty() {
            return Err(FieldNameIssue::Empty);
        }
        if name.chars().count() > MAX_FIELD_NAME {
            return Err(FieldNameIssue::TooLong);
        }
        if BUILT_IN.contains(&normalize_header(&name).as_str()) {
            return Err(FieldNameIssue::BuiltIn(name));
        }
        Ok(FieldName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What makes two names the same field: the name lower-cased (the
    /// account's unique index is on it).
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The key of a name as typed.
    pub fn key_of(raw: &str) -> String {
        collapse(raw).to_lowercase()
    }

    /// Whether a column's header names this field: the header read as the
    /// mapping reads headers (case, accents, punctuation and spacing aside).
    pub fn matches_header(&self, header: &str) -> bool {
        let h = normalize_header(header);
        !h.is_empty() && h == normalize_header(&self.0)
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for FieldName {
    type Error = FieldNameIssue;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        FieldName::parse(&raw)
    }
}

impl From<FieldName> for String {
    fn from(name: FieldName) -> String {
        name.0
    }
}

/// A field's definition: what the Settings page manages and an import's
/// mapping carries (for a field the import creates, what it will create).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: FieldName,
    pub kind: FieldKind,
    /// The choices of a one-of-a-list field, in the order they are offered.
    #[serde(default)]
    pub choices: Vec<String>,
    /// The account's field this is, once the store has resolved it (an
    /// import's start); `None` before, and for a field still to create.
    #[serde(default)]
    pub id: Option<i64>,
}

/// Why a field's choices were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoicesIssue {
    None,
    TooMany,
    TooLong(String),
}

impl fmt::Display for ChoicesIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChoicesIssue::None => f.write_str("A one-of-a-list field needs at least one choice."),
            ChoicesIssue::TooMany => write!(f, "A field offers at most {MAX_CHOICES} choices."),
            ChoicesIssue::TooLong(c) => write!(
                f,
                "“{}…” is longer than {MAX_CHOICE} characters: a choice is a short word.",
                c.chars().take(20).collect::<String>()
            ),
        }
    }
}

/// A one-of-a-list field's choices from what a person typed (one per line
/// or comma-separated): trimmed, empty ones and repeats (whatever their
/// case) dropped, the first spelling kept.
pub fn parse_choices(raw: &[String]) -> Result<Vec<String>, ChoicesIssue> {
    // A list far past the limit is not read to its end.
    if raw.len() > MAX_CHOICES * 20 {
        return Err(ChoicesIssue::TooMany);
    }
    let mut out: Vec<String> = Vec::new();
    for c in raw {
        // As a cell is read before it is compared with the choices.
        let c = collapse(&super::text::compatible(c));
        if c.is_empty() {
            continue;
        }
        if c.chars().count() > MAX_CHOICE {
            return Err(ChoicesIssue::TooLong(c));
        }
        if !out.iter().any(|o| fold(o) == fold(&c)) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(ChoicesIssue::None);
    }
    if out.len() > MAX_CHOICES {
        return Err(ChoicesIssue::TooMany);
    }
    Ok(out)
}

/// A value as a field keeps it: canonical text (`Leeds`, `1234.5`,
/// `2024-02-13`, `--02-13`, `yes`, the choice as the field spells it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldValue(pub String);

impl FieldValue {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What filters compare: the value lower-cased (the canonical forms of
    /// numbers, dates and yes/no are already one per value).
    pub fn key(&self) -> String {
        fold(&self.0)
    }
}

/// A stored value as people of `region` read it: dates as `13 Feb 1990`
/// (`13 Feb` without a year: no day/month order to guess), yes/no as
/// `Yes`/`No`, numbers with the region's decimal mark (`1,5` in France,
/// which [`FieldDef::check`] reads back as the same number), the rest as
/// stored.
pub fn display_value(kind: FieldKind, value: &str, region: Region) -> String {
    match kind {
        FieldKind::Number if decimal_comma(region) => value.replace('.', ","),
        FieldKind::Date => match super::dates::CalendarDate::from_iso(value) {
            Some(super::dates::CalendarDate::Full(d)) => {
                use chrono::Datelike;
                format!("{} {} {}", d.day(), month_name(d.month()), d.year())
            }
            Some(super::dates::CalendarDate::Yearless { month, day }) => {
                format!("{day} {}", month_name(month))
            }
            None => value.to_string(),
        },
        FieldKind::YesNo => match value {
            "yes" => "Yes".into(),
            "no" => "No".into(),
            other => other.to_string(),
        },
        _ => value.to_string(),
    }
}

fn month_name(month: u32) -> &'static str {
    super::dates::MONTH_ABBREVIATIONS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("")
}

/// Case-folded, for comparing text values and choices.
fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// Why a cell is not a value of its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueIssue {
    TooLong,
    NotANumber,
    Date(DateIssue),
    NotYesNo,
    NotAChoice,
}

impl ValueIssue {
    /// The cell problem people read, naming the field.
    pub fn message(&self, cell: &str, def: &FieldDef) -> String {
        let field = def.name.as_str();
        let shown: String = cell.chars().take(40).collect();
        let shown = if shown.len() < cell.len() {
            format!("{shown}…")
        } else {
            shown
        };
        match self {
            ValueIssue::TooLong => format!(
                "{field}: longer than {MAX_VALUE} characters ({} here)",
                cell.chars().count()
            ),
            ValueIssue::NotANumber => format!("{field}: “{shown}” is not a number"),
            ValueIssue::Date(DateIssue::Ambiguous) => format!(
                "{field}: “{shown}” could be day/month or month/day: choose the order of this date column"
            ),
            ValueIssue::Date(DateIssue::TooOld) => {
                format!("{field}: “{shown}” is before 1900: check the year")
            }
            ValueIssue::Date(_) => format!(
                "{field}: “{shown}” is not a date: write it as 2024-02-13, 13/02/2024 or 13 Feb"
            ),
            ValueIssue::NotYesNo => format!("{field}: “{shown}” is not yes or no"),
            ValueIssue::NotAChoice => format!(
                "{field}: “{shown}” is not one of {}",
                def.choices
                    .iter()
                    .take(8)
                    .map(|c| format!("“{c}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if def.choices.len() > 8 { "…" } else { "" }
            ),
        }
    }
}

/// How the cells of a column are read: the import's region (a decimal
/// comma or point) and a date column's day/month order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAs {
    pub decimal_comma: bool,
    pub order: Option<DateOrder>,
    pub today: NaiveDate,
}

impl ReadAs {
    pub fn new(region: Region, order: Option<DateOrder>, today: NaiveDate) -> Self {
        ReadAs {
            decimal_comma: decimal_comma(region),
            order: order.or_else(|| super::dates::region_order(region)),
            today,
        }
    }
}

/// Regions that write `1.234,5` (a decimal comma).
const DECIMAL_COMMA: &[&str] = &[
    "FR", "DE", "AT", "ES", "IT", "PT", "BR", "NL", "BE", "DK", "SE", "NO", "FI", "PL", "CZ", "SK",
    "HU", "RO", "BG", "GR", "TR", "RU", "UA", "ID", "AR", "CL", "CO", "PE", "VE", "UY", "ZA", "HR",
    "SI", "RS", "LT", "LV", "EE", "IS", "LU",
];

fn decimal_comma(region: Region) -> bool {
    DECIMAL_COMMA.contains(&region.code())
}

impl FieldDef {
    /// A definition from what a person typed (the Settings page, the
    /// mapping stage's "New field…"): the name by [`FieldName::parse`], a
    /// list's choices by [`parse_choices`] (other kinds have none).
    pub fn from_input(name: &str, kind: FieldKind, choices: &[String]) -> Result<Self, String> {
        let name = FieldName::parse(name).map_err(|e| e.to_string())?;
        let choices = match kind {
            FieldKind::Choice => parse_choices(choices).map_err(|e| e.to_string())?,
            _ => Vec::new(),
        };
        Ok(FieldDef {
            name,
            kind,
            choices,
            id: None,
        })
    }

    /// `cell` as this field's value: `Ok(None)` for an empty cell (nothing
    /// to keep), the canonical value, or why it is not one.
    pub fn check(&self, cell: &str, read: ReadAs) -> Result<Option<FieldValue>, ValueIssue> {
        let stripped = super::text::strip_controls(cell);
        let trimmed = stripped.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if trimmed.chars().count() > MAX_VALUE {
            return Err(ValueIssue::TooLong);
        }
        // Text keeps its line breaks (notes); the other kinds read the cell
        // folded to one line of compatible characters, and a placeholder
        // (`n/a`, `-`) in them means "nothing here".
        if self.kind == FieldKind::Text {
            return Ok(Some(FieldValue(trimmed.replace("\r\n", "\n"))));
        }
        let text = collapse(&super::text::compatible(trimmed));
        if matches!(
            self.kind,
            FieldKind::Number | FieldKind::Date | FieldKind::YesNo
        ) && super::text::is_placeholder(&text)
        {
            return Ok(None);
        }
        let value = match self.kind {
            FieldKind::Text => text,
            FieldKind::Number => {
                parse_number(&text, read.decimal_comma).ok_or(ValueIssue::NotANumber)?
            }
            FieldKind::Date => parse_calendar_date(&text, read.order, read.today)
                .map_err(ValueIssue::Date)?
                .iso(),
            FieldKind::YesNo => match yes_no(&text) {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => return Err(ValueIssue::NotYesNo),
            },
            FieldKind::Choice => {
                let key = fold(&text);
                self.choices
                    .iter()
                    .find(|c| fold(c) == key)
                    .cloned()
                    .ok_or(ValueIssue::NotAChoice)?
            }
        };
        Ok(Some(FieldValue(value)))
    }
}

/// Words that mean yes or no, in the six header languages and Hebrew.
fn yes_no(cell: &str) -> Option<bool> {
    const YES: &[&str] = &[
        "yes",
        "y",
        "true",
        "1",
        "oui",
        "ja",
        "si",
        "sí",
        "sim",
        "vrai",
        "wahr",
        "verdadero",
        "verdadeiro",
        "vero",
        "כן",
        "x",
        "✓",
        "✔",
    ];
    const NO: &[&str] = &[
        "no", "n", "false", "0", "non", "nein", "não", "nao", "faux", "falsch", "falso", "לא",
    ];
    let w = cell.trim().to_lowercase();
    if YES.contains(&w.as_str()) {
        Some(true)
    } else if NO.contains(&w.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// Currency signs a number cell may carry.
const CURRENCY: &[char] = &['£', '€', '$', '₪', '¥'];

/// A number as people write it, in canonical form (`-1234.5`: no grouping,
/// a decimal point, no leading or trailing zeros), or `None`. Grouping by
/// spaces, apostrophes or the separator that is not the decimal one is
/// allowed; with both a comma and a point the later one is the decimal
/// mark; with one comma, `decimal_comma` (the region) decides whether
/// `1,234` is a thousand or a bit more than one, unless its digits do (a
/// comma followed by other than three digits is a decimal comma).
pub fn parse_number(cell: &str, decimal_comma: bool) -> Option<String> {
    let s = cell.trim().trim_matches(CURRENCY).trim();
    let (negative, s) = match s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
        Some(rest) => (true, rest.trim_start_matches(CURRENCY).trim()),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '\u{a0}' | '\u{202f}' | '’'))
        .collect();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let (last_comma, last_point) = (s.rfind(','), s.rfind('.'));
    let decimal = match (last_comma, last_point) {
        (Some(c), Some(p)) => Some(if c > p { ',' } else { '.' }),
        (None, None) => None,
        (Some(_), None) => one_separator(&s, ',', decimal_comma),
        (None, Some(_)) => one_separator(&s, '.', !decimal_comma),
    };
    let (int, frac) = match decimal {
        Some(d) => {
            let at = s.rfind(d)?;
            (&s[..at], &s[at + 1..])
        }
        None => (s.as_str(), ""),
    };
    if frac.contains([',', '.']) {
        return None;
    }
    // Without a decimal mark, the separator present groups (`1.234.567`
    // in France as `1,234,567` in Britain).
    let grouping = match decimal {
        Some(',') => '.',
        Some(_) => ',',
        None if int.contains('.') => '.',
        None => ',',
    };
    if int.contains(match grouping {
        '.' => ',',
        _ => '.',
    }) {
        return None;
    }
    // Grouped digits come in threes after the first group.
    if int.contains(grouping) {
        let mut groups = int.split(grouping);
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3) {
            return None;
        }
    }
    let int: String = int.chars().filter(|c| c.is_ascii_digit()).collect();
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if int.len() + frac.len() > 30 {
        return None;
    }
    let mut out = String::new();
    if negative && !(int.is_empty() && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// With one kind of separator only: is it the decimal mark? Several of
/// them are grouping; one followed by other than three digits is decimal;
/// `1,234` is for the region to say (`leaning`: it is decimal there).
fn one_separator(s: &str, sep: char, leaning: bool) -> Option<char> {
    let count = s.matches(sep).count();
    if count > 1 {
        return None;
    }
    let after = s.len() - s.rfind(sep).unwrap_or(0) - 1;
    let before = s.find(sep).unwrap_or(0);
    if after != 3 || before == 0 || before > 3 || leaning {
        Some(sep)
    } else {
        None
    }
}

/// What [`guess_kind`] proposes for a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guess {
    pub kind: FieldKind,
    pub choices: Vec<String>,
    /// For a date column: the order its values (or the region) decide.
    pub order: Option<DateOrder>,
}

/// Headers that say a column holds dates.
const DATE_WORDS: &[&str] = &[
    "date",
    "birthday",
    "birth",
    "dob",
    "born",
    "anniversary",
    "since",
    "expires",
    "expiry",
    "renewal",
    "naissance",
    "anniversaire",
    "geburtstag",
    "datum",
    "fecha",
    "cumpleanos",
    "aniversario",
    "nascimento",
    "compleanno",
    "data",
];

/// Headers that say a column is free text whatever its few values look like.
const TEXT_WORDS: &[&str] = &[
    "city",
    "town",
    "address",
    "street",
    "notes",
    "note",
    "comment",
    "comments",
    "name",
    "ville",
    "adresse",
    "stadt",
    "ciudad",
    "cidade",
    "citta",
    "postcode",
    "zip",
    "id",
    "ref",
    "reference",
];

/// A column of at most this many distinct values, each repeated, is a list.
const LIST_MAX: usize = 12;

/// The kind a column's values suggest, with its header as a hint: yes/no
/// when every value is one; dates when nine in ten are (or the header says
/// date and the values are Excel serials); numbers when nine in ten are and
/// none has a leading zero (an id such as `00123` stays text); a short list
/// of repeated values becomes one-of-a-list; else text.
pub fn guess_kind<'a>(
    header: &str,
    values: impl IntoIterator<Item = &'a str>,
    region: Region,
    today: NaiveDate,
) -> Guess {
    let values: Vec<&str> = values
        .into_iter()
        .map(str::trim)
        .filter(|v| !v.is_empty() && !super::text::is_placeholder(v))
        .collect();
    let text = Guess {
        kind: FieldKind::Text,
        choices: Vec::new(),
        order: None,
    };
    if values.is_empty() {
        return text;
    }
    let words = normalize_header(header);
    let words: Vec<&str> = words.split(' ').collect();
    let says_date = words.iter().any(|w| DATE_WORDS.contains(w));
    let says_text = words.iter().any(|w| TEXT_WORDS.contains(w));
    let n = values.len();
    // Nine in ten, or all but one of a few (a typo in a short file is a
    // problem to show, not a reason to call the column text).
    let share = |k: usize| k * 10 >= n * 9 || (k >= 2 && k + 1 == n);

    let yes_nos = values.iter().filter(|v| yes_no(v).is_some()).count();
    if share(yes_nos) && !says_text {
        // A column of numbers is yes/no only when all are 1s and 0s, both
        // (only 1s is a count; 1, 0, 5 are counts).
        let distinct: std::collections::HashSet<bool> =
            values.iter().filter_map(|v| yes_no(v)).collect();
        let all_digits = values.iter().all(|v| v.chars().all(|c| c.is_ascii_digit()));
        if !(all_digits && (distinct.len() < 2 || yes_nos < n)) {
            return Guess {
                kind: FieldKind::YesNo,
                choices: Vec::new(),
                order: None,
            };
        }
    }
    let comma = decimal_comma(region);
    let leading_zero = values.iter().any(|v| {
        let digits = v.trim_start_matches(['-', '+']);
        digits.len() > 1
            && digits.starts_with('0')
            && !digits.starts_with("0.")
            && !digits.starts_with("0,")
    });
    let numbers = values
        .iter()
        .filter(|v| parse_number(v, comma).is_some())
        .count();
    // Numbers first (`3,5` is no 3 May), unless the header says dates
    // (a column of Excel serials).
    if share(numbers) && !leading_zero && !says_text && !says_date {
        return Guess {
            kind: FieldKind::Number,
            choices: Vec::new(),
            order: None,
        };
    }
    let numeric = |v: &&str| parse_number(v, comma).is_some();
    let order = infer_order(values.iter().copied()).or_else(|| super::dates::region_order(region));
    let dates = values
        .iter()
        .filter(|v| {
            (says_date || !numeric(v))
                && matches!(
                    parse_calendar_date(v, order, today),
                    Ok(_) | Err(DateIssue::Ambiguous)
                )
        })
        .count();
    let ambiguous = values
        .iter()
        .any(|v| parse_calendar_date(v, None, today) == Err(DateIssue::Ambiguous));
    if share(dates) && !says_text {
        return Guess {
            kind: FieldKind::Date,
            choices: Vec::new(),
            // The order is proposed only when some value needs one.
            order: if ambiguous {
                order
            } else {
                infer_order(values.iter().copied())
            },
        };
    }
    // A short list of repeated values.
    let normalised: Vec<String> = values
        .iter()
        .map(|v| collapse(&super::text::compatible(v)))
        .collect();
    let mut seen: HashMap<String, (usize, &str)> = HashMap::new();
    for v in &normalised {
        let e = seen.entry(fold(v)).or_insert((0, v));
        e.0 += 1;
    }
    let repeated = n >= 10 && n >= 3 * seen.len();
    if !says_text
        && repeated
        && seen.len() <= LIST_MAX
        && seen.keys().all(|k| k.chars().count() <= 40)
    {
        let mut choices: Vec<(usize, &str)> = seen.into_values().collect();
        // The most used first, then alphabetically.
        choices.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        return Guess {
            kind: FieldKind::Choice,
            choices: choices.into_iter().map(|(_, c)| c.to_string()).collect(),
            order: None,
        };
    }
    text
}

/// Today, as the checks of dates read it (UTC).
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Rows of a column read to guess its kind (the first ones).
const GUESS_ROWS: usize = 1_000;

/// Whether a custom field may take column `c`: it is unassigned, or
/// ignored because its header names something no built-in field keeps
/// (`Birthday`, `Address`, `Notes`).
pub fn is_candidate(c: &ColumnMapping) -> bool {
    match c.field {
        None => true,
        Some(Field::Ignore) => super::mapping::is_not_kept(&c.header),
        _ => false,
    }
}

/// A date column's day/month order, when its values decide it.
fn date_order(c: &mut ColumnMapping, rows: &[GridRow]) {
    if c.holds_dates() && c.label.is_empty() {
        if let Some(order) = infer_order(rows.iter().take(GUESS_ROWS).map(|r| r.cell(c.index))) {
            c.label = order.as_str().to_string();
        }
    }
}

/// Maps to the account's `fields` every candidate column ([`is_candidate`])
/// whose header is a field's name (as headers are compared: case, accents
/// and punctuation aside). A field already mapped keeps its column.
pub fn map_to_fields(mapping: &mut Mapping, fields: &[FieldDef], rows: &[GridRow]) {
    for i in 0..mapping.columns.len() {
        let c = &mapping.columns[i];
        if !is_candidate(c) {
            continue;
        }
        let Some(def) = fields.iter().find(|f| f.name.matches_header(&c.header)) else {
            continue;
        };
        let taken = mapping.columns.iter().any(|o| {
            o.custom
                .as_ref()
                .is_some_and(|d| d.name.key() == def.name.key())
        });
        if taken {
            continue;
        }
        let (index, reason) = (
            c.index,
            format!("header “{}” is your field {}", c.header.trim(), def.name),
        );
        mapping.assign_custom(index, def.clone(), &reason);
        mapping.columns[i].confidence = 0.95;
        date_order(&mut mapping.columns[i], rows);
    }
}

/// A new field for column `c`: named by its header (or `Column 3` when it
/// has none, or one that is a built-in field's), its kind guessed from its
/// values ([`guess_kind`]), and for a date column the order its values
/// need.
pub fn propose_field(
    c: &ColumnMapping,
    rows: &[GridRow],
    region: Region,
    today: NaiveDate,
) -> (FieldDef, Option<DateOrder>) {
    let fallback = || FieldName(format!("Column {}", c.index + 1));
    let name = match FieldName::parse(&c.header) {
        Ok(name) => name,
        Err(FieldNameIssue::TooLong) => {
            FieldName::parse(&c.header.chars().take(MAX_FIELD_NAME).collect::<String>())
                .unwrap_or_else(|_| fallback())
        }
        Err(FieldNameIssue::BuiltIn(_)) => {
            FieldName::parse(&format!("{} (custom)", c.header.trim()))
                .unwrap_or_else(|_| fallback())
        }
        Err(FieldNameIssue::Empty) => fallback(),
    };
    let g = guess_kind(
        &c.header,
        rows.iter().take(GUESS_ROWS).map(|r| r.cell(c.index)),
        region,
        today,
    );
    (
        FieldDef {
            name,
            kind: g.kind,
            choices: g.choices,
            id: None,
        },
        g.order,
    )
}

/// `contacts import --create-fields`: every candidate column not mapped to
/// one of the account's `fields` by [`map_to_fields`] becomes a new field
/// ([`propose_field`]; a name two columns would share gets ` 2`). Returns
/// the new fields, which the caller creates.
pub fn create_fields_for_unmapped(
    mapping: &mut Mapping,
    fields: &[FieldDef],
    rows: &[GridRow],
    region: Region,
    today: NaiveDate,
) -> Vec<FieldDef> {
    map_to_fields(mapping, fields, rows);
    let mut created: Vec<FieldDef> = Vec::new();
    for i in 0..mapping.columns.len() {
        if !is_candidate(&mapping.columns[i]) {
            continue;
        }
        let (mut def, order) = propose_field(&mapping.columns[i], rows, region, today);
        let taken = |name: &FieldName| {
            fields
                .iter()
                .chain(&created)
                .any(|f| f.name.key() == name.key())
        };
        let base = def.name.clone();
        let mut n = 2;
        while taken(&def.name) {
            let suffix = format!(" {n}");
            let stem: String = base
                .as_str()
                .chars()
                .take(MAX_FIELD_NAME - suffix.chars().count())
                .collect();
            def.name = FieldName(format!("{}{suffix}", stem.trim_end()));
            n += 1;
        }
        let index = mapping.columns[i].index;
        mapping.assign_custom(index, def.clone(), "a new field made of this column");
        if let Some(order) = order {
            mapping.columns[i].label = order.as_str().to_string();
        }
        mapping.columns[i].confidence = 0.9;
        created.push(def);
    }
    created
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn r(code: &str) -> Region {
        code.parse().unwrap()
    }

    fn def(kind: FieldKind, choices: &[&str]) -> FieldDef {
        FieldDef {
            name: FieldName::parse("Field").unwrap(),
            kind,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            id: None,
        }
    }

    #[rstest]
    #[case("City", Ok("City"))]
    #[case("  customer   id ", Ok("customer id"))]
    #[case("Date\u{0}of birth", Ok("Dateof birth"))]
    #[case("", Err(FieldNameIssue::Empty))]
    #[case(" \t ", Err(FieldNameIssue::Empty))]
    #[case("Phone", Err(FieldNameIssue::BuiltIn("Phone".into())))]
    #[case("E-mail", Err(FieldNameIssue::BuiltIn("E-mail".into())))]
    #[case("first_name", Err(FieldNameIssue::BuiltIn("first_name".into())))]
    #[case("SMS status", Err(FieldNameIssue::BuiltIn("SMS status".into())))]
    #[case("Phone type", Ok("Phone type"))]
    fn field_names_are_collapsed_and_never_a_built_in_field(
        #[case] raw: &str,
        #[case] expected: Result<&str, FieldNameIssue>,
    ) {
        assert_eq!(
            FieldName::parse(raw).as_ref().map(FieldName::as_str),
            expected.as_ref().map(|s| *s)
        );
    }

    #[test]
    fn a_long_name_is_refused_and_names_match_headers_loosely() {
        assert_eq!(
            FieldName::parse(&"x".repeat(MAX_FIELD_NAME + 1)),
            Err(FieldNameIssue::TooLong)
        );
        assert!(FieldName::parse(&"é".repeat(MAX_FIELD_NAME)).is_ok());
        let city = FieldName::parse("Ville natale").unwrap();
        assert!(city.matches_header("VILLE_NATALE"));
        assert!(city.matches_header("villeNatale"));
        assert!(city.matches_header("Ville  natale "));
        assert!(!city.matches_header("Ville"));
        assert_eq!(city.key(), FieldName::key_of("  VILLE natale"));
    }

    #[rstest]
    #[case("1234", false, Some("1234"))]
    #[case("-12.50", false, Some("-12.5"))]
    #[case("+7", false, Some("7"))]
    #[case("0.0", false, Some("0"))]
    #[case("-0", false, Some("0"))]
    #[case("007", false, Some("7"))]
    #[case(".5", false, Some("0.5"))]
    #[case("1,234", false, Some("1234"))]
    #[case("1,234", true, Some("1.234"))]
    #[case("1,234,567.89", false, Some("1234567.89"))]
    #[case("1.234.567,89", true, Some("1234567.89"))]
    #[case("1.234.567,89", false, Some("1234567.89"))]
    #[case("3,5", false, Some("3.5"))]
    #[case("1 234,5", true, Some("1234.5"))]
    #[case("1\u{a0}234", true, Some("1234"))]
    #[case("1'234.50", false, Some("1234.5"))]
    #[case("£1,200", false, Some("1200"))]
    #[case("1200 €", true, Some("1200"))]
    #[case("-$5", false, Some("-5"))]
    #[case("12,34,567", false, None)]
    #[case("1.2.3", false, None)]
    #[case("1,2,3", false, None)]
    #[case("12a", false, None)]
    #[case("1e5", false, None)]
    #[case("", false, None)]
    #[case("-", false, None)]
    #[case(".", false, None)]
    #[case("NaN", false, None)]
    #[case("1.234", true, Some("1234"))]
    #[case("1.234.567", true, Some("1234567"))]
    #[case("1.2345", true, Some("1.2345"))]
    #[case("inf", false, None)]
    #[case("--5", false, None)]
    fn numbers_are_read_as_people_write_them(
        #[case] cell: &str,
        #[case] comma: bool,
        #[case] expected: Option<&str>,
    ) {
        assert_eq!(parse_number(cell, comma).as_deref(), expected, "{cell:?}");
    }

    #[test]
    fn a_number_of_forty_digits_is_refused() {
        assert_eq!(parse_number(&"9".repeat(40), false), None);
        assert_eq!(parse_number(&"9".repeat(30), false).unwrap().len(), 30);
    }

    #[rstest]
    #[case(FieldKind::Text, &[], "  Leeds  ", Ok(Some("Leeds")))]
    #[case(FieldKind::Text, &[], "Leeds\u{1b}[31m", Ok(Some("Leeds[31m")))]
    #[case(FieldKind::Text, &[], "=HYPERLINK(\"x\")", Ok(Some("=HYPERLINK(\"x\")")))]
    #[case(FieldKind::Text, &[], "", Ok(None))]
    #[case(FieldKind::Text, &[], "   ", Ok(None))]
    #[case(FieldKind::Text, &[], "n/a", Ok(Some("n/a")))]
    #[case(FieldKind::Text, &[], " line one\r\nline two ", Ok(Some("line one\nline two")))]
    #[case(FieldKind::Number, &[], "n/a", Ok(None))]
    #[case(FieldKind::Number, &[], "1,5", Ok(Some("1.5")))]
    #[case(FieldKind::Number, &[], "１２", Ok(Some("12")))]
    #[case(FieldKind::Number, &[], "twelve", Err(ValueIssue::NotANumber))]
    #[case(FieldKind::Date, &[], "13/02/1990", Ok(Some("1990-02-13")))]
    #[case(FieldKind::Date, &[], "13 Feb", Ok(Some("--02-13")))]
    #[case(FieldKind::Date, &[], "33/02/1990", Err(ValueIssue::Date(DateIssue::NotADate)))]
    #[case(FieldKind::YesNo, &[], "Oui", Ok(Some("yes")))]
    #[case(FieldKind::YesNo, &[], "לא", Ok(Some("no")))]
    #[case(FieldKind::YesNo, &[], "maybe", Err(ValueIssue::NotYesNo))]
    #[case(FieldKind::Choice, &["Gold", "Silver"], "gold", Ok(Some("Gold")))]
    #[case(FieldKind::Choice, &["Gold", "Silver"], " SILVER ", Ok(Some("Silver")))]
    #[case(FieldKind::Choice, &["Gold", "Silver"], "Bronze", Err(ValueIssue::NotAChoice))]
    fn values_are_checked_by_their_field_s_kind(
        #[case] kind: FieldKind,
        #[case] choices: &[&str],
        #[case] cell: &str,
        #[case] expected: Result<Option<&str>, ValueIssue>,
    ) {
        let read = ReadAs::new(r("GB"), None, today());
        let got = def(kind, choices).check(cell, read);
        assert_eq!(
            got.as_ref().map(|v| v.as_ref().map(FieldValue::as_str)),
            expected.as_ref().map(|v| *v),
            "{cell:?}"
        );
    }

    #[test]
    fn a_huge_cell_is_a_problem_not_a_value_cut_short() {
        let read = ReadAs::new(r("GB"), None, today());
        let huge = "a".repeat(MAX_VALUE + 1);
        let text = def(FieldKind::Text, &[]);
        assert_eq!(text.check(&huge, read), Err(ValueIssue::TooLong));
        assert!(ValueIssue::TooLong.message(&huge, &text).contains("1001"));
        // The message shows the start of a long cell, not all of it.
        let long = "x".repeat(500);
        let msg = ValueIssue::NotANumber.message(&long, &def(FieldKind::Number, &[]));
        assert!(msg.len() < 120, "{msg}");
        assert_eq!(
            text.check(&"a".repeat(MAX_VALUE), read)
                .unwrap()
                .unwrap()
                .0
                .len(),
            MAX_VALUE
        );
    }

    #[rstest]
    #[case(FieldKind::Date, "1990-02-13", "GB", "13 Feb 1990")]
    #[case(FieldKind::Date, "--12-25", "GB", "25 Dec")]
    #[case(FieldKind::Date, "not a date", "GB", "not a date")]
    #[case(FieldKind::YesNo, "yes", "GB", "Yes")]
    #[case(FieldKind::Number, "1234.5", "GB", "1234.5")]
    #[case(FieldKind::Number, "1.234", "FR", "1,234")]
    #[case(FieldKind::Text, "Leeds", "FR", "Leeds")]
    fn values_are_shown_as_people_read_them_and_read_back_the_same(
        #[case] kind: FieldKind,
        #[case] value: &str,
        #[case] region: &str,
        #[case] shown: &str,
    ) {
        assert_eq!(display_value(kind, value, r(region)), shown);
        if kind == FieldKind::Number {
            let read = ReadAs::new(r(region), None, today());
            assert_eq!(def(kind, &[]).check(shown, read).unwrap().unwrap().0, value);
        }
    }

    #[test]
    fn a_filter_value_and_a_stored_value_compare_by_key() {
        let read = ReadAs::new(r("GB"), None, today());
        let city = def(FieldKind::Text, &[]);
        let a = city.check("Leeds", read).unwrap().unwrap();
        let b = city.check("  LEEDS", read).unwrap().unwrap();
        assert_eq!(a.key(), b.key());
        let n = def(FieldKind::Number, &[]);
        assert_eq!(
            n.check("12.0", read).unwrap().unwrap().key(),
            n.check("12", read).unwrap().unwrap().key()
        );
    }

    #[test]
    fn the_region_reads_the_decimal_mark_and_the_date_order() {
        let n = def(FieldKind::Number, &[]);
        let fr = ReadAs::new(r("FR"), None, today());
        let gb = ReadAs::new(r("GB"), None, today());
        assert_eq!(n.check("1,234", fr).unwrap().unwrap().0, "1.234");
        assert_eq!(n.check("1,234", gb).unwrap().unwrap().0, "1234");
        let d = def(FieldKind::Date, &[]);
        let us = ReadAs::new(r("US"), None, today());
        assert_eq!(d.check("03/04/2024", gb).unwrap().unwrap().0, "2024-04-03");
        assert_eq!(d.check("03/04/2024", us).unwrap().unwrap().0, "2024-03-04");
        let ca = ReadAs::new(r("CA"), None, today());
        assert_eq!(
            d.check("03/04/2024", ca),
            Err(ValueIssue::Date(DateIssue::Ambiguous))
        );
        let chosen = ReadAs::new(r("CA"), Some(DateOrder::MonthFirst), today());
        assert_eq!(
            d.check("03/04/2024", chosen).unwrap().unwrap().0,
            "2024-03-04"
        );
    }

    #[rstest]
    #[case(&["Gold", "gold", "GOLD"], Ok(vec!["Gold"]))]
    #[case(&[" a ", "", "b"], Ok(vec!["a", "b"]))]
    #[case(&["", " "], Err(ChoicesIssue::None))]
    fn choices_are_trimmed_and_deduplicated(
        #[case] raw: &[&str],
        #[case] expected: Result<Vec<&str>, ChoicesIssue>,
    ) {
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            parse_choices(&raw),
            expected.map(|v| v.into_iter().map(String::from).collect())
        );
    }

    #[test]
    fn choices_are_read_as_cells_are() {
        let raw = vec!["Gold  plan".to_string(), "Ｓilver\u{1b}".to_string()];
        assert_eq!(parse_choices(&raw).unwrap(), ["Gold plan", "Silver"]);
        let many = vec!["a".to_string(); 10_000];
        assert_eq!(parse_choices(&many), Err(ChoicesIssue::TooMany));
        let plan = def(FieldKind::Choice, &["Gold plan"]);
        let read = ReadAs::new(r("GB"), None, today());
        assert_eq!(
            plan.check(" gold   PLAN ", read).unwrap().unwrap().0,
            "Gold plan"
        );
    }

    #[test]
    fn too_many_or_too_long_choices_are_refused() {
        let many: Vec<String> = (0..=MAX_CHOICES).map(|i| format!("c{i}")).collect();
        assert_eq!(parse_choices(&many), Err(ChoicesIssue::TooMany));
        let long = vec!["y".repeat(MAX_CHOICE + 1)];
        assert!(matches!(
            parse_choices(&long),
            Err(ChoicesIssue::TooLong(_))
        ));
    }

    fn repeat(values: &[&str], times: usize) -> Vec<String> {
        (0..times)
            .flat_map(|_| values.iter().map(|v| v.to_string()))
            .collect()
    }

    #[rstest]
    #[case("Birthday", vec!["13/02/1990", "01/12/1985", "--"], FieldKind::Date)]
    #[case("Birthday", vec!["13/02/1990", "soon", "later"], FieldKind::Text)]
    #[case("Birthday", vec!["13/02/1990", "01/12/1985", "25/12/2000"], FieldKind::Date)]
    #[case("Birthday", vec!["13 Feb", "1 Dec", "25/12"], FieldKind::Date)]
    #[case("Joined", vec!["2024-02-13", "2023-01-01T00:00:00"], FieldKind::Date)]
    #[case("Date joined", vec!["45000", "45123"], FieldKind::Date)]
    #[case("Visits", vec!["45000", "45123"], FieldKind::Number)]
    #[case("Spend", vec!["12.50", "£1,200", "-3"], FieldKind::Number)]
    #[case("Customer id", vec!["10023", "10024"], FieldKind::Text)]
    #[case("Account", vec!["00123", "00124"], FieldKind::Text)]
    #[case("VIP", vec!["yes", "no", "Yes"], FieldKind::YesNo)]
    #[case("VIP", vec!["yes", "no", "maybe"], FieldKind::YesNo)]
    #[case("VIP", vec!["yes", "maybe", "perhaps"], FieldKind::Text)]
    #[case("Birthday", vec!["13/02/1990", "25 Dec", "31/02/1985"], FieldKind::Date)]
    #[case("Spend", vec!["1,200.50", "12", "abc"], FieldKind::Number)]
    #[case("Newsletter", vec!["1", "0", "1"], FieldKind::YesNo)]
    #[case("Count", vec!["1", "1", "1"], FieldKind::Number)]
    #[case("Rooms", vec!["1", "0", "1", "5"], FieldKind::Number)]
    #[case("Moyenne", vec!["3,5", "2,5", "4,5"], FieldKind::Number)]
    #[case("City", repeat(&["Leeds", "York"], 10), FieldKind::Text)]
    #[case("Plan", repeat(&["Gold", "Silver", "gold"], 5), FieldKind::Choice)]
    #[case("Plan", vec!["Gold", "Silver", "Bronze"], FieldKind::Text)]
    #[case("Notes", vec!["called back", "left a message"], FieldKind::Text)]
    #[case("Empty", vec!["", " "], FieldKind::Text)]
    fn a_column_s_kind_is_guessed_from_its_values_and_header(
        #[case] header: &str,
        #[case] values: Vec<impl AsRef<str>>,
        #[case] expected: FieldKind,
    ) {
        let g = guess_kind(header, values.iter().map(AsRef::as_ref), r("GB"), today());
        assert_eq!(g.kind, expected, "{header}");
    }

    #[test]
    fn a_list_s_choices_come_most_used_first_in_their_first_spelling() {
        let values = repeat(&["Gold", "Silver", "gold", "Bronze", "gold"], 4);
        let g = guess_kind("Plan", values.iter().map(String::as_str), r("GB"), today());
        assert_eq!(g.kind, FieldKind::Choice);
        assert_eq!(g.choices, ["Gold", "Bronze", "Silver"]);
    }

    #[test]
    fn a_date_column_s_order_is_proposed_when_its_values_need_one() {
        let g = guess_kind("Birthday", ["03/04/1990", "13/02/1990"], r("US"), today());
        assert_eq!(g.order, Some(DateOrder::DayFirst));
        let g = guess_kind("Birthday", ["03/04/1990", "05/06/1990"], r("US"), today());
        assert_eq!(
            (g.kind, g.order),
            (FieldKind::Date, Some(DateOrder::MonthFirst))
        );
        let g = guess_kind("Birthday", ["1990-04-03"], r("US"), today());
        assert_eq!(g.order, None);
        let g = guess_kind("Birthday", ["03/04/1990", "05/06/1990"], r("CA"), today());
        assert_eq!((g.kind, g.order), (FieldKind::Date, None));
    }

    fn table(headers: &[&str], rows: &[&[&str]]) -> (Vec<String>, Vec<GridRow>) {
        (
            headers.iter().map(|h| h.to_string()).collect(),
            rows.iter()
                .enumerate()
                .map(|(i, r)| GridRow::new(i as u32 + 2, r.iter()))
                .collect(),
        )
    }

    #[test]
    fn columns_named_like_the_account_s_fields_map_to_them() {
        let (headers, rows) = table(
            &["Mobile", "CITY", "Birthday", "Mystery", "city"],
            &[&["07400 123456", "Leeds", "13/02/1990", "x", "York"]],
        );
        let mut m = crate::import::mapping::auto_map(&headers, &rows, 5, r("GB"));
        let fields = [
            FieldDef {
                name: FieldName::parse("City").unwrap(),
                kind: FieldKind::Text,
                choices: vec![],
                id: None,
            },
            FieldDef {
                name: FieldName::parse("birthday").unwrap(),
                kind: FieldKind::Date,
                choices: vec![],
                id: None,
            },
        ];
        map_to_fields(&mut m, &fields, &rows);
        let codes: Vec<Option<String>> = m.columns.iter().map(|c| c.field_code()).collect();
        assert_eq!(
            codes,
            [
                Some("phone".into()),
                Some("custom:City".into()),
                Some("custom:birthday".into()),
                None,
                // A field takes one column: the first (the other stays
                // ignored, as a header nothing built in keeps).
                Some("ignore".into()),
            ]
        );
        assert_eq!(m.columns[2].label, "day_first");
        assert!(
            m.columns[1].reason.contains("your field City"),
            "{}",
            m.columns[1].reason
        );
    }

    #[test]
    fn create_fields_makes_a_field_of_every_unmapped_column_with_free_names() {
        let (headers, rows) = table(
            &["Mobile", "City", "Visits", "", "Phone", "city"],
            &[
                &["07400 123456", "Leeds", "3", "a", "02079460018", "York"],
                &["07400 123457", "York", "5", "b", "", "Hull"],
            ],
        );
        let mut m = crate::import::mapping::auto_map(&headers, &rows, 6, r("GB"));
        m.columns[4].field = None; // a second phone column left unassigned
        let existing = [FieldDef {
            name: FieldName::parse("City").unwrap(),
            kind: FieldKind::Text,
            choices: vec![],
            id: None,
        }];
        let created = create_fields_for_unmapped(&mut m, &existing, &rows, r("GB"), today());
        let names: Vec<(&str, FieldKind)> =
            created.iter().map(|d| (d.name.as_str(), d.kind)).collect();
        assert_eq!(
            names,
            [
                ("Visits", FieldKind::Number),
                ("Column 4", FieldKind::Text),
                ("Phone (custom)", FieldKind::Text),
                ("city 2", FieldKind::Text),
            ]
        );
        assert_eq!(m.columns[1].field_code().as_deref(), Some("custom:City"));
        assert!(m.columns.iter().all(|c| c.field.is_some()));
    }

    #[test]
    fn hostile_and_huge_columns_are_guessed_without_trouble() {
        let huge = "9".repeat(100_000);
        let values = [
            huge.as_str(),
            "\u{0}\u{1b}",
            "=cmd|' /C calc'!A0",
            "<script>",
        ];
        let g = guess_kind("Weird", values, r("GB"), today());
        assert_eq!(g.kind, FieldKind::Text);
    }
}
