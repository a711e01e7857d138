//! Stage 2: a dropdown per column, live validation, in-place fixes.
//!
//! The grid renders only the rows in view (fixed row height, spacer rows
//! above and below), asked of the reading worker, so 1,000,000 rows scroll
//! as smoothly as 10.

use leptos::prelude::*;

use super::{plural, thousands, Wizard};
use crate::import::dates::DateOrder;
use crate::import::fields::{FieldDef, FieldKind};
use crate::import::validate::REGIONS;
use crate::import::wizard::{group_column, reason_words};
use crate::import::worker::{Request, Response};
use crate::import::{Field, GridRow, ImportConsent, Region};

/// Height of one grid row in pixels (the CSS says the same).
const ROW_HEIGHT: f64 = 36.0;
/// Height of the scrolling area in pixels (the CSS says the same).
const VIEW_HEIGHT: f64 = 432.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 6;

#[component]
pub fn MappingStage() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let message = RwSignal::new(None::<String>);
    provide_context(message);
    let new_field = RwSignal::new(None::<NewField>);
    provide_context(new_field);
    view! {
        <div class="card mapping">
            <div class="mapping__bar">
                <p class="mapping__intro">
                    "Choose what each column holds. "
                    {move || {
                        let n = w.mapping.with(|m| m.unassigned().count());
                        view! {
                            <span class="mapping__unassigned" class:mapping__unassigned--open={n > 0}>
                                <strong data-testid="mapping-unassigned-count">{n}</strong>
                                {format!(" column{} still need{} a choice.", plural(n), if n == 1 { "s" } else { "" })}
                            </span>
                        }
                    }}
                </p>
                <RegionSelect />
            </div>
            {move || message.get().map(|m| view! { <p class="error" role="alert" data-testid="mapping-message">{m}</p> })}
            {move || w.read_error.get().map(|m| view! { <p class="error" role="alert" data-testid="mapping-error">{m}</p> })}
            <Totals />
            <RegionHintNotice />
            <NewFieldEditor />
            <Grid />
            {move || w.mapping.with(|m| group_column(m).map(|c| view! {
                <p class="muted" data-testid="group-skip-note">
                    {format!("Groups come from the column “{c}”, so the group step is skipped.")}
                </p>
            }))}
            <ConsentOption />
        </div>
    }
}

/// What the import records about SMS consent for all its contacts.
#[component]
fn ConsentOption() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let has_column = move || {
        w.mapping
            .with(|m| m.columns.iter().any(|c| c.field == Some(Field::SmsConsent)))
    };
    let choices = move || {
        let file = if has_column() {
            "Record what the consent column says"
        } else {
            "Record nothing about consent (the default)"
        };
        [
            (ImportConsent::FileSays, file),
            (
                ImportConsent::AllAgreed,
                "These people agreed to receive SMS: record their consent",
            ),
            (
                ImportConsent::OptOutList,
                "This file is an opt-out list: never text these numbers",
            ),
        ]
    };
    view! {
        <div class="consent-option">
            <label class="field">
                <span class="field__label">"SMS consent"</span>
                <select class="input" data-testid="import-consent"
                    on:change=move |ev| {
                        if let Some(c) = ImportConsent::parse(&event_target_value(&ev)) {
                            w.consent.set(c);
                        }
                    }>
                    {move || choices().into_iter().map(|(c, words)| view! {
                        <option value=c.as_str() selected=move || w.consent.get() == c>{words}</option>
                    }).collect_view()}
                </select>
            </label>
            <p class="muted consent-option__hint" data-testid="import-consent-hint">
                {move || match w.consent.get() {
                    ImportConsent::FileSays => "Contacts who opted out stay opted out, whatever the file says.",
                    ImportConsent::AllAgreed => "Consent is recorded, with this import as its source, for every contact whose row says nothing about it. Contacts who opted out stay opted out.",
                    ImportConsent::OptOutList => "Every contact in the file is opted out. Numbers you do not have yet are kept as opted-out contacts, so that a later import cannot opt them back in (as long as the contact is not deleted).",
                }}
            </p>
        </div>
    }
}

