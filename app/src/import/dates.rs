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
    if let Ok(d) = NaiveDate::parse_from_str(day_part, "%Y-%m-%d") {
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
    let order = match (x > 12, y > 12) {
        (true, true) => return Err(DateIssue::NotADate),
        (true, false) => DateOrder::DayFirst,
        (false, true) => DateOrder::MonthFirst,
        // 05/05: either way the same day.
        (false, false) if x == y => DateOrder::DayFirst,
        (false, false) => order.ok_or(DateIssue::Ambiguous)?,
    };
    match order {
        DateOrder::DayFirst => ymd(year, y, x),
        DateOrder::MonthFirst => ymd(year, x, y),
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
        let [a, b, _] = words[..] else {
            continue;
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
