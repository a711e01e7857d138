//! The Leptos application, compiled twice: to WASM (`hydrate`) for the browser
//! and natively (`ssr`) for the server, which also owns the database.

#![recursion_limit = "256"]

pub mod api;
pub mod auth;
mod browser;
pub mod bulk;
mod components;
pub mod error;
pub mod export;
pub mod import;
pub mod model;
mod pages;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

pub use error::AppError;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::Flash::provide();
    // Set once the WASM has taken over the page: browser tests wait for it.
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));

    view! {
        <Stylesheet id="leptos" href="/pkg/contacts.css" />
        <Title text="Contacts" />
        <Router>
            <div class="app" data-hydrated=move || if hydrated.get() { "true" } else { "false" }>
                <components::Toolbar />
                <main class="app__main">
                    <Routes fallback=|| view! { <pages::NotFound /> }>
                        <Route path=path!("/") view=|| view! { <Redirect path="/contacts" /> } />
                        <Route path=path!("/contacts") view=pages::ContactsPage />
                        <Route path=path!("/contacts/new") view=pages::NewContactPage />
                        <Route path=path!("/contacts/:id/edit") view=pages::EditContactPage />
                        <Route path=path!("/contacts/groups") view=pages::GroupsPage />
                        <Route path=path!("/contacts/import") view=pages::ImportPage />
                        <Route path=path!("/contacts/:id") view=pages::ContactDetailsPage />
                        <Route path=path!("/messages") view=pages::MessagesPage />
                        <Route path=path!("/settings") view=pages::SettingsPage />
                        <Route path=path!("/login") view=pages::LoginPage />
                        <Route path=path!("/signup") view=pages::SignUpPage />
                        <Route path=path!("/invite/:token") view=pages::InvitePage />
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
