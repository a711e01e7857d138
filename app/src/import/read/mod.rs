//! Reading a contacts file from bytes: workbooks (xlsx, xlsm, xlsb, xls, ods)
//! through calamine, delimited text (csv, tsv, txt, pasted text) through the
//! `csv` crate, and vCards. No file system: the same code runs in the browser.
//!
//! Invariants of what comes out ([`Grid`]):
//! * every cell is the text the user sees in their spreadsheet (integral
//!   numbers without `.0`, dates in ISO-8601, formulas as their cached value,
//!   error cells empty), trimmed of surrounding whitespace;
//! * blank rows are left out, but every row keeps the number the user sees
//!   (the 1-based sheet row, or the 1-based record number for text);
//! * trailing empty cells are dropped;
//! * the [`Budget`] is enforced while reading, before anything large is
//!   materialised: a file over it is refused with [`ReadErrorKind::TooLarge`].
//!
//! Nothing here panics on hostile input; every failure is a [`ReadError`] whose
//! message tells the user what to do.

mod text;
mod vcard;
mod workbook;

use std::fmt;
use std::io::{Read, Seek, SeekFrom};

use serde::{Deserialize, Serialize};

pub use text::{decode_text, sniff_delimiter};

/// Limits that keep a hostile or oversized file from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Size of the uploaded file.
    pub max_bytes: usize,
    /// Total uncompressed size a zip-based workbook may claim (zip bombs).
    pub max_unzipped_bytes: u64,
    /// Non-blank rows in the sheet read.
    pub max_rows: usize,
    /// Columns that hold a value.
    pub max_columns: usize,
    /// Characters kept per cell; longer cells are cut there (validation then
    /// refuses the row as `too_long` if the cell is mapped).
    pub max_cell_chars: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            // A 1,048,576-row file: about 100 MB as csv or as an xlsx with
            // inline strings.
            max_bytes: 256 * 1024 * 1024,
            max_unzipped_bytes: 512 * 1024 * 1024,
            // As many as a worksheet holds (and as HubSpot takes per file).
            max_rows: 1_048_576,
            max_columns: 1_024,
            max_cell_chars: 4_096,
        }
    }
}

/// The file formats we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Tsv,
    Txt,
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Vcf,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Txt => "txt",
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Vcf => "vcf",
        }
    }

    /// Delimited text (has an encoding and a delimiter).
    pub fn is_text(self) -> bool {
        matches!(self, Format::Csv | Format::Tsv | Format::Txt)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadErrorKind {
    Encrypted,
    Corrupt,
    UnsupportedFormat,
    Empty,
    TooLarge,
}

impl ReadErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReadErrorKind::Encrypted => "encrypted",
            ReadErrorKind::Corrupt => "corrupt",
            ReadErrorKind::UnsupportedFormat => "unsupported_format",
            ReadErrorKind::Empty => "empty",
            ReadErrorKind::TooLarge => "too_large",
        }
    }
}

/// A file that cannot be read, with a message that says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadError {
    pub kind: ReadErrorKind,
    pub message: String,
}

