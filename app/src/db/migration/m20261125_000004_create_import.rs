use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `import_batch`: one row per import (file, sheet, mapping, group, counts,
/// status) for the history list; `import_chunk`: the ledger that makes a
/// retried chunk change nothing twice.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("import_batch")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("file_name", 255))
                    .col(string_len("sheet", 255))
                    .col(string_len("format", 16))
                    .col(text("mapping"))
                    .col(string_len("region", 8))
                    .col(big_integer_null("group_id"))
                    .col(string_len("group_name", 100))
                    .col(big_integer("total_rows"))
                    .col(string_len("status", 16))
                    .col(big_integer("chunks"))
                    .col(big_integer("created"))
                    .col(big_integer("updated"))
                    .col(big_integer("unchanged"))
                    .col(big_integer("rejected"))
                    .col(big_integer("details_dropped"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_import_batch_account")
                            .from("import_batch", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_import_batch_account_started")
                    .table("import_batch")
                    .col("account_id")
                    .col("started_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("import_chunk")
                    .if_not_exists()
                    .col(big_integer("import_id"))
                    .col(integer("chunk_no"))
                    .col(big_integer("account_id"))
                    .col(text("outcome"))
                    .primary_key(Index::create().col("import_id").col("chunk_no"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_import_chunk_import")
                            .from("import_chunk", "import_id")
                            .to("import_batch", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("import_chunk").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("import_batch").to_owned())
            .await
    }
}
