use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("contact")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("first_name", 200))
                    .col(string_len("last_name", 200))
                    .col(string_len("company", 200))
                    .col(string_len("sort_name", 400))
                    .col(string_len("search_text", 700))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_account")
                            .from("contact", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_contact_account_sort",
                ["account_id", "sort_name", "id"],
            ),
            (
                "idx_contact_account_updated",
                ["account_id", "updated_at", "id"],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("contact");
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("contact_detail")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(big_integer("contact_id"))
                    .col(string_len("kind", 8))
                    .col(string_len("value", 320))
                    .col(string_len("match_key", 320))
                    .col(string_len("label", 40))
                    .col(boolean("is_primary"))
                    .col(integer("position"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_detail_contact")
                            .from("contact_detail", "contact_id")
                            .to("contact", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_contact_detail_account_kind_key")
                    .table("contact_detail")
                    .col("account_id")
                    .col("kind")
                    .col("match_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    // (account, contact) rather than contact alone: with an account
                    // equality in every query, planners otherwise pick the unique
                    // (account, kind, key) index and scan every detail of the account.
                    // Replaced by (contact, account) in m20261203_000009.
                    .name("idx_contact_detail_account_contact")
                    .table("contact_detail")
                    .col("account_id")
                    .col("contact_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("contact_detail").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("contact").to_owned())
            .await
    }
}
