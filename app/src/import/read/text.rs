//! Delimited text: encoding detection, delimiter sniffing, and parsing with
//! the `csv` crate (quoted fields with embedded delimiters and newlines; CRLF,
//! LF and old-Mac CR line endings).

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::{Budget, Format, Grid, GridBuilder, ReadError};

/// Delimiters we recognise, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Records looked at to choose the delimiter.
const SNIFF_RECORDS: usize = 50;

/// Decodes `bytes`: a BOM decides (UTF-8, UTF-16 LE/BE); else UTF-8 if the
/// bytes are valid UTF-8; else UTF-16 if every other byte is NUL; else the
/// legacy code page chardetng guesses (e.g. windows-1252). Returns the text
/// and the encoding's name.
pub fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), encoding.name());
    }
    // Before UTF-8: NUL bytes are valid UTF-8, so UTF-16 text would pass.
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return (text.into_owned(), encoding.name());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), UTF_8.name());
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(None, true);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), encoding.name())
}

/// UTF-16 written without a BOM: ASCII-heavy text has NUL in every other byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    if odd_nul * 10 >= pairs * 7 && even_nul * 10 < pairs {
        Some(UTF_16LE)
    } else if even_nul * 10 >= pairs * 7 && odd_nul * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Whether `bytes` look like a binary file rather than text in some encoding.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() || utf16_without_bom(bytes).is_some() {
        return false;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let control = sample
        .iter()
        .filter(|b| matches!(**b, 0..=8 | 14..=26 | 28..=31))
        .count();
    control * 100 > sample.len().max(1)
}

/// Chooses the delimiter that splits the first records most consistently
/// into more than one field. A tie goes to the one giving more fields, then
/// to the order `,` `;` tab `|`. `tab_first` prefers tab (a .tsv file).
pub fn sniff_delimiter(text: &str, tab_first: bool) -> u8 {
    let mut best: Option<(u8, (usize, usize, usize, usize))> = None;
    for (rank, &d) in DELIMITERS.iter().enumerate() {
        let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(text.as_bytes())
            .records()
            .take(SNIFF_RECORDS)
            .filter_map(Result::ok)
            .collect();
        let counts: Vec<usize> = records.iter().map(|r| r.len()).filter(|n| *n > 0).collect();
        // A quote left inside a field means this delimiter cut through quoting.
        let stray_quotes = records
            .iter()
            .flat_map(|r| r.iter())
            .filter(|f| f.contains('"'))
            .count();
        let Some((mode, freq)) = mode(&counts) else {
            continue;
        };
        if mode < 2 {
            continue;
        }
        // Consistency in per mille, then clean quoting, then fields per
        // record, then preference.
        let consistency = freq * 1000 / counts.len();
        let preference = if tab_first && d == b'\t' {
            10
        } else {
            4 - rank
        };
        let score = (consistency, usize::MAX - stray_quotes, mode, preference);
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((d, score));
        }
    }
    best.map(|(d, _)| d)
        .unwrap_or(if tab_first { b'\t' } else { b',' })
}

/// The most frequent field count above one (title rows have one field) and
/// how often it occurs; a file of single fields has mode one.
fn mode(counts: &[usize]) -> Option<(usize, usize)> {
    let mut tally: Vec<(usize, usize)> = Vec::new();
    for &c in counts {
        match tally.iter_mut().find(|(n, _)| *n == c) {
            Some(t) => t.1 += 1,
            None => tally.push((c, 1)),
        }
    }
    tally
        .iter()
        .filter(|(n, _)| *n > 1)
        .max_by_key(|(n, f)| (*f, *n))
        .or_else(|| tally.iter().max_by_key(|(_, f)| *f))
        .copied()
}

/// An Excel `sep=;` first line: the delimiter it names and the rest of the text.
fn excel_sep_line(text: &str) -> Option<(u8, &str)> {
    let (first, rest) = match text.find(['\n', '\r']) {
        Some(i) => {
            let rest = &text[i..];
            let rest = rest
                .strip_prefix("\r\n")
                .or_else(|| rest.strip_prefix('\n'))
                .or_else(|| rest.strip_prefix('\r'))
                .unwrap_or(rest);
            (&text[..i], rest)
        }
        None => (text, ""),
    };
    let sep = first.trim().strip_prefix("sep=")?;
    let mut chars = sep.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii() => Some((c as u8, rest)),
        _ => None,
    }
}