/// The default country for numbers written without a country code.
#[component]
fn RegionSelect() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let on_change = move |ev: leptos::ev::Event| {
        if let Ok(r) = event_target_value(&ev).parse::<Region>() {
            w.region.set(r);
        }
    };
    view! {
        <label class="field mapping__region">
            <span class="field__label">"Phone numbers without a country code are from"</span>
            <select class="input" data-testid="import-region-select" on:change=on_change
                prop:value=move || w.region.get().code().to_string()>
                {move || {
                    let current = w.region.get();
                    let listed = REGIONS.iter().any(|(c, _)| *c == current.code());
                    let extra = (!listed).then(|| {
                        let code = current.code().to_string();
                        view! { <option value=code.clone() selected=true>{code.clone()}</option> }
                    });
                    view! {
                        {extra}
                        {REGIONS.iter().map(|(code, name)| view! {
                            <option value=*code selected=*code == current.code()>{format!("{name} ({code})")}</option>
                        }).collect_view()}
                    }
                }}
            </select>
        </label>
    }
}

/// "These look like French numbers": the switch, in one click.
#[component]
fn RegionHintNotice() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    move || {
        let hint = w.preview.get()?.0.problems.region_hint?;
        let name = |code: &str| {
            REGIONS
                .iter()
                .find(|(c, _)| *c == code)
                .map_or_else(|| code.to_string(), |(_, n)| (*n).to_string())
        };
        let there = name(hint.region.code());
        let here = name(w.region.get_untracked().code());
        let pct = |s: f32| (s * 100.0).round() as u32;
        Some(view! {
            <p class="notice notice--info region-hint" data-testid="region-hint">
                {format!(
                    "These look like numbers from {there}: {} % are valid as {there}, {} % as {here}. ",
                    pct(hint.share),
                    pct(hint.current_share)
                )}
                <button type="button" class="button button--small" data-testid="region-hint-switch"
                    on:click=move |_| w.region.set(hint.region)>
                    {format!("Read them as {there}")}
                </button>
            </p>
        })
    }
}

/// "N will be imported, M will be rejected (why)".
#[component]
fn Totals() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    move || {
        w.preview.get().map(|p| {
            let p = p.0;
            let c = p.counts;
            let contacts = p.contacts;
            let why = p
                .problems
                .reasons
                .iter()
                .map(|(r, n)| format!("{} {}", thousands(*n), reason_words(*r)))
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <div class="totals" data-testid="mapping-totals">
                    <span class="totals__ok">
                        <strong data-testid="mapping-will-import">{thousands(contacts)}</strong>
                        {format!(" contact{} will be imported", plural(contacts))}
                        {(c.duplicates_merged > 0).then(|| format!(" ({} duplicate row{} merged)", thousands(c.duplicates_merged), plural(c.duplicates_merged)))}
                    </span>
                    <span class="totals__bad" class:totals__bad--none=c.rejected == 0>
                        <strong data-testid="mapping-will-reject">{thousands(c.rejected)}</strong>
                        {format!(" row{} will be rejected", plural(c.rejected))}
                        {(!why.is_empty()).then(|| format!(" ({why})"))}
                    </span>
                    {(c.details_dropped > 0).then(|| view! {
                        <span class="totals__warn">{format!("{} invalid detail{} will be dropped from imported rows", thousands(c.details_dropped), plural(c.details_dropped))}</span>
                    })}
                    {(c.values_ignored > 0).then(|| view! {
                        <span class="totals__warn" data-testid="mapping-values-ignored">{format!("{} value{} will be ignored: the rows are imported without them (see the marked cells)", thousands(c.values_ignored), plural(c.values_ignored))}</span>
                    })}
                    {(p.problems.no_textable > 0).then(|| view! {
                        <span class="totals__warn" data-testid="mapping-no-textable">
                            <strong>{thousands(p.problems.no_textable)}</strong>
                            {format!(" contact{} will have no number that can receive SMS (landline or e-mail only)", plural(p.problems.no_textable))}
                        </span>
                    })}
                    {(p.problems.says_opted_in + p.problems.says_opted_out > 0).then(|| view! {
                        <span class="totals__sms" data-testid="mapping-consent">
                            {format!("SMS consent in the file: {} yes, {} no or STOP", thousands(p.problems.says_opted_in), thousands(p.problems.says_opted_out))}
                        </span>
                    })}
                </div>
            }
        })
    }
}