impl ReadError {
    pub fn new(kind: ReadErrorKind, message: impl Into<String>) -> Self {
        ReadError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn encrypted() -> Self {
        Self::new(
            ReadErrorKind::Encrypted,
            "This workbook is protected with a password. Open it in your spreadsheet program, \
             remove the password (or save an unprotected copy), and upload that copy.",
        )
    }

    pub(crate) fn corrupt(format: Format, detail: impl fmt::Display) -> Self {
        Self::new(
            ReadErrorKind::Corrupt,
            format!(
                "This {} file is damaged or incomplete and cannot be read ({detail}). \
                 Open it in your spreadsheet program, save it again, and upload the new copy.",
                format.as_str()
            ),
        )
    }

    pub(crate) fn empty() -> Self {
        Self::new(
            ReadErrorKind::Empty,
            "This file holds no rows. Check that you chose the right file, \
             or paste your contacts instead.",
        )
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

/// One non-blank row of a sheet.
///
/// Its cells are kept in one allocation: where each cell ends, then their
/// text end to end. A 1,000,000-row sheet of 8 columns is 8,000,000 cells;
/// as separate strings they cost about twice the memory of their text, and
/// most of the reading time went to allocating and freeing them. (As a
/// string and a vector of ends, two allocations and 56 bytes a row before
/// the text; now one, and 24.)
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RowParts")]
pub struct GridRow {
    /// The row number the user sees: 1-based sheet row, or record number.
    pub number: u32,
    /// How many cells.
    width: u32,
    /// `width` cell ends (u32, little-endian; offsets into the text), then
    /// the text, UTF-8, each end on a character boundary.
    data: Box<[u8]>,
}

/// A row as it travels (the worker, the browser), checked before it
/// becomes a [`GridRow`]: the ends must cut `text` into cells.
#[derive(Deserialize)]
struct RowParts {
    number: u32,
    text: String,
    ends: Vec<u32>,
}

impl TryFrom<RowParts> for GridRow {
    type Error = String;

    fn try_from(p: RowParts) -> Result<Self, Self::Error> {
        let mut start = 0;
        for &end in &p.ends {
            let end = end as usize;
            if end < start || end > p.text.len() || !p.text.is_char_boundary(end) {
                return Err(format!("row {}: its cells do not fit its text", p.number));
            }
            start = end;
        }
        Ok(GridRow::from_parts(p.number, &p.text, &p.ends))
    }
}

impl Serialize for GridRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        /// The ends, as a sequence.
        struct Ends<'a>(&'a GridRow);
        impl Serialize for Ends<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq((0..self.0.width()).map(|i| self.0.end(i)))
            }
        }
        let mut row = s.serialize_struct("RowParts", 3)?;
        row.serialize_field("number", &self.number)?;
        row.serialize_field("text", self.text())?;
        row.serialize_field("ends", &Ends(self))?;
        row.end()
    }
}

impl fmt::Debug for GridRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GridRow")
            .field("number", &self.number)
            .field("cells", &self.cells().collect::<Vec<_>>())
            .finish()
    }
}

impl GridRow {
    pub fn new<S: AsRef<str>>(number: u32, cells: impl IntoIterator<Item = S>) -> Self {
        let mut text = String::new();
        let mut ends = Vec::new();
        for cell in cells {
            text.push_str(cell.as_ref());
            ends.push(end_of(&text));
        }
        GridRow::from_parts(number, &text, &ends)
    }

    /// The row from its text and its cells' ends (already checked).
    fn from_parts(number: u32, text: &str, ends: &[u32]) -> Self {
        let mut data = Vec::with_capacity(4 * ends.len() + text.len());
        for end in ends {
            data.extend_from_slice(&end.to_le_bytes());
        }
        data.extend_from_slice(text.as_bytes());
        GridRow {
            number,
            width: u32::try_from(ends.len()).unwrap_or(u32::MAX),
            data: data.into_boxed_slice(),
        }
    }

    /// Where cell `index` (< width) ends in the text.
    fn end(&self, index: usize) -> u32 {
        let at = 4 * index;
        self.data
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }

    /// The cells' text, end to end.
    fn text(&self) -> &str {
        let bytes = self.data.get(4 * self.width()..).unwrap_or_default();
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The cell at `index`, or `""` past the end of the row.
    pub fn cell(&self, index: usize) -> &str {
        if index >= self.width() {
            return "";
        }
        let start = match index {
            0 => 0,
            _ => self.end(index - 1) as usize,
        };
        let text = 4 * self.width();
        self.data
            .get(text + start..text + self.end(index) as usize)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// How many cells the row has (the last one not empty, when read).
    pub fn width(&self) -> usize {
        self.width as usize
    }

    pub fn cells(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.width()).map(|i| self.cell(i))
    }

    pub fn filled(&self) -> usize {
        self.cells().filter(|c| !c.is_empty()).count()
    }

    /// Sets the cell at `index`, widening the row if needed.
    pub fn set(&mut self, index: usize, value: &str) {
        let mut cells = self.to_cells();
        if cells.len() <= index {
            cells.resize(index + 1, String::new());
        }
        cells[index] = value.to_string();
        *self = GridRow::new(self.number, cells);
    }

    pub fn to_cells(&self) -> Vec<String> {
        self.cells().map(str::to_string).collect()
    }
}

/// `text`'s length as a cell end. A row's text is bounded by the reading
/// budget (cells × characters) far below 4 GiB.
fn end_of(text: &str) -> u32 {
    u32::try_from(text.len()).unwrap_or(u32::MAX)
}

/// The rows of one sheet, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grid {
    pub rows: Vec<GridRow>,
    /// A header the format itself defines (vCard), which header detection
    /// must not look for in the rows.
    pub fixed_header: Option<Vec<String>>,
}

