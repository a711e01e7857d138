//! Export: contacts as rows of a spreadsheet (csv, xlsx) or as vCards, in
//! the columns our own import maps by itself, so that an export imported
//! into another account gives back the same contacts.
//!
//! The columns ([`Layout::header`]): `First name`, `Last name`, `Company`;
//! per phone `Phone N - Label` and `Phone N - Value` (the headers Google
//! Contacts writes: the import reads each value's label from its label
//! column); the same for `E-mail N`; `Groups` (names joined by ` ::: `, as
//! Google joins them); `SMS consent` (`yes` for opted in, `STOP` for opted
//! out, empty when not recorded) and `Consent date` (the day the status
//! dates from); then each custom field by its name, in its stored form
//! (`1200.5`, `1990-02-13`, `--02-13`, `yes`). Text cells that a
//! spreadsheet would take for a formula are neutralised as in the error
//! file (the reader strips the mark again); phone numbers are E.164 and
//! stay as they are.

use serde::{Deserialize, Serialize};

use crate::import::error_file::neutralise;
use crate::import::{DetailKind, SmsStatus};
use crate::model::{ContactView, CustomFieldView};

/// The formats an export is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    #[default]
    Csv,
    Xlsx,
    Vcf,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Vcf];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Vcf => "vcf",
        }
    }

    pub fn parse(s: &str) -> Option<ExportFormat> {
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Vcf => "text/vcard; charset=utf-8",
        }
    }
}

/// How many phone and e-mail columns an export has, and its custom
/// fields, in the account's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub phones: usize,
    pub emails: usize,
    pub fields: Vec<CustomFieldView>,
}

/// The SMS consent column's word for a status (what the import's consent
/// column reads back as that status).
pub fn consent_word(status: SmsStatus) -> &'static str {
    match status {
        SmsStatus::OptedIn => "yes",
        SmsStatus::OptedOut => "STOP",
        SmsStatus::NotRecorded => "",
    }
}

impl Layout {
    /// The header row.
    pub fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = vec!["First name".into(), "Last name".into(), "Company".into()];
        for n in 1..=self.phones {
            h.push(format!("Phone {n} - Label"));
            h.push(format!("Phone {n} - Value"));
        }
        for n in 1..=self.emails {
            h.push(format!("E-mail {n} - Label"));
            h.push(format!("E-mail {n} - Value"));
        }
        h.push("Groups".into());
        h.push("SMS consent".into());
        h.push("Consent date".into());
        h.extend(self.fields.iter().map(|f| f.name.clone()));
        h
    }

    /// Which columns hold phone numbers (written as text in an xlsx).
    pub fn phone_columns(&self) -> Vec<usize> {
        (0..self.phones).map(|i| 3 + 2 * i + 1).collect()
    }

    /// One contact's row, aligned with [`Layout::header`]; text neutralised
    /// against formula injection (see the module docs).
    pub fn row(&self, c: &ContactView) -> Vec<String> {
        let mut r: Vec<String> = vec![
            neutralise(&c.first_name),
            neutralise(&c.last_name),
            neutralise(&c.company),
        ];
        let mut details = |kind: DetailKind, columns: usize| {
            let mut of_kind = c.details_of(kind);
            for _ in 0..columns {
                match of_kind.next() {
                    Some(d) => {
                        r.push(neutralise(&d.label));
                        r.push(match kind {
                            DetailKind::Phone => d.value.clone(),
                            DetailKind::Email => neutralise(&d.value),
                        });
                    }
                    None => r.extend([String::new(), String::new()]),
                }
            }
        };
        details(DetailKind::Phone, self.phones);
        details(DetailKind::Email, self.emails);
        r.push(neutralise(
            &c.groups
                .iter()
                .map(|g| g.name.as_str())
                .collect::<Vec<_>>()
                .join(" ::: "),
        ));
        r.push(consent_word(c.sms_status).to_string());
        r.push(match (c.sms_status, &c.sms_status_at) {
            (SmsStatus::NotRecorded, _) | (_, None) => String::new(),
            (_, Some(at)) => at.get(..10).unwrap_or_default().to_string(),
        });
        for f in &self.fields {
            r.push(
                c.fields
                    .iter()
                    .find(|v| v.field_id == f.id)
                    .map(|v| neutralise(&v.value))
                    .unwrap_or_default(),
            );
        }
        r
    }
}

