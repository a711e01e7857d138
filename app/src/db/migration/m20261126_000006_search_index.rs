use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Substring search ("%text%") over names and contact details, answered from
/// trigram indexes instead of reading every contact: PostgreSQL's `pg_trgm`
/// GIN indexes serve `LIKE` directly; SQLite gets FTS5 tables with the
/// trigram tokenizer over `contact.search_text` and `contact_detail.match_key`,
/// kept in step by triggers.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // The extension is database-wide: put it in `public` (not in
                // whatever schema this connection works in, which may be
                // dropped), one migrator at a time.
                db.execute_unprepared("SELECT pg_advisory_xact_lock(4242006)")
                    .await?;
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
                    .await
                    .map_err(|e| {
                        DbErr::Migration(format!(
                            "Contact search needs PostgreSQL's pg_trgm extension \
                             (in postgresql-contrib; any user with CREATE on the \
                             database may install it): {e}"
                        ))
                    })?;
                let schema = db
                    .query_one_raw(Statement::from_string(
                        DatabaseBackend::Postgres,
                        "SELECT extnamespace::regnamespace::text AS schema \
                         FROM pg_extension WHERE extname = 'pg_trgm'",
                    ))
                    .await?
                    .ok_or_else(|| DbErr::Migration("pg_trgm is not installed".into()))?
                    .try_get::<String>("", "schema")?;
                for (index, table, column) in [
                    ("idx_contact_search_trgm", "contact", "search_text"),
                    (
                        "idx_contact_detail_match_trgm",
                        "contact_detail",
                        "match_key",
                    ),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE INDEX {index} ON {table} USING gin ({column} {schema}.gin_trgm_ops)"
                    ))
                    .await?;
                }
            }
            DatabaseBackend::Sqlite => {
                for (search, table, column) in [
                    ("contact_search", "contact", "search_text"),
                    ("detail_search", "contact_detail", "match_key"),
                ] {
                    for sql in [
                        format!(
                            "CREATE VIRTUAL TABLE {search} USING fts5({column}, \
                             content='{table}', content_rowid='id', tokenize='trigram')"
                        ),
                        format!("INSERT INTO {search}({search}) VALUES ('rebuild')"),
                        format!(
                            "CREATE TRIGGER {search}_insert AFTER INSERT ON {table} BEGIN \
                             INSERT INTO {search}(rowid, {column}) VALUES (new.id, new.{column}); END"
                        ),
                        format!(
                            "CREATE TRIGGER {search}_delete AFTER DELETE ON {table} BEGIN \
                             INSERT INTO {search}({search}, rowid, {column}) \
                             VALUES ('delete', old.id, old.{column}); END"
                        ),
                        format!(
                            "CREATE TRIGGER {search}_update AFTER UPDATE OF {column} ON {table} \
                             WHEN old.{column} IS NOT new.{column} BEGIN \
                             INSERT INTO {search}({search}, rowid, {column}) \
                             VALUES ('delete', old.id, old.{column}); \
                             INSERT INTO {search}(rowid, {column}) VALUES (new.id, new.{column}); END"
                        ),
                    ] {
                        db.execute_unprepared(&sql).await?;
                    }
                }
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "{other:?} is not a supported database"
                )))
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "DROP INDEX IF EXISTS idx_contact_search_trgm, idx_contact_detail_match_trgm",
                )
                .await?;
            }
            _ => {
                for search in ["contact_search", "detail_search"] {
                    for suffix in ["insert", "delete", "update"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {search}_{suffix}"))
                            .await?;
                    }
                    db.execute_unprepared(&format!("DROP TABLE IF EXISTS {search}"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