impl Grid {
    /// Number of columns (the widest row).
    pub fn width(&self) -> usize {
        let rows = self.rows.iter().map(GridRow::width).max().unwrap_or(0);
        rows.max(self.fixed_header.as_ref().map_or(0, Vec::len))
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Collects cells into rows while enforcing the budget.
pub(crate) struct GridBuilder {
    budget: Budget,
    rows: Vec<GridRow>,
    /// The row being read, built in reused buffers and copied out at its
    /// exact size when the next row starts.
    current: Option<u32>,
    text: String,
    ends: Vec<u32>,
    /// Cells that came after a later cell of the same row (hand-made files):
    /// the row is put in order when it is finished.
    out_of_order: Vec<(usize, String)>,
}

impl GridBuilder {
    pub(crate) fn new(budget: Budget) -> Self {
        GridBuilder {
            budget,
            rows: Vec::new(),
            current: None,
            text: String::new(),
            ends: Vec::new(),
            out_of_order: Vec::new(),
        }
    }

    /// Adds a cell; `row` is 1-based and never decreases, `col` is 0-based.
    pub(crate) fn push(&mut self, row: u32, col: usize, text: &str) -> Result<(), ReadError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(());
        }
        if col >= self.budget.max_columns {
            return Err(too_many_columns(self.budget));
        }
        if self.current.is_some_and(|r| r != row) {
            self.finish_row()?;
        }
        self.current = Some(row);
        let text = clip(text, self.budget.max_cell_chars);
        if col < self.ends.len() {
            self.out_of_order.push((col, text.to_string()));
            return Ok(());
        }
        while self.ends.len() < col {
            self.ends.push(end_of(&self.text));
        }
        self.text.push_str(text);
        self.ends.push(end_of(&self.text));
        Ok(())
    }

    fn finish_row(&mut self) -> Result<(), ReadError> {
        let Some(number) = self.current.take() else {
            return Ok(());
        };
        if self.rows.len() >= self.budget.max_rows {
            return Err(too_many_rows(self.budget));
        }
        let mut row = GridRow::from_parts(number, &self.text, &self.ends);
        for (col, text) in self.out_of_order.drain(..) {
            row.set(col, &text);
        }
        self.rows.push(row);
        self.text.clear();
        self.ends.clear();
        Ok(())
    }

    /// Room for the rows a sheet says it has (`rows`), believed only as far
    /// as its file's size (`file_len`) allows: a row of a workbook takes more
    /// than 16 bytes of the file, and a hand-made dimension may claim a
    /// million rows in a file of a few kilobytes. Without it the rows grow by
    /// doubling: up to twice the room they need, and both copies at once
    /// while they move.
    pub(crate) fn expect_rows(&mut self, rows: u64, file_len: u64) {
        let rows = rows.min(file_len / 16).min(self.budget.max_rows as u64);
        self.rows.reserve(usize::try_from(rows).unwrap_or(0));
    }

    pub(crate) fn finish(mut self) -> Result<Grid, ReadError> {
        self.finish_row()?;
        // Cells may arrive out of row order in hand-made files: keep row order.
        if self.rows.windows(2).any(|w| w[0].number > w[1].number) {
            self.rows.sort_by_key(|r| r.number);
        }
        Ok(Grid {
            rows: self.rows,
            fixed_header: None,
        })
    }
}

pub(crate) fn too_many_rows(budget: Budget) -> ReadError {
    ReadError::new(
        ReadErrorKind::TooLarge,
        format!(
            "This sheet has more than {} rows. Split it into smaller files and import them one after the other.",
            budget.max_rows
        ),
    )
}

pub(crate) fn too_many_columns(budget: Budget) -> ReadError {
    ReadError::new(
        ReadErrorKind::TooLarge,
        format!(
            "This sheet uses more than {} columns. Delete the columns you do not need and upload it again.",
            budget.max_columns
        ),
    )
}

/// The first `max` characters of `s`.
pub(crate) fn clip(s: &str, max: usize) -> &str {
    // No more bytes than `max` means no more characters either.
    if s.len() <= max {
        return s;
    }
    match s.char_indices().nth(max) {
        Some((cut, _)) => &s[..cut],
        None => s,
    }
}

