use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A custom field's value carries its contact's `sort_name`, and the value
/// index orders by it: `(field_id, value_key, sort_name, contact_id)`
/// replaces `(field_id, value_key, contact_id)`. A page of "City = Leeds"
/// in name order is then one range of the index (its offset, then its 25
/// rows), whatever the names and the cities.
///
/// Before, a value many contacts hold was paged by walking the contacts in
/// name order and probing each for the value: cheap when the value is
/// spread through the alphabet, but a value whose holders come late in it
/// (in the load test's 1,000,000 contacts, the first holder of Leeds is the
/// 8,334th name) made the walk probe thousands of contacts per page: 117 /
/// 182 ms p50 / p99 at 32 clients on SQLite (BENCHMARKS.md).
///
/// Kept by its writers (an import, the contact form, a bulk action write
/// the contact's sort name with the value) and, when a contact's name
/// changes, by a trigger that rewrites its values' copies. The store tests
/// hold every value's copy to its contact's after each kind of write.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("contact_field_value")
                    .add_column(string_len("sort_name", 400).default("").to_owned())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE contact_field_value SET sort_name = \
             (SELECT c.sort_name FROM contact c WHERE c.id = contact_field_value.contact_id)",
        )
        .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_contact_field_value_filter")
                    .table("contact_field_value")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_field_value_sorted")
                    .table("contact_field_value")
                    .col("field_id")
                    .col("value_key")
                    .col("sort_name")
                    .col("contact_id")
                    .to_owned(),
            )
            .await?;
        let triggers: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Postgres => &POSTGRES_TRIGGER,
            _ => &SQLITE_TRIGGER,
        };
        for sql in triggers {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER IF EXISTS field_value_sort_name ON contact")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS field_value_sort_name()")
                .await?;
        } else {
            db.execute_unprepared("DROP TRIGGER IF EXISTS field_value_sort_name")
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_contact_field_value_sorted")
                    .table("contact_field_value")
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
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("contact_field_value")
                    .drop_column("sort_name")
                    .to_owned(),
            )
            .await
    }
}

/// A contact renamed: its values' copies of the sort name follow.
const SQLITE_TRIGGER: [&str; 1] = [
    "CREATE TRIGGER field_value_sort_name AFTER UPDATE OF sort_name ON contact \
     WHEN OLD.sort_name IS NOT NEW.sort_name BEGIN \
       UPDATE contact_field_value SET sort_name = NEW.sort_name WHERE contact_id = NEW.id; \
     END",
];

/// The same, per row and only for rows whose sort name changed (the `WHEN`
/// is tested without calling the function: an import updating 100,000
/// contacts without renaming them calls it for none).
const POSTGRES_TRIGGER: [&str; 2] = [
    "CREATE OR REPLACE FUNCTION field_value_sort_name() RETURNS trigger \
     LANGUAGE plpgsql AS $$ BEGIN \
       UPDATE contact_field_value SET sort_name = NEW.sort_name WHERE contact_id = NEW.id; \
       RETURN NULL; END $$",
    "CREATE TRIGGER field_value_sort_name AFTER UPDATE OF sort_name ON contact \
     FOR EACH ROW WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name) \
     EXECUTE FUNCTION field_value_sort_name()",
];
