//! The reading worker's warm-up, and the path it warms: a file from the
//! moment it is picked to the mapping stage's first preview.

use super::validate::Region;
use super::wizard::preview;

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
        &mut super::validate::PhoneCache::default(),
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
/// read by the slow code (BENCHMARKS.md has the difference).
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
}
