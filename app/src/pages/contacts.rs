//! The contacts list: search, group, SMS and custom-field filters, custom
//! fields as columns, sort, pagination, edit, delete.
//! The URL holds the query, so every view can be linked and reloaded.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{
    bulk_contacts, bulk_count, delete_contact, get_settings, list_contacts, list_fields,
    list_groups,
};
use crate::bulk::{BulkAction, BulkProgress, BulkTarget};
use crate::components::{thousands, ConfirmDialog, Confirmation, Flash};
use crate::import::fields::display_value;
use crate::import::{DetailKind, LineType, Region, SmsStatus};
use crate::model::{
    ContactPage, ContactQuery, ContactView, CustomFieldView, GroupFilter, GroupView, SmsFilter,
    SortOrder,
};

/// How long typing must pause before the search runs.
const SEARCH_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

#[component]
pub fn ContactsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| ContactQuery::from_params(|k| p.get(k))));
    let version = RwSignal::new(0u32);
    let contacts = Resource::new(
        move || (query.get(), version.get()),
        |(q, _)| list_contacts(q),
    );
    let groups = Resource::new(move || version.get(), |_| list_groups());
    let fields = Resource::new(|| (), |_| list_fields());
    let settings = Resource::new(|| (), |_| get_settings());

    let pending_delete = RwSignal::new(None::<(i64, Confirmation)>);
    let dialog = RwSignal::new(None::<Confirmation>);
    // "Saved Ada Lovelace." after a form brought the user back here.
    let notice = RwSignal::new(Flash::take());
    let ask_delete = Callback::new(move |c: ContactView| {
        let confirmation = Confirmation {
            title: format!("Delete {}?", c.display_name()),
            body: if c.sms_status == SmsStatus::OptedOut {
                "This removes the contact with all its phone numbers and e-mail addresses. It cannot be undone. This contact opted out of SMS: once it is deleted, a later import could add its number again without the opt-out.".into()
            } else {
                "This removes the contact with all its phone numbers and e-mail addresses. It cannot be undone.".into()
            },
            action: "Delete contact".into(),
        };
        pending_delete.set(Some((c.id, confirmation.clone())));
        dialog.set(Some(confirmation));
    });
    // Bulk actions: the rows ticked on this page, or every contact the
    // filter finds; a new search or filter starts a new selection.
    let picked = RwSignal::new(Vec::<i64>::new());
    let all_matching = RwSignal::new(false);
    // Paging, sorting or showing another column keeps the selection.
    let filter = Memo::new(move |_| {
        query.with(|q| (q.search.clone(), q.group, q.import, q.sms, q.field.clone()))
    });
    Effect::new(move |_| {
        filter.track();
        picked.set(Vec::new());
        all_matching.set(false);
    });
    let bulk_running = RwSignal::new(None::<String>);
    // Counting before the confirmation, or the confirmation open: Apply
    // waits (a second click would start a second run).
    let bulk_counting = RwSignal::new(false);
    let pending_bulk = StoredValue::new(None::<(BulkRequest, u64)>);
    let bulk_dialog = RwSignal::new(None::<Confirmation>);
    let run_bulk = move |req: BulkRequest, total: u64| {
        bulk_running.set(Some(format!(
            "{}… {}",
            crate::bulk::doing(&req.action, &req.group, &req.field),
            BulkProgress::default().of(total)
        )));
        spawn_local(async move {
            let mut done = BulkProgress::default();
            let outcome = loop {
                match bulk_contacts(req.target.clone(), req.action.clone(), done.next).await {
                    Ok(step) => {
                        done = done.then(step);
                        if done.next.is_none() {
                            break Ok(());
                        }
                        bulk_running.set(Some(format!(
                            "{}… {}",
                            crate::bulk::doing(&req.action, &req.group, &req.field),
                            done.of(total)
                        )));
                    }
                    Err(e) => break Err(e),
                }
            };
            let summary =
                crate::bulk::summary(&req.action, &done, &req.group, &req.field, &req.value);
            let finished = outcome.is_ok();
            notice.set(Some(match outcome {
                Ok(()) => summary,
                Err(e) if done.seen == 0 => e.to_string(),
                Err(e) => format!(
                    "Stopped partway ({}). What was done is kept: {summary} Apply it again to finish.",
                    e.to_string().trim_end_matches('.')
                ),
            }));
            bulk_running.set(None);
            // A run that stopped keeps its selection, to be applied again.
            if finished {
                picked.set(Vec::new());
                all_matching.set(false);
            }
            version.update(|v| *v += 1);
        });
    };
    let ask_bulk = Callback::new(move |req: BulkRequest| {
        bulk_counting.set(true);
        spawn_local(async move {
            let total = match &req.target {
                BulkTarget::Picked(ids) => ids.len() as u64,
                BulkTarget::Matching(_) => match bulk_count(req.target.clone()).await {
                    Ok(n) => n,
                    Err(e) => {
                        notice.set(Some(e.to_string()));
                        bulk_counting.set(false);
                        return;
                    }
                },
            };
            bulk_counting.set(false);
            if total == 0 {
                notice.set(Some(
                    "No contacts match any more: nothing was changed.".into(),
                ));
                return;
            }
            let asks =
                req.action == BulkAction::Delete || matches!(req.target, BulkTarget::Matching(_));
            if !asks {
                run_bulk(req, total);
                return;
            }
            let (title, action) =
                crate::bulk::confirmation(&req.action, total, &req.group, &req.field, &req.value);
            let body = if req.action == BulkAction::Delete {
                "This removes them with all their phone numbers, e-mail addresses and field values. It cannot be undone. Any of them who opted out of SMS could be added again by a later import without the opt-out."
            } else {
                "This changes every contact the list's search and filters find now."
            };
            pending_bulk.set_value(Some((req, total)));
            bulk_dialog.set(Some(Confirmation {
                title,
                body: body.into(),
                action,
            }));
        });
    });
    let busy = Signal::derive(move || {
        bulk_running.with(Option::is_some)
            || bulk_counting.get()
            || bulk_dialog.with(Option::is_some)
    });
    let confirm_bulk = move |_| {
        if let Some((req, total)) = pending_bulk.get_value() {
            run_bulk(req, total);
        }
    };
    let confirm_delete = move |_| {
        let Some((id, _)) = pending_delete.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match delete_contact(id).await {
                Ok(()) => {
                    picked.update(|p| p.retain(|x| *x != id));
                    notice.set(Some("Contact deleted.".into()))
                }
                Err(e) => notice.set(Some(e.to_string())),
            }
            version.update(|v| *v += 1);
        });
    };

    view! {
        <section class="page">
            <div class="page__header">
                <h1 class="page__title">"Contacts"</h1>
                <div class="page__actions">
                    <A href="/contacts/groups" attr:class="button" attr:data-testid="manage-groups">"Manage groups"</A>
                    <A href="/contacts/import" attr:class="button" attr:data-testid="import-contacts">"Import Contacts"</A>
                    <ExportMenu query />
                    <A href=move || form_url("/contacts/new", &query.get()) attr:class="button button--primary" attr:data-testid="add-contact">"Add Single Contact"</A>
                </div>
            </div>
            <Show when=move || query.with(|q| q.import.is_some())>
                <p class="notice notice--info" data-testid="import-filter">
                    "Showing the contacts created or updated by one import. "
                    <A href=move || ContactQuery { import: None, page: 1, ..query.get() }.to_url()>"Show all contacts"</A>
                </p>
            </Show>
            <Show when=move || notice.with(Option::is_some)>
                <p class="notice" data-testid="notice">{move || notice.get()}</p>
            </Show>
            <div class="contacts">
                <GroupSidebar groups query />
                <div class="contacts__main">
                    <ListControls query fields />
                    <Transition fallback=|| view! { <p class="muted">"Loading contacts…"</p> }>
                        {move || Suspend::new(async move {
                            let shown = fields.await.unwrap_or_default();
                            let region = settings.await.map(|s| s.default_region).unwrap_or_default();
                            let group_list = groups.await.unwrap_or_default();
                            match contacts.await {
                                Ok(page) => Either::Left(view! {
                                    <BulkBar page=page.clone() query picked all_matching running=bulk_running busy=busy groups=group_list fields=shown.clone() region ask=ask_bulk />
                                    <ContactTable page query ask_delete fields=shown region picked />
                                }),
                                Err(e) => Either::Right(view! { <p class="error" data-testid="list-error">{e.to_string()}</p> }),
                            }
                        })}
                    </Transition>
                </div>
            </div>
            <ConfirmDialog open=dialog on_confirm=confirm_delete />
            <ConfirmDialog open=bulk_dialog on_confirm=confirm_bulk />
        </section>
    }
}