/// Which rows the grid lists: all of them, or only those with problems.
#[derive(Clone, PartialEq)]
enum Shown {
    All(usize),
    Problems(super::Shared),
}

impl Shown {
    fn len(&self) -> usize {
        match self {
            Shown::All(n) => *n,
            Shown::Problems(p) => p.0.problem_indexes.len(),
        }
    }

    /// Table indexes of the listed rows `from..to`.
    fn indexes(&self, from: usize, to: usize) -> Vec<u32> {
        match self {
            Shown::All(_) => (from as u32..to as u32).collect(),
            Shown::Problems(p) => p.0.problem_indexes[from..to].to_vec(),
        }
    }
}

/// The data with a field dropdown per column, rendering only what is
/// visible: the rows in view are asked of the worker, which holds them.
#[component]
fn Grid() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let scroll = RwSignal::new(0.0f64);
    let only_problems = RwSignal::new(false);
    let grid = NodeRef::<leptos::html::Div>::new();
    let shown = Memo::new(move |_| {
        let n = w.table.with(|t| t.as_ref().map(|t| t.rows).unwrap_or(0));
        match (only_problems.get(), w.preview.get()) {
            (true, Some(p)) => Shown::Problems(p),
            _ => Shown::All(n),
        }
    });
    let window = Memo::new(move |_| {
        let n = shown.with(Shown::len);
        let first = ((scroll.get() / ROW_HEIGHT) as usize)
            .saturating_sub(OVERSCAN)
            .min(n);
        let count = (VIEW_HEIGHT / ROW_HEIGHT) as usize + 2 * OVERSCAN;
        (first, (first + count).min(n), n)
    });
    // The rows in view as (table index, row); asked again when the window,
    // the table, a cell or the check changes. Only the latest answer counts.
    let rows = RwSignal::new(Vec::<(u32, GridRow)>::new());
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (first, last, _) = window.get();
        let indexes = shown.with(|s| s.indexes(first, last));
        w.preview.track();
        w.edits.track();
        let seq = asked.get_value() + 1;
        asked.set_value(seq);
        let answer = crate::browser::reader(&Request::Rows { indexes }, None);
        leptos::task::spawn_local(async move {
            if let Response::Rows(r) = answer.await {
                if asked.try_get_value() == Some(seq) {
                    rows.set(r);
                }
            }
        });
    });
    let on_scroll = move |_| {
        if let Some(el) = grid.get() {
            scroll.set(el.scroll_top() as f64);
        }
    };
    let flagged = move || {
        w.preview
            .get()
            .map(|p| p.0.problems.rows.len())
            .unwrap_or(0)
    };
    view! {
        <div class="grid__tools">
            <label class="check">
                <input type="checkbox" data-testid="mapping-only-problems"
                    prop:checked=move || only_problems.get()
                    on:change=move |ev| {
                        only_problems.set(event_target_checked(&ev));
                        scroll.set(0.0);
                        if let Some(el) = grid.get() { el.set_scroll_top(0); }
                    } />
                {move || format!(" Show only rows with problems ({})", thousands(flagged()))}
            </label>
            <span class="muted">"Fix a red cell by typing in it; the row is checked again at once."</span>
        </div>
        <div class="grid" node_ref=grid on:scroll=on_scroll data-testid="mapping-grid">
            <table class="grid__table">
                <thead>
                    <tr>
                        <th class="grid__num">"Row"</th>
                        {move || {
                            let width = w.table.with(|t| t.as_ref().map(|t| t.width).unwrap_or(0));
                            (0..width).map(|i| view! { <ColumnHeader index=i /> }).collect_view()
                        }}
                        <th class="grid__head--problem">"Problem"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="grid__spacer" style:height=move || format!("{}px", window.get().0 as f64 * ROW_HEIGHT)></tr>
                    {move || {
                        let preview = w.preview.get();
                        let width = w.table.with(|t| t.as_ref().map(|t| t.width).unwrap_or(0));
                        rows.with(|rows| {
                            rows.iter().map(|(i, row)| {
                                let index = *i as usize;
                                let number = row.number;
                                let problem = preview.as_ref().and_then(|p| p.0.problems.rows.get(&number).cloned());
                                let cells: Vec<_> = (0..width).map(|col| {
                                    let cell = row.cell(col).to_string();
                                    let issue = preview.as_ref().and_then(|p| p.0.problems.cells.get(&(number, col)).cloned());
                                    view! { <Cell index col cell issue /> }
                                }).collect();
                                let (class, title) = match &problem {
                                    Some(p) if p.refused => ("grid__row grid__row--refused", p.message.clone()),
                                    Some(p) => ("grid__row grid__row--warned", p.message.clone()),
                                    None => ("grid__row", String::new()),
                                };
                                view! {
                                    <tr class=class data-row=number>
                                        <td class="grid__num" title=title.clone()>{number}</td>
                                        {cells}
                                        <td class="grid__problem" title=title.clone()>{title.clone()}</td>
                                    </tr>
                                }
                            }).collect::<Vec<_>>()
                        })
                    }}
                    <tr class="grid__spacer" style:height=move || { let (_, last, n) = window.get(); format!("{}px", (n - last) as f64 * ROW_HEIGHT) }></tr>
                </tbody>
            </table>
        </div>
    }
}

