//! How the contacts list behaves with many contacts (100,000 by default,
//! `SCALE_CONTACTS=1000000` for a million): a measurement, not a test (no
//! timed assertion). Run it with
//! `cargo test -p app --features ssr --release --test scale -- --ignored --nocapture`.

mod common;

use std::time::{Duration, Instant};

use app::db::entity::{contact, contact_detail, contact_group, group_member};
use app::import::Region;
use app::model::{ContactQuery, GroupFilter, SortOrder};
use chrono::Utc;
use common::{databases, TestDb};
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, EntityTrait, Set, TransactionTrait};

/// Contacts seeded: `SCALE_CONTACTS`, or 100,000.
fn n() -> i64 {
    std::env::var("SCALE_CONTACTS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(100_000)
}
/// Runs of each query; the slowest of 100 is the p99.
const RUNS: usize = 100;

/// The databases to measure: both, or the one `SCALE_DB` names.
async fn chosen_databases() -> Vec<TestDb> {
    let only = std::env::var("SCALE_DB").ok();
    let mut chosen = Vec::new();
    for db in databases().await {
        if only.as_deref().is_none_or(|name| name == db.name) {
            chosen.push(db);
        } else {
            db.drop_schema().await;
        }
    }
    chosen
}
const BATCH: i64 = 1_000;

async fn seed(db: &TestDb) -> i64 {
    let conn = db.store.connection();
    let group = contact_group::Entity::insert(contact_group::ActiveModel {
        id: NotSet,
        account_id: Set(db.account),
        name: Set("Every tenth".into()),
        name_key: Set("every tenth".into()),
        created_at: Set(Utc::now()),
    })
    .exec(conn)
    .await
    .unwrap()
    .last_insert_id;
    let txn = conn.begin().await.unwrap();
    for start in (0..n()).step_by(BATCH as usize) {
        let now = Utc::now();
        let contacts = (start..start + BATCH).map(|i| contact::ActiveModel {
            id: Set(i + 1),
            account_id: Set(db.account),
            first_name: Set(format!("First{i}")),
            last_name: Set(format!("Last{i}")),
            company: Set(format!("Company {}", i % 997)),
            sort_name: Set(format!("first{i} last{i}")),
            search_text: Set(format!("first{i} last{i} company {}", i % 997)),
            created_at: Set(now),
            updated_at: Set(now),
            import_id: Set(None),
            sms_status: Set("not_recorded".into()),
            sms_status_at: Set(None),
            sms_status_source: Set(String::new()),
            sms_number: Set(format!("+447911{:06}", i)),
            reach: Set("textable".into()),
        });
        contact::Entity::insert_many(contacts)
            .exec(&txn)
            .await
            .unwrap();
        let details = (start..start + BATCH).flat_map(|i| {
            let phone = format!("+447911{:06}", i);
            let email = format!("person{i}@example.org");
            [("phone", phone), ("email", email)].map(|(kind, value)| contact_detail::ActiveModel {
                id: NotSet,
                account_id: Set(db.account),
                contact_id: Set(i + 1),
                kind: Set(kind.into()),
                match_key: Set(value.clone()),
                value: Set(value),
                label: Set(String::new()),
                is_primary: Set(true),
                position: Set(0),
                line_type: Set(if kind == "phone" { "mobile" } else { "" }.into()),
            })
        });
        contact_detail::Entity::insert_many(details)
            .exec(&txn)
            .await
            .unwrap();
        let members =
            (start..start + BATCH)
                .filter(|i| i % 10 == 0)
                .map(|i| group_member::ActiveModel {
                    group_id: Set(group),
                    contact_id: Set(i + 1),
                    account_id: Set(db.account),
                });
        group_member::Entity::insert_many(members)
            .exec(&txn)
            .await
            .unwrap();
    }
    // The seed writes the tables directly: the account's count of contacts,
    // which the store's writes keep, is set here.
    txn.execute_unprepared(&format!(
        "UPDATE account SET contact_count = {} WHERE id = {}",
        n(),
        db.account
    ))
    .await
    .unwrap();
    txn.commit().await.unwrap();
    // The steady state after a bulk load: fresh statistics, and on PostgreSQL
    // the visibility map that lets counts read the index alone — what
    // autovacuum (which PostgreSQL also runs after large inserts) or
    // SQLite's `PRAGMA optimize` give.
    let settle = if db.name == "postgres" {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    conn.execute_unprepared(settle).await.unwrap();
    group
}

async fn time(db: &TestDb, label: &str, q: ContactQuery) {
    let mut runs = Vec::new();
    let mut total = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let page = db
            .store
            .list_contacts(db.account, Region::default(), &q)
            .await
            .unwrap();
        runs.push(t.elapsed());
        total = page.total;
    }
    runs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<9} {:<34} median {:>8.2} ms  p99 {:>8.2} ms  ({total} matches)",
        db.name,
        label,
        ms(runs[RUNS / 2]),
        ms(runs[RUNS * 99 / 100])
    );
}

