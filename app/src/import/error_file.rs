//! Files we hand back to the user: the rejected rows (in their own columns
//! and order, plus a `Reason` column) to fix and upload again, and the
//! example file that shows the expected layout. Both as xlsx and csv.
//!
//! Cells beginning with `=`, `+`, `-`, `@`, tab or CR are neutralised against
//! formula injection (OWASP "CSV injection"): in csv with a leading `'`, which
//! our reader removes again on re-upload; in xlsx every cell is a string
//! cell (never a formula) marked with Excel's quote prefix, so the user sees
//! exactly what they typed. Phone columns are text columns in xlsx, so
//! leading zeros survive editing.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::mapping::{Field, Mapping};
use super::rows::Rejection;
use super::table::Table;

/// The header of the reason column (auto-mapped to Ignore on re-upload).
pub const REASON_HEADER: &str = "Reason";

/// A sheet to write: headers, rows, and which columns hold phones.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub phone_columns: Vec<usize>,
}

/// Whether a spreadsheet program could read `cell` as a formula.
pub fn is_formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `cell` made inert for csv.
pub fn neutralise(cell: &str) -> String {
    if is_formula_like(cell) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The rejected rows of `table` with their reasons. Headers are the user's
/// own; a file without a header row gets the mapped field names, so the fixed
/// file maps automatically when uploaded again.
pub fn rejected_sheet(table: &Table, mapping: &Mapping, rejected: &[Rejection]) -> Sheet {
    let width = table.width;
    let mut headers: Vec<String> = (0..width)
        .map(|i| {
            let own = table.headers.get(i).map(|h| h.trim()).unwrap_or("");
            if !own.is_empty() {
                return own.to_string();
            }
            match mapping.columns.get(i).and_then(|c| c.field) {
                Some(f) if f != Field::Ignore => f.title().to_string(),
                _ => format!("Column {}", i + 1),
            }
        })
        .collect();
    headers.push(REASON_HEADER.to_string());
    let by_row: std::collections::HashMap<u32, &Rejection> =
        rejected.iter().map(|r| (r.row, r)).collect();
    let rows = table
        .rows
        .iter()
        .filter_map(|row| {
            let r = by_row.get(&row.number)?;
            let mut cells: Vec<String> = (0..width).map(|i| row.cell(i).to_string()).collect();
            cells.push(format!("Row {}: {}", r.row, r.message));
            Some(cells)
        })
        .collect();
    let phone_columns = mapping
        .columns
        .iter()
        .filter(|c| c.field == Some(Field::Phone))
        .map(|c| c.index)
        .collect();
    Sheet {
        headers,
        rows,
        phone_columns,
    }
}

/// The example file offered by the wizard.
pub fn example_sheet() -> Sheet {
    let row = |cells: [&str; 6]| cells.map(String::from).to_vec();
    Sheet {
        headers: row([
            "First name",
            "Last name",
            "Mobile",
            "E-mail",
            "Company",
            "Group",
        ]),
        rows: vec![
            row([
                "Ada",
                "Lovelace",
                "+44 7400 123456",
                "ada@example.com",
                "Analytical Engines",
                "Friends",
            ]),
            row([
                "Charles",
                "Babbage",
                "07400 654321",
                "",
                "Analytical Engines",
                "Friends; Work",
            ]),
            row(["Grace", "Hopper", "", "grace@example.org", "", ""]),
        ],
        phone_columns: vec![2],
    }
}

/// `sheet` as UTF-8 csv (with a BOM, so Excel opens accents correctly).
pub fn to_csv(sheet: &Sheet) -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let write = |w: &mut csv::Writer<&mut Vec<u8>>, cells: &[String]| {
            // Writing to a Vec cannot fail.
            let _ = w.write_record(cells.iter().map(|c| neutralise(c)));
        };
        write(&mut w, &sheet.headers);
        for r in &sheet.rows {
            write(&mut w, r);
        }
        let _ = w.flush();
    }
    out
}

/// `sheet` as an xlsx workbook.
pub fn to_xlsx(sheet: &Sheet, sheet_name: &str) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let quoted = Format::new().set_quote_prefix();
    let quoted_text = Format::new().set_num_format("@").set_quote_prefix();
    for &c in &sheet.phone_columns {
        ws.set_column_format(c as u16, &text)?;
    }
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 + 4.0).clamp(12.0, 40.0))?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let phone = sheet.phone_columns.contains(&c);
            let format = match (is_formula_like(cell), phone) {
                (true, true) => Some(&quoted_text),
                (true, false) => Some(&quoted),
                (false, true) => Some(&text),
                (false, false) => None,
            };
            match format {
                Some(f) => ws.write_string_with_format(r, c as u16, cell, f)?,
                None => ws.write_string(r, c as u16, cell)?,
            };
        }
    }
    if let Some(last) = sheet.headers.len().checked_sub(1) {
        if sheet.headers[last] == REASON_HEADER {
            ws.set_column_width(last as u16, 60)?;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{read, HeaderChoice, Region};

    #[test]
    fn formula_like_cells_are_neutralised_in_csv() {
        for (cell, out) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+44 7400", "'+44 7400"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("Ada", "Ada"),
        ] {
            assert_eq!(neutralise(cell), out);
        }
    }

    fn round_trip(bytes: Vec<u8>, name: &str) -> Vec<Vec<String>> {
        let mut book = read::open(bytes, name).unwrap();
        let chosen =
            crate::import::choose_sheet(&mut book, None, HeaderChoice::Auto, Region::default())
                .unwrap();
        let mut rows = vec![chosen.table.headers.clone()];
        rows.extend(
            chosen
                .table
                .rows
                .iter()
                .map(crate::import::GridRow::to_cells),
        );
        rows
    }

    #[test]
    fn the_example_file_reads_back_as_written_in_both_formats() {
        let sheet = example_sheet();
        let csv_rows = round_trip(to_csv(&sheet), "example.csv");
        let xlsx_rows = round_trip(to_xlsx(&sheet, "Contacts").unwrap(), "example.xlsx");
        let mut expected = vec![sheet.headers.clone()];
        expected.extend(sheet.rows.iter().map(|r| {
            let mut r = r.clone();
            while r.last().is_some_and(String::is_empty) {
                r.pop();
            }
            r
        }));
        assert_eq!(csv_rows, expected);
        assert_eq!(xlsx_rows, expected);
    }

    #[test]
    fn hostile_cells_survive_the_round_trip_as_text() {
        let sheet = Sheet {
            headers: vec!["Phone".into(), "Note".into()],
            rows: vec![vec!["+44 7400 123456".into(), "=1+1".into()]],
            phone_columns: vec![0],
        };
        let csv = String::from_utf8(to_csv(&sheet)).unwrap();
        assert!(csv.contains("'+44 7400 123456,'=1+1"), "{csv}");
        for (bytes, name) in [
            (to_csv(&sheet), "e.csv"),
            (to_xlsx(&sheet, "Errors").unwrap(), "e.xlsx"),
        ] {
            let rows = round_trip(bytes, name);
            assert_eq!(rows[1], vec!["+44 7400 123456", "=1+1"], "{name}");
        }
        // In the xlsx the cell is text with Excel's quote prefix, never a formula.
        let xlsx = to_xlsx(&sheet, "Errors").unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut part = |name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
            text
        };
        let sheet_xml = part("xl/worksheets/sheet1.xml");
        assert!(
            !sheet_xml.contains("<f>") && !sheet_xml.contains("<f "),
            "{sheet_xml}"
        );
        assert!(part("xl/styles.xml").contains("quotePrefix=\"1\""));
    }
}
