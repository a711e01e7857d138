use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

use crate::import::consent::Reach;
use crate::import::DetailKind;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The recipients' counts, kept instead of counted (`db::recipients`):
///
/// 1. `contact.reach`: whether a contact's phones let it be texted
///    (`textable`, `landline_only`, `no_phone`: `consent::Reach`), written
///    with `sms_number` by every write of its phones; set here from the
///    stored numbers and phones.
/// 2. `account_audience` and `group_audience`: how many contacts of the
///    account, and members of the group, have each (status, reach) pair,
///    as rows to add up. The counts of "everyone" or of one group then read
///    a few rows, however many contacts there are; the rule that turns a
///    pair into "textable" or an exclusion stays in Rust
///    (`recipient_verdict`).
/// 3. Triggers keep them: a contact inserted, deleted, or changing status or
///    reach; a membership added or removed. On SQLite (one writer at a
///    time) once per row, an upsert of the pair's one row (a unique index
///    there). On PostgreSQL once
///    per statement, over its transition tables, *appending* the
///    statement's changes per pair: an import's 100,000 rows make a few
///    rows, and two writers never wait on a shared counter row (nor
///    deadlock on two). The reader adds them up and folds them back into
///    one row per pair when there are many (`Store::recipients`).
///
/// One order is assumed and kept by the store: a contact's memberships are
/// deleted before it (`clear_details_and_groups`), since a membership's
/// count is found through its contact. A group's counts go with it
/// (foreign key). The store tests compare the counts with a recount.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("contact")
                    .add_column(
                        string_len("reach", 16)
                            .default(Reach::NoPhone.as_str())
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let textable = Reach::of(Some("+"), true).as_str();
        let landline = Reach::of(None, true).as_str();
        let phone = DetailKind::Phone.as_str();
        db.execute_unprepared(&format!(
            "UPDATE contact SET reach = '{textable}' WHERE sms_number <> ''"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE contact SET reach = '{landline}' WHERE sms_number = '' AND EXISTS \
             (SELECT 1 FROM contact_detail d WHERE d.account_id = contact.account_id \
              AND d.contact_id = contact.id AND d.kind = '{phone}')"
        ))
        .await?;
        for (table, owner, owners) in [
            ("account_audience", "account_id", "account"),
            ("group_audience", "group_id", "contact_group"),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(big_integer("id").auto_increment().primary_key())
                        .col(big_integer(owner))
                        .col(string_len("sms_status", 16))
                        .col(string_len("reach", 16))
                        .col(big_integer("n").default(0))
                        .foreign_key(
                            ForeignKey::create()
                                .from(table, owner)
                                .to(owners, "id")
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("idx_{table}_pair"))
                        .table(table)
                        .col(owner)
                        .col("sms_status")
                        .col("reach")
                        .to_owned(),
                )
                .await?;
        }
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            // One row per pair on SQLite: each trigger step is one upsert.
            for (table, owner) in [
                ("account_audience", "account_id"),
                ("group_audience", "group_id"),
            ] {
                db.execute_unprepared(&format!(
                    "CREATE UNIQUE INDEX idx_{table}_one_row ON {table} ({owner}, sms_status, reach)"
                ))
                .await?;
            }
        }
        db.execute_unprepared(
            "INSERT INTO account_audience (account_id, sms_status, reach, n) \
             SELECT account_id, sms_status, reach, COUNT(*) FROM contact \
             GROUP BY account_id, sms_status, reach",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO group_audience (group_id, sms_status, reach, n) \
             SELECT m.group_id, c.sms_status, c.reach, COUNT(*) \
             FROM group_member m JOIN contact c ON c.id = m.contact_id \
             GROUP BY m.group_id, c.sms_status, c.reach",
        )
        .await?;
        let triggers: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Postgres => &POSTGRES_TRIGGERS,
            _ => &SQLITE_TRIGGERS,
        };
        for sql in triggers {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        for (name, table) in [
            ("audience_contact_insert", "contact"),
            ("audience_contact_delete", "contact"),
            ("audience_contact_update", "contact"),
            ("audience_member_insert", "group_member"),
            ("audience_member_delete", "group_member"),
        ] {
            if postgres {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name} ON {table}"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {name}()"))
                    .await?;
            } else {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .await?;
            }
        }
        for table in ["group_audience", "account_audience"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("contact")
                    .drop_column("reach")
                    .to_owned(),
            )
            .await
    }
}

