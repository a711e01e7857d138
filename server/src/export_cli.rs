//! Writing an export: `contacts export` and `GET /api/contacts/export`
//! share it. Contacts are read [`EXPORT_BATCH`] at a time by id and written
//! as they come: a csv or vCard file streams in bounded memory; an xlsx is
//! assembled from a worksheet kept on disk (rust_xlsxwriter's constant
//! memory mode) and then copied out, so it too holds one batch at a time.

use std::io::Write;
use std::path::PathBuf;

use app::db::{Store, EXPORT_BATCH};
use app::export::{vcard, ExportFormat, Layout};
use app::import::Region;
use app::model::{ContactQuery, ContactView, GroupFilter};

/// What `contacts export` was asked for.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// A group's name (any case): only its contacts.
    pub group: Option<String>,
    pub format: ExportFormat,
    /// The file to write; stdout without one.
    pub output: Option<PathBuf>,
}

/// The group named `name` (case aside), as the list's filter.
pub async fn group_filter(
    store: &Store,
    account_id: i64,
    name: &str,
) -> anyhow::Result<GroupFilter> {
    let groups = store.list_groups(account_id).await?;
    let key = app::import::GroupKey::of(name);
    match groups
        .iter()
        .find(|g| app::import::GroupKey::of(&g.name) == key)
    {
        Some(g) => Ok(GroupFilter::Group(g.id)),
        None => anyhow::bail!(
            "There is no group {name:?}. The groups: {}.",
            groups
                .iter()
                .map(|g| format!("{:?}", g.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Calls `each` with every contact `query` finds, a batch at a time, by id.
pub async fn for_each_batch(
    store: &Store,
    account_id: i64,
    region: Region,
    query: &ContactQuery,
    mut each: impl FnMut(&[ContactView]) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    // A field filter's value read once (none can match: nothing to write).
    let Some(query) = store.resolve_query(account_id, region, query).await? else {
        return Ok(0);
    };
    let query = &query;
    let mut after = 0;
    let mut n = 0u64;
    loop {
        let batch = store
            .export_batch(account_id, region, query, after, EXPORT_BATCH)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(n);
        };
        after = last.id;
        n += batch.len() as u64;
        each(&batch)?;
    }
}

/// Writes the export of `query` to `out` in `format`; returns how many
/// contacts it holds.
pub async fn write_export(
    store: &Store,
    account_id: i64,
    region: Region,
    query: &ContactQuery,
    format: ExportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<u64> {
    let store = &store.for_long_reads().await?;
    let layout = store.export_layout(account_id).await?;
    match format {
        ExportFormat::Csv => {
            out.write_all(&csv_lines(&layout, &[], true))?;
            let n = for_each_batch(store, account_id, region, query, |batch| {
                out.write_all(&csv_lines(&layout, batch, false))?;
                Ok(())
            })
            .await?;
            out.flush()?;
            Ok(n)
        }
        ExportFormat::Vcf => {
            let mut w = std::io::BufWriter::new(out);
            let n = for_each_batch(store, account_id, region, query, |batch| {
                for c in batch {
                    w.write_all(vcard(c, &layout.fields).as_bytes())?;
                }
                Ok(())
            })
            .await?;
            w.flush()?;
            Ok(n)
        }
        ExportFormat::Xlsx => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("export.xlsx");
            let n = write_xlsx(store, account_id, region, query, &layout, &path).await?;
            let mut file = std::fs::File::open(&path)?;
            std::io::copy(&mut file, out)?;
            Ok(n)
        }
    }
}

/// The xlsx at `path`, its worksheet written row by row to disk.
async fn write_xlsx(
    store: &Store,
    account_id: i64,
    region: Region,
    query: &ContactQuery,
    layout: &Layout,
    path: &std::path::Path,
) -> anyhow::Result<u64> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    if let Some(dir) = path.parent() {
        wb.set_tempdir(dir)?;
    }
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Contacts")?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let header = layout.header();
    for (c, h) in header.iter().enumerate() {
        ws.set_column_width(c as u16, (h.chars().count() as f64 + 4.0).clamp(12.0, 40.0))?;
    }
    for &c in &layout.phone_columns() {
        ws.set_column_format(c as u16, &text)?;
    }
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    let phones = layout.phone_columns();
    let mut row = 0u32;
    let n = for_each_batch(store, account_id, region, query, |batch| {
        for contact in batch {
            row += 1;
            for (c, cell) in layout.row(contact).iter().enumerate() {
                if cell.is_empty() {
                    continue;
                }
                // The csv's neutralising `'` is the xlsx's quote prefix: a
                // text cell Excel shows as typed.
                let (cell, quoted) = match cell.strip_prefix('\'') {
                    Some(rest) if app::import::error_file::is_formula_like(rest) => (rest, true),
                    _ => (cell.as_str(), false),
                };
                let format = match (quoted, phones.contains(&c)) {
                    (true, _) => Some(Format::new().set_quote_prefix()),
                    (false, true) => Some(text.clone()),
                    (false, false) => None,
                };
                match format {
                    Some(f) => ws.write_string_with_format(row, c as u16, cell, &f)?,
                    None => ws.write_string(row, c as u16, cell)?,
                };
            }
        }
        Ok(())
    })
    .await?;
    wb.save(path)?;
    Ok(n)
}

/// Rows of a csv export (with its BOM, so that Excel reads accents and
/// Hebrew, and its header first): the command line's and the download's.
fn csv_lines(layout: &Layout, batch: &[ContactView], header: bool) -> axum::body::Bytes {
    let mut out = Vec::new();
    if header {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        if header {
            let _ = w.write_record(layout.header());
        }
        for c in batch {
            // Writing to a Vec cannot fail.
            let _ = w.write_record(layout.row(c));
        }
        let _ = w.flush();
    }
    axum::body::Bytes::from(out)
}

/// `contacts export`: the account's contacts (or a group's) to a file or
/// stdout. Returns how many contacts it wrote.
pub async fn run_export(
    store: &Store,
    account_id: i64,
    region: Region,
    opts: &ExportOptions,
) -> anyhow::Result<u64> {
    let mut query = ContactQuery::default();
    if let Some(name) = &opts.group {
        query.group = group_filter(store, account_id, name).await?;
    }
    match &opts.output {
        Some(path) => {
            // Written beside the target, then moved: a failed export leaves
            // no half file under the name asked for.
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            let mut tmp =
                tempfile::NamedTempFile::new_in(dir.unwrap_or(std::path::Path::new(".")))?;
            let n = write_export(store, account_id, region, &query, opts.format, &mut tmp).await?;
            tmp.as_file().sync_all()?;
            // A temporary file is private (0600); the export is a file like any other.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                tmp.as_file()
                    .set_permissions(std::fs::Permissions::from_mode(0o644))?;
            }
            tmp.persist(path)?;
            Ok(n)
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            let n = write_export(store, account_id, region, &query, opts.format, &mut lock).await?;
            lock.flush()?;
            Ok(n)
        }
    }
}

/// `GET /api/contacts/export?format=csv|xlsx|vcf&<the list's query>`: what
/// the list shows (its search, group, SMS and field filters; not its page)
/// as a download. csv and vCard stream a batch at a time as the browser
/// takes them (the browser writes them to disk, not to memory); an xlsx is
/// assembled on disk first, then streamed from there.
pub mod http {
    use axum::body::{Body, Bytes};
    use axum::extract::{Query, State};
    use axum::http::header;
    use axum::response::{IntoResponse, Response};
    use axum::Extension;

    use app::db::{Store, EXPORT_BATCH};
    use app::export::{vcard, ExportFormat};
    use app::model::ContactQuery;

    use super::csv_lines;
    use app::security::CurrentUser;
    use app::state::AppState;
    use app::AppError;

    pub async fn export(
        State(state): State<AppState>,
        Extension(me): Extension<CurrentUser>,
        Query(params): Query<Vec<(String, String)>>,
    ) -> Response {
        let get = |k: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let format = get("format")
            .and_then(|f| ExportFormat::parse(&f))
            .unwrap_or_default();
        let query = ContactQuery::from_params(get);
        if let Err(e) = query.check() {
            return crate::security::json_error(AppError::Invalid(e));
        }
        match prepare(state.store.clone(), me, query, format).await {
            Ok(r) => r,
            Err(e) => crate::security::json_error(e),
        }
    }

    fn failed(e: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %e, "export failed");
        AppError::Internal
    }

    async fn prepare(
        store: Store,
        me: CurrentUser,
        query: ContactQuery,
        format: ExportFormat,
    ) -> Result<Response, AppError> {
        let store = store.for_long_reads().await?;
        let layout = store.export_layout(me.account_id).await?;
        let day = time::OffsetDateTime::now_utc().date().to_string();
        let name = format!("contacts-{day}.{}", format.as_str());
        let body = match format {
            ExportFormat::Xlsx => {
                let dir = tempfile::tempdir().map_err(failed)?;
                let path = dir.path().join("export.xlsx");
                super::write_xlsx(&store, me.account_id, me.region, &query, &layout, &path)
                    .await
                    .map_err(failed)?;
                let file = tokio::fs::File::open(&path).await.map_err(failed)?;
                // The directory goes when the stream ends (the open file
                // stays readable until then).
                let stream = futures::stream::unfold((file, dir), |(mut file, dir)| async move {
                    use tokio::io::AsyncReadExt;
                    let mut buf = vec![0u8; 64 * 1024];
                    match file.read(&mut buf).await {
                        Ok(0) => None,
                        Ok(n) => {
                            buf.truncate(n);
                            Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), (file, dir)))
                        }
                        Err(e) => Some((Err(e), (file, dir))),
                    }
                });
                Body::from_stream(stream)
            }
            text => {
                let head = match text {
                    ExportFormat::Csv => csv_lines(&layout, &[], true),
                    _ => Bytes::new(),
                };
                // A field filter's value read once; none can match: the
                // header alone.
                let resolved = store
                    .resolve_query(me.account_id, me.region, &query)
                    .await?;
                let state = resolved.map(|query| (store, me, query, layout, 0_i64));
                let rest = futures::stream::unfold(state, move |state| async move {
                    let (store, me, query, layout, after) = state?;
                    match store
                        .export_batch(me.account_id, me.region, &query, after, EXPORT_BATCH)
                        .await
                    {
                        Ok(batch) if batch.is_empty() => None,
                        Ok(batch) => {
                            let last = batch.last().map_or(after, |c| c.id);
                            let bytes = match text {
                                ExportFormat::Csv => csv_lines(&layout, &batch, false),
                                _ => Bytes::from(
                                    batch
                                        .iter()
                                        .map(|c| vcard(c, &layout.fields))
                                        .collect::<String>(),
                                ),
                            };
                            Some((
                                Ok::<Bytes, std::io::Error>(bytes),
                                Some((store, me, query, layout, last)),
                            ))
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "export stopped");
                            Some((
                                Err(std::io::Error::other("the database stopped answering")),
                                None,
                            ))
                        }
                    }
                });
                Body::from_stream(futures::StreamExt::chain(
                    futures::stream::once(async move { Ok::<Bytes, std::io::Error>(head) }),
                    rest,
                ))
            }
        };
        Ok((
            [
                (header::CONTENT_TYPE, format.content_type().to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response())
    }
}
