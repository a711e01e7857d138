//! Whom a contact lets us text: its SMS status, what a spreadsheet cell says
//! about it, and the one rule an import follows when it changes it.
//!
//! A contact is **opted in** (consent recorded, with when and where from),
//! **not recorded** (the default: nobody said either way) or **opted out**
//! (it said STOP, or the account was told so). Three things can speak for a
//! contact during an import:
//!
//! * a column mapped to `sms_consent` ([`parse_consent`]: yes/no,
//!   opt-in/opt-out, subscribed/unsubscribed, STOP, 1/0, true/false, in the
//!   six header languages and in Hebrew);
//! * the import's option "these people agreed to receive SMS"
//!   ([`ImportConsent::AllAgreed`], `--consent`), for the rows the file says
//!   nothing about;
//! * the import's option "this file is an opt-out list"
//!   ([`ImportConsent::OptOutList`], `--opt-out-list`): every contact of it
//!   is opted out, whatever its cells say.
//!
//! [`sms_outcome`] is the rule: **an import never lifts an opt-out** (a row
//! that would opt an opted-out contact back in leaves it opted out and is
//! counted as *kept opted out*; only a person can re-subscribe a contact, on
//! its page, with a reason); a row that says nothing keeps what is stored;
//! an import may record consent and may opt a contact out. Within one file,
//! rows of one person that disagree resolve to opted out (the safe side).

use serde::{Deserialize, Serialize};

use super::mapping::normalize_header;
use super::numbering::LineType;

/// A contact's SMS status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsStatus {
    OptedIn,
    #[default]
    NotRecorded,
    OptedOut,
}

impl SmsStatus {
    pub const ALL: [SmsStatus; 3] = [
        SmsStatus::OptedIn,
        SmsStatus::NotRecorded,
        SmsStatus::OptedOut,
    ];

    /// The name scripts and the database use.
    pub fn as_str(self) -> &'static str {
        match self {
            SmsStatus::OptedIn => "opted_in",
            SmsStatus::NotRecorded => "not_recorded",
            SmsStatus::OptedOut => "opted_out",
        }
    }

    pub fn parse(s: &str) -> Option<SmsStatus> {
        SmsStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// What people see.
    pub fn label(self) -> &'static str {
        match self {
            SmsStatus::OptedIn => "Opted in",
            SmsStatus::NotRecorded => "Not recorded",
            SmsStatus::OptedOut => "Opted out",
        }
    }
}

/// What an import's options say about consent for all its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportConsent {
    /// Only a consent column speaks (the default).
    #[default]
    FileSays,
    /// "These people agreed to receive SMS": consent is recorded for every
    /// contact whose row says nothing about it (`--consent`).
    AllAgreed,
    /// "This file is an opt-out list": every contact is opted out
    /// (`--opt-out-list`); numbers the account does not have yet are kept
    /// as opted-out contacts, so that they stay suppressed if added later.
    OptOutList,
}

