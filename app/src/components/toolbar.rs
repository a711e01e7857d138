use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// The platform's top toolbar: Messages and Contacts.
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
    view! {
        <header class="toolbar">
            <span class="toolbar__brand">"Relay"</span>
            <nav class="toolbar__nav">
                <A href="/messages" attr:class=active("/messages") attr:data-testid="nav-messages">"Messages"</A>
                <A href="/contacts" attr:class=active("/contacts") attr:data-testid="nav-contacts">"Contacts"</A>
            </nav>
        </header>
    }
}
