//! Import throughput at 100,000 rows, reported as ratios to references
//! measured in the same run:
//!
//! * read + map + validate a csv / an xlsx file (generated here, 8 columns)
//!   against the `csv` crate's / calamine's raw read of the same bytes;
//! * the store's upsert of 100,000 contacts against a plain one-transaction
//!   multi-row INSERT of the same rows (SQLite file; PostgreSQL too when
//!   `BENCH_POSTGRES_URL` is set or the default server answers).
//!
//! Run: `make bench` (or `cargo bench -p app --features ssr --bench import`).
//! The ratios are printed at the end and go into BENCHMARKS.md.

use std::io::Cursor;
use std::time::{Duration, Instant};

use app::db::entity::{contact, contact_detail};
use app::db::{connect, Store};
use app::import::{choose_sheet, plan, read, HeaderChoice, ImportContact, Region};
use calamine::{Reader, Xlsx};
use criterion::{criterion_group, Criterion};
use sea_orm::{ConnectionTrait, EntityTrait, Set, TransactionTrait};

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
            "import_chunk",
            "import_batch",
            "group_member",
            "contact_group",
            "contact_detail",
            "contact",
            "account",
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

/// The reference: the same contacts and details, one transaction of
/// multi-row INSERTs, no matching, no groups.
async fn plain_insert(store: &Store, account: i64, contacts: &[ImportContact]) {
    let now = chrono::Utc::now();
    let txn = store.connection().begin().await.unwrap();
    let mut id = 0i64;
    for chunk in contacts.chunks(500) {
        let first = id + 1;
        let rows: Vec<contact::ActiveModel> = chunk
            .iter()
            .map(|c| {
                id += 1;
                contact::ActiveModel {
                    id: Set(id),
                    account_id: Set(account),
                    first_name: Set(c.first_name.clone()),
                    last_name: Set(c.last_name.clone()),
                    company: Set(c.company.clone()),
                    sort_name: Set(c.first_name.to_lowercase()),
                    search_text: Set(c.first_name.to_lowercase()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    import_id: Set(None),
                }
            })
            .collect();
        contact::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .unwrap();
        let details: Vec<contact_detail::ActiveModel> = chunk
            .iter()
            .enumerate()
            .flat_map(|(k, c)| {
                c.details
                    .iter()
                    .enumerate()
                    .map(move |(p, d)| contact_detail::ActiveModel {
                        id: sea_orm::NotSet,
                        account_id: Set(account),
                        contact_id: Set(first + k as i64),
                        kind: Set(d.kind.as_str().into()),
                        value: Set(d.value.clone()),
                        match_key: Set(d.match_key()),
                        label: Set(d.label.clone()),
                        is_primary: Set(p < 2),
                        position: Set(p as i32),
                    })
            })
            .collect();
        for part in details.chunks(500) {
            contact_detail::Entity::insert_many(part.to_vec())
                .exec_without_returning(&txn)
                .await
                .unwrap();
        }
    }
    txn.commit().await.unwrap();
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
    let contacts = contacts();
    let mut g = c.benchmark_group("write_100k");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    for (name, url) in databases() {
        g.bench_function(format!("{name}_plain_insert"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    reset_sqlite(&url);
                    let (store, account) = rt.block_on(fresh_store(&url));
                    let t = Instant::now();
                    rt.block_on(plain_insert(&store, account, &contacts));
                    total += t.elapsed();
                }
                total
            })
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
    for db in ["sqlite", "postgres"] {
        ratio(
            "write_100k",
            &format!("{db}_upsert_new"),
            &format!("{db}_plain_insert"),
        );
        ratio(
            "write_100k",
            &format!("{db}_upsert_again"),
            &format!("{db}_plain_insert"),
        );
    }
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
