//! The import wizard's rules, apart from any screen: which stage follows
//! which (the group stage is skipped when a column supplies the groups), and
//! what must hold before Continue is enabled at each stage.
//!
//! The Leptos pages keep their state in signals and ask these functions;
//! the rules are tested natively here.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::mapping::{Field, Mapping};
use super::rows::{ImportPlan, PlanCounts, RejectReason, MAX_GROUP_NAME};
use super::table::Table;
use super::validate::Region;

/// The four stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Input,
    Mapping,
    Group,
    Summary,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Input, Stage::Mapping, Stage::Group, Stage::Summary];

    pub fn title(self) -> &'static str {
        match self {
            Stage::Input => "Input",
            Stage::Mapping => "Mapping",
            Stage::Group => "Group",
            Stage::Summary => "Summary",
        }
    }

    pub fn number(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }
}

/// Where the new contacts go (stage 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupChoice {
    /// A group created for this import.
    New(String),
    /// An existing group, by id (`None` until one is picked).
    Existing(Option<i64>),
    /// No group: "floating" contacts.
    None,
}

/// Why Continue is not possible yet; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageError {
    NoData,
    NoDataRows,
    Unassigned(usize),
    NoContactDetail,
    NothingToImport,
    GroupNameEmpty,
    GroupNameTooLong,
    GroupNameTaken(String),
    NoGroupPicked,
    /// The summary is the last stage.
    Finished,
}

impl fmt::Display for StageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StageError::NoData => f.write_str("Paste some rows or choose a file first."),
            StageError::NoDataRows => f.write_str(
                "There are no rows below the header row. Choose another header row or sheet.",
            ),
            StageError::Unassigned(1) => {
                f.write_str("1 column (in orange) still needs a field: choose one, or Ignore.")
            }
            StageError::Unassigned(n) => write!(
                f,
                "{n} columns (in orange) still need a field: choose one, or Ignore."
            ),
            StageError::NoContactDetail => f.write_str(
                "Map at least one column to Phone or E-mail: a contact needs one of them.",
            ),
            StageError::NothingToImport => f.write_str(
                "No row has a valid phone number or e-mail address. Check the mapping and the phone country.",
            ),
            StageError::GroupNameEmpty => f.write_str("Give the new group a name."),
            StageError::GroupNameTooLong => write!(
                f,
                "A group name has at most {MAX_GROUP_NAME} characters."
            ),
            StageError::GroupNameTaken(name) => write!(
                f,
                "A group called “{name}” already exists: pick it under “Existing group”, or choose another name."
            ),
            StageError::NoGroupPicked => f.write_str("Pick one of your groups."),
            StageError::Finished => f.write_str("This import is finished."),
        }
    }
}

/// Whether a column gives each contact its groups (then stage 3 is skipped).
pub fn group_column(mapping: &Mapping) -> Option<&str> {
    mapping
        .columns
        .iter()
        .find(|c| c.field == Some(Field::Group))
        .map(|c| c.header.as_str())
}

/// The stage after `stage`.
pub fn next_stage(stage: Stage, mapping: &Mapping) -> Result<Stage, StageError> {
    Ok(match stage {
        Stage::Input => Stage::Mapping,
        Stage::Mapping if group_column(mapping).is_some() => Stage::Summary,
        Stage::Mapping => Stage::Group,
        Stage::Group => Stage::Summary,
        Stage::Summary => return Err(StageError::Finished),
    })
}

/// The stage Back returns to (the summary has no Back: the import ran).
pub fn previous_stage(stage: Stage, mapping: &Mapping) -> Option<Stage> {
    match stage {
        Stage::Input | Stage::Summary => None,
        Stage::Mapping => Some(Stage::Input),
        Stage::Group if group_column(mapping).is_some() => Some(Stage::Mapping),
        Stage::Group => Some(Stage::Mapping),
    }
}

/// Stage 1: a table was read (`rows`: its number of data rows), and it has
/// data rows.
pub fn check_input(rows: Option<usize>) -> Result<(), StageError> {
    match rows {
        None => Err(StageError::NoData),
        Some(0) => Err(StageError::NoDataRows),
        Some(_) => Ok(()),
    }
}

