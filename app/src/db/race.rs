//! Transactions that lost a race, and trying them again.
//!
//! On PostgreSQL writes run side by side. Two imports that insert the same
//! new phone at once both decide "create"; the second to commit meets the
//! unique (account, kind, key) index. A contact deleted meanwhile fails a
//! foreign key; two transactions that lock rows in opposite orders meet a
//! deadlock. None of these is the client's fault, and the same work done
//! again, on a fresh snapshot, succeeds: it now sees the other's contact.
//! So the import's writes retry them ([`RACE_RETRIES`] times, with a short
//! random pause), and a client never sees a 500 for a race.

use std::time::Duration;

use sea_orm::{DbErr, SqlErr};

/// Times a write that lost a race is tried again.
pub(crate) const RACE_RETRIES: u32 = 8;

/// The SQLSTATE of a database error, if it carries one.
fn sqlstate(e: &DbErr) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        let sqlx = s.downcast_ref::<sea_orm::sqlx::Error>().or_else(|| {
            s.downcast_ref::<std::sync::Arc<sea_orm::sqlx::Error>>()
                .map(|a| a.as_ref())
        });
        if let Some(db) = sqlx.and_then(|x| x.as_database_error()) {
            return db.code().map(|c| c.into_owned());
        }
        source = s.source();
    }
    None
}

/// Whether `e` says the transaction lost a race with another (and the
/// same work done again will not meet it).
pub(crate) fn lost_a_race(e: &DbErr) -> bool {
    if matches!(
        e.sql_err(),
        Some(SqlErr::UniqueConstraintViolation(_) | SqlErr::ForeignKeyConstraintViolation(_))
    ) {
        return true;
    }
    // Serialization failure, deadlock (PostgreSQL); busy, busy snapshot
    // (SQLite, when another process holds the file).
    if matches!(
        sqlstate(e).as_deref(),
        Some("40001" | "40P01" | "5" | "517" | "261")
    ) {
        return true;
    }
    let text = e.to_string();
    text.contains("deadlock detected")
        || text.contains(super::import::STATUS_RACE)
        || text.contains("could not serialize access")
        || text.contains("database is locked")
}

/// Waits before try number `attempt` (1, 2…): a few milliseconds, doubling,
/// with jitter so that two losers do not meet again.
pub(crate) async fn pause(attempt: u32) {
    let base = 5u64 << attempt.min(6);
    let mut r = [0u8; 1];
    let jitter = getrandom::fill(&mut r)
        .map(|_| u64::from(r[0]) % base)
        .unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(base + jitter)).await;
}
