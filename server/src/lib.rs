//! The `contacts` server: configuration, state, and the axum router around
//! the Leptos app. `main.rs` only parses the command line and calls in here.

#![recursion_limit = "256"]

pub mod import_cli;

use std::net::SocketAddr;

use anyhow::Context;
use app::db::{connect, Store};
use app::import::{error_file, Region};
use app::state::AppState;
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};

/// The largest request body any route accepts. Contact forms are a few KiB;
/// imports will send rows in chunks well under this.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The default database: a SQLite file in the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://contacts.db?mode=rwc";

/// Connects, runs pending migrations and makes sure the default account exists.
pub async fn open_state(database_url: &str, region: Region) -> anyhow::Result<AppState> {
    let db = connect(database_url)
        .await
        .with_context(|| format!("could not open the database at {}", redact(database_url)))?;
    let store = Store::new(db);
    store
        .migrate()
        .await
        .context("could not apply the database migrations")?;
    let account = store
        .ensure_default_account(region)
        .await
        .context("could not create the default account")?;
    Ok(AppState {
        store,
        account_id: account.id,
        region,
    })
}

/// Leptos' options, from cargo-leptos' `LEPTOS_*` variables when it runs us,
/// else the defaults of a `make run` checkout.
pub fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    let var = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "contacts"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(addr)
        .reload_port(var("LEPTOS_RELOAD_PORT", "3001").parse().unwrap_or(3001))
        .build()
}

/// The whole application: pages, `/api/*` server functions, static files.
pub fn router(state: AppState, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    Router::new()
        .leptos_routes_with_context(&options, routes, move || provide_context(state.clone()), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .route("/import/example.xlsx", get(example_xlsx))
        .route("/import/example.csv", get(example_csv))
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(options)
}

/// The example import file, generated from the same code as the error file
/// (so it always matches what the importer maps automatically).
async fn example_xlsx() -> Response {
    match error_file::to_xlsx(&error_file::example_sheet(), "Contacts") {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "contacts-example.xlsx",
        ),
        Err(e) => {
            tracing::error!(error = %e, "example workbook");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn example_csv() -> Response {
    download(
        error_file::to_csv(&error_file::example_sheet()),
        "text/csv; charset=utf-8",
        "contacts-example.csv",
    )
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://contacts.db"), "sqlite://contacts.db");
    }
}