/// A column's name, its field dropdown and its share of valid values.
#[component]
fn ColumnHeader(index: usize) -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let message = use_context::<RwSignal<Option<String>>>().expect("mapping message");
    let column = move || w.mapping.with(|m| m.columns.get(index).cloned());
    let header = move || {
        let own = w.table.with(|t| {
            t.as_ref()
                .and_then(|t| t.headers.get(index).cloned())
                .unwrap_or_default()
        });
        if own.trim().is_empty() {
            format!("Column {}", index + 1)
        } else {
            own
        }
    };
    let new_field = use_context::<RwSignal<Option<NewField>>>().expect("new field editor");
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if value == NEW_FIELD {
            // The dropdown shows the column's field until the new one is
            // confirmed (and "New field…" can be chosen again after Cancel).
            reset_select(&ev, &select_value(w, index));
            propose(w, index, new_field);
            return;
        }
        if let Some(id) = value
            .strip_prefix(FIELD_PREFIX)
            .and_then(|id| id.parse::<i64>().ok())
        {
            let Some((_, def)) = w.field_defs().into_iter().find(|(fid, _)| *fid == id) else {
                return;
            };
            let name = def.name.to_string();
            let moved_from = w
                .mapping
                .try_update(|m| m.assign_custom(index, def, "chosen by you"))
                .flatten();
            message.set(moved_from.map(|other| {
                format!(
                    "{name} moved here from the column “{}”, which needs a field again (in orange).",
                    column_name(w, other)
                )
            }));
            return;
        }
        let Some(field) = Field::parse(&value) else {
            return;
        };
        let moved_from = w.mapping.try_update(|m| m.assign(index, field)).flatten();
        message.set(moved_from.map(|other| {
            let name = w.table.with_untracked(|t| {
                t.as_ref()
                    .and_then(|t| t.headers.get(other).cloned())
                    .filter(|h| !h.trim().is_empty())
                    .unwrap_or_else(|| format!("Column {}", other + 1))
            });
            format!(
                "{} moved here from the column “{name}”, which needs a field again (in orange): a contact has one {}.",
                field.title(),
                field.title().to_lowercase()
            )
        }));
    };
    let share = move || {
        let p = w.preview.get()?;
        let (filled, bad) = p.0.problems.columns.get(&index).copied()?;
        (filled > 0).then(|| {
            let pct = ((filled - bad) as f64 * 100.0 / filled as f64).floor();
            (format!("{pct}% valid"), bad > 0)
        })
    };
    // A phone column's numbers that are landlines, toll-free…
    let landlines = move || {
        let p = w.preview.get()?;
        p.0.problems
            .landlines
            .get(&index)
            .copied()
            .filter(|n| *n > 0)
    };
    view! {
        {move || column().map(|c| {
            let defs = w.fields.get().and_then(Result::ok).unwrap_or_default();
            let current = select_value(w, index);
            // A new field the import will create.
            let pending = (current == PENDING).then(|| c.custom.clone()).flatten();
            // A column read as the label of another (Google's `Phone 1 - Label`).
            let labels_for = w.mapping.with(|m| {
                m.columns
                    .iter()
                    .find(|o| o.label_column == Some(index) && !matches!(o.field, None | Some(Field::Ignore)))
                    .map(|o| o.header.clone())
            });
            let open = c.field.is_none();
            let title = if open {
                format!("Not recognised: {}", c.reason)
            } else {
                format!("{} ({:.0}% sure)", c.reason, c.confidence * 100.0)
            };
            view! {
                <th class="grid__head" class:grid__head--open=open class:grid__head--ignored={c.field == Some(Field::Ignore) && labels_for.is_none()}
                    title=title data-testid=format!("mapping-column-{index}")>
                    <div class="grid__name">{header}</div>
                    <select class="input grid__select" data-testid=format!("mapping-select-{index}")
                        aria-label=format!("Field of column {}", index + 1)
                        prop:value=current.clone() on:change=on_change>
                        {open.then(|| view! { <option value="" selected=true disabled=true>"Choose a field…"</option> })}
                        {Field::ALL.into_iter().map(|f| view! {
                            <option value=f.as_str() selected=current == f.as_str()>{f.title()}</option>
                        }).collect_view()}
                        {(!defs.is_empty()).then(|| view! {
                            <optgroup label="Your custom fields">
                                {defs.iter().map(|f| {
                                    let value = format!("{FIELD_PREFIX}{}", f.id);
                                    view! { <option value=value.clone() selected=current == value>{f.name.clone()}</option> }
                                }).collect_view()}
                            </optgroup>
                        })}
                        {pending.as_ref().map(|d| view! {
                            <option value=PENDING selected=true>{format!("New field: {} ({})", d.name, d.kind.label())}</option>
                        })}
                        <option value=NEW_FIELD>"New field…"</option>
                    </select>
                    {labels_for.clone().map(|of| view! {
                        <div class="grid__labels">{format!("Labels for “{of}”")}</div>
                    })}
                    {c.holds_dates().then(|| {
                        let order = c.label.clone();
                        view! {
                            <select class="input grid__select" data-testid=format!("mapping-date-order-{index}")
                                aria-label=format!("Day and month order of column {}", index + 1)
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    w.mapping.update(|m| {
                                        if let Some(col) = m.columns.iter_mut().find(|x| x.index == index) {
                                            col.label = value;
                                        }
                                    });
                                }>
                                <option value="" selected=order.is_empty()>"Dates: as the country writes them"</option>
                                {[DateOrder::DayFirst, DateOrder::MonthFirst].into_iter().map(|o| view! {
                                    <option value=o.as_str() selected=order == o.as_str()>{format!("Dates: {}", o.label())}</option>
                                }).collect_view()}
                            </select>
                        }
                    })}
                    {move || share().map(|(text, bad)| view! {
                        <div class="grid__share" class:grid__share--bad=bad>{text}</div>
                    })}
                    {move || landlines().map(|n| view! {
                        <div class="grid__landlines" data-testid=format!("mapping-landlines-{index}")>
                            {format!("{} can't receive SMS", thousands(n))}
                        </div>
                    })}
                </th>
            }
        })}
    }
}

