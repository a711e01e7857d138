//! The bulk upsert on real SQLite and PostgreSQL (see `common`): new
//! contacts, matches by phone in another notation and by e-mail with an
//! upper-case domain, conflicts, idempotence, groups, dry runs, batches.

mod common;

use app::import::{auto_map, plan, ImportContact, ImportPlan, Region, Table};
use app::model::{ContactQuery, GroupFilter};
use common::{databases, TestDb};

fn plan_of(headers: &[&str], rows: &[&[&str]]) -> ImportPlan {
    let t = Table::literal(headers, rows);
    let m = auto_map(&t.headers, &t.rows, t.width, Region::default());
    plan(&t, &m, Region::default(), &[])
}

async fn all(db: &TestDb) -> Vec<app::model::ContactView> {
    let q = ContactQuery {
        per_page: 100,
        ..Default::default()
    };
    db.store
        .list_contacts(db.account, Region::default(), &q)
        .await
        .unwrap()
        .contacts
}

const HEADERS: &[&str] = &["First name", "Last name", "Mobile", "E-mail", "Group"];

#[tokio::test]
async fn new_contacts_are_created_with_details_and_groups() {
    for db in databases().await {
        let p = plan_of(
            HEADERS,
            &[
                &[
                    "Ada",
                    "Lovelace",
                    "07400 123456",
                    "ada@example.com",
                    "Friends; Work",
                ],
                &["Bob", "", "", "bob@example.com", "friends"],
            ],
        );
        let s = db
            .store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(
            (s.created, s.updated, s.unchanged),
            (2, 0, 0),
            "{}",
            db.name
        );
        assert_eq!(s.groups_created, 2);
        let list = all(&db).await;
        let ada = list.iter().find(|c| c.first_name == "Ada").unwrap();
        assert_eq!(ada.details.len(), 2);
        assert_eq!(ada.details[0].value, "+447400123456");
        assert_eq!(ada.details[0].label, "mobile");
        assert!(ada.details[0].is_primary && ada.details[1].is_primary);
        let mut groups: Vec<&str> = ada.groups.iter().map(|g| g.name.as_str()).collect();
        groups.sort();
        assert_eq!(groups, vec!["Friends", "Work"]);
        let friends = db.store.list_groups(db.account).await.unwrap();
        let friends = friends.iter().find(|g| g.name == "Friends").unwrap();
        assert_eq!(friends.member_count, 2, "{}", db.name);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn matches_by_phone_in_another_notation_and_by_email_case_update_the_contact() {
    for db in databases().await {
        let first = plan_of(
            HEADERS,
            &[
                &["Ada", "", "07400 123456", "", ""],
                &["Bob", "Smith", "", "bob@example.com", ""],
            ],
        );
        db.store
            .import_contacts(db.account, &first.contacts, false)
            .await
            .unwrap();
        let second = plan_of(
            HEADERS,
            &[
                &[
                    "",
                    "Lovelace",
                    "+44 7400 123456",
                    "ada@example.com",
                    "Friends",
                ],
                &["Robert", "", "", "BOB@EXAMPLE.COM", ""],
            ],
        );
        let s = db
            .store
            .import_contacts(db.account, &second.contacts, false)
            .await
            .unwrap();
        assert_eq!((s.created, s.updated), (0, 2), "{}", db.name);
        let list = all(&db).await;
        assert_eq!(list.len(), 2);
        let ada = list.iter().find(|c| c.last_name == "Lovelace").unwrap();
        assert_eq!(ada.first_name, "Ada", "an empty cell does not erase");
        assert_eq!(ada.details.len(), 2, "the e-mail was added");
        assert_eq!(ada.groups.len(), 1);
        let bob = list.iter().find(|c| c.last_name == "Smith").unwrap();
        assert_eq!(bob.first_name, "Robert", "a non-empty cell overwrites");
        assert_eq!(bob.details.len(), 1);
        // Name search sees the new names.
        let q = ContactQuery {
            search: "robert".into(),
            ..Default::default()
        };
        let found = db
            .store
            .list_contacts(db.account, Region::default(), &q)
            .await
            .unwrap();
        assert_eq!(found.total, 1, "{}", db.name);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn a_whole_name_replaces_both_parts_unless_it_is_the_same_name() {
    for db in databases().await {
        let first = plan_of(
            HEADERS,
            &[
                &["Ed", "X9", "07400 123456", "", ""],
                &["Di", "Lo", "07400 123457", "", ""],
            ],
        );
        db.store
            .import_contacts(db.account, &first.contacts, false)
            .await
            .unwrap();
        // "Ed X9" cannot be split safely (a digit), so it stays whole.
        let second = plan_of(
            &["Name", "Phone"],
            &[&["Ed X9", "07400 123456"], &["Di  Lo", "07400 123457"]],
        );
        assert_eq!(second.contacts[0].full_name.as_deref(), Some("Ed X9"));
        let s = db
            .store
            .import_contacts(db.account, &second.contacts, false)
            .await
            .unwrap();
        assert_eq!(
            (s.updated, s.unchanged),
            (0, 2),
            "{}: the same names",
            db.name
        );
        let third = plan_of(&["Name", "Phone"], &[&["Ed X9 Jr", "07400 123456"]]);
        db.store
            .import_contacts(db.account, &third.contacts, false)
            .await
            .unwrap();
        let ed = all(&db)
            .await
            .into_iter()
            .find(|c| c.first_name.starts_with("Ed"))
            .unwrap();
        assert_eq!(
            (ed.first_name.as_str(), ed.last_name.as_str()),
            ("Ed X9 Jr", ""),
            "{}",
            db.name
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn a_row_matching_two_contacts_is_a_conflict_and_changes_nothing() {
    for db in databases().await {
        let first = plan_of(
            HEADERS,
            &[
                &["Ada", "Lovelace", "07400 123456", "", ""],
                &["Bob", "Smith", "", "bob@example.com", ""],
            ],
        );
        db.store
            .import_contacts(db.account, &first.contacts, false)
            .await
            .unwrap();
        let second = plan_of(
            HEADERS,
            &[&["Mix", "", "07400 123456", "bob@example.com", "X"]],
        );
        let s = db
            .store
            .import_contacts(db.account, &second.contacts, false)
            .await
            .unwrap();
        assert_eq!((s.created, s.updated), (0, 0), "{}", db.name);
        assert_eq!(s.conflicts.len(), 1);
        assert_eq!(s.conflicts[0].rows, vec![2]);
        let m = &s.conflicts[0].message;
        assert!(m.contains("Ada Lovelace") && m.contains("Bob Smith"), "{m}");
        let list = all(&db).await;
        assert!(list
            .iter()
            .all(|c| c.first_name != "Mix" && c.details.len() == 1));
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn the_same_import_twice_creates_nothing_the_second_time() {
    for db in databases().await {
        let p = plan_of(
            HEADERS,
            &[
                &[
                    "Ada",
                    "Lovelace",
                    "07400 123456",
                    "ada@example.com",
                    "Friends",
                ],
                &["Bob", "", "07400 654321", "", ""],
            ],
        );
        let once = db
            .store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        let twice = db
            .store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!((once.created, once.updated), (2, 0), "{}", db.name);
        assert_eq!(
            (
                twice.created,
                twice.updated,
                twice.unchanged,
                twice.groups_created
            ),
            (0, 0, 2, 0),
            "{}",
            db.name
        );
        assert_eq!(all(&db).await.len(), 2);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn a_dry_run_reports_the_same_counts_and_writes_nothing() {
    for db in databases().await {
        let p = plan_of(HEADERS, &[&["Ada", "", "07400 123456", "", "Friends"]]);
        let s = db
            .store
            .import_contacts(db.account, &p.contacts, true)
            .await
            .unwrap();
        assert_eq!((s.created, s.groups_created), (1, 1), "{}", db.name);
        assert!(all(&db).await.is_empty());
        assert!(db.store.list_groups(db.account).await.unwrap().is_empty());
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn contacts_made_in_the_form_keep_working_after_an_import() {
    for db in databases().await {
        // Ids allocated by the import and by the form must not collide.
        let p = plan_of(HEADERS, &[&["Ada", "", "07400 123456", "", ""]]);
        db.store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        let draft = app::import::ContactDraft {
            first_name: "Form".into(),
            phones: vec![app::import::DetailDraft::new("07400 111222", "")],
            ..Default::default()
        };
        let valid = app::import::validate_contact(&draft, Region::default()).unwrap();
        db.store.create_contact(db.account, &valid).await.unwrap();
        let p = plan_of(HEADERS, &[&["Cy", "", "07400 333444", "", ""]]);
        let s = db
            .store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(s.created, 1, "{}", db.name);
        assert_eq!(all(&db).await.len(), 3);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn several_batches_and_a_floating_filter_work_at_scale() {
    for db in databases().await {
        let contacts: Vec<ImportContact> = (0..(app::db::UPSERT_BATCH + 300))
            .map(|i| {
                let row: Vec<String> = vec![
                    format!("P{i}"),
                    String::new(),
                    format!("07400 {:06}", 100_000 + i),
                    format!("p{i}@example.com"),
                    if i % 2 == 0 {
                        "Even".into()
                    } else {
                        String::new()
                    },
                ];
                let refs: Vec<&str> = row.iter().map(String::as_str).collect();
                plan_of(HEADERS, &[&refs]).contacts.remove(0)
            })
            .collect();
        let s = db
            .store
            .import_contacts(db.account, &contacts, false)
            .await
            .unwrap();
        assert_eq!(s.created, contacts.len(), "{}", db.name);
        let q = ContactQuery {
            group: GroupFilter::None,
            ..Default::default()
        };
        let floating = db
            .store
            .list_contacts(db.account, Region::default(), &q)
            .await
            .unwrap();
        assert_eq!(floating.total as usize, contacts.len() / 2, "{}", db.name);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn hostile_and_unusual_text_is_stored_exactly() {
    for db in databases().await {
        let names = [
            "O'Brien \"Bob\" \\ back\\slash",
            "Zoë 🙂 ملاك",
            "'); DROP TABLE contact; --",
            "=HYPERLINK(\"http://x\")",
        ];
        let rows: Vec<[String; 5]> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                [
                    n.to_string(),
                    String::new(),
                    format!("07400 1234{i:02}"),
                    String::new(),
                    "Ünïcode group".to_string(),
                ]
            })
            .collect();
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(|r| r.as_slice()).collect();
        let p = plan_of(HEADERS, &slices);
        let s = db
            .store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(s.created, 4, "{}", db.name);
        let list = all(&db).await;
        for n in names {
            let c = list
                .iter()
                .find(|c| c.first_name == n)
                .unwrap_or_else(|| panic!("{}: {n} not stored as written", db.name));
            assert_eq!(c.groups[0].name, "Ünïcode group");
            assert!(c.details[0].is_primary);
            assert_eq!(c.details[0].label, "mobile");
        }
        db.drop_schema().await;
    }
}

/// The unfiltered list's total is the account's kept count: it must follow
/// every write that creates or deletes contacts, and only the account's own.
#[tokio::test]
async fn the_unfiltered_total_follows_creates_imports_and_deletes() {
    use app::db::entity::contact;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    for db in databases().await {
        let other = db
            .store
            .create_account("Someone else", Region::default())
            .await
            .unwrap();
        let counted = |account: i64| {
            contact::Entity::find()
                .filter(contact::Column::AccountId.eq(account))
                .count(db.store.connection())
        };
        let listed = || async {
            db.store
                .list_contacts(db.account, Region::default(), &ContactQuery::default())
                .await
                .unwrap()
                .total
        };
        let first = plan_of(
            HEADERS,
            &[
                &["Ada", "L", "07400 123456", "", ""],
                &["Bob", "", "", "bob@example.com", "Friends"],
                &["Cy", "", "07400 654321", "", ""],
            ],
        );
        db.store
            .import_contacts(db.account, &first.contacts, false)
            .await
            .unwrap();
        assert_eq!((listed().await, counted(db.account).await.unwrap()), (3, 3));
        // Two matches (updated) and one new contact; a dry run writes nothing.
        let second = plan_of(
            HEADERS,
            &[
                &["Ada", "Lovelace", "+44 7400 123456", "", ""],
                &["Bob", "B", "", "BOB@example.com", ""],
                &["Di", "", "", "di@example.com", ""],
            ],
        );
        db.store
            .import_contacts(db.account, &second.contacts, true)
            .await
            .unwrap();
        assert_eq!(listed().await, 3);
        db.store
            .import_contacts(db.account, &second.contacts, false)
            .await
            .unwrap();
        assert_eq!(listed().await, 4);
        let page = db
            .store
            .list_contacts(db.account, Region::default(), &ContactQuery::default())
            .await
            .unwrap();
        for c in page.contacts.iter().take(2) {
            db.store.delete_contact(db.account, c.id).await.unwrap();
        }
        // Deleting a contact that is already gone changes nothing.
        let gone = page.contacts[0].id;
        assert!(db.store.delete_contact(db.account, gone).await.is_err());
        assert_eq!((listed().await, counted(db.account).await.unwrap()), (2, 2));
        assert_eq!(
            db.store
                .account(other.id)
                .await
                .unwrap()
                .unwrap()
                .contact_count,
            0
        );
        db.drop_schema().await;
    }
}

/// The key lookup probes the unique (account, kind, key) index even when
/// PostgreSQL has no statistics yet (a table never analyzed, as in a new
/// database's first import): with another index starting with the account,
/// or a sequential scan, it read every detail of the account per key (one
/// lookup took 26 s while other chunks filled the table).
#[tokio::test]
async fn the_key_lookup_probes_the_key_index_without_statistics() {
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait, Value};
    for db in databases().await {
        if db.name != "postgres" {
            continue;
        }
        let contacts: Vec<ImportContact> = (0..1_000)
            .map(|i| {
                let row = [
                    format!("P{i}"),
                    String::new(),
                    format!("07400 {:06}", 200_000 + i),
                    format!("p{i}@example.com"),
                    String::new(),
                ];
                let refs: Vec<&str> = row.iter().map(String::as_str).collect();
                plan_of(HEADERS, &[&refs]).contacts.remove(0)
            })
            .collect();
        db.store
            .import_contacts(db.account, &contacts, false)
            .await
            .unwrap();
        let conn = db.store.connection();
        let never_analyzed = conn
            .query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                "SELECT reltuples::float8 AS t FROM pg_class WHERE oid = 'contact_detail'::regclass",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<f64>("", "t")
            .unwrap();
        assert!(never_analyzed < 0.0, "the table must be unanalyzed here");
        let txn = conn.begin().await.unwrap();
        txn.execute_unprepared(app::db::LOOKUP_SETTINGS)
            .await
            .unwrap();
        let keys: Vec<String> = (0..4_000)
            .map(|i| format!("+447400{:06}", 100_000 + i))
            .collect();
        let plan: Vec<String> = txn
            .query_all_raw(Statement::from_sql_and_values(
                conn.get_database_backend(),
                format!("EXPLAIN {}", app::db::PROBE_SQL),
                [
                    Value::from(db.account),
                    Value::from("phone"),
                    Value::from(keys),
                ],
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect();
        let plan = plan.join("\n");
        assert!(
            plan.contains("Index Scan using uq_contact_detail_account_kind_key")
                && plan.contains("match_key")
                && !plan.contains("Filter"),
            "{plan}"
        );
        txn.rollback().await.unwrap();
        db.drop_schema().await;
    }
}

/// Two rows of a file that share no detail but match one stored contact
/// (one by its phone, one by its e-mail) update it once: each group joined
/// once (a second membership row would break the chunk), each new detail
/// numbered after the last, one primary of each kind.
#[tokio::test]
async fn two_rows_matching_one_contact_by_different_details_update_it_once() {
    for db in databases().await {
        let first = plan_of(
            HEADERS,
            &[&["Ada", "Lovelace", "07400 123456", "ada@example.com", ""]],
        );
        db.store
            .import_contacts(db.account, &first.contacts, false)
            .await
            .unwrap();
        let again = plan_of(
            HEADERS,
            &[
                &["", "King", "07400 123456", "", "Leads"],
                &["", "", "07400 999999", "ada@example.com", "leads; VIP"],
            ],
        );
        assert_eq!(again.contacts.len(), 2);
        let s = db
            .store
            .import_contacts(db.account, &again.contacts, false)
            .await
            .unwrap();
        assert_eq!(
            (s.created, s.updated, s.unchanged, s.groups_created),
            (0, 1, 0, 2),
            "{}",
            db.name
        );
        let list = all(&db).await;
        let [ada] = list.as_slice() else {
            panic!("one contact: {list:?}")
        };
        assert_eq!(ada.last_name, "King");
        let phones: Vec<(&str, bool)> = ada
            .details
            .iter()
            .filter(|d| d.value.starts_with('+'))
            .map(|d| (d.value.as_str(), d.is_primary))
            .collect();
        assert_eq!(phones, [("+447400123456", true), ("+447400999999", false)]);
        let mut groups: Vec<&str> = ada.groups.iter().map(|g| g.name.as_str()).collect();
        groups.sort();
        assert_eq!(groups, ["Leads", "VIP"], "{}", db.name);
        db.drop_schema().await;
    }
}

/// SQLite's statistics follow the contacts as imports add them: taken
/// again once the contacts have doubled since they were last taken.
#[tokio::test]
async fn sqlite_statistics_are_taken_again_as_the_contacts_double() {
    use sea_orm::{ConnectionTrait, Statement};
    for db in databases().await {
        if db.name != "sqlite" {
            continue;
        }
        let batch = |from: usize, n: usize| -> Vec<ImportContact> {
            (from..from + n)
                .map(|i| {
                    let row = [
                        format!("P{i}"),
                        String::new(),
                        format!("07400 {:06}", 300_000 + i),
                        String::new(),
                        String::new(),
                    ];
                    let refs: Vec<&str> = row.iter().map(String::as_str).collect();
                    plan_of(HEADERS, &[&refs]).contacts.remove(0)
                })
                .collect()
        };
        let rows_then = || async {
            let conn = db.store.connection();
            let stat = conn
                .query_one_raw(Statement::from_string(
                    conn.get_database_backend(),
                    "SELECT stat AS s FROM sqlite_stat1 WHERE tbl = 'contact' LIMIT 1",
                ))
                .await
                .unwrap()
                .map(|row| row.try_get::<String>("", "s").unwrap())
                .unwrap_or_default();
            stat.split(' ')
                .next()
                .unwrap_or("0")
                .parse::<u64>()
                .unwrap_or(0)
        };
        let first = batch(0, 1_200);
        db.store
            .import_contacts(db.account, &first, false)
            .await
            .unwrap();
        assert_eq!(rows_then().await, 1_200, "taken once 1,000 contacts exist");
        // Fewer than twice as many: kept.
        db.store
            .import_contacts(db.account, &batch(1_200, 600), false)
            .await
            .unwrap();
        assert_eq!(rows_then().await, 1_200);
        // Twice as many and more: taken again.
        db.store
            .import_contacts(db.account, &batch(1_800, 1_000), false)
            .await
            .unwrap();
        assert_eq!(rows_then().await, 2_800);
        // Statistics left stale (a server stopped before its import's
        // refresh ran): taken when the store opens again, and only then.
        let conn = db.store.connection();
        conn.execute_unprepared("UPDATE sqlite_stat1 SET stat = '1000 1' WHERE tbl = 'contact'")
            .await
            .unwrap();
        assert_eq!(rows_then().await, 1_000);
        let schema_version = || async {
            let conn = db.store.connection();
            conn.query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                "PRAGMA schema_version",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap()
        };
        let version = schema_version().await;
        db.store.refresh_statistics_if_stale().await.unwrap();
        assert_eq!(rows_then().await, 2_800, "taken again at the start");
        // The schema changed: every connection reloads it, and with it the
        // statistics (an ANALYZE alone would leave the others on the old).
        assert!(schema_version().await > version);
        db.store.refresh_statistics_if_stale().await.unwrap();
        assert_eq!(rows_then().await, 2_800);
        db.drop_schema().await;
    }
}
