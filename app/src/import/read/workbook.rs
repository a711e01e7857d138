//! Workbooks through calamine, from bytes in memory.
//!
//! xlsx/xlsm/xlsb are streamed cell by cell, so a sheet that claims a huge
//! dimension costs nothing until it really holds that many cells, and the
//! budget stops it first. Zip-based files are checked against the budget on
//! their declared uncompressed size before anything is inflated (zip bombs).
//! xls and ods sheets are materialised by calamine (it caps them itself) and
//! then pass through the same budget.

use std::borrow::Cow;
use std::io::{Cursor, Read, Seek, SeekFrom};

use calamine::{
    Data, DataRef, ExcelDateTime, Ods, OdsError, Reader, SheetType, Xls, XlsError, Xlsb, XlsbError,
    Xlsx, XlsxError,
};

use super::{Book, Budget, Format, Grid, GridBuilder, InPlace, ReadError, ReadErrorKind, Source};

type Bytes = InPlace;

pub(crate) enum Workbook {
    Xlsx(Xlsx<Bytes>),
    Xlsb(Xlsb<Bytes>),
    Xls(Xls<Bytes>),
    Ods(Ods<Bytes>),
}

fn book(format: Format, wb: Workbook, len: u64, budget: Budget) -> Result<Book, ReadError> {
    let sheets: Vec<String> = match &wb {
        Workbook::Xlsx(w) => worksheet_names(w),
        Workbook::Xlsb(w) => worksheet_names(w),
        Workbook::Xls(w) => worksheet_names(w),
        Workbook::Ods(w) => worksheet_names(w),
    };
    if sheets.is_empty() {
        return Err(ReadError::new(
            ReadErrorKind::Empty,
            "This workbook has no worksheet (only charts or macros). Put your contacts on a \
             worksheet and upload it again.",
        ));
    }
    Ok(Book {
        format,
        encoding: None,
        delimiter: None,
        sheets,
        source: Source::Workbook(Box::new(wb), len),
        budget,
    })
}

fn worksheet_names<R: Reader<Bytes>>(wb: &R) -> Vec<String> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

/// Opens a zip-based workbook (xlsx, xlsm, xlsb, ods).
pub(crate) fn open_zip(bytes: Vec<u8>, ext: &str, budget: Budget) -> Result<Book, ReadError> {
    open_zip_in_place(Box::new(Cursor::new(bytes)), ext, budget)
}

/// Opens a zip-based workbook read where it is.
pub(crate) fn open_zip_in_place(
    mut file: InPlace,
    ext: &str,
    budget: Budget,
) -> Result<Book, ReadError> {
    let kind = inspect_zip(&mut file, budget)?;
    let len = file.seek(SeekFrom::End(0));
    let len = len.map_err(|e| ReadError::corrupt(Format::Xlsx, e))?;
    let rewound = file.seek(SeekFrom::Start(0));
    rewound.map_err(|e| ReadError::corrupt(Format::Xlsx, e))?;
    match kind {
        ZipKind::Xlsx { macros } => {
            let format = if macros || ext == "xlsm" {
                Format::Xlsm
            } else {
                Format::Xlsx
            };
            let wb = Xlsx::new(file).map_err(|e| xlsx_error(format, e))?;
            book(format, Workbook::Xlsx(wb), len, budget)
        }
        ZipKind::Xlsb => {
            let wb = Xlsb::new(file).map_err(xlsb_error)?;
            book(Format::Xlsb, Workbook::Xlsb(wb), len, budget)
        }
        ZipKind::Ods => {
            let wb = Ods::new(file).map_err(ods_error)?;
            book(Format::Ods, Workbook::Ods(wb), len, budget)
        }
        ZipKind::Unusual => {
            // Two readers may have to try it: in memory, read once.
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)
                .map_err(|e| ReadError::corrupt(Format::Xlsx, e))?;
            if let Ok(wb) = Xlsx::new(Box::new(Cursor::new(bytes.clone())) as Bytes) {
                let format = if ext == "xlsm" {
                    Format::Xlsm
                } else {
                    Format::Xlsx
                };
                return book(format, Workbook::Xlsx(wb), len, budget);
            }
            if let Ok(wb) = Xlsb::new(Box::new(Cursor::new(bytes)) as Bytes) {
                return book(Format::Xlsb, Workbook::Xlsb(wb), len, budget);
            }
            Err(super::unsupported("a zip archive"))
        }
    }
}

