//! The Import Contacts wizard: Input → Mapping → Group → Summary.
//!
//! Everything up to the summary happens in the browser: the file is read,
//! mapped and validated by `import::` compiled to WASM, in a Web Worker
//! (`import::worker`) so that the page never freezes. The rows stay in the
//! worker: the page asks for the ones in view, and for each chunk's rows
//! when it sends them. The summary stage
//! sends the mapped rows in chunks to `api::import_chunk`, which validates
//! them again. The stage rules live in `import::wizard` (tested natively);
//! this module holds the signals and the views.

mod group;
mod input;
mod mapping;
mod summary;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{get_settings, list_fields, list_groups};
use crate::import::fields::FieldDef;
use crate::import::wire::{ImportStarted, UnfinishedImport};
use crate::import::wizard::{
    address_move, check_group, check_input, check_mapping, group_column, next_stage,
    previous_stage, AddressMove, GroupChoice, Stage,
};
use crate::import::worker::{Checked, OpenedFile, Request, Response, TableInfo};
use crate::import::{ImportConsent, Mapping, Region};
use crate::model::{CustomFieldView, GroupView};
use crate::AppError;

/// Tables from this many rows get a "Checking…" notice during a full check.
const BUSY_ROWS: usize = 5_000;

/// The file (or pasted text) being imported.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Source {
    pub name: String,
    /// Bytes, for an uploaded file.
    pub size: Option<f64>,
    pub file: OpenedFile,
}

impl Source {
    /// Text uploads get their error file as csv, workbooks as xlsx.
    pub fn is_text(&self) -> bool {
        self.file.format.is_text()
    }
}