impl ImportConsent {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportConsent::FileSays => "file_says",
            ImportConsent::AllAgreed => "all_agreed",
            ImportConsent::OptOutList => "opt_out_list",
        }
    }

    pub fn parse(s: &str) -> Option<ImportConsent> {
        [
            ImportConsent::FileSays,
            ImportConsent::AllAgreed,
            ImportConsent::OptOutList,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// What a row's consent cell said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowConsent {
    /// [`SmsStatus::OptedIn`] or [`SmsStatus::OptedOut`].
    pub status: SmsStatus,
    /// The cell as written (for the status's source: "… said “STOP”").
    pub said: String,
    /// When, if a consent date column says.
    #[serde(default)]
    pub date: Option<chrono::NaiveDate>,
}

/// Longest consent cell kept as the said value.
const MAX_SAID: usize = 40;

/// A consent cell that says neither yes nor no ("maybe").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadableConsent;

/// What a consent cell says: `Ok(Some(OptedIn | OptedOut))`, `Ok(None)` for
/// an empty cell, `Err` for a value that says neither (the row is still
/// imported; the value is reported and ignored).
pub fn parse_consent(cell: &str) -> Result<Option<RowConsent>, UnreadableConsent> {
    let trimmed = cell.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let words = normalize_header(trimmed);
    let key = words.replace(' ', "");
    let status = if YES.contains(&key.as_str()) || YES.contains(&words.as_str()) {
        SmsStatus::OptedIn
    } else if NO.contains(&key.as_str()) || NO.contains(&words.as_str()) {
        SmsStatus::OptedOut
    } else if let Some(s) = hebrew(trimmed) {
        s
    } else {
        return match trimmed {
            "1" | "✓" | "✔" => Ok(Some(consent(SmsStatus::OptedIn, trimmed))),
            "0" | "✗" | "✘" => Ok(Some(consent(SmsStatus::OptedOut, trimmed))),
            _ => Err(UnreadableConsent),
        };
    };
    Ok(Some(consent(status, trimmed)))
}

fn consent(status: SmsStatus, said: &str) -> RowConsent {
    RowConsent {
        status,
        said: said.chars().take(MAX_SAID).collect(),
        date: None,
    }
}

/// Values that give consent, as [`normalize_header`] leaves them, spaces
/// removed (`opt-in` → `optin`).
const YES: &[&str] = &[
    // English
    "yes",
    "y",
    "true",
    "optin",
    "optedin",
    "subscribed",
    "subscribe",
    "agreed",
    "consent",
    "consented",
    "granted",
    "allowed",
    "ok",
    "start",
    "unstop",
    "x",
    // French
    "oui",
    "vrai",
    "abonne",
    "inscrit",
    "accepte",
    "consentement",
    // German
    "ja",
    "wahr",
    "abonniert",
    "angemeldet",
    "zugestimmt",
    "einverstanden",
    // Spanish
    "si",
    "verdadero",
    "suscrito",
    "aceptado",
    // Portuguese
    "sim",
    "verdadeiro",
    "inscrito",
    "assinado",
    "aceito",
    // Italian
    "vero",
    "iscritto",
    "accettato",
];

/// Values that refuse or withdraw it.
const NO: &[&str] = &[
    // English
    "no",
    "n",
    "false",
    "optout",
    "optedout",
    "unsubscribed",
    "unsubscribe",
    "stop",
    "stopall",
    "cancel",
    "end",
    "quit",
    "revoked",
    "refused",
    "declined",
    "denied",
    "none",
    // French
    "non",
    "faux",
    "desabonne",
    "desinscrit",
    "refuse",
    "arret",
    "arreter",
    // German
    "nein",
    "falsch",
    "abgemeldet",
    "abbestellt",
    "widerrufen",
    "abgelehnt",
    // Spanish
    "falso",
    "baja",
    "dado de baja",
    "cancelado",
    "rechazado",
    // Portuguese
    "nao",
    "descadastrado",
    "recusado",
    "sair",
    // Italian
    "disiscritto",
    "annullato",
    "rifiutato",
];

/// Hebrew yes / no and STOP ("הסר": remove), with or without niqqud.
fn hebrew(cell: &str) -> Option<SmsStatus> {
    let s: String = cell
        .chars()
        .filter(|c| !('\u{0591}'..='\u{05C7}').contains(c))
        .collect::<String>()
        .trim()
        .to_string();
    match s.as_str() {
        "כן" | "מאשר" | "מאשרת" | "מסכים" | "מסכימה" | "רשום" | "רשומה" => {
            Some(SmsStatus::OptedIn)
        }
        "לא" | "הסר" | "הסרה" | "הוסר" | "הוסרה" | "סרב" | "סירב" | "סירבה" => {
            Some(SmsStatus::OptedOut)
        }
        _ => None,
    }
}

/// Of two rows of one person, the consent that stands: opted out wins;
/// between equals, the first.
pub fn merge_consent(into: &mut Option<RowConsent>, from: Option<RowConsent>) {
    match (into.as_ref(), from) {
        (None, from) => *into = from,
        (Some(a), Some(b))
            if a.status != SmsStatus::OptedOut && b.status == SmsStatus::OptedOut =>
        {
            *into = Some(b)
        }
        _ => {}
    }
}

/// Why an import changes a contact's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum SmsCause {
    /// The row's consent cell said this (on `date`, if a column says when).
    Cell {
        said: String,
        #[serde(default)]
        date: Option<chrono::NaiveDate>,
    },
    /// The import's "these people agreed" option.
    AllAgreed,
    /// The import is an opt-out list.
    OptOutList,
    /// A person, on the contact's page or in Add Single Contact.
    Person,
}

