//! What the browser sends the server during an import: only the columns the
//! mapping uses (and the label columns they read), row by row with the row
//! numbers of the user's file, in chunks that keep merged duplicates
//! together. The server rebuilds a [`Table`] from them and runs the same
//! [`plan`](super::plan) again: it never trusts the browser's verdict.

use serde::{Deserialize, Serialize};

use super::consent::ImportConsent;
use super::fields::FieldDef;
use super::mapping::{ColumnMapping, Field, Mapping};
use super::read::GridRow;
use super::rows::{ImportPlan, Rejection};
use super::table::Table;
use super::validate::Region;
use super::wizard::GroupChoice;

/// Most rows in one chunk; the server refuses more.
pub const MAX_CHUNK_ROWS: usize = 5_000;
/// Rows per chunk the browser aims for: big enough that each statement's
/// fixed cost is paid rarely, small enough that 100,000 rows still move the
/// progress bar in 25 steps (BENCHMARKS.md has the measurement).
pub const CHUNK_ROWS: usize = 4_000;
/// Bytes per chunk the browser aims for (the server accepts 1 MiB bodies).
pub const CHUNK_BYTES: usize = 512 * 1024;
/// Most chunks in one import: the reader's 1,048,576 rows in chunks cut
/// short by [`CHUNK_BYTES`] at rows of up to 1 KB.
pub const MAX_CHUNKS: u32 = 2_100;

/// Most rows one import may hold: what the reader reads of one sheet.
pub const MAX_IMPORT_ROWS: u64 = 1_048_576;
/// Most columns one import may send.
pub const MAX_WIRE_COLUMNS: usize = 1_024;

/// One column as sent: its field and label, and where its label column is
/// among the sent columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireColumn {
    pub header: String,
    pub field: Field,
    pub label: String,
    pub label_column: Option<usize>,
    /// A custom field's definition (for [`Field::Custom`]).
    #[serde(default)]
    pub custom: Option<FieldDef>,
}

/// A row as sent: its number in the user's file and the sent columns' cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRow {
    pub number: u32,
    pub cells: Vec<String>,
}

/// Starts an import: the file's description, the confirmed mapping, the
/// phone region and the group choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRequest {
    pub file_name: String,
    pub sheet: String,
    pub format: String,
    pub columns: Vec<WireColumn>,
    pub region: Region,
    pub group: GroupChoice,
    pub total_rows: u64,
    /// The file's [`Table::content_hash`](super::Table::content_hash): the
    /// same file chosen again after a reload finds this import.
    #[serde(default)]
    pub content_hash: String,
    /// The wizard's mapping and region, to resume with after a reload.
    #[serde(default)]
    pub wizard: Option<WizardState>,
    /// "These people agreed to receive SMS" / "this file is an opt-out list".
    #[serde(default)]
    pub consent: ImportConsent,
}

/// What the wizard needs to resume an import after a reload: the mapping
/// of the table's columns (the same file gives the same table, hence the
/// same chunks) and the phone region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WizardState {
    pub mapping: Mapping,
    pub region: Region,
}

/// An import of the account that started and did not finish, offered to
/// resume when its file is chosen again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnfinishedImport {
    pub started: ImportStarted,
    pub file_name: String,
    pub sheet: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub total_rows: u64,
    /// Contacts written so far.
    pub created: u64,
    pub updated: u64,
    pub wizard: WizardState,
}

/// The server's answer to [`ImportRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStarted {
    pub import_id: i64,
    /// The group every contact joins (the new or existing one), if any.
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
}

/// One chunk of rows; `(import_id, chunk_no)` identifies it, so sending it
/// again changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRequest {
    pub import_id: i64,
    pub chunk_no: u32,
    pub rows: Vec<WireRow>,
}

/// What one chunk did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkOutcome {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub groups_created: usize,
    pub details_dropped: usize,
    /// Rows the server refused (validation again, or a conflict with two
    /// existing contacts), with their reasons.
    pub rejected: Vec<Rejection>,
    /// True when this chunk had been applied before and this is its record.
    pub replayed: bool,
    /// Contacts whose SMS status became opted in / opted out.
    #[serde(default)]
    pub opted_in: usize,
    #[serde(default)]
    pub opted_out: usize,
    /// Rows that would have opted an opted-out contact back in: it was kept
    /// opted out.
    #[serde(default)]
    pub kept_opted_out: Vec<u32>,
}