/// Text escaped for a vCard property value (RFC 2426 §5, RFC 6350 §3.4).
fn vcard_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One contact as a vCard 3.0 (the version address books import most
/// widely): its names, organisation, phones and e-mails with their labels
/// (`TYPE=`, the primary one also `pref`), groups (`CATEGORIES`), and custom
/// fields as `X-` properties named after the field (our own extension;
/// other programs keep or ignore them). A birthday-like date field is not
/// guessed into `BDAY`: the field keeps its own name.
pub fn vcard(c: &ContactView, fields: &[CustomFieldView]) -> String {
    let mut v = String::from("BEGIN:VCARD\r\nVERSION:3.0\r\n");
    let fn_name = c.display_name();
    v.push_str(&format!("FN:{}\r\n", vcard_text(&fn_name)));
    v.push_str(&format!(
        "N:{};{};;;\r\n",
        vcard_text(&c.last_name),
        vcard_text(&c.first_name)
    ));
    if !c.company.is_empty() {
        v.push_str(&format!("ORG:{}\r\n", vcard_text(&c.company)));
    }
    for d in &c.details {
        let prop = match d.kind {
            DetailKind::Phone => "TEL",
            DetailKind::Email => "EMAIL",
        };
        let mut types: Vec<String> = Vec::new();
        let label: String = d
            .label
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        if !label.is_empty() {
            types.push(label);
        }
        if d.is_primary {
            types.push("pref".into());
        }
        match types.is_empty() {
            true => v.push_str(&format!("{prop}:{}\r\n", vcard_text(&d.value))),
            false => v.push_str(&format!(
                "{prop};TYPE={}:{}\r\n",
                types.join(","),
                vcard_text(&d.value)
            )),
        }
    }
    if !c.groups.is_empty() {
        let groups: Vec<String> = c.groups.iter().map(|g| vcard_text(&g.name)).collect();
        v.push_str(&format!("CATEGORIES:{}\r\n", groups.join(",")));
    }
    for f in fields {
        if let Some(value) = c.fields.iter().find(|x| x.field_id == f.id) {
            let name: String = f
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            v.push_str(&format!("X-{name}:{}\r\n", vcard_text(&value.value)));
        }
    }
    v.push_str("END:VCARD\r\n");
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::FieldKind;
    use crate::import::{auto_map, Field, Region, Table};
    use crate::model::{DetailView, FieldValueView, GroupRef};

    fn contact() -> ContactView {
        let detail = |kind, value: &str, label: &str, is_primary| DetailView {
            kind,
            value: value.into(),
            label: label.into(),
            is_primary,
            line: None,
        };
        ContactView {
            id: 1,
            first_name: "=Ada".into(),
            last_name: "Lovelace".into(),
            company: "Analytical, Engines".into(),
            details: vec![
                detail(DetailKind::Phone, "+447400123456", "mobile", true),
                detail(DetailKind::Phone, "+442079460018", "work", false),
                detail(DetailKind::Email, "ada@example.com", "", true),
            ],
            groups: vec![
                GroupRef {
                    id: 3,
                    name: "Friends".into(),
                },
                GroupRef {
                    id: 4,
                    name: "VIP; gold".into(),
                },
            ],
            updated_at: String::new(),
            sms_status: SmsStatus::OptedOut,
            sms_status_at: Some("2026-11-02T10:00:00+00:00".into()),
            sms_status_source: String::new(),
            sms_number: None,
            fields: vec![FieldValueView {
                field_id: 9,
                value: "-12.5".into(),
            }],
            created_at: String::new(),
            import_id: None,
        }
    }

    fn layout() -> Layout {
        Layout {
            phones: 2,
            emails: 2,
            fields: vec![
                CustomFieldView {
                    id: 9,
                    name: "Spend".into(),
                    kind: FieldKind::Number,
                    choices: vec![],
                },
                CustomFieldView {
                    id: 10,
                    name: "City".into(),
                    kind: FieldKind::Text,
                    choices: vec![],
                },
            ],
        }
    }

    #[test]
    fn a_row_follows_the_header_and_neutralises_formulas() {
        let l = layout();
        let header = l.header();
        let row = l.row(&contact());
        assert_eq!(header.len(), row.len());
        let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap()].as_str();
        assert_eq!(cell("First name"), "'=Ada");
        assert_eq!(cell("Phone 1 - Label"), "mobile");
        assert_eq!(cell("Phone 1 - Value"), "+447400123456");
        assert_eq!(cell("Phone 2 - Value"), "+442079460018");
        assert_eq!(cell("E-mail 1 - Value"), "ada@example.com");
        assert_eq!(cell("E-mail 2 - Value"), "");
        assert_eq!(cell("Groups"), "Friends ::: VIP; gold");
        assert_eq!(cell("SMS consent"), "STOP");
        assert_eq!(cell("Consent date"), "2026-11-02");
        assert_eq!(cell("Spend"), "'-12.5");
        assert_eq!(cell("City"), "");
        assert_eq!(l.phone_columns(), [4, 6]);
        assert!(l
            .phone_columns()
            .iter()
            .all(|&c| header[c].starts_with("Phone")));
    }

    #[test]
    fn our_import_maps_every_column_of_an_export_by_itself() {
        let l = layout();
        let header = l.header();
        let row = l.row(&contact());
        let h: Vec<&str> = header.iter().map(String::as_str).collect();
        let r: Vec<&str> = row.iter().map(String::as_str).collect();
        let t = Table::literal(&h, &[&r]);
        let m = auto_map(&t.headers, &t.rows, t.width, Region::default());
        let fields: Vec<Option<Field>> = m.columns.iter().map(|c| c.field).collect();
        use Field::*;
        assert_eq!(
            &fields[..14],
            [
                Some(FirstName),
                Some(LastName),
                Some(Company),
                Some(Ignore),
                Some(Phone),
                Some(Ignore),
                Some(Phone),
                Some(Ignore),
                Some(Email),
                Some(Ignore),
                Some(Email),
                Some(Group),
                Some(SmsConsent),
                Some(ConsentDate),
            ]
            .as_slice(),
            "{:?}",
            m.columns
                .iter()
                .map(|c| (&c.header, c.field, &c.reason))
                .collect::<Vec<_>>()
        );
        // The custom fields' columns: each for the account's field of that
        // name, or a new one (`--create-fields`, "New field…").
        assert!(m.columns[14..]
            .iter()
            .all(crate::import::fields::is_candidate));
        // The label columns give each value its label.
        assert_eq!(m.columns[4].label_column, Some(3));
        assert_eq!(m.columns[8].label_column, Some(7));
    }

    #[test]
    fn a_vcard_escapes_text_and_keeps_labels_groups_and_fields() {
        let v = vcard(&contact(), &layout().fields);
        assert!(v.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"), "{v}");
        assert!(v.contains("ORG:Analytical\\, Engines\r\n"), "{v}");
        assert!(v.contains("TEL;TYPE=mobile,pref:+447400123456\r\n"), "{v}");
        assert!(v.contains("TEL;TYPE=work:+442079460018\r\n"), "{v}");
        assert!(v.contains("EMAIL;TYPE=pref:ada@example.com\r\n"), "{v}");
        assert!(v.contains("CATEGORIES:Friends,VIP\\; gold\r\n"), "{v}");
        assert!(v.contains("X-SPEND:-12.5\r\n"), "{v}");
        assert!(v.ends_with("END:VCARD\r\n"));
    }

    #[test]
    fn formats_parse_from_their_names() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.as_str()), Some(f));
        }
        assert_eq!(ExportFormat::parse(" XLSX "), Some(ExportFormat::Xlsx));
        assert_eq!(ExportFormat::parse("pdf"), None);
    }
}
