//! The plan of an import: every data row of a table validated under a
//! mapping ([`super::rows`]), the valid ones merged into contacts
//! ([`super::decide::merge_duplicates`]), the chosen group added to each.
//! The wizard's preview, the server's verdict on each chunk and the command
//! line all plan with these functions.

use super::decide::merge_duplicates;
use super::group::{push_group, GroupName};
use super::mapping::Mapping;
use super::rows::{gather, validate_row_cached, ImportContact, ImportPlan, PlanCounts, RowVerdict};
use super::table::Table;
use super::validate::{PhoneCache, Region};

/// Validates every data row of `table` under `mapping`, merges in-file
/// duplicates, and adds `extra_groups` (the wizard's or `--group`'s choice)
/// to every contact.
pub fn plan(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    extra_groups: &[GroupName],
) -> ImportPlan {
    plan_cached(
        table,
        mapping,
        region,
        extra_groups,
        &mut PhoneCache::default(),
    )
}

/// [`plan`] with phone verdicts kept in `cache` (the wizard keeps one for
/// as long as the file is open).
pub fn plan_cached(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    extra_groups: &[GroupName],
    cache: &mut PhoneCache,
) -> ImportPlan {
    plan_with_progress(table, mapping, region, extra_groups, cache, &mut |_| {})
}

/// The warnings that dropped a phone or e-mail (the others ignored a value:
/// a consent cell saying "maybe").
pub fn dropped_details(warnings: &[super::rows::RowIssue]) -> usize {
    warnings
        .iter()
        .filter(|w| w.kind != super::rows::RejectReason::InvalidValue)
        .count()
}

/// Rows between two calls of a plan's progress callback.
pub const PROGRESS_ROWS: usize = 10_000;

/// [`plan_cached`] that calls `progress` with the rows validated so far
/// every [`PROGRESS_ROWS`] rows (for the wizard's "Checking… 40%").
pub fn plan_with_progress(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    extra_groups: &[GroupName],
    cache: &mut PhoneCache,
    progress: &mut dyn FnMut(usize),
) -> ImportPlan {
    let mut contacts: Vec<ImportContact> = Vec::new();
    let mut rejected = Vec::new();
    let mut warnings = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        if i > 0 && i % PROGRESS_ROWS == 0 {
            progress(i);
        }
        match validate_row_cached(&gather(row, mapping), mapping, region, cache) {
            RowVerdict::Contact(c, w) => {
                contacts.push(c);
                warnings.extend(w);
            }
            RowVerdict::Rejected(r) => rejected.push(r),
        }
    }
    let valid = contacts.len();
    let mut merged = merge_duplicates(contacts, &mut warnings);
    for c in &mut merged {
        for g in extra_groups {
            push_group(&mut c.groups, g.clone());
        }
    }
    let counts = PlanCounts {
        data_rows: table.rows.len(),
        valid,
        rejected: rejected.len(),
        duplicates_merged: valid - merged.len(),
        details_dropped: dropped_details(&warnings),
        values_ignored: warnings.len() - dropped_details(&warnings),
    };
    ImportPlan {
        contacts: merged,
        rejected,
        warnings,
        counts,
    }
}
