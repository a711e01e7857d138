//! One contact's page: its details with their labels and line types, SMS
//! status and its history, groups, custom fields, when it was created and
//! last changed, the imports that created or changed it; Edit and Delete.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::{contact_imports, delete_contact, get_contact, get_settings, list_fields};
use crate::components::{list_url, thousands, ConfirmDialog, Confirmation, Flash};
use crate::import::fields::display_value;
use crate::import::{DetailKind, LineType, Region, SmsStatus};
use crate::model::{ContactQuery, ContactView, CustomFieldView, GroupFilter, ImportView};
use crate::pages::contact_form::SmsPanel;
use crate::pages::contacts::LineBadge;
use crate::AppError;

#[component]
pub fn ContactDetailsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let contact = Resource::new(id, |id| async move {
        let Some(id) = id else {
            return Err(AppError::NotFound("There is no such contact.".into()));
        };
        let c = get_contact(id).await?;
        let region = get_settings().await?.default_region;
        let fields = list_fields().await?;
        let imports = contact_imports(id).await?;
        Ok((c, region, fields, imports))
    });
    view! {
        <section class="page page--narrow">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match contact.await {
                        Ok((c, region, fields, imports)) => Either::Left(view! {
                            <ContactDetails contact=c region fields imports />
                        }),
                        Err(e) => Either::Right(view! {
                            <h1 class="page__title">"Contact"</h1>
                            <p class="error">{e.to_string()}</p>
                            <A href="/contacts">"Back to contacts"</A>
                        }),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ContactDetails(
    contact: ContactView,
    region: Region,
    fields: Vec<CustomFieldView>,
    imports: Vec<ImportView>,
) -> impl IntoView {
    let navigate = use_navigate();
    let query = use_query_map();
    let back = list_url(query.with_untracked(|q| q.get("back")));
    // "Saved Ada Lovelace." after the edit form brought the user back here.
    let notice = Flash::take();
    let here: String =
        form_urlencoded::byte_serialize(format!("/contacts/{}", contact.id).as_bytes()).collect();
    let edit = format!("/contacts/{}/edit?back={here}", contact.id);
    let name = contact.display_name();
    let dialog = RwSignal::new(None::<Confirmation>);
    let error = RwSignal::new(None::<String>);
    let id = contact.id;
    let ask_delete = {
        let name = name.clone();
        let opted_out = contact.sms_status == SmsStatus::OptedOut;
        move |_| {
            dialog.set(Some(Confirmation {
                title: format!("Delete {name}?"),
                body: if opted_out {
                    "This removes the contact with all its phone numbers and e-mail addresses. It cannot be undone. This contact opted out of SMS: once it is deleted, a later import could add its number again without the opt-out.".into()
                } else {
                    "This removes the contact with all its phone numbers and e-mail addresses. It cannot be undone.".into()
                },
                action: "Delete contact".into(),
            }))
        }
    };
    let confirm_delete = {
        let name = name.clone();
        let back = back.clone();
        move |_| {
            let (name, back, navigate) = (name.clone(), back.clone(), navigate.clone());
            spawn_local(async move {
                match delete_contact(id).await {
                    Ok(()) => {
                        Flash::set(format!("Deleted {name}."));
                        navigate(&back, Default::default());
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        }
    };
    let details = |kind: DetailKind| {
        let rows = contact
            .details_of(kind)
            .map(|d| {
                // The line type, unless the label already says it ("mobile").
                let line = d
                    .line
                    .filter(|t| !d.label.eq_ignore_ascii_case(t.label()))
                    .map(|t| view! { <LineBadge line=t /> });
                let primary = (d.is_primary && kind == DetailKind::Phone && contact.details_of(kind).count() > 1)
                    .then(|| view! { <span class="detail__label">"primary"</span> });
                view! {
                    <li class="contact-page__detail" data-testid=format!("contact-{}", kind.as_str())>
                        <bdi class="contact-page__value" dir="ltr">{d.display()}</bdi>
                        {(!d.label.is_empty()).then(|| view! { <span class="detail__label">{d.label.clone()}</span> })}
                        {primary}
                        " "
                        {line}
                    </li>
                }
            })
            .collect::<Vec<_>>();
        if rows.is_empty() {
            Either::Left(view! { <p class="muted">"None."</p> })
        } else {
            Either::Right(view! { <ul class="contact-page__list">{rows}</ul> })
        }
    };
    let phones = details(DetailKind::Phone);
    let emails = details(DetailKind::Email);
    let no_sms = contact
        .details_of(DetailKind::Phone)
        .any(|d| d.line.is_some_and(|t: LineType| !t.can_receive_sms()));
    let groups = if contact.groups.is_empty() {
        Either::Left(
            view! { <p class="muted" data-testid="contact-no-group">"Not in a group."</p> },
        )
    } else {
        Either::Right(
            contact
                .groups
                .iter()
                .map(|g| {
                    let url = ContactQuery {
                        group: GroupFilter::Group(g.id),
                        ..Default::default()
                    }
                    .to_url();
                    let name = g.name.clone();
                    view! { <A href=url attr:class="badge" attr:data-testid="contact-group">{name}</A> }
                })
                .collect_view(),
        )
    };
    let values: Vec<(String, String)> = fields
        .iter()
        .filter_map(|f| {
            let v = contact.fields.iter().find(|v| v.field_id == f.id)?;
            Some((f.name.clone(), display_value(f.kind, &v.value, region)))
        })
        .collect();
    let custom = if values.is_empty() {
        Either::Left(view! { <p class="muted">"No custom field values."</p> })
    } else {
        Either::Right(view! {
            <dl class="contact-page__fields" data-testid="contact-fields">
                {values.into_iter().map(|(k, v)| view! {
                    <dt>{k}</dt><dd class="contact-page__field-value">{v}</dd>
                }).collect_view()}
            </dl>
        })
    };
    let when = |at: &str| {
        if at.is_empty() {
            "—".to_string()
        } else {
            format!("{} UTC", at.get(..16).unwrap_or(at).replace('T', " "))
        }
    };
    let last_import = contact.import_id;
    let import_rows = imports
        .into_iter()
        .map(|i| {
            let file = if i.sheet.is_empty() {
                i.file_name.clone()
            } else {
                format!("{} ({})", i.file_name, i.sheet)
            };
            let what = if Some(i.id) == last_import {
                "last created or changed it"
            } else {
                "changed its SMS status"
            };
            let list = ContactQuery {
                import: Some(i.id),
                ..Default::default()
            }
            .to_url();
            view! {
                <li data-testid="contact-import">
                    <strong>{file}</strong>
                    {format!(" · {} · {what} · ", when(&i.started_at))}
                    <span class="muted">{format!("{} new, {} updated", thousands(i.created), thousands(i.updated))}</span>
                    " · "
                    <A href=list>"its contacts"</A>
                    " · "
                    <a href=format!("/contacts/import#import-{}", i.id)>"in the import history"</a>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let imports_view = if import_rows.is_empty() {
        Either::Left(
            view! { <p class="muted">"Added by hand (no import created or changed it)."</p> },
        )
    } else {
        Either::Right(view! { <ul class="contact-page__imports">{import_rows}</ul> })
    };
    let company =
        (!contact.company.is_empty() && contact.company != name).then(|| contact.company.clone());
    view! {
        <div class="page__header">
            <div>
                <A href=back.clone() attr:class="contact-page__back">"← Contacts"</A>
                <h1 class="page__title" data-testid="contact-page-name"><bdi>{name.clone()}</bdi></h1>
                {company.map(|c| view! { <p class="muted">{c}</p> })}
            </div>
            <div class="page__actions">
                <A href=edit attr:class="button button--primary" attr:data-testid="contact-page-edit">"Edit"</A>
                <button class="button button--danger-text" data-testid="contact-page-delete" on:click=ask_delete>"Delete"</button>
            </div>
        </div>
        {notice.map(|m| view! { <p class="notice" data-testid="notice">{m}</p> })}
        {move || error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        <div class="card contact-page__card">
            <h2 class="contact-page__heading">"Phone numbers"</h2>
            {phones}
            {no_sms.then(|| view! { <p class="muted">"Texts go to a number that can receive SMS; landlines and the like are kept but not texted."</p> })}
            <h2 class="contact-page__heading">"E-mail addresses"</h2>
            {emails}
        </div>
        <SmsPanel contact=contact.clone() />
        <div class="card contact-page__card">
            <h2 class="contact-page__heading">"Groups"</h2>
            <div class="contact-page__groups">{groups}</div>
            <h2 class="contact-page__heading">"Custom fields"</h2>
            {custom}
        </div>
        <div class="card contact-page__card" data-testid="contact-history">
            <h2 class="contact-page__heading">"History"</h2>
            <dl class="contact-page__fields">
                <dt>"Created"</dt><dd data-testid="contact-created">{when(&contact.created_at)}</dd>
                <dt>"Last changed"</dt><dd data-testid="contact-updated">{when(&contact.updated_at)}</dd>
            </dl>
            <h3 class="contact-page__subheading">"Imports"</h3>
            {imports_view}
        </div>
        <ConfirmDialog open=dialog on_confirm=confirm_delete />
    }
}