enum ZipKind {
    Xlsx { macros: bool },
    Unusual,
    Xlsb,
    Ods,
}

fn inspect_zip(file: &mut InPlace, budget: Budget) -> Result<ZipKind, ReadError> {
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        ReadError::corrupt(Format::Xlsx, format!("not a complete zip archive: {e}"))
    })?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let size = archive
            .by_index_raw(i)
            .map_err(|e| ReadError::corrupt(Format::Xlsx, e))?
            .size();
        total = total.saturating_add(size);
    }
    if total > budget.max_unzipped_bytes {
        return Err(ReadError::new(
            ReadErrorKind::TooLarge,
            format!(
                "This workbook would unpack to {} MB, over our limit of {} MB. Save only the \
                 sheet with your contacts (or export it as CSV) and upload that.",
                total / 1_048_576,
                budget.max_unzipped_bytes / 1_048_576
            ),
        ));
    }
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("xl/workbook.xml") {
        Ok(ZipKind::Xlsx {
            macros: has("xl/vbaproject.bin"),
        })
    } else if has("xl/workbook.bin") {
        Ok(ZipKind::Xlsb)
    } else if has("content.xml") && has("mimetype") {
        let mut mimetype = String::new();
        if let Ok(mut f) = archive.by_name("mimetype") {
            use std::io::Read;
            let _ = (&mut f).take(200).read_to_string(&mut mimetype);
        }
        if mimetype.contains("spreadsheet") {
            Ok(ZipKind::Ods)
        } else {
            Err(super::unsupported(
                "an OpenDocument file that is not a spreadsheet",
            ))
        }
    } else if has("word/document.xml") {
        Err(super::unsupported("a Word document"))
    } else if has("ppt/presentation.xml") {
        Err(super::unsupported("a PowerPoint presentation"))
    } else {
        // Valid packages may keep the workbook under another path (named in
        // `_rels/.rels`): let calamine look.
        Ok(ZipKind::Unusual)
    }
}

/// Opens an OLE2 compound file: an xls workbook, or an encrypted xlsx.
pub(crate) fn open_ole(bytes: Vec<u8>, budget: Budget) -> Result<Book, ReadError> {
    // Encrypted OOXML files are OLE containers holding an `EncryptedPackage`
    // stream (its name is UTF-16LE in the directory).
    let marker: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
        return Err(ReadError::encrypted());
    }
    let len = bytes.len() as u64;
    let wb = Xls::new(Box::new(Cursor::new(bytes)) as Bytes).map_err(xls_error)?;
    book(Format::Xls, Workbook::Xls(wb), len, budget)
}

