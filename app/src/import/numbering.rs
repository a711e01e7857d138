//! Is a parsed phone number valid? The same answer as `phonenumber::is_valid`,
//! about five times faster.
//!
//! `phonenumber` keeps its metadata's regular expressions in one LRU cache
//! keyed by their pattern text: every match hashes a pattern of hundreds of
//! bytes and takes a lock, and checking one number matches up to a dozen
//! patterns (a profile of the import showed 43% of all instructions in that
//! lookup). Here each region's patterns are compiled once, on first use, and
//! kept beside the region; the rules are phonenumber's own (`validator.rs`):
//!
//! * the country code names one region, or several that share it (`+1`:
//!   the NANPA countries): then the first whose leading digits match the
//!   national number, or for a region without leading digits the first for
//!   which the number has a type, is the number's region;
//! * the number is valid when it matches the region's general pattern and
//!   the pattern of one of its types (fixed line, mobile, toll free…), each
//!   with that type's possible lengths.
//!
//! The same pass tells the number's line type ([`LineType`]): the type whose
//! pattern matched, in phonenumber's order (`number_type`).
//!
//! The tests below check the two answers (valid, and of which type) agree on
//! every example number in the metadata and on thousands of variants of them.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use phonenumber::country;
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::PhoneNumber;
use regex::{Regex, RegexBuilder};

/// What a phone number is by its country's numbering plan, read from the
/// phone metadata shipped in the app (no lookup: a number ported from a
/// mobile network to a landline one keeps its plan's type). Where the plan
/// cannot tell a mobile from a landline (the US, Canada and the other `+1`
/// countries) the answer says so: [`LineType::MobileOrLandline`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineType {
    Mobile,
    Landline,
    MobileOrLandline,
    Voip,
    TollFree,
    Premium,
    SharedCost,
    Personal,
    Pager,
    Uan,
    Voicemail,
    Unknown,
}

impl LineType {
    pub const ALL: [LineType; 12] = [
        LineType::Mobile,
        LineType::Landline,
        LineType::MobileOrLandline,
        LineType::Voip,
        LineType::TollFree,
        LineType::Premium,
        LineType::SharedCost,
        LineType::Personal,
        LineType::Pager,
        LineType::Uan,
        LineType::Voicemail,
        LineType::Unknown,
    ];

    /// The code stored and written by `contacts import --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            LineType::Mobile => "mobile",
            LineType::Landline => "landline",
            LineType::MobileOrLandline => "mobile_or_landline",
            LineType::Voip => "voip",
            LineType::TollFree => "toll_free",
            LineType::Premium => "premium",
            LineType::SharedCost => "shared_cost",
            LineType::Personal => "personal",
            LineType::Pager => "pager",
            LineType::Uan => "uan",
            LineType::Voicemail => "voicemail",
            LineType::Unknown => "unknown",
        }
    }

    /// The stored code back; anything else is [`LineType::Unknown`].
    pub fn parse(code: &str) -> LineType {
        LineType::ALL
            .into_iter()
            .find(|t| t.as_str() == code)
            .unwrap_or(LineType::Unknown)
    }

    /// As people read it: "mobile", "landline", "mobile or landline"…
    pub fn label(self) -> &'static str {
        match self {
            LineType::Mobile => "mobile",
            LineType::Landline => "landline",
            LineType::MobileOrLandline => "mobile or landline",
            LineType::Voip => "VoIP",
            LineType::TollFree => "toll-free",
            LineType::Premium => "premium rate",
            LineType::SharedCost => "shared cost",
            LineType::Personal => "personal number",
            LineType::Pager => "pager",
            LineType::Uan => "company number",
            LineType::Voicemail => "voicemail",
            LineType::Unknown => "unknown type",
        }
    }

    /// Whether a text message sent to such a number can arrive: mobiles,
    /// numbers whose plan cannot tell a mobile from a landline (most of
    /// them are mobiles, and carriers deliver to the rest or say so), VoIP
    /// and personal numbers (routed to a person's phone). Not landlines,
    /// toll-free, premium-rate, shared-cost, company (UAN) or voicemail
    /// numbers, pagers, nor a type the plan does not know.
    pub fn can_receive_sms(self) -> bool {
        matches!(
            self,
            LineType::Mobile | LineType::MobileOrLandline | LineType::Voip | LineType::Personal
        )
    }
}

