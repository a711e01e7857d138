//! Auto-mapping: which contact field each column holds.
//!
//! A column is assigned from its header when the header is one we know (in
//! English, French, German, Spanish, Portuguese or Italian, and the headers
//! Google Contacts and Outlook export), else from its content: the share of
//! sample values that are valid e-mails or phone numbers. Every assignment
//! carries a confidence and a reason a person can read; a column we cannot
//! place stays unassigned (`field: None`) for the user to decide.

use serde::{Deserialize, Serialize};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use super::fields::{FieldDef, FieldKind};
use super::read::GridRow;
use super::validate::{lenient_phone, normalize_email, Region};

/// Contact fields a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    FirstName,
    LastName,
    /// A whole name, split into first and last where that is safe.
    FullName,
    Phone,
    Email,
    Company,
    Group,
    /// Whether the row's person agreed to receive SMS (see [`super::consent`]).
    SmsConsent,
    /// When they agreed (or opted out): a date ([`super::dates`]); the
    /// column's `label` keeps its day/month order.
    ConsentDate,
    Ignore,
    /// One of the account's custom fields, or one the import creates: the
    /// column's [`ColumnMapping::custom`] says which. (Last: the variants
    /// before it keep their numbers in the worker's binary messages.)
    Custom,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::FirstName,
        Field::LastName,
        Field::FullName,
        Field::Phone,
        Field::Email,
        Field::Company,
        Field::Group,
        Field::SmsConsent,
        Field::ConsentDate,
        Field::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::FullName => "full_name",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Company => "company",
            Field::Group => "group",
            Field::SmsConsent => "sms_consent",
            Field::ConsentDate => "consent_date",
            Field::Custom => "custom",
            Field::Ignore => "ignore",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The name people see (and the header our own files use).
    pub fn title(self) -> &'static str {
        match self {
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::FullName => "Full name",
            Field::Phone => "Phone",
            Field::Email => "E-mail",
            Field::Company => "Company",
            Field::Group => "Group",
            Field::SmsConsent => "SMS consent",
            Field::ConsentDate => "Consent date",
            Field::Custom => "Custom field",
            Field::Ignore => "Ignore",
        }
    }

    /// Whether several columns may hold this field.
    pub fn allows_many(self) -> bool {
        matches!(
            self,
            Field::Phone | Field::Email | Field::Group | Field::Custom | Field::Ignore
        )
    }
}

/// How one column is mapped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// 0-based column index.
    pub index: usize,
    /// The header as written ("" when the file has no header row).
    pub header: String,
    /// `None`: we could not tell; the user must choose.
    pub field: Option<Field>,
    /// Label for the details of this column (`mobile`, `work`, `home`…).
    pub label: String,
    /// A column whose cells give each row's label for this one (Google's
    /// `Phone 1 - Label` next to `Phone 1 - Value`).
    pub label_column: Option<usize>,
    /// 0–1: how sure the assignment is.
    pub confidence: f32,
    /// Why, in words: "header “Mobile” means Phone", "92 % of values are valid
    /// phone numbers".
    pub reason: String,
    /// For [`Field::Custom`]: the custom field (an account's, or one the
    /// import will create). A date field's day/month order is in `label`.
    #[serde(default)]
    pub custom: Option<FieldDef>,
}

impl ColumnMapping {
    /// What the column holds, as scripts read it: a field's name
    /// (`phone`), or `custom:NAME` for a custom field.
    pub fn field_code(&self) -> Option<String> {
        match (self.field, &self.custom) {
            (Some(Field::Custom), Some(def)) => Some(format!("custom:{}", def.name)),
            (Some(f), _) => Some(f.as_str().to_string()),
            (None, _) => None,
        }
    }

    /// Whether the column holds dates whose day/month order its `label` keeps.
    pub fn holds_dates(&self) -> bool {
        self.field == Some(Field::ConsentDate)
            || (self.field == Some(Field::Custom)
                && self
                    .custom
                    .as_ref()
                    .is_some_and(|d| d.kind == FieldKind::Date))
    }
}

/// The mapping of every column of a table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<ColumnMapping>,
}

impl Mapping {
    /// Columns still waiting for the user's choice.
    pub fn unassigned(&self) -> impl Iterator<Item = &ColumnMapping> {
        self.columns.iter().filter(|c| c.field.is_none())
    }

    /// Whether some column holds a phone or an e-mail (else nothing can import).
    pub fn has_contact_detail(&self) -> bool {
        self.columns
            .iter()
            .any(|c| matches!(c.field, Some(Field::Phone | Field::Email)))
    }

    /// The user's choice for a column. A single-valued field moves: the
    /// column that held it becomes unassigned (orange again), and its index
    /// is returned so that the page can say so. The mapping page applies
    /// exactly this.
    pub fn assign(&mut self, index: usize, field: Field) -> Option<usize> {
        let mut moved_from = None;
        if !field.allows_many() {
            for c in &mut self.columns {
                if c.field == Some(field) && c.index != index {
                    c.field = None;
                    c.confidence = 0.0;
                    c.reason = format!("{} moved to another column", field.title());
                    moved_from = Some(c.index);
                }
            }
        }
        if let Some(c) = self.columns.iter_mut().find(|c| c.index == index) {
            // A date column's label is its day/month order: it does not
            // follow the column to another field, nor come from one.
            let was_date = c.holds_dates();
            if was_date != (field == Field::ConsentDate) {
                c.label.clear();
            }
            c.field = Some(field);
            c.custom = None;
            c.confidence = 1.0;
            c.reason = "chosen by you".into();
        }
        moved_from
    }