impl ChunkOutcome {
    pub fn add(&mut self, other: &ChunkOutcome) {
        self.rows += other.rows;
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.groups_created += other.groups_created;
        self.details_dropped += other.details_dropped;
        self.rejected.extend(other.rejected.iter().cloned());
        self.opted_in += other.opted_in;
        self.opted_out += other.opted_out;
        self.kept_opted_out
            .extend(other.kept_opted_out.iter().copied());
    }
}

/// Ends an import: the rows the browser refused before sending (for the
/// history's counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishRequest {
    pub import_id: i64,
    pub rejected_in_browser: u64,
    pub dropped_in_browser: u64,
}

/// Why the server refuses a chunk before reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkIssue {
    TooManyRows,
    TooManyChunks,
    /// A cell longer than the reader's limit, in this row of the file.
    CellTooLong {
        row: u32,
        max: usize,
    },
}

impl std::fmt::Display for ChunkIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChunkIssue::TooManyRows => write!(f, "Send at most {MAX_CHUNK_ROWS} rows per chunk."),
            ChunkIssue::TooManyChunks => write!(f, "An import has at most {MAX_CHUNKS} chunks."),
            ChunkIssue::CellTooLong { row, max } => {
                write!(f, "Row {row} has a cell longer than {max} characters.")
            }
        }
    }
}

/// The limits of an import's start, checked by the server before it
/// records anything: columns that exist and point at each other within
/// range, a row count the reader could have read.
pub fn check_start(start: &ImportRequest) -> Result<(), String> {
    let n = start.columns.len();
    if n == 0 || n > MAX_WIRE_COLUMNS {
        return Err(format!(
            "Send between 1 and {MAX_WIRE_COLUMNS} mapped columns."
        ));
    }
    if start.total_rows > MAX_IMPORT_ROWS {
        return Err(format!(
            "An import holds at most {MAX_IMPORT_ROWS} rows: split the file."
        ));
    }
    if start
        .columns
        .iter()
        .any(|c| c.label_column.is_some_and(|l| l >= n))
    {
        return Err("A column's label column is not among the sent columns.".into());
    }
    if start.content_hash.len() > 64 || !start.content_hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("The file's content hash is 64 hexadecimal characters.".into());
    }
    let custom: Vec<&FieldDef> = start
        .columns
        .iter()
        .filter_map(|c| c.custom.as_ref())
        .collect();
    if start
        .columns
        .iter()
        .any(|c| (c.field == Field::Custom) != c.custom.is_some())
    {
        return Err("A custom field column names its field.".into());
    }
    if custom.len() > super::fields::MAX_FIELDS {
        return Err(format!(
            "An import maps at most {} custom fields.",
            super::fields::MAX_FIELDS
        ));
    }
    for (i, d) in custom.iter().enumerate() {
        if custom[..i].iter().any(|e| e.name.key() == d.name.key()) {
            return Err(format!("Two columns are mapped to the field “{}”.", d.name));
        }
        if d.kind == super::fields::FieldKind::Choice {
            super::fields::parse_choices(&d.choices).map_err(|e| e.to_string())?;
        }
    }
    super::wizard::check_contact_detail(start.columns.iter().map(|c| c.field))
        .map_err(|e| e.to_string())
}

/// [`FinishRequest`]'s counts, capped by what the import can hold: the
/// browser's word is never taken for more rows than the import has.
pub fn capped_finish(finish: &FinishRequest, total_rows: u64) -> (u64, u64) {
    let details_per_row = 2 * super::contact::MAX_DETAILS_PER_KIND as u64;
    (
        finish.rejected_in_browser.min(total_rows),
        finish
            .dropped_in_browser
            .min(total_rows.saturating_mul(details_per_row)),
    )
}