/// "Export": what the list shows (its search and filters) or everything,
/// as csv, xlsx or vCard. Plain links: the browser downloads the file as
/// the server streams it, to disk, never holding it in the page.
#[component]
fn ExportMenu(query: Memo<ContactQuery>) -> impl IntoView {
    let filtered = move || {
        query.with(|q| {
            !q.search.is_empty()
                || q.group != GroupFilter::All
                || q.sms != SmsFilter::All
                || q.field.is_some()
                || q.import.is_some()
        })
    };
    let link = move |format: &'static str, all: bool| {
        let q = if all {
            ContactQuery::default()
        } else {
            query.get()
        };
        q.export_url(format)
    };
    let formats = [("csv", "CSV"), ("xlsx", "Excel (xlsx)"), ("vcf", "vCard")];
    // The menu closes once a format is chosen (the download goes on).
    let menu = NodeRef::<leptos::html::Details>::new();
    let close = move |_| {
        if let Some(details) = menu.get() {
            let _ = details.remove_attribute("open");
        }
    };
    view! {
        <details class="export-menu" data-testid="export-menu" node_ref=menu>
            <summary class="button">"Export"</summary>
            <div class="controls__menu export-menu__list" on:click=close>
                {move || filtered().then(|| view! {
                    <p class="muted export-menu__title">"What the list shows"</p>
                    {formats.into_iter().map(|(f, label)| view! {
                        <a href=move || link(f, false) download="" rel="external" data-testid=format!("export-shown-{f}")>{label}</a>
                    }).collect_view()}
                })}
                <p class="muted export-menu__title">"All contacts"</p>
                {formats.into_iter().map(|(f, label)| view! {
                    <a href=move || link(f, true) download="" rel="external" data-testid=format!("export-all-{f}")>{label}</a>
                }).collect_view()}
            </div>
        </details>
    }
}