    /// The user's choice of a custom field for a column (an account's, or
    /// a new one): a column that held the same field becomes unassigned,
    /// and its index is returned, as with [`Mapping::assign`].
    pub fn assign_custom(&mut self, index: usize, def: FieldDef, reason: &str) -> Option<usize> {
        let mut moved_from = None;
        let key = def.name.key();
        for c in &mut self.columns {
            if c.index != index && c.custom.as_ref().is_some_and(|d| d.name.key() == key) {
                c.field = None;
                c.custom = None;
                c.label.clear();
                c.confidence = 0.0;
                c.reason = format!("{} moved to another column", def.name);
                moved_from = Some(c.index);
            }
        }
        if let Some(c) = self.columns.iter_mut().find(|c| c.index == index) {
            let was_date = c.holds_dates();
            if !was_date || def.kind != FieldKind::Date {
                c.label.clear();
            }
            c.field = Some(Field::Custom);
            c.custom = Some(def);
            c.confidence = 1.0;
            c.reason = reason.to_string();
        }
        moved_from
    }
}

/// What a header says, before looking at the other columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HeaderMeaning {
    Field {
        field: Field,
        label: &'static str,
        exact: bool,
    },
    /// `Name`, `Nom`, `Nombre`, `Nome`: first, last or full name depending on
    /// the other columns.
    AmbiguousName,
    /// The label/type column of a phone or e-mail column (`Phone 1 - Label`).
    LabelColumn,
    /// A field we know but do not keep (birthday, address…).
    NotKept,
    Unknown,
}

/// Lower-case words of a header without accents, punctuation or numbers;
/// `e mail` becomes `email`. Headers as database dumps and APIs write them
/// read like their spaced forms: `group_name`, `E_MAIL`, `mobileNumber`
/// (a lower-case letter followed by a capital starts a word; see
/// [`classify_header`] for names such as `WhatsApp` that are one word).
pub fn normalize_header(header: &str) -> String {
    normalize_header_with(header, true)
}

fn normalize_header_with(header: &str, split_camel: bool) -> String {
    let mut previous_lower = false;
    let folded: String = header
        .nfd()
        .filter(|c| !is_combining_mark(*c) && !matches!(c, '\u{feff}' | '\u{200b}'))
        .flat_map(|c| {
            let camel = split_camel && previous_lower && c.is_uppercase();
            previous_lower = c.is_lowercase();
            camel.then_some(' ').into_iter().chain(c.to_lowercase())
        })
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .replace('ß', "ss");
    let mut words: Vec<&str> = Vec::new();
    for w in folded.split_whitespace() {
        if w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if w == "mail" && words.last() == Some(&"e") {
            words.pop();
            words.push("email");
            continue;
        }
        words.push(w);
    }
    words.join(" ")
}

