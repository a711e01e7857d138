use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Whom a contact lets us text (`import::consent`):
///
/// 1. `contact.sms_status` (`opted_in`, `not_recorded`: the default,
///    `opted_out`), with when and where from (`sms_status_at`,
///    `sms_status_source`: "import of leads.xlsx: the file said “STOP”",
///    "form"), indexed with the account for the list's filter and the
///    recipients' counts;
/// 2. `sms_status_event`: every change of it, per contact: when, from what
///    to what, its source, who (a person's e-mail; empty for an import,
///    which `import_id` names) and, for a re-subscription, the reason the
///    person gave;
/// 3. `import_batch.consent` (the import's option: `file_says`,
///    `all_agreed`, `opt_out_list`) and its counts: contacts it opted in,
///    opted out, and rows it kept opted out.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for (table, column) in [
            (
                "contact",
                string_len("sms_status", 16)
                    .default("not_recorded")
                    .to_owned(),
            ),
            (
                "contact",
                timestamp_with_time_zone_null("sms_status_at").to_owned(),
            ),
            ("contact", text("sms_status_source").default("").to_owned()),
            (
                "import_batch",
                string_len("consent", 16).default("file_says").to_owned(),
            ),
            (
                "import_batch",
                big_integer("opted_in").default(0).to_owned(),
            ),
            (
                "import_batch",
                big_integer("opted_out").default(0).to_owned(),
            ),
            (
                "import_batch",
                big_integer("kept_opted_out").default(0).to_owned(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_account_sms_status")
                    .table("contact")
                    .col("account_id")
                    .col("sms_status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sms_status_event")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(big_integer("contact_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_len("from_status", 16))
                    .col(string_len("to_status", 16))
                    .col(text("source").default(""))
                    .col(string_len("actor", 320).default(""))
                    .col(text("reason").default(""))
                    .col(big_integer_null("import_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sms_status_event", "contact_id")
                            .to("contact", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("sms_status_event", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sms_status_event_contact")
                    .table("sms_status_event")
                    .col("contact_id")
                    .col("id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sms_status_event").to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_contact_account_sms_status")
                    .table("contact")
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            ("import_batch", "kept_opted_out"),
            ("import_batch", "opted_out"),
            ("import_batch", "opted_in"),
            ("import_batch", "consent"),
            ("contact", "sms_status_source"),
            ("contact", "sms_status_at"),
            ("contact", "sms_status"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