impl SmsCause {
    /// The change's source as the contact's history shows it;
    /// `import` names the import ("import of leads.xlsx").
    pub fn source(&self, import: &str) -> String {
        match self {
            SmsCause::Cell { said, date: None } => format!("{import}: the file said “{said}”"),
            SmsCause::Cell {
                said,
                date: Some(d),
            } if said.is_empty() => format!("{import}: consent given on {d}"),
            SmsCause::Cell {
                said,
                date: Some(d),
            } => format!("{import}: the file said “{said}” on {d}"),
            SmsCause::AllAgreed => format!("{import}: the importer said they agreed"),
            SmsCause::OptOutList => format!("{import}: an opt-out list"),
            SmsCause::Person => import.to_string(),
        }
    }
}

/// A status an import changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsChange {
    pub from: SmsStatus,
    pub to: SmsStatus,
    pub cause: SmsCause,
}

impl SmsChange {
    /// The day the file says the consent (or opt-out) was given, if it does.
    pub fn given_on(&self) -> Option<chrono::NaiveDate> {
        match &self.cause {
            SmsCause::Cell { date, .. } => *date,
            _ => None,
        }
    }
}

/// What an import does to one contact's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsOutcome {
    /// The status after the import.
    pub status: SmsStatus,
    /// Set when it changes.
    pub change: Option<SmsChange>,
    /// The import would have opted an opted-out contact back in.
    pub kept_opted_out: bool,
}

/// The rule (see the module docs): what an import does to a contact whose
/// status is `stored` (a new contact: [`SmsStatus::NotRecorded`]) when its
/// row says `row` under the import's `option`.
pub fn sms_outcome(
    stored: SmsStatus,
    row: Option<&RowConsent>,
    option: ImportConsent,
) -> SmsOutcome {
    let wish = match (option, row) {
        (ImportConsent::OptOutList, _) => Some((SmsStatus::OptedOut, SmsCause::OptOutList)),
        (_, Some(r)) => Some((
            r.status,
            SmsCause::Cell {
                said: r.said.clone(),
                date: r.date,
            },
        )),
        (ImportConsent::AllAgreed, None) => Some((SmsStatus::OptedIn, SmsCause::AllAgreed)),
        (ImportConsent::FileSays, None) => None,
    };
    let unchanged = SmsOutcome {
        status: stored,
        change: None,
        kept_opted_out: false,
    };
    match wish {
        None => unchanged,
        Some((to, _)) if to == stored => unchanged,
        Some((SmsStatus::OptedIn, _)) if stored == SmsStatus::OptedOut => SmsOutcome {
            kept_opted_out: true,
            ..unchanged
        },
        Some((to, cause)) => SmsOutcome {
            status: to,
            change: Some(SmsChange {
                from: stored,
                to,
                cause,
            }),
            kept_opted_out: false,
        },
    }
}

// ------------------------------------------------------------ whom we text

/// A phone of a contact, as far as choosing its SMS number goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneLine<'a> {
    /// E.164.
    pub number: &'a str,
    pub line: LineType,
    pub is_primary: bool,
    pub position: i32,
}