const FIRST: &[&str] = &[
    "first name",
    "firstname",
    "first",
    "given name",
    "givenname",
    "forename",
    "fname",
    "christian name",
    "prenom",
    "vorname",
    "rufname",
    "nombre de pila",
    "primer nombre",
    "primeiro nome",
    "nome proprio",
    "nome di battesimo",
];
const LAST: &[&str] = &[
    "last name",
    "lastname",
    "last",
    "surname",
    "family name",
    "familyname",
    "lname",
    "nom de famille",
    "nachname",
    "familienname",
    "zuname",
    "apellido",
    "apellidos",
    "primer apellido",
    "sobrenome",
    "apelido",
    "ultimo nome",
    "cognome",
];
const FULL: &[&str] = &[
    "full name",
    "fullname",
    "display name",
    "contact name",
    "contact",
    "name and surname",
    "nom complet",
    "nom et prenom",
    "prenom et nom",
    "nom prenom",
    "prenom nom",
    "vollstandiger name",
    "vollname",
    "nombre completo",
    "nombre y apellidos",
    "nome completo",
    "nominativo",
    "nome e cognome",
    "contatto",
    "kontakt",
    "person",
    "file as",
];
const AMBIGUOUS: &[&str] = &["name", "names", "nom", "nombre", "nome"];
const COMPANY: &[&str] = &[
    "company",
    "company name",
    "organization",
    "organisation",
    "organization name",
    "organisation name",
    "org",
    "business",
    "employer",
    "firm",
    "societe",
    "entreprise",
    "organisme",
    "firma",
    "unternehmen",
    "firmenname",
    "empresa",
    "compania",
    "organizacion",
    "azienda",
    "societa",
    "ditta",
    "organizzazione",
];
const GROUP: &[&str] = &[
    "group",
    "groups",
    "group name",
    "group names",
    "list name",
    "tag name",
    "group membership",
    "labels",
    "categories",
    "category",
    "tags",
    "tag",
    "list",
    "lists",
    "groupe",
    "groupes",
    "categorie",
    "categories",
    "liste",
    "listes",
    "gruppe",
    "gruppen",
    "kategorie",
    "kategorien",
    "grupo",
    "grupos",
    "categoria",
    "categorias",
    "etiquetas",
    "gruppo",
    "gruppi",
    "etichette",
    "etiquettes",
];
/// Headers of a column that says whether the person agreed to receive SMS
/// (Shopify's export: "Accepts SMS Marketing").
const SMS_CONSENT: &[&str] = &[
    "sms consent",
    "consent",
    "consent sms",
    "consent to sms",
    "sms opt in",
    "opt in",
    "optin",
    "sms optin",
    "opt in sms",
    "sms marketing",
    "sms marketing consent",
    "accepts sms",
    "accepts sms marketing",
    "text consent",
    "sms permission",
    "sms status",
    "sms subscription",
    "sms subscribed",
    "subscribed to sms",
    "sms allowed",
    "consentement",
    "consentement sms",
    "accord sms",
    "abonne sms",
    "einwilligung",
    "sms einwilligung",
    "einwilligung sms",
    "zustimmung",
    "sms zustimmung",
    "consentimiento",
    "consentimiento sms",
    "acepta sms",
    "consentimento",
    "consentimento sms",
    "aceita sms",
    "consenso",
    "consenso sms",
    "הסכמה",
    "הסכמה לדיוור",
    "אישור דיוור",
    "אישור sms",
];
/// Headers of the date a consent (or an opt-out) was given.
const CONSENT_DATE: &[&str] = &[
    "consent date",
    "sms consent date",
    "date of consent",
    "consent given",
    "consent given on",
    "consented on",
    "consented at",
    "opt in date",
    "optin date",
    "sms opt in date",
    "opted in on",
    "opted in at",
    "date consentement",
    "date du consentement",
    "date de consentement",
    "einwilligungsdatum",
    "datum der einwilligung",
    "fecha de consentimiento",
    "fecha consentimiento",
    "data do consentimento",
    "data consentimento",
    "data del consenso",
    "data consenso",
    "תאריך הסכמה",
];
const EMAIL_WORDS: &[&str] = &[
    "email",
    "mail",
    "emails",
    "courriel",
    "correo",
    "mel",
    "emailadresse",
    "posta",
];
const PHONE_WORDS: &[&str] = &[
    "phone",
    "phones",
    "telephone",
    "tel",
    "telefon",
    "telefono",
    "telefone",
    "mobile",
    "mobil",
    "mobiltelefon",
    "mobilnummer",
    "handy",
    "handynummer",
    "cell",
    "cellphone",
    "cellular",
    "portable",
    "movil",
    "celular",
    "cellulare",
    "telemovel",
    "whatsapp",
    "msisdn",
    "telefonnummer",
    "rufnummer",
    "gsm",
    "numero",
];
const MOBILE_WORDS: &[&str] = &[
    "mobile",
    "mobil",
    "mobiltelefon",
    "mobilnummer",
    "handy",
    "handynummer",
    "cell",
    "cellphone",
    "cellular",
    "portable",
    "movil",
    "celular",
    "cellulare",
    "telemovel",
    "gsm",
];
const WORK_WORDS: &[&str] = &[
    "work",
    "business",
    "office",
    "company",
    "bureau",
    "travail",
    "professionnel",
    "pro",
    "geschaftlich",
    "buro",
    "arbeit",
    "dienstlich",
    "trabajo",
    "oficina",
    "trabalho",
    "lavoro",
    "ufficio",
];
const HOME_WORDS: &[&str] = &[
    "home",
    "private",
    "personal",
    "domicile",
    "maison",
    "perso",
    "personnel",
    "privat",
    "zuhause",
    "casa",
    "particular",
    "privado",
    "privato",
];
const NOT_KEPT_WORDS: &[&str] = &[
    "address",
    "street",
    "city",
    "postal",
    "zip",
    "postcode",
    "country",
    "region",
    "state",
    "birthday",
    "birth",
    "anniversary",
    "notes",
    "note",
    "comment",
    "comments",
    "remarks",
    "website",
    "web",
    "url",
    "fax",
    "pager",
    "nickname",
    "middle",
    "additional",
    "prefix",
    "suffix",
    "title",
    "department",
    "gender",
    "photo",
    "initials",
    "phonetic",
    "yomi",
    "adresse",
    "rue",
    "ville",
    "pays",
    "anniversaire",
    "geburtstag",
    "strasse",
    "ort",
    "plz",
    "land",
    "notiz",
    "bemerkung",
    "commentaire",
    "remarque",
    "direccion",
    "ciudad",
    "pais",
    "cumpleanos",
    "endereco",
    "cidade",
    "aniversario",
    "indirizzo",
    "citta",
    "compleanno",
    "reason",
    "error",
    "errors",
    "id",
    "sensitivity",
    "priority",
    "location",
    "hobby",
    "spouse",
    "children",
    "manager",
    "assistant",
    "profession",
    "role",
    "position",
    "job",
];