/// Per row: add to the pair's one row, an upsert (each `INSERT … SELECT`
/// has a `WHERE`, which SQLite's parser needs to tell its upsert from a
/// join).
const SQLITE_TRIGGERS: [&str; 5] = [
    "CREATE TRIGGER audience_contact_insert AFTER INSERT ON contact BEGIN \
       INSERT INTO account_audience (account_id, sms_status, reach, n) \
       VALUES (NEW.account_id, NEW.sms_status, NEW.reach, 1) \
       ON CONFLICT (account_id, sms_status, reach) DO UPDATE SET n = n + 1; \
     END",
    "CREATE TRIGGER audience_contact_delete AFTER DELETE ON contact BEGIN \
       UPDATE account_audience SET n = n - 1 WHERE account_id = OLD.account_id \
         AND sms_status = OLD.sms_status AND reach = OLD.reach; \
     END",
    "CREATE TRIGGER audience_contact_update AFTER UPDATE OF sms_status, reach ON contact \
     WHEN OLD.sms_status <> NEW.sms_status OR OLD.reach <> NEW.reach BEGIN \
       UPDATE account_audience SET n = n - 1 WHERE account_id = OLD.account_id \
         AND sms_status = OLD.sms_status AND reach = OLD.reach; \
       INSERT INTO account_audience (account_id, sms_status, reach, n) \
       VALUES (NEW.account_id, NEW.sms_status, NEW.reach, 1) \
       ON CONFLICT (account_id, sms_status, reach) DO UPDATE SET n = n + 1; \
       UPDATE group_audience SET n = n - 1 \
       WHERE sms_status = OLD.sms_status AND reach = OLD.reach AND group_id IN \
         (SELECT group_id FROM group_member \
          WHERE account_id = NEW.account_id AND contact_id = NEW.id); \
       INSERT INTO group_audience (group_id, sms_status, reach, n) \
       SELECT group_id, NEW.sms_status, NEW.reach, 1 FROM group_member \
       WHERE account_id = NEW.account_id AND contact_id = NEW.id \
       ON CONFLICT (group_id, sms_status, reach) DO UPDATE SET n = n + 1; \
     END",
    "CREATE TRIGGER audience_member_insert AFTER INSERT ON group_member BEGIN \
       INSERT INTO group_audience (group_id, sms_status, reach, n) \
       SELECT NEW.group_id, sms_status, reach, 1 FROM contact WHERE id = NEW.contact_id \
       ON CONFLICT (group_id, sms_status, reach) DO UPDATE SET n = n + 1; \
     END",
    "CREATE TRIGGER audience_member_delete AFTER DELETE ON group_member BEGIN \
       UPDATE group_audience SET n = n - 1 WHERE group_id = OLD.group_id \
         AND (sms_status, reach) = \
           (SELECT sms_status, reach FROM contact WHERE id = OLD.contact_id); \
     END",
];

/// Per statement, over its transition tables (PostgreSQL 10+): the
/// statement's changes per pair, appended.
const POSTGRES_TRIGGERS: [&str; 10] = [
    "CREATE OR REPLACE FUNCTION audience_contact_insert() RETURNS trigger \
     LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO account_audience (account_id, sms_status, reach, n) \
       SELECT account_id, sms_status, reach, COUNT(*) FROM new_rows GROUP BY 1, 2, 3; \
       RETURN NULL; END $$",
    "CREATE TRIGGER audience_contact_insert AFTER INSERT ON contact \
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION audience_contact_insert()",
    "CREATE OR REPLACE FUNCTION audience_contact_delete() RETURNS trigger \
     LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO account_audience (account_id, sms_status, reach, n) \
       SELECT account_id, sms_status, reach, -COUNT(*) FROM old_rows GROUP BY 1, 2, 3; \
       RETURN NULL; END $$",
    "CREATE TRIGGER audience_contact_delete AFTER DELETE ON contact \
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION audience_contact_delete()",
    // Rows whose pair did not change cancel out (no join of the two
    // transition tables, which have no index: a join of an import's 5,000
    // updated rows was a nested loop of 25 million steps); what is left is
    // each changed contact's old pair (-1) and new pair (+1).
    "CREATE OR REPLACE FUNCTION audience_contact_update() RETURNS trigger \
     LANGUAGE plpgsql AS $$ BEGIN \
       WITH moved AS ( \
         SELECT id, account_id, sms_status, reach, SUM(d) AS d FROM ( \
           SELECT id, account_id, sms_status, reach, 1 AS d FROM new_rows \
           UNION ALL \
           SELECT id, account_id, sms_status, reach, -1 FROM old_rows) x \
         GROUP BY id, account_id, sms_status, reach HAVING SUM(d) <> 0), \
       accounts AS ( \
         INSERT INTO account_audience (account_id, sms_status, reach, n) \
         SELECT account_id, sms_status, reach, SUM(d) FROM moved \
         GROUP BY 1, 2, 3 HAVING SUM(d) <> 0 \
         RETURNING 1) \
       INSERT INTO group_audience (group_id, sms_status, reach, n) \
       SELECT m.group_id, x.sms_status, x.reach, SUM(x.d) FROM moved x \
         JOIN group_member m ON m.account_id = x.account_id AND m.contact_id = x.id \
       GROUP BY 1, 2, 3 HAVING SUM(x.d) <> 0; \
       RETURN NULL; END $$",
    "CREATE TRIGGER audience_contact_update AFTER UPDATE ON contact \
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION audience_contact_update()",
    "CREATE OR REPLACE FUNCTION audience_member_insert() RETURNS trigger \
     LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO group_audience (group_id, sms_status, reach, n) \
       SELECT m.group_id, c.sms_status, c.reach, COUNT(*) FROM new_rows m \
         JOIN contact c ON c.id = m.contact_id \
       GROUP BY 1, 2, 3; \
       RETURN NULL; END $$",
    "CREATE TRIGGER audience_member_insert AFTER INSERT ON group_member \
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION audience_member_insert()",
    "CREATE OR REPLACE FUNCTION audience_member_delete() RETURNS trigger \
     LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO group_audience (group_id, sms_status, reach, n) \
       SELECT m.group_id, c.sms_status, c.reach, -COUNT(*) FROM old_rows m \
         JOIN contact c ON c.id = m.contact_id \
       GROUP BY 1, 2, 3; \
       RETURN NULL; END $$",
    "CREATE TRIGGER audience_member_delete AFTER DELETE ON group_member \
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION audience_member_delete()",
];
