//! Messages: the start of a message. Choose whom it goes to (groups,
//! contacts one by one, or everyone a search finds) and see at once how many
//! we may text, at one number each, and why the others not. Composing and
//! sending the message is the SMS module's, not this product's.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{list_contacts, list_groups, resolve_recipients};
use crate::components::thousands;
use crate::model::{ContactQuery, RecipientsRequest, SmsFilter};

#[component]
pub fn MessagesPage() -> impl IntoView {
    let groups = Resource::new(|| (), |_| list_groups());
    let chosen_groups = RwSignal::new(Vec::<i64>::new());
    // Contacts chosen one by one: (id, name).
    let chosen_contacts = RwSignal::new(Vec::<(i64, String)>::new());
    let search = RwSignal::new(String::new());
    let everyone_found = RwSignal::new(false);
    let sms_filter = RwSignal::new(SmsFilter::All);

    let request = Memo::new(move |_| RecipientsRequest {
        group_ids: chosen_groups.get(),
        contact_ids: chosen_contacts.with(|c| c.iter().map(|(id, _)| *id).collect()),
        filter: everyone_found.get().then(|| ContactQuery {
            search: search.get(),
            sms: sms_filter.get(),
            ..Default::default()
        }),
        limit: 0,
        after: None,
    });
    let audience = Resource::new(move || request.get(), resolve_recipients);
    let found = Resource::new(
        move || search.get(),
        |q| async move {
            if q.trim().is_empty() {
                return Ok(Default::default());
            }
            list_contacts(ContactQuery {
                search: q,
                per_page: 8,
                ..Default::default()
            })
            .await
        },
    );
    let download = move |format: &str| {
        let json = serde_json::to_string(&request.get()).unwrap_or_default();
        let json: String = form_urlencoded::byte_serialize(json.as_bytes()).collect();
        format!("/api/recipients/download?format={format}&request={json}")
    };

    view! {
        <section class="page">
            <div class="page__header">
                <h1 class="page__title">"Messages"</h1>
                <div class="page__actions">
                    <A href="/contacts" attr:class="button">"Go to Contacts"</A>
                </div>
            </div>
            <p class="muted" data-testid="messages-note">
                "Choose whom your message goes to: we count who can receive it, at one number each. "
                "Writing and sending the message happens in the SMS module, not here."
            </p>
            <div class="messages">
                <div class="messages__choose">
                    <section class="card messages__section" aria-labelledby="messages-groups">
                        <h2 class="messages__title" id="messages-groups">"Groups"</h2>
                        <Transition fallback=|| view! { <p class="muted">"Loading groups…"</p> }>
                            {move || Suspend::new(async move {
                                let list = groups.await.unwrap_or_default();
                                if list.is_empty() {
                                    return view! { <p class="muted">"No groups yet."</p> }.into_any();
                                }
                                view! {
                                    <div class="checks checks--column">
                                        {list.into_iter().map(|g| {
                                            let id = g.id;
                                            view! {
                                                <label class="check">
                                                    <input type="checkbox" data-testid=format!("messages-group-{}", g.name)
                                                        prop:checked=move || chosen_groups.with(|c| c.contains(&id))
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            chosen_groups.update(|c| {
                                                                c.retain(|x| *x != id);
                                                                if on { c.push(id) }
                                                            });
                                                        } />
                                                    {format!("{} ({})", g.name, thousands(g.member_count))}
                                                </label>
                                            }
                                        }).collect_view()}
                                    </div>
                                }.into_any()
                            })}
                        </Transition>
                    </section>
                    <section class="card messages__section" aria-labelledby="messages-contacts">
                        <h2 class="messages__title" id="messages-contacts">"Contacts"</h2>
                        <input type="search" class="input" placeholder="Search name, company, phone or e-mail"
                            aria-label="Search contacts to add" data-testid="messages-search"
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev)) />
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let page = found.await.unwrap_or_default();
                                view! {
                                    <ul class="messages__found">
                                        {page.contacts.into_iter().map(|c| {
                                            let id = c.id;
                                            let name = c.display_name();
                                            let label = name.clone();
                                            view! {
                                                <li>
                                                    <button type="button" class="button button--small" data-testid="messages-add"
                                                        disabled=move || chosen_contacts.with(|l| l.iter().any(|(x, _)| *x == id))
                                                        on:click=move |_| chosen_contacts.update(|l| l.push((id, name.clone())))>
                                                        "Add"
                                                    </button>
                                                    " " {label}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }
                            })}
                        </Transition>
                        <label class="check">
                            <input type="checkbox" data-testid="messages-everyone-found"
                                prop:checked=move || everyone_found.get()
                                on:change=move |ev| everyone_found.set(event_target_checked(&ev)) />
                            {move || if search.with(|s| s.trim().is_empty()) {
                                "Everyone in your contacts".to_string()
                            } else {
                                format!("Everyone this search finds (“{}”)", search.get().trim())
                            }}
                        </label>
                        <Show when=move || everyone_found.get()>
                            <label class="field">
                                <span class="field__label">"Of them"</span>
                                <select class="input" data-testid="messages-sms-filter"
                                    on:change=move |ev| sms_filter.set(SmsFilter::from_param(&event_target_value(&ev)))>
                                    {SmsFilter::ALL.into_iter().map(|f| view! {
                                        <option value=f.to_param() selected=move || sms_filter.get() == f>{f.label()}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        </Show>
                        {move || chosen_contacts.with(|l| (!l.is_empty()).then(|| view! {
                            <ul class="messages__chosen" data-testid="messages-chosen">
                                {l.iter().cloned().map(|(id, name)| view! {
                                    <li class="badge">
                                        {name}
                                        " "
                                        <button type="button" class="button button--small button--link" aria-label="Remove"
                                            on:click=move |_| chosen_contacts.update(|l| l.retain(|(x, _)| *x != id))>"×"</button>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }))}
                    </section>
                </div>
                <aside class="card messages__audience" aria-live="polite" data-testid="messages-audience">
                    <Transition fallback=|| view! { <p class="muted">"Counting…"</p> }>
                        {move || Suspend::new(async move {
                            match audience.await {
                                Err(e) => view! { <p class="error" data-testid="messages-error">{e.to_string()}</p> }.into_any(),
                                Ok(page) => {
                                    let counts = page.counts.unwrap_or_default();
                                    let none = counts.selected == 0;
                                    view! {
                                        <p class="stat">
                                            <span class="stat__number" data-testid="messages-textable">{thousands(counts.textable)}</span>
                                            <span class="stat__label">"can receive your message"</span>
                                        </p>
                                        <p data-testid="messages-selected">{format!("{} contacts selected", thousands(counts.selected))}</p>
                                        <ul class="messages__excluded">
                                            {(!none && counts.textable == counts.selected).then(|| view! { <li>"Nobody is left out."</li> })}
                                            {counts.excluded.iter().filter(|(_, n)| *n > 0).map(|(e, n)| view! {
                                                <li data-testid=format!("messages-excluded-{}", serde_json::to_value(e).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())>
                                                    {format!("{} left out: {}", thousands(*n), e.label())}
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                        <p class="muted">
                                            {if page.require_consent {
                                                "Only contacts whose consent is recorded are texted (Settings)."
                                            } else {
                                                "Contacts whose consent is not recorded are texted too, unless they opted out (Settings can require consent)."
                                            }}
                                        </p>
                                        <div class="messages__downloads">
                                            <a class="button" class:button--disabled=none href=move || download("csv") download="" data-testid="messages-download-csv">"Numbers as csv (for SMS tools)"</a>
                                            <a class="button" class:button--disabled=none href=move || download("xlsx") download="" data-testid="messages-download-xlsx">"Numbers as xlsx (for spreadsheets)"</a>
                                        </div>
                                    }.into_any()
                                }
                            }
                        })}
                    </Transition>
                </aside>
            </div>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page page--narrow">
            <h1 class="page__title">"Page not found"</h1>
            <p><A href="/contacts">"Back to your contacts"</A></p>
        </section>
    }
}
