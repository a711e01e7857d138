//! Phone and e-mail validation: one implementation, compiled for both sides.
//!
//! * A phone is valid when `phonenumber` parses it with the default region and
//!   says it is a valid number (by phonenumber's rules, with its patterns
//!   compiled once: `numbering`); it is stored in E.164 (`+447911123123`).
//! * An e-mail is valid by this rule (a practical subset of RFC 5321/5322):
//!   - exactly one `@`, with at most 254 characters in all;
//!   - a local part of 1–64 characters, no whitespace or control characters,
//!     none of `" ( ) , : ; < > [ \ ]`, and no leading, trailing or doubled dot;
//!   - a domain of at most 253 characters made of dot-separated labels of 1–63
//!     letters, digits or hyphens, no label starting or ending with a hyphen,
//!     at least two labels, the last one made of at least two letters.
//!
//!   The domain is lower-cased; the local part is kept as typed (it may be
//!   case-sensitive on the receiving server).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use phonenumber::country;
use serde::{Deserialize, Serialize};

use super::numbering::LineType;
use super::text::compatible;

/// The two kinds of contact detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetailKind {
    Phone,
    Email,
}

impl DetailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DetailKind::Phone => "phone",
            DetailKind::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "phone" => Some(DetailKind::Phone),
            "email" => Some(DetailKind::Email),
            _ => None,
        }
    }
}

/// A default region for phone numbers written without a country code:
/// an ISO 3166-1 alpha-2 code that libphonenumber knows (`GB`, `FR`, `US`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(country::Id);