#[tokio::test]
#[ignore = "measurement: seeds 100,000 contacts (SCALE_CONTACTS)"]
async fn list_with_many_contacts() {
    for db in chosen_databases().await {
        let t = Instant::now();
        let group = seed(&db).await;
        println!(
            "{:<9} seeded {} contacts, {} details in {:.1} s",
            db.name,
            n(),
            2 * n(),
            t.elapsed().as_secs_f64()
        );
        let q = |search: &str, group, sort, page| ContactQuery {
            search: search.into(),
            group,
            sort,
            page,
            per_page: 25,
            import: None,
            ..Default::default()
        };
        time(
            &db,
            "first page by name",
            q("", GroupFilter::All, SortOrder::Name, 1),
        )
        .await;
        time(
            &db,
            "first page by last updated",
            q("", GroupFilter::All, SortOrder::Updated, 1),
        )
        .await;
        time(
            &db,
            "page 2,000 by name",
            q("", GroupFilter::All, SortOrder::Name, 2000),
        )
        .await;
        time(
            &db,
            "last page by name",
            q(
                "",
                GroupFilter::All,
                SortOrder::Name,
                (n() as u64).div_ceil(25),
            ),
        )
        .await;
        time(
            &db,
            "search company 'company 42'",
            q("company 42", GroupFilter::All, SortOrder::Name, 1),
        )
        .await;
        time(
            &db,
            "search name 'last4242'",
            q("last4242", GroupFilter::All, SortOrder::Name, 1),
        )
        .await;
        time(
            &db,
            "search phone '07911 054321'",
            q("07911 054321", GroupFilter::All, SortOrder::Name, 1),
        )
        .await;
        time(
            &db,
            "search e-mail 'person777@'",
            q("person777@", GroupFilter::All, SortOrder::Name, 1),
        )
        .await;
        time(
            &db,
            "group filter (every tenth contact)",
            q("", GroupFilter::Group(group), SortOrder::Name, 1),
        )
        .await;
        time(
            &db,
            "no-group filter",
            q("", GroupFilter::None, SortOrder::Name, 1),
        )
        .await;
        db.drop_schema().await;
    }
}

/// Where the time of one list page goes: each statement the store runs, timed
/// alone, with SQLite's and PostgreSQL's plans for the slow ones.
#[tokio::test]
#[ignore = "measurement: seeds 100,000 contacts (SCALE_CONTACTS)"]
async fn list_statements_with_many_contacts() {
    use sea_orm::Statement;
    for db in chosen_databases().await {
        seed(&db).await;
        let conn = db.store.connection();
        let backend = conn.get_database_backend();
        let ids = (1..=25)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let a = db.account;
        for sql in [
            format!("SELECT COUNT(*) FROM contact WHERE account_id = {a}"),
            format!("SELECT COUNT(*) AS num_items FROM (SELECT contact.id, contact.first_name FROM contact WHERE contact.account_id = {a}) AS sub_query"),
            format!("SELECT * FROM contact WHERE account_id = {a} ORDER BY sort_name, id LIMIT 25"),
            format!("SELECT * FROM contact_detail WHERE account_id = {a} AND contact_id IN ({ids}) ORDER BY contact_id, kind DESC, position"),
            format!("SELECT m.contact_id, g.id, g.name FROM group_member m JOIN contact_group g ON m.group_id = g.id WHERE m.account_id = {a} AND m.contact_id IN ({ids}) ORDER BY g.name_key"),
        ] {
            let t = Instant::now();
            for _ in 0..5 {
                conn.query_all_raw(Statement::from_string(backend, sql.clone())).await.unwrap();
            }
            println!("{:<9} {:>8.2} ms  {sql}", db.name, t.elapsed().as_secs_f64() * 1000.0 / 5.0);
            let explain = if db.name == "sqlite" { format!("EXPLAIN QUERY PLAN {sql}") } else { format!("EXPLAIN {sql}") };
            for row in conn.query_all_raw(Statement::from_string(backend, explain)).await.unwrap() {
                let line: Vec<String> = (0..4).filter_map(|i| row.try_get_by_index::<String>(i).ok()).collect();
                println!("            plan: {}", line.join(" "));
            }
        }
        db.drop_schema().await;
    }
}
