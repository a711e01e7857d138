//! Add Single Contact and Edit contact: one form, validated in the browser by
//! `import::validate_contact` (the same code the server runs again).

use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::{
    create_contact, get_contact, get_settings, list_fields, list_groups, set_sms_status,
    sms_history, update_contact,
};
use crate::components::{list_url, Flash};
use crate::import::fields::{display_value, FieldDef, FieldKind};
use crate::import::{
    classify_phone, validate_contact_with, ContactDraft, DetailDraft, DetailKind, FieldDraft,
    FieldIssue, FieldPath, IssueKind, Region, SmsStatus,
};
use crate::model::{ContactView, CustomFieldView};
use crate::pages::contacts::{LineBadge, SmsBadge};
use crate::AppError;

#[component]
pub fn NewContactPage() -> impl IntoView {
    let draft = ContactDraft {
        phones: vec![DetailDraft::new("", "mobile")],
        emails: vec![DetailDraft::new("", "")],
        ..Default::default()
    };
    view! {
        <section class="page page--narrow">
            <h1 class="page__title">"Add Single Contact"</h1>
            <ContactForm draft id=None />
        </section>
    }
}

#[component]
pub fn EditContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    // The account's region with the contact: its numbers are shown as
    // the region writes them.
    let contact = Resource::new(id, |id| async move {
        match id {
            Some(id) => {
                let c = get_contact(id).await?;
                let region = get_settings().await?.default_region;
                let fields = list_fields().await?;
                Ok((c, region, fields))
            }
            None => Err(AppError::NotFound("There is no such contact.".into())),
        }
    });
    view! {
        <section class="page page--narrow">
            <h1 class="page__title">"Edit contact"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match contact.await {
                        Ok((c, region, fields)) => Either::Left(view! {
                            <ContactForm draft=draft_of(&c, region, &fields) id=Some(c.id) />
                            <SmsPanel contact=c />
                        }),
                        Err(e) => Either::Right(view! {
                            <p class="error">{e.to_string()}</p>
                            <A href="/contacts">"Back to contacts"</A>
                        }),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn draft_of(c: &ContactView, region: Region, fields: &[CustomFieldView]) -> ContactDraft {
    let details = |kind| {
        c.details_of(kind)
            .map(|d| DetailDraft::new(&d.display(), &d.label))
            .collect::<Vec<_>>()
    };
    ContactDraft {
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        company: c.company.clone(),
        phones: details(DetailKind::Phone),
        emails: details(DetailKind::Email),
        group_ids: c.groups.iter().map(|g| g.id).collect(),
        sms_status: c.sms_status,
        fields: c
            .fields
            .iter()
            .map(|v| FieldDraft {
                field_id: v.field_id,
                value: match fields.iter().find(|f| f.id == v.field_id) {
                    // Dates stay as stored (ISO reads back the same anywhere).
                    Some(f) if f.kind == FieldKind::Number || f.kind == FieldKind::YesNo => {
                        display_value(f.kind, &v.value, region).to_lowercase()
                    }
                    _ => v.value.clone(),
                },
            })
            .collect(),
    }
}

/// One editable phone or e-mail line.
#[derive(Clone, Copy)]
struct DetailRow {
    key: usize,
    value: RwSignal<String>,
    label: RwSignal<String>,
}

/// The form's state: a signal per field, so typing re-renders only that field.
#[derive(Clone, Copy)]
struct FormState {
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    company: RwSignal<String>,
    phones: RwSignal<Vec<DetailRow>>,
    emails: RwSignal<Vec<DetailRow>>,
    group_ids: RwSignal<Vec<i64>>,
    sms_status: RwSignal<SmsStatus>,
    /// Custom values as typed, by field id.
    fields: RwSignal<Vec<FieldDraft>>,
    /// Those values as the form opened with them: only changed ones are
    /// sent (a value an import set meanwhile is not overwritten by its
    /// own old copy).
    initial_fields: StoredValue<Vec<FieldDraft>>,
    /// The account's custom fields, once they have come.
    defs: RwSignal<Vec<(i64, FieldDef)>>,
    next_key: StoredValue<usize>,
    issues: RwSignal<Vec<FieldIssue>>,
    attempted: RwSignal<bool>,
    /// The account's region, once its settings have come.
    region: RwSignal<Option<Region>>,
}

impl FormState {
    fn new(d: &ContactDraft) -> Self {
        let s = FormState {
            first_name: RwSignal::new(d.first_name.clone()),
            last_name: RwSignal::new(d.last_name.clone()),
            company: RwSignal::new(d.company.clone()),
            phones: RwSignal::new(Vec::new()),
            emails: RwSignal::new(Vec::new()),
            group_ids: RwSignal::new(d.group_ids.clone()),
            sms_status: RwSignal::new(d.sms_status),
            fields: RwSignal::new(d.fields.clone()),
            initial_fields: StoredValue::new(d.fields.clone()),
            defs: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
            issues: RwSignal::new(Vec::new()),
            attempted: RwSignal::new(false),
            region: RwSignal::new(None),
        };
        for p in &d.phones {
            s.add_row(DetailKind::Phone, p);
        }
        for e in &d.emails {
            s.add_row(DetailKind::Email, e);
        }
        s
    }

    fn rows(&self, kind: DetailKind) -> RwSignal<Vec<DetailRow>> {
        match kind {
            DetailKind::Phone => self.phones,
            DetailKind::Email => self.emails,
        }
    }

    fn add_row(&self, kind: DetailKind, d: &DetailDraft) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let row = DetailRow {
            key,
            value: RwSignal::new(d.value.clone()),
            label: RwSignal::new(d.label.clone()),
        };
        self.rows(kind).update(|r| r.push(row));
    }

    fn remove_row(&self, kind: DetailKind, key: usize) {
        self.rows(kind).update(|r| r.retain(|row| row.key != key));
    }

    /// The draft as typed (tracks every field when called in a reactive scope).
    fn draft(&self) -> ContactDraft {
        let details = |rows: RwSignal<Vec<DetailRow>>| {
            rows.get()
                .iter()
                .map(|r| DetailDraft {
                    value: r.value.get(),
                    label: r.label.get(),
                })
                .collect()
        };
        ContactDraft {
            first_name: self.first_name.get(),
            last_name: self.last_name.get(),
            company: self.company.get(),
            phones: details(self.phones),
            emails: details(self.emails),
            group_ids: self.group_ids.get(),
            sms_status: self.sms_status.get(),
            // The fields whose value changed (a blank one clears it).
            fields: self.defs.with(|defs| {
                self.fields.with(|typed| {
                    let initial = self.initial_fields.get_value();
                    let value = |list: &[FieldDraft], id: i64| {
                        list.iter()
                            .find(|f| f.field_id == id)
                            .map(|f| f.value.clone())
                            .unwrap_or_default()
                    };
                    defs.iter()
                        .map(|(id, _)| FieldDraft {
                            field_id: *id,
                            value: value(typed, *id),
                        })
                        .filter(|f| f.value != value(&initial, f.field_id))
                        .collect()
                })
            }),
        }
    }

    /// The value typed for field `id`.
    fn value_of(&self, id: i64) -> String {
        self.fields.with(|f| {
            f.iter()
                .find(|f| f.field_id == id)
                .map(|f| f.value.clone())
                .unwrap_or_default()
        })
    }

    fn set_value(&self, id: i64, value: String) {
        self.fields
            .update(|f| match f.iter_mut().find(|f| f.field_id == id) {
                Some(f) => f.value = value,
                None => f.push(FieldDraft {
                    field_id: id,
                    value,
                }),
            });
    }

    fn issue(&self, field: FieldPath) -> Option<String> {
        self.issues.with(|all| {
            let msgs: Vec<&str> = all
                .iter()
                .filter(|i| i.field == field)
                .map(|i| i.message.as_str())
                .collect();
            (!msgs.is_empty()).then(|| msgs.join("; "))
        })
    }

    /// The contact that already has this field's phone or e-mail, if that is the issue.
    fn owner(&self, field: FieldPath) -> Option<(i64, String)> {
        self.issues.with(|all| {
            all.iter().find_map(|i| match &i.kind {
                IssueKind::Taken {
                    contact_id,
                    contact_name,
                } if i.field == field => Some((*contact_id, contact_name.clone())),
                _ => None,
            })
        })
    }

    fn index_of(&self, kind: DetailKind, key: usize) -> Option<usize> {
        self.rows(kind)
            .with(|r| r.iter().position(|row| row.key == key))
    }
}

#[component]
fn ContactForm(draft: ContactDraft, id: Option<i64>) -> impl IntoView {
    let form = FormState::new(&draft);
    let settings = Resource::new(|| (), |_| get_settings());
    let region = move || {
        settings
            .get()
            .and_then(|s| s.ok())
            .map(|s| s.default_region)
    };
    Effect::new(move || form.region.set(region()));
    let fields = Resource::new(|| (), |_| list_fields());
    Effect::new(move || {
        if let Some(Ok(list)) = fields.get() {
            form.defs
                .set(list.iter().filter_map(|f| Some((f.id, f.def()?))).collect());
        }
    });
    let saving = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    // Back to the list the user came from, its search and page kept.
    let query = use_query_map();
    let back = move || list_url(query.with_untracked(|q| q.get("back")));

    // After the first attempt, re-check as the user types (same rule as the server).
    Effect::new(move || {
        let draft = form.draft();
        if form.attempted.get() {
            if let Some(region) = region() {
                let checked = form.defs.with(|d| validate_contact_with(&draft, region, d));
                form.issues.set(checked.err().unwrap_or_default());
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let draft = form.draft();
        form.attempted.set(true);
        banner.set(None);
        if let Some(region) = region() {
            if let Err(issues) = form
                .defs
                .with_untracked(|d| validate_contact_with(&draft, region, d))
            {
                form.issues.set(issues);
                return;
            }
        }
        saving.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match id {
                Some(id) => update_contact(id, draft).await,
                None => create_contact(draft).await,
            };
            saving.set(false);
            match result {
                // An edit goes back to the list it came from (its search,
                // group and page); a new contact to the list's most recent
                // first, where it is at the top.
                Ok(saved) if id.is_some() => {
                    Flash::set(format!("Saved {}.", saved.display_name()));
                    navigate(&back(), Default::default());
                }
                Ok(saved) => {
                    Flash::set(format!("Added {}.", saved.display_name()));
                    navigate("/contacts?sort=updated", Default::default());
                }
                Err(AppError::Fields(issues)) => form.issues.set(issues),
                Err(e) => banner.set(Some(e.to_string())),
            }
        });
    };

    let name_field = move |label: &'static str,
                           testid: &'static str,
                           signal: RwSignal<String>,
                           field: FieldPath,
                           autocomplete: &'static str| {
        view! {
            <label class="field">
                <span class="field__label">{label}</span>
                <input
                    class="input"
                    class:input--invalid=move || form.issue(field).is_some()
                    data-testid=testid
                    autocomplete=autocomplete
                    value=move || signal.get()
                    prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))
                />
                <FieldError form field />
            </label>
        }
    };

    view! {
        <form class="card form" on:submit=on_submit novalidate data-testid="contact-form">
            <div class="form__row">
                {name_field("First name", "contact-first-name", form.first_name, FieldPath::FirstName, "given-name")}
                {name_field("Last name", "contact-last-name", form.last_name, FieldPath::LastName, "family-name")}
            </div>
            {name_field("Company", "contact-company", form.company, FieldPath::Company, "organization")}
            <DetailList form kind=DetailKind::Phone />
            <DetailList form kind=DetailKind::Email />
            <FieldError form field=FieldPath::Contact />
            <CustomValues form />
            <GroupPicker selected=form.group_ids />
            // A new contact's consent; an existing one's is changed below the
            // form, where its history is.
            {id.is_none().then(|| view! { <SmsChoice status=form.sms_status label="SMS" testid="contact-sms-status" /> })}
            <Show when=move || banner.with(Option::is_some)>
                <p class="error" data-testid="form-error">{move || banner.get()}</p>
            </Show>
            <div class="form__actions">
                <A href=back attr:class="button" attr:data-testid="contact-cancel">"Cancel"</A>
                <button type="submit" class="button button--primary" data-testid="contact-save" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else if id.is_some() { "Save changes" } else { "Add contact" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn FieldError(form: FormState, field: FieldPath) -> impl IntoView {
    let testid = match field {
        FieldPath::FirstName => "error-first-name".to_string(),
        FieldPath::LastName => "error-last-name".into(),
        FieldPath::Company => "error-company".into(),
        FieldPath::Phone(i) => format!("error-phone-{i}"),
        FieldPath::Email(i) => format!("error-email-{i}"),
        FieldPath::Custom(id) => format!("error-field-{id}"),
        FieldPath::Contact => "error-contact".into(),
    };
    move || {
        form.issue(field)
            .map(|m| view! { <p class="field__error" data-testid=testid.clone()>{m}</p> })
    }
}

/// The account's custom fields, each as its kind is typed: text, a
/// number, a date (typed as people write them; checked as the import
/// checks them), yes/no and one of a list as choices.
#[component]
fn CustomValues(form: FormState) -> impl IntoView {
    move || {
        let defs = form.defs.get();
        (!defs.is_empty()).then(|| {
            view! {
                <fieldset class="fieldset" data-testid="contact-custom-fields">
                    <legend class="field__label">"Custom fields"</legend>
                    {defs.into_iter().map(|(id, def)| {
                        let field = FieldPath::Custom(id);
                        let testid = format!("contact-field-{}", def.name);
                        let input = match def.kind {
                            FieldKind::YesNo | FieldKind::Choice => {
                                let options: Vec<(String, String)> = match def.kind {
                                    FieldKind::YesNo => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
                                    _ => def.choices.iter().map(|c| (c.clone(), c.clone())).collect(),
                                };
                                view! {
                                    <select class="input" data-testid=testid
                                        class:input--invalid=move || form.issue(field).is_some()
                                        on:change=move |ev| form.set_value(id, event_target_value(&ev))>
                                        <option value="" selected=move || form.value_of(id).is_empty()>"—"</option>
                                        {options.into_iter().map(|(value, shown)| {
                                            let v = value.clone();
                                            view! { <option value=value selected=move || form.value_of(id).eq_ignore_ascii_case(&v)>{shown}</option> }
                                        }).collect_view()}
                                    </select>
                                }.into_any()
                            }
                            FieldKind::Text => view! {
                                <textarea class="input input--text" rows="1" data-testid=testid
                                    class:input--invalid=move || form.issue(field).is_some()
                                    prop:value=move || form.value_of(id)
                                    on:input=move |ev| form.set_value(id, event_target_value(&ev))></textarea>
                            }.into_any(),
                            kind => view! {
                                <input class="input" data-testid=testid
                                    class:input--invalid=move || form.issue(field).is_some()
                                    inputmode=if kind == FieldKind::Number { "decimal" } else { "text" }
                                    placeholder=match kind {
                                        FieldKind::Date => "13/02/1990, 1990-02-13 or 13 Feb",
                                        FieldKind::Number => "1234.5",
                                        _ => "",
                                    }
                                    prop:value=move || form.value_of(id)
                                    on:input=move |ev| form.set_value(id, event_target_value(&ev)) />
                            }.into_any(),
                        };
                        view! {
                            <label class="field">
                                <span class="field__label">{def.name.to_string()}</span>
                                {input}
                                <FieldError form field />
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            }
        })
    }
}

/// The phones or the e-mails of the form, with add and remove.
#[component]
fn DetailList(form: FormState, kind: DetailKind) -> impl IntoView {
    let (title, placeholder, add, labels, prefix): (_, _, _, &'static [&'static str], _) =
        match kind {
            DetailKind::Phone => (
                "Phone numbers",
                "07400 123456 or +44 7400 123456",
                "+ Add phone",
                &["mobile", "work", "home", "other"],
                "phone",
            ),
            DetailKind::Email => (
                "E-mail addresses",
                "name@example.com",
                "+ Add e-mail",
                &["", "personal", "work", "other"],
                "email",
            ),
        };
    let rows = form.rows(kind);
    view! {
        <fieldset class="fieldset">
            <legend class="field__label">{title}</legend>
            <For each=move || rows.get() key=|r| r.key let:row>
                {
                    let index = move || form.index_of(kind, row.key).unwrap_or(0);
                    let field = move || match kind {
                        DetailKind::Phone => FieldPath::Phone(index()),
                        DetailKind::Email => FieldPath::Email(index()),
                    };
                    view! {
                        <div class="detail-row">
                            <input
                                class="input detail-row__value"
                                class:input--invalid=move || form.issue(field()).is_some()
                                type=if kind == DetailKind::Email { "email" } else { "tel" }
                                placeholder=placeholder
                                data-testid=move || format!("contact-{prefix}-{}", index())
                                value=move || row.value.get()
                                prop:value=move || row.value.get()
                                on:input=move |ev| row.value.set(event_target_value(&ev))
                            />
                            <select
                                class="input detail-row__label"
                                aria-label="Label"
                                on:change=move |ev| row.label.set(event_target_value(&ev))
                            >
                                {labels.iter().map(|l| view! {
                                    <option value=*l selected=move || row.label.get() == *l>{if l.is_empty() { "no label" } else { l }}</option>
                                }).collect_view()}
                            </select>
                            <button type="button" class="button button--small button--danger-text" aria-label="Remove" on:click=move |_| form.remove_row(kind, row.key)>
                                "Remove"
                            </button>
                        </div>
                        // A phone's line type as it is typed ("landline: can't receive SMS").
                        {move || {
                            let region = form.region.get()?;
                            if kind != DetailKind::Phone || form.issue(field()).is_some() {
                                return None;
                            }
                            let (_, line) = classify_phone(&row.value.get(), region).ok()?;
                            Some(view! { <p class="field__hint" data-testid=format!("line-{prefix}-{}", index())><LineBadge line /></p> })
                        }}
                        {move || form.issue(field()).map(|m| view! {
                            <p class="field__error" data-testid=format!("error-{prefix}-{}", index())>
                                {m}
                                {form.owner(field()).map(|(id, name)| view! {
                                    " "
                                    <A href=format!("/contacts/{id}/edit") attr:data-testid="open-owner">{format!("Open {name}")}</A>
                                })}
                            </p>
                        })}
                    }
                }
            </For>
            <button type="button" class="button button--small button--link" data-testid=format!("add-{prefix}") on:click=move |_| form.add_row(kind, &DetailDraft::default())>
                {add}
            </button>
        </fieldset>
    }
}

/// An SMS status to choose: Add Single Contact's, and the contact page's change.
#[component]
fn SmsChoice(
    status: RwSignal<SmsStatus>,
    label: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            <select class="input" data-testid=testid
                on:change=move |ev| {
                    if let Some(s) = SmsStatus::parse(&event_target_value(&ev)) {
                        status.set(s);
                    }
                }>
                {SmsStatus::ALL.into_iter().map(|s| view! {
                    <option value=s.as_str() selected=move || status.get() == s>{sms_choice_words(s)}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

fn sms_choice_words(s: SmsStatus) -> &'static str {
    match s {
        SmsStatus::OptedIn => "Opted in: they agreed to receive SMS",
        SmsStatus::NotRecorded => "Not recorded",
        SmsStatus::OptedOut => "Opted out: they asked not to be texted",
    }
}

/// An existing contact's SMS status: what it is, since when and why; a
/// change (lifting an opt-out asks for the reason, which is kept); the
/// history of changes.
#[component]
pub(crate) fn SmsPanel(contact: ContactView) -> impl IntoView {
    let id = contact.id;
    let current = RwSignal::new(contact.clone());
    let chosen = RwSignal::new(contact.sms_status);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let reload = RwSignal::new(0u32);
    let history = Resource::new(move || reload.get(), move |_| sms_history(id));
    let lifting = move || {
        current.with(|c| c.sms_status == SmsStatus::OptedOut) && chosen.get() != SmsStatus::OptedOut
    };
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let result = set_sms_status(id, chosen.get_untracked(), reason.get_untracked()).await;
            saving.set(false);
            match result {
                Ok(c) => {
                    chosen.set(c.sms_status);
                    current.set(c);
                    reason.set(String::new());
                    reload.update(|n| *n += 1);
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    // It may have changed meanwhile (an import): show it as it is now,
                    // so that a reason is asked for when one is needed.
                    if let Ok(c) = get_contact(id).await {
                        current.set(c);
                        reload.update(|n| *n += 1);
                    }
                }
            }
        });
    };
    let since = move || {
        current.with(|c| {
            c.sms_status_at.as_ref().map(|at| {
                let day = at.get(..10).unwrap_or(at).to_string();
                match c.sms_status_source.is_empty() {
                    true => format!("since {day}"),
                    false => format!("since {day} ({})", c.sms_status_source),
                }
            })
        })
    };
    view! {
        <section class="card sms-panel" data-testid="sms-panel">
            <h2 class="sms-panel__title">"SMS"</h2>
            <p class="sms-panel__status">
                {move || view! { <SmsBadge status=current.with(|c| c.sms_status) always=true /> }}
                " "
                <span class="muted" data-testid="sms-since">{since}</span>
            </p>
            {move || (!current.with(ContactView::has_textable_number)).then(|| view! {
                <p class="muted" data-testid="sms-no-number">"No phone number of this contact can receive SMS."</p>
            })}
            <form class="sms-panel__change" on:submit=change>
                <SmsChoice status=chosen label="Change to" testid="sms-status-select" />
                <Show when=lifting>
                    <label class="field">
                        <span class="field__label">"Why may they be texted again? (kept in the history)"</span>
                        <input class="input" data-testid="sms-reason" maxlength="500"
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev)) />
                    </label>
                </Show>
                {move || error.get().map(|m| view! { <p class="error" role="alert" data-testid="sms-error">{m}</p> })}
                <button type="submit" class="button" data-testid="sms-save"
                    disabled=move || saving.get() || current.with(|c| c.sms_status) == chosen.get()>
                    {move || if lifting() { "Re-subscribe" } else { "Change SMS status" }}
                </button>
            </form>
            <details class="sms-panel__history">
                <summary>"History"</summary>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let events = history.await.unwrap_or_default();
                        if events.is_empty() {
                            return view! { <p class="muted" data-testid="sms-history-empty">"No change recorded yet."</p> }.into_any();
                        }
                        view! {
                            <ol class="sms-history" data-testid="sms-history">
                                {events.into_iter().map(|e| {
                                    let day = e.at.get(..16).unwrap_or(&e.at).replace('T', " ");
                                    let who = match (e.actor.is_empty(), e.import_id) {
                                        (false, _) => format!(" by {}", e.actor),
                                        (true, Some(n)) => format!(" (import #{n})"),
                                        (true, None) => String::new(),
                                    };
                                    view! {
                                        <li data-testid="sms-history-item">
                                            <span class="sms-history__when">{day}</span>
                                            {format!(" {} → {}: {}{who}", e.from.label(), e.to.label(), e.source)}
                                            {(!e.reason.is_empty()).then(|| view! { <div class="sms-history__reason">{format!("Reason: {}", e.reason)}</div> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    })}
                </Suspense>
            </details>
        </section>
    }
}

/// Checkboxes for the account's groups.
#[component]
fn GroupPicker(selected: RwSignal<Vec<i64>>) -> impl IntoView {
    let groups = Resource::new(|| (), |_| list_groups());
    view! {
        <fieldset class="fieldset">
            <legend class="field__label">"Groups"</legend>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let groups = groups.await.unwrap_or_default();
                    if groups.is_empty() {
                        return view! { <p class="muted">"No groups yet. " <A href="/contacts/groups">"Create one"</A></p> }.into_any();
                    }
                    view! {
                        <div class="checks">
                            {groups.into_iter().map(|g| {
                                let id = g.id;
                                view! {
                                    <label class="check">
                                        <input
                                            type="checkbox"
                                            data-testid=format!("contact-group-{}", g.name)
                                            prop:checked=move || selected.with(|s| s.contains(&id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| {
                                                    s.retain(|&x| x != id);
                                                    if on { s.push(id) }
                                                });
                                            }
                                        />
                                        {g.name}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any()
                })}
            </Suspense>
        </fieldset>
    }
}