impl Region {
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

impl Default for Region {
    fn default() -> Self {
        Region(country::Id::GB)
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        country::Id::from_str(&code)
            .map(Region)
            .map_err(|_| format!("{s:?} is not a known phone region; use a two-letter country code such as GB, FR or US"))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The country a browser's language tag names (`en-GB` → GB, `he-IL` →
/// IL), else the one its language mostly means (`he` → IL, `fr` → FR);
/// `None` for a language spoken in many (`en`, `es`, `pt`) without a
/// country.
pub fn region_of_locale(locale: &str) -> Option<Region> {
    let mut parts = locale.split(['-', '_']);
    let language = parts.next()?.to_ascii_lowercase();
    if let Some(region) = parts
        .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .and_then(|p| p.parse::<Region>().ok())
    {
        return Some(region);
    }
    let country = match language.as_str() {
        "he" | "iw" => "IL",
        "fr" => "FR",
        "de" => "DE",
        "it" => "IT",
        "nl" => "NL",
        "pl" => "PL",
        "ja" => "JP",
        "el" => "GR",
        "sv" => "SE",
        "da" => "DK",
        "fi" => "FI",
        "cs" => "CZ",
        "hu" => "HU",
        _ => return None,
    };
    country.parse().ok()
}

/// A phone region offered in the wizard, with its English name.
pub const REGIONS: &[(&str, &str)] = &[
    ("AR", "Argentina"),
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BR", "Brazil"),
    ("BG", "Bulgaria"),
    ("CA", "Canada"),
    ("CL", "Chile"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("HR", "Croatia"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("EG", "Egypt"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GH", "Ghana"),
    ("GR", "Greece"),
    ("HK", "Hong Kong"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IN", "India"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("KE", "Kenya"),
    ("KR", "Korea, South"),
    ("LV", "Latvia"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MY", "Malaysia"),
    ("MT", "Malta"),
    ("MX", "Mexico"),
    ("MA", "Morocco"),
    ("NL", "Netherlands"),
    ("NZ", "New Zealand"),
    ("NG", "Nigeria"),
    ("NO", "Norway"),
    ("PK", "Pakistan"),
    ("PE", "Peru"),
    ("PH", "Philippines"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SA", "Saudi Arabia"),
    ("RS", "Serbia"),
    ("SG", "Singapore"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("ZA", "South Africa"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("TW", "Taiwan"),
    ("TH", "Thailand"),
    ("TR", "Türkiye"),
    ("UA", "Ukraine"),
    ("AE", "United Arab Emirates"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("VN", "Vietnam"),
];

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneIssue {
    Empty,
    /// Not a phone number at all (letters, too few digits…).
    NotANumber,
    /// Parsed, but not a number that exists in its country's numbering plan.
    NotValid,
}

/// Why an e-mail address was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailIssue {
    Empty,
    MissingAt,
    SeveralAt,
    TooLong,
    BadLocalPart,
    BadDomain,
}

/// What makes two details the same: the E.164 number, or the e-mail
/// lower-cased (providers treat local parts case-insensitively).
pub fn match_key(kind: DetailKind, value: &str) -> String {
    match kind {
        DetailKind::Phone => value.to_string(),
        DetailKind::Email => value.to_lowercase(),
    }
}

/// Longest phone input we even try to parse (E.164 is 15 digits; leave room
/// for spaces, punctuation and an extension).
const MAX_PHONE_INPUT: usize = 64;

/// Parses `raw` with `region` as the default and returns it in E.164.
pub fn normalize_phone(raw: &str, region: Region) -> Result<String, PhoneIssue> {
    classify_phone(raw, region).map(|(e164, _)| e164)
}

/// [`normalize_phone`], with the number's line type.
pub fn classify_phone(raw: &str, region: Region) -> Result<(String, LineType), PhoneIssue> {
    let raw = compatible(raw);
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(PhoneIssue::Empty);
    }
    if raw.chars().count() > MAX_PHONE_INPUT || !raw.chars().any(|c| c.is_ascii_digit()) {
        return Err(PhoneIssue::NotANumber);
    }
    let number = phonenumber::parse(Some(region.0), raw).map_err(|_| PhoneIssue::NotANumber)?;
    super::numbering::classify(&number).ok_or(PhoneIssue::NotValid)
}

/// Formats an E.164 number for people: the international format
/// (`+44 7911 123123`). Falls back to the stored value.
pub fn display_phone(e164: &str) -> String {
    match phonenumber::parse(None, e164) {
        Ok(n) => n
            .format()
            .mode(phonenumber::Mode::International)
            .to_string(),
        Err(_) => e164.to_string(),
    }
}

/// Validates `raw` by the rule in the module docs and returns it with the
/// domain lower-cased.
pub fn normalize_email(raw: &str) -> Result<String, EmailIssue> {
    let raw = compatible(raw);
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(EmailIssue::Empty);
    }
    let (local, domain) = match raw.split_once('@') {
        None => return Err(EmailIssue::MissingAt),
        Some((_, d)) if d.contains('@') => return Err(EmailIssue::SeveralAt),
        Some(parts) => parts,
    };
    if raw.len() > 254 || local.len() > 64 || domain.len() > 253 {
        return Err(EmailIssue::TooLong);
    }
    if !local_part_ok(local) {
        return Err(EmailIssue::BadLocalPart);
    }
    if !domain_ok(domain) {
        return Err(EmailIssue::BadDomain);
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

fn local_part_ok(local: &str) -> bool {
    !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"\"(),:;<>[\\]".contains(c))
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld = labels[labels.len() - 1];
    labels.iter().all(label_ok) && tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
}

/// Normalises a phone as a spreadsheet may have mangled it: a number that
/// lost its leading `0` or `+` (a numeric cell), or one written in scientific
/// notation whose digits are all present (`4.47911123456E+11`). A repair is
/// kept only when it gives a valid number.
pub fn lenient_phone(raw: &str, region: Region) -> Result<String, PhoneIssue> {
    lenient_classify(raw, region).map(|(e164, _)| e164)
}

/// [`lenient_phone`], with the number's line type.
pub fn lenient_classify(raw: &str, region: Region) -> Result<(String, LineType), PhoneIssue> {
    let raw = compatible(raw);
    let raw = raw.trim();
    let first = classify_phone(raw, region);
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
        if let Ok(n) = classify_phone(&candidate, region) {
            return Ok(n);
        }
    }
    first
}

/// `4.47911123456E+11` → `Some(Ok("447911123456"))`; `4.47912E+11` (digits
/// lost) → `Some(Err(()))`; anything else → `None`.
pub(crate) fn expand_scientific(raw: &str) -> Option<Result<String, ()>> {
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

/// A phone cell's verdict: E.164 and line type, or why it is not a number.
type PhoneVerdict = Result<(String, LineType), PhoneIssue>;

/// Phone verdicts by (region, text as written). Parsing a number is most
/// of the cost of validating a row, and the wizard revalidates every row
/// after each mapping change: with the verdicts kept, only cells never seen
/// are parsed.
#[derive(Debug, Default)]
pub struct PhoneCache {
    verdicts: HashMap<Region, HashMap<String, PhoneVerdict>>,
    len: usize,
}

impl PhoneCache {
    /// Verdicts kept at most; past this the cache starts over (memory stays
    /// bounded whatever the file).
    pub const CAPACITY: usize = 1_000_000;

    /// [`lenient_classify`], remembered.
    pub fn lenient_phone(
        &mut self,
        raw: &str,
        region: Region,
    ) -> Result<(String, LineType), PhoneIssue> {
        if let Some(v) = self.verdicts.get(&region).and_then(|m| m.get(raw)) {
            return v.clone();
        }
        let v = lenient_classify(raw, region);
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn every_offered_region_is_known_to_the_phone_library() {
        for (code, _) in REGIONS {
            assert!(code.parse::<Region>().is_ok(), "{code}");
        }
        assert!(
            REGIONS.windows(2).all(|w| w[0].1 < w[1].1),
            "sorted by name"
        );
    }

    #[test]
    fn the_phone_cache_gives_the_same_verdicts_and_parses_each_text_once() {
        let mut cache = PhoneCache::default();
        let fr: Region = "FR".parse().unwrap();
        for raw in ["07400 123456", "12", "06 12 34 56 78", "07400 123456"] {
            assert_eq!(
                cache.lenient_phone(raw, gb()),
                lenient_classify(raw, gb()),
                "{raw}"
            );
        }
        assert_eq!(cache.len(), 3);
        // The region is part of the key.
        assert_eq!(
            cache.lenient_phone("06 12 34 56 78", fr),
            Ok(("+33612345678".to_string(), LineType::Mobile))
        );
        assert_eq!(cache.len(), 4);
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

    fn gb() -> Region {
        "GB".parse().unwrap()
    }

    #[rstest]
    #[case::national_mobile("07911 123123", "+447911123123")]
    #[case::international("+44 7911 123123", "+447911123123")]
    #[case::idd_prefix("0044 7911 123123", "+447911123123")]
    #[case::punctuation("(020) 7946-0018", "+442079460018")]
    #[case::other_country("+33 6 12 34 56 78", "+33612345678")]
    #[case::us("+1 (202) 555-0143", "+12025550143")]
    fn valid_phones_become_e164(#[case] raw: &str, #[case] e164: &str) {
        assert_eq!(normalize_phone(raw, gb()), Ok(e164.to_string()));
    }

    #[rstest]
    #[case::empty("   ", PhoneIssue::Empty)]
    #[case::letters("call me", PhoneIssue::NotANumber)]
    #[case::too_short("0770", PhoneIssue::NotValid)]
    #[case::ofcom_drama_mobile("+44 7700 900123", PhoneIssue::NotValid)]
    fn invalid_phones_are_refused(#[case] raw: &str, #[case] issue: PhoneIssue) {
        assert_eq!(normalize_phone(raw, gb()), Err(issue));
    }

    #[test]
    fn the_region_decides_national_numbers() {
        let fr: Region = "fr".parse().unwrap();
        assert_eq!(
            normalize_phone("06 12 34 56 78", fr),
            Ok("+33612345678".into())
        );
        assert!(normalize_phone("06 12 34 56 78", gb()).is_err());
    }

    #[test]
    fn unknown_regions_are_refused_with_advice() {
        let err = "XX".parse::<Region>().unwrap_err();
        assert!(err.contains("two-letter country code"), "{err}");
    }

    #[test]
    fn huge_phone_input_is_refused_without_parsing() {
        let raw = "1".repeat(10_000);
        assert_eq!(normalize_phone(&raw, gb()), Err(PhoneIssue::NotANumber));
    }

    #[test]
    fn phones_display_in_international_format() {
        assert_eq!(display_phone("+447911123123"), "+44 7911 123123");
    }

    #[rstest]
    #[case::plain("jane@example.com", "jane@example.com")]
    #[case::domain_lowercased("Jane.Doe@Example.CO.UK", "Jane.Doe@example.co.uk")]
    #[case::trimmed("  a+tag@sub.example.org ", "a+tag@sub.example.org")]
    #[case::hyphen_domain("x@my-host.example", "x@my-host.example")]
    #[case::idn("user@bücher.de", "user@bücher.de")]
    fn valid_emails(#[case] raw: &str, #[case] normalized: &str) {
        assert_eq!(normalize_email(raw), Ok(normalized.to_string()));
    }

    #[rstest]
    #[case::empty("", EmailIssue::Empty)]
    #[case::no_at("jane.example.com", EmailIssue::MissingAt)]
    #[case::two_at("a@b@example.com", EmailIssue::SeveralAt)]
    #[case::no_local("@example.com", EmailIssue::BadLocalPart)]
    #[case::space_in_local("jane doe@example.com", EmailIssue::BadLocalPart)]
    #[case::double_dot("jane..doe@example.com", EmailIssue::BadLocalPart)]
    #[case::single_label("jane@localhost", EmailIssue::BadDomain)]
    #[case::numeric_tld("jane@example.123", EmailIssue::BadDomain)]
    #[case::one_letter_tld("jane@example.c", EmailIssue::BadDomain)]
    #[case::hyphen_edge("jane@-example.com", EmailIssue::BadDomain)]
    #[case::empty_label("jane@example..com", EmailIssue::BadDomain)]
    #[case::underscore("jane@ex_ample.com", EmailIssue::BadDomain)]
    fn invalid_emails(#[case] raw: &str, #[case] issue: EmailIssue) {
        assert_eq!(normalize_email(raw), Err(issue));
    }

    #[test]
    fn email_lengths_follow_rfc_5321() {
        let local = "a".repeat(65);
        assert_eq!(
            normalize_email(&format!("{local}@example.com")),
            Err(EmailIssue::TooLong)
        );
        let label = "a".repeat(63);
        let long = format!("x@{label}.{label}.{label}.{label}.com");
        assert_eq!(normalize_email(&long), Err(EmailIssue::TooLong));
        let label64 = "a".repeat(64);
        assert_eq!(
            normalize_email(&format!("x@{label64}.com")),
            Err(EmailIssue::BadDomain)
        );
    }

    #[rstest::rstest]
    #[case("en-GB", Some("GB"))]
    #[case("he-IL", Some("IL"))]
    #[case("he", Some("IL"))]
    #[case("fr", Some("FR"))]
    #[case("fr-BE", Some("BE"))]
    #[case("en_US", Some("US"))]
    #[case("zh-Hant-TW", Some("TW"))]
    #[case("en", None)]
    #[case("", None)]
    fn a_browser_locale_proposes_a_country(#[case] locale: &str, #[case] code: Option<&str>) {
        assert_eq!(
            region_of_locale(locale)
                .map(|r| r.code().to_string())
                .as_deref(),
            code
        );
    }
}