/// Groups to filter by, with member counts.
#[component]
fn GroupSidebar(
    groups: Resource<Result<Vec<GroupView>, crate::AppError>>,
    query: Memo<ContactQuery>,
) -> impl IntoView {
    let link = move |group: GroupFilter| {
        ContactQuery {
            group,
            page: 1,
            import: None,
            ..query.get()
        }
        .to_url()
    };
    let class = move |group: GroupFilter| {
        if query.get().group == group && query.get().import.is_none() {
            "sidebar__item sidebar__item--active"
        } else {
            "sidebar__item"
        }
    };
    view! {
        <aside class="sidebar" data-testid="group-sidebar">
            <h2 class="sidebar__title">"Groups"</h2>
            <A href=move || link(GroupFilter::All) attr:class=move || class(GroupFilter::All)>"All contacts"</A>
            <A href=move || link(GroupFilter::None) attr:class=move || class(GroupFilter::None) attr:data-testid="filter-no-group">
                "Not in a group"
            </A>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    groups.await.unwrap_or_default().into_iter().map(|g| {
                        let f = GroupFilter::Group(g.id);
                        let testid = format!("filter-group-{}", g.name);
                        view! {
                            <A href=move || link(f) attr:class=move || class(f) attr:data-testid=testid>
                                <span class="sidebar__name">{g.name.clone()}</span>
                                <span class="sidebar__count">{thousands(g.member_count)}</span>
                            </A>
                        }
                    }).collect_view()
                })}
            </Transition>
        </aside>
    }
}

