//! Real workbooks written by other programs (committed in `tests/fixtures/`,
//! made by `make_fixtures.py`): an Excel 97-2003 Outlook export and a French
//! LibreOffice sheet.

use app::import::{choose_sheet, plan, read, Field, Format, HeaderChoice, Region, RejectReason};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn fields(m: &app::import::Mapping) -> Vec<Option<Field>> {
    m.columns.iter().map(|c| c.field).collect()
}

#[test]
fn an_outlook_export_saved_as_xls_imports_below_its_merged_title() {
    let mut book = read::open(fixture("outlook.xls"), "outlook.xls").unwrap();
    assert_eq!(book.format, Format::Xls);
    let chosen = choose_sheet(&mut book, None, HeaderChoice::Auto, Region::default()).unwrap();
    assert_eq!(chosen.table.header_row, Some(3));
    assert_eq!(
        fields(&chosen.mapping),
        vec![
            Some(Field::FirstName),
            Some(Field::LastName),
            Some(Field::Phone),
            Some(Field::Phone),
            Some(Field::Email),
            Some(Field::Ignore)
        ]
    );
    assert_eq!(chosen.table.rows[0].cell(5), "1990-12-10");
    let p = plan(&chosen.table, &chosen.mapping, Region::default(), &[]);
    let ada = &p.contacts[0];
    let phones: Vec<(&str, &str)> = ada
        .phones()
        .map(|d| (d.value.as_str(), d.label.as_str()))
        .collect();
    assert_eq!(
        phones,
        vec![("+447400123456", "mobile"), ("+442079460958", "work")]
    );
    // Charles keeps his e-mail; his bad phone is dropped with a warning.
    assert_eq!(
        p.contacts[1].emails().next().unwrap().value,
        "charles@example.com"
    );
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].row, 5);
    assert_eq!(p.rejected[0].row, 7);
    assert_eq!(p.rejected[0].reasons, vec![RejectReason::NoContactDetail]);
}

#[test]
fn a_french_ods_picks_the_contacts_sheet_and_merges_duplicates() {
    let mut book = read::open(fixture("french.ods"), "french.ods").unwrap();
    assert_eq!(book.format, Format::Ods);
    assert_eq!(book.sheet_names(), ["Notes", "Contacts"]);
    let region: Region = "FR".parse().unwrap();
    let chosen = choose_sheet(&mut book, None, HeaderChoice::Auto, region).unwrap();
    assert_eq!(chosen.index, 1);
    assert_eq!(chosen.table.header_row, Some(1));
    let p = plan(&chosen.table, &chosen.mapping, region, &[]);
    assert_eq!(p.counts.data_rows, 3, "the blank row is not data");
    assert_eq!(p.counts.duplicates_merged, 1);
    let eloise = &p.contacts[0];
    assert_eq!(eloise.first_name, "Éloïse");
    assert_eq!(eloise.phones().next().unwrap().value, "+33612345678");
    assert_eq!(eloise.groups, vec!["Amis", "Famille"]);
    let jean = &p.contacts[1];
    assert_eq!(jean.rows, vec![4, 5]);
    assert_eq!(jean.groups, vec!["Amis", "Travail"]);
}
