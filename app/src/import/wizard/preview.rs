//! What the mapping stage shows under the current mapping: the plan, and
//! its problems indexed by cell, row and column for display.

use std::collections::{BTreeMap, HashMap};

use crate::import::consent::SmsStatus;
use crate::import::mapping::{region_hint, Field, Mapping, RegionHint};
use crate::import::numbering::LineType;
use crate::import::plan::plan_with_progress;
use crate::import::rows::{phone_values, ImportPlan, RejectReason};
use crate::import::table::Table;
use crate::import::validate::{PhoneCache, Region};

/// What the mapping stage shows about the data under the current mapping:
/// the plan, the problem of each flagged cell and row, each detail column's
/// share of valid values, and why rows will be refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preview {
    pub plan: ImportPlan,
    pub problems: Problems,
}

/// The problems of a preview, indexed for display.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Problems {
    /// (row number, column) → what is wrong with that cell.
    pub cells: HashMap<(u32, usize), CellProblem>,
    /// Row number → the row's problem, for rows refused or with details dropped.
    pub rows: BTreeMap<u32, RowProblem>,
    /// Per column index: (non-empty cells, cells with a problem).
    pub columns: HashMap<usize, (usize, usize)>,
    /// Rows refused, per reason (a row may count under several).
    pub reasons: Vec<(RejectReason, usize)>,
    /// Per phone column: its valid numbers that cannot receive SMS
    /// (landlines, toll-free…).
    #[serde(default)]
    pub landlines: HashMap<usize, usize>,
    /// Contacts to import that have no number that can receive SMS.
    #[serde(default)]
    pub no_textable: usize,
    /// Contacts whose rows say they opted in / opted out (a consent column).
    #[serde(default)]
    pub says_opted_in: usize,
    #[serde(default)]
    pub says_opted_out: usize,
    /// The phone numbers read far better under another region.
    #[serde(default)]
    pub region_hint: Option<RegionHint>,
}

/// A flagged cell: in a refused row (`refused`), or a detail dropped from an
/// imported row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellProblem {
    pub refused: bool,
    pub message: String,
}

/// A flagged row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowProblem {
    pub refused: bool,
    pub message: String,
}

/// Plans `table` under `mapping` and indexes the problems for display;
/// phone verdicts are kept in `cache` for the next preview of the same file.
pub fn preview(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    cache: &mut PhoneCache,
) -> Preview {
    preview_with_progress(table, mapping, region, cache, &mut |_| {})
}

/// [`preview`] that reports the rows validated so far to `progress`
/// (see [`super::rows::plan_with_progress`]).
pub fn preview_with_progress(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    cache: &mut PhoneCache,
    progress: &mut dyn FnMut(usize),
) -> Preview {
    let plan = plan_with_progress(table, mapping, region, &[], cache, progress);
    let mut cells = HashMap::new();
    let mut rows = BTreeMap::new();
    let mut reasons: BTreeMap<RejectReason, usize> = BTreeMap::new();
    for r in &plan.rejected {
        for k in &r.reasons {
            *reasons.entry(*k).or_default() += 1;
        }
        rows.insert(
            r.row,
            RowProblem {
                refused: true,
                message: r.message.clone(),
            },
        );
        for i in &r.issues {
            if let Some(c) = i.column {
                cells.insert(
                    (r.row, c),
                    CellProblem {
                        refused: true,
                        message: i.message.clone(),
                    },
                );
            }
        }
    }
    for w in &plan.warnings {
        rows.entry(w.row).or_insert_with(|| RowProblem {
            refused: false,
            message: w.message.clone(),
        });
        if let Some(c) = w.column {
            cells.entry((w.row, c)).or_insert_with(|| CellProblem {
                refused: false,
                message: w.message.clone(),
            });
        }
    }
    let mut columns = HashMap::new();
    let mut landlines = HashMap::new();
    // Most files hold mobiles only: then no cell is looked up again to
    // count, per column, the numbers that cannot take a text (a lookup per
    // phone cell cost about 4 % of checking 100,000 rows in the browser).
    // A landline only in a refused row is then not counted either.
    let any_no_sms = plan.contacts.iter().any(|c| {
        c.phones()
            .any(|d| d.line.is_some_and(|l| !l.can_receive_sms()))
    });
    for c in &mapping.columns {
        if !matches!(c.field, Some(Field::Phone | Field::Email)) {
            continue;
        }
        let mut filled = 0;
        let mut no_sms = 0;
        for r in &table.rows {
            let cell = r.cell(c.index);
            if cell.trim().is_empty() {
                continue;
            }
            filled += 1;
            if any_no_sms && c.field == Some(Field::Phone) {
                // The plan asked the cache already: these are lookups.
                no_sms += phone_values(cell)
                    .iter()
                    .filter(|v| {
                        cache
                            .lenient_phone(v, region)
                            .is_ok_and(|(_, line)| !line.can_receive_sms())
                    })
                    .count();
            }
        }
        let bad = cells.keys().filter(|(_, col)| *col == c.index).count();
        columns.insert(c.index, (filled, bad.min(filled)));
        if c.field == Some(Field::Phone) {
            landlines.insert(c.index, no_sms);
        }
    }
    let no_textable = plan
        .contacts
        .iter()
        .filter(|c| {
            !c.phones()
                .any(|d| d.line.is_some_and(LineType::can_receive_sms))
        })
        .count();
    let says = |status| {
        plan.contacts
            .iter()
            .filter(|c| c.consent.as_ref().is_some_and(|k| k.status == status))
            .count()
    };
    let (says_opted_in, says_opted_out) = (says(SmsStatus::OptedIn), says(SmsStatus::OptedOut));
    Preview {
        plan,
        problems: Problems {
            cells,
            rows,
            columns,
            reasons: reasons.into_iter().collect(),
            landlines,
            no_textable,
            says_opted_in,
            says_opted_out,
            region_hint: region_hint(&table.rows, mapping, region),
        },
    }
}

/// A reason in a few words, for the totals line.
pub fn reason_words(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::NoContactDetail => "no phone or e-mail",
        RejectReason::InvalidPhone => "invalid phone",
        RejectReason::InvalidEmail => "invalid e-mail",
        RejectReason::TooLong => "a value too long",
        RejectReason::TooMany => "too many groups",
        RejectReason::Conflict => "matching two existing contacts",
        RejectReason::InvalidValue => "a value that says neither yes nor no",
    }
}