/// The one number a contact is texted at: of its phones that can receive
/// SMS ([`LineType::can_receive_sms`]), the primary one; else a mobile
/// before a number that may be a landline (`mobile_or_landline`), VoIP or
/// personal; then the first in its list. `None`: no phone of it can take a
/// text. Stored with the contact (`contact.sms_number`) by every write, so
/// that the Messages module's counts read one column.
pub fn sms_number<'a>(phones: impl IntoIterator<Item = PhoneLine<'a>>) -> Option<&'a str> {
    phones
        .into_iter()
        .filter(|p| p.line.can_receive_sms())
        .min_by_key(|p| (!p.is_primary, p.line != LineType::Mobile, p.position))
        .map(|p| p.number)
}

/// Why a selected contact is not texted, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// It opted out.
    OptedOut,
    /// It has no phone at all.
    NoPhone,
    /// It has phones, none of which can receive SMS.
    LandlineOnly,
    /// The account requires recorded consent, and it has none.
    NoConsent,
}

impl Exclusion {
    pub const ALL: [Exclusion; 4] = [
        Exclusion::OptedOut,
        Exclusion::NoPhone,
        Exclusion::LandlineOnly,
        Exclusion::NoConsent,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Exclusion::OptedOut => "opted out",
            Exclusion::NoPhone => "no phone number",
            Exclusion::LandlineOnly => "only numbers that can't receive SMS",
            Exclusion::NoConsent => "no consent recorded",
        }
    }
}

/// Whether a contact's phones let it be texted at all: the class the
/// recipients' counts are kept by (per account and per group, by status and
/// reach), so that the counts of a million contacts read a few rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// It has a number that can receive SMS ([`sms_number`]).
    Textable,
    /// It has phones, none of which can receive SMS.
    LandlineOnly,
    /// It has no phone at all.
    NoPhone,
}

impl Reach {
    pub const ALL: [Reach; 3] = [Reach::Textable, Reach::LandlineOnly, Reach::NoPhone];

    /// The name the database uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Textable => "textable",
            Reach::LandlineOnly => "landline_only",
            Reach::NoPhone => "no_phone",
        }
    }

    pub fn parse(s: &str) -> Option<Reach> {
        Reach::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The reach of a contact texted at `sms_number` (`None`: at none),
    /// having a phone or not.
    pub fn of(sms_number: Option<&str>, has_phone: bool) -> Reach {
        match (sms_number, has_phone) {
            (Some(_), _) => Reach::Textable,
            (None, true) => Reach::LandlineOnly,
            (None, false) => Reach::NoPhone,
        }
    }
}

/// Whether a selected contact is texted (at its `sms_number`), or why not:
/// the rule the recipients' counts follow (the store counts contacts by
/// status and reach and asks this of each pair).
pub fn recipient_verdict(
    status: SmsStatus,
    reach: Reach,
    require_consent: bool,
) -> Result<(), Exclusion> {
    if status == SmsStatus::OptedOut {
        return Err(Exclusion::OptedOut);
    }
    match reach {
        Reach::LandlineOnly => return Err(Exclusion::LandlineOnly),
        Reach::NoPhone => return Err(Exclusion::NoPhone),
        Reach::Textable => {}
    }
    if require_consent && status != SmsStatus::OptedIn {
        return Err(Exclusion::NoConsent);
    }
    Ok(())
}

/// Longest reason a person may give for a re-subscription.
pub const MAX_REASON: usize = 500;

/// Why a person's change of status is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusIssue {
    /// Leaving "opted out" (re-subscribing) needs the reason, recorded.
    ReasonRequired,
    ReasonTooLong,
    /// Another change (an import) came first: look again, then choose.
    ChangedMeanwhile,
}

impl std::fmt::Display for StatusIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusIssue::ReasonRequired => f.write_str(
                "This contact opted out. Say why they may be texted again (for example \
                 “asked to re-subscribe by e-mail on 3 May”): the reason is kept in its history.",
            ),
            StatusIssue::ReasonTooLong => {
                write!(f, "The reason is longer than {MAX_REASON} characters.")
            }
            StatusIssue::ChangedMeanwhile => f.write_str(
                "This contact's SMS status changed meanwhile (an import?). It is shown again: check it, then choose.",
            ),
        }
    }
}

