use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `account.contact_count`: how many contacts the account has, kept by every
/// write that creates or deletes contacts (in the same transaction), so the
/// unfiltered list's total is one row read instead of a count of every
/// contact (60–150 ms at 1,000,000 contacts).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("account")
                    .add_column(big_integer("contact_count").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE account SET contact_count = \
                 (SELECT COUNT(*) FROM contact WHERE contact.account_id = account.id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("account")
                    .drop_column("contact_count")
                    .to_owned(),
            )
            .await
    }
}
