//! The Settings page's custom fields: what the account keeps about its
//! contacts beyond names, numbers and e-mails. Create (name, type, a list's
//! choices), rename, delete (the confirmation says how many contacts hold
//! a value). The rules are `import::fields`'; the server checks them again.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{create_field, delete_field, field_holders, list_fields, rename_field};
use crate::components::{thousands, ConfirmDialog, Confirmation};
use crate::import::fields::{FieldDef, FieldKind};
use crate::model::CustomFieldView;

/// Choices typed one per line, or on one line separated by commas (a
/// choice holding a comma goes on its own line).
pub fn split_choices(raw: &str) -> Vec<String> {
    let sep = if raw.contains('\n') { '\n' } else { ',' };
    raw.split(sep)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

/// Choices typed one per line (the mapping stage's editor, where guessed
/// choices such as `London, UK` come one per line).
pub fn split_lines(raw: &str) -> Vec<String> {
    raw.lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

/// A field's type as its list shows it: "One of a list: Gold, Silver".
pub fn kind_summary(f: &CustomFieldView) -> String {
    match f.kind {
        FieldKind::Choice => format!("{}: {}", f.kind.label(), f.choices.join(", ")),
        k => k.label().to_string(),
    }
}

#[component]
pub fn CustomFields() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let fields = Resource::new(move || version.get(), |_| list_fields());
    let message = RwSignal::new(None::<(bool, String)>);
    let refresh = move |outcome: Result<String, crate::AppError>| {
        match outcome {
            Ok(m) => message.set(Some((false, m))),
            Err(e) => message.set(Some((true, e.to_string()))),
        }
        version.update(|v| *v += 1);
    };

    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(FieldKind::Text);
    let choices = RwSignal::new(String::new());
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, k, c) = (
            name.get_untracked(),
            kind.get_untracked(),
            split_choices(&choices.get_untracked()),
        );
        // Checked here as on the server, so a mistake is said at once.
        if let Err(e) = FieldDef::from_input(&n, k, &c) {
            message.set(Some((true, e)));
            return;
        }
        spawn_local(async move {
            let r = create_field(n, k, c)
                .await
                .map(|f| format!("Field \"{}\" created.", f.name));
            if r.is_ok() {
                name.set(String::new());
                choices.set(String::new());
            }
            refresh(r);
        });
    };

    let dialog = RwSignal::new(None::<Confirmation>);
    let pending = RwSignal::new(None::<i64>);
    let ask_delete =
        Callback::new(move |f: CustomFieldView| {
            spawn_local(async move {
                let held = match field_holders(f.id).await {
                    Ok(n) => n,
                    Err(e) => {
                        message.set(Some((true, e.to_string())));
                        return;
                    }
                };
                pending.set(Some(f.id));
                dialog.set(Some(Confirmation {
                    title: format!("Delete the field \"{}\"?", f.name),
                    body: match held {
                        0 => "No contact holds a value of it.".to_string(),
                        n => {
                            format!(
                        "{} contact{} hold{} a value of it: {} lost. Their other details stay.",
                        thousands(n),
                        if n == 1 { "" } else { "s" },
                        if n == 1 { "s" } else { "" },
                        if n == 1 { "that value is" } else { "those values are" }
                    )
                        }
                    },
                    action: "Delete field".into(),
                }));
            });
        });
    let on_delete = move |_| {
        let Some(id) = pending.get_untracked() else {
            return;
        };
        spawn_local(async move {
            refresh(delete_field(id).await.map(|n| match n {
                0 => "Field deleted.".to_string(),
                n => format!(
                    "Field deleted, with the values of {} contact{}.",
                    thousands(n),
                    if n == 1 { "" } else { "s" }
                ),
            }))
        });
    };
    let on_rename = Callback::new(move |(id, name): (i64, String)| {
        spawn_local(async move {
            refresh(
                rename_field(id, name)
                    .await
                    .map(|f| format!("Field renamed to \"{}\".", f.name)),
            )
        });
    });

    view! {
        <div class="card settings__fields" data-testid="custom-fields">
            <h2 class="settings__title">"Custom fields"</h2>
            <p class="muted">"What you keep about your contacts besides names, numbers and e-mails: city, birthday, customer id, plan… Imports fill them from columns of the same name."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading fields…"</p> }>
                {move || Suspend::new(async move {
                    match fields.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted" data-testid="fields-empty">"No custom fields yet."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="fields-table">
                                <thead><tr><th>"Name"</th><th>"Type"</th><th class="table__actions"></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|f| view! { <FieldRow field=f ask_delete on_rename /> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <form class="form fields__new" on:submit=on_create data-testid="field-form">
                <div class="inline-form">
                    <input class="input" placeholder="New field name" aria-label="New field name" data-testid="field-name"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    <select class="input" aria-label="Type" data-testid="field-kind"
                        on:change=move |ev| {
                            if let Some(k) = FieldKind::parse(&event_target_value(&ev)) {
                                kind.set(k);
                            }
                        }>
                        {FieldKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind.get() == k>{k.label()}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="button button--primary" data-testid="field-create">"Add field"</button>
                </div>
                <Show when=move || kind.get() == FieldKind::Choice>
                    <label class="field">
                        <span class="field__label">"Choices: one per line, or on one line separated by commas"</span>
                        <textarea class="input" rows="3" data-testid="field-choices"
                            prop:value=move || choices.get() on:input=move |ev| choices.set(event_target_value(&ev))></textarea>
                    </label>
                </Show>
            </form>
            {move || message.get().map(|(error, m)| view! {
                <p class=if error { "error" } else { "notice" } data-testid="field-message" role="status">{m}</p>
            })}
            <ConfirmDialog open=dialog on_confirm=on_delete />
        </div>
    }
}

#[component]
fn FieldRow(
    field: CustomFieldView,
    ask_delete: Callback<CustomFieldView>,
    on_rename: Callback<(i64, String)>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let name = RwSignal::new(field.name.clone());
    let id = field.id;
    let shown = field.name.clone();
    let summary = kind_summary(&field);
    let testid = format!("field-row-{}", field.name);
    view! {
        <tr data-testid=testid>
            <td>
                <Show when=move || editing.get() fallback=move || shown.clone()>
                    <form class="inline-form" on:submit=move |ev| {
                        ev.prevent_default();
                        editing.set(false);
                        on_rename.run((id, name.get_untracked()));
                    }>
                        <input class="input" aria-label="Field name" data-testid="field-rename-input"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                        <button type="submit" class="button button--small button--primary" data-testid="field-rename-save">"Save"</button>
                        <button type="button" class="button button--small" on:click=move |_| editing.set(false)>"Cancel"</button>
                    </form>
                </Show>
            </td>
            <td class="muted">{summary}</td>
            <td class="table__actions">
                <button class="button button--small" data-testid="field-rename" on:click=move |_| editing.set(true)>"Rename"</button>
                <button class="button button--small button--danger-text" data-testid="field-delete" on:click=move |_| ask_delete.run(field.clone())>
                    "Delete"
                </button>
            </td>
        </tr>
    }
}