/// One cell; a cell with a problem is an input to fix it in place.
#[component]
fn Cell(
    index: usize,
    col: usize,
    cell: String,
    issue: Option<crate::import::wizard::CellProblem>,
) -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    match issue {
        None => view! { <td class="grid__cell">{cell}</td> }.into_any(),
        Some(p) => {
            let class = if p.refused {
                "grid__cell grid__cell--invalid"
            } else {
                "grid__cell grid__cell--dropped"
            };
            let on_change = move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                // The worker has the rows; the check that follows reads the
                // new value (the worker answers in order).
                drop(crate::browser::reader(
                    &Request::Edit { index, col, value },
                    None,
                ));
                w.edits.update(|n| *n += 1);
            };
            view! {
                <td class=class title=p.message.clone()>
                    <input class="grid__edit" value=cell aria-label=p.message.clone()
                        data-testid=format!("mapping-cell-{index}-{col}") on:change=on_change />
                </td>
            }
            .into_any()
        }
    }
}

/// The dropdown's value of one of the account's custom fields.
const FIELD_PREFIX: &str = "field:";
/// The dropdown's "New field…".
const NEW_FIELD: &str = "new-field";
/// The dropdown's value of a new field the import will create.
const PENDING: &str = "pending-field";

/// The dropdown's value for column `index`: its built-in field, the
/// account's custom field (`field:ID`), a new one (`pending-field`), or
/// none yet.
fn select_value(w: Wizard, index: usize) -> String {
    let defs = w
        .fields
        .get_untracked()
        .and_then(Result::ok)
        .unwrap_or_default();
    w.mapping.with_untracked(|m| {
        let Some(c) = m.columns.iter().find(|c| c.index == index) else {
            return String::new();
        };
        match (&c.field, &c.custom) {
            (Some(Field::Custom), Some(def)) => defs
                .iter()
                .find(|f| crate::import::fields::FieldName::key_of(&f.name) == def.name.key())
                .map_or_else(
                    || PENDING.to_string(),
                    |f| format!("{FIELD_PREFIX}{}", f.id),
                ),
            (Some(f), _) => f.as_str().to_string(),
            (None, _) => String::new(),
        }
    })
}