/// A person sets a contact's status from `stored` to `to`: any change is
/// theirs to make, but leaving "opted out" (a re-subscription) needs a
/// reason, which is recorded with it. `Ok(None)`: nothing changes.
pub fn person_change(
    stored: SmsStatus,
    to: SmsStatus,
    reason: &str,
) -> Result<Option<SmsChange>, StatusIssue> {
    if reason.chars().count() > MAX_REASON {
        return Err(StatusIssue::ReasonTooLong);
    }
    if to == stored {
        return Ok(None);
    }
    if stored == SmsStatus::OptedOut && reason.trim().is_empty() {
        return Err(StatusIssue::ReasonRequired);
    }
    Ok(Some(SmsChange {
        from: stored,
        to,
        cause: SmsCause::Person,
    }))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("yes", Some(SmsStatus::OptedIn))]
    #[case(" Y ", Some(SmsStatus::OptedIn))]
    #[case("TRUE", Some(SmsStatus::OptedIn))]
    #[case("Opt-in", Some(SmsStatus::OptedIn))]
    #[case("opted in", Some(SmsStatus::OptedIn))]
    #[case("Subscribed", Some(SmsStatus::OptedIn))]
    #[case("1", Some(SmsStatus::OptedIn))]
    #[case("Oui", Some(SmsStatus::OptedIn))]
    #[case("abonné", Some(SmsStatus::OptedIn))]
    #[case("Ja", Some(SmsStatus::OptedIn))]
    #[case("Sí", Some(SmsStatus::OptedIn))]
    #[case("sim", Some(SmsStatus::OptedIn))]
    #[case("sì", Some(SmsStatus::OptedIn))]
    #[case("כן", Some(SmsStatus::OptedIn))]
    #[case("no", Some(SmsStatus::OptedOut))]
    #[case("FALSE", Some(SmsStatus::OptedOut))]
    #[case("0", Some(SmsStatus::OptedOut))]
    #[case("Opt-out", Some(SmsStatus::OptedOut))]
    #[case("OPT OUT", Some(SmsStatus::OptedOut))]
    #[case("unsubscribed", Some(SmsStatus::OptedOut))]
    #[case("STOP", Some(SmsStatus::OptedOut))]
    #[case("Stop.", Some(SmsStatus::OptedOut))]
    #[case("non", Some(SmsStatus::OptedOut))]
    #[case("désabonné", Some(SmsStatus::OptedOut))]
    #[case("nein", Some(SmsStatus::OptedOut))]
    #[case("abgemeldet", Some(SmsStatus::OptedOut))]
    #[case("dado de baja", Some(SmsStatus::OptedOut))]
    #[case("não", Some(SmsStatus::OptedOut))]
    #[case("disiscritto", Some(SmsStatus::OptedOut))]
    #[case("לא", Some(SmsStatus::OptedOut))]
    #[case("הסרה", Some(SmsStatus::OptedOut))]
    #[case("", None)]
    #[case("   ", None)]
    fn consent_cells_are_read_in_every_language(
        #[case] cell: &str,
        #[case] expected: Option<SmsStatus>,
    ) {
        assert_eq!(
            parse_consent(cell).map(|c| c.map(|c| c.status)),
            Ok(expected),
            "{cell:?}"
        );
    }

    #[rstest]
    #[case("maybe")]
    #[case("2")]
    #[case("call me")]
    #[case("07400 123456")]
    fn a_cell_that_says_neither_is_an_error(#[case] cell: &str) {
        assert_eq!(parse_consent(cell), Err(UnreadableConsent));
    }

    #[test]
    fn the_said_value_is_kept_as_written_and_short() {
        assert_eq!(parse_consent(" STOP ").unwrap().unwrap().said, "STOP");
        assert_eq!(parse_consent("Opted-In").unwrap().unwrap().said, "Opted-In");
    }

    use ImportConsent::{AllAgreed, FileSays, OptOutList};
    use SmsStatus::{NotRecorded, OptedIn, OptedOut};

    /// (stored, what the row says, option) → (status after, changed, kept opted out)
    #[rstest]
    // A row that says nothing keeps what is stored.
    #[case(OptedIn, None, FileSays, OptedIn, false, false)]
    #[case(NotRecorded, None, FileSays, NotRecorded, false, false)]
    #[case(OptedOut, None, FileSays, OptedOut, false, false)]
    // A row records consent, or opts out.
    #[case(NotRecorded, Some(OptedIn), FileSays, OptedIn, true, false)]
    #[case(NotRecorded, Some(OptedOut), FileSays, OptedOut, true, false)]
    #[case(OptedIn, Some(OptedOut), FileSays, OptedOut, true, false)]
    #[case(OptedIn, Some(OptedIn), FileSays, OptedIn, false, false)]
    // Never lifts an opt-out: kept, and counted.
    #[case(OptedOut, Some(OptedIn), FileSays, OptedOut, false, true)]
    #[case(OptedOut, None, AllAgreed, OptedOut, false, true)]
    #[case(OptedOut, Some(OptedIn), AllAgreed, OptedOut, false, true)]
    #[case(OptedOut, Some(OptedOut), FileSays, OptedOut, false, false)]
    // "They agreed" fills what the file leaves unsaid, not what it says.
    #[case(NotRecorded, None, AllAgreed, OptedIn, true, false)]
    #[case(NotRecorded, Some(OptedOut), AllAgreed, OptedOut, true, false)]
    #[case(OptedIn, None, AllAgreed, OptedIn, false, false)]
    // An opt-out list opts everyone out, whatever the cells say.
    #[case(NotRecorded, None, OptOutList, OptedOut, true, false)]
    #[case(OptedIn, Some(OptedIn), OptOutList, OptedOut, true, false)]
    #[case(OptedOut, None, OptOutList, OptedOut, false, false)]
    fn an_import_never_lifts_an_opt_out(
        #[case] stored: SmsStatus,
        #[case] row: Option<SmsStatus>,
        #[case] option: ImportConsent,
        #[case] after: SmsStatus,
        #[case] changed: bool,
        #[case] kept: bool,
    ) {
        let row = row.map(|status| RowConsent {
            status,
            said: "x".into(),
            date: None,
        });
        let o = sms_outcome(stored, row.as_ref(), option);
        assert_eq!(
            (o.status, o.change.is_some(), o.kept_opted_out),
            (after, changed, kept)
        );
        if let Some(c) = o.change {
            assert_eq!((c.from, c.to), (stored, after));
        }
    }

    #[test]
    fn rows_of_one_person_that_disagree_resolve_to_opted_out() {
        let yes = parse_consent("yes").unwrap();
        let stop = parse_consent("STOP").unwrap();
        let mut c = yes.clone();
        merge_consent(&mut c, stop.clone());
        assert_eq!(c, stop);
        merge_consent(&mut c, yes.clone());
        assert_eq!(c, stop);
        let mut none = None;
        merge_consent(&mut none, yes.clone());
        assert_eq!(none, yes);
    }

    #[rstest]
    #[case(NotRecorded, OptedIn, "", Ok(true))]
    #[case(OptedIn, OptedOut, "", Ok(true))]
    #[case(OptedIn, OptedIn, "", Ok(false))]
    // Re-subscribing needs a reason.
    #[case(OptedOut, OptedIn, "", Err(StatusIssue::ReasonRequired))]
    #[case(OptedOut, OptedIn, "   ", Err(StatusIssue::ReasonRequired))]
    #[case(OptedOut, NotRecorded, "", Err(StatusIssue::ReasonRequired))]
    #[case(OptedOut, OptedIn, "asked by e-mail on 3 May", Ok(true))]
    fn only_a_person_with_a_reason_lifts_an_opt_out(
        #[case] stored: SmsStatus,
        #[case] to: SmsStatus,
        #[case] reason: &str,
        #[case] expected: Result<bool, StatusIssue>,
    ) {
        assert_eq!(
            person_change(stored, to, reason).map(|c| c.is_some()),
            expected
        );
    }

    fn line(number: &str, line: LineType, is_primary: bool, position: i32) -> PhoneLine<'_> {
        PhoneLine {
            number,
            line,
            is_primary,
            position,
        }
    }

    #[rstest]
    // The primary, if it takes a text.
    #[case(vec![line("+1", LineType::Mobile, false, 0), line("+2", LineType::Mobile, true, 1)], Some("+2"))]
    // A primary landline is passed over.
    #[case(vec![line("+1", LineType::Landline, true, 0), line("+2", LineType::Voip, false, 1)], Some("+2"))]
    // A mobile before a number that may be a landline, then the list's order.
    #[case(vec![line("+1", LineType::MobileOrLandline, false, 0), line("+2", LineType::Mobile, false, 1)], Some("+2"))]
    #[case(vec![line("+1", LineType::Mobile, false, 3), line("+2", LineType::Mobile, false, 1)], Some("+2"))]
    #[case(vec![line("+1", LineType::Landline, true, 0), line("+2", LineType::TollFree, false, 1)], None)]
    #[case(vec![], None)]
    fn one_number_per_contact(
        #[case] phones: Vec<PhoneLine<'static>>,
        #[case] expected: Option<&str>,
    ) {
        assert_eq!(sms_number(phones), expected);
    }

    #[rstest]
    #[case(OptedIn, Some("+1"), true, true, Ok(()))]
    #[case(NotRecorded, Some("+1"), true, false, Ok(()))]
    #[case(NotRecorded, Some("+1"), true, true, Err(Exclusion::NoConsent))]
    // Opted out comes first, whatever else is true.
    #[case(OptedOut, None, false, true, Err(Exclusion::OptedOut))]
    #[case(OptedIn, None, true, false, Err(Exclusion::LandlineOnly))]
    #[case(OptedIn, None, false, false, Err(Exclusion::NoPhone))]
    // No number is said before no consent.
    #[case(NotRecorded, None, true, true, Err(Exclusion::LandlineOnly))]
    fn who_is_texted_and_why_not(
        #[case] status: SmsStatus,
        #[case] number: Option<&str>,
        #[case] has_phone: bool,
        #[case] require_consent: bool,
        #[case] expected: Result<(), Exclusion>,
    ) {
        assert_eq!(
            recipient_verdict(status, Reach::of(number, has_phone), require_consent),
            expected
        );
    }

    #[rstest]
    #[case(Some("+447400123456"), true, Reach::Textable)]
    #[case(None, true, Reach::LandlineOnly)]
    #[case(None, false, Reach::NoPhone)]
    fn reach_from_number_and_phones(
        #[case] number: Option<&str>,
        #[case] has_phone: bool,
        #[case] expected: Reach,
    ) {
        let reach = Reach::of(number, has_phone);
        assert_eq!(reach, expected);
        assert_eq!(Reach::parse(reach.as_str()), Some(reach));
    }

    #[test]
    fn a_change_names_its_source() {
        let cause = SmsCause::Cell {
            said: "STOP".into(),
            date: None,
        };
        assert_eq!(
            cause.source("import of leads.xlsx"),
            "import of leads.xlsx: the file said “STOP”"
        );
        let dated = SmsCause::Cell {
            said: "yes".into(),
            date: chrono::NaiveDate::from_ymd_opt(2024, 2, 13),
        };
        assert_eq!(
            dated.source("import of leads.xlsx"),
            "import of leads.xlsx: the file said “yes” on 2024-02-13"
        );
    }
}