/// Search box, sort order, SMS and custom-field filters, and the custom
/// fields shown as columns; all live in the URL.
#[component]
fn ListControls(
    query: Memo<ContactQuery>,
    fields: Resource<Result<Vec<CustomFieldView>, crate::AppError>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let go = move |q: ContactQuery| {
        navigate(
            &q.to_url(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        )
    };
    let go2 = go.clone();
    let go3 = go.clone();
    let go4 = go.clone();
    let go5 = go.clone();
    let go6 = go.clone();
    // The field filter as it is being chosen: applied with its button.
    let filter_field =
        RwSignal::new(query.with_untracked(|q| q.field.as_ref().map(|f| f.field_id).unwrap_or(0)));
    let filter_value = RwSignal::new(query.with_untracked(|q| {
        q.field
            .as_ref()
            .map(|f| f.value.clone())
            .unwrap_or_default()
    }));
    let apply_filter = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, value) = (filter_field.get_untracked(), filter_value.get_untracked());
        let field = (id > 0 && !value.trim().is_empty()).then(|| crate::model::FieldFilter {
            field_id: id,
            value: value.trim().to_string(),
        });
        go4(ContactQuery {
            field,
            page: 1,
            ..query.get_untracked()
        });
    });
    let clear_filter = Callback::new(move |_: ()| {
        filter_value.set(String::new());
        filter_field.set(0);
        go5(ContactQuery {
            field: None,
            page: 1,
            ..query.get_untracked()
        });
    });
    let toggle_column = Callback::new(move |(id, on): (i64, bool)| {
        let mut q = query.get_untracked();
        q.columns.retain(|c| *c != id);
        if on {
            q.columns.push(id);
        }
        go6(q);
    });
    // Search as you type, once typing pauses: one request per pause, not per key.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_search = move |ev: leptos::ev::Event| {
        let search = event_target_value(&ev);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let go = go.clone();
        let fire = move || {
            // The page may have been left meanwhile: then there is nothing to update.
            if let Some(current) = query.try_get_untracked() {
                go(ContactQuery {
                    search,
                    page: 1,
                    ..current
                });
            }
        };
        pending.set_value(set_timeout_with_handle(fire, SEARCH_PAUSE).ok());
    };
    // Leaving the list cancels a search still waiting, so it cannot navigate back here.
    on_cleanup(move || {
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
    });
    view! {
        <div class="controls">
            <input
                type="search"
                class="input controls__search"
                placeholder="Search name, company, phone or e-mail"
                aria-label="Search contacts"
                data-testid="contact-search"
                value=move || query.get().search
                prop:value=move || query.get().search
                on:input=on_search
            />
            <label class="controls__sort">
                "Sort by "
                <select
                    class="input"
                    data-testid="contact-sort"
                    on:change=move |ev| go2(ContactQuery { sort: SortOrder::parse(&event_target_value(&ev)), page: 1, ..query.get_untracked() })
                >
                    <option value="name" selected=move || query.get().sort == SortOrder::Name>"Name"</option>
                    <option value="updated" selected=move || query.get().sort == SortOrder::Updated>"Last updated"</option>
                </select>
            </label>
            <label class="controls__sort">
                <span class="visually-hidden">"SMS"</span>
                <select
                    class="input"
                    aria-label="Filter by SMS status"
                    data-testid="contact-sms-filter"
                    on:change=move |ev| go3(ContactQuery { sms: SmsFilter::from_param(&event_target_value(&ev)), page: 1, ..query.get_untracked() })
                >
                    {SmsFilter::ALL.into_iter().map(|f| view! {
                        <option value=f.to_param() selected=move || query.get().sms == f>{f.label()}</option>
                    }).collect_view()}
                </select>
            </label>
        </div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = fields.await.unwrap_or_default();
                (!list.is_empty()).then(|| {
                    let choices = list.clone();
                    view! {
                        <div class="controls controls--fields">
                            <form class="controls__filter" on:submit=move |ev| apply_filter.run(ev) data-testid="field-filter">
                                <select class="input" aria-label="Filter by a custom field" data-testid="field-filter-field"
                                    on:change=move |ev| filter_field.set(event_target_value(&ev).parse().unwrap_or(0))>
                                    <option value="0" selected=move || filter_field.get() == 0>"Filter by field…"</option>
                                    {choices.into_iter().map(|f| view! {
                                        <option value=f.id.to_string() selected=move || filter_field.get() == f.id>{f.name.clone()}</option>
                                    }).collect_view()}
                                </select>
                                <span class="controls__equals" aria-hidden="true">"="</span>
                                <input class="input" aria-label="Value" placeholder="Value" data-testid="field-filter-value"
                                    prop:value=move || filter_value.get() on:input=move |ev| filter_value.set(event_target_value(&ev)) />
                                <button type="submit" class="button button--small" data-testid="field-filter-apply">"Filter"</button>
                                {move || query.with(|q| q.field.is_some()).then(|| view! {
                                    <button type="button" class="button button--small button--link" data-testid="field-filter-clear" on:click=move |_| clear_filter.run(())>"Clear"</button>
                                })}
                            </form>
                            <details class="controls__columns">
                                <summary class="button button--small" data-testid="field-columns">"Columns"</summary>
                                <div class="controls__menu">
                                    {list.into_iter().map(|f| {
                                        let id = f.id;
                                        view! {
                                            <label class="check">
                                                <input type="checkbox" data-testid=format!("field-column-{}", f.name)
                                                    prop:checked=move || query.with(|q| q.columns.contains(&id))
                                                    on:change=move |ev| toggle_column.run((id, event_target_checked(&ev))) />
                                                {f.name.clone()}
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            </details>
                        </div>
                    }
                })
            })}
        </Transition>
    }
}

