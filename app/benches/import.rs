//! Import throughput at 100,000 rows, reported as ratios to references
//! measured in the same run:
//!
//! * read + map + validate a csv / an xlsx file (generated here, 8 columns)
//!   against the `csv` crate's / calamine's raw read of the same bytes;
//! * the store's upsert of 100,000 contacts (all new, then the same again)
//!   against the set-based upsert written directly in SQL (staging table,
//!   match, insert new, update matched), as in `../shared/PERFORMANCE.md`
//!   (SQLite file; PostgreSQL too when `BENCH_POSTGRES_URL` is set or the
//!   default server answers).
//!
//! Run: `make bench` (or `cargo bench -p app --features ssr --bench import`).
//! The ratios are printed at the end and go into BENCHMARKS.md.

use std::io::Cursor;
use std::time::{Duration, Instant};

use app::db::{connect, Store};
use app::import::{
    choose_sheet, plan, read, DetailKind, HeaderChoice, ImportContact, PhoneCache, Region,
};
use calamine::{Reader, Xlsx};
use criterion::{criterion_group, Criterion};
use sea_orm::{sqlx, ConnectionTrait, DatabaseBackend, Statement};

const ROWS: usize = 100_000;
const HEADERS: [&str; 8] = [
    "First name",
    "Last name",
    "Mobile",
    "E-mail",
    "Company",
    "Group",
    "City",
    "Notes",
];

fn row(i: usize) -> [String; 8] {
    [
        format!("First{i}"),
        format!("Last{}", i % 977),
        format!("07400 {:06}", 100_000 + i),
        format!("person{i}@example.com"),
        format!("Company {}", i % 113),
        ["Friends", "Work", "Family", ""][i % 4].to_string(),
        "London".to_string(),
        "Met at the conference".to_string(),
    ]
}

fn csv_bytes() -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADERS).unwrap();
    for i in 0..ROWS {
        w.write_record(row(i)).unwrap();
    }
    w.into_inner().unwrap()
}