impl Workbook {
    /// Reads `sheet`; `file_len` bounds the rows a sheet may claim.
    pub(crate) fn read(
        &mut self,
        sheet: &str,
        budget: Budget,
        file_len: u64,
    ) -> Result<Grid, ReadError> {
        let mut grid = GridBuilder::new(budget);
        match self {
            Workbook::Xlsx(wb) => {
                let mut cells = wb
                    .worksheet_cells_reader(sheet)
                    .map_err(|e| xlsx_error(Format::Xlsx, e))?;
                let d = cells.dimensions();
                grid.expect_rows(u64::from(d.end.0.saturating_sub(d.start.0)) + 1, file_len);
                while let Some(cell) = cells.next_cell().map_err(|e| xlsx_error(Format::Xlsx, e))? {
                    let (row, col) = cell.get_position();
                    grid.push(
                        row.saturating_add(1),
                        col as usize,
                        &ref_text(cell.get_value()),
                    )?;
                }
            }
            Workbook::Xlsb(wb) => {
                let mut cells = wb.worksheet_cells_reader(sheet).map_err(xlsb_error)?;
                let d = cells.dimensions();
                grid.expect_rows(u64::from(d.end.0.saturating_sub(d.start.0)) + 1, file_len);
                while let Some(cell) = cells.next_cell().map_err(xlsb_error)? {
                    let (row, col) = cell.get_position();
                    grid.push(
                        row.saturating_add(1),
                        col as usize,
                        &ref_text(cell.get_value()),
                    )?;
                }
            }
            Workbook::Xls(wb) => {
                let range = wb.worksheet_range(sheet).map_err(xls_error)?;
                push_range(&mut grid, &range)?;
            }
            Workbook::Ods(wb) => {
                let range = wb.worksheet_range(sheet).map_err(ods_error)?;
                push_range(&mut grid, &range)?;
            }
        }
        grid.finish()
    }
}

fn push_range(grid: &mut GridBuilder, range: &calamine::Range<Data>) -> Result<(), ReadError> {
    let Some((row0, col0)) = range.start() else {
        return Ok(());
    };
    for (r, c, value) in range.used_cells() {
        let row = row0.saturating_add(r as u32).saturating_add(1);
        let col = (col0 as usize).saturating_add(c);
        grid.push(row, col, &data_text(value))?;
    }
    Ok(())
}

/// The text a user sees for a cell value.
/// (Text cells are lent, not copied: the grid copies them once, into its row.)
pub(crate) fn data_text(value: &Data) -> Cow<'_, str> {
    match value {
        Data::Int(i) => i.to_string().into(),
        Data::Float(f) => float_text(*f).into(),
        Data::String(s) => s.as_str().into(),
        Data::Bool(b) => bool_text(*b).into(),
        Data::DateTime(d) => date_text(d).into(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.as_str().into(),
        Data::Error(_) | Data::Empty => "".into(),
    }
}

fn ref_text<'a>(value: &'a DataRef<'_>) -> Cow<'a, str> {
    match value {
        DataRef::Int(i) => i.to_string().into(),
        DataRef::Float(f) => float_text(*f).into(),
        DataRef::String(s) => s.as_str().into(),
        DataRef::SharedString(s) => (*s).into(),
        DataRef::Bool(b) => bool_text(*b).into(),
        DataRef::DateTime(d) => date_text(d).into(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.as_str().into(),
        DataRef::Error(_) | DataRef::Empty => "".into(),
    }
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "TRUE"
    } else {
        "FALSE"
    }
}

/// Integral numbers without `.0` or exponent (447911123456.0 → `447911123456`);
/// others in the shortest form that reads back the same.
pub(crate) fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

/// Dates as `YYYY-MM-DD`, date-times as `YYYY-MM-DDTHH:MM:SS`, durations as
/// `HH:MM:SS`.
fn date_text(d: &ExcelDateTime) -> String {
    let (y, mo, da, h, mi, s, _) = d.to_ymd_hms_milli();
    if d.is_duration() {
        let secs = (d.as_f64() * 86_400.0).round() as i64;
        return format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        );
    }
    if d.as_f64() < 1.0 {
        return format!("{h:02}:{mi:02}:{s:02}");
    }
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{s:02}")
    }
}

fn xlsx_error(format: Format, e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => ReadError::encrypted(),
        e => ReadError::corrupt(format, e),
    }
}

fn xlsb_error(e: XlsbError) -> ReadError {
    match e {
        XlsbError::Password => ReadError::encrypted(),
        e => ReadError::corrupt(Format::Xlsb, e),
    }
}

fn xls_error(e: XlsError) -> ReadError {
    match e {
        XlsError::Password => ReadError::encrypted(),
        XlsError::Cfb(calamine_cfb) if calamine_cfb.to_string().contains("not found") => {
            super::unsupported("an Office file that holds no workbook (a Word or Outlook file?)")
        }
        e => ReadError::corrupt(Format::Xls, e),
    }
}