/// `number` in E.164 with its line type, or `None` when it is not valid.
pub(crate) fn classify(number: &PhoneNumber) -> Option<(String, LineType)> {
    let code = number.country().code();
    let national = number.national().to_string();
    line_type(code, &national).map(|t| (format!("+{code}{national}"), t))
}

/// The line type of a number stored in E.164 (`+447911123123`), or
/// [`LineType::Unknown`] if it is not a valid one.
pub fn line_type_of(e164: &str) -> LineType {
    phonenumber::parse(None, e164)
        .ok()
        .and_then(|n| classify(&n))
        .map_or(LineType::Unknown, |(_, t)| t)
}

/// The type of the national number `national` under country code `code`,
/// or `None` when it is not a valid number.
fn line_type(code: u16, national: &str) -> Option<LineType> {
    let regions = DATABASE.region(&code)?;
    let plan = match regions[..] {
        // Non-geographic numbers (+800, +882…): their own entity per code.
        ["001"] => compiled(Key::Code(code)),
        [region] => match region.parse::<country::Id>() {
            Ok(_) => compiled(Key::Region(region)),
            Err(_) => None,
        },
        _ => regions
            .iter()
            .filter_map(|region| compiled(Key::Region(region)))
            .find(|plan| match &plan.leading_digits {
                Some(leading) => leading.is_match(national),
                None => plan.line_type(national).is_some(),
            }),
    };
    plan?.line_type(national)
}

/// One descriptor's national-number pattern, anchored at the start as
/// phonenumber matches it, with its possible lengths.
struct Pattern {
    regex: Regex,
    lengths: Vec<u16>,
}

impl Pattern {
    fn new(descriptor: &Descriptor) -> Option<Self> {
        Some(Pattern {
            regex: anchored(descriptor.national_number().as_str())?,
            lengths: descriptor.possible_length().to_vec(),
        })
    }

    fn is_match(&self, national: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(national.len() as u16)))
            && self.regex.is_match(national)
    }
}

/// A region's patterns, compiled.
struct Plan {
    general: Pattern,
    /// In the order phonenumber tries them; a landline's pattern is followed
    /// by the mobile one (see [`Plan::line_type`]).
    types: Vec<(LineType, Pattern)>,
    /// The region's mobile pattern, and whether it is the landline one too.
    mobile: Option<Pattern>,
    fixed_is_mobile: bool,
    leading_digits: Option<Regex>,
}

impl Plan {
    fn new(meta: &Metadata) -> Option<Self> {
        let d = meta.descriptors();
        let types = [
            (LineType::Premium, d.premium_rate()),
            (LineType::TollFree, d.toll_free()),
            (LineType::SharedCost, d.shared_cost()),
            (LineType::Voip, d.voip()),
            (LineType::Personal, d.personal_number()),
            (LineType::Pager, d.pager()),
            (LineType::Uan, d.uan()),
            (LineType::Voicemail, d.voicemail()),
            (LineType::Landline, d.fixed_line()),
            (LineType::Mobile, d.mobile()),
        ];
        Some(Plan {
            general: Pattern::new(d.general())?,
            types: types
                .into_iter()
                .filter_map(|(t, d)| Some((t, d?)))
                .map(|(t, d)| Some((t, Pattern::new(d)?)))
                .collect::<Option<_>>()?,
            mobile: match d.mobile() {
                Some(m) => Some(Pattern::new(m)?),
                None => None,
            },
            fixed_is_mobile: match (d.fixed_line(), d.mobile()) {
                (Some(f), Some(m)) => f.national_number().as_str() == m.national_number().as_str(),
                _ => false,
            },
            leading_digits: match meta.leading_digits() {
                Some(leading) => Some(anchored(leading.as_str())?),
                None => None,
            },
        })
    }

