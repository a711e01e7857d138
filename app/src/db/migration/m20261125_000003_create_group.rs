use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("contact_group")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("name", 100))
                    .col(string_len("name_key", 100))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_group_account")
                            .from("contact_group", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_contact_group_account_name")
                    .table("contact_group")
                    .col("account_id")
                    .col("name_key")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("group_member")
                    .if_not_exists()
                    .col(big_integer("group_id"))
                    .col(big_integer("contact_id"))
                    .col(big_integer("account_id"))
                    .primary_key(Index::create().col("group_id").col("contact_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_group_member_group")
                            .from("group_member", "group_id")
                            .to("contact_group", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_group_member_contact")
                            .from("group_member", "contact_id")
                            .to("contact", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_group_member_account_contact")
                    .table("group_member")
                    .col("account_id")
                    .col("contact_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("group_member").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("contact_group").to_owned())
            .await
    }
}