fn xlsx_bytes() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..ROWS {
        for (c, v) in row(i).iter().enumerate() {
            ws.write_string(i as u32 + 1, c as u16, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn import_pipeline(bytes: &[u8], name: &str) -> usize {
    let mut book = read::open(bytes.to_vec(), name).unwrap();
    let chosen = choose_sheet(&mut book, None, HeaderChoice::Auto, Region::default()).unwrap();
    let p = plan(&chosen.table, &chosen.mapping, Region::default(), &[]);
    assert_eq!(p.contacts.len(), ROWS);
    p.contacts.len()
}

/// What the wizard's worker does between stage 1 and stage 2: read, find
/// the table, map, then check every row for the preview (the plan, its
/// problems by cell and column, the chunks to send).
fn wizard_check(bytes: &[u8], name: &str) -> usize {
    let mut book = read::open(bytes.to_vec(), name).unwrap();
    let chosen = choose_sheet(&mut book, None, HeaderChoice::Auto, Region::default()).unwrap();
    let checked = app::import::worker::check(
        &chosen.table,
        &chosen.mapping,
        Region::default(),
        &mut PhoneCache::default(),
        &mut |_| {},
    );
    assert_eq!(checked.contacts, ROWS);
    checked.contacts
}

fn csv_raw(bytes: &[u8]) -> usize {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    rows.len()
}

fn xlsx_raw(bytes: &[u8]) -> usize {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    cells.len()
}

fn read_benches(c: &mut Criterion) {
    let csv = csv_bytes();
    let xlsx = xlsx_bytes();
    let mut g = c.benchmark_group("read_100k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("csv_raw", |b| b.iter(|| csv_raw(&csv)));
    g.bench_function("csv_import", |b| {
        b.iter(|| import_pipeline(&csv, "bench.csv"))
    });
    g.bench_function("xlsx_raw", |b| b.iter(|| xlsx_raw(&xlsx)));
    g.bench_function("xlsx_import", |b| {
        b.iter(|| import_pipeline(&xlsx, "bench.xlsx"))
    });
    g.bench_function("csv_wizard", |b| b.iter(|| wizard_check(&csv, "bench.csv")));
    g.bench_function("xlsx_wizard", |b| {
        b.iter(|| wizard_check(&xlsx, "bench.xlsx"))
    });
    g.finish();
}

fn contacts() -> Vec<ImportContact> {
    let bytes = csv_bytes();
    let mut book = read::open(bytes, "bench.csv").unwrap();
    let chosen = choose_sheet(&mut book, None, HeaderChoice::Auto, Region::default()).unwrap();
    plan(&chosen.table, &chosen.mapping, Region::default(), &[]).contacts
}

async fn fresh_store(url: &str) -> (Store, i64) {
    let store = Store::new(connect(url).await.unwrap());
    if url.starts_with("postgres") {
        for t in [
            "account_audience",
            "group_audience",
            "sms_status_event",
            "contact_field_value",
            "custom_field",
            "auth_session",
            "invitation",
            "app_user",
            "import_chunk",
            "import_batch",
            "group_member",
            "contact_group",
            "contact_detail",
            "contact",
            "account",
            "login_throttle",
            "seaql_migrations",
        ] {
            store
                .connection()
                .execute_unprepared(&format!("DROP TABLE IF EXISTS {t} CASCADE"))
                .await
                .unwrap();
        }
    }
    store.migrate().await.unwrap();
    let account = store
        .ensure_default_account(Region::default())
        .await
        .unwrap()
        .id;
    (store, account)
}

/// The reference, as in `../shared/PERFORMANCE.md`: the set-based upsert
/// written directly in SQL, 5,000 rows per transaction. Each chunk goes in
/// bulk into a temporary staging table (PostgreSQL: `COPY`; SQLite:
/// 500-row INSERTs), existing contacts are matched by (account, kind,
/// match key), new ones get ids and are inserted with their details by
/// `INSERT … SELECT`, matched ones are updated by one `UPDATE … FROM`. No
/// conflict detection, no groups, no per-field rules: the floor that the
/// store's upsert is measured against.
const REFERENCE_CHUNK: usize = 5_000;

fn first_of(c: &ImportContact, kind: DetailKind) -> Option<(String, String)> {
    c.details
        .iter()
        .find(|d| d.kind == kind)
        .map(|d| (d.value.clone(), d.match_key()))
}

/// Matching, id allocation and writes (`$n` placeholders work in SQLite
/// too). PostgreSQL joins; SQLite probes the detail key index row by row
/// (its planner turned the `UPDATE … FROM` join into a scan of every detail
/// per staging row: minutes per chunk).
const REFERENCE_SQL_POSTGRES: [&str; 2] = [
    "UPDATE staging SET contact_id = d.contact_id FROM contact_detail d \
     WHERE d.account_id = $1 AND d.kind = 'phone' AND d.match_key = staging.phone_key",
    "UPDATE staging SET contact_id = d.contact_id FROM contact_detail d \
     WHERE staging.contact_id IS NULL AND d.account_id = $1 AND d.kind = 'email' \
     AND d.match_key = staging.email_key",
];
const REFERENCE_SQL_SQLITE: [&str; 2] = [
    "UPDATE staging SET contact_id = (SELECT d.contact_id FROM contact_detail d \
     WHERE d.account_id = $1 AND d.kind = 'phone' AND d.match_key = staging.phone_key)",
    "UPDATE staging SET contact_id = (SELECT d.contact_id FROM contact_detail d \
     WHERE d.account_id = $1 AND d.kind = 'email' AND d.match_key = staging.email_key) \
     WHERE contact_id IS NULL",
];
const REFERENCE_UPDATE_SQLITE: &str =
    "UPDATE contact SET (first_name, last_name, company, updated_at) = \
     (SELECT s.first_name, s.last_name, s.company, CURRENT_TIMESTAMP FROM staging s \
     WHERE s.contact_id = contact.id) \
     WHERE account_id = $1 AND id IN (SELECT contact_id FROM staging WHERE NOT is_new)";
const REFERENCE_WRITE: [&str; 3] = [
    "INSERT INTO contact (id, account_id, first_name, last_name, company, sort_name, \
     search_text, created_at, updated_at) \
     SELECT contact_id, $1, first_name, last_name, company, lower(first_name || ' ' || last_name), \
     lower(first_name || ' ' || last_name || ' ' || company), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP \
     FROM staging WHERE is_new",
    "INSERT INTO contact_detail (account_id, contact_id, kind, value, match_key, label, \
     is_primary, position, line_type) \
     SELECT $1, contact_id, 'phone', phone, phone_key, '', TRUE, 0, phone_line FROM staging \
     WHERE is_new AND phone IS NOT NULL \
     UNION ALL SELECT $1, contact_id, 'email', email, email_key, '', TRUE, 1, '' FROM staging \
     WHERE is_new AND email IS NOT NULL",
    "UPDATE contact SET first_name = s.first_name, last_name = s.last_name, \
     company = s.company, updated_at = CURRENT_TIMESTAMP \
     FROM staging s WHERE contact.id = s.contact_id AND NOT s.is_new AND contact.account_id = $1",
];

/// One staging row: names, company, first phone and e-mail with their
/// keys, and the phone's line type.
fn staging_row(c: &ImportContact) -> [Option<String>; 8] {
    let phone = first_of(c, DetailKind::Phone);
    let email = first_of(c, DetailKind::Email);
    let line = c
        .phones()
        .next()
        .and_then(|d| d.line)
        .map(|t| t.as_str().to_string());
    [
        Some(c.first_name.clone()),
        Some(c.last_name.clone()),
        Some(c.company.clone()),
        phone.as_ref().map(|p| p.0.clone()),
        phone.map(|p| p.1),
        email.as_ref().map(|e| e.0.clone()),
        email.map(|e| e.1),
        line,
    ]
}

const STAGING_COLUMNS: &str =
    "first_name, last_name, company, phone, phone_key, email, email_key, phone_line";

/// Runs `sql` in a reference transaction, with the account as its one
/// parameter when it takes it.
async fn pg(tx: &mut sqlx::PgConnection, sql: &'static str, account: Option<i64>) {
    let mut q = sqlx::query(sql);
    if let Some(account) = account {
        q = q.bind(account);
    }
    q.execute(tx).await.unwrap();
}

/// [`pg`] for SQLite.
async fn lite(tx: &mut sqlx::SqliteConnection, sql: &'static str, account: Option<i64>) {
    let mut q = sqlx::query(sql);
    if let Some(account) = account {
        q = q.bind(account);
    }
    q.execute(tx).await.unwrap();
}

async fn set_based_postgres(pool: &sqlx::PgPool, account: i64, contacts: &[ImportContact]) {
    for chunk in contacts.chunks(REFERENCE_CHUNK) {
        let mut tx = pool.begin().await.unwrap();
        pg(
            &mut tx,
            "CREATE TEMP TABLE IF NOT EXISTS staging (first_name text, last_name text, \
             company text, phone text, phone_key text, email text, email_key text, \
             phone_line text, contact_id bigint, is_new boolean NOT NULL DEFAULT false) ON COMMIT DELETE ROWS",
            None,
        )
        .await;
        // COPY's text format: tab-separated, \N for NULL, backslash escapes.
        let mut data = String::with_capacity(chunk.len() * 120);
        for c in chunk {
            for (i, v) in staging_row(c).iter().enumerate() {
                if i > 0 {
                    data.push('\t');
                }
                match v {
                    None => data.push_str("\\N"),
                    Some(v) => {
                        for ch in v.chars() {
                            match ch {
                                '\\' => data.push_str("\\\\"),
                                '\t' => data.push_str("\\t"),
                                '\n' => data.push_str("\\n"),
                                '\r' => data.push_str("\\r"),
                                ch => data.push(ch),
                            }
                        }
                    }
                }
            }
            data.push('\n');
        }
        let mut copy = tx
            .copy_in_raw(&format!("COPY staging ({STAGING_COLUMNS}) FROM STDIN"))
            .await
            .unwrap();
        copy.send(data.into_bytes()).await.unwrap();
        copy.finish().await.unwrap();
        // Without statistics on the staging table the planner guesses badly
        // (seen: 22 s for the e-mail match of one chunk instead of ms).
        pg(&mut tx, "ANALYZE staging", None).await;
        for sql in REFERENCE_SQL_POSTGRES {
            pg(&mut tx, sql, Some(account)).await;
        }
        pg(
            &mut tx,
            "UPDATE staging SET contact_id = nextval(pg_get_serial_sequence('contact', 'id')), \
             is_new = true WHERE contact_id IS NULL",
            None,
        )
        .await;
        for sql in REFERENCE_WRITE {
            pg(&mut tx, sql, Some(account)).await;
        }
        tx.commit().await.unwrap();
    }
}

async fn set_based_sqlite(pool: &sqlx::SqlitePool, account: i64, contacts: &[ImportContact]) {
    for chunk in contacts.chunks(REFERENCE_CHUNK) {
        let mut tx = pool.begin().await.unwrap();
        lite(
            &mut tx,
            "CREATE TEMP TABLE IF NOT EXISTS staging (n INTEGER PRIMARY KEY, first_name TEXT, \
             last_name TEXT, company TEXT, phone TEXT, phone_key TEXT, email TEXT, \
             email_key TEXT, phone_line TEXT, contact_id INTEGER, is_new INTEGER NOT NULL DEFAULT 0)",
            None,
        )
        .await;
        lite(
            &mut tx,
            "CREATE INDEX IF NOT EXISTS temp.staging_contact ON staging (contact_id)",
            None,
        )
        .await;
        lite(&mut tx, "DELETE FROM staging", None).await;
        for part in chunk.chunks(500) {
            let tuples = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; part.len()].join(", ");
            let sql = format!("INSERT INTO staging ({STAGING_COLUMNS}) VALUES {tuples}");
            // Only placeholders are formatted in; the values are bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in part {
                for v in staging_row(c) {
                    q = q.bind(v);
                }
            }
            q.execute(&mut *tx).await.unwrap();
        }
        for sql in REFERENCE_SQL_SQLITE {
            lite(&mut tx, sql, Some(account)).await;
        }
        lite(
            &mut tx,
            "UPDATE staging SET is_new = 1, contact_id = n + MAX(\
             COALESCE((SELECT MAX(id) FROM contact), 0), \
             COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'contact'), 0)) \
             WHERE contact_id IS NULL",
            None,
        )
        .await;
        for sql in &REFERENCE_WRITE[..2] {
            lite(&mut tx, sql, Some(account)).await;
        }
        lite(&mut tx, REFERENCE_UPDATE_SQLITE, Some(account)).await;
        tx.commit().await.unwrap();
    }
}

async fn set_based(store: &Store, account: i64, contacts: &[ImportContact]) {
    let db = store.connection();
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            set_based_postgres(db.get_postgres_connection_pool(), account, contacts).await
        }
        _ => set_based_sqlite(db.get_sqlite_connection_pool(), account, contacts).await,
    }
}

