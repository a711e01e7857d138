//! Dates as users see them in a spreadsheet: the ISO text the reader makes
//! of Excel date cells (through their number format), Excel serial numbers
//! (a date column saved as numbers, or a csv of them), ISO text, and text
//! such as `13/02/2024`, `2.3.24` or `13 Feb 2024`, whose day/month order is
//! decided per column: by its values (a `13/02` can only be day first), else
//! by the import's region (the United States and a few others write the
//! month first), else the column is ambiguous and each date that could be
//! either is refused with a message saying so.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::validate::Region;

/// Which number comes first in a text date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

impl DateOrder {
    /// How a date column's mapping keeps its order (its `label`).
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "day_first",
            DateOrder::MonthFirst => "month_first",
        }
    }

    pub fn parse(s: &str) -> Option<DateOrder> {
        [DateOrder::DayFirst, DateOrder::MonthFirst]
            .into_iter()
            .find(|o| o.as_str() == s)
    }

    /// What people see: "day/month (13/02/2024)".
    pub fn label(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "day/month (13/02/2024)",
            DateOrder::MonthFirst => "month/day (02/13/2024)",
        }
    }
}

/// Regions whose people write the month first.
const MONTH_FIRST: &[&str] = &["US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI"];
/// Regions where both orders are common: the values must decide.
const EITHER: &[&str] = &["CA"];

/// The order the import's region writes dates in, `None` where both are
/// common (Canada).
pub fn region_order(region: Region) -> Option<DateOrder> {
    let code = region.code();
    if EITHER.contains(&code) {
        None
    } else if MONTH_FIRST.contains(&code) {
        Some(DateOrder::MonthFirst)
    } else {
        Some(DateOrder::DayFirst)
    }
}

/// Why a cell is not a date we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateIssue {
    /// Not a date at all.
    NotADate,
    /// `03/04/2024` in a column whose order nothing decides.
    Ambiguous,
    /// After today: a consent cannot have been given in the future.
    Future,
    /// Before 1900: a typo.
    TooOld,
}

impl DateIssue {
    pub fn message(self, cell: &str) -> String {
        match self {
            DateIssue::NotADate => {
                format!("“{cell}” is not a date: write it as 2024-02-13 or 13/02/2024")
            }
            DateIssue::Ambiguous => format!(
                "“{cell}” could be day/month or month/day: choose the order of this date column"
            ),
            DateIssue::Future => format!("“{cell}” is in the future: a consent date cannot be"),
            DateIssue::TooOld => format!("“{cell}” is before 1900: check the year"),
        }
    }
}

/// Excel's day 0 (its serials count from 1900-01-01 as day 1, with the
/// 1900 leap day it invented: from day 61 on, day 0 is 1899-12-30).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// Serial numbers read as dates: 1900-01-01 (1) up to the year 9999.
const MAX_SERIAL: f64 = 2_958_465.0;

/// `cell` as a date, with `order` for text dates whose order the text does
/// not tell; `today` bounds it (no future dates).
pub fn parse_date(
    cell: &str,
    order: Option<DateOrder>,
    today: NaiveDate,
) -> Result<NaiveDate, DateIssue> {
    let cell = cell.trim();
    let date = read_date(cell, order, today.year())?;
    // A day's grace: "today" is the server's (UTC), the file's is local.
    if date > today + Duration::days(1) {
        return Err(DateIssue::Future);
    }
    if date.year() < 1900 {
        return Err(DateIssue::TooOld);
    }
    Ok(date)
}