/// An opened file: its format, its sheets, and the means to read each one.
pub struct Book {
    pub format: Format,
    /// The text encoding (text formats only), e.g. `UTF-8`, `windows-1252`.
    pub encoding: Option<&'static str>,
    /// The field delimiter (text formats only).
    pub delimiter: Option<char>,
    sheets: Vec<String>,
    source: Source,
    budget: Budget,
}

enum Source {
    /// A text or vCard file: its decoded text, and the grid read from it
    /// when it was opened, which the first read hands over. Later reads
    /// parse the text again: keeping it costs a third of keeping a second
    /// copy of every row (a 1,000,000-row csv: 100 MB against 300 MB).
    Text {
        text: String,
        kind: TextKind,
        first: Option<Grid>,
    },
    /// A workbook, and its file's size in bytes.
    Workbook(Box<workbook::Workbook>, u64),
}

#[derive(Debug, Clone, Copy)]
enum TextKind {
    Delimited(Format),
    VCard,
}

impl fmt::Debug for Book {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Book")
            .field("format", &self.format)
            .field("encoding", &self.encoding)
            .field("delimiter", &self.delimiter)
            .field("sheets", &self.sheets)
            .finish()
    }
}

impl Book {
    /// Sheet names in workbook order (one unnamed sheet for text and vCard).
    pub fn sheet_names(&self) -> &[String] {
        &self.sheets
    }

    /// Whether sheets have names the user gave them (workbooks only).
    pub fn has_named_sheets(&self) -> bool {
        matches!(self.source, Source::Workbook(..))
    }

    /// Reads the sheet at `index` (0-based).
    pub fn read_sheet(&mut self, index: usize) -> Result<Grid, ReadError> {
        if index >= self.sheets.len() {
            return Err(ReadError::new(
                ReadErrorKind::Empty,
                format!(
                    "This file has {} sheet(s); there is no sheet number {}.",
                    self.sheets.len(),
                    index + 1
                ),
            ));
        }
        match &mut self.source {
            Source::Text { text, kind, first } => match (first.take(), *kind) {
                (Some(grid), _) => Ok(grid),
                (None, TextKind::VCard) => vcard::read(text, self.budget),
                (None, TextKind::Delimited(format)) => {
                    text::read(text, format, self.budget).map(|(grid, _)| grid)
                }
            },
            Source::Workbook(wb, len) => wb.read(&self.sheets[index], self.budget, *len),
        }
    }
}

/// What the bytes look like, before the file name is taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Zip,
    Ole,
    /// A BIFF2–BIFF4 stream without the OLE container (Excel 2.x–4.x).
    OldBiff,
    Html,
    Pdf,
    VCard,
    Binary,
    Text,
}

fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Sniffed::Ole;
    }
    if bytes.len() >= 4
        && matches!(bytes[0], 0x09)
        && matches!(bytes[1], 0x00 | 0x02 | 0x04)
        && matches!(bytes[2], 0x04 | 0x06)
        && bytes[3] == 0x00
    {
        return Sniffed::OldBiff;
    }
    if bytes.starts_with(b"%PDF") {
        return Sniffed::Pdf;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml")
        || head.starts_with("<table")
    {
        return Sniffed::Html;
    }
    if head.starts_with("begin:vcard") {
        return Sniffed::VCard;
    }
    if text::looks_binary(bytes) {
        return Sniffed::Binary;
    }
    Sniffed::Text
}

