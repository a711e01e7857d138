//! Stage 1: paste rows or upload a file; pick the sheet and header row.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{file_size, plural, thousands, Source, Wizard};
use crate::api::unfinished_imports;
use crate::browser;
use crate::import::worker::{Request, Response};
use crate::import::HeaderChoice;

/// How long typing must pause before pasted text is read again.
const PASTE_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

#[component]
pub fn InputStage() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let tab = RwSignal::new(match w.source.get_untracked() {
        Some(s) if s.size.is_some() => "file",
        _ => "paste",
    });
    view! {
        <div class="card">
            <div class="tabs" role="tablist">
                <button class="tabs__tab" class:tabs__tab--active=move || tab.get() == "paste" role="tab"
                    data-testid="import-paste-tab" on:click=move |_| tab.set("paste")>
                    "Type or paste"
                </button>
                <button class="tabs__tab" class:tabs__tab--active=move || tab.get() == "file" role="tab"
                    data-testid="import-file-tab" on:click=move |_| tab.set("file")>
                    "File upload"
                </button>
            </div>
            <Show when=move || tab.get() == "paste" fallback=|| view! { <FileInput /> }>
                <PasteInput />
            </Show>
            {move || w.read_error.get().map(|m| view! {
                <p class="error" role="alert" data-testid="import-error">{m}</p>
            })}
            <SourceDetails />
            <ResumeOffer />
            <p class="wizard__examples muted">
                "Not sure about the layout? "
                <a href="/import/example.xlsx" download="contacts-example.xlsx" data-testid="import-example-download">
                    "Download example file (xlsx)"
                </a>
                " · "
                <a href="/import/example.csv" download="contacts-example.csv" data-testid="import-example-download-csv">"csv"</a>
            </p>
        </div>
    }
}

/// A file whose rows match an import of this account that never finished
/// (the tab closed, the page reloaded, the connection dropped for good):
/// offer to resume it with its mapping, region and group. The server's
/// ledger answers the chunks already written with their first outcome and
/// writes only the rest.
#[component]
fn ResumeOffer() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let hash = move || {
        w.table
            .with(|t| t.as_ref().map(|t| t.content_hash.clone()))
            .unwrap_or_default()
    };
    let offers = Resource::new(hash, |hash| async move {
        if hash.is_empty() {
            return Vec::new();
        }
        unfinished_imports(hash).await.unwrap_or_default()
    });
    let dismissed = RwSignal::new(None::<i64>);
    move || {
        let offer = offers
            .get()
            .and_then(|list| list.into_iter().next())
            .filter(|o| dismissed.get() != Some(o.started.import_id))?;
        let when = offer
            .started_at
            .get(..16)
            .unwrap_or(&offer.started_at)
            .replace('T', " ");
        let done = (offer.created + offer.updated) as usize;
        let text = format!(
            "You started importing “{}” on {when} UTC; it stopped after {} contact{} had been saved. Resume it where it stopped (with the same columns and group), or start a new import of this file.",
            offer.file_name,
            thousands(done),
            plural(done),
        );
        let id = offer.started.import_id;
        let resume = move |_| w.resume_import(offer.clone());
        Some(view! {
            <div class="notice notice--info resume" role="status" data-testid="import-resume-offer">
                <p>{text}</p>
                <div class="resume__actions">
                    <button class="button button--primary" data-testid="import-resume-unfinished" on:click=resume>
                        "Resume that import"
                    </button>
                    <button class="button" data-testid="import-resume-dismiss" on:click=move |_| dismissed.set(Some(id))>
                        "Start a new import"
                    </button>
                </div>
            </div>
        })
    }
}

