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
//! the table, and the phone verdicts of this file. The page never holds the
//! rows: it gets the table's shape and first rows, asks for the rows in view
//! as the grid scrolls, and for each chunk's rows as it sends them.

use serde::{Deserialize, Serialize};

use super::error_file::{rejected_sheet, to_csv, to_xlsx, Sheet};
use super::read::{Book, FileBytes, Format, GridRow};
use super::rows::{PlanCounts, Rejection};
use super::table::{choose_sheet, HeaderChoice, Table};
use super::validate::PhoneCache;
use super::validate::Region;
use super::wire::{
    chunk_rows, wire_columns, wire_row, wire_size, WireRow, CHUNK_BYTES, CHUNK_ROWS,
};
use super::wizard::{preview_with_progress, Problems};
use super::Mapping;

/// First rows sent with [`Opened`], for the peek at the file.
pub const HEAD_ROWS: usize = 5;

/// What the page asks the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Open the file sent with the message (its bytes travel beside the
    /// request) and choose its sheet.
    Open { name: String, region: Region },
    /// Read pasted text.
    Paste { text: String, region: Region },
    /// Read another sheet, or the same one with another header choice. A
    /// file (`name`) comes again with the message: the worker does not keep
    /// a file's bytes once it has read them, so that checking every row
    /// can use that memory. Pasted text (`name: None`) is kept.
    Reload {
        name: Option<String>,
        sheet: usize,
        header: HeaderChoice,
        region: Region,
    },
    /// The table's rows at these indexes (those past the end are left out).
    Rows { indexes: Vec<u32> },
    /// The rows with these numbers, as a chunk sends them: the cells of the
    /// `source` columns.
    Wire { rows: Vec<u32>, source: Vec<usize> },
    /// The error file: the `rejected` rows in the user's columns plus a
    /// Reason column, as csv or as xlsx with a sheet named `sheet_name`.
    ErrorFile {
        mapping: Mapping,
        rejected: Vec<Rejection>,
        csv: bool,
        sheet_name: String,
    },
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
    /// (index, row) for [`Request::Rows`].
    Rows(Vec<(u32, GridRow)>),
    Wire(Vec<WireRow>),
    File(Vec<u8>),
    /// An xlsx error file to write: never sent to the page. The reading
    /// bundle carries no xlsx writer (it would be a fifth of its size, for
    /// a file few imports need); [`serve`] hands this to the worker's
    /// script, which loads the writing bundle (`frontend/writer`) the first
    /// time one is asked for and answers the page with its
    /// [`write_xlsx`]'s [`Response::File`].
    Write {
        sheet: Sheet,
        sheet_name: String,
    },
    Checked(Box<Checked>),
    Done,
    /// A message for the user.
    Failed(String),
}

impl Response {
    /// The message for the user in an answer that is not the one expected.
    pub fn failure(self) -> String {
        match self {
            Response::Failed(m) => m,
            _ => "The file reader in this page answered something unexpected. Reload the page and try again.".into(),
        }
    }
}

/// A file (or paste) opened and a sheet chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opened {
    pub file: OpenedFile,
    pub table: TableInfo,
    pub mapping: Mapping,
}

/// What was opened: its format and sheets, and the sheet chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedFile {
    pub format: Format,
    pub sheets: Vec<String>,
    /// Whether the sheets have names the user gave them (workbooks).
    pub named_sheets: bool,
    pub sheet: usize,
    /// Text files: the encoding and the delimiter found.
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
}

impl OpenedFile {
    /// The chosen sheet's name (none for text files and pastes).
    pub fn sheet_name(&self) -> String {
        if self.named_sheets {
            self.sheets.get(self.sheet).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }
}

/// The table as the page knows it: its shape and its first rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableInfo {
    /// As in [`Table::header_row`].
    pub header_row: Option<u32>,
    pub headers: Vec<String>,
    pub width: usize,
    /// Data rows.
    pub rows: usize,
    /// The first [`HEAD_ROWS`] data rows.
    pub head: Vec<GridRow>,
    /// [`Table::content_hash`]: finds an unfinished import of this file.
    pub content_hash: String,
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
    /// Flagged cells and rows, column shares, reasons for refusal.
    pub problems: Problems,
    /// Indexes (into the table's rows) of the rows in `rows`, in order: the
    /// grid's "only rows with problems".
    pub problem_indexes: Vec<u32>,
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
    /// and a file's [`Request::Reload`] (`None` when the browser could not
    /// read the file).
    pub fn handle(&mut self, request: Request, bytes: Option<FileBytes>) -> Response {
        self.handle_with_progress(request, bytes, &mut |_, _| {})
    }

