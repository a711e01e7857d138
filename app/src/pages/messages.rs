use leptos::prelude::*;
use leptos_router::components::A;

/// Placeholder for the SMS module, which reaches Contacts from here too.
#[component]
pub fn MessagesPage() -> impl IntoView {
    view! {
        <section class="page page--narrow">
            <h1 class="page__title">"Messages"</h1>
            <div class="card empty">
                <p>"Messaging is coming soon."</p>
                <p>"Meanwhile, get your audience ready: add or import the people you will message."</p>
                <A href="/contacts" attr:class="button button--primary">"Go to Contacts"</A>
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