async fn count_contacts(store: &Store) -> i64 {
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(
            store.connection().get_database_backend(),
            "SELECT COUNT(*) AS n FROM contact",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

fn databases() -> Vec<(&'static str, String)> {
    let dir = std::env::temp_dir().join(format!("contacts-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut dbs = vec![(
        "sqlite",
        format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
    )];
    let pg = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if std::net::TcpStream::connect_timeout(
        &"127.0.0.1:5432".parse().unwrap(),
        Duration::from_millis(300),
    )
    .is_ok()
        || std::env::var("BENCH_POSTGRES_URL").is_ok()
    {
        dbs.push(("postgres", pg));
    }
    dbs
}

fn reset_sqlite(url: &str) {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .and_then(|u| u.split('?').next())
    {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
}

fn upsert_benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // The reference's workload: a contact with one phone and one e-mail
    // (no group memberships, which the reference does not write).
    let mut contacts = contacts();
    for c in &mut contacts {
        c.groups.clear();
    }
    let mut g = c.benchmark_group("write_100k");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    for (name, url) in databases() {
        g.bench_function(format!("{name}_set_based_new"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    reset_sqlite(&url);
                    let (store, account) = rt.block_on(fresh_store(&url));
                    let t = Instant::now();
                    rt.block_on(set_based(&store, account, &contacts));
                    total += t.elapsed();
                    assert_eq!(rt.block_on(count_contacts(&store)), ROWS as i64);
                }
                total
            })
        });
        g.bench_function(format!("{name}_set_based_again"), |b| {
            reset_sqlite(&url);
            let (store, account) = rt.block_on(fresh_store(&url));
            rt.block_on(set_based(&store, account, &contacts));
            b.iter(|| rt.block_on(set_based(&store, account, &contacts)));
            assert_eq!(rt.block_on(count_contacts(&store)), ROWS as i64);
        });
        g.bench_function(format!("{name}_upsert_new"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    reset_sqlite(&url);
                    let (store, account) = rt.block_on(fresh_store(&url));
                    let t = Instant::now();
                    let s = rt
                        .block_on(store.import_contacts(account, &contacts, false))
                        .unwrap();
                    total += t.elapsed();
                    assert_eq!(s.created, ROWS);
                }
                total
            })
        });
        g.bench_function(format!("{name}_upsert_again"), |b| {
            reset_sqlite(&url);
            let (store, account) = rt.block_on(fresh_store(&url));
            rt.block_on(store.import_contacts(account, &contacts, false))
                .unwrap();
            b.iter(|| {
                let s = rt
                    .block_on(store.import_contacts(account, &contacts, false))
                    .unwrap();
                assert_eq!(s.unchanged, ROWS);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, read_benches, upsert_benches);

/// Criterion's point estimate (mean, ns) for `group/name`, from its report.
fn mean_ns(group: &str, name: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").to_string());
    let path = format!("{dir}/criterion/{group}/{name}/new/estimates.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn report() {
    let ratio = |group: &str, what: &str, reference: &str| {
        if let (Some(a), Some(b)) = (mean_ns(group, what), mean_ns(group, reference)) {
            println!(
                "{group}: {what} {:.3} s / {reference} {:.3} s = {:.2}x",
                a / 1e9,
                b / 1e9,
                a / b
            );
        }
    };
    println!("\nRatios (mean time, this run):");
    ratio("read_100k", "csv_import", "csv_raw");
    ratio("read_100k", "xlsx_import", "xlsx_raw");
    ratio("read_100k", "csv_wizard", "csv_raw");
    ratio("read_100k", "xlsx_wizard", "xlsx_raw");
    for db in ["sqlite", "postgres"] {
        ratio(
            "write_100k",
            &format!("{db}_upsert_new"),
            &format!("{db}_set_based_new"),
        );
        ratio(
            "write_100k",
            &format!("{db}_upsert_again"),
            &format!("{db}_set_based_again"),
        );
    }
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