/// A fingerprint of a chunk's rows (SHA-256 of each row's number and
/// cells, delimited), in hex: the ledger keeps it, so that the same chunk
/// number sent again with other rows is told apart from a replay.
pub fn chunk_fingerprint(rows: &[WireRow]) -> String {
    let mut h = super::table::RowDigest::default();
    for row in rows {
        h.row(row.number, row.cells.iter().map(String::as_str));
    }
    h.hex()
}

/// The limits of one chunk, checked by the server before it plans the rows.
pub fn check_chunk(chunk: &ChunkRequest) -> Result<(), ChunkIssue> {
    if chunk.rows.len() > MAX_CHUNK_ROWS {
        return Err(ChunkIssue::TooManyRows);
    }
    if chunk.chunk_no >= MAX_CHUNKS {
        return Err(ChunkIssue::TooManyChunks);
    }
    let max = super::read::Budget::default().max_cell_chars;
    match chunk
        .rows
        .iter()
        .find(|r| r.cells.iter().any(|c| c.chars().count() > max))
    {
        Some(r) => Err(ChunkIssue::CellTooLong { row: r.number, max }),
        None => Ok(()),
    }
}

/// The columns to send for `mapping` (mapped ones and the label columns
/// they read), as indexes into the table's rows, and the mapping as the
/// server will see it.
pub fn wire_columns(mapping: &Mapping) -> (Vec<usize>, Vec<WireColumn>) {
    let mut source: Vec<usize> = mapping
        .columns
        .iter()
        .filter(|c| !matches!(c.field, None | Some(Field::Ignore)))
        .map(|c| c.index)
        .collect();
    for c in &mapping.columns {
        if matches!(c.field, None | Some(Field::Ignore)) {
            continue;
        }
        if let Some(l) = c.label_column {
            if !source.contains(&l) {
                source.push(l);
            }
        }
    }
    let position = |i: usize| source.iter().position(|&s| s == i);
    let columns = source
        .iter()
        .map(|&i| {
            match mapping.columns.iter().find(|c| c.index == i) {
                Some(c) if !matches!(c.field, None | Some(Field::Ignore)) => WireColumn {
                    header: c.header.clone(),
                    field: c.field.unwrap_or(Field::Ignore),
                    label: c.label.clone(),
                    label_column: c.label_column.and_then(position),
                    custom: c.custom.clone(),
                },
                // A label column: sent for its cells, mapped to nothing.
                other => WireColumn {
                    header: other.map(|c| c.header.clone()).unwrap_or_default(),
                    field: Field::Ignore,
                    label: String::new(),
                    label_column: None,
                    custom: None,
                },
            }
        })
        .collect();
    (source, columns)
}

/// The row as sent: only the `source` columns.
pub fn wire_row(row: &GridRow, source: &[usize]) -> WireRow {
    WireRow {
        number: row.number,
        cells: source.iter().map(|&i| row.cell(i).to_string()).collect(),
    }
}

/// The server's table and mapping for a chunk of rows.
pub fn server_table(columns: &[WireColumn], rows: Vec<WireRow>) -> (Table, Mapping) {
    let width = columns.len();
    let mapping = Mapping {
        columns: columns
            .iter()
            .enumerate()
            .map(|(index, c)| ColumnMapping {
                index,
                header: c.header.clone(),
                field: Some(c.field),
                label: c.label.clone(),
                label_column: c.label_column.filter(|&l| l < width),
                confidence: 1.0,
                reason: "confirmed in the wizard".into(),
                custom: c.custom.clone(),
            })
            .collect(),
    };
    let table = Table {
        header_row: None,
        headers: columns.iter().map(|c| c.header.clone()).collect(),
        rows: rows
            .into_iter()
            .map(|r| GridRow::new(r.number, r.cells.iter().take(width)))
            .collect(),
        width,
    };
    (table, mapping)
}

