//! `GET /api/recipients/download?request=<JSON RecipientsRequest>&format=csv|xlsx`:
//! the numbers a selection texts (name, E.164 number), as a file. The csv is
//! streamed page by page ([`PAGE`] recipients at a time, by contact id), so a
//! million of them go out in bounded memory; the xlsx is built in memory and
//! so holds at most [`MAX_XLSX`] (beyond, the csv says so). Names are
//! neutralised against formula injection as in the error file; numbers are
//! E.164 (`+` and digits: no formula can hide in one) and stay as they are.

use app::db::Store;
use app::import::error_file::{self, Sheet};
use app::model::{RecipientsPage, RecipientsRequest};
use app::security::CurrentUser;
use app::state::AppState;
use app::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

/// Recipients read per page.
const PAGE: u32 = 5_000;
/// Most recipients an xlsx holds.
pub const MAX_XLSX: usize = 100_000;

#[derive(Debug, Deserialize)]
pub struct DownloadQuery {
    /// A [`RecipientsRequest`] as JSON.
    request: String,
    #[serde(default)]
    format: String,
}

pub async fn download(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    match prepare(&state.store, &me, &q).await {
        Ok(response) => response,
        Err(e) => crate::security::json_error(e),
    }
}

async fn prepare(store: &Store, me: &CurrentUser, q: &DownloadQuery) -> Result<Response, AppError> {
    // A whole account's numbers, read as an export reads them.
    let store = &store.for_long_reads().await?;
    let mut req: RecipientsRequest = serde_json::from_str(&q.request)
        .map_err(|e| AppError::Invalid(format!("The selection is not readable: {e}")))?;
    req.check().map_err(AppError::Invalid)?;
    req.limit = PAGE;
    req.after = None;
    let day = chrono_day();
    // The first page now: a refused selection is an error, not a broken file.
    let first = store
        .recipients(me.account_id, me.region, &req)
        .await
        .map_err(AppError::from)?;
    match q.format.as_str() {
        "xlsx" => xlsx(store, me, req, first, &day).await,
        _ => Ok(csv(store.clone(), me.clone(), req, first, &day)),
    }
}

fn chrono_day() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

fn csv_lines(page: &RecipientsPage, header: bool) -> Bytes {
    let mut out = Vec::new();
    if header {
        // A BOM, so that Excel reads accents.
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        if header {
            let _ = w.write_record(["Name", "Number"]);
        }
        for r in &page.recipients {
            // Writing to a Vec cannot fail.
            let _ = w.write_record([error_file::neutralise(&r.name).as_str(), &r.number]);
        }
        let _ = w.flush();
    }
    Bytes::from(out)
}

/// The csv, one page read after the other as the client takes them.
fn csv(
    store: Store,
    me: CurrentUser,
    req: RecipientsRequest,
    first: RecipientsPage,
    day: &str,
) -> Response {
    let head = csv_lines(&first, true);
    let next = first.next;
    let rest = futures::stream::unfold(next, move |after| {
        let store = store.clone();
        let me = me.clone();
        let mut req = req.clone();
        async move {
            let after = after?;
            req.after = Some(after);
            match store.recipients(me.account_id, me.region, &req).await {
                Ok(page) => Some((
                    Ok::<Bytes, std::io::Error>(csv_lines(&page, false)),
                    page.next,
                )),
                Err(e) => {
                    tracing::error!(error = %e, "recipients download stopped");
                    Some((
                        Err(std::io::Error::other("the database stopped answering")),
                        None,
                    ))
                }
            }
        }
    });
    let body = futures::StreamExt::chain(
        futures::stream::once(async move { Ok::<Bytes, std::io::Error>(head) }),
        rest,
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"recipients-{day}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

async fn xlsx(
    store: &Store,
    me: &CurrentUser,
    mut req: RecipientsRequest,
    first: RecipientsPage,
    day: &str,
) -> Result<Response, AppError> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut page = first;
    loop {
        rows.extend(page.recipients.drain(..).map(|r| vec![r.name, r.number]));
        if rows.len() > MAX_XLSX {
            return Err(AppError::Invalid(format!(
                "More than {MAX_XLSX} recipients: download them as csv (a file of any size)."
            )));
        }
        let Some(after) = page.next else { break };
        req.after = Some(after);
        page = store
            .recipients(me.account_id, me.region, &req)
            .await
            .map_err(AppError::from)?;
    }
    let sheet = Sheet {
        headers: vec!["Name".into(), "Number".into()],
        rows,
        phone_columns: vec![1],
    };
    let bytes = error_file::to_xlsx(&sheet, "Recipients").map_err(|e| {
        tracing::error!(error = %e, "recipients xlsx");
        AppError::Internal
    })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"recipients-{day}.xlsx\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
