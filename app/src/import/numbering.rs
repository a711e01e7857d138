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
//! The test below checks the two answers agree on every example number in the
//! metadata and on thousands of variants of them.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use phonenumber::country;
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::PhoneNumber;
use regex::{Regex, RegexBuilder};

/// `number` in E.164 (`+447911123123`), or `None` when it is not valid.
pub(crate) fn e164_if_valid(number: &PhoneNumber) -> Option<String> {
    let code = number.country().code();
    let national = number.national().to_string();
    is_valid(code, &national).then(|| format!("+{code}{national}"))
}

fn is_valid(code: u16, national: &str) -> bool {
    let Some(regions) = DATABASE.region(&code) else {
        return false;
    };
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
                None => plan.has_type(national),
            }),
    };
    plan.is_some_and(|plan| plan.has_type(national))
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
    types: Vec<Pattern>,
    leading_digits: Option<Regex>,
}

impl Plan {
    fn new(meta: &Metadata) -> Option<Self> {
        let d = meta.descriptors();
        let types = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ];
        Some(Plan {
            general: Pattern::new(d.general())?,
            types: types
                .into_iter()
                .flatten()
                .map(Pattern::new)
                .collect::<Option<_>>()?,
            leading_digits: match meta.leading_digits() {
                Some(leading) => Some(anchored(leading.as_str())?),
                None => None,
            },
        })
    }

    /// phonenumber's `number_type(..) != Type::Unknown`.
    fn has_type(&self, national: &str) -> bool {
        self.general.is_match(national) && self.types.iter().any(|t| t.is_match(national))
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
                        let ours = e164_if_valid(&number);
                        assert_eq!(ours, theirs(&number), "{raw:?} from {region:?}");
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
            assert_eq!(e164_if_valid(&number).as_deref(), Some(e164), "{raw}");
        }
    }
}