/// Puts the dropdown that fired `ev` back on `value`.
fn reset_select(ev: &leptos::ev::Event, value: &str) {
    event_target::<leptos::web_sys::HtmlSelectElement>(ev).set_value(value);
}

/// A column's name as the page shows it.
fn column_name(w: Wizard, index: usize) -> String {
    w.table.with_untracked(|t| {
        t.as_ref()
            .and_then(|t| t.headers.get(index).cloned())
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| format!("Column {}", index + 1))
    })
}

/// "New field…" being defined for a column: its name, type and choices,
/// proposed from the column (`import::fields::propose_field`) and
/// editable before it is confirmed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NewField {
    index: usize,
    column: String,
    name: String,
    kind: FieldKind,
    choices: String,
    order: Option<DateOrder>,
}

/// Rows of a column read to propose a new field's type.
const PROPOSE_ROWS: u32 = 1_000;

/// Opens the editor for a new field made of column `index`: its first
/// rows are asked of the worker and the field proposed from them.
fn propose(w: Wizard, index: usize, editor: RwSignal<Option<NewField>>) {
    let Some(column) = w
        .mapping
        .with_untracked(|m| m.columns.iter().find(|c| c.index == index).cloned())
    else {
        return;
    };
    let region = w.region.get_untracked();
    let answer = crate::browser::reader(
        &Request::Rows {
            indexes: (0..PROPOSE_ROWS).collect(),
        },
        None,
    );
    leptos::task::spawn_local(async move {
        let rows: Vec<GridRow> = match answer.await {
            Response::Rows(r) => r.into_iter().map(|(_, row)| row).collect(),
            _ => Vec::new(),
        };
        let (def, order) = crate::import::fields::propose_field(
            &column,
            &rows,
            region,
            crate::import::fields::today(),
        );
        editor.set(Some(NewField {
            index,
            column: column_name(w, index),
            name: def.name.to_string(),
            kind: def.kind,
            choices: def.choices.join("\n"),
            order,
        }));
    });
}

