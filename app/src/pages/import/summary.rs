//! Stage 4: the import runs chunk by chunk with a progress bar, survives a
//! lost connection (Resume sends the failed chunk again; the server's ledger
//! makes that safe), then shows what it did and offers the rejected rows as
//! a file to fix and upload again. Also the import history.

use std::sync::Arc;

use futures::stream::{FuturesUnordered, StreamExt};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use super::{plural, thousands, Wizard};
use crate::api::{finish_import, import_chunk, list_imports, start_import};
use crate::browser;
use crate::import::wire::{
    wire_columns, ChunkOutcome, ChunkRequest, FinishRequest, ImportRequest, ImportStarted,
    WireColumn, WizardState,
};
use crate::import::wizard::group_column;
use crate::import::worker::{Request, Response};
use crate::import::Rejection;
use crate::model::{ContactQuery, GroupFilter, SortOrder};
use crate::AppError;

/// Automatic retries of a failed request before the user is asked.
const RETRIES: u32 = 3;
/// Chunks sent at once.
const IN_FLIGHT: usize = 2;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    #[default]
    Idle,
    Running,
    /// Stopped by an error; Resume goes on.
    Paused,
    Done,
}

/// The import in progress.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub phase: Phase,
    pub started: Option<ImportStarted>,
    /// Row numbers per chunk.
    chunks: Arc<Vec<Vec<u32>>>,
    source: Arc<Vec<usize>>,
    columns: Arc<Vec<WireColumn>>,
    /// Which chunks the server has applied.
    done: Vec<bool>,
    pub sent_rows: usize,
    pub total_rows: usize,
    pub outcome: ChunkOutcome,
    /// Rows refused in the browser (never sent).
    pub refused_here: Vec<Rejection>,
    pub message: Option<String>,
    /// Object URL and file name of the rejected rows.
    pub error_file: Option<(String, String)>,
}

impl Run {
    pub fn rejected(&self) -> usize {
        self.refused_here.len() + self.outcome.rejected.len()
    }
}

/// Prepares the chunks and runs the import.
pub fn start(w: Wizard) {
    start_with(w, None);
}

/// [`start`], or with `started` an import begun before (resumed after a
/// reload): every chunk is sent, and the server's ledger answers those it
/// already wrote with their first outcome, so the summary counts them all
/// and nothing is written twice.
pub fn start_with(w: Wizard, started: Option<ImportStarted>) {
    // The worker planned the chunks when it checked the rows (Continue
    // waits for the latest check).
    let Some(preview) = w.preview.get_untracked() else {
        return;
    };
    let (source, columns) = w.mapping.with_untracked(wire_columns);
    let chunks = preview.0.chunks.clone();
    let total_rows = chunks.iter().map(Vec::len).sum();
    w.run.set(Run {
        phase: Phase::Running,
        done: vec![false; chunks.len()],
        chunks: Arc::new(chunks),
        source: Arc::new(source),
        columns: Arc::new(columns),
        total_rows,
        refused_here: preview.0.rejected.clone(),
        started,
        ..Default::default()
    });
    spawn_local(run(w));
}

/// Goes on from the chunk that failed.
fn resume(w: Wizard) {
    w.run.update(|r| {
        r.phase = Phase::Running;
        r.message = None;
    });
    spawn_local(run(w));
}

