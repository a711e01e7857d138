use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use sea_orm_migration::{prelude::*, schema::*};

use crate::import::consent::{sms_number, PhoneLine};
use crate::import::LineType;

/// Contacts whose SMS number is chosen per batch.
const BATCH: i64 = 2_000;

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
/// 3. `contact.sms_number`: the one number a contact is texted at
///    (`consent::sms_number`), kept by every write of its phones, so that
///    the recipients' counts read one column; chosen here for the contacts
///    already stored, by the same code, 2,000 contacts a batch;
/// 4. `account.require_consent`: text only contacts whose consent is
///    recorded (off by default);
/// 5. `import_batch.consent` (the import's option: `file_says`,
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
                "contact",
                string_len("sms_number", 32).default("").to_owned(),
            ),
            (
                "account",
                boolean("require_consent").default(false).to_owned(),
            ),
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
        choose_sms_numbers(manager.get_connection()).await?;
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
            ("account", "require_consent"),
            ("contact", "sms_number"),
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

/// `contact.sms_number` of every contact with a phone, in batches.
async fn choose_sms_numbers(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let pg = backend == DatabaseBackend::Postgres;
    let mut after = 0_i64;
    loop {
        let sql = match pg {
            true => {
                "SELECT contact_id, value, line_type, is_primary, position FROM contact_detail \
                     WHERE kind = 'phone' AND contact_id IN (SELECT DISTINCT contact_id \
                     FROM contact_detail WHERE kind = 'phone' AND contact_id > $1 \
                     ORDER BY contact_id LIMIT $2) ORDER BY contact_id"
            }
            false => {
                "SELECT contact_id, value, line_type, is_primary, position FROM contact_detail \
                      WHERE kind = 'phone' AND contact_id IN (SELECT DISTINCT contact_id \
                      FROM contact_detail WHERE kind = 'phone' AND contact_id > ? \
                      ORDER BY contact_id LIMIT ?) ORDER BY contact_id"
            }
        };
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [Value::from(after), Value::from(BATCH)],
            ))
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut phones: BTreeMap<i64, Vec<(String, LineType, bool, i32)>> = BTreeMap::new();
        for r in &rows {
            let line: String = r.try_get("", "line_type")?;
            let value: String = r.try_get("", "value")?;
            let line = match line.as_str() {
                "" => crate::import::line_type_of(&value),
                code => LineType::parse(code),
            };
            phones
                .entry(r.try_get("", "contact_id")?)
                .or_default()
                .push((
                    value,
                    line,
                    r.try_get("", "is_primary")?,
                    r.try_get("", "position")?,
                ));
        }
        after = *phones.keys().next_back().unwrap_or(&after);
        let mut values = Vec::new();
        let mut tuples = Vec::new();
        for (id, list) in &phones {
            let Some(number) =
                sms_number(
                    list.iter()
                        .map(|(n, line, is_primary, position)| PhoneLine {
                            number: n,
                            line: *line,
                            is_primary: *is_primary,
                            position: *position,
                        }),
                )
            else {
                continue;
            };
            let i = values.len();
            values.push(Value::from(*id));
            values.push(Value::from(number.to_string()));
            tuples.push(match pg {
                true => format!("(${}::bigint, ${}::text)", i + 1, i + 2),
                false => "(?, ?)".to_string(),
            });
        }
        if !tuples.is_empty() {
            let sql = match pg {
                true => format!(
                    "UPDATE contact SET sms_number = v.n FROM (VALUES {}) AS v(id, n) \
                     WHERE contact.id = v.id",
                    tuples.join(", ")
                ),
                false => format!(
                    "UPDATE contact SET sms_number = v.column2 FROM (VALUES {}) AS v \
                     WHERE contact.id = v.column1",
                    tuples.join(", ")
                ),
            };
            db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?;
        }
        if (phones.len() as i64) < BATCH {
            return Ok(());
        }
    }
}