fn read_date(cell: &str, order: Option<DateOrder>, this_year: i32) -> Result<NaiveDate, DateIssue> {
    if cell.is_empty() {
        return Err(DateIssue::NotADate);
    }
    // An Excel serial (a whole number, or a date-time's fraction).
    if let Ok(serial) = cell.parse::<f64>() {
        // Below 1910 (3653) a number is a year or a typo, not a date.
        if (3653.0..=MAX_SERIAL).contains(&serial) && !cell.contains(['e', 'E']) {
            let days = serial.floor() as i64;
            let days = if days < 61 { days + 1 } else { days };
            return excel_epoch()
                .checked_add_signed(Duration::days(days))
                .ok_or(DateIssue::NotADate);
        }
        return Err(DateIssue::NotADate);
    }
    // ISO: 2024-02-13, with or without a time (the reader's date cells).
    let day_part = cell.split(['T', ' ']).next().unwrap_or(cell);
    if let Some(d) = iso_date(day_part) {
        return Ok(d);
    }
    // A time after the date ("13/02/2024 10:30") is not part of it.
    let cell = match cell.rsplit_once(' ') {
        Some((date, time)) if time.contains(':') => date.trim(),
        _ => cell,
    };
    let words: Vec<&str> = cell
        .split(|c: char| c == '/' || c == '.' || c == '-' || c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    // A month named: "13 Feb 2024", "Feb 13, 2024", "13 février 2024".
    if let Some(mi) = words.iter().position(|w| month_of(w).is_some()) {
        let month = month_of(words[mi]).ok_or(DateIssue::NotADate)?;
        let numbers: Vec<&str> = words
            .iter()
            .enumerate()
            .filter(|(i, w)| *i != mi && w.chars().all(|c| c.is_ascii_digit()))
            .map(|(_, w)| *w)
            .collect();
        let [day, year] = numbers[..] else {
            return Err(DateIssue::NotADate);
        };
        return ymd(
            year_of(year, this_year)?,
            month,
            day.parse().map_err(|_| DateIssue::NotADate)?,
        );
    }
    // Numbers: y/m/d when the first has four digits, else d/m/y or m/d/y.
    let [a, b, c] = words[..] else {
        return Err(DateIssue::NotADate);
    };
    if ![a, b, c]
        .iter()
        .all(|w| !w.is_empty() && w.len() <= 4 && w.chars().all(|ch| ch.is_ascii_digit()))
    {
        return Err(DateIssue::NotADate);
    }
    let n = |w: &str| w.parse::<u32>().map_err(|_| DateIssue::NotADate);
    if a.len() == 4 {
        return ymd(n(a)? as i32, n(b)?, n(c)?);
    }
    let (x, y, year) = (n(a)?, n(b)?, year_of(c, this_year)?);
    match order_of(x, y, order)? {
        DateOrder::DayFirst => ymd(year, y, x),
        DateOrder::MonthFirst => ymd(year, x, y),
    }
}

/// Which of two numbers `x/y` is the day: a number above 12 can only be
/// one; otherwise `order` (the column's) decides, and none is ambiguous.
fn order_of(x: u32, y: u32, order: Option<DateOrder>) -> Result<DateOrder, DateIssue> {
    Ok(match (x > 12, y > 12) {
        (true, true) => return Err(DateIssue::NotADate),
        (true, false) => DateOrder::DayFirst,
        (false, true) => DateOrder::MonthFirst,
        // 05/05: either way the same day.
        (false, false) if x == y => DateOrder::DayFirst,
        (false, false) => order.ok_or(DateIssue::Ambiguous)?,
    })
}

/// A date a custom field keeps: a whole date, or a day of the year without
/// one (a birthday given as `13/02` or `13 Feb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CalendarDate {
    Full(NaiveDate),
    /// Month and day, with no year.
    Yearless {
        month: u32,
        day: u32,
    },
}