/// Stage 2: every column decided, a phone or e-mail column, something valid.
pub fn check_mapping(mapping: &Mapping, counts: &PlanCounts) -> Result<(), StageError> {
    let unassigned = mapping.unassigned().count();
    if unassigned > 0 {
        return Err(StageError::Unassigned(unassigned));
    }
    if !mapping.has_contact_detail() {
        return Err(StageError::NoContactDetail);
    }
    if counts.valid == 0 {
        return Err(StageError::NothingToImport);
    }
    Ok(())
}

/// Stage 3: a usable group choice. `existing` are the account's group names.
pub fn check_group(choice: &GroupChoice, existing: &[String]) -> Result<(), StageError> {
    match choice {
        GroupChoice::None | GroupChoice::Existing(Some(_)) => Ok(()),
        GroupChoice::Existing(None) => Err(StageError::NoGroupPicked),
        GroupChoice::New(name) => {
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            if name.is_empty() {
                return Err(StageError::GroupNameEmpty);
            }
            if name.chars().count() > MAX_GROUP_NAME {
                return Err(StageError::GroupNameTooLong);
            }
            match existing
                .iter()
                .find(|g| g.to_lowercase() == name.to_lowercase())
            {
                Some(g) => Err(StageError::GroupNameTaken(g.clone())),
                None => Ok(()),
            }
        }
    }
}

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
    cache: &mut super::rows::PhoneCache,
) -> Preview {
    preview_with_progress(table, mapping, region, cache, &mut |_| {})
}

/// [`preview`] that reports the rows validated so far to `progress`
/// (see [`super::rows::plan_with_progress`]).
pub fn preview_with_progress(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    cache: &mut super::rows::PhoneCache,
    progress: &mut dyn FnMut(usize),
) -> Preview {
    let plan = super::rows::plan_with_progress(table, mapping, region, &[], cache, progress);
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
    for c in &mapping.columns {
        if !matches!(c.field, Some(Field::Phone | Field::Email)) {
            continue;
        }
        let filled = table
            .rows
            .iter()
            .filter(|r| !r.cell(c.index).trim().is_empty())
            .count();
        let bad = cells.keys().filter(|(_, col)| *col == c.index).count();
        columns.insert(c.index, (filled, bad.min(filled)));
    }
    Preview {
        plan,
        problems: Problems {
            cells,
            rows,
            columns,
            reasons: reasons.into_iter().collect(),
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
        RejectReason::Conflict => "matching two existing contacts",
    }
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

/// What the wizard does with a file from the moment it is picked to the
/// mapping stage's first preview: read it, find the header, map the
/// columns, and (with `validate`) check every row for the preview. The
/// benchmarks time this same function natively (`app/examples/read_time.rs`)
/// and in the browser (`frontend`'s `bench_stages` export).
pub fn stages_one_two(
    bytes: impl Into<super::read::FileBytes>,
    name: &str,
    validate: bool,
) -> Result<(usize, usize), String> {
    let mut book = super::read::open(bytes, name).map_err(|e| e.to_string())?;
    let region = Region::default();
    let chosen =
        super::table::choose_sheet(&mut book, None, super::table::HeaderChoice::Auto, region)
            .map_err(|e| e.to_string())?;
    let rows = chosen.table.rows.len();
    if !validate {
        return Ok((rows, 0));
    }
    let p = preview(
        &chosen.table,
        &chosen.mapping,
        region,
        &mut super::rows::PhoneCache::default(),
    );
    Ok((rows, p.plan.contacts.len()))
}

/// Rows in each made-up file [`warm_up`] reads (few in a debug build, which
/// is slow anyway and would keep the browser tests waiting).
const WARM_UP_ROWS: usize = if cfg!(debug_assertions) { 100 } else { 3_000 };

/// Reads a small made-up file of each kind (csv and xlsx) through stages
/// 1→2, twice, and loads the phone metadata on the way. The reading worker
/// does this as soon as it starts, while the user picks a file: the browser
/// first runs WebAssembly from a quick baseline compile and optimises the
/// code that has run for a while, so without this the user's file would be
/// read by the slow code (100,000 rows of xlsx in Chromium: 0.44 s cold
/// against 0.32 s after a warm-up on files of the same kinds).
///
/// The csv is made here; the xlsx ([`warm_up_xlsx`]) comes from the server
/// (`/import/warm-up.xlsx`), since the reading bundle has no xlsx writer:
/// `xlsx` gives its bytes each time they are read (`None`: no xlsx warm-up).
pub fn warm_up(xlsx: impl Fn() -> Option<super::read::FileBytes>) {
    let csv = super::error_file::to_csv(&warm_up_sheet(WARM_UP_ROWS));
    for _ in 0..2 {
        // Both files are well formed; a failure here only means a slower
        // first read.
        let _ = stages_one_two(csv.clone(), "warm-up.csv", true);
        if let Some(bytes) = xlsx() {
            let _ = stages_one_two(bytes, "warm-up.xlsx", true);
        }
    }
}

/// The xlsx the reading worker warms up on ([`warm_up`]): 3,000 rows like
/// the example file, with text cells of both kinds files have: shared
/// strings (as Excel writes them) and cells that hold their text themselves
/// (as many exporters write them: each kind is read by code of its own).
pub fn warm_up_xlsx() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    write_warm_up_xlsx(&warm_up_sheet(3_000))
}

fn write_warm_up_xlsx(
    sheet: &super::error_file::Sheet,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Formula, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string(0, c as u16, h)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            if r.is_multiple_of(2) {
                ws.write_string(r, c as u16, cell)?;
            } else {
                ws.write_formula(r, c as u16, Formula::new("=\"\"").set_result(cell))?;
            }
        }
    }
    wb.save_to_buffer()
}