/// Retries `f` on transport and server errors, waiting longer each time.
async fn retrying<T, F, Fut>(mut f: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let mut attempt = 0;
    loop {
        match f().await {
            Err(AppError::Transport(_) | AppError::Internal | AppError::Unavailable)
                if attempt < RETRIES =>
            {
                browser::sleep(500 * 2i32.pow(attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Runs the import; stops quietly if the user leaves the wizard (its
/// signals are gone then). The import stays "Stopped" in the history.
async fn run(w: Wizard) {
    if let Err(e) = run_steps(w).await {
        let Some(sent) = w.run.try_with_untracked(|r| (r.sent_rows, r.total_rows)) else {
            return;
        };
        let message = match e {
            AppError::Transport(_) | AppError::Internal | AppError::Unavailable => format!(
                "The connection to the server was lost after {} of {} rows. Nothing was lost and nothing will be imported twice: Resume goes on from there.",
                thousands(sent.0),
                thousands(sent.1)
            ),
            other => other.to_string(),
        };
        w.run.try_update(|r| {
            r.phase = Phase::Paused;
            r.message = Some(message);
        });
    }
}

async fn run_steps(w: Wizard) -> Result<(), AppError> {
    let Some(started) = w.run.try_with_untracked(|r| r.started.clone()) else {
        return Ok(());
    };
    let started = match started {
        Some(s) => s,
        None => {
            let request = request(w);
            let s = retrying(|| start_import(request.clone())).await?;
            w.run.try_update(|r| r.started = Some(s.clone()));
            s
        }
    };
    // Up to IN_FLIGHT chunks at once: the server validates one while the
    // database writes another. Chunks may finish out of order; `done` says
    // which, so Resume sends only the others (and the server's ledger makes
    // a chunk sent twice harmless anyway).
    let Some((chunks, source)) = w
        .run
        .try_with_untracked(|r| (r.chunks.clone(), r.source.clone()))
    else {
        return Ok(());
    };
    let mut pending = (0..chunks.len()).filter(|&i| w.run.with_untracked(|r| !r.done[i]));
    let mut in_flight = FuturesUnordered::new();
    let send = |no: usize| {
        // The rows live in the worker: it answers with the chunk's cells.
        let rows = browser::reader(
            &Request::Wire {
                rows: chunks[no].clone(),
                source: source.to_vec(),
            },
            None,
        );
        let import_id = started.import_id;
        async move {
            let rows = match rows.await {
                Response::Wire(rows) => rows,
                other => return (no, Err(AppError::Invalid(other.failure()))),
            };
            let request = ChunkRequest {
                import_id,
                chunk_no: no as u32,
                rows,
            };
            (
                no,
                retrying(|| import_chunk(request.clone())).await.map(Some),
            )
        }
    };
    for no in pending.by_ref().take(IN_FLIGHT) {
        in_flight.push(send(no));
    }
    let mut failed = None;
    while let Some((no, result)) = in_flight.next().await {
        match result {
            Ok(Some(outcome)) => {
                let counted = w.run.try_update(|r| {
                    if !r.done[no] {
                        r.done[no] = true;
                        r.outcome.add(&outcome);
                        r.sent_rows += chunks[no].len();
                    }
                });
                if counted.is_none() {
                    // The wizard is gone.
                    return Ok(());
                }
                if failed.is_none() {
                    if let Some(next) = pending.next() {
                        in_flight.push(send(next));
                    }
                }
            }
            Ok(None) => return Ok(()),
            // Let the chunks already sent finish; start no more.
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let Some(refused) = w.run.try_with_untracked(|r| r.refused_here.len() as u64) else {
        return Ok(());
    };
    retrying(|| {
        finish_import(FinishRequest {
            import_id: started.import_id,
            rejected_in_browser: refused,
            dropped_in_browser: 0,
        })
    })
    .await?;
    let error_file = error_file(w).await;
    w.run.try_update(|r| {
        r.error_file = error_file;
        r.phase = Phase::Done;
    });
    w.history.try_update(|v| *v += 1);
    Ok(())
}

fn request(w: Wizard) -> ImportRequest {
    let source = w.source.get_untracked();
    ImportRequest {
        file_name: source.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
        sheet: source
            .as_ref()
            .map(|s| s.file.sheet_name())
            .unwrap_or_default(),
        format: source
            .as_ref()
            .map(|s| s.file.format.as_str().to_string())
            .unwrap_or_default(),
        columns: w.run.with_untracked(|r| r.columns.to_vec()),
        region: w.region.get_untracked(),
        group: if w.mapping.with_untracked(|m| group_column(m).is_some()) {
            crate::import::wizard::GroupChoice::None
        } else {
            w.group.get_untracked()
        },
        total_rows: w
            .table
            .with_untracked(|t| t.as_ref().map(|t| t.rows as u64).unwrap_or(0)),
        content_hash: w.table.with_untracked(|t| {
            t.as_ref()
                .map(|t| t.content_hash.clone())
                .unwrap_or_default()
        }),
        wizard: Some(WizardState {
            mapping: w.mapping.get_untracked(),
            region: w.region.get_untracked(),
        }),
        consent: w.consent.get_untracked(),
    }
}

/// The rejected rows in the user's own columns with a Reason column: xlsx
/// for workbooks, csv for text (written by the worker, which has the rows).
async fn error_file(w: Wizard) -> Option<(String, String)> {
    let rejected = w.run.try_with_untracked(|r| {
        let mut all = r.refused_here.clone();
        all.extend(r.outcome.rejected.iter().cloned());
        all
    })?;
    if rejected.is_empty() {
        return None;
    }
    let mapping = w.mapping.try_get_untracked()?;
    let source = w.source.try_get_untracked()?;
    let stem = source
        .as_ref()
        .map(|s| {
            s.name
                .rsplit_once('.')
                .map(|(a, _)| a.to_string())
                .unwrap_or(s.name.clone())
        })
        .unwrap_or_else(|| "contacts".into())
        .replace(' ', "-")
        .to_lowercase();
    let csv = source.as_ref().is_none_or(|s| s.is_text());
    let answer = browser::reader(
        &Request::ErrorFile {
            mapping,
            rejected,
            csv,
            sheet_name: "Rejected rows".into(),
        },
        None,
    )
    .await;
    let Response::File(bytes) = answer else {
        return None;
    };
    if csv {
        let url = browser::object_url(&bytes, "text/csv;charset=utf-8")?;
        Some((url, format!("{stem}-rejected.csv")))
    } else {
        let url = browser::object_url(
            &bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )?;
        Some((url, format!("{stem}-rejected.xlsx")))
    }
}

#[component]
pub fn SummaryStage() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    // Closing or reloading the tab mid-import asks first: the rows not yet
    // sent live only in this page.
    let leaving = window_event_listener_untyped("beforeunload", move |e| {
        let busy = w
            .run
            .try_with_untracked(|r| matches!(r.phase, Phase::Running | Phase::Paused))
            .unwrap_or(false);
        if busy {
            e.prevent_default();
        }
    });
    on_cleanup(move || {
        leaving.remove();
        if let Some(Some((url, _))) = w.run.try_with_untracked(|r| r.error_file.clone()) {
            browser::revoke(&url);
        }
    });
    let phase = move || w.run.with(|r| r.phase);
    view! {
        <div class="card summary">
            <Show when=move || phase() != Phase::Done fallback=|| view! { <Outcome /> }>
                <Progress />
            </Show>
        </div>
    }
}

#[component]
fn Progress() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let counts = move || w.run.with(|r| (r.sent_rows, r.total_rows));
    view! {
        <h2 class="summary__title">
            {move || if w.run.with(|r| r.phase == Phase::Paused) { "Import paused" } else { "Importing…" }}
        </h2>
        <progress class="progress" data-testid="import-progress"
            max=move || counts().1.max(1).to_string() value=move || counts().0.to_string()></progress>
        <p class="muted" data-testid="import-progress-text">
            {move || { let (s, t) = counts(); format!("{} of {} rows sent", thousands(s), thousands(t)) }}
        </p>
        {move || w.run.with(|r| r.message.clone()).map(|m| view! {
            <p class="error" role="alert" data-testid="import-run-error">{m}</p>
            <button class="button button--primary" data-testid="import-resume" on:click=move |_| resume(w)>"Resume"</button>
        })}
    }
}

#[component]
fn Outcome() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let run = w.run.get_untracked();
    let o = &run.outcome;
    let rejected = run.rejected();
    let dropped = o.details_dropped;
    let touched = o.created + o.updated;
    let link = ContactQuery {
        import: run.started.as_ref().map(|s| s.import_id),
        sort: SortOrder::Updated,
        ..Default::default()
    }
    .to_url();
    let link_text = format!(
        "View the {} contact{} created or updated",
        thousands(touched),
        plural(touched)
    );
    let group = run.started.as_ref().and_then(|s| {
        let id = s.group_id?;
        let url = ContactQuery {
            group: GroupFilter::Group(id),
            ..Default::default()
        }
        .to_url();
        Some((
            url,
            format!(
                "Open the group “{}”",
                s.group_name.clone().unwrap_or_default()
            ),
        ))
    });
    view! {
        <h2 class="summary__title" data-testid="summary-title">"Import finished"</h2>
        <div class="summary__numbers">
            <div class="stat stat--ok">
                <span class="stat__number" data-testid="summary-created">{thousands(o.created)}</span>
                <span class="stat__label">{format!("new contact{} created", plural(o.created))}</span>
            </div>
            <div class="stat stat--ok">
                <span class="stat__number" data-testid="summary-updated">{thousands(o.updated)}</span>
                <span class="stat__label">{format!("existing contact{} updated", plural(o.updated))}</span>
            </div>
            <div class="stat" class:stat--bad={rejected > 0}>
                <span class="stat__number" data-testid="summary-rejected">{thousands(rejected)}</span>
                <span class="stat__label">{format!("row{} rejected", plural(rejected))}</span>
            </div>
        </div>
        <ul class="summary__details">
            {(o.unchanged > 0).then(|| view! { <li data-testid="summary-unchanged">{format!("{} contact{} already up to date", thousands(o.unchanged), plural(o.unchanged))}</li> })}
            {(dropped > 0).then(|| view! { <li data-testid="summary-dropped">{format!("{} invalid detail{} dropped from imported rows", thousands(dropped), plural(dropped))}</li> })}
            {(o.groups_created > 0).then(|| view! { <li>{format!("{} group{} created from the file", thousands(o.groups_created), plural(o.groups_created))}</li> })}
            {(o.opted_in > 0).then(|| view! { <li data-testid="summary-opted-in">{format!("{} contact{} opted in to SMS", thousands(o.opted_in), plural(o.opted_in))}</li> })}
            {(o.opted_out > 0).then(|| view! { <li data-testid="summary-opted-out">{format!("{} contact{} opted out of SMS", thousands(o.opted_out), plural(o.opted_out))}</li> })}
            {(!o.kept_opted_out.is_empty()).then(|| {
                let n = o.kept_opted_out.len();
                let mut rows: Vec<u32> = o.kept_opted_out.clone();
                rows.sort_unstable();
                let shown = rows.iter().take(20).map(u32::to_string).collect::<Vec<_>>().join(", ");
                let more = if n > 20 { format!(" and {} more", thousands(n - 20)) } else { String::new() };
                view! {
                    <li data-testid="summary-kept-opted-out">
                        <strong>{format!("Kept opted out: {}", thousands(n))}</strong>
                        {format!(" (row{} {shown}{more}): the file would have opted {} back in. An import never does; a person can, on the contact's page, with a reason.", plural(n), if n == 1 { "this contact" } else { "these contacts" })}
                    </li>
                }
            })}
            <li>{format!("{} row{} read", thousands(run.total_rows + run.refused_here.len()), plural(run.total_rows + run.refused_here.len()))}</li>
        </ul>
        {run.error_file.clone().map(|(url, name)| view! {
            <div class="summary__errors">
                <p>{format!("{} row{} could not be imported. Download them with the reason in the last column, fix them, and upload the file again.", thousands(rejected), plural(rejected))}</p>
                <a class="button" href=url download=name.clone() data-testid="summary-error-download">{format!("Download {name}")}</a>
            </div>
        })}
        <div class="summary__actions">
            {(touched > 0).then(|| view! {
                <A href=link attr:class="button button--primary" attr:data-testid="summary-view-contacts">{link_text}</A>
            })}
            {group.map(|(url, text)| view! { <A href=url attr:class="button" attr:data-testid="summary-view-group">{text}</A> })}
            <button class="button" data-testid="import-again" on:click=move |_| w.reset()>"Import another file"</button>
        </div>
    }
}

/// The account's recent imports.
#[component]
pub fn History() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let imports = Resource::new(move || w.history.get(), |_| list_imports());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = imports.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="card history" data-testid="import-history">
                        <h2 class="history__title">"Recent imports"</h2>
                        <div class="history__scroll">
                        <table class="table">
                            <thead><tr>
                                <th>"When"</th><th>"File"</th><th>"Group"</th>
                                <th>"Result"</th><th>"Status"</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|i| {
                                    let when = i.started_at.get(..16).unwrap_or(&i.started_at).replace('T', " ");
                                    let file = if i.sheet.is_empty() { i.file_name.clone() } else { format!("{} ({})", i.file_name, i.sheet) };
                                    let mapping = i.mapping.iter().map(|(h, f)| format!("{h} → {f}")).collect::<Vec<_>>().join("\n");
                                    let status = if i.status == "done" { "Done" } else { "Stopped" };
                                    let group = i.group_id.map(|id| {
                                        let url = ContactQuery { group: GroupFilter::Group(id), ..Default::default() }.to_url();
                                        view! { <A href=url>{i.group_name.clone()}</A> }
                                    });
                                    view! {
                                        <tr data-testid="import-history-row" id=format!("import-{}", i.id)>
                                            <td>{when}" UTC"</td>
                                            <td title=mapping>{file}</td>
                                            <td>{group}</td>
                                            <td>{format!("{} new · {} updated · {} rejected", thousands(i.created as usize), thousands(i.updated as usize), thousands(i.rejected as usize))}</td>
                                            <td>{status}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    </div>
                })
            })}
        </Transition>
    }
}
