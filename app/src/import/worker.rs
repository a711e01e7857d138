//! The reader that runs in a Web Worker: the wizard's heavy work — reading
//! the file, finding the header, mapping, validating every row — happens
//! here, off the page's thread, so a 1,000,000-row file never freezes the
//! tab. The page sends [`Request`]s and gets [`Response`]s, both encoded
//! with postcard (a compact binary format) and passed as transferable byte
//! buffers. Everything here is plain Rust, tested natively; the worker's
//! JavaScript (`public/reader-worker.js`) and the page's client
//! (`crate::browser`) only carry the bytes.
//!
//! The worker keeps the opened book (to read another sheet or header row),
//! the table, and the phone verdicts of this file; the page keeps a copy of
//! the table's rows for the grid, the peek and the chunks it sends.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::read::{Book, Format, GridRow};
use super::rows::{PhoneCache, PlanCounts, RejectReason, Rejection};
use super::table::{choose_sheet, HeaderChoice, Table};
use super::validate::Region;
use super::wire::{chunk_rows, wire_columns, wire_size, CHUNK_BYTES, CHUNK_ROWS};
use super::wizard::{preview, CellProblem, RowProblem};
use super::Mapping;

/// Rows per [`Request::Rows`] answer: small enough that decoding one on the
/// page takes a few tens of milliseconds.
pub const ROWS_PER_MESSAGE: usize = 20_000;

/// What the page asks the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Open the file sent with the message (its bytes travel beside the
    /// request) and choose its sheet.
    Open { name: String, region: Region },
    /// Read pasted text.
    Paste { text: String, region: Region },
    /// Read another sheet, or the same one with another header choice.
    Reload {
        sheet: usize,
        header: HeaderChoice,
        region: Region,
    },
    /// The table's rows `from..to` (clipped to the table).
    Rows { from: usize, to: usize },
    /// The user fixed a cell in place (`index` into the table's rows).
    Edit {
        index: usize,
        col: usize,
        value: String,
    },
    /// Validate every row under `mapping`.
    Check { mapping: Mapping, region: Region },
    /// Drop the file (the wizard was reset or left).
    Forget,
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Opened(Opened),
    Rows(Vec<GridRow>),
    Checked(Box<Checked>),
    Done,
    /// A message for the user.
    Failed(String),
}

/// A file (or paste) opened and a sheet chosen; the rows follow with
/// [`Request::Rows`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opened {
    pub format: Format,
    pub sheets: Vec<String>,
    pub named_sheets: bool,
    pub sheet: usize,
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
    pub header_row: Option<u32>,
    pub headers: Vec<String>,
    pub width: usize,
    pub rows: usize,
    pub mapping: Mapping,
}

impl Opened {
    /// The table without its rows, for the page to fill.
    pub fn empty_table(&self) -> Table {
        Table {
            header_row: self.header_row,
            headers: self.headers.clone(),
            rows: Vec::with_capacity(self.rows),
            width: self.width,
        }
    }
}

/// Every row validated: what the mapping stage shows, and what the summary
/// stage sends. The list of contacts itself stays in the worker; the page
/// gets their count and the row numbers of each chunk to send.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checked {
    pub counts: PlanCounts,
    /// Contacts that will be imported (after merging duplicates).
    pub contacts: usize,
    /// Rows refused in the browser, for the summary and the error file.
    pub rejected: Vec<Rejection>,
    /// (row number, column) → what is wrong with that cell.
    pub cells: HashMap<(u32, usize), CellProblem>,
    /// Row number → the row's problem.
    pub rows: BTreeMap<u32, RowProblem>,
    /// Per column index: (non-empty cells, cells with a problem).
    pub columns: HashMap<usize, (usize, usize)>,
    /// Rows refused, per reason.
    pub reasons: Vec<(RejectReason, usize)>,
    /// Row numbers of each chunk the summary stage sends.
    pub chunks: Vec<Vec<u32>>,
}

