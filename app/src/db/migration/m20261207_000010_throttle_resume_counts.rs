use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// 1. `login_throttle`: the login throttle's state, in the database so that
///    every server behind a load balancer counts the same attempts. One row
///    per key (`email:…`, `ip:…`) holding the key's theoretical arrival
///    time in milliseconds (the GCRA of `security::LoginThrottle`); a row
///    whose time is past has recovered and is deleted by housekeeping.
/// 2. `import_batch.content_hash` and `wizard_state`: the hash of the file's
///    rows (computed in the browser) and the wizard's mapping and region,
///    so that a file chosen again after a reload finds its unfinished
///    import and resumes it exactly (the chunk ledger skips what was
///    written); `import_chunk.fingerprint`: the hash of the rows each chunk
///    was applied with, so that a chunk number sent again with other rows
///    (a cell fixed before the reload and lost with it) is refused instead
///    of being taken for a replay.
/// 3. Import counts that an unchecked `imports/finish` once pushed past the
///    64-bit range were stored by SQLite as REAL, after which reading the
///    history failed for good: such values become the largest integer.
///    (`imports/finish` now caps its counts by the import's rows.)
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("login_throttle")
                    .col(string_len("throttle_key", 320).primary_key())
                    .col(big_integer("tat"))
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one at a time.
        for (table, column) in [
            (
                "import_batch",
                string_len("content_hash", 64).default("").to_owned(),
            ),
            ("import_batch", text("wizard_state").default("").to_owned()),
            (
                "import_chunk",
                string_len("fingerprint", 64).default("").to_owned(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_import_batch_account_content")
                    .table("import_batch")
                    .col("account_id")
                    .col("content_hash")
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            for column in COUNTS {
                manager
                    .get_connection()
                    .execute_unprepared(&format!(
                        "UPDATE import_batch SET {column} = CASE \
                         WHEN {column} >= 9.2e18 THEN 9223372036854775807 \
                         WHEN {column} < 0 THEN 0 ELSE CAST({column} AS INTEGER) END \
                         WHERE typeof({column}) <> 'integer'"
                    ))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_import_batch_account_content")
                    .table("import_batch")
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            ("import_batch", "content_hash"),
            ("import_batch", "wizard_state"),
            ("import_chunk", "fingerprint"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table("login_throttle").to_owned())
            .await
    }
}

const COUNTS: [&str; 7] = [
    "total_rows",
    "chunks",
    "created",
    "updated",
    "unchanged",
    "rejected",
    "details_dropped",
];