/// What `header` says on its own: read with its camelCase words apart
/// (`mobileNumber`), else whole (`WhatsApp`, `NickName`).
pub(crate) fn classify_header(header: &str) -> HeaderMeaning {
    match classify_normalized(&normalize_header_with(header, true)) {
        HeaderMeaning::Unknown => classify_normalized(&normalize_header_with(header, false)),
        known => known,
    }
}

fn classify_normalized(norm: &str) -> HeaderMeaning {
    if norm.is_empty() {
        return HeaderMeaning::Unknown;
    }
    let mut words: Vec<&str> = norm.split(' ').collect();
    if words.len() > 1 && matches!(words.last(), Some(&("label" | "type" | "typ"))) {
        return HeaderMeaning::LabelColumn;
    }
    if words.len() > 1 && words.last() == Some(&"value") {
        words.pop();
    }
    let key = words.join(" ");
    let exact = |list: &[&str]| list.contains(&key.as_str());
    let field = |field, label| HeaderMeaning::Field {
        field,
        label,
        exact: true,
    };
    if exact(FIRST) {
        return field(Field::FirstName, "");
    }
    if exact(LAST) {
        return field(Field::LastName, "");
    }
    if exact(FULL) {
        return field(Field::FullName, "");
    }
    if exact(AMBIGUOUS) {
        return HeaderMeaning::AmbiguousName;
    }
    if exact(COMPANY) {
        return field(Field::Company, "");
    }
    if exact(GROUP) {
        return field(Field::Group, "");
    }
    if exact(SMS_CONSENT) {
        return field(Field::SmsConsent, "");
    }
    if exact(CONSENT_DATE) {
        return field(Field::ConsentDate, "");
    }
    if key == "email display name" || key == "email display" {
        return HeaderMeaning::NotKept;
    }
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let label = if has(MOBILE_WORDS) {
        "mobile"
    } else if has(WORK_WORDS) {
        "work"
    } else if has(HOME_WORDS) {
        "home"
    } else if words
        .iter()
        .any(|w| *w == "other" || *w == "autre" || *w == "andere")
    {
        "other"
    } else {
        ""
    };
    if has(EMAIL_WORDS) || words.iter().any(|w| w.starts_with("email")) {
        let label = if label == "mobile" { "" } else { label };
        return HeaderMeaning::Field {
            field: Field::Email,
            label,
            exact: words.len() <= 2,
        };
    }
    if words.iter().any(|w| *w == "fax" || *w == "pager") {
        return HeaderMeaning::NotKept;
    }
    if has(PHONE_WORDS) || words == ["number"] || words == ["numer"] {
        return HeaderMeaning::Field {
            field: Field::Phone,
            label,
            exact: words.len() <= 2,
        };
    }
    if has(NOT_KEPT_WORDS) {
        return HeaderMeaning::NotKept;
    }
    HeaderMeaning::Unknown
}

/// Whether `header` names something no built-in field keeps (`Birthday`,
/// `Address`): a custom field may take its column.
pub(crate) fn is_not_kept(header: &str) -> bool {
    classify_header(header) == HeaderMeaning::NotKept
}

/// Whether `header` is one we recognise (used to find the header row).
pub(crate) fn is_known_header(header: &str) -> bool {
    !matches!(classify_header(header), HeaderMeaning::Unknown)
}

/// Values sampled per column for content sniffing.
const SAMPLE: usize = 200;
/// Share of valid values that makes a column a phone or e-mail column.
const SNIFF_THRESHOLD: f32 = 0.6;

/// What the sampled values of a column look like.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ContentProfile {
    pub values: usize,
    pub emails: f32,
    pub phones: f32,
    /// Letters, spaces and name punctuation only.
    pub names: f32,
}

pub(crate) fn profile(rows: &[GridRow], col: usize, region: Region) -> ContentProfile {
    let values: Vec<&str> = rows
        .iter()
        .map(|r| r.cell(col))
        .filter(|v| !v.is_empty())
        .take(SAMPLE)
        .collect();
    if values.is_empty() {
        return ContentProfile::default();
    }
    let n = values.len() as f32;
    let share = |f: &dyn Fn(&str) -> bool| values.iter().filter(|v| f(v)).count() as f32 / n;
    ContentProfile {
        values: values.len(),
        emails: share(&|v| normalize_email(v).is_ok()),
        phones: share(&|v| lenient_phone(v, region).is_ok()),
        names: share(&|v| {
            v.chars().any(char::is_alphabetic)
                && v.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.' | ','))
        }),
    }
}

/// A file's phone numbers read far better under another region than the
/// import's: the mapping stage offers the switch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegionHint {
    pub region: Region,
    /// Share of the sampled numbers valid under `region`, and under the
    /// import's region.
    pub share: f32,
    pub current_share: f32,
}

/// Regions always tried besides the numbers' own: the product's markets
/// and the countries their customers' files most often come from.
const HINT_REGIONS: &[&str] = &[
    "GB", "IL", "FR", "DE", "ES", "IT", "PT", "NL", "BE", "IE", "US", "CA", "AU",
];

