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

use std::fmt;
use std::str::FromStr;

use phonenumber::country;
use serde::{Deserialize, Serialize};

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
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(PhoneIssue::Empty);
    }
    if raw.chars().count() > MAX_PHONE_INPUT || !raw.chars().any(|c| c.is_ascii_digit()) {
        return Err(PhoneIssue::NotANumber);
    }
    let number = phonenumber::parse(Some(region.0), raw).map_err(|_| PhoneIssue::NotANumber)?;
    super::numbering::e164_if_valid(&number).ok_or(PhoneIssue::NotValid)
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

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
}