/// The worker's state: one file at a time.
#[derive(Debug, Default)]
pub struct Session {
    book: Option<Book>,
    table: Option<Table>,
    phones: PhoneCache,
}

impl Session {
    /// Answers one request; `bytes` are the file's, for [`Request::Open`]
    /// (`None` when the browser could not read the file).
    pub fn handle(&mut self, request: Request, bytes: Option<Vec<u8>>) -> Response {
        match request {
            Request::Open { name, region } => {
                self.forget();
                let Some(bytes) = bytes else {
                    return Response::Failed(
                        "The browser could not read this file. Try choosing it again.".into(),
                    );
                };
                self.open(super::read::open(bytes, &name), region)
            }
            Request::Paste { text, region } => {
                self.forget();
                self.open(super::read::open_pasted(&text), region)
            }
            Request::Reload {
                sheet,
                header,
                region,
            } => self.reload(sheet, header, region),
            Request::Rows { from, to } => {
                let rows = self
                    .table
                    .as_ref()
                    .map(|t| {
                        let to = to.min(t.rows.len());
                        t.rows[from.min(to)..to].to_vec()
                    })
                    .unwrap_or_default();
                Response::Rows(rows)
            }
            Request::Edit { index, col, value } => {
                match self.table.as_mut().and_then(|t| t.rows.get_mut(index)) {
                    Some(row) => {
                        if row.cells.len() <= col {
                            row.cells.resize(col + 1, String::new());
                        }
                        row.cells[col] = value;
                        Response::Done
                    }
                    None => Response::Failed(
                        "That row is no longer in the table. Read the file again.".into(),
                    ),
                }
            }
            Request::Check { mapping, region } => match &self.table {
                Some(t) => {
                    Response::Checked(Box::new(check(t, &mapping, region, &mut self.phones)))
                }
                None => Response::Failed("Upload a file or paste rows first.".into()),
            },
            Request::Forget => {
                self.forget();
                Response::Done
            }
        }
    }

    fn forget(&mut self) {
        self.book = None;
        self.table = None;
        self.phones = PhoneCache::default();
    }

    fn open(&mut self, book: Result<Book, super::ReadError>, region: Region) -> Response {
        let mut book = match book {
            Ok(b) => b,
            Err(e) => return Response::Failed(e.message),
        };
        match choose_sheet(&mut book, None, HeaderChoice::Auto, region) {
            Ok(chosen) => {
                let opened = opened(&book, chosen.index, &chosen.table, chosen.mapping);
                self.book = Some(book);
                self.table = Some(chosen.table);
                Response::Opened(opened)
            }
            Err(e) => Response::Failed(e.message),
        }
    }

    fn reload(&mut self, sheet: usize, header: HeaderChoice, region: Region) -> Response {
        let Some(book) = self.book.as_mut() else {
            return Response::Failed("Upload a file or paste rows first.".into());
        };
        match choose_sheet(book, Some(sheet), header, region) {
            Ok(chosen) => {
                if let HeaderChoice::Row(n) = header {
                    if chosen.table.header_row != Some(n) {
                        return Response::Failed(format!(
                            "Row {n} is not in this sheet's data (blank rows are skipped). Type another row number, or 0 for no header row."
                        ));
                    }
                }
                let opened = opened(book, chosen.index, &chosen.table, chosen.mapping);
                self.table = Some(chosen.table);
                Response::Opened(opened)
            }
            Err(e) => Response::Failed(e.message),
        }
    }
}

fn opened(book: &Book, sheet: usize, table: &Table, mapping: Mapping) -> Opened {
    Opened {
        format: book.format,
        sheets: book.sheet_names().to_vec(),
        named_sheets: book.has_named_sheets(),
        sheet,
        encoding: book.encoding.map(str::to_string),
        delimiter: book.delimiter,
        header_row: table.header_row,
        headers: table.headers.clone(),
        width: table.width,
        rows: table.rows.len(),
        mapping,
    }
}