/// The region under which the phone columns' numbers are valid far more
/// often than under `current` (at least 60 %, and 30 points more), among
/// [`HINT_REGIONS`] and the countries of the numbers written with their
/// code; `None` when `current` reads them well (90 % or more) or no region
/// does much better.
pub fn region_hint(rows: &[GridRow], mapping: &Mapping, current: Region) -> Option<RegionHint> {
    let columns: Vec<usize> = mapping
        .columns
        .iter()
        .filter(|c| c.field == Some(Field::Phone))
        .map(|c| c.index)
        .collect();
    let values: Vec<&str> = rows
        .iter()
        .flat_map(|r| columns.iter().map(move |&c| r.cell(c).trim()))
        .filter(|v| !v.is_empty() && !super::text::is_placeholder(v))
        .take(SAMPLE)
        .collect();
    if values.len() < 5 {
        return None;
    }
    let share = |region: Region| {
        values
            .iter()
            .filter(|v| lenient_phone(v, region).is_ok())
            .count() as f32
            / values.len() as f32
    };
    let here = share(current);
    if here >= 0.9 {
        return None;
    }
    // The numbers' own countries first, then the usual ones: on a tie (a
    // French `06 12 34 56 78` is also a valid Italian number) the first wins.
    let mut candidates: Vec<Region> = Vec::new();
    for v in &values {
        if v.starts_with('+') || v.starts_with("00") {
            if let Some(r) = lenient_phone(v, current)
                .ok()
                .and_then(|e164| phonenumber::parse(None, &e164).ok())
                .and_then(|n| n.country().id())
                .and_then(|id| id.as_ref().parse::<Region>().ok())
            {
                candidates.push(r);
            }
        }
    }
    candidates.extend(HINT_REGIONS.iter().filter_map(|c| c.parse::<Region>().ok()));
    let mut best: Option<RegionHint> = None;
    let mut tried: Vec<Region> = vec![current];
    for region in candidates {
        if tried.contains(&region) {
            continue;
        }
        tried.push(region);
        let share = share(region);
        if share >= 0.6 && share >= here + 0.3 && best.is_none_or(|b| share > b.share) {
            best = Some(RegionHint {
                region,
                share,
                current_share: here,
            });
        }
    }
    best
}

fn percent(share: f32) -> String {
    format!("{} %", (share * 100.0).round() as u32)
}

/// Maps every column of a table. `headers` is empty when the table has no
/// header row (then content decides); `rows` are the data rows.
pub fn auto_map(headers: &[String], rows: &[GridRow], width: usize, region: Region) -> Mapping {
    let has_header = !headers.is_empty();
    let meanings: Vec<HeaderMeaning> = (0..width)
        .map(|i| {
            if has_header {
                classify_header(headers.get(i).map_or("", String::as_str))
            } else {
                HeaderMeaning::Unknown
            }
        })
        .collect();
    let has_first = meanings.iter().any(|m| {
        matches!(
            m,
            HeaderMeaning::Field {
                field: Field::FirstName,
                ..
            }
        )
    });
    let has_last = meanings.iter().any(|m| {
        matches!(
            m,
            HeaderMeaning::Field {
                field: Field::LastName,
                ..
            }
        )
    });

    let mut columns: Vec<ColumnMapping> = Vec::with_capacity(width);
    for (index, meaning) in meanings.iter().enumerate() {
        let header = headers.get(index).cloned().unwrap_or_default();
        let quoted = format!("“{}”", header.trim());
        let mut col = ColumnMapping {
            index,
            header: header.clone(),
            field: None,
            label: String::new(),
            label_column: None,
            confidence: 0.0,
            reason: String::new(),
            custom: None,
        };
        match meaning {
            HeaderMeaning::Field {
                field,
                label,
                exact,
            } => {
                col.field = Some(*field);
                col.label = (*label).to_string();
                col.confidence = if *exact { 0.95 } else { 0.85 };
                col.reason = format!("header {quoted} means {}", field.title());
                if matches!(field, Field::Phone | Field::Email) {
                    let p = profile(rows, index, region);
                    let share = if *field == Field::Phone {
                        p.phones
                    } else {
                        p.emails
                    };
                    if p.values > 0 {
                        col.reason = format!(
                            "{}; {} of values are valid {}",
                            col.reason,
                            percent(share),
                            if *field == Field::Phone {
                                "phone numbers"
                            } else {
                                "e-mail addresses"
                            }
                        );
                        if share >= 0.5 {
                            col.confidence = 0.99;
                        }
                    }
                }
            }
            HeaderMeaning::AmbiguousName => {
                let (field, why) = match (has_first, has_last) {
                    (false, true) => (Field::FirstName, "next to a last-name column"),
                    (true, false) => (Field::LastName, "next to a first-name column"),
                    _ => (Field::FullName, "a whole name"),
                };
                col.field = Some(field);
                col.confidence = 0.8;
                col.reason = format!("header {quoted} is {why}: {}", field.title());
            }
            HeaderMeaning::LabelColumn => {
                col.field = Some(Field::Ignore);
                col.confidence = 0.9;
                col.reason = format!("header {quoted} holds the labels of another column");
            }
            HeaderMeaning::NotKept => {
                col.field = Some(Field::Ignore);
                col.confidence = 0.9;
                col.reason = format!("header {quoted} is not a contact field we keep");
            }
            HeaderMeaning::Unknown => sniff(&mut col, rows, region, has_header),
        }
        columns.push(col);
    }
    link_label_columns(&mut columns, &meanings);
    if !has_header {
        sniff_names(&mut columns, rows, region);
    }
    single_valued(&mut columns);
    date_orders(&mut columns, rows);
    Mapping { columns }
}

