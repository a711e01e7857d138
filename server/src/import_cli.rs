//! `contacts import FILE`: the same import code as the wizard, for scripts
//! and acceptance tests. Reads, maps, validates, merges, then upserts (or,
//! with `--dry-run`, runs the upsert and rolls it back).

use std::path::PathBuf;

use app::db::{ImportSms, Store};
use app::import::{
    choose_sheet, error_file, plan, read, rejected_rows, Format, GroupName, HeaderChoice,
    ImportConsent, ImportContact, LineType, ReadError, ReadErrorKind, Region, SmsStatus,
};
use std::collections::BTreeMap;

use app::import::fields::{create_fields_for_unmapped, map_to_fields, FieldDef};
use serde::Serialize;

/// What the command line asked for.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub file: PathBuf,
    pub region: Region,
    /// A sheet name, or a 0-based sheet index.
    pub sheet: Option<String>,
    pub header: HeaderChoice,
    pub group: Option<GroupName>,
    pub dry_run: bool,
    /// Where to write the rejected rows (`.xlsx` or `.csv`).
    pub errors: Option<PathBuf>,
    /// `--consent` / `--opt-out-list`.
    pub consent: ImportConsent,
    /// `--create-fields`: unmapped columns become custom fields.
    pub create_fields: bool,
}

