use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An index on `contact (account_id, id)`: the walks of an account's
/// contacts by id a batch at a time (the export, bulk actions, a page of
/// recipients' numbers) read each batch from it. Without it SQLite read
/// every contact of the account through another `account_id` index and
/// sorted them for each batch of 1,000: exporting 1,000,000 contacts took
/// 123 s, 31 times the 100,000 contacts' 4 s (BENCHMARKS.md).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_account_id")
                    .table("contact")
                    .col("account_id")
                    .col("id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_contact_account_id")
                    .table("contact")
                    .to_owned(),
            )
            .await
    }
}