/// A date column's day/month order, when its values decide it (a `13/02`);
/// otherwise the import's region decides, at validation.
fn date_orders(columns: &mut [ColumnMapping], rows: &[GridRow]) {
    for c in columns
        .iter_mut()
        .filter(|c| c.field == Some(Field::ConsentDate) && c.label.is_empty())
    {
        if let Some(order) = super::dates::infer_order(rows.iter().map(|r| r.cell(c.index))) {
            c.label = order.as_str().to_string();
        }
    }
}

fn sniff(col: &mut ColumnMapping, rows: &[GridRow], region: Region, has_header: bool) {
    let p = profile(rows, col.index, region);
    let what = if has_header {
        format!("header “{}” is not one we know", col.header.trim())
    } else {
        "no header".to_string()
    };
    if p.values == 0 {
        col.field = Some(Field::Ignore);
        col.confidence = 0.9;
        col.reason = "the column is empty".into();
    } else if p.emails >= SNIFF_THRESHOLD && p.emails >= p.phones {
        col.field = Some(Field::Email);
        col.confidence = p.emails;
        col.reason = format!(
            "{what}; {} of values are valid e-mail addresses",
            percent(p.emails)
        );
    } else if p.phones >= SNIFF_THRESHOLD {
        col.field = Some(Field::Phone);
        col.confidence = p.phones;
        col.reason = format!(
            "{what}; {} of values are valid phone numbers",
            percent(p.phones)
        );
    } else {
        col.reason = format!("{what}, and its values are neither phone numbers nor e-mails: choose a field or Ignore");
    }
}

/// Without a header, name-like text columns become the name: one column is a
/// full name, two are first and last name.
fn sniff_names(columns: &mut [ColumnMapping], rows: &[GridRow], region: Region) {
    let candidates: Vec<usize> = columns
        .iter()
        .filter(|c| c.field.is_none())
        .filter(|c| profile(rows, c.index, region).names >= 0.8)
        .map(|c| c.index)
        .collect();
    let fields: &[Field] = match candidates.len() {
        0 => &[],
        1 => &[Field::FullName],
        _ => &[Field::FirstName, Field::LastName],
    };
    for (index, field) in candidates.iter().zip(fields) {
        let c = &mut columns[*index];
        c.field = Some(*field);
        c.confidence = 0.6;
        c.reason = format!("no header; the values look like names: {}", field.title());
    }
}

/// `Phone 1 - Label` gives each row's label for `Phone 1 - Value`.
fn link_label_columns(columns: &mut [ColumnMapping], meanings: &[HeaderMeaning]) {
    for (i, m) in meanings.iter().enumerate() {
        let HeaderMeaning::LabelColumn = m else {
            continue;
        };
        let label_norm = normalize_header(&columns[i].header);
        let label_digits: String = columns[i]
            .header
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let target = columns.iter().position(|c| {
            c.index != i
                && matches!(c.field, Some(Field::Phone | Field::Email))
                && c.header
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    == label_digits
                && label_norm
                    .rsplit_once(' ')
                    .is_some_and(|(base, _)| normalize_header(&c.header).starts_with(base))
        });
        if let Some(t) = target {
            columns[t].label_column = Some(i);
        }
    }
}

