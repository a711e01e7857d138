//! The account's settings: its name and default phone region, its custom
//! fields, its users, and invitation links for colleagues.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{create_invitation, get_settings, list_users, update_settings};
use crate::auth::{AccountUpdate, InvitationLink, INVITATION_DAYS};
use crate::import::validate::REGIONS;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <section class="page page--narrow">
            <div class="page__header">
                <h1 class="page__title">"Account settings"</h1>
            </div>
            <AccountForm />
            <super::fields::CustomFields />
            <Users />
        </section>
    }
}

#[component]
fn AccountForm() -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_settings());
    let name = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let require_consent = RwSignal::new(false);
    Effect::new(move || {
        if let Some(Ok(s)) = settings.get() {
            name.set(s.account_name);
            region.set(s.default_region.code().to_string());
            require_consent.set(s.require_consent);
        }
    });
    let message = RwSignal::new(None::<(bool, String)>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = AccountUpdate {
            account_name: name.get_untracked(),
            default_region: region.get_untracked(),
            require_consent: require_consent.get_untracked(),
        };
        spawn_local(async move {
            message.set(Some(match update_settings(form).await {
                Ok(_) => (false, "Settings saved.".into()),
                Err(e) => (true, e.to_string()),
            }));
        });
    };
    view! {
        <form class="card form" on:submit=on_submit data-testid="settings-form">
            <label class="field">
                <span class="field__label">"Account name"</span>
                <input class="input" data-testid="settings-name" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span class="field__label">"Default phone country"</span>
                <select class="input" data-testid="settings-region" prop:value=move || region.get()
                    on:change=move |ev| region.set(event_target_value(&ev))>
                    {move || {
                        let current = region.get();
                        let listed = REGIONS.iter().any(|(c, _)| *c == current);
                        let extra = (!listed && !current.is_empty())
                            .then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> });
                        view! {
                            {extra}
                            {REGIONS.iter().map(|(code, country)| view! {
                                <option value=*code selected=*code == current>{format!("{country} ({code})")}</option>
                            }).collect_view()}
                        }
                    }}
                </select>
                <span class="field__hint">"Phone numbers typed or imported without a country code are read as this country's."</span>
            </label>
            <label class="check">
                <input type="checkbox" data-testid="settings-require-consent"
                    prop:checked=move || require_consent.get()
                    on:change=move |ev| require_consent.set(event_target_checked(&ev)) />
                "Require recorded consent before texting: Messages leaves out contacts who have not opted in"
            </label>
            {move || message.get().map(|(error, m)| view! {
                <p class=if error { "error" } else { "notice" } data-testid="settings-message">{m}</p>
            })}
            <div class="form__actions">
                <button type="submit" class="button button--primary" data-testid="settings-save">"Save"</button>
            </div>
        </form>
    }
}

#[component]
fn Users() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    let link = RwSignal::new(None::<Result<InvitationLink, String>>);
    let on_invite = move |_| {
        spawn_local(async move {
            link.set(Some(create_invitation().await.map_err(|e| e.to_string())));
        });
    };
    view! {
        <div class="card settings__users">
            <h2 class="settings__title">"Users"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! {
                            <ul class="settings__list" data-testid="users-list">
                                {list.into_iter().map(|u| view! {
                                    <li>{u.email}<span class="muted">{format!(" since {}", u.created_at)}</span>
                                        {u.is_me.then(|| view! { <span class="badge">"you"</span> })}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <p class="muted">{format!(
                "Invite a colleague: make a link and give it to them. It works once, for {INVITATION_DAYS} days, and lets them choose their own login in this account."
            )}</p>
            <button type="button" class="button" data-testid="invite-create" on:click=on_invite>"Make an invitation link"</button>
            {move || link.get().map(|l| match l {
                Ok(l) => {
                    let url = format!("{}{}", crate::browser::origin(), l.path);
                    view! {
                        <div class="settings__invite">
                            <input class="input settings__link" readonly data-testid="invite-link" prop:value=url
                                on:focus=move |ev| { select_all(&ev); } />
                            <span class="muted">{format!("Valid until {}.", l.expires_at)}</span>
                        </div>
                    }.into_any()
                }
                Err(m) => view! { <p class="error">{m}</p> }.into_any(),
            })}
        </div>
    }
}

/// Selects the text of the focused input, ready to copy.
fn select_all(ev: &leptos::ev::FocusEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