fn ods_error(e: OdsError) -> ReadError {
    match e {
        OdsError::Password => ReadError::encrypted(),
        e => ReadError::corrupt(Format::Ods, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_xlsx() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Phone").unwrap();
        ws.write_string(1, 0, "07400 123456").unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_workbook_unpacking_past_the_budget_is_refused_before_inflating() {
        let budget = Budget {
            max_unzipped_bytes: 1_000,
            ..Budget::default()
        };
        let e = super::super::open_with(small_xlsx(), "a.xlsx", budget).unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::TooLarge);
        assert!(e.message.contains("unpack"), "{}", e.message);
    }

    #[test]
    fn a_truncated_workbook_is_corrupt() {
        let bytes = small_xlsx();
        let e = super::super::open(bytes[..bytes.len() / 2].to_vec(), "a.xlsx").unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::Corrupt);
    }

    /// The reading worker reads a workbook where the browser holds it: the
    /// same rows as from a copy, and a file that is not a workbook is still
    /// read (copied in first), budget included.
    #[test]
    fn a_file_read_in_place_reads_as_its_copy() {
        use super::super::{open, FileBytes};
        let in_place = |bytes: &[u8]| {
            FileBytes::InPlace(Box::new(Cursor::new(bytes.to_vec())), bytes.len() as u64)
        };
        let rows = |book: Result<Book, ReadError>| book.unwrap().read_sheet(0).unwrap().rows;
        let xlsx = small_xlsx();
        assert_eq!(
            rows(open(in_place(&xlsx), "a.xlsx")),
            rows(open(xlsx.clone(), "a.xlsx"))
        );
        let csv = b"Name,Phone\nAda,07400 123456\n";
        assert_eq!(
            rows(open(in_place(csv), "a.csv")),
            rows(open(csv.to_vec(), "a.csv"))
        );
        let e = open(in_place(&xlsx[..xlsx.len() / 2]), "a.xlsx").unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::Corrupt);
        let huge = FileBytes::InPlace(Box::new(Cursor::new(xlsx)), u64::MAX);
        assert_eq!(
            open(huge, "a.xlsx").unwrap_err().kind,
            ReadErrorKind::TooLarge
        );
    }

    /// A sheet's claimed size reserves room only as far as its file's size
    /// allows.
    #[test]
    fn a_sheet_claiming_a_million_rows_in_a_small_file_reserves_little() {
        let mut grid = GridBuilder::new(Budget::default());
        grid.expect_rows(1_048_576, 2_000);
        let rows = grid.finish().unwrap().rows;
        assert!(rows.capacity() <= 125, "{}", rows.capacity());
        let mut grid = GridBuilder::new(Budget::default());
        grid.expect_rows(1_000, 10_000_000);
        assert!(grid.finish().unwrap().rows.capacity() >= 1_000);
    }

    #[test]
    fn numbers_read_as_people_see_them() {
        assert_eq!(float_text(447911123456.0), "447911123456");
        assert_eq!(float_text(4.47911123456E+11), "447911123456");
        assert_eq!(float_text(7400123456.0), "7400123456");
        assert_eq!(float_text(1.5), "1.5");
        assert_eq!(float_text(-3.0), "-3");
        assert_eq!(float_text(f64::NAN), "");
    }

    #[test]
    fn data_cells_become_text() {
        assert_eq!(data_text(&Data::Int(42)), "42");
        assert_eq!(data_text(&Data::Bool(true)), "TRUE");
        assert_eq!(data_text(&Data::Error(calamine::CellErrorType::NA)), "");
        let date = ExcelDateTime::new(45_000.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(data_text(&Data::DateTime(date)), "2023-03-15");
        let dt = ExcelDateTime::new(45_000.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(data_text(&Data::DateTime(dt)), "2023-03-15T12:00:00");
    }
}