#[component]
fn PasteInput() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let text = w.pasted;
    let examples = RwSignal::new(false);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_input = move |ev: leptos::ev::Event| {
        text.set(event_target_value(&ev));
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        w.reading.set(true);
        let fire = move || {
            if let Some(t) = text.try_get_untracked() {
                w.reading.set(false);
                if t.trim().is_empty() {
                    w.reset_input();
                } else {
                    let request = Request::Paste {
                        text: t,
                        region: w.region.get_untracked(),
                    };
                    browser::keep_file(None);
                    spawn_local(load(w, request, None, "Pasted rows".into()));
                }
            }
        };
        pending.set_value(set_timeout_with_handle(fire, PASTE_PAUSE).ok());
    };
    on_cleanup(move || {
        if let Some(Some(h)) = pending.try_get_value() {
            h.clear();
        }
    });
    view! {
        <div class="paste">
            <div class="paste__head">
                <label class="field__label" for="import-paste">"One contact per line; columns separated by tabs (as copied from a spreadsheet), commas or semicolons."</label>
                <button type="button" class="button button--link" data-testid="import-view-examples"
                    on:click=move |_| examples.update(|e| *e = !*e)>
                    {move || if examples.get() { "Hide examples" } else { "View examples" }}
                </button>
            </div>
            <Show when=move || examples.get()>
                <div class="paste__examples" data-testid="import-examples">
                    <p>"With a header row (recommended: the columns are recognised by name):"</p>
                    <pre>"First name,Last name,Phone,Email,Group\nAnn,Lee,+44 7400 123456,ann@example.com,Customers\nBob,Ray,07400 654321,,Suppliers"</pre>
                    <p>"Copied from Excel or Google Sheets (tab-separated), or separated by semicolons:"</p>
                    <pre>"Name;Mobile;E-mail\nAnn Lee;+33 6 12 34 56 78;ann@example.fr"</pre>
                    <p>"Without a header row, the columns are recognised from their content:"</p>
                    <pre>"Ann Lee, +44 7400 123456, ann@example.com\nbob@example.com"</pre>
                    <p class="muted">"Phone numbers without a country code are read as numbers of the country chosen on the next step."</p>
                </div>
            </Show>
            <textarea
                id="import-paste"
                class="input textarea paste__input"
                rows="10"
                spellcheck="false"
                placeholder="First name, Last name, Phone, E-mail"
                data-testid="import-paste-input"
                prop:value=move || text.get()
                on:input=on_input
            ></textarea>
        </div>
    }
}

#[component]
fn FileInput() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let over = RwSignal::new(false);
    let on_pick = move |ev: leptos::ev::Event| {
        if let Some(f) = browser::picked_in(&ev) {
            read_file(w, f);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        over.set(false);
        if let Some(f) = browser::dropped(&ev) {
            read_file(w, f);
        }
    };
    view! {
        <div
            class="dropzone"
            class:dropzone--over=move || over.get()
            data-testid="import-dropzone"
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop
        >
            <p class="dropzone__title">"Drop a spreadsheet here"</p>
            <p class="muted">"xlsx, xls, ods, csv, tsv, txt or vcf — up to 256 MB and 1,048,576 rows. It is read right here in your browser; only the contacts you confirm are sent."</p>
            <label class="button button--primary dropzone__button">
                "Upload a file"
                <input
                    type="file"
                    class="visually-hidden"
                    accept=".xlsx,.xlsm,.xlsb,.xls,.ods,.csv,.tsv,.txt,.vcf,.vcard"
                    data-testid="import-file-input"
                    on:change=on_pick
                />
            </label>
            {move || w.reading.get().then(|| view! { <p class="muted" data-testid="import-reading">"Reading the file…"</p> })}
        </div>
    }
}