fn extension(file_name: &str) -> String {
    file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn unsupported(what: &str) -> ReadError {
    ReadError::new(
        ReadErrorKind::UnsupportedFormat,
        format!(
            "This file is {what}, not a spreadsheet we can read. Save it from your spreadsheet \
             program as Excel (.xlsx), OpenDocument (.ods) or CSV, and upload that file."
        ),
    )
}

/// Something a file can be read from in place.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// A file read in place. In the browser's reading worker it is the
/// browser's own copy of the file (nothing is shared between threads
/// there); elsewhere it may move between threads.
#[cfg(target_arch = "wasm32")]
pub type InPlace = Box<dyn ReadSeek>;
#[cfg(not(target_arch = "wasm32"))]
pub type InPlace = Box<dyn ReadSeek + Send>;

/// A file's bytes: in memory, or read where they are.
pub enum FileBytes {
    Owned(Vec<u8>),
    /// Read in place, with its length: a workbook (a zip archive) is then
    /// read without a copy of the whole file; other kinds are copied in
    /// first, as they are read whole anyway.
    InPlace(InPlace, u64),
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> Self {
        FileBytes::Owned(bytes)
    }
}

/// Opens `bytes` (named `file_name`, which only breaks ties: the content
/// decides the format) with the default budget.
pub fn open(bytes: impl Into<FileBytes>, file_name: &str) -> Result<Book, ReadError> {
    match bytes.into() {
        FileBytes::Owned(bytes) => open_with(bytes, file_name, Budget::default()),
        FileBytes::InPlace(file, len) => open_in_place(file, len, file_name, Budget::default()),
    }
}

fn too_large(len: u64, budget: Budget) -> ReadError {
    ReadError::new(
        ReadErrorKind::TooLarge,
        format!(
            "This file is {:.1} MB; the limit is {} MB. Split it into smaller files and import them one after the other.",
            len as f64 / 1_048_576.0,
            budget.max_bytes / 1_048_576
        ),
    )
}

/// Opens a file read in place: a zip archive (xlsx, xlsb, ods) is read
/// from where it is, anything else is copied in and opened as bytes.
fn open_in_place(
    mut file: InPlace,
    len: u64,
    file_name: &str,
    budget: Budget,
) -> Result<Book, ReadError> {
    if len > budget.max_bytes as u64 {
        return Err(too_large(len, budget));
    }
    let unreadable = |e: std::io::Error| {
        ReadError::new(
            ReadErrorKind::Corrupt,
            format!("The browser could not read this file ({e}). Choose it again."),
        )
    };
    let mut head = [0u8; 4];
    let got = file.read(&mut head).map_err(unreadable)?;
    file.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    if matches!(sniff(&head[..got]), Sniffed::Zip) {
        return workbook::open_zip_in_place(file, &extension(file_name), budget);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(unreadable)?;
    open_with(bytes, file_name, budget)
}

/// Opens `bytes` with an explicit budget.
pub fn open_with(bytes: Vec<u8>, file_name: &str, budget: Budget) -> Result<Book, ReadError> {
    if bytes.len() > budget.max_bytes {
        return Err(too_large(bytes.len() as u64, budget));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
        return Err(ReadError::empty());
    }
    let ext = extension(file_name);
    match sniff(&bytes) {
        Sniffed::Zip => workbook::open_zip(bytes, &ext, budget),
        Sniffed::Ole => workbook::open_ole(bytes, budget),
        Sniffed::OldBiff => Err(ReadError::new(
            ReadErrorKind::UnsupportedFormat,
            "This is a workbook from Excel 4 or older, which we cannot read. Open it in Excel or \
             LibreOffice, save it as .xlsx, and upload that file.",
        )),
        Sniffed::Html => Err(unsupported("a web page (HTML or XML)")),
        Sniffed::Pdf => Err(unsupported("a PDF document")),
        Sniffed::Binary => Err(unsupported("in a binary format we do not know")),
        Sniffed::VCard => {
            let (text, _) = decode_text(&bytes);
            let grid = vcard::read(&text, budget)?;
            Ok(Book {
                format: Format::Vcf,
                encoding: None,
                delimiter: None,
                sheets: vec![String::new()],
                source: Source::Text {
                    text,
                    kind: TextKind::VCard,
                    first: Some(grid),
                },
                budget,
            })
        }
        Sniffed::Text => {
            let format = match ext.as_str() {
                "tsv" | "tab" => Format::Tsv,
                "txt" | "" => Format::Txt,
                _ => Format::Csv,
            };
            let (text, encoding) = decode_text(&bytes);
            drop(bytes);
            let (grid, delimiter) = text::read(&text, format, budget)?;
            Ok(Book {
                format,
                encoding: Some(encoding),
                delimiter: Some(delimiter),
                sheets: vec![String::new()],
                source: Source::Text {
                    text,
                    kind: TextKind::Delimited(format),
                    first: Some(grid),
                },
                budget,
            })
        }
    }
}

/// Reads pasted text (one contact per line) like a text file.
pub fn open_pasted(text: &str) -> Result<Book, ReadError> {
    open(text.as_bytes().to_vec(), "pasted.txt")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_character_boundaries() {
        assert_eq!(clip("héllo", 2), "hé");
        assert_eq!(clip("hé", 5), "hé");
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc");
        // More bytes than the limit, but not more characters.
        assert_eq!(clip("ééé", 3), "ééé");
        assert_eq!(clip("éééé", 3), "ééé");
    }

    #[test]
    fn the_grid_builder_skips_blank_cells_and_keeps_row_numbers() {
        let mut b = GridBuilder::new(Budget::default());
        b.push(3, 1, " x ").unwrap();
        b.push(3, 4, "   ").unwrap();
        b.push(5, 0, "y").unwrap();
        let g = b.finish().unwrap();
        assert_eq!(
            g.rows,
            vec![GridRow::new(3, ["", "x"]), GridRow::new(5, ["y"])]
        );
    }

    #[test]
    fn the_grid_builder_puts_late_cells_of_a_row_in_their_place() {
        let mut b = GridBuilder::new(Budget::default());
        b.push(2, 2, "c").unwrap();
        b.push(2, 0, "a").unwrap();
        b.push(2, 3, "d").unwrap();
        b.push(2, 2, "C").unwrap();
        let g = b.finish().unwrap();
        assert_eq!(g.rows, vec![GridRow::new(2, ["a", "", "C", "d"])]);
    }

    #[test]
    fn a_row_keeps_its_cells_apart() {
        let mut row = GridRow::new(7, ["Ann", "", "é€", "x"]);
        assert_eq!(row.cells().collect::<Vec<_>>(), ["Ann", "", "é€", "x"]);
        assert_eq!((row.width(), row.filled(), row.cell(9)), (4, 3, ""));
        row.set(5, "late");
        row.set(0, "Bo");
        assert_eq!(row.to_cells(), ["Bo", "", "é€", "x", "", "late"]);
    }

    #[test]
    fn a_row_whose_ends_do_not_fit_its_text_is_refused() {
        let good = serde_json::to_string(&GridRow::new(3, ["é", "b"])).unwrap();
        assert_eq!(
            serde_json::from_str::<GridRow>(&good).unwrap(),
            GridRow::new(3, ["é", "b"])
        );
        for ends in ["[1,3]", "[2,1]", "[2,9]"] {
            let bad = format!(r#"{{"number":3,"text":"éb","ends":{ends}}}"#);
            let err = serde_json::from_str::<GridRow>(&bad).unwrap_err();
            assert!(err.to_string().contains("do not fit"), "{ends}: {err}");
        }
    }

    #[test]
    fn the_grid_builder_enforces_rows_and_columns() {
        let budget = Budget {
            max_rows: 2,
            max_columns: 3,
            ..Budget::default()
        };
        let mut b = GridBuilder::new(budget);
        assert_eq!(b.push(1, 3, "x").unwrap_err().kind, ReadErrorKind::TooLarge);
        let mut b = GridBuilder::new(budget);
        for r in 1..=3 {
            b.push(r, 0, "x").unwrap();
        }
        assert_eq!(b.finish().unwrap_err().kind, ReadErrorKind::TooLarge);
    }

    #[test]
    fn an_html_page_named_xls_is_refused_as_unsupported() {
        let e = open(
            b"<!DOCTYPE html><html><body><table></table></body></html>".to_vec(),
            "contacts.xls",
        )
        .unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::UnsupportedFormat);
        assert!(e.message.contains("web page"), "{}", e.message);
    }

    #[test]
    fn a_text_file_read_again_gives_the_same_rows() {
        let csv = "Name;Phone\nAnn;+44 7400 123456\n\nBob;07400 654321\n";
        let vcf = "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nTEL:+44 7400 123456\nEND:VCARD\n";
        for (bytes, name) in [(csv, "a.csv"), (vcf, "a.vcf")] {
            let mut book = open(bytes.as_bytes().to_vec(), name).unwrap();
            let first = book.read_sheet(0).unwrap();
            assert!(!first.is_empty());
            assert_eq!(book.read_sheet(0).unwrap(), first, "{name}");
        }
    }

    #[test]
    fn empty_and_blank_files_are_empty() {
        for bytes in [&b""[..], b"  \r\n\n", b"\n,,,\n , ,\n"] {
            let r = open(bytes.to_vec(), "a.csv").and_then(|mut b| b.read_sheet(0));
            let kind = match r {
                Err(e) => e.kind,
                Ok(g) if g.is_empty() => ReadErrorKind::Empty,
                Ok(g) => panic!("{g:?}"),
            };
            assert_eq!(kind, ReadErrorKind::Empty);
        }
    }

    #[test]
    fn an_oversized_file_is_refused_before_reading() {
        let budget = Budget {
            max_bytes: 10,
            ..Budget::default()
        };
        let e = open_with(vec![b'a'; 11], "a.csv", budget).unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::TooLarge);
    }
}