    /// [`Session::handle`] that reports a check's progress as (rows
    /// validated, rows) every few thousand rows.
    pub fn handle_with_progress(
        &mut self,
        request: Request,
        bytes: Option<FileBytes>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Response {
        match request {
            Request::Open { name, region } => {
                self.forget();
                let Some(bytes) = bytes else {
                    return Response::Failed(
                        "The browser could not read this file. Try choosing it again.".into(),
                    );
                };
                self.open(super::read::open(bytes, &name), region, false)
            }
            Request::Paste { text, region } => {
                self.forget();
                self.open(super::read::open_pasted(&text), region, true)
            }
            Request::Reload {
                name,
                sheet,
                header,
                region,
            } => {
                if let Some(name) = &name {
                    let Some(bytes) = bytes else {
                        return Response::Failed(
                            "The browser could not read this file again. Choose it again.".into(),
                        );
                    };
                    match super::read::open(bytes, name) {
                        Ok(book) => self.book = Some(book),
                        Err(e) => return Response::Failed(e.message),
                    }
                }
                let response = self.reload(sheet, header, region);
                if name.is_some() {
                    self.book = None;
                }
                response
            }
            Request::Rows { indexes } => {
                let Some(t) = &self.table else {
                    return Response::Rows(Vec::new());
                };
                Response::Rows(
                    indexes
                        .into_iter()
                        .filter_map(|i| Some((i, t.rows.get(i as usize)?.clone())))
                        .collect(),
                )
            }
            Request::Wire { rows, source } => {
                let Some(t) = &self.table else {
                    return Response::Failed("Upload a file or paste rows first.".into());
                };
                Response::Wire(
                    rows.iter()
                        .filter_map(|n| t.rows.binary_search_by_key(n, |r| r.number).ok())
                        .map(|i| wire_row(&t.rows[i], &source))
                        .collect(),
                )
            }
            Request::ErrorFile {
                mapping,
                mut rejected,
                csv,
                sheet_name,
            } => {
                let Some(t) = &self.table else {
                    return Response::Failed("Upload a file or paste rows first.".into());
                };
                rejected.sort_by_key(|r| r.row);
                let sheet = rejected_sheet(t, &mapping, &rejected);
                if csv {
                    Response::File(to_csv(&sheet))
                } else {
                    Response::Write { sheet, sheet_name }
                }
            }
            Request::Edit { index, col, value } => {
                match self.table.as_mut().and_then(|t| t.rows.get_mut(index)) {
                    Some(row) => {
                        row.set(col, &value);
                        Response::Done
                    }
                    None => Response::Failed(
                        "That row is no longer in the table. Read the file again.".into(),
                    ),
                }
            }
            Request::Check { mapping, region } => match &self.table {
                Some(t) => Response::Checked(Box::new(check(
                    t,
                    &mapping,
                    region,
                    &mut self.phones,
                    &mut |done| progress(done, t.rows.len()),
                ))),
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

    /// Opens `book` and chooses its sheet; keeps the book for the next
    /// reload only when told to (pasted text).
    fn open(
        &mut self,
        book: Result<Book, super::ReadError>,
        region: Region,
        keep: bool,
    ) -> Response {
        let mut book = match book {
            Ok(b) => b,
            Err(e) => return Response::Failed(e.message),
        };
        match choose_sheet(&mut book, None, HeaderChoice::Auto, region) {
            Ok(chosen) => {
                let opened = opened(&book, chosen.index, &chosen.table, chosen.mapping);
                self.book = keep.then_some(book);
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
        file: OpenedFile {
            format: book.format,
            sheets: book.sheet_names().to_vec(),
            named_sheets: book.has_named_sheets(),
            sheet,
            encoding: book.encoding.map(str::to_string),
            delimiter: book.delimiter,
        },
        table: TableInfo {
            header_row: table.header_row,
            headers: table.headers.clone(),
            width: table.width,
            rows: table.rows.len(),
            head: table.rows.iter().take(HEAD_ROWS).cloned().collect(),
            content_hash: table.content_hash(),
        },
        mapping,
    }
}

/// Validates `table` under `mapping` and plans the chunks; `progress` hears
/// of the rows validated so far.
pub fn check(
    table: &Table,
    mapping: &Mapping,
    region: Region,
    phones: &mut PhoneCache,
    progress: &mut dyn FnMut(usize),
) -> Checked {
    let p = preview_with_progress(table, mapping, region, phones, progress);
    let (source, _) = wire_columns(mapping);
    let size = |n: u32| {
        table
            .rows
            .binary_search_by_key(&n, |r| r.number)
            .map(|i| wire_size(&table.rows[i], &source))
            .unwrap_or(0)
    };
    let chunks = chunk_rows(&p.plan, CHUNK_ROWS, CHUNK_BYTES, size);
    let problem_indexes = table
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| p.problems.rows.contains_key(&r.number))
        .map(|(i, _)| i as u32)
        .collect();
    Checked {
        counts: p.plan.counts,
        contacts: p.plan.contacts.len(),
        rejected: p.plan.rejected,
        problems: p.problems,
        problem_indexes,
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
/// entry point does; `progress` hears of a check's progress.
pub fn serve(
    session: &mut Session,
    request: &[u8],
    bytes: Option<FileBytes>,
    progress: &mut dyn FnMut(usize, usize),
) -> Served {
    let response = match decode::<Request>(request) {
        Some(r) => session.handle_with_progress(r, bytes, progress),
        None => Response::Failed("The page and its file reader disagree: reload the page.".into()),
    };
    match response {
        Response::Write { .. } => Served::Write(encode(&response)),
        _ => Served::Reply(encode(&response)),
    }
}

/// What [`serve`] gives the worker's script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The answer for the page.
    Reply(Vec<u8>),
    /// A [`Response::Write`] for the writing bundle's [`write_xlsx`], whose
    /// answer goes to the page.
    Write(Vec<u8>),
}

/// The writing bundle's one job: the xlsx of a [`Response::Write`], as the
/// page's [`Response::File`] (or a [`Response::Failed`] saying why not).
pub fn write_xlsx(job: &[u8]) -> Vec<u8> {
    let response = match decode::<Response>(job) {
        Some(Response::Write { sheet, sheet_name }) => match to_xlsx(&sheet, &sheet_name) {
            Ok(bytes) => Response::File(bytes),
            Err(e) => Response::Failed(format!(
                "The file of rejected rows could not be written ({e})."
            )),
        },
        _ => Response::Failed("The page and its file writer disagree: reload the page.".into()),
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
        let bytes = bytes.map(FileBytes::from);
        let reply = match serve(s, &encode(&r), bytes, &mut |_, _| {}) {
            Served::Reply(reply) => reply,
            // As the worker's script does: the writing bundle answers.
            Served::Write(job) => write_xlsx(&job),
        };
        decode(&reply).expect("decodes")
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
    fn a_file_is_opened_and_mapped_and_rows_are_handed_over_by_index() {
        let mut s = Session::default();
        let o = open(&mut s, CSV, "people.csv");
        assert_eq!(o.file.format, Format::Csv);
        assert_eq!(o.file.sheet_name(), "");
        assert_eq!(o.table.header_row, Some(1));
        assert_eq!(o.table.headers, ["Name", "Phone", "Email"]);
        assert_eq!((o.table.rows, o.table.width), (3, 3));
        assert_eq!(o.table.head.len(), 3);
        assert_eq!(o.mapping.columns[1].field, Some(Field::Phone));
        assert_eq!(o.file.encoding.as_deref(), Some("UTF-8"));
        assert_eq!(o.file.delimiter, Some(','));
        let rows = Request::Rows {
            indexes: vec![2, 0, 9],
        };
        let Response::Rows(rows) = ask(&mut s, rows, None) else {
            panic!("no rows")
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1.cell(0), "Cy Dee");
        assert_eq!(rows[0].1.number, 4);
        assert_eq!(rows[1].1, o.table.head[0]);
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
        assert!(c.problems.rows[&3].refused);
        assert!(c.problems.cells.contains_key(&(3, 1)));
        assert_eq!(c.problems.columns[&1], (2, 1));
        assert_eq!(c.problem_indexes, vec![1]);
        assert_eq!(c.chunks, vec![vec![2, 4]]);
        // What a chunk sends: the mapped columns of its rows.
        let (source, _) = wire_columns(&o.mapping);
        let wire = Request::Wire {
            rows: c.chunks[0].clone(),
            source,
        };
        let Response::Wire(rows) = ask(&mut s, wire, None) else {
            panic!("no wire rows")
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].number, 4);
        assert!(rows[1].cells.contains(&"cy@example.org".to_string()));
    }

    #[test]
    fn the_error_file_holds_the_rejected_rows_with_a_reason() {
        let mut s = Session::default();
        let o = open(&mut s, CSV, "people.csv");
        let c = check_now(&mut s, &o.mapping);
        for csv in [true, false] {
            let request = Request::ErrorFile {
                mapping: o.mapping.clone(),
                rejected: c.rejected.clone(),
                csv,
                sheet_name: "Rejected rows".into(),
            };
            let Response::File(bytes) = ask(&mut s, request, None) else {
                panic!("no file")
            };
            let mut book = crate::import::read::open(bytes, if csv { "r.csv" } else { "r.xlsx" })
                .expect("our own file reads back");
            let grid = book.read_sheet(0).expect("a sheet");
            assert_eq!(grid.rows.len(), 2, "header and Bob's row");
            assert!(grid.rows[0].cells().any(|c| c == "Reason"));
            assert_eq!(grid.rows[1].cell(0), "Bob Ray");
        }
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
    fn another_header_choice_rereads_the_file_sent_again() {
        let mut s = Session::default();
        open(&mut s, CSV, "people.csv");
        let reload = |header| Request::Reload {
            name: Some("people.csv".into()),
            sheet: 0,
            header,
            region: Region::default(),
        };
        let bytes = || Some(CSV.as_bytes().to_vec());
        let Response::Opened(o) = ask(&mut s, reload(HeaderChoice::None), bytes()) else {
            panic!("not reread")
        };
        assert_eq!((o.table.header_row, o.table.rows), (None, 4));
        let Response::Failed(m) = ask(&mut s, reload(HeaderChoice::Row(40)), bytes()) else {
            panic!("row 40 accepted")
        };
        assert!(m.contains("Row 40"), "{m}");
        // The table stays as it was.
        let rows = Request::Rows { indexes: vec![3] };
        let Response::Rows(rows) = ask(&mut s, rows, None) else {
            panic!("no rows")
        };
        assert_eq!(rows[0].1.cell(0), "Cy Dee");
        // The file is not kept: without its bytes, it cannot be read again.
        let Response::Failed(m) = ask(&mut s, reload(HeaderChoice::Auto), None) else {
            panic!("read without its bytes")
        };
        assert!(m.contains("again"), "{m}");
    }

    #[test]
    fn pasted_text_is_kept_for_another_header_choice() {
        let mut s = Session::default();
        let paste = Request::Paste {
            text: CSV.into(),
            region: Region::default(),
        };
        assert!(matches!(ask(&mut s, paste, None), Response::Opened(_)));
        let reload = Request::Reload {
            name: None,
            sheet: 0,
            header: HeaderChoice::None,
            region: Region::default(),
        };
        let Response::Opened(o) = ask(&mut s, reload, None) else {
            panic!("not reread")
        };
        assert_eq!(o.table.rows, 4);
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
        let Served::Reply(reply) = serve(&mut s, &[0xff, 0xff, 0xff], None, &mut |_, _| {}) else {
            panic!("garbage is not a file to write")
        };
        let reply: Response = decode(&reply).expect("decodes");
        assert!(matches!(reply, Response::Failed(_)));
        // Garbage for the writer.
        let reply: Response = decode(&write_xlsx(&[0xff, 0xff])).expect("decodes");
        assert!(matches!(reply, Response::Failed(_)));
    }

    #[test]
    fn a_long_check_reports_its_progress() {
        let mut text = String::from("Email\n");
        for i in 0..25_000 {
            text.push_str(&format!("p{i}@example.com\n"));
        }
        let mut s = Session::default();
        let o = open(&mut s, &text, "many.csv");
        let check = Request::Check {
            mapping: o.mapping,
            region: Region::default(),
        };
        let mut heard = Vec::new();
        let Served::Reply(reply) = serve(&mut s, &encode(&check), None, &mut |done, of| {
            heard.push((done, of))
        }) else {
            panic!("a check is no file to write")
        };
        let Some(Response::Checked(c)) = decode(&reply) else {
            panic!("not checked")
        };
        assert_eq!(c.contacts, 25_000);
        assert_eq!(heard, vec![(10_000, 25_000), (20_000, 25_000)]);
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
        assert_eq!(o.table.rows, 2);
        assert_eq!(ask(&mut s, Request::Forget, None), Response::Done);
        let rows = Request::Rows {
            indexes: vec![0, 1],
        };
        let Response::Rows(rows) = ask(&mut s, rows, None) else {
            panic!("no answer")
        };
        assert!(rows.is_empty());
    }
}
