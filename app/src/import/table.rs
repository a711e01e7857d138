//! Finding the table in a sheet: which row is the header (title and blank
//! rows above it are skipped; a sheet may have no header at all), and which
//! sheet of a workbook holds the contacts.

use serde::{Deserialize, Serialize};

use super::mapping::{auto_map, is_known_header, Mapping};
use super::read::{Book, Grid, GridRow, ReadError};
use super::validate::{lenient_phone, normalize_email, Region};

/// SHA-256 of rows, each value length-prefixed so that no two different
/// tables give the same bytes: [`Table::content_hash`] and the chunk
/// ledger's `wire::chunk_fingerprint`.
#[derive(Default)]
pub(crate) struct RowDigest(sha2::Sha256);

impl RowDigest {
    /// A list of values, with its length.
    pub(crate) fn list<'a>(&mut self, values: impl ExactSizeIterator<Item = &'a str>) {
        use sha2::Digest;
        self.0.update((values.len() as u64).to_le_bytes());
        for v in values {
            self.0.update((v.len() as u64).to_le_bytes());
            self.0.update(v.as_bytes());
        }
    }

    /// A row: its number, then its cells.
    pub(crate) fn row<'a>(&mut self, number: u32, cells: impl ExactSizeIterator<Item = &'a str>) {
        use sha2::Digest;
        self.0.update(number.to_le_bytes());
        self.list(cells);
    }

    /// The digest, in hex.
    pub(crate) fn hex(self) -> String {
        use sha2::Digest;
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Rows looked at when searching for the header.
const HEADER_SEARCH_ROWS: usize = 20;

/// A sheet's table: its header (if any) and the data rows below it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The header's row number as the user sees it; `None` when the table
    /// has no header row (or the format defines the header, as vCard does).
    pub header_row: Option<u32>,
    /// Column headers; empty when there is none.
    pub headers: Vec<String>,
    pub rows: Vec<GridRow>,
    pub width: usize,
}

impl Table {
    /// A fingerprint of the table's content (SHA-256 of its headers and
    /// every row's number and cells, unambiguously delimited), in hex. The
    /// same file chosen again gives the same one, so the wizard can find
    /// the import it started before a reload (`imports/unfinished`). Taken
    /// before any cell is fixed in place.
    pub fn content_hash(&self) -> String {
        let mut h = RowDigest::default();
        h.list(self.headers.iter().map(String::as_str));
        for row in &self.rows {
            h.row(row.number, row.cells());
        }
        h.hex()
    }

    /// A table with a header in row 1 and `rows` below it (row 2 on), as
    /// examples and tests write one.
    pub fn literal(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            header_row: Some(1),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| GridRow::new(i as u32 + 2, r.iter()))
                .collect(),
            width: headers.len(),
        }
    }
}

/// How to choose the header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeaderChoice {
    /// Find it.
    Auto,
    /// The row with this number (as the user sees it).
    Row(u32),
    /// There is no header row: every row is data.
    None,
}

fn looks_like_data(cell: &str, region: Region) -> bool {
    !cell.is_empty()
        && (cell
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().,/".contains(c))
            || normalize_email(cell).is_ok()
            || lenient_phone(cell, region).is_ok())
}

/// The index (in `grid.rows`) of the header row, if the sheet has one.
pub fn detect_header(grid: &Grid, region: Region) -> Option<usize> {
    let rows: Vec<&GridRow> = grid.rows.iter().take(HEADER_SEARCH_ROWS).collect();
    let width = rows.iter().map(|r| r.filled()).max().unwrap_or(0);
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().enumerate() {
        let filled = row.filled();
        if filled < 2.min(width) {
            continue;
        }
        if row.cells().any(|c| looks_like_data(c, region)) {
            continue;
        }
        let known = row.cells().filter(|c| is_known_header(c)).count();
        if known == 0 {
            continue;
        }
        let score = known * 10 + filled;
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    if let Some((i, _)) = best {
        return Some(i);
    }
    // No header we recognise: the first wide row of plain text above rows
    // that hold data in the same columns is a header of unknown names.
    let first = rows
        .iter()
        .position(|r| r.filled() >= 2.max(width * 3 / 5) || (width == 1 && r.filled() == 1))?;
    let candidate = rows[first];
    let texty = candidate
        .cells()
        .all(|c| c.is_empty() || !looks_like_data(c, region));
    let data_below = rows.iter().skip(first + 1).take(5).any(|r| {
        r.cells()
            .enumerate()
            .any(|(j, c)| looks_like_data(c, region) && !candidate.cell(j).is_empty())
    });
    (texty && data_below).then_some(first)
}

/// Builds the table of `grid` with the header chosen by `choice`.
pub fn table(grid: Grid, choice: HeaderChoice, region: Region) -> Table {
    let width = grid.width();
    if let Some(header) = grid.fixed_header {
        return Table {
            header_row: None,
            headers: header,
            rows: grid.rows,
            width,
        };
    }
    let index = match choice {
        HeaderChoice::Auto => detect_header(&grid, region),
        HeaderChoice::Row(n) => grid.rows.iter().position(|r| r.number == n),
        HeaderChoice::None => None,
    };
    let mut rows = grid.rows;
    match index {
        Some(i) => {
            let header = rows.remove(i);
            // Rows above the header (titles, notes) are not data.
            rows.drain(..i);
            let mut headers = header.to_cells();
            headers.resize(width, String::new());
            Table {
                header_row: Some(header.number),
                headers,
                rows,
                width,
            }
        }
        None => Table {
            header_row: None,
            headers: Vec::new(),
            rows,
            width,
        },
    }
}

/// A sheet chosen from a book, with its table and mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenSheet {
    pub index: usize,
    pub table: Table,
    pub mapping: Mapping,
}

