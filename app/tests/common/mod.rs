//! Test databases: SQLite in memory always, PostgreSQL when one is reachable.
//!
//! Each test gets fresh, fully migrated databases: a new in-memory SQLite, and
//! a new schema on PostgreSQL (dropped afterwards). PostgreSQL is found through
//! `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
//! When `CI` is set, an unreachable PostgreSQL fails the test instead of
//! skipping it.

use std::sync::atomic::{AtomicU32, Ordering};

use app::db::{connect, connect_options, Store};
use app::import::Region;
use sea_orm::{ConnectionTrait, Database};

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

pub struct TestDb {
    pub name: &'static str,
    pub store: Store,
    pub account: i64,
    cleanup: Option<(String, String)>,
}

impl TestDb {
    pub async fn drop_schema(self) {
        if let Some((url, schema)) = self.cleanup {
            drop_pg_schema(&url, &schema).await;
        }
    }
}

async fn sqlite() -> TestDb {
    let store = Store::new(connect("sqlite::memory:").await.expect("sqlite in memory"));
    finish("sqlite", store, None).await
}

async fn finish(name: &'static str, store: Store, cleanup: Option<(String, String)>) -> TestDb {
    store.migrate().await.expect("migrations run");
    let account = store
        .ensure_default_account(Region::default())
        .await
        .expect("default account")
        .id;
    TestDb {
        name,
        store,
        account,
        cleanup,
    }
}

fn pg_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_string())
}

/// A fresh PostgreSQL schema for one test: the URL that uses it, and the
/// admin URL and name to drop it with. `None` (with a message) when
/// PostgreSQL is unreachable; with `CI` set, unreachable fails the test.
pub async fn fresh_pg_schema() -> Option<(String, (String, String))> {
    static N: AtomicU32 = AtomicU32::new(0);
    let url = pg_url();
    let admin = match Database::connect(url.as_str()).await {
        Ok(db) => db,
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("PostgreSQL at {url} is unreachable and CI is set: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPING PostgreSQL half of this test: {url} unreachable ({e})");
            return None;
        }
    };
    let schema = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("create schema");
    // The schema goes in the URL: `connect_options` installs its own
    // per-connection hook, which would replace SeaORM's search-path one.
    let sep = if url.contains('?') { '&' } else { '?' };
    let with_schema = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    Some((with_schema, (url, schema)))
}

/// Drops a schema made by [`fresh_pg_schema`].
pub async fn drop_pg_schema(admin_url: &str, schema: &str) {
    if let Ok(db) = Database::connect(admin_url).await {
        let _ = db
            .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await;
    }
}

async fn postgres() -> Option<TestDb> {
    let (with_schema, cleanup) = fresh_pg_schema().await?;
    let mut opts = connect_options(&with_schema);
    opts.max_connections(4);
    let store = Store::new(
        Database::connect(opts)
            .await
            .expect("connect to test schema"),
    );
    Some(finish("postgres", store, Some(cleanup)).await)
}

/// Fresh databases for one test: SQLite, then PostgreSQL when available.
pub async fn databases() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        dbs.push(pg);
    }
    dbs
}