/// Splits the plan's contacts into chunks of at most `max_rows` rows and
/// about `max_bytes` (as `size` estimates each row number's bytes on the
/// wire), never splitting the rows of one merged contact.
pub fn chunk_rows(
    plan: &ImportPlan,
    max_rows: usize,
    max_bytes: usize,
    size: impl Fn(u32) -> usize,
) -> Vec<Vec<u32>> {
    let mut chunks: Vec<Vec<u32>> = Vec::new();
    let mut current: Vec<u32> = Vec::new();
    let mut bytes = 0;
    for c in &plan.contacts {
        let add: usize = c.rows.iter().map(|&r| size(r)).sum();
        if !current.is_empty()
            && (current.len() + c.rows.len() > max_rows || bytes + add > max_bytes)
        {
            chunks.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.extend(&c.rows);
        bytes += add;
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// About how many bytes `row` takes in a chunk's JSON.
pub fn wire_size(row: &GridRow, source: &[usize]) -> usize {
    24 + source.iter().map(|&i| row.cell(i).len() + 4).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{auto_map, plan};

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table::literal(headers, rows)
    }

    #[test]
    fn the_server_plans_the_same_contacts_from_the_sent_columns_only() {
        let t = table(
            &[
                "Name",
                "Notes",
                "Phone 1 - Label",
                "Phone 1 - Value",
                "E-mail 1 - Value",
            ],
            &[
                &[
                    "Ann Lee",
                    "secret",
                    "Mobile",
                    "07400 123456",
                    "ann@example.com",
                ],
                &["Bob Ray", "x", "Work", "not a phone", "bob@example.com"],
                &["Ann L.", "", "", "+44 7400 123456", ""],
                &["Nobody", "", "", "", ""],
            ],
        );
        let region = Region::default();
        let m = auto_map(&t.headers, &t.rows, t.width, region);
        let browser = plan(&t, &m, region, &[]);
        let (source, columns) = wire_columns(&m);
        assert!(
            !source.contains(&1),
            "the unmapped Notes column is not sent"
        );
        assert!(source.contains(&2), "the label column is sent");
        let rows = t.rows.iter().map(|r| wire_row(r, &source)).collect();
        let (st, sm) = server_table(&columns, rows);
        let server = plan(&st, &sm, region, &[]);
        assert_eq!(server.contacts, browser.contacts);
        assert_eq!(
            server.rejected.iter().map(|r| r.row).collect::<Vec<_>>(),
            browser.rejected.iter().map(|r| r.row).collect::<Vec<_>>()
        );
        assert_eq!(server.contacts[0].details[0].label, "mobile");
    }

    #[test]
    fn chunks_keep_merged_rows_together() {
        let rows: Vec<Vec<String>> = (0..10)
            .map(|i| {
                // Rows 2 and 3 of each pair share an e-mail.
                vec![format!("p{}@example.com", i / 2)]
            })
            .collect();
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(|r| r.as_slice()).collect();
        let t = table(&["Email"], &slices);
        let region = Region::default();
        let m = auto_map(&t.headers, &t.rows, t.width, region);
        let p = plan(&t, &m, region, &[]);
        assert_eq!(p.contacts.len(), 5);
        let chunks = chunk_rows(&p, 3, usize::MAX, |_| 1);
        assert_eq!(
            chunks,
            vec![vec![2, 3], vec![4, 5], vec![6, 7], vec![8, 9], vec![10, 11]]
        );
        let all: Vec<u32> = chunk_rows(&p, 1000, usize::MAX, |_| 1).concat();
        assert_eq!(all.len(), 10);
        // By size: 100 bytes a row, 250 a chunk.
        assert_eq!(chunk_rows(&p, 1000, 250, |_| 100).len(), 5);
        // A contact bigger than the limit still goes, alone.
        assert_eq!(chunk_rows(&p, 1000, 10, |_| 100).len(), 5);
        assert_eq!(chunk_rows(&p, 1000, 450, |_| 100).len(), 3);
    }

    #[test]
    fn a_hostile_label_column_index_is_ignored() {
        let columns = vec![WireColumn {
            header: "Phone".into(),
            field: Field::Phone,
            label: "mobile".into(),
            label_column: Some(99),
            custom: None,
        }];
        let (t, m) = server_table(
            &columns,
            vec![WireRow {
                number: 5,
                cells: vec!["07400 123456".into(), "extra".into()],
            }],
        );
        assert_eq!(m.columns[0].label_column, None);
        assert_eq!(t.rows[0].width(), 1);
        let p = plan(&t, &m, Region::default(), &[]);
        assert_eq!(p.contacts[0].rows, vec![5]);
    }
}