/// The one JSON object `--json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    pub sheet: SheetReport,
    pub header_row: Option<u32>,
    pub columns: Vec<ColumnReport>,
    pub counts: Counts,
    pub rejected: Vec<RejectedReport>,
    pub warnings: Vec<WarningReport>,
    pub contacts: Vec<ContactReport>,
    /// Custom fields the import created (with `--dry-run`: would create).
    pub fields_created: Vec<String>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetReport {
    pub index: usize,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnReport {
    pub index: usize,
    pub header: String,
    pub field: Option<String>,
    pub confidence: f32,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub data_rows: usize,
    pub valid: usize,
    pub rejected: usize,
    pub duplicates_merged: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub groups_created: usize,
    pub details_dropped: usize,
    /// Contacts whose SMS status became opted in / opted out.
    pub opted_in: usize,
    pub opted_out: usize,
    /// Rows that would have opted an opted-out contact back in (it stayed
    /// opted out).
    pub kept_opted_out: usize,
    /// Contacts left without a phone number that can receive SMS.
    pub no_textable_number: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedReport {
    pub row: u32,
    pub reasons: Vec<&'static str>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WarningReport {
    pub row: u32,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactReport {
    pub rows: Vec<u32>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: Option<String>,
    pub company: Option<String>,
    pub phones: Vec<String>,
    /// Each phone's line type (`mobile`, `landline`…), aligned with `phones`.
    pub line_types: Vec<&'static str>,
    pub emails: Vec<String>,
    pub groups: Vec<String>,
    /// `opted_in`, `not_recorded` or `opted_out`, after the import (or the
    /// dry run).
    pub sms_status: &'static str,
    /// Its custom fields' values, by field name.
    pub fields: BTreeMap<String, String>,
}

/// Why the command could not import at all (exit status 2).
#[derive(Debug, Clone, Serialize)]
pub struct CliError {
    pub kind: &'static str,
    pub message: String,
}

impl From<ReadError> for CliError {
    fn from(e: ReadError) -> Self {
        CliError {
            kind: e.kind.as_str(),
            message: e.message,
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn contact_report(c: &ImportContact, sms: SmsStatus) -> ContactReport {
    ContactReport {
        rows: c.rows.clone(),
        first_name: non_empty(&c.first_name),
        last_name: non_empty(&c.last_name),
        full_name: c.full_name.clone(),
        company: non_empty(&c.company),
        phones: c.phones().map(|d| d.value.clone()).collect(),
        line_types: c
            .phones()
            .map(|d| d.line.unwrap_or(LineType::Unknown).as_str())
            .collect(),
        emails: c.emails().map(|d| d.value.clone()).collect(),
        groups: c.groups.iter().map(|g| g.to_string()).collect(),
        sms_status: sms.as_str(),
        fields: c
            .fields
            .iter()
            .map(|v| (v.field.to_string(), v.value.as_str().to_string()))
            .collect(),
    }
}

/// Runs an import. `Err` only when the file cannot be read or the database
/// fails; refused rows are part of the report.
pub async fn run_import(
    store: &Store,
    account_id: i64,
    opts: &ImportOptions,
) -> Result<ImportReport, CliError> {
    let bytes = std::fs::read(&opts.file).map_err(|e| CliError {
        kind: "not_found",
        message: format!("Cannot read {}: {e}", opts.file.display()),
    })?;
    let name = opts
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut book = read::open(bytes, &name)?;
    let wanted = match &opts.sheet {
        None => None,
        Some(s) => Some(find_sheet(&book, s).ok_or_else(|| CliError {
            kind: ReadErrorKind::Empty.as_str(),
            message: format!(
                "There is no sheet {s:?}. The sheets are: {}.",
                book.sheet_names()
                    .iter()
                    .enumerate()
                    .map(|(i, n)| format!("{i}: {n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?),
    };
    let mut chosen = choose_sheet(&mut book, wanted, opts.header, opts.region)?;
    // The account's custom fields take the columns named like them; with
    // --create-fields, every other unmapped column becomes one.
    let fields: Vec<FieldDef> = store
        .list_fields(account_id)
        .await
        .map_err(database)?
        .iter()
        .filter_map(|f| f.def())
        .collect();
    let new_fields = if opts.create_fields {
        create_fields_for_unmapped(
            &mut chosen.mapping,
            &fields,
            &chosen.table.rows,
            opts.region,
            app::import::fields::today(),
        )
    } else {
        map_to_fields(&mut chosen.mapping, &fields, &chosen.table.rows);
        Vec::new()
    };
    let fields_created: Vec<String> = new_fields.iter().map(|f| f.name.to_string()).collect();
    // Created before the rows are written (and, for a dry run, removed
    // after it: they hold no value then).
    let created = store
        .resolve_fields(
            account_id,
            chosen
                .mapping
                .columns
                .iter_mut()
                .filter_map(|c| c.custom.as_mut())
                .collect(),
        )
        .await
        .map_err(database)?;
    let extra: Vec<GroupName> = opts.group.iter().cloned().collect();
    let mut plan = plan(&chosen.table, &chosen.mapping, opts.region, &extra);

    let sms = ImportSms::new(opts.consent, format!("command-line import of {name}"));
    let summary = store
        .import_contacts_with(account_id, &plan.contacts, &sms, opts.dry_run)
        .await;
    // A dry run leaves no field behind, whether it went through or not.
    if opts.dry_run {
        for name in &created {
            store
                .delete_field_named(account_id, name)
                .await
                .map_err(database)?;
        }
    }
    let summary = summary.map_err(|e| {
        tracing::error!(error = %e, "import failed");
        CliError {
            kind: "database",
            message: format!(
                "The database refused the import: {e}. Nothing in the failed batch was saved."
            ),
        }
    })?;
    let conflict_indexes: Vec<usize> = summary.conflicts.iter().map(|c| c.index).collect();
    plan.rejected = rejected_rows(&plan.rejected, &summary.conflicts);
    let conflict_rows: usize = summary.conflicts.iter().map(|c| c.rows.len()).sum();

    if let Some(path) = &opts.errors {
        let sheet = error_file::rejected_sheet(&chosen.table, &chosen.mapping, &plan.rejected);
        let bytes = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            error_file::to_csv(&sheet)
        } else {
            error_file::to_xlsx(&sheet, "Rejected rows").map_err(|e| CliError {
                kind: "error_file",
                message: format!("Could not write the error file: {e}"),
            })?
        };
        std::fs::write(path, bytes).map_err(|e| CliError {
            kind: "error_file",
            message: format!("Could not write {}: {e}", path.display()),
        })?;
    }

    let counts = Counts {
        data_rows: plan.counts.data_rows,
        valid: plan.counts.valid - conflict_rows,
        rejected: plan.rejected.len(),
        duplicates_merged: plan.counts.duplicates_merged,
        created: summary.created,
        updated: summary.updated,
        unchanged: summary.unchanged,
        groups_created: summary.groups_created,
        details_dropped: plan.counts.details_dropped,
        opted_in: summary.opted_in,
        opted_out: summary.opted_out,
        kept_opted_out: summary.kept_opted_out.len(),
        no_textable_number: summary.no_textable_number,
    };
    let text = book.format.is_text();
    Ok(ImportReport {
        file: opts.file.display().to_string(),
        format: book.format,
        encoding: book.encoding.filter(|_| text).map(str::to_string),
        delimiter: book.delimiter.filter(|_| text).map(|d| d.to_string()),
        sheet: SheetReport {
            index: chosen.index,
            name: book
                .has_named_sheets()
                .then(|| book.sheet_names()[chosen.index].clone()),
        },
        header_row: chosen.table.header_row,
        columns: chosen
            .mapping
            .columns
            .iter()
            .map(|c| ColumnReport {
                index: c.index,
                header: c.header.clone(),
                field: c.field_code(),
                confidence: (c.confidence * 100.0).round() / 100.0,
                reason: c.reason.clone(),
            })
            .collect(),
        counts,
        rejected: plan
            .rejected
            .iter()
            .map(|r| RejectedReport {
                row: r.row,
                reasons: r.reasons.iter().map(|k| k.as_str()).collect(),
                message: r.message.clone(),
            })
            .collect(),
        warnings: plan
            .warnings
            .iter()
            .map(|w| WarningReport {
                row: w.row,
                message: w.message.clone(),
            })
            .collect(),
        contacts: plan
            .contacts
            .iter()
            .enumerate()
            .filter(|(i, _)| !conflict_indexes.contains(i))
            .map(|(i, c)| {
                let sms = summary.status_after.get(i).copied().unwrap_or_default();
                contact_report(c, sms)
            })
            .collect(),
        fields_created,
        dry_run: opts.dry_run,
    })
}

/// A store error as the command line reports it.
fn database(e: impl std::fmt::Display) -> CliError {
    tracing::error!(error = %e, "import failed");
    CliError {
        kind: "database",
        message: format!("The database refused the import: {e}. Nothing was saved."),
    }
}

/// A sheet by exact or case-insensitive name, else by 0-based index.
fn find_sheet(book: &read::Book, wanted: &str) -> Option<usize> {
    let names = book.sheet_names();
    names
        .iter()
        .position(|n| n == wanted)
        .or_else(|| {
            names
                .iter()
                .position(|n| n.to_lowercase() == wanted.to_lowercase())
        })
        .or_else(|| {
            wanted
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|i| *i < names.len())
        })
}

/// The report for people (without `--json`).
pub fn human_summary(r: &ImportReport) -> String {
    let mut out = String::new();
    let verb = if r.dry_run { "would be" } else { "were" };
    out.push_str(&format!(
        "{} ({}{}), header row {}\n",
        r.file,
        r.format,
        r.sheet
            .name
            .as_ref()
            .map(|n| format!(", sheet {n:?}"))
            .unwrap_or_default(),
        r.header_row
            .map(|h| h.to_string())
            .unwrap_or_else(|| "none".into())
    ));
    if !r.fields_created.is_empty() {
        out.push_str(&format!(
            "custom fields {}: {}\n",
            if r.dry_run {
                "that would be created"
            } else {
                "created"
            },
            r.fields_created.join(", ")
        ));
    }
    for c in &r.columns {
        out.push_str(&format!(
            "  column {:>2} {:<28} -> {:<10} ({})\n",
            c.index + 1,
            format!("{:?}", c.header),
            c.field.as_deref().unwrap_or("UNASSIGNED"),
            c.reason
        ));
    }
    let k = r.counts;
    out.push_str(&format!(
        "{} data rows: {} contacts {verb} created, {} updated, {} already up to date; \
         {} rows merged as duplicates; {} rows rejected; {} details dropped\n",
        k.data_rows,
        k.created,
        k.updated,
        k.unchanged,
        k.duplicates_merged,
        k.rejected,
        k.details_dropped
    ));
    if k.opted_in + k.opted_out + k.kept_opted_out > 0 {
        out.push_str(&format!(
            "SMS: {} opted in, {} opted out; {} rows kept opted out (an import never opts a contact back in)\n",
            k.opted_in, k.opted_out, k.kept_opted_out
        ));
    }
    if k.no_textable_number > 0 {
        out.push_str(&format!(
            "{} contacts have no number that can receive SMS (landlines or no phone)\n",
            k.no_textable_number
        ));
    }
    for rej in r.rejected.iter().take(50) {
        out.push_str(&format!("  row {}: {}\n", rej.row, rej.message));
    }
    if r.rejected.len() > 50 {
        out.push_str(&format!(
            "  … and {} more (use --errors FILE to get them all)\n",
            r.rejected.len() - 50
        ));
    }
    out
}