/// Undoes the formula neutralisation our error file applies (`'=…`, `'+44…`),
/// so a fixed error file re-imports the values the user typed.
fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// Parses decoded text into a grid; returns the delimiter used.
pub(crate) fn read(text: &str, format: Format, budget: Budget) -> Result<(Grid, char), ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (delimiter, body) = match excel_sep_line(text) {
        Some((d, rest)) => (d, rest),
        None => (sniff_delimiter(text, format == Format::Tsv), text),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let mut grid = GridBuilder::new(budget);
    let mut record = csv::StringRecord::new();
    let mut number: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(ReadError::corrupt(format, e)),
        }
        number = number.saturating_add(1);
        for (col, cell) in record.iter().enumerate() {
            grid.push(number, col, unneutralise(cell.trim()))?;
        }
    }
    let grid = grid.finish()?;
    if grid.is_empty() {
        return Err(ReadError::empty());
    }
    Ok((grid, delimiter as char))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn cells(text: &str) -> Vec<Vec<String>> {
        read(text, Format::Csv, Budget::default())
            .unwrap()
            .0
            .rows
            .into_iter()
            .map(|r| r.to_cells())
            .collect()
    }

    #[rstest]
    #[case::comma("a,b,c\n1,2,3\n", b',')]
    #[case::semicolon(
        "Name;Phone\nMüller, Hans;0151 2345678\nSchmidt, Eva;0160 1234567\n",
        b';'
    )]
    #[case::tab("a\tb\n1\t2\n", b'\t')]
    #[case::pipe("a|b|c\n1|2|3\n", b'|')]
    #[case::quoted_commas("\"a,1\";\"b,2\"\n\"c,3\";\"d,4\"\n", b';')]
    #[case::title_row_above("My contacts\na;b;c\n1;2;3\n4;5;6\n", b';')]
    #[case::single_column("07400 123456\n07400 654321\n", b',')]
    fn the_delimiter_is_sniffed_by_consistency(#[case] text: &str, #[case] expected: u8) {
        assert_eq!(
            sniff_delimiter(text, false) as char,
            expected as char,
            "{text:?}"
        );
    }

    #[test]
    fn an_excel_sep_line_decides_and_is_not_a_row() {
        let (grid, d) = read("sep=|\na|b,c\n1|2,3\n", Format::Csv, Budget::default()).unwrap();
        assert_eq!(d, '|');
        assert_eq!(grid.rows[0].to_cells(), vec!["a", "b,c"]);
        assert_eq!(grid.rows[0].number, 1);
    }

    #[rstest]
    #[case::crlf("a,b\r\n1,2\r\n")]
    #[case::lf("a,b\n1,2\n")]
    #[case::cr_only("a,b\r1,2\r")]
    #[case::no_final_newline("a,b\n1,2")]
    fn every_line_ending_is_accepted(#[case] text: &str) {
        assert_eq!(cells(text), vec![vec!["a", "b"], vec!["1", "2"]]);
    }

    #[test]
    fn quoted_fields_keep_delimiters_and_newlines() {
        assert_eq!(
            cells("name,note\n\"Lovelace, Ada\",\"line 1\nline 2\"\n"),
            vec![
                vec!["name", "note"],
                vec!["Lovelace, Ada", "line 1\nline 2"]
            ]
        );
    }

    #[test]
    fn blank_records_are_skipped_but_numbers_kept() {
        let (grid, _) = read("a,b\n,\n\n1,2\n", Format::Csv, Budget::default()).unwrap();
        let numbers: Vec<u32> = grid.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![1, 3]);
    }

    #[test]
    fn neutralised_cells_from_our_error_file_come_back_as_typed() {
        assert_eq!(
            cells("'+44 7400 123456,'=x,'plain\n"),
            vec![vec!["+44 7400 123456", "=x", "'plain"]]
        );
    }

    #[rstest]
    #[case::utf8_bom(b"\xEF\xBB\xBFPr\xC3\xA9nom".to_vec(), "UTF-8", "Prénom")]
    #[case::utf8(b"Pr\xC3\xA9nom".to_vec(), "UTF-8", "Prénom")]
    #[case::utf16le_bom(b"\xFF\xFEP\x00\xE9\x00".to_vec(), "UTF-16LE", "Pé")]
    #[case::utf16be_bom(b"\xFE\xFF\x00P\x00\xE9".to_vec(), "UTF-16BE", "Pé")]
    #[case::utf16le_no_bom(b"N\x00a\x00m\x00e\x00,\x00".to_vec(), "UTF-16LE", "Name,")]
    #[case::windows_1252(
        b"Pr\xE9nom;Nom;T\xE9l\xE9phone\nFran\xE7ois;L\xE9v\xEAque;06 12 34 56 78\n".to_vec(),
        "windows-1252",
        "Prénom;Nom;Téléphone\nFrançois;Lévêque;06 12 34 56 78\n"
    )]
    fn the_encoding_is_detected(
        #[case] bytes: Vec<u8>,
        #[case] name: &str,
        #[case] expected: &str,
    ) {
        let (text, encoding) = decode_text(&bytes);
        assert_eq!((text.as_str(), encoding), (expected, name));
    }

    #[test]
    fn a_budget_on_cell_length_cuts_huge_cells() {
        let huge = "x".repeat(10_000);
        let budget = Budget {
            max_cell_chars: 100,
            ..Budget::default()
        };
        let (grid, _) = read(&format!("a,{huge}\n"), Format::Csv, budget).unwrap();
        assert_eq!(grid.rows[0].cell(1).len(), 100);
    }

    #[test]
    fn binary_looking_bytes_are_detected() {
        assert!(looks_binary(&[0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 1, 2]));
        assert!(!looks_binary(b"name,phone\nAda,07400 123456\n"));
    }
}
