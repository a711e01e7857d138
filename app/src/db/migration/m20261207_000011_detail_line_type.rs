use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use sea_orm_migration::{prelude::*, schema::*};

use crate::import::line_type_of;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Phones stored before this migration, classified per batch.
const BATCH: u64 = 2_000;

/// `contact_detail.line_type`: a phone's line type by its numbering plan
/// (`mobile`, `landline`, `mobile_or_landline`, …: `import::LineType`),
/// empty for an e-mail. The phones already stored are classified here, by
/// the same code the import and the form use, in batches of 2,000 (one
/// `UPDATE … FROM (VALUES …)` each, on both databases).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("contact_detail")
                    .add_column(string_len("line_type", 24).default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let mut after = 0_i64;
        loop {
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    match backend {
                        DatabaseBackend::Postgres => {
                            "SELECT id, value FROM contact_detail \
                             WHERE kind = 'phone' AND id > $1 ORDER BY id LIMIT $2"
                        }
                        _ => {
                            "SELECT id, value FROM contact_detail \
                             WHERE kind = 'phone' AND id > ? ORDER BY id LIMIT ?"
                        }
                    },
                    [Value::from(after), Value::from(BATCH as i64)],
                ))
                .await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.try_get::<i64>("", "id")?;
            let mut values = Vec::with_capacity(rows.len() * 2);
            let mut tuples = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let id = row.try_get::<i64>("", "id")?;
                let value = row.try_get::<String>("", "value")?;
                values.push(Value::from(id));
                values.push(Value::from(line_type_of(&value).as_str()));
                tuples.push(match backend {
                    DatabaseBackend::Postgres => {
                        format!("(${}::bigint, ${}::text)", 2 * i + 1, 2 * i + 2)
                    }
                    _ => "(?, ?)".to_string(),
                });
            }
            let sql = match backend {
                DatabaseBackend::Postgres => format!(
                    "UPDATE contact_detail SET line_type = v.t FROM (VALUES {}) AS v(id, t) \
                     WHERE contact_detail.id = v.id",
                    tuples.join(", ")
                ),
                _ => format!(
                    "UPDATE contact_detail SET line_type = v.column2 FROM (VALUES {}) AS v \
                     WHERE contact_detail.id = v.column1",
                    tuples.join(", ")
                ),
            };
            db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?;
            if (rows.len() as u64) < BATCH {
                break;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("contact_detail")
                    .drop_column("line_type")
                    .to_owned(),
            )
            .await
    }
}
