//! Property tests: whatever bytes arrive, reading never panics; whatever
//! strings arrive, validation never panics and what it accepts is stable.

use app::import::{
    auto_map, lenient_phone, normalize_email, normalize_phone, plan, read, table, HeaderChoice,
    Region,
};
use proptest::prelude::*;

fn read_all(bytes: Vec<u8>, name: &str) {
    if let Ok(mut book) = read::open(bytes, name) {
        for i in 0..book.sheet_names().len() {
            if let Ok(grid) = book.read_sheet(i) {
                let t = table::table(grid, HeaderChoice::Auto, Region::default());
                let m = auto_map(&t.headers, &t.rows, t.width, Region::default());
                plan(&t, &m, Region::default(), &[]);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_reader(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        name in prop::sample::select(vec!["a.csv", "a.xlsx", "a.xls", "a.ods", "a.vcf", "a.txt", ""]),
    ) {
        read_all(bytes, name);
    }

    #[test]
    fn text_shaped_input_never_panics_the_reader(
        text in "([a-zA-Z0-9 @+.;,\t|\"'\r\n=-]|é|ß|:::|BEGIN:VCARD|END:VCARD|sep=;){0,400}",
    ) {
        read_all(text.into_bytes(), "pasted.txt");
    }

    #[test]
    fn zip_and_ole_headers_with_junk_never_panic(
        junk in proptest::collection::vec(any::<u8>(), 0..4096),
        ole in any::<bool>(),
    ) {
        let mut bytes = if ole {
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        } else {
            b"PK\x03\x04".to_vec()
        };
        bytes.extend(junk);
        read_all(bytes, "a.xlsx");
    }

    #[test]
    fn arbitrary_strings_never_panic_the_validators(s in "\\PC{0,300}") {
        let region = Region::default();
        if let Ok(e164) = normalize_phone(&s, region) {
            prop_assert!(e164.starts_with('+'));
            prop_assert_eq!(normalize_phone(&e164, region), Ok(e164.clone()));
        }
        let _ = lenient_phone(&s, region);
        if let Ok(email) = normalize_email(&s) {
            prop_assert_eq!(normalize_email(&email), Ok(email.clone()));
        }
    }
}