/// The worker's check of every row, shared without copying; equal only to
/// itself so that nothing compares 100,000 rows.
#[derive(Clone)]
pub(crate) struct Shared(pub Arc<Checked>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The wizard's state: one signal per piece, so that typing a group name
/// does not re-validate 100,000 rows.
#[derive(Clone, Copy)]
pub(crate) struct Wizard {
    pub stage: RwSignal<Stage>,
    pub source: RwSignal<Option<Source>>,
    /// The table's shape and first rows (the rows stay in the worker).
    pub table: RwSignal<Option<TableInfo>>,
    pub mapping: RwSignal<Mapping>,
    pub region: RwSignal<Region>,
    pub read_error: RwSignal<Option<String>>,
    pub reading: RwSignal<bool>,
    pub group: RwSignal<GroupChoice>,
    pub groups: Resource<Result<Vec<GroupView>, AppError>>,
    /// The account's custom fields (the mapping's dropdowns list them).
    pub fields: Resource<Result<Vec<CustomFieldView>, AppError>>,
    /// The worker's last check of every row under the current mapping.
    pub preview: RwSignal<Option<Shared>>,
    /// A check is under way: what `preview` says may be out of date.
    pub checking: RwSignal<bool>,
    /// Which check (and which load) is the latest: older answers are dropped.
    checks: StoredValue<u64>,
    loads: StoredValue<u64>,
    /// Bumped when a cell is fixed in place.
    pub edits: RwSignal<u64>,
    pub run: RwSignal<summary::Run>,
    pub history: RwSignal<u32>,
    /// A long check under way ("Checking 100,000 rows…").
    pub busy: RwSignal<Option<String>>,
    /// What was typed or pasted, kept when going back to stage 1.
    pub pasted: RwSignal<String>,
    /// Continue was clicked while a check was under way (the click that
    /// also ended a cell's edit, which starts the check): go on when it ends.
    pending_advance: RwSignal<bool>,
    /// An unfinished import to resume once the rows are checked under its
    /// mapping (the check plans the same chunks it sent before).
    pending_resume: RwSignal<Option<ImportStarted>>,
    /// The stage the page's address names (`?stage=`).
    address_stage: RwSignal<Stage>,
    /// "These people agreed to receive SMS" / "this file is an opt-out list".
    pub consent: RwSignal<ImportConsent>,
}

impl Wizard {
    fn new() -> Self {
        let history = RwSignal::new(0u32);
        Wizard {
            stage: RwSignal::new(Stage::Input),
            source: RwSignal::new(None),
            table: RwSignal::new(None),
            mapping: RwSignal::new(Mapping::default()),
            region: RwSignal::new(Region::default()),
            read_error: RwSignal::new(None),
            reading: RwSignal::new(false),
            group: RwSignal::new(GroupChoice::New(String::new())),
            groups: Resource::new(move || history.get(), |_| list_groups()),
            fields: Resource::new(move || history.get(), |_| list_fields()),
            preview: RwSignal::new(None),
            checking: RwSignal::new(false),
            checks: StoredValue::new(0),
            loads: StoredValue::new(0),
            edits: RwSignal::new(0),
            run: RwSignal::new(summary::Run::default()),
            history,
            busy: RwSignal::new(None),
            pasted: RwSignal::new(String::new()),
            pending_advance: RwSignal::new(false),
            pending_resume: RwSignal::new(None),
            address_stage: RwSignal::new(Stage::Input),
            consent: RwSignal::new(ImportConsent::default()),
        }
    }

    /// The account's custom fields as definitions, by id (none until they
    /// have come).
    pub fn field_defs(&self) -> Vec<(i64, FieldDef)> {
        self.fields
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| Some((f.id, f.def()?)))
            .collect()
    }

    /// A file's mapping with the columns named like the account's custom
    /// fields mapped to them (`import::fields::map_to_fields`; a date
    /// column's order is then the region's, or the user's choice).
    pub fn with_account_fields(&self, mut mapping: Mapping) -> Mapping {
        let defs: Vec<FieldDef> = self.field_defs().into_iter().map(|(_, d)| d).collect();
        crate::import::fields::map_to_fields(&mut mapping, &defs, &[]);
        mapping
    }

    /// Resumes `offer` (an import this file started before a reload): its
    /// mapping and region come back, the rows are checked under them, and
    /// the import goes on where it stopped.
    pub fn resume_import(&self, offer: UnfinishedImport) {
        self.pending_resume.set(Some(offer.started));
        self.region.set(offer.wizard.region);
        // Setting the mapping checks the rows again (the effect in ImportPage).
        self.mapping.set(offer.wizard.mapping);
    }

    /// Continue is only waiting for a check to end: it stays
    /// clickable, and a click then takes effect when the check ends.
    fn waiting(&self) -> bool {
        self.stage.get() == Stage::Mapping && self.checking.get()
    }

    /// Continue, now or (while [`Wizard::waiting`]) as soon as the check ends.
    fn continue_clicked(&self) {
        if self.waiting() {
            self.pending_advance.set(true);
        } else {
            self.advance();
        }
    }

    /// Why Continue is disabled at the current stage, if it is.
    fn blocked(&self) -> Option<String> {
        let result = match self.stage.get() {
            Stage::Input => {
                if self.reading.get() {
                    return Some("Reading…".into());
                }
                self.table.with(|t| check_input(t.as_ref().map(|t| t.rows)))
            }
            Stage::Mapping => {
                if self.checking.get() {
                    return Some("Checking the rows…".into());
                }
                match self.preview.get() {
                    Some(p) => self.mapping.with(|m| check_mapping(m, &p.0.counts)),
                    None => check_input(None),
                }
            }
            Stage::Group => {
                let names: Vec<String> = self
                    .groups
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|g| g.name)
                    .collect();
                self.group.with(|g| check_group(g, &names))
            }
            Stage::Summary => return Some(String::new()),
        };
        result.err().map(|e| e.to_string())
    }

    fn advance(&self) {
        let stage = self.stage.get_untracked();
        if self.blocked().is_some() {
            return;
        }
        let next = self.mapping.with_untracked(|m| next_stage(stage, m));
        let w = *self;
        if let Ok(next) = next {
            w.stage.set(next);
            if next == Stage::Summary {
                summary::start(w);
            }
        }
    }

    /// Asks the worker to validate every row under the current mapping and
    /// region (it keeps the phone verdicts of this file, so a change of
    /// mapping does not parse every number again). Runs whenever either, or
    /// a cell, changes; an answer to an older question is dropped.
    fn check(&self) {
        let seq = self.checks.get_value() + 1;
        self.checks.set_value(seq);
        let Some(rows) = self.table.with_untracked(|t| t.as_ref().map(|t| t.rows)) else {
            self.preview.set(None);
            self.checking.set(false);
            self.busy.set(None);
            return;
        };
        self.checking.set(true);
        let w = *self;
        if rows >= BUSY_ROWS {
            self.busy
                .set(Some(format!("Checking {} rows…", thousands(rows))));
            crate::browser::on_progress(Some(Box::new(move |done, of| {
                if w.checks.try_get_value() == Some(seq) && of > 0 {
                    w.busy.try_set(Some(format!(
                        "Checking {} rows… {}%",
                        thousands(of),
                        done * 100 / of
                    )));
                }
            })));
        }
        let answer = crate::browser::reader(
            &Request::Check {
                mapping: self.mapping.get_untracked(),
                region: self.region.get_untracked(),
            },
            None,
        );
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            if w.checks.try_get_value() != Some(seq) {
                return;
            }
            match answer {
                Response::Checked(c) => {
                    w.preview.set(Some(Shared(Arc::new(*c))));
                }
                Response::Failed(m) => {
                    w.preview.set(None);
                    w.read_error.set(Some(m));
                }
                _ => w.preview.set(None),
            }
            w.checking.set(false);
            w.busy.set(None);
            // A resume first (Continue is disabled meanwhile); else the
            // Continue clicked during the check.
            if let Some(started) = w.pending_resume.get_untracked() {
                w.pending_resume.set(None);
                w.pending_advance.set(false);
                if w.preview.with_untracked(Option::is_some) {
                    w.stage.set(Stage::Summary);
                    summary::start_with(w, Some(started));
                }
            } else if w.pending_advance.get_untracked() {
                w.pending_advance.set(false);
                w.advance();
            }
        });
    }

    /// Back: the browser's own, when the address holds this stage (each
    /// stage pushed an entry; the effect on the address then shows the
    /// previous one), so that its Back and ours walk one history.
    fn back(&self) {
        let stage = self.stage.get_untracked();
        let Some(prev) = self.mapping.with_untracked(|m| previous_stage(stage, m)) else {
            return;
        };
        if stage == Stage::Input {
            return;
        }
        if self.address_stage.get_untracked() == stage {
            crate::browser::history_back();
        } else {
            self.stage.set(prev);
        }
    }

    /// Tells the worker to drop the file, and stops waiting for answers
    /// about it.
    pub fn forget(&self) {
        self.loads.set_value(self.loads.get_value() + 1);
        self.checks.set_value(self.checks.get_value() + 1);
        self.checking.set(false);
        self.pending_advance.set(false);
        self.pending_resume.set(None);
        self.reading.set(false);
        self.busy.set(None);
        self.preview.set(None);
        drop(crate::browser::reader(&Request::Forget, None));
    }

    /// Back to an empty stage 1 for another import.
    pub fn reset(&self) {
        self.forget();
        self.source.set(None);
        self.table.set(None);
        self.mapping.set(Mapping::default());
        self.read_error.set(None);
        self.group.set(GroupChoice::New(String::new()));
        self.consent.set(ImportConsent::default());
        self.pasted.set(String::new());
        self.run.set(summary::Run::default());
        self.history.update(|v| *v += 1);
        self.stage.set(Stage::Input);
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let w = Wizard::new();
    provide_context(w);
    // Every change of mapping, region or cell is checked again by the worker
    // (a new file sets the mapping too).
    Effect::new(move |_| {
        w.mapping.track();
        w.region.track();
        w.edits.track();
        w.check();
    });
    // The stage is in the address (`?stage=mapping`): the browser's Back
    // goes to the previous stage, and a reload that lost the file says so.
    let query = use_query_map();
    let navigate = use_navigate();
    let file_lost = RwSignal::new(false);
    let go_to_stage = {
        let navigate = navigate.clone();
        move |stage: Stage, replace: bool| {
            let url = match stage.param() {
                "" => "/contacts/import".to_string(),
                p => format!("/contacts/import?stage={p}"),
            };
            navigate(
                &url,
                NavigateOptions {
                    replace,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };
    Effect::new({
        let go_to_stage = go_to_stage.clone();
        move |_| {
            let asked = Stage::from_param(&query.with(|q| q.get("stage").unwrap_or_default()));
            w.address_stage.set(asked);
            let current = w.stage.get_untracked();
            let loaded = w.table.with_untracked(Option::is_some);
            let unfinished = w.run.with_untracked(|r| {
                matches!(r.phase, summary::Phase::Running | summary::Phase::Paused)
            });
            match address_move(current, asked, loaded, unfinished) {
                AddressMove::Go(Stage::Input) if current == Stage::Summary => w.reset(),
                AddressMove::Go(stage) => w.stage.set(stage),
                AddressMove::FileLost => {
                    file_lost.set(true);
                    go_to_stage(Stage::Input, true);
                }
                AddressMove::Stay if asked != current => go_to_stage(current, true),
                AddressMove::Stay => {}
            }
        }
    });
    Effect::new(move |_| {
        let stage = w.stage.get();
        // A Continue clicked during a check belongs to the stage it was
        // clicked on.
        w.pending_advance.set(false);
        if stage != Stage::Input {
            file_lost.set(false);
        }
        let shown = query.with_untracked(|q| q.get("stage").unwrap_or_default());
        if Stage::from_param(&shown) != stage {
            go_to_stage(stage, false);
        }
    });
    // The reading worker loads while the user picks a file.
    Effect::new(|_| crate::browser::start_reader());
    // Leaving the page frees the worker's copy of the file.
    on_cleanup(|| drop(crate::browser::reader(&Request::Forget, None)));
    // The account's phone region is the starting point of the country picker.
    let settings = Resource::new(|| (), |_| get_settings());
    Effect::new(move || {
        if let Some(Ok(s)) = settings.get() {
            w.region.set(s.default_region);
        }
    });
    let wide = move || matches!(w.stage.get(), Stage::Mapping);
    view! {
        <section class="page wizard" class:page--narrow=move || !wide()>
            <div class="page__header">
                <h1 class="page__title">"Import Contacts"</h1>
                <A href="/contacts" attr:class="button">"Back to contacts"</A>
            </div>
            <StageBar />
            <Show when=move || file_lost.get()>
                <p class="notice notice--info" role="status" data-testid="import-file-lost">
                    "The page was reloaded, and the file with it: it never leaves your browser, so it is not kept. Choose it again to go on."
                </p>
            </Show>
            {move || w.busy.get().map(|m| view! {
                <div class="busy" role="status" data-testid="import-busy"><span class="busy__spinner"></span>{m}</div>
            })}
            {move || match w.stage.get() {
                Stage::Input => view! { <input::InputStage /> }.into_any(),
                Stage::Mapping => view! { <mapping::MappingStage /> }.into_any(),
                Stage::Group => view! { <group::GroupStage /> }.into_any(),
                Stage::Summary => view! { <summary::SummaryStage /> }.into_any(),
            }}
            <Show when=move || w.stage.get() != Stage::Summary>
                <ContinueBar />
            </Show>
            <Show when=move || w.stage.get() == Stage::Input>
                <summary::History />
            </Show>
        </section>
    }
}

/// The four stages, the current one highlighted; a skipped group stage says so.
#[component]
fn StageBar() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let skipped = move || w.mapping.with(|m| group_column(m).map(str::to_string));
    view! {
        <ol class="stages" data-testid="import-stages">
            {Stage::ALL.into_iter().map(|s| {
                let class = move || {
                    let current = w.stage.get();
                    if current == s {
                        "stages__item stages__item--active"
                    } else if s == Stage::Group && current == Stage::Summary && skipped().is_some() {
                        "stages__item stages__item--skipped"
                    } else if s.number() < current.number() {
                        "stages__item stages__item--done"
                    } else {
                        "stages__item"
                    }
                };
                let title = move || (s == Stage::Group)
                    .then(skipped)
                    .flatten()
                    .map(|c| format!("Skipped: groups come from the column “{c}”"));
                view! {
                    <li class=class title=title data-stage=s.title()>
                        <span class="stages__number">{s.number()}</span>
                        {s.title()}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// Back and Continue, with the reason Continue is disabled.
#[component]
fn ContinueBar() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let blocked = Memo::new(move |_| w.blocked());
    // The button that starts the import says what it will do.
    let label = move || {
        let stage = w.stage.get();
        let starts_import = w
            .mapping
            .with(|m| next_stage(stage, m) == Ok(Stage::Summary));
        if starts_import {
            let n = w.preview.get().map(|p| p.0.contacts).unwrap_or(0);
            format!("Import {} contact{}", thousands(n), plural(n))
        } else {
            "Continue".to_string()
        }
    };
    let can_go_back = move || {
        w.mapping
            .with(|m| previous_stage(w.stage.get(), m).is_some())
    };
    view! {
        <div class="wizard__actions">
            <Show when=can_go_back fallback=|| view! { <span></span> }>
                <button class="button" data-testid="import-back" on:click=move |_| w.back()>"Back"</button>
            </Show>
            <div class="wizard__next">
                {move || blocked.get().filter(|m| !m.is_empty()).map(|m| view! {
                    <span class="wizard__hint" data-testid="import-blocked">{m}</span>
                })}
                <button
                    class="button button--primary"
                    data-testid="import-continue"
                    disabled=move || (blocked.get().is_some() && !w.waiting()) || w.pending_resume.with(Option::is_some)
                    aria-busy=move || w.pending_advance.get().then_some("true")
                    on:click=move |_| w.continue_clicked()
                >
                    {label}
                </button>
            </div>
        </div>
    }
}

pub(crate) use crate::components::thousands;

/// "1.2 MB" for a file size.
pub(crate) fn file_size(bytes: f64) -> String {
    if bytes < 1024.0 {
        format!("{bytes} bytes")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KB", bytes / 1024.0)
    } else {
        format!("{:.1} MB", bytes / 1024.0 / 1024.0)
    }
}

/// "s" when `n` is not 1.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