/// `rows` rows shaped like the example file: names, a valid mobile, an
/// e-mail address, a company and a group.
fn warm_up_sheet(rows: usize) -> super::error_file::Sheet {
    super::error_file::Sheet {
        headers: super::error_file::example_sheet().headers,
        rows: (0..rows)
            .map(|i| {
                vec![
                    format!("First{i}"),
                    format!("Last{}", i % 97),
                    format!("07400 {:06}", 100_000 + i),
                    format!("person{i}@example.com"),
                    format!("Company {}", i % 13),
                    ["Friends", "Work", ""][i % 3].to_string(),
                ]
            })
            .collect(),
        phone_columns: vec![2],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mapping::ColumnMapping;
    use crate::import::read::GridRow;

    #[test]
    fn the_warm_up_files_read_as_valid_contacts() {
        let sheet = warm_up_sheet(50);
        let csv = crate::import::error_file::to_csv(&sheet);
        let xlsx = write_warm_up_xlsx(&sheet).unwrap();
        assert_eq!(stages_one_two(csv, "w.csv", true), Ok((50, 50)));
        assert_eq!(stages_one_two(xlsx, "w.xlsx", true), Ok((50, 50)));
        let served = warm_up_xlsx().unwrap();
        assert_eq!(stages_one_two(served, "w.xlsx", true), Ok((3_000, 3_000)));
    }

    fn mapping(fields: &[Option<Field>]) -> Mapping {
        Mapping {
            columns: fields
                .iter()
                .enumerate()
                .map(|(index, field)| ColumnMapping {
                    index,
                    header: format!("col{index}"),
                    field: *field,
                    label: String::new(),
                    label_column: None,
                    confidence: 1.0,
                    reason: String::new(),
                })
                .collect(),
        }
    }

    fn counts(valid: usize) -> PlanCounts {
        PlanCounts {
            data_rows: valid + 1,
            valid,
            ..Default::default()
        }
    }

    #[test]
    fn stages_run_in_order_and_the_group_stage_is_skipped_for_a_group_column() {
        let plain = mapping(&[Some(Field::FullName), Some(Field::Phone)]);
        let grouped = mapping(&[Some(Field::Phone), Some(Field::Group)]);
        assert_eq!(next_stage(Stage::Input, &plain), Ok(Stage::Mapping));
        assert_eq!(next_stage(Stage::Mapping, &plain), Ok(Stage::Group));
        assert_eq!(next_stage(Stage::Group, &plain), Ok(Stage::Summary));
        assert_eq!(next_stage(Stage::Mapping, &grouped), Ok(Stage::Summary));
        assert_eq!(
            next_stage(Stage::Summary, &plain),
            Err(StageError::Finished)
        );
        assert_eq!(group_column(&grouped), Some("col1"));
        assert_eq!(group_column(&plain), None);
    }

    #[test]
    fn back_goes_one_stage_and_never_leaves_the_summary() {
        let plain = mapping(&[Some(Field::Phone)]);
        assert_eq!(previous_stage(Stage::Mapping, &plain), Some(Stage::Input));
        assert_eq!(previous_stage(Stage::Group, &plain), Some(Stage::Mapping));
        assert_eq!(previous_stage(Stage::Input, &plain), None);
        assert_eq!(previous_stage(Stage::Summary, &plain), None);
    }

    #[test]
    fn input_needs_a_table_with_rows() {
        assert_eq!(check_input(None), Err(StageError::NoData));
        assert_eq!(check_input(Some(0)), Err(StageError::NoDataRows));
        assert_eq!(check_input(Some(1)), Ok(()));
    }

    #[test]
    fn continue_on_mapping_needs_every_column_decided_and_a_detail() {
        let open = mapping(&[None, Some(Field::Phone), None]);
        assert_eq!(
            check_mapping(&open, &counts(3)),
            Err(StageError::Unassigned(2))
        );
        assert!(StageError::Unassigned(2).to_string().contains("2 columns"));
        let mut m = open.clone();
        m.assign(0, Field::Ignore);
        m.assign(2, Field::FirstName);
        assert_eq!(check_mapping(&m, &counts(3)), Ok(()));
        assert_eq!(
            check_mapping(&m, &counts(0)),
            Err(StageError::NothingToImport)
        );
        let names_only = mapping(&[Some(Field::FirstName), Some(Field::Ignore)]);
        assert_eq!(
            check_mapping(&names_only, &counts(1)),
            Err(StageError::NoContactDetail)
        );
    }

    #[test]
    fn a_new_group_needs_a_free_name() {
        let existing = vec!["Customers".to_string()];
        let ok = |c: GroupChoice| check_group(&c, &existing);
        assert_eq!(ok(GroupChoice::None), Ok(()));
        assert_eq!(ok(GroupChoice::Existing(Some(3))), Ok(()));
        assert_eq!(
            ok(GroupChoice::Existing(None)),
            Err(StageError::NoGroupPicked)
        );
        assert_eq!(
            ok(GroupChoice::New("  ".into())),
            Err(StageError::GroupNameEmpty)
        );
        assert_eq!(
            ok(GroupChoice::New(" customers ".into())),
            Err(StageError::GroupNameTaken("Customers".into()))
        );
        assert_eq!(
            ok(GroupChoice::New("x".repeat(101))),
            Err(StageError::GroupNameTooLong)
        );
        assert_eq!(ok(GroupChoice::New("Suppliers 2026".into())), Ok(()));
    }

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
    fn stage_numbers_follow_the_order() {
        assert_eq!(Stage::Input.number(), 1);
        assert_eq!(Stage::Summary.number(), 4);
    }

    #[test]
    fn the_preview_flags_cells_rows_and_column_shares() {
        let t = Table {
            header_row: Some(1),
            headers: vec!["Name".into(), "Phone".into(), "Email".into()],
            rows: [
                ["Ann", "07400 123456", "ann@example.com"],
                ["Bob", "12", ""],
                ["Cy", "07400 123457", "not-an-email"],
                ["Di", "", ""],
            ]
            .iter()
            .enumerate()
            .map(|(i, r)| GridRow::new(i as u32 + 2, r.iter()))
            .collect(),
            width: 3,
        };
        let m = crate::import::auto_map(&t.headers, &t.rows, 3, Region::default());
        let mut cache = crate::import::rows::PhoneCache::default();
        let p = preview(&t, &m, Region::default(), &mut cache);
        assert_eq!(cache.len(), 3, "each phone cell parsed once");
        assert_eq!(preview(&t, &m, Region::default(), &mut cache), p);
        assert_eq!(cache.len(), 3, "and not again");
        assert_eq!(p.plan.counts.valid, 2);
        assert!(
            p.problems.cells[&(3, 1)].refused,
            "Bob's phone refuses his row"
        );
        assert!(
            !p.problems.cells[&(4, 2)].refused,
            "Cy's e-mail is dropped, Cy imported"
        );
        assert!(p.problems.rows[&5].refused);
        assert_eq!(p.problems.columns[&1], (3, 1));
        assert_eq!(p.problems.columns[&2], (2, 1));
        assert_eq!(
            p.problems.reasons,
            vec![
                (RejectReason::NoContactDetail, 1),
                (RejectReason::InvalidPhone, 1)
            ]
        );
    }
}