/// Validates `table` under `mapping` and plans the chunks.
pub fn check(table: &Table, mapping: &Mapping, region: Region, phones: &mut PhoneCache) -> Checked {
    let p = preview(table, mapping, region, phones);
    let (source, _) = wire_columns(mapping);
    let size = |n: u32| {
        table
            .rows
            .binary_search_by_key(&n, |r| r.number)
            .map(|i| wire_size(&table.rows[i], &source))
            .unwrap_or(0)
    };
    let chunks = chunk_rows(&p.plan, CHUNK_ROWS, CHUNK_BYTES, size);
    Checked {
        counts: p.plan.counts,
        contacts: p.plan.contacts.len(),
        rejected: p.plan.rejected,
        cells: p.cells,
        rows: p.rows,
        columns: p.columns,
        reasons: p.reasons,
        chunks,
    }
}

/// Encodes a request or response for the trip between threads.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Encoding our own plain types into a Vec cannot fail.
    postcard::to_allocvec(value).unwrap_or_default()
}

/// Decodes what [`encode`] made.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    postcard::from_bytes(bytes).ok()
}

/// One request, encoded, answered, encoded: the whole of what the worker's
/// entry point does.
pub fn serve(session: &mut Session, request: &[u8], bytes: Option<Vec<u8>>) -> Vec<u8> {
    let response = match decode::<Request>(request) {
        Some(r) => session.handle(r, bytes),
        None => Response::Failed("The page and its file reader disagree: reload the page.".into()),
    };
    encode(&response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Field;

    const CSV: &str = "Name,Phone,Email\nAnn Lee,+44 7400 123456,ann@example.com\nBob Ray,nonsense,bob@example\nCy Dee,,cy@example.org\n";

    fn ask(s: &mut Session, r: Request, bytes: Option<Vec<u8>>) -> Response {
        // Through the encoding, as the browser does.
        decode(&serve(s, &encode(&r), bytes)).expect("decodes")
    }

    fn open(s: &mut Session, text: &str, name: &str) -> Opened {
        match ask(
            s,
            Request::Open {
                name: name.into(),
                region: Region::default(),
            },
            Some(text.as_bytes().to_vec()),
        ) {
            Response::Opened(o) => o,
            other => panic!("not opened: {other:?}"),
        }
    }

    fn check_now(s: &mut Session, mapping: &Mapping) -> Checked {
        match ask(
            s,
            Request::Check {
                mapping: mapping.clone(),
                region: Region::default(),
            },
            None,
        ) {
            Response::Checked(c) => *c,
            other => panic!("not checked: {other:?}"),
        }
    }

    #[test]
    fn a_file_is_opened_mapped_and_handed_over_in_slices() {
        let mut s = Session::default();
        let o = open(&mut s, CSV, "people.csv");
        assert_eq!(o.format, Format::Csv);
        assert_eq!(o.header_row, Some(1));
        assert_eq!(o.headers, ["Name", "Phone", "Email"]);
        assert_eq!((o.rows, o.width), (3, 3));
        assert_eq!(o.mapping.columns[1].field, Some(Field::Phone));
        assert_eq!(o.encoding.as_deref(), Some("UTF-8"));
        let Response::Rows(first) = ask(&mut s, Request::Rows { from: 0, to: 2 }, None) else {
            panic!("no rows")
        };
        let Response::Rows(rest) = ask(&mut s, Request::Rows { from: 2, to: 99 }, None) else {
            panic!("no rows")
        };
        assert_eq!(first.len(), 2);
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].cells[0], "Cy Dee");
        assert_eq!(rest[0].number, 4);
        let Response::Rows(none) = ask(&mut s, Request::Rows { from: 7, to: 9 }, None) else {
            panic!("no rows")
        };
        assert!(none.is_empty());
    }

    #[test]
    fn a_check_counts_flags_and_plans_the_chunks() {
        let mut s = Session::default();
        let o = open(&mut s, CSV, "people.csv");
        let c = check_now(&mut s, &o.mapping);
        // Bob has no valid detail: refused; the others import.
        assert_eq!(c.contacts, 2);
        assert_eq!(c.counts.rejected, 1);
        assert_eq!(c.rejected[0].row, 3);
        assert!(c.rows[&3].refused);
        assert!(c.cells.contains_key(&(3, 1)));
        assert_eq!(c.columns[&1], (2, 1));
        assert_eq!(c.chunks, vec![vec![2, 4]]);
    }

    #[test]
    fn an_edit_is_seen_by_the_next_check() {
        let mut s = Session::default();
        let o = open(&mut s, CSV, "people.csv");
        let edit = Request::Edit {
            index: 1,
            col: 1,
            value: "+44 7400 654321".into(),
        };
        assert_eq!(ask(&mut s, edit, None), Response::Done);
        let c = check_now(&mut s, &o.mapping);
        assert_eq!(c.contacts, 3);
        assert_eq!(c.counts.rejected, 0);
        // A cell past the end of a short row grows the row.
        let far = Request::Edit {
            index: 0,
            col: 5,
            value: "x".into(),
        };
        assert_eq!(ask(&mut s, far, None), Response::Done);
        let gone = Request::Edit {
            index: 10,
            col: 0,
            value: "x".into(),
        };
        assert!(matches!(ask(&mut s, gone, None), Response::Failed(_)));
    }

    #[test]
    fn another_header_choice_rereads_the_sheet() {
        let mut s = Session::default();
        open(&mut s, CSV, "people.csv");
        let none = Request::Reload {
            sheet: 0,
            header: HeaderChoice::None,
            region: Region::default(),
        };
        let Response::Opened(o) = ask(&mut s, none, None) else {
            panic!("not reread")
        };
        assert_eq!((o.header_row, o.rows), (None, 4));
        let missing = Request::Reload {
            sheet: 0,
            header: HeaderChoice::Row(40),
            region: Region::default(),
        };
        let Response::Failed(m) = ask(&mut s, missing, None) else {
            panic!("row 40 accepted")
        };
        assert!(m.contains("Row 40"), "{m}");
    }

    #[test]
    fn bad_input_gets_a_message_and_leaves_nothing_behind() {
        let mut s = Session::default();
        open(&mut s, CSV, "people.csv");
        let open_pdf = Request::Open {
            name: "x.pdf".into(),
            region: Region::default(),
        };
        let Response::Failed(m) = ask(&mut s, open_pdf, Some(b"%PDF-1.4 junk".to_vec())) else {
            panic!("a PDF opened")
        };
        assert!(m.contains("PDF"), "{m}");
        // The last file is gone: nothing to check.
        let check = Request::Check {
            mapping: Mapping::default(),
            region: Region::default(),
        };
        assert!(matches!(ask(&mut s, check, None), Response::Failed(_)));
        let unread = Request::Open {
            name: "a.csv".into(),
            region: Region::default(),
        };
        assert!(matches!(ask(&mut s, unread, None), Response::Failed(_)));
        // Garbage instead of a request.
        let reply: Response = decode(&serve(&mut s, &[0xff, 0xff, 0xff], None)).expect("decodes");
        assert!(matches!(reply, Response::Failed(_)));
    }

    #[test]
    fn pasted_rows_and_forget() {
        let mut s = Session::default();
        let paste = Request::Paste {
            text: "ann@example.com\nbob@example.com".into(),
            region: Region::default(),
        };
        let Response::Opened(o) = ask(&mut s, paste, None) else {
            panic!("paste not read")
        };
        assert_eq!(o.rows, 2);
        assert_eq!(ask(&mut s, Request::Forget, None), Response::Done);
        let Response::Rows(rows) = ask(&mut s, Request::Rows { from: 0, to: 9 }, None) else {
            panic!("no answer")
        };
        assert!(rows.is_empty());
    }
}
