//! The real router in process (no socket: `oneshot`), on a fresh database:
//! an in-memory SQLite, or its own schema of PostgreSQL (dropped after).
//! `Client` keeps a session cookie like a browser does.

#![allow(
    dead_code,
    reason = "each test file uses its own part of these helpers"
)]

use std::net::SocketAddr;

use app::import::Region;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use server::{leptos_options, open_state, router};
use tower::ServiceExt;

/// The store tests' database helpers (a fresh PostgreSQL schema per test).
#[path = "../../../app/tests/common/mod.rs"]
mod store_db;

/// The tests of a file take turns. Run side by side, a page's
/// server-rendered body now and then never finished (one run in 5 to 50):
/// leptos_server's process-wide "suppress resource loads" flag is set while
/// a route list is generated (`router()` does, for each test's app), and a
/// resource first polled meanwhile by another test's render waits forever
/// (leptos issue #4773). The server generates its route list once.
pub static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub const HOST: &str = "127.0.0.1:3000";

pub struct TestApp {
    pub name: &'static str,
    pub router: Router,
    pub state: app::state::AppState,
    /// The database's URL (another server can open it).
    pub url: String,
    drop_schema: Option<(String, String)>,
    remove_file: Option<std::path::PathBuf>,
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::on("sqlite", "sqlite::memory:", None).await
    }

    /// A SQLite file (a pool of several connections, as `make run` has),
    /// removed by [`TestApp::finish`].
    pub async fn sqlite_file() -> TestApp {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "contacts-test-{}-{}.db",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut app = Self::on("sqlite file", &url, None).await;
        app.remove_file = Some(path);
        app
    }

    async fn on(name: &'static str, url: &str, drop_schema: Option<(String, String)>) -> TestApp {
        let state = open_state(url, Region::default()).await.expect("state");
        let router = router(
            state.clone(),
            leptos_options(SocketAddr::from(([127, 0, 0, 1], 0))),
        );
        TestApp {
            name,
            router,
            state,
            url: url.to_string(),
            drop_schema,
            remove_file: None,
        }
    }

    /// Another server on the same database: its own pool and state, as a
    /// second process behind a load balancer has. Finish it before `self`.
    pub async fn another_server(&self) -> TestApp {
        Self::on(self.name, &self.url, None).await
    }

    /// A fresh PostgreSQL schema (the app's test helper), or `None` when
    /// PostgreSQL is unreachable outside CI.
    pub async fn postgres() -> Option<TestApp> {
        let (with_schema, cleanup) = store_db::fresh_pg_schema().await?;
        Some(Self::on("postgres", &with_schema, Some(cleanup)).await)
    }

    /// SQLite, then PostgreSQL when available.
    pub async fn all() -> Vec<TestApp> {
        let mut apps = vec![Self::sqlite().await];
        apps.extend(Self::postgres().await);
        apps
    }

    /// A SQLite file, then PostgreSQL when available: for tests of
    /// concurrent writers (an in-memory SQLite has one connection).
    pub async fn all_concurrent() -> Vec<TestApp> {
        let mut apps = vec![Self::sqlite_file().await];
        apps.extend(Self::postgres().await);
        apps
    }

    pub async fn finish(self) {
        if let Some((url, schema)) = self.drop_schema {
            store_db::drop_pg_schema(&url, &schema).await;
        }
        if let Some(path) = self.remove_file {
            self.state.store.connection().clone().close().await.ok();
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            ip: [10, 0, 0, 1],
        }
    }

    /// A client logged into a new account of its own.
    pub async fn signed_up(&self, account: &str, email: &str) -> Client {
        let mut c = self.client();
        let (status, body) = c
            .call(
                "auth/signup",
                json!({ "form": { "account_name": account, "email": email, "password": PASSWORD } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "sign-up of {email}: {body}");
        assert!(c.cookie.is_some(), "sign-up sets the session cookie");
        c
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// A browser-like client of the router: keeps the session cookie.
#[derive(Clone)]
pub struct Client {
    pub router: Router,
    pub cookie: Option<String>,
    /// The address the requests come from (the login throttle keys on it).
    pub ip: [u8; 4],
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into()
    }
}

impl Client {
    pub fn anonymous(&self) -> Client {
        Client {
            cookie: None,
            ..self.clone()
        }
    }

    /// Sends `req` with the cookie and the peer address, keeps any new cookie.
    pub async fn send(&mut self, mut req: Request<Body>) -> Answer {
        if let Some(c) = &self.cookie {
            req.headers_mut()
                .insert(header::COOKIE, c.parse().expect("cookie header"));
        }
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((self.ip, 50_000))));
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        if let Some(set) = res.headers().get(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap().to_string();
            // A removal sets an empty value with Max-Age=0.
            if pair.ends_with('=') || set.contains("Max-Age=0") {
                self.cookie = None;
            } else {
                self.cookie = Some(pair);
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// POSTs `body` as JSON to `/api/{endpoint}`, as a script would (no Origin).
    pub async fn call(&mut self, endpoint: &str, body: Value) -> (StatusCode, Value) {
        self.call_raw(endpoint, body.to_string()).await
    }

    pub async fn call_raw(&mut self, endpoint: &str, body: String) -> (StatusCode, Value) {
        let req = Request::post(format!("/api/{endpoint}"))
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap();
        let a = self.send(req).await;
        (a.status, a.json())
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let req = Request::get(path)
            .header(header::HOST, HOST)
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }
}