    /// phonenumber's `number_type`, `None` for its `Type::Unknown` (not a
    /// valid number): the first type whose pattern matches; a landline
    /// that also matches the mobile pattern (or whose plan has one pattern
    /// for both) is "mobile or landline".
    fn line_type(&self, national: &str) -> Option<LineType> {
        if !self.general.is_match(national) {
            return None;
        }
        let (t, _) = self.types.iter().find(|(_, p)| p.is_match(national))?;
        Some(match t {
            LineType::Landline
                if self.fixed_is_mobile
                    || self.mobile.as_ref().is_some_and(|m| m.is_match(national)) =>
            {
                LineType::MobileOrLandline
            }
            t => *t,
        })
    }
}

/// phonenumber compiles its patterns ignoring whitespace (the metadata lays
/// them out over many lines) and accepts a match that starts at 0.
fn anchored(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(&format!("^(?:{pattern})"))
        .ignore_whitespace(true)
        .build()
        .ok()
}

/// A region (its metadata id, which lives as long as the program), or a
/// country code of non-geographic numbers.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Region(&'static str),
    Code(u16),
}

impl Key {
    fn metadata(self) -> Option<&'static Metadata> {
        match self {
            Key::Region(id) => DATABASE.by_id(id),
            Key::Code(code) => DATABASE.by_code(&code)?.into_iter().next(),
        }
    }
}

type Plans = RwLock<HashMap<Key, Option<Arc<Plan>>>>;

