use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::{log_out, who_am_i};

/// The platform's top toolbar: Messages and Contacts, and who is logged in
/// (with Settings and Log out). On the login pages there is no one yet.
#[component]
pub fn Toolbar() -> impl IntoView {
    let path = use_location().pathname;
    let active = move |prefix: &'static str| {
        move || {
            if path.get().starts_with(prefix) {
                "toolbar__link toolbar__link--active"
            } else {
                "toolbar__link"
            }
        }
    };
    let me = Resource::new(|| (), |_| who_am_i());
    let on_logout = move |_| {
        spawn_local(async move {
            // Whatever the answer, the login page is where to go next.
            let _ = log_out().await;
            crate::browser::go_to("/login");
        });
    };
    view! {
        <header class="toolbar">
            <span class="toolbar__brand">"Relay"</span>
            <Suspense fallback=|| ()>
                {move || me.get().and_then(|m| m.ok()).flatten().map(|m| view! {
                    <nav class="toolbar__nav">
                        <A href="/messages" attr:class=active("/messages") attr:data-testid="nav-messages">"Messages"</A>
                        <A href="/contacts" attr:class=active("/contacts") attr:data-testid="nav-contacts">"Contacts"</A>
                    </nav>
                    <div class="toolbar__user">
                        <A href="/settings" attr:class=active("/settings") attr:data-testid="nav-settings">
                            <span class="toolbar__account" data-testid="toolbar-account">{m.account_name}</span>
                            <span class="toolbar__email">{m.email}</span>
                        </A>
                        <button type="button" class="button button--small" data-testid="logout" on:click=on_logout>"Log out"</button>
                    </div>
                })}
            </Suspense>
        </header>
    }
}
