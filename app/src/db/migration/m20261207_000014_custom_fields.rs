use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Custom fields (`import::fields`): what an account keeps about its
/// contacts beyond names, numbers and e-mails.
///
/// 1. `custom_field`: per account, a name (unique whatever its case:
///    `name_key`), a kind (`text`, `number`, `date`, `yes_no`, `choice`) and
///    a one-of-a-list field's choices (a JSON array of strings).
/// 2. `contact_field_value`: one row per contact and field that holds a
///    value: the value as shown (`value`: canonical text, see
///    `FieldDef::check`) and what a filter compares (`value_key`: the value
///    lower-cased, its first 200 characters).
///
/// A value table rather than a JSON column per contact: both databases
/// index `(field_id, value_key)` the same way, so "City = Leeds" reads the
/// matching contacts from one index on SQLite as on PostgreSQL (a JSON
/// column would need an expression index per field on SQLite, created and
/// dropped with each field); deleting or renaming a field touches its own
/// rows (or none); and counting the contacts that hold a value before a
/// field is deleted is one index range. Values go with their contact and
/// their field (`ON DELETE CASCADE`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("custom_field")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("name", 60))
                    .col(string_len("name_key", 240))
                    .col(string_len("kind", 16))
                    .col(text("choices").default("[]"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("custom_field", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_custom_field_account_name")
                    .table("custom_field")
                    .col("account_id")
                    .col("name_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("contact_field_value")
                    .col(big_integer("contact_id"))
                    .col(big_integer("field_id"))
                    .col(big_integer("account_id"))
                    .col(text("value"))
                    .col(string_len("value_key", 800))
                    .primary_key(Index::create().col("contact_id").col("field_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("contact_field_value", "contact_id")
                            .to("contact", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("contact_field_value", "field_id")
                            .to("custom_field", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_field_value_filter")
                    .table("contact_field_value")
                    .col("field_id")
                    .col("value_key")
                    .col("contact_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("contact_field_value").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("custom_field").to_owned())
            .await
    }
}
