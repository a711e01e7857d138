//! The login throttle's counters, in the database: every server of an
//! installation shares them, so two servers allow no more guesses than one.
//!
//! Each key (`email:…`, `ip:…`) keeps its theoretical arrival time (GCRA,
//! in Unix milliseconds). Taking a token is one statement, so concurrent
//! attempts on one key (on one server or several) queue on its row and
//! each sees the others' effect: the limit holds however many arrive at once.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

use super::Store;

/// A key's allowance: `burst` tokens, one more every `period_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub burst: u32,
    pub period_ms: i64,
}

/// The numbered parameters' sigil: `$1` on PostgreSQL, `?1` on SQLite.
fn sigil(backend: DatabaseBackend) -> char {
    match backend {
        DatabaseBackend::Postgres => '$',
        _ => '?',
    }
}

impl Store {
    /// Takes one token of `key` at `now_ms`, or answers `false` when its
    /// allowance is used up.
    pub async fn take_token(
        &self,
        key: &str,
        now_ms: i64,
        allowance: Allowance,
    ) -> Result<bool, DbErr> {
        let backend = self.db.get_database_backend();
        let greatest = match backend {
            DatabaseBackend::Postgres => "GREATEST",
            _ => "MAX",
        };
        let p = sigil(backend);
        let sql = format!(
            "INSERT INTO login_throttle (throttle_key, tat) VALUES ({p}1, {p}2 + {p}3) \
             ON CONFLICT (throttle_key) DO UPDATE SET tat = {greatest}(login_throttle.tat, {p}2) + {p}3 \
             WHERE login_throttle.tat - {p}2 <= {p}4 \
             RETURNING tat"
        );
        let slack = i64::from(allowance.burst.max(1) - 1) * allowance.period_ms;
        let _turn = self.write_turn().await;
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    key.into(),
                    now_ms.into(),
                    allowance.period_ms.into(),
                    slack.into(),
                ],
            ))
            .await?;
        Ok(row.is_some())
    }

    /// Gives back a token taken from `key` (a login that succeeded does
    /// not count against its e-mail).
    pub async fn give_back_token(&self, key: &str, allowance: Allowance) -> Result<(), DbErr> {
        let backend = self.db.get_database_backend();
        let p = sigil(backend);
        let _turn = self.write_turn().await;
        self.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!("UPDATE login_throttle SET tat = tat - {p}2 WHERE throttle_key = {p}1"),
                [key.into(), allowance.period_ms.into()],
            ))
            .await?;
        Ok(())
    }

    /// Forgets the keys whose allowance has fully recovered by `now_ms`.
    pub async fn forget_recovered_tokens(&self, now_ms: i64) -> Result<u64, DbErr> {
        let backend = self.db.get_database_backend();
        let p = sigil(backend);
        let _turn = self.write_turn().await;
        Ok(self
            .db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!("DELETE FROM login_throttle WHERE tat <= {p}1"),
                [now_ms.into()],
            ))
            .await?
            .rows_affected())
    }
}