#[component]
fn ContactTable(
    page: ContactPage,
    query: Memo<ContactQuery>,
    ask_delete: Callback<ContactView>,
    fields: Vec<CustomFieldView>,
    region: Region,
    picked: RwSignal<Vec<i64>>,
) -> impl IntoView {
    if page.contacts.is_empty() {
        let searching = query.with_untracked(|q| {
            !q.search.is_empty()
                || q.group != GroupFilter::All
                || q.sms != SmsFilter::All
                || q.field.is_some()
        });
        return Either::Left(view! {
            <div class="card empty" data-testid="contacts-empty">
                {if searching {
                    Either::Left(view! { <p>"No contacts match. Try another search or group."</p> })
                } else {
                    Either::Right(view! {
                        <p>"No contacts yet."</p>
                        <p class="muted">"Add one by hand, or import a spreadsheet of them."</p>
                    })
                }}
            </div>
        });
    }
    let first = (page.page - 1) * page.per_page + 1;
    let last = first + page.contacts.len() as u64 - 1;
    let pages = page.page_count();
    let current = page.page;
    let has_next = page.has_next();
    // A count that stopped: "of 10,000+", and pages without a last one.
    let (of, page_of) = if page.more {
        (
            format!("{}+", thousands(page.total.max(last))),
            format!("Page {}", thousands(current)),
        )
    } else {
        (
            thousands(page.total),
            format!("Page {} of {}", thousands(current), thousands(pages)),
        )
    };
    let at = move |n: u64| {
        ContactQuery {
            page: n,
            ..query.get()
        }
        .to_url()
    };
    // The fields shown as columns, in the account's order; a filter's
    // field is always one.
    let columns: Vec<CustomFieldView> = query.with_untracked(|q| {
        fields
            .into_iter()
            .filter(|f| {
                q.columns.contains(&f.id) || q.field.as_ref().is_some_and(|x| x.field_id == f.id)
            })
            .collect()
    });
    let with_fields = !columns.is_empty();
    let heads = columns
        .iter()
        .map(|f| view! { <th class="field-col" data-testid="field-column-head">{f.name.clone()}</th> })
        .collect_view();
    let page_ids: Vec<i64> = page.contacts.iter().map(|c| c.id).collect();
    let all_ids = page_ids.clone();
    let all_picked =
        move || picked.with(|p| !all_ids.is_empty() && all_ids.iter().all(|id| p.contains(id)));
    let pick_page = move |on: bool| {
        picked.update(|p| {
            p.retain(|id| !page_ids.contains(id));
            if on {
                p.extend(page_ids.iter().copied());
            }
        })
    };
    Either::Right(view! {
        <table class="table table--contacts" class:table--with-fields=with_fields data-testid="contacts-table">
            <thead>
                <tr>
                    <th class="table__pick">
                        <input type="checkbox" aria-label="Select every contact on this page" data-testid="pick-page"
                            prop:checked=all_picked on:change=move |ev| pick_page(event_target_checked(&ev)) />
                    </th>
                    <th>"Name"</th>
                    <th>"Phone"</th>
                    <th>"E-mail"</th>
                    <th>"Groups"</th>
                    {heads}
                    <th class="table__actions"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {page.contacts.into_iter().map(|c| view! { <ContactRow contact=c ask_delete query columns=columns.clone() region picked />  }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" data-testid="pager">
            <span class="pager__info" data-testid="pager-info">
                {format!("{}–{} of {of}", thousands(first), thousands(last))}
            </span>
            <span class="pager__links">
                {(current > 1).then(|| view! { <A href=move || at(current - 1) attr:class="button button--small" attr:data-testid="pager-prev">"← Previous"</A> })}
                <span class="pager__page">{page_of}</span>
                {has_next.then(|| view! { <A href=move || at(current + 1) attr:class="button button--small" attr:data-testid="pager-next">"Next →"</A> })}
            </span>
        </nav>
    })
}

#[component]
fn ContactRow(
    contact: ContactView,
    ask_delete: Callback<ContactView>,
    query: Memo<ContactQuery>,
    columns: Vec<CustomFieldView>,
    region: Region,
    picked: RwSignal<Vec<i64>>,
) -> impl IntoView {
    let id = contact.id;
    let values = columns
        .iter()
        .map(|f| {
            let value = contact
                .fields
                .iter()
                .find(|v| v.field_id == f.id)
                .map(|v| display_value(f.kind, &v.value, region))
                .unwrap_or_default();
            view! { <td class="field-col" data-testid=format!("field-value-{}", f.name)>{value}</td> }
        })
        .collect_view();
    let name = contact.display_name();
    let details = |kind: DetailKind| {
        contact
            .details_of(kind)
            .map(|d| {
                let label = (!d.label.is_empty())
                    .then(|| view! { <span class="detail__label">{d.label.clone()}</span> });
                // A mobile is the rule; any other line type is said, on its own line.
                let line = d
                    .line
                    .filter(|t| *t != LineType::Mobile)
                    .map(|t| view! { <div class="detail__line"><LineBadge line=t /></div> });
                view! { <div class="detail" title=d.display()>{d.display()} {label}</div> {line} }
            })
            .collect_view()
    };
    let phones = details(DetailKind::Phone);
    let emails = details(DetailKind::Email);
    let company =
        (!contact.company.is_empty() && name != contact.company).then(|| contact.company.clone());
    let groups = contact
        .groups
        .iter()
        .map(|g| view! { <span class="badge" title=g.name.clone()>{g.name.clone()}</span> })
        .collect_view();
    let edit = form_url(
        &format!("/contacts/{}/edit", contact.id),
        &query.get_untracked(),
    );
    let page = form_url(&format!("/contacts/{}", contact.id), &query.get_untracked());
    view! {
        <tr data-testid="contact-row" class:table__row--picked=move || picked.with(|p| p.contains(&id))>
            <td class="table__pick">
                <input type="checkbox" aria-label=format!("Select {name}") data-testid="pick-contact"
                    prop:checked=move || picked.with(|p| p.contains(&id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        picked.update(|p| {
                            p.retain(|x| *x != id);
                            if on {
                                p.push(id);
                            }
                        })
                    } />
            </td>
            <td>
                <div class="table__name"><A href=page attr:data-testid="contact-name">{name.clone()}</A></div>
                {company.map(|c| view! { <div class="muted">{c}</div> })}
                <SmsBadge status=contact.sms_status />
            </td>
            <td>{phones}</td>
            <td>{emails}</td>
            <td>{groups}</td>
            {values}
            <td class="table__actions">
                <A href=edit attr:class="button button--small" attr:data-testid="contact-edit">"Edit"</A>
                <button class="button button--small button--danger-text" data-testid="contact-delete" on:click=move |_| ask_delete.run(contact.clone())>
                    "Delete"
                </button>
            </td>
        </tr>
    }
}

/// A bulk action as the bar asks for it, with the names its words need.
#[derive(Clone)]
struct BulkRequest {
    target: BulkTarget,
    action: BulkAction,
    group: String,
    field: String,
    /// The field's new value as the list shows it ("" when cleared).
    value: String,
}

/// Above the list once rows are ticked: how many, "select all N matching",
/// the action (add to a group, remove from one, set a field, delete) and,
/// while one runs, its progress.
#[component]
#[allow(clippy::too_many_arguments, reason = "the list's state, passed down")]
fn BulkBar(
    page: ContactPage,
    query: Memo<ContactQuery>,
    picked: RwSignal<Vec<i64>>,
    all_matching: RwSignal<bool>,
    running: RwSignal<Option<String>>,
    busy: Signal<bool>,
    groups: Vec<GroupView>,
    fields: Vec<CustomFieldView>,
    region: Region,
    ask: Callback<BulkRequest>,
) -> impl IntoView {
    let on_page = page.contacts.len();
    let total = if page.more {
        format!("{}+", thousands(page.total))
    } else {
        thousands(page.total)
    };
    let total_words = if page.total == 1 && !page.more {
        "the 1 matching contact".to_string()
    } else {
        format!("all {total} matching contacts")
    };
    let ids = StoredValue::new(page.contacts.iter().map(|c| c.id).collect::<Vec<i64>>());
    let whole_page = move || {
        ids.with_value(|ids| {
            picked.with(|p| !ids.is_empty() && ids.iter().all(|id| p.contains(id)))
        })
    };
    let total = StoredValue::new(total);
    let total_words = StoredValue::new(total_words);
    let more_than_page = page.more || page.total > on_page as u64;
    // The group the list shows is the likely one to remove from.
    let shown_group = query.with_untracked(|q| match q.group {
        GroupFilter::Group(id) => id,
        _ => 0,
    });
    let action = RwSignal::new(String::new());
    let group = RwSignal::new(if shown_group > 0 {
        shown_group
    } else {
        groups.first().map_or(0, |g| g.id)
    });
    let field = RwSignal::new(fields.first().map_or(0, |f| f.id));
    let value = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let groups = StoredValue::new(groups);
    let fields = StoredValue::new(fields);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.set(None);
        let group_id = group.get_untracked();
        let field_id = field.get_untracked();
        let act = match action.get_untracked().as_str() {
            "add" if group_id > 0 => BulkAction::AddToGroup(group_id),
            "remove" if group_id > 0 => BulkAction::RemoveFromGroup(group_id),
            "add" | "remove" => {
                problem.set(Some("Create a group first (Manage groups).".into()));
                return;
            }
            "field" if field_id > 0 => BulkAction::SetField {
                field_id,
                value: value.get_untracked(),
            },
            "field" => {
                problem.set(Some("Create a custom field first (Settings).".into()));
                return;
            }
            "delete" => BulkAction::Delete,
            _ => {
                problem.set(Some("Choose what to do with them.".into()));
                return;
            }
        };
        let target = if all_matching.get_untracked() {
            BulkTarget::Matching(query.get_untracked())
        } else {
            BulkTarget::Picked(picked.get_untracked())
        };
        let group = groups.with_value(|list| {
            list.iter()
                .find(|g| g.id == group_id)
                .map(|g| g.name.clone())
                .unwrap_or_default()
        });
        let def = fields.with_value(|list| list.iter().find(|f| f.id == field_id).cloned());
        let field = def.as_ref().map(|f| f.name.clone()).unwrap_or_default();
        // A field's value checked here first, by the rule the server applies again.
        let mut value = String::new();
        if let BulkAction::SetField { .. } = act {
            let Some(def) = def.and_then(|f| f.def()) else {
                problem.set(Some(
                    "That custom field no longer exists. Reload the page.".into(),
                ));
                return;
            };
            match act.resolve(Some(&def), region) {
                Ok(write) => value = crate::bulk::shown_value(&write, &def, region),
                Err(message) => {
                    problem.set(Some(message));
                    return;
                }
            }
        }
        ask.run(BulkRequest {
            target,
            action: act,
            group,
            field,
            value,
        });
    };
    let shown = move || {
        running.with(Option::is_some) || all_matching.get() || picked.with(|p| !p.is_empty())
    };
    let group_select = move || {
        let options = groups.get_value();
        view! {
            <select class="input" aria-label="Group" data-testid="bulk-group"
                on:change=move |ev| group.set(event_target_value(&ev).parse().unwrap_or(0))>
                {options.into_iter().map(|g| view! {
                    <option value=g.id.to_string() selected=move || group.get() == g.id>{g.name.clone()}</option>
                }).collect_view()}
            </select>
        }
    };
    let field_inputs = move || {
        let options = fields.get_value();
        view! {
            <select class="input" aria-label="Field" data-testid="bulk-field"
                on:change=move |ev| field.set(event_target_value(&ev).parse().unwrap_or(0))>
                {options.into_iter().map(|f| view! {
                    <option value=f.id.to_string() selected=move || field.get() == f.id>{f.name.clone()}</option>
                }).collect_view()}
            </select>
            <input class="input" aria-label="Value (empty clears the field)" placeholder="Value (empty clears it)" data-testid="bulk-value"
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    view! {
        <Show when=shown>
            <form class="bulk" role="region" aria-label="Bulk actions" data-testid="bulk-bar" on:submit=submit>
                <div class="bulk__selection">
                    <strong data-testid="bulk-selected">
                        {
                            move || if all_matching.get() {
                                format!("All {} matching contacts selected", total.get_value())
                            } else {
                                let n = picked.with(Vec::len);
                                format!("{} selected", thousands(n))
                            }
                        }
                    </strong>
                    {
                        move || (more_than_page && whole_page() && !all_matching.get()).then(|| {
                            let words = total_words.get_value();
                            view! {
                                <button type="button" class="button button--small button--link" data-testid="bulk-all"
                                    on:click=move |_| all_matching.set(true)>{format!("Select {words}")}</button>
                            }
                        })
                    }
                    <button type="button" class="button button--small button--link" data-testid="bulk-clear"
                        on:click=move |_| { all_matching.set(false); picked.set(Vec::new()); }>"Clear selection"</button>
                </div>
                <div class="bulk__action">
                    <select class="input" aria-label="Bulk action" data-testid="bulk-action"
                        on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="" selected=move || action.get().is_empty()>"Choose an action…"</option>
                        <option value="add">"Add to group"</option>
                        <option value="remove">"Remove from group"</option>
                        <option value="field">"Set a field"</option>
                        <option value="delete">"Delete"</option>
                    </select>
                    {move || match action.get().as_str() {
                        "add" | "remove" => Some(group_select().into_any()),
                        "field" => Some(field_inputs().into_any()),
                        _ => None,
                    }}
                    <button type="submit" class="button button--small button--primary" data-testid="bulk-apply"
                        disabled=move || busy.get()>"Apply"</button>
                </div>
                <p class="bulk__progress" aria-live="polite" data-testid="bulk-progress">
                    {move || running.get().or_else(|| problem.get())}
                </p>
            </form>
        </Show>
    }
}

/// A phone's line type as a small badge: plain for a number that can
/// receive SMS, marked (with words, not only colour) for one that cannot.
#[component]
pub fn LineBadge(line: LineType) -> impl IntoView {
    let (class, text) = if line.can_receive_sms() {
        ("line line--sms", line.label().to_string())
    } else {
        (
            "line line--no-sms",
            format!("{}: can't receive SMS", line.label()),
        )
    };
    view! { <span class=class data-testid="line-type" data-line=line.as_str()>{text}</span> }
}

/// A contact's SMS status as a badge; "not recorded" says nothing unless
/// `always` (the contact's page).
#[component]
pub fn SmsBadge(status: SmsStatus, #[prop(optional)] always: bool) -> impl IntoView {
    let (class, text) = match status {
        SmsStatus::OptedIn => ("sms sms--in", "SMS: opted in"),
        SmsStatus::OptedOut => ("sms sms--out", "SMS: opted out"),
        SmsStatus::NotRecorded => ("sms sms--unknown", "SMS consent not recorded"),
    };
    (always || status != SmsStatus::NotRecorded).then(|| {
        view! { <span class=class data-testid="sms-status" data-status=status.as_str()>{text}</span> }
    })
}

/// A form's address that brings the user back to this list (its search,
/// group, sort and page) once saved.
fn form_url(path: &str, query: &ContactQuery) -> String {
    let back: String = form_urlencoded::byte_serialize(query.to_url().as_bytes()).collect();
    format!("{path}?back={back}")
}