/// The region's compiled plan, compiled on first use (a region's dozen
/// patterns take about a millisecond).
fn compiled(key: Key) -> Option<Arc<Plan>> {
    static PLANS: OnceLock<Plans> = OnceLock::new();
    let plans = PLANS.get_or_init(Plans::default);
    if let Some(plan) = plans
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return plan.clone();
    }
    let plan = key.metadata().and_then(Plan::new).map(Arc::new);
    plans
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, plan.clone());
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theirs(number: &PhoneNumber) -> Option<String> {
        phonenumber::is_valid(number)
            .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
    }

    /// phonenumber's type of a valid number, as ours.
    fn their_type(number: &PhoneNumber) -> LineType {
        use phonenumber::Type;
        match number.number_type(&DATABASE) {
            Type::Mobile => LineType::Mobile,
            Type::FixedLine => LineType::Landline,
            Type::FixedLineOrMobile => LineType::MobileOrLandline,
            Type::Voip => LineType::Voip,
            Type::TollFree => LineType::TollFree,
            Type::PremiumRate => LineType::Premium,
            Type::SharedCost => LineType::SharedCost,
            Type::PersonalNumber => LineType::Personal,
            Type::Pager => LineType::Pager,
            Type::Uan => LineType::Uan,
            Type::Voicemail => LineType::Voicemail,
            _ => LineType::Unknown,
        }
    }

    /// Every example number of every region and type, as typed nationally in
    /// its own region and internationally from GB, then variants of each: one
    /// digit changed at every position, one digit dropped, one added.
    #[test]
    fn agrees_with_phonenumber_on_the_whole_metadata() {
        let mut checked = 0;
        let mut valid = 0;
        for meta in DATABASE.iter() {
            let d = meta.descriptors();
            let examples = [
                Some(d.general()),
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ]
            .into_iter()
            .flatten()
            .filter_map(|d| d.example());
            let home = meta.id().parse::<country::Id>().ok();
            for example in examples {
                let mut inputs = vec![example.to_string()];
                for i in 0..example.len() {
                    let mut changed = example.as_bytes().to_vec();
                    changed[i] = b'0' + (changed[i] - b'0' + 3) % 10;
                    inputs.push(String::from_utf8(changed).unwrap());
                    inputs.push(format!("{}{}", &example[..i], &example[i + 1..]));
                }
                inputs.push(format!("{example}7"));
                for input in inputs {
                    let typed = [
                        (home, input.clone()),
                        (
                            Some(country::Id::GB),
                            format!("+{} {input}", meta.country_code()),
                        ),
                    ];
                    for (region, raw) in typed {
                        let Ok(number) = phonenumber::parse(region, &raw) else {
                            continue;
                        };
                        let ours = classify(&number);
                        assert_eq!(
                            ours.as_ref().map(|(e164, _)| e164.clone()),
                            theirs(&number),
                            "{raw:?} from {region:?}"
                        );
                        // phonenumber types a number by its national value
                        // without the leading zeros some plans keep (Italy,
                        // Tonga's 0800…), which its own validity check keeps:
                        // there its type is not its validity's.
                        let national = number.national();
                        if national.to_string() == national.value().to_string() {
                            assert_eq!(
                                ours.as_ref().map(|(_, t)| *t),
                                theirs(&number).map(|_| their_type(&number)),
                                "{raw:?} from {region:?}"
                            );
                        }
                        checked += 1;
                        valid += usize::from(ours.is_some());
                    }
                }
            }
        }
        // The metadata has ~250 regions with several examples each: make sure the
        // loop really ran over it, and over both answers.
        assert!(checked > 40_000, "{checked}");
        assert!(
            valid > 10_000 && checked - valid > 10_000,
            "{valid} of {checked}"
        );
    }

    /// The line types the issue names, per country, as users type them. The
    /// table is a fixture: the browser tests type the same numbers into the
    /// form, where the WASM build classifies them, and expect the same types.
    #[test]
    fn line_types_by_country() {
        let table = include_str!("../../tests/fixtures/line_types.csv");
        let mut rows = 0;
        for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let [region, raw, want_e164, want] = line.split(',').collect::<Vec<_>>()[..] else {
                panic!("{line}")
            };
            let expected = LineType::ALL
                .into_iter()
                .find(|t| t.as_str() == want)
                .unwrap_or_else(|| panic!("{want}"));
            let region: country::Id = region.parse().unwrap();
            let number = phonenumber::parse(Some(region), raw).unwrap();
            let (e164, t) = classify(&number).unwrap_or_else(|| panic!("{raw} is valid"));
            assert_eq!(e164, want_e164, "{raw} ({region:?})");
            assert_eq!(t, expected, "{raw} ({region:?})");
            assert_eq!(line_type_of(&e164), expected, "{e164}");
            assert_eq!(LineType::parse(t.as_str()), t);
            rows += 1;
        }
        assert!(rows >= 28, "{rows}");
        assert_eq!(line_type_of("+4412"), LineType::Unknown);
        assert_eq!(LineType::parse("fax"), LineType::Unknown);
    }

    #[test]
    fn only_numbers_that_take_a_text_can_receive_sms() {
        let textable: Vec<_> = LineType::ALL
            .into_iter()
            .filter(|t| t.can_receive_sms())
            .collect();
        assert_eq!(
            textable,
            [
                LineType::Mobile,
                LineType::MobileOrLandline,
                LineType::Voip,
                LineType::Personal
            ]
        );
    }

    #[test]
    fn shared_country_codes_find_their_region() {
        let gb = Some(country::Id::GB);
        for (raw, e164) in [
            ("+1 202 555 0143", "+12025550143"),  // US
            ("+1 416 555 0143", "+14165550143"),  // CA
            ("+44 1481 256789", "+441481256789"), // GG, shares +44
            ("+800 1234 5678", "+80012345678"),   // non-geographic
        ] {
            let number = phonenumber::parse(gb, raw).unwrap();
            assert_eq!(
                classify(&number).map(|(e, _)| e).as_deref(),
                Some(e164),
                "{raw}"
            );
        }
    }
}
