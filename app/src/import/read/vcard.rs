//! vCard 2.1, 3.0 and 4.0 (`.vcf`, as Google Contacts, iOS, Android and
//! Outlook export them) turned into the same grid shape as a spreadsheet:
//! one row per card, with a fixed header the auto-mapping recognises.
//!
//! Read: FN, N (family; given), TEL and EMAIL (with their TYPE as the column,
//! e.g. `Mobile`, `Work phone`), ORG, CATEGORIES. Folded lines, backslash
//! escapes and quoted-printable values (vCard 2.1) are decoded.

use super::{clip, too_many_rows, Budget, Grid, GridRow, ReadError, ReadErrorKind};

const FULL_NAME: &str = "Full name";
const FIRST_NAME: &str = "First name";
const LAST_NAME: &str = "Last name";
const COMPANY: &str = "Company";
const GROUPS: &str = "Groups";

/// One card: (column, value) pairs in the order met.
type Card = Vec<(String, String)>;

pub(crate) fn read(text: &str, budget: Budget) -> Result<Grid, ReadError> {
    let mut cards: Vec<Card> = Vec::new();
    let mut current: Option<Card> = None;
    for line in unfold(text) {
        let Some((name_and_params, value)) = line.split_once(':') else {
            continue;
        };
        let mut parts = name_and_params.split(';');
        let name = parts
            .next()
            .unwrap_or("")
            .rsplit('.') // item1.TEL → TEL
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let params: Vec<String> = parts.map(|p| p.to_ascii_uppercase()).collect();
        match name.as_str() {
            "BEGIN" if value.trim().eq_ignore_ascii_case("VCARD") => current = Some(Vec::new()),
            "END" if value.trim().eq_ignore_ascii_case("VCARD") => {
                if let Some(card) = current.take() {
                    if cards.len() >= budget.max_rows {
                        return Err(too_many_rows(budget));
                    }
                    cards.push(card);
                }
            }
            _ => {
                if let Some(card) = current.as_mut() {
                    let value = decode_value(value, &params);
                    property(card, &name, &params, &value, budget);
                }
            }
        }
    }
    if cards.is_empty() {
        return Err(ReadError::new(
            ReadErrorKind::Empty,
            "This vCard file holds no complete card (BEGIN:VCARD … END:VCARD). Export your \
             contacts again and upload the new file.",
        ));
    }
    Ok(to_grid(cards, budget))
}

/// Joins folded lines (a line starting with a space or tab continues the
/// previous one; vCard 2.1 quoted-printable soft breaks end with `=`).
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split(['\n', '\r']).filter(|l| !l.is_empty()) {
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            if let Some(last) = lines.last_mut() {
                last.push_str(rest);
                continue;
            }
        }
        if let Some(last) = lines.last_mut() {
            if last.to_ascii_uppercase().contains("QUOTED-PRINTABLE") && last.ends_with('=') {
                last.pop();
                last.push_str(raw);
                continue;
            }
        }
        lines.push(raw.to_string());
    }
    lines
}

fn decode_value(value: &str, params: &[String]) -> String {
    if params
        .iter()
        .any(|p| p == "ENCODING=QUOTED-PRINTABLE" || p == "QUOTED-PRINTABLE")
    {
        quoted_printable(value)
    } else {
        value.to_string()
    }
}

fn quoted_printable(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let hex = value
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits on unescaped `sep` and removes backslash escapes.
fn components(value: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => parts.last_mut().map(|p| p.push(' ')).unwrap_or(()),
                Some(other) => parts.last_mut().map(|p| p.push(other)).unwrap_or(()),
                None => {}
            },
            c if c == sep => parts.push(String::new()),
            c => parts.last_mut().map(|p| p.push(c)).unwrap_or(()),
        }
    }
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