impl CalendarDate {
    /// How it is stored and exported: ISO 8601 (`2024-02-13`), and for a
    /// day without a year the form vCard and ISO 8601:2000 use (`--02-13`).
    pub fn iso(self) -> String {
        match self {
            CalendarDate::Full(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            CalendarDate::Yearless { month, day } => format!("--{month:02}-{day:02}"),
        }
    }

    /// Reads back what [`CalendarDate::iso`] wrote.
    pub fn from_iso(s: &str) -> Option<CalendarDate> {
        if let Some(md) = s.strip_prefix("--") {
            let (m, d) = md.split_once('-')?;
            return yearless(m.parse().ok()?, d.parse().ok()?).ok();
        }
        iso_date(s).map(CalendarDate::Full)
    }
}

/// `2024-02-13` (month and day of one or two digits), without chrono's
/// format parser: the browser's bundle stays smaller without it.
fn iso_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |w: &str, min: usize, max: usize| {
        (min..=max).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// English month abbreviations, for showing a date (`13 Feb 1990`).
pub const MONTH_ABBREVIATIONS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A month and day that exist in some year (29 February included).
fn yearless(month: u32, day: u32) -> Result<CalendarDate, DateIssue> {
    NaiveDate::from_ymd_opt(2000, month, day).ok_or(DateIssue::NotADate)?;
    Ok(CalendarDate::Yearless { month, day })
}

/// `cell` as a custom field's date: everything [`parse_date`] reads, also
/// in the future (a renewal date), and days without a year (`13/02`,
/// `13 Feb`, `Feb 13`, `--02-13`), whose order `order` decides as for
/// whole dates.
pub fn parse_calendar_date(
    cell: &str,
    order: Option<DateOrder>,
    today: NaiveDate,
) -> Result<CalendarDate, DateIssue> {
    let cell = cell.trim();
    if let Some(md) = cell.strip_prefix("--") {
        return CalendarDate::from_iso(&format!("--{md}")).ok_or(DateIssue::NotADate);
    }
    match read_date(cell, order, today.year()) {
        Ok(date) if date.year() < 1900 => Err(DateIssue::TooOld),
        Ok(date) => Ok(CalendarDate::Full(date)),
        Err(DateIssue::NotADate) => read_yearless(cell, order),
        Err(issue) => Err(issue),
    }
}

/// `13/02`, `02/13`, `13 Feb`, `Feb 13`, `13. Februar`.
fn read_yearless(cell: &str, order: Option<DateOrder>) -> Result<CalendarDate, DateIssue> {
    // `3,5` and `1.5` are decimals; `13.02.` (German, with its final dot) is
    // a day.
    let digits_and = |sep: char| {
        cell.contains(sep)
            && cell
                .trim_end_matches('.')
                .chars()
                .all(|c| c.is_ascii_digit() || c == sep)
    };
    if digits_and(',') || (digits_and('.') && !cell.ends_with('.')) {
        return Err(DateIssue::NotADate);
    }
    let words: Vec<&str> = cell
        .split(|c: char| c == '/' || c == '.' || c == '-' || c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let [a, b] = words[..] else {
        return Err(DateIssue::NotADate);
    };
    let number = |w: &str| -> Option<u32> {
        (w.len() <= 2 && w.chars().all(|c| c.is_ascii_digit()))
            .then(|| w.parse().ok())
            .flatten()
    };
    match (month_of(a), month_of(b), number(a), number(b)) {
        (Some(m), None, None, Some(d)) | (None, Some(m), Some(d), None) => yearless(m, d),
        (None, None, Some(x), Some(y)) => match order_of(x, y, order)? {
            DateOrder::DayFirst => yearless(y, x),
            DateOrder::MonthFirst => yearless(x, y),
        },
        _ => Err(DateIssue::NotADate),
    }
}

/// A two-digit year is 20yy, unless that is more than a year after
/// `this_year` (then 19yy): in 2026, `24` is 2024 and `85` is 1985.
fn year_of(w: &str, this_year: i32) -> Result<i32, DateIssue> {
    let y: i32 = w.parse().map_err(|_| DateIssue::NotADate)?;
    match w.len() {
        4 => Ok(y),
        2 => {
            let this = this_year % 100;
            Ok(if y <= this + 1 { 2000 + y } else { 1900 + y })
        }
        _ => Err(DateIssue::NotADate),
    }
}

fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate, DateIssue> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateIssue::NotADate)
}

/// A month's name or abbreviation in the six header languages.
fn month_of(word: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &[
            "jan", "january", "janvier", "januar", "enero", "janeiro", "gennaio", "ene", "gen",
            "janv",
        ],
        &[
            "feb",
            "february",
            "fevrier",
            "februar",
            "febrero",
            "fevereiro",
            "febbraio",
            "fev",
            "fevr",
        ],
        &["mar", "march", "mars", "marz", "marzo", "marco"],
        &["apr", "april", "avril", "abril", "aprile", "avr", "abr"],
        &["may", "mai", "mayo", "maio", "maggio", "mag"],
        &[
            "jun", "june", "juin", "juni", "junio", "junho", "giugno", "giu",
        ],
        &[
            "jul", "july", "juillet", "juli", "julio", "julho", "luglio", "juil", "lug",
        ],
        &["aug", "august", "aout", "agosto", "ago"],
        &[
            "sep",
            "sept",
            "september",
            "septembre",
            "septiembre",
            "setembro",
            "settembre",
            "set",
        ],
        &[
            "oct", "october", "octobre", "oktober", "octubre", "outubro", "ottobre", "okt", "out",
            "ott",
        ],
        &["nov", "november", "novembre", "noviembre", "novembro"],
        &[
            "dec",
            "december",
            "decembre",
            "dezember",
            "diciembre",
            "dezembro",
            "dicembre",
            "dez",
            "dic",
        ],
    ];
    let folded = super::mapping::normalize_header(word).replace(' ', "");
    if folded.is_empty() {
        return None;
    }
    MONTHS
        .iter()
        .position(|names| names.contains(&folded.as_str()))
        .map(|i| i as u32 + 1)
}