/// The editor of a new field: confirmed, the column maps to it (the field
/// is created when the import starts); cancelled, nothing changes.
#[component]
fn NewFieldEditor() -> impl IntoView {
    let w = use_context::<Wizard>().expect("wizard context");
    let editor = use_context::<RwSignal<Option<NewField>>>().expect("new field editor");
    let problem = RwSignal::new(None::<String>);
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(f) = editor.get_untracked() else {
            return;
        };
        let choices = crate::pages::fields::split_lines(&f.choices);
        let def = match FieldDef::from_input(&f.name, f.kind, &choices) {
            Ok(d) => d,
            Err(e) => {
                problem.set(Some(e));
                return;
            }
        };
        // A name the account already uses is that field, not a new one.
        if w.field_defs()
            .iter()
            .any(|(_, d)| d.name.key() == def.name.key())
        {
            problem.set(Some(format!(
                "You already have a field named “{}”: choose it in the list instead.",
                def.name
            )));
            return;
        }
        let name = def.name.to_string();
        let moved_from = w
            .mapping
            .try_update(|m| {
                let moved =
                    m.assign_custom(f.index, def, "a new field, created when the import starts");
                if let (Some(order), Some(c)) =
                    (f.order, m.columns.iter_mut().find(|c| c.index == f.index))
                {
                    if c.holds_dates() {
                        c.label = order.as_str().to_string();
                    }
                }
                moved
            })
            .flatten();
        if let Some(message) = use_context::<RwSignal<Option<String>>>() {
            message.set(moved_from.map(|other| {
                format!(
                "{name} moved here from the column “{}”, which needs a field again (in orange).",
                column_name(w, other)
            )
            }));
        }
        problem.set(None);
        editor.set(None);
    };
    move || {
        editor.get().map(|f| {
            let title = format!("New field from the column “{}”", f.column);
            view! {
                <form class="card new-field" on:submit=confirm data-testid="new-field">
                    <h3 class="new-field__title">{title}</h3>
                    <div class="inline-form">
                        <label class="field">
                            <span class="field__label">"Name"</span>
                            <input class="input" data-testid="new-field-name" prop:value=f.name.clone()
                                on:input=move |ev| editor.update(|e| if let Some(e) = e { e.name = event_target_value(&ev) }) />
                        </label>
                        <label class="field">
                            <span class="field__label">"Type"</span>
                            <select class="input" data-testid="new-field-kind"
                                on:change=move |ev| {
                                    if let Some(k) = FieldKind::parse(&event_target_value(&ev)) {
                                        editor.update(|e| if let Some(e) = e { e.kind = k });
                                    }
                                }>
                                {FieldKind::ALL.into_iter().map(|k| view! {
                                    <option value=k.as_str() selected=f.kind == k>{k.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                    {(f.kind == FieldKind::Choice).then(|| view! {
                        <label class="field">
                            <span class="field__label">"Choices, one per line"</span>
                            <textarea class="input" rows="4" data-testid="new-field-choices" prop:value=f.choices.clone()
                                on:input=move |ev| editor.update(|e| if let Some(e) = e { e.choices = event_target_value(&ev) })></textarea>
                        </label>
                    })}
                    <p class="muted">"The type was guessed from the column's values; values that do not fit it are left out and marked in the grid."</p>
                    {move || problem.get().map(|m| view! { <p class="error" role="alert" data-testid="new-field-problem">{m}</p> })}
                    <div class="form__actions">
                        <button type="button" class="button" data-testid="new-field-cancel"
                            on:click=move |_| { problem.set(None); editor.set(None); }>"Cancel"</button>
                        <button type="submit" class="button button--primary" data-testid="new-field-create">"Use this field"</button>
                    </div>
                </form>
            }
        })
    }
}