/// Reads the sheet `wanted` (or, when `None`, the first sheet whose table
/// has a phone or e-mail column, else the first non-empty one), finds its
/// header and maps its columns.
pub fn choose_sheet(
    book: &mut Book,
    wanted: Option<usize>,
    header: HeaderChoice,
    region: Region,
) -> Result<ChosenSheet, ReadError> {
    let candidates: Vec<usize> = match wanted {
        Some(i) => vec![i],
        None => (0..book.sheet_names().len()).collect(),
    };
    let mut fallback: Option<ChosenSheet> = None;
    let mut first_error: Option<ReadError> = None;
    for index in candidates {
        let grid = match book.read_sheet(index) {
            Ok(g) => g,
            Err(e) if wanted.is_none() && e.kind != super::read::ReadErrorKind::TooLarge => {
                first_error.get_or_insert(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        if grid.is_empty() {
            continue;
        }
        let table = table(grid, header, region);
        let mapping = auto_map(&table.headers, &table.rows, table.width, region);
        let chosen = ChosenSheet {
            index,
            table,
            mapping,
        };
        if chosen.mapping.has_contact_detail() || wanted.is_some() {
            return Ok(chosen);
        }
        fallback.get_or_insert(chosen);
    }
    fallback.ok_or_else(|| first_error.unwrap_or_else(ReadError::empty))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[(u32, &[&str])]) -> Grid {
        Grid {
            rows: rows
                .iter()
                .map(|(n, cells)| GridRow::new(*n, cells.iter()))
                .collect(),
            fixed_header: None,
        }
    }

    #[test]
    fn a_title_and_blank_rows_above_the_header_are_skipped() {
        let g = grid(&[
            (1, &["Customer list 2026"]),
            (2, &["Exported by Ada"]),
            (4, &["First name", "Last name", "Mobile"]),
            (5, &["Ada", "Lovelace", "07400 123456"]),
        ]);
        let t = table(g, HeaderChoice::Auto, Region::default());
        assert_eq!(t.header_row, Some(4));
        assert_eq!(t.headers, vec!["First name", "Last name", "Mobile"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].number, 5);
    }

    #[test]
    fn a_file_without_header_keeps_every_row() {
        let g = grid(&[
            (1, &["Ada Lovelace", "07400 123456"]),
            (2, &["Bob", "07400 654321"]),
        ]);
        let t = table(g, HeaderChoice::Auto, Region::default());
        assert_eq!(t.header_row, None);
        assert_eq!(t.rows.len(), 2);
    }

    #[test]
    fn unknown_header_words_above_data_are_a_header() {
        let g = grid(&[(1, &["Kunde", "Kontakt"]), (2, &["Ada", "07400 123456"])]);
        assert_eq!(detect_header(&g, Region::default()), Some(0));
    }

    #[test]
    fn the_user_can_choose_the_header_row_or_none() {
        let g = grid(&[(1, &["Name", "Phone"]), (2, &["Ada", "07400 123456"])]);
        let t = table(g.clone(), HeaderChoice::None, Region::default());
        assert_eq!((t.header_row, t.rows.len()), (None, 2));
        let t = table(g, HeaderChoice::Row(2), Region::default());
        assert_eq!(t.header_row, Some(2));
        assert_eq!(t.rows.len(), 0);
    }

    #[test]
    fn the_content_hash_follows_every_cell_and_its_place() {
        let a = Table::literal(
            &["Name", "Phone"],
            &[&["Ada", "07400 123456"], &["Bob", ""]],
        );
        assert_eq!(a.content_hash(), a.clone().content_hash());
        assert_eq!(a.content_hash().len(), 64);
        let moved = Table::literal(
            &["Name", "Phone"],
            &[&["Ada", "07400 123456", ""], &["Bob"]],
        );
        let shifted = Table::literal(
            &["Name", "Phone"],
            &[&["Ada0", "7400 123456"], &["Bob", ""]],
        );
        let other = Table::literal(
            &["Name", "Phone"],
            &[&["Ada", "07400 123457"], &["Bob", ""]],
        );
        for t in [moved, shifted, other] {
            assert_ne!(a.content_hash(), t.content_hash());
        }
    }
}