/// The order a column's values decide: some value can only be day first
/// (`13/02`) and none only month first, or the reverse. `None` when no
/// value decides, or when they disagree (then the user chooses).
pub fn infer_order<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<DateOrder> {
    let (mut day_first, mut month_first) = (false, false);
    for v in values {
        let words: Vec<&str> = v
            .trim()
            .split(['/', '.', '-'])
            .filter(|w| !w.is_empty())
            .collect();
        let (a, b) = match words[..] {
            [a, b, _] | [a, b] => (a, b),
            _ => continue,
        };
        if a.len() == 4 {
            continue;
        }
        match (a.parse::<u32>(), b.parse::<u32>()) {
            (Ok(x), Ok(y)) if x > 12 && y <= 12 => day_first = true,
            (Ok(x), Ok(y)) if y > 12 && x <= 12 => month_first = true,
            _ => {}
        }
    }
    match (day_first, month_first) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    use DateOrder::{DayFirst, MonthFirst};

    #[rstest]
    // The reader's text for Excel date cells (their number format applied).
    #[case("2024-02-13", None, Ok(d(2024, 2, 13)))]
    #[case("2024-02-13T09:30:00", None, Ok(d(2024, 2, 13)))]
    // Excel serials: 45000 is 2023-03-15; 61 is 1900-03-01 (after the
    // invented 29 February 1900); a date-time's fraction is its time.
    #[case("45000", None, Ok(d(2023, 3, 15)))]
    #[case("45000.75", None, Ok(d(2023, 3, 15)))]
    #[case("3653", None, Ok(d(1909, 12, 31)))]
    // A bare year is not a serial.
    #[case("2024", None, Err(DateIssue::NotADate))]
    #[case("13/02/2024 10:30", None, Ok(d(2024, 2, 13)))]
    // The text decides: 13 can only be a day.
    #[case("13/02/2024", None, Ok(d(2024, 2, 13)))]
    #[case("02/13/2024", None, Ok(d(2024, 2, 13)))]
    // The column decides the rest.
    #[case("03/04/2024", Some(DayFirst), Ok(d(2024, 4, 3)))]
    #[case("03/04/2024", Some(MonthFirst), Ok(d(2024, 3, 4)))]
    #[case("03/04/2024", None, Err(DateIssue::Ambiguous))]
    #[case("05/05/2024", None, Ok(d(2024, 5, 5)))]
    // Dots, dashes, two-digit years.
    #[case("2.3.24", Some(DayFirst), Ok(d(2024, 3, 2)))]
    #[case("13-02-85", None, Ok(d(1985, 2, 13)))]
    #[case("2024/02/13", None, Ok(d(2024, 2, 13)))]
    // Months by name, in several languages.
    #[case("13 Feb 2024", None, Ok(d(2024, 2, 13)))]
    #[case("Feb 13, 2024", None, Ok(d(2024, 2, 13)))]
    #[case("13 février 2024", None, Ok(d(2024, 2, 13)))]
    #[case("1. März 2024", None, Ok(d(2024, 3, 1)))]
    // Refused, each with its reason.
    #[case("2027-01-01", None, Err(DateIssue::Future))]
    #[case("31/12/2026", None, Err(DateIssue::Future))]
    // A day's grace for time zones.
    #[case("2026-12-08", None, Ok(d(2026, 12, 8)))]
    #[case("1850-06-01", None, Err(DateIssue::TooOld))]
    #[case("31/02/2024", Some(DayFirst), Err(DateIssue::NotADate))]
    #[case("13/13/2024", None, Err(DateIssue::NotADate))]
    #[case("yesterday", None, Err(DateIssue::NotADate))]
    #[case("4.5e4", None, Err(DateIssue::NotADate))]
    #[case("", None, Err(DateIssue::NotADate))]
    fn dates_are_read_as_users_see_them(
        #[case] cell: &str,
        #[case] order: Option<DateOrder>,
        #[case] expected: Result<NaiveDate, DateIssue>,
    ) {
        assert_eq!(parse_date(cell, order, today()), expected, "{cell:?}");
    }

    #[rstest]
    #[case(&["13/02/2024", "03/04/2024"], Some(DayFirst))]
    #[case(&["02/13/2024", "03/04/2024"], Some(MonthFirst))]
    #[case(&["03/04/2024", "05/06/2024"], None)]
    // Both kinds: a mixed column is for the user to sort out.
    #[case(&["13/02/2024", "02/13/2024"], None)]
    #[case(&["2024-02-13", "45000"], None)]
    fn a_column_s_values_decide_its_order(
        #[case] values: &[&str],
        #[case] expected: Option<DateOrder>,
    ) {
        assert_eq!(infer_order(values.iter().copied()), expected);
    }

    #[rstest]
    #[case("2024-02-13", None, Ok(CalendarDate::Full(d(2024, 2, 13))))]
    // A custom date may be in the future (a renewal date).
    #[case("2030-01-31", None, Ok(CalendarDate::Full(d(2030, 1, 31))))]
    #[case("31/01/2030", None, Ok(CalendarDate::Full(d(2030, 1, 31))))]
    #[case("45000", None, Ok(CalendarDate::Full(d(2023, 3, 15))))]
    // Birthdays without a year.
    #[case("13/02", None, Ok(CalendarDate::Yearless { month: 2, day: 13 }))]
    #[case("02/13", None, Ok(CalendarDate::Yearless { month: 2, day: 13 }))]
    #[case("13 Feb", None, Ok(CalendarDate::Yearless { month: 2, day: 13 }))]
    #[case("Feb 13", None, Ok(CalendarDate::Yearless { month: 2, day: 13 }))]
    #[case("13. Februar", None, Ok(CalendarDate::Yearless { month: 2, day: 13 }))]
    #[case("--02-13", None, Ok(CalendarDate::Yearless { month: 2, day: 13 }))]
    #[case("29/02", None, Ok(CalendarDate::Yearless { month: 2, day: 29 }))]
    #[case("03/04", Some(DayFirst), Ok(CalendarDate::Yearless { month: 4, day: 3 }))]
    #[case("03/04", Some(MonthFirst), Ok(CalendarDate::Yearless { month: 3, day: 4 }))]
    #[case("03/04", None, Err(DateIssue::Ambiguous))]
    #[case("30/02", None, Err(DateIssue::NotADate))]
    #[case("--13-01", None, Err(DateIssue::NotADate))]
    #[case("13/13", None, Err(DateIssue::NotADate))]
    #[case("1850-01-01", None, Err(DateIssue::TooOld))]
    #[case("Leeds", None, Err(DateIssue::NotADate))]
    #[case("12", None, Err(DateIssue::NotADate))]
    #[case("3,5", None, Err(DateIssue::NotADate))]
    #[case("1.5", None, Err(DateIssue::NotADate))]
    #[case("13.02.", None, Ok(CalendarDate::Yearless { month: 2, day: 13 }))]
    fn custom_dates_allow_the_future_and_days_without_a_year(
        #[case] cell: &str,
        #[case] order: Option<DateOrder>,
        #[case] expected: Result<CalendarDate, DateIssue>,
    ) {
        let got = parse_calendar_date(cell, order, today());
        assert_eq!(got, expected, "{cell:?}");
        if let Ok(date) = got {
            assert_eq!(CalendarDate::from_iso(&date.iso()), Some(date));
        }
    }

    #[test]
    fn days_without_a_year_decide_a_column_s_order_too() {
        assert_eq!(infer_order(["13/02", "03/04"]), Some(DayFirst));
        assert_eq!(infer_order(["02/13", "03/04"]), Some(MonthFirst));
    }

    #[test]
    fn the_region_decides_when_the_values_do_not() {
        let r = |c: &str| c.parse::<Region>().unwrap();
        assert_eq!(region_order(r("GB")), Some(DayFirst));
        assert_eq!(region_order(r("IL")), Some(DayFirst));
        assert_eq!(region_order(r("US")), Some(MonthFirst));
        assert_eq!(region_order(r("CA")), None);
        for o in [DayFirst, MonthFirst] {
            assert_eq!(DateOrder::parse(o.as_str()), Some(o));
        }
    }
}
