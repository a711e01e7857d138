//! The `contacts` server: configuration, state, and the axum router around
//! the Leptos app. `main.rs` only parses the command line and calls in here.

#![recursion_limit = "256"]

pub mod export_cli;
pub mod import_cli;
pub mod recipients;
pub mod security;

use std::net::SocketAddr;

use anyhow::Context;
use app::db::entity::account;
use app::db::{connect, SessionRecords, Store};
use app::import::{error_file, Region};
use app::state::AppState;
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_sessions::cookie::SameSite;
use tower_sessions::SessionManagerLayer;

pub use security::{BODY_LIMIT, CHUNK_BODY_LIMIT};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "contacts_session";

/// The default database: a SQLite file in the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://contacts.db?mode=rwc";

/// Connects and runs pending migrations. `region` is the default phone
/// region of accounts created from now on.
pub async fn open_state(database_url: &str, region: Region) -> anyhow::Result<AppState> {
    let db = connect(database_url)
        .await
        .with_context(|| format!("could not open the database at {}", redact(database_url)))?;
    let store = Store::new(db);
    store
        .migrate()
        .await
        .context("could not apply the database migrations")?;
    // Statistics an import left to take (at most an ANALYZE: 0.9 s at
    // 1,000,000 contacts); a failure costs only speed.
    if let Err(e) = store.refresh_statistics_if_stale().await {
        tracing::warn!(error = %e, "could not refresh the database's statistics");
    }
    Ok(AppState::new(store, region))
}

/// The account `contacts import` writes into: the one named `name`
/// (or with that id), else the only one. With no account at all, the
/// first one is made ("My contacts"); the first sign-up takes it over.
pub async fn import_account(
    store: &Store,
    name: Option<&str>,
    region: Region,
) -> anyhow::Result<account::Model> {
    let accounts = store.accounts().await?;
    let list = || {
        accounts
            .iter()
            .map(|a| format!("{:?} (id {})", a.name, a.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => {
            let named: Vec<&account::Model> = accounts.iter().filter(|a| a.name == name).collect();
            match named.as_slice() {
                [one] => Ok((*one).clone()),
                [] => accounts
                    .iter()
                    .find(|a| name.parse() == Ok(a.id))
                    .cloned()
                    .ok_or_else(|| {
                        anyhow::anyhow!("No account is named {name:?}. The accounts: {}.", list())
                    }),
                _ => anyhow::bail!(
                    "Several accounts are named {name:?}: pass its id instead. The accounts: {}.",
                    list()
                ),
            }
        }
        None => match accounts.as_slice() {
            [one] => Ok(one.clone()),
            [] => Ok(store.ensure_default_account(region).await?),
            _ => anyhow::bail!(
                "There are {} accounts: say which with --account NAME. The accounts: {}.",
                accounts.len(),
                list()
            ),
        },
    }
}

/// Deletes expired sessions and forgets recovered throttle keys, hourly.
pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match state.store.delete_expired_sessions().await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions deleted"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not delete expired sessions"),
            }
            if let Err(e) = state.throttle.forget_recovered(&state.store).await {
                tracing::warn!(error = %e, "could not forget recovered throttle keys");
            }
        }
    });
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

/// The whole application: pages, `/api/*` server functions, static files,
/// behind the guards of [`security`] (outermost first: security headers,
/// same-origin check, body limits, the session, the login guard).
pub fn router(state: AppState, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(SessionRecords(state.store.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.secure_cookies)
        .with_expiry(security::session_expiry());
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            // A page's inline hydration script carries this render's nonce:
            // its policy names it.
            if let (Some(nonce), Some(res)) = (
                leptos::nonce::use_nonce(),
                use_context::<leptos_axum::ResponseOptions>(),
            ) {
                if let Ok(v) = HeaderValue::from_str(&security::page_csp(&nonce)) {
                    res.insert_header(header::CONTENT_SECURITY_POLICY, v);
                }
            }
        }
    };
    Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .route("/health/live", get(live))
        .route("/health/ready", get(ready).with_state(state.clone()))
        .route("/import/example.xlsx", get(example_xlsx))
        .route("/import/example.csv", get(example_csv))
        .route("/import/warm-up.xlsx", get(warm_up_xlsx))
        .route(
            "/api/recipients/download",
            get(recipients::download).with_state(state.clone()),
        )
        .route(
            "/api/contacts/export",
            get(export_cli::http::export).with_state(state.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        // The guards below read bodies within each path's own limit first.
        .layer(DefaultBodyLimit::max(CHUNK_BODY_LIMIT))
        .layer(from_fn(security::api_status))
        .layer(from_fn_with_state(state, security::guard))
        .layer(sessions)
        .layer(from_fn(security::body_limit))
        .layer(from_fn(security::same_origin))
        .layer(from_fn(security::headers))
        .with_state(options)
}

/// `/health/live`: the process answers.
async fn live() -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({ "status": "live" })),
    )
        .into_response()
}

/// `/health/ready`: the database answers and its migrations are applied,
/// and the server is not stopping. 503 with the reason otherwise.
async fn ready(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let verdict = if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        Err("the server is stopping".to_string())
    } else {
        state.store.ready().await
    };
    let (status, body) = match verdict {
        Ok(()) => (StatusCode::OK, serde_json::json!({ "status": "ready" })),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "unavailable", "reason": reason }),
        ),
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}

/// What asked the server to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM: a process manager or a load balancer's deploy.
    Terminate,
    /// Ctrl-C: someone at the terminal.
    Interrupt,
}

/// Resolves on SIGTERM (a process manager, a container runtime) or Ctrl-C.
pub async fn stop_signal() -> Stop {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => Stop::Interrupt,
        _ = term => Stop::Terminate,
    }
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The example import file, generated from the same code as the error file
/// (so it always matches what the importer maps automatically).
async fn example_xlsx() -> Response {
    match error_file::to_xlsx(&error_file::example_sheet(), "Contacts") {
        Ok(bytes) => download(bytes, XLSX_TYPE, "contacts-example.xlsx"),
        Err(e) => {
            tracing::error!(error = %e, "example workbook");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The workbook the reading worker warms up on while the user picks a file
/// (`app::import::warm_up::warm_up`: the reading bundle has no xlsx writer).
/// Made once.
async fn warm_up_xlsx() -> Response {
    static FILE: std::sync::OnceLock<Option<axum::body::Bytes>> = std::sync::OnceLock::new();
    let file = FILE.get_or_init(|| {
        app::import::warm_up::warm_up_xlsx()
            .inspect_err(|e| tracing::error!(error = %e, "warm-up workbook"))
            .ok()
            .map(Into::into)
    });
    match file {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, XLSX_TYPE),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            bytes.clone(),
        )
            .into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
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