fn types(params: &[String]) -> Vec<String> {
    params
        .iter()
        .flat_map(|p| {
            let v = p.strip_prefix("TYPE=").unwrap_or(p);
            v.trim_matches('"')
                .split(',')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn property(card: &mut Card, name: &str, params: &[String], value: &str, budget: Budget) {
    let mut add = |column: &str, v: &str| {
        let v = clip(v.trim(), budget.max_cell_chars);
        if !v.is_empty() {
            card.push((column.to_string(), v.to_string()));
        }
    };
    match name {
        "FN" => add(FULL_NAME, &components(value, '\u{0}').join(" ")),
        "N" => {
            let parts = components(value, ';');
            add(LAST_NAME, parts.first().map_or("", String::as_str));
            add(FIRST_NAME, parts.get(1).map_or("", String::as_str));
        }
        "ORG" => add(
            COMPANY,
            components(value, ';').first().map_or("", String::as_str),
        ),
        "CATEGORIES" => add(
            GROUPS,
            &components(value, ',')
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ::: "),
        ),
        "TEL" => {
            let t = types(params);
            let has = |k: &str| t.iter().any(|x| x == k);
            let column = if has("FAX") {
                return;
            } else if has("CELL") || has("MOBILE") || has("IPHONE") {
                "Mobile"
            } else if has("WORK") {
                "Work phone"
            } else if has("HOME") {
                "Home phone"
            } else {
                "Phone"
            };
            let v = value.trim();
            add(column, v.strip_prefix("tel:").unwrap_or(v));
        }
        "EMAIL" => {
            let t = types(params);
            let column = if t.iter().any(|x| x == "WORK") {
                "Work e-mail"
            } else if t.iter().any(|x| x == "HOME") {
                "Home e-mail"
            } else {
                "E-mail"
            };
            let v = value.trim();
            add(column, v.strip_prefix("mailto:").unwrap_or(v));
        }
        _ => {}
    }
}

/// Lays the cards out as rows; a column repeated in one card (two mobiles)
/// becomes `Mobile`, `Mobile 2`…
fn to_grid(cards: Vec<Card>, budget: Budget) -> Grid {
    let mut header: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(cards.len());
    for (i, card) in cards.into_iter().enumerate() {
        let mut seen: Vec<(String, usize)> = Vec::new();
        let mut cells: Vec<String> = Vec::new();
        for (column, value) in card {
            let n = match seen.iter_mut().find(|(c, _)| *c == column) {
                Some(s) => {
                    s.1 += 1;
                    s.1
                }
                None => {
                    seen.push((column.clone(), 1));
                    1
                }
            };
            // Only the first full name, first name… of a card counts.
            let single = matches!(
                column.as_str(),
                FULL_NAME | FIRST_NAME | LAST_NAME | COMPANY | GROUPS
            );
            if single && n > 1 {
                continue;
            }
            let name = if n == 1 {
                column
            } else {
                format!("{column} {n}")
            };
            let index = match header.iter().position(|h| *h == name) {
                Some(ix) => ix,
                None if header.len() < budget.max_columns => {
                    header.push(name);
                    header.len() - 1
                }
                None => continue,
            };
            if cells.len() <= index {
                cells.resize(index + 1, String::new());
            }
            cells[index] = value;
        }
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push(GridRow::new((i + 1) as u32, cells));
        }
    }
    Grid {
        rows,
        fixed_header: Some(header),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARDS: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n\
        TEL;TYPE=CELL:07400 123456\r\nTEL;TYPE=WORK,VOICE:020 7946 0958\r\n\
        TEL;TYPE=CELL:07400 654321\r\nEMAIL;TYPE=INTERNET:ada@example.com\r\nORG:Analytical\\, Engines;R&D\r\n\
        CATEGORIES:Friends,Work\r\nNOTE:long\r\n  folded note\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n\
        EMAIL;HOME:j@example.de\r\nEND:VCARD\r\n";

    #[test]
    fn cards_become_rows_under_a_fixed_header() {
        let grid = read(CARDS, Budget::default()).unwrap();
        let header = grid.fixed_header.clone().unwrap();
        assert_eq!(
            header,
            vec![
                "Full name",
                "Last name",
                "First name",
                "Mobile",
                "Work phone",
                "Mobile 2",
                "E-mail",
                "Company",
                "Groups",
                "Home e-mail"
            ]
        );
        let ada = &grid.rows[0];
        assert_eq!(ada.cell(0), "Ada Lovelace");
        assert_eq!(ada.cell(3), "07400 123456");
        assert_eq!(ada.cell(5), "07400 654321");
        assert_eq!(ada.cell(7), "Analytical, Engines");
        assert_eq!(ada.cell(8), "Friends ::: Work");
        let jurgen = &grid.rows[1];
        assert_eq!(jurgen.number, 2);
        assert_eq!((jurgen.cell(1), jurgen.cell(2)), ("Müller", "Jürgen"));
        assert_eq!(jurgen.cell(9), "j@example.de");
    }

    #[test]
    fn a_file_without_a_complete_card_is_empty() {
        let e = read("BEGIN:VCARD\nFN:x\n", Budget::default()).unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::Empty);
    }
}