/// File name and size, sheet picker, header row, and a peek at the rows.
#[component]
fn SourceDetails() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let on_sheet = move |ev: leptos::ev::Event| {
        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
            reload(w, i, HeaderChoice::Auto);
        }
    };
    let on_header = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        let Some(sheet) = w
            .source
            .with_untracked(|s| s.as_ref().map(|s| s.file.sheet))
        else {
            return;
        };
        match raw.trim().parse::<u32>() {
            Ok(0) => reload(w, sheet, HeaderChoice::None),
            Ok(n) => reload(w, sheet, HeaderChoice::Row(n)),
            Err(_) => w.read_error.set(Some(
                "Type the number of the header row as your spreadsheet shows it, or 0 if there is none.".into(),
            )),
        }
    };
    view! {
        {move || w.source.get().map(|s| {
            let sheets = s.file.named_sheets && s.file.sheets.len() > 1;
            let current = s.file.sheet;
            let names = s.file.sheets.clone();
            let (rows, width, header) = w.table.with(|t| t.as_ref()
                .map(|t| (t.rows, t.width, t.header_row))
                .unwrap_or((0, 0, None)));
            let kind = match (s.file.encoding, s.file.delimiter) {
                (Some(e), Some(d)) => format!("{} · {e} · separated by {}", s.file.format.as_str(),
                    match d { '\t' => "tabs".to_string(), ',' => "commas".into(), ';' => "semicolons".into(), other => format!("“{other}”") }),
                _ => s.file.format.as_str().to_string(),
            };
            view! {
                <div class="source" data-testid="import-source">
                    <div class="source__file">
                        <strong data-testid="import-file-name">{s.name.clone()}</strong>
                        {s.size.map(|b| view! { <span class="muted" data-testid="import-file-size">{file_size(b)}</span> })}
                        <span class="muted">{kind}</span>
                    </div>
                    <div class="source__controls">
                        {sheets.then(|| view! {
                            <label class="field">
                                <span class="field__label">"Sheet"</span>
                                <select class="input" data-testid="import-sheet-select" on:change=on_sheet>
                                    {names.into_iter().enumerate().map(|(i, n)| view! {
                                        <option value=i.to_string() selected=i == current>{n}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        })}
                        <label class="field">
                            <span class="field__label">"Header row"</span>
                            <input class="input source__header" type="number" min="0" inputmode="numeric"
                                data-testid="import-header-row"
                                prop:value=header.map(|n| n.to_string()).unwrap_or_else(|| "0".into())
                                on:change=on_header />
                        </label>
                        <span class="muted source__hint">
                            {match header {
                                Some(n) => format!("Row {n} holds the column names; 0 means there is none."),
                                None => "No header row: the columns are recognised from their content.".to_string(),
                            }}
                        </span>
                    </div>
                    <p class="source__summary" data-testid="import-row-count">
                        {format!("{} row{} × {width} column{} found.", thousands(rows), plural(rows), plural(width))}
                    </p>
                    <Peek />
                </div>
            }
        })}
    }
}

/// The header and the first rows, as read.
#[component]
fn Peek() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    move || {
        w.table.with(|t| {
            t.as_ref().map(|t| {
                let headers = t.headers.clone();
                let rows: Vec<(u32, Vec<String>)> = t
                    .head
                    .iter()
                    .map(|r| (r.number, (0..t.width).map(|i| r.cell(i).to_string()).collect()))
                    .collect();
                let header_row = t.header_row;
                view! {
                    <div class="peek">
                        <table class="peek__table">
                            {(!headers.is_empty()).then(|| view! {
                                <thead><tr>
                                    <th class="peek__num">{header_row.map(|n| n.to_string())}</th>
                                    {headers.into_iter().map(|h| view! { <th>{h}</th> }).collect_view()}
                                </tr></thead>
                            })}
                            <tbody>
                                {rows.into_iter().map(|(n, cells)| view! {
                                    <tr>
                                        <td class="peek__num">{n}</td>
                                        {cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            })
        })
    }
}

impl Wizard {
    /// Forgets what was read (the paste box was emptied).
    fn reset_input(&self) {
        self.forget();
        self.source.set(None);
        self.table.set(None);
        self.read_error.set(None);
    }

    /// Starts a new load; answers about an older one are dropped.
    fn next_load(&self) -> u64 {
        let seq = self.loads.get_value() + 1;
        self.loads.set_value(seq);
        seq
    }

    fn is_load(&self, seq: u64) -> bool {
        self.loads.try_get_value() == Some(seq)
    }
}

fn read_file(w: Wizard, file: browser::PickedFile) {
    let request = Request::Open {
        name: file.name.clone(),
        region: w.region.get_untracked(),
    };
    let name = file.name.clone();
    browser::keep_file(Some(file.clone()));
    spawn_local(load(w, request, Some(file), name));
}

/// Has the worker open a file or pasted text.
async fn load(w: Wizard, request: Request, file: Option<browser::PickedFile>, name: String) {
    let seq = w.next_load();
    w.reading.set(true);
    w.read_error.set(None);
    let answer = browser::reader(&request, file.as_ref()).await;
    if !w.is_load(seq) {
        return;
    }
    match answer {
        Response::Opened(opened) => {
            w.source.set(Some(Source {
                name,
                size: file.map(|f| f.size),
                file: opened.file,
            }));
            w.table.set(Some(opened.table));
            // Setting the mapping starts the check of every row.
            w.mapping.set(w.with_account_fields(opened.mapping));
        }
        other => {
            w.source.set(None);
            w.table.set(None);
            w.preview.set(None);
            w.read_error.set(Some(other.failure()));
        }
    }
    w.reading.set(false);
}

/// Reads `sheet` again with another header choice.
fn reload(w: Wizard, sheet: usize, header: HeaderChoice) {
    // A file goes again (the worker keeps no file); pasted text is kept.
    let file = browser::kept_file();
    let request = Request::Reload {
        name: file.as_ref().map(|f| f.name.clone()),
        sheet,
        header,
        region: w.region.get_untracked(),
    };
    spawn_local(async move {
        let seq = w.next_load();
        w.reading.set(true);
        let answer = browser::reader(&request, file.as_ref()).await;
        if !w.is_load(seq) {
            return;
        }
        match answer {
            Response::Opened(opened) => {
                w.read_error.set(None);
                w.source.update(|s| {
                    if let Some(s) = s {
                        s.file = opened.file;
                    }
                });
                w.table.set(Some(opened.table));
                w.mapping.set(w.with_account_fields(opened.mapping));
            }
            other => {
                // A header row that is not there leaves the table as it was;
                // a sheet that cannot be read leaves nothing to import.
                if !matches!(header, HeaderChoice::Row(_)) {
                    w.table.set(None);
                    w.preview.set(None);
                }
                w.read_error.set(Some(other.failure()));
            }
        }
        w.reading.set(false);
    });
}