/// Single-valued fields keep their first column; later ones wait for the user.
fn single_valued(columns: &mut [ColumnMapping]) {
    let mut taken: Vec<(Field, String)> = Vec::new();
    for c in columns.iter_mut() {
        let Some(field) = c.field else { continue };
        if field.allows_many() {
            continue;
        }
        if let Some((_, first)) = taken.iter().find(|(f, _)| *f == field) {
            c.reason = format!(
                "{} is already taken by column “{}”: choose a field or Ignore",
                field.title(),
                first
            );
            c.field = None;
            c.confidence = 0.0;
        } else {
            taken.push((field, c.header.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn field_of(header: &str) -> Option<Field> {
        match classify_header(header) {
            HeaderMeaning::Field { field, .. } => Some(field),
            HeaderMeaning::AmbiguousName => Some(Field::FullName),
            HeaderMeaning::LabelColumn | HeaderMeaning::NotKept => Some(Field::Ignore),
            HeaderMeaning::Unknown => None,
        }
    }

    #[rstest]
    #[case("\u{feff}First Name", Some(Field::FirstName))]
    #[case("Prénom", Some(Field::FirstName))]
    #[case("VORNAME", Some(Field::FirstName))]
    #[case("Given Name", Some(Field::FirstName))]
    #[case("Family Name", Some(Field::LastName))]
    #[case("Nachname", Some(Field::LastName))]
    #[case("Apellidos", Some(Field::LastName))]
    #[case("Cognome", Some(Field::LastName))]
    #[case("Sobrenome", Some(Field::LastName))]
    #[case("Nom complet", Some(Field::FullName))]
    #[case("Name", Some(Field::FullName))]
    #[case("E-mail 1 - Value", Some(Field::Email))]
    #[case("E-mail Address", Some(Field::Email))]
    #[case("E-mail 2 Address", Some(Field::Email))]
    #[case("Courriel", Some(Field::Email))]
    #[case("Correo electrónico", Some(Field::Email))]
    #[case("E-Mail-Adresse", Some(Field::Email))]
    #[case("Phone 1 - Value", Some(Field::Phone))]
    #[case("Mobile Phone", Some(Field::Phone))]
    #[case("Business Phone", Some(Field::Phone))]
    #[case("Téléphone portable", Some(Field::Phone))]
    #[case("Handynummer", Some(Field::Phone))]
    #[case("Teléfono móvil", Some(Field::Phone))]
    #[case("Cellulare", Some(Field::Phone))]
    #[case("Tel.", Some(Field::Phone))]
    #[case("Organization 1 - Name", Some(Field::Company))]
    #[case("Organization Name", Some(Field::Company))]
    #[case("Société", Some(Field::Company))]
    #[case("Firma", Some(Field::Company))]
    #[case("Labels", Some(Field::Group))]
    #[case("Group Membership", Some(Field::Group))]
    #[case("Categories", Some(Field::Group))]
    #[case("Gruppe", Some(Field::Group))]
    #[case("SMS consent", Some(Field::SmsConsent))]
    #[case("Accepts SMS Marketing", Some(Field::SmsConsent))]
    #[case("sms_opt_in", Some(Field::SmsConsent))]
    #[case("Opt-in", Some(Field::SmsConsent))]
    #[case("Consentement SMS", Some(Field::SmsConsent))]
    #[case("Einwilligung", Some(Field::SmsConsent))]
    #[case("Consentimiento", Some(Field::SmsConsent))]
    #[case("Consenso SMS", Some(Field::SmsConsent))]
    #[case("הסכמה", Some(Field::SmsConsent))]
    #[case("Consent date", Some(Field::ConsentDate))]
    #[case("opt_in_date", Some(Field::ConsentDate))]
    #[case("Date du consentement", Some(Field::ConsentDate))]
    #[case("Phone 1 - Label", Some(Field::Ignore))]
    #[case("Phone 1 - Type", Some(Field::Ignore))]
    #[case("E-mail Type", Some(Field::Ignore))]
    #[case("E-mail Display Name", Some(Field::Ignore))]
    #[case("Business Fax", Some(Field::Ignore))]
    #[case("Birthday", Some(Field::Ignore))]
    #[case("Reason", Some(Field::Ignore))]
    #[case("Colour", None)]
    #[case("", None)]
    // As database dumps and APIs write them, exactly like their spaced forms.
    #[case("group_name", Some(Field::Group))]
    #[case("Group Name", Some(Field::Group))]
    #[case("groupName", Some(Field::Group))]
    #[case("mobileNumber", Some(Field::Phone))]
    #[case("mobile_number", Some(Field::Phone))]
    #[case("MOBILE_NUMBER", Some(Field::Phone))]
    #[case("phoneNumber", Some(Field::Phone))]
    #[case("E_MAIL", Some(Field::Email))]
    #[case("emailAddress", Some(Field::Email))]
    #[case("email_address", Some(Field::Email))]
    #[case("firstName", Some(Field::FirstName))]
    #[case("first_name", Some(Field::FirstName))]
    #[case("FIRST_NAME", Some(Field::FirstName))]
    #[case("lastName", Some(Field::LastName))]
    #[case("last_name", Some(Field::LastName))]
    #[case("companyName", Some(Field::Company))]
    #[case("company_name", Some(Field::Company))]
    // One word in camelCase stays what it was.
    #[case("WhatsApp", Some(Field::Phone))]
    #[case("NickName", Some(Field::Ignore))]
    #[case("eMail", Some(Field::Email))]
    fn headers_are_recognised(#[case] header: &str, #[case] expected: Option<Field>) {
        assert_eq!(field_of(header), expected, "{header}");
    }

    #[rstest]
    #[case("Mobile Phone", "mobile")]
    #[case("Business Phone 2", "work")]
    #[case("Home Phone", "home")]
    #[case("Telefon privat", "home")]
    #[case("Phone", "")]
    fn phone_headers_carry_their_label(#[case] header: &str, #[case] label: &str) {
        match classify_header(header) {
            HeaderMeaning::Field { label: l, .. } => assert_eq!(l, label),
            other => panic!("{other:?}"),
        }
    }

    fn rows(data: &[&[&str]]) -> Vec<GridRow> {
        data.iter()
            .enumerate()
            .map(|(i, r)| GridRow::new(i as u32 + 2, r.iter()))
            .collect()
    }

    fn fields(m: &Mapping) -> Vec<Option<Field>> {
        m.columns.iter().map(|c| c.field).collect()
    }

    #[test]
    fn a_french_name_column_next_to_prenom_is_the_last_name() {
        let h: Vec<String> = ["Prénom", "Nom", "Tél"].map(String::from).to_vec();
        let m = auto_map(
            &h,
            &rows(&[&["Ada", "Lovelace", "07400 123456"]]),
            3,
            Region::default(),
        );
        assert_eq!(
            fields(&m),
            vec![
                Some(Field::FirstName),
                Some(Field::LastName),
                Some(Field::Phone)
            ]
        );
        assert!(m.columns[2]
            .reason
            .contains("100 % of values are valid phone numbers"));
    }

    #[test]
    fn unknown_headers_are_mapped_by_content_with_a_reason() {
        let h: Vec<String> = ["Kontaktinfo", "Colour"].map(String::from).to_vec();
        let r = rows(&[
            &["ada@example.com", "red"],
            &["bob@example.com", "blue"],
            &["nope", "green"],
        ]);
        let m = auto_map(&h, &r, 2, Region::default());
        assert_eq!(fields(&m), vec![Some(Field::Email), None]);
        assert!((m.columns[0].confidence - 0.667).abs() < 0.01);
        assert!(
            m.columns[0]
                .reason
                .contains("67 % of values are valid e-mail addresses"),
            "{}",
            m.columns[0].reason
        );
        assert_eq!(m.unassigned().count(), 1);
    }

    #[test]
    fn without_a_header_content_decides_including_names() {
        let r = rows(&[
            &["Ada Lovelace", "07400 123456", "ada@example.com"],
            &["Bob Smith", "07400 654321", "bob@example.com"],
        ]);
        let m = auto_map(&[], &r, 3, Region::default());
        assert_eq!(
            fields(&m),
            vec![
                Some(Field::FullName),
                Some(Field::Phone),
                Some(Field::Email)
            ]
        );
    }

    #[test]
    fn google_label_columns_link_to_their_value_columns() {
        let h: Vec<String> = [
            "Phone 1 - Label",
            "Phone 1 - Value",
            "E-mail 1 - Label",
            "E-mail 1 - Value",
        ]
        .map(String::from)
        .to_vec();
        let m = auto_map(
            &h,
            &rows(&[&["Mobile", "07400 123456", "* Work", "a@b.co"]]),
            4,
            Region::default(),
        );
        assert_eq!(
            fields(&m),
            vec![
                Some(Field::Ignore),
                Some(Field::Phone),
                Some(Field::Ignore),
                Some(Field::Email)
            ]
        );
        assert_eq!(m.columns[1].label_column, Some(0));
        assert_eq!(m.columns[3].label_column, Some(2));
    }

    #[test]
    fn a_second_first_name_column_waits_for_the_user_and_assign_moves_fields() {
        let h: Vec<String> = ["First name", "Vorname", "Phone"]
            .map(String::from)
            .to_vec();
        let mut m = auto_map(&h, &[], 3, Region::default());
        assert_eq!(
            fields(&m),
            vec![Some(Field::FirstName), None, Some(Field::Phone)]
        );
        assert_eq!(m.assign(1, Field::FirstName), Some(0));
        assert_eq!(
            fields(&m),
            vec![None, Some(Field::FirstName), Some(Field::Phone)]
        );
        // Phone takes many columns: nothing moves.
        assert_eq!(m.assign(0, Field::Phone), None);
        assert_eq!(
            fields(&m),
            vec![
                Some(Field::Phone),
                Some(Field::FirstName),
                Some(Field::Phone)
            ]
        );
    }

    fn phone_table(numbers: &[&str]) -> (Vec<GridRow>, Mapping) {
        let t = crate::import::table::Table::literal(
            &["Téléphone"],
            &numbers
                .iter()
                .map(|n| vec![*n])
                .collect::<Vec<_>>()
                .iter()
                .map(|r| r.as_slice())
                .collect::<Vec<_>>(),
        );
        let m = auto_map(&t.headers, &t.rows, t.width, Region::default());
        (t.rows, m)
    }

    #[test]
    fn french_numbers_in_a_uk_account_suggest_france() {
        let (rows, m) = phone_table(&[
            "06 12 34 56 78",
            "07 81 22 33 44",
            "01 23 45 67 89",
            "06 98 76 54 32",
            "04 72 10 20 30",
            "06 11 22 33 44",
        ]);
        let hint = region_hint(&rows, &m, Region::default()).expect("a hint");
        assert_eq!(hint.region.code(), "FR");
        assert!(hint.share > 0.99 && hint.current_share < 0.5, "{hint:?}");
        // Read as French, nothing better to say.
        assert_eq!(region_hint(&rows, &m, "FR".parse().unwrap()), None);
    }

    #[test]
    fn uk_numbers_in_a_uk_account_suggest_nothing() {
        let (rows, m) = phone_table(&[
            "07400 123456",
            "020 7946 0018",
            "07400 123457",
            "07400 123458",
            "+44 7400 123459",
        ]);
        assert_eq!(region_hint(&rows, &m, Region::default()), None);
    }

    #[test]
    fn the_numbers_own_country_codes_are_candidates() {
        // Brazil is not among the regions always tried: numbers with +55
        // make it a candidate for the ones written without.
        let (rows, m) = phone_table(&[
            "+55 11 91234 5678",
            "11 91234 5679",
            "11 91234 5670",
            "21 98765 4321",
            "11 3456 7890",
        ]);
        let hint = region_hint(&rows, &m, Region::default()).expect("a hint");
        assert_eq!(hint.region.code(), "BR");
    }
}
