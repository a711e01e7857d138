//! Text as the app keeps it: one rule for imported cells, form fields,
//! group names and searches, the same in the browser and on the server.
//!
//! * **Control characters** (NUL, escape, the C1 block…) are never stored:
//!   PostgreSQL refuses a NUL in text outright, and none of them means
//!   anything in a name. Imported cells lose them silently (a spreadsheet
//!   exported by another program often carries one); a form field that
//!   holds one is refused with a message ([`has_controls`]).
//! * **Compatibility characters** (full-width digits typed on East Asian
//!   keyboards, non-breaking and thin spaces, `＠`) are folded by Unicode
//!   NFKC before a phone number or an e-mail address is checked
//!   ([`compatible`]).
//! * **Placeholders** (`n/a`, `-`, `none`…) in a phone or e-mail cell mean
//!   "nothing here", not a value to check ([`is_placeholder`]).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// A character no stored text keeps: a control character that is not
/// whitespace (tab, line feed and carriage return are whitespace, and each
/// text rule collapses whitespace its own way).
fn is_stray_control(c: char) -> bool {
    c.is_control() && !c.is_whitespace()
}

/// Whether `raw` holds a character [`strip_controls`] would remove.
pub fn has_controls(raw: &str) -> bool {
    // Bytes below 0x20 and 0x7f are the C0 controls; the C1 block
    // (U+0080..=U+009F) is two bytes starting 0xC2, rare enough to check by char.
    raw.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) && raw.chars().any(is_stray_control)
}

/// `raw` without its control characters (whitespace kept), borrowed when
/// it has none.
pub fn strip_controls(raw: &str) -> Cow<'_, str> {
    if has_controls(raw) {
        Cow::Owned(raw.chars().filter(|c| !is_stray_control(*c)).collect())
    } else {
        Cow::Borrowed(raw)
    }
}

/// `raw` in Unicode compatibility form (NFKC): `０７９１１` → `07911`,
/// a non-breaking space → a space, `＠` → `@`. ASCII is returned as is.
pub fn compatible(raw: &str) -> Cow<'_, str> {
    if raw.is_ascii() {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(raw.nfkc().collect())
    }
}

/// What people write in a phone or e-mail cell to say there is none.
/// Only words that cannot be a (mistyped) value: `nope` in an e-mail
/// column is an address to fix, not a placeholder.
const PLACEHOLDERS: &[&str] = &[
    "-",
    "--",
    "---",
    "—",
    "–",
    "n/a",
    "n.a.",
    "n.a",
    "na",
    "n/d",
    "nil",
    "none",
    "null",
    "nan",
    "unknown",
    "tbc",
    "tba",
    "#n/a",
    "אין",
    "לא ידוע",
    "אין טלפון",
];

/// Whether a phone or e-mail cell holds a placeholder for "none" (`n/a`,
/// `-`, `none`, `#N/A`, `אין`…), which is treated as an empty cell.
pub fn is_placeholder(cell: &str) -> bool {
    let cell = cell.trim();
    cell.chars().count() <= 12 && PLACEHOLDERS.iter().any(|p| cell.eq_ignore_ascii_case(p))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::clean("Ada Lovelace", "Ada Lovelace", false)]
    #[case::nul("Ad\u{0}a", "Ada", true)]
    #[case::escape("\u{1b}[31mRed", "[31mRed", true)]
    #[case::delete("a\u{7f}b", "ab", true)]
    #[case::c1("a\u{80}b\u{9f}", "ab", true)]
    #[case::next_line_is_whitespace("a\u{85}b", "a\u{85}b", false)]
    #[case::whitespace_kept("a\tb\nc\rd", "a\tb\nc\rd", false)]
    #[case::hebrew("דוד כהן", "דוד כהן", false)]
    #[case::latin1_not_c1("Zoë Ñúñez", "Zoë Ñúñez", false)]
    fn control_characters_are_removed_and_whitespace_kept(
        #[case] raw: &str,
        #[case] kept: &str,
        #[case] had: bool,
    ) {
        assert_eq!(strip_controls(raw), kept);
        assert_eq!(has_controls(raw), had);
        assert_eq!(matches!(strip_controls(raw), Cow::Borrowed(_)), !had);
    }

    #[rstest]
    #[case::full_width_digits("０７９１１ １２３４５６", "07911 123456")]
    #[case::nbsp_and_thin_space("07911\u{a0}123\u{2009}456", "07911 123 456")]
    #[case::full_width_at("ada＠example.org", "ada@example.org")]
    #[case::ascii_untouched("+44 7911", "+44 7911")]
    #[case::hebrew_untouched("דוד", "דוד")]
    fn compatibility_characters_fold(#[case] raw: &str, #[case] folded: &str) {
        assert_eq!(compatible(raw), folded);
    }

    #[rstest]
    #[case("n/a", true)]
    #[case(" N/A ", true)]
    #[case("#N/A", true)]
    #[case("-", true)]
    #[case("None", true)]
    #[case("אין", true)]
    #[case("אין טלפון", true)]
    #[case("07911 123456", false)]
    #[case("na@example.org", false)]
    #[case("", false)]
    fn placeholders_mean_none(#[case] cell: &str, #[case] none: bool) {
        assert_eq!(is_placeholder(cell), none);
    }
}
