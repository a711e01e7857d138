//! The load runs of BENCHMARKS.md (ignored by `make test`: minutes each).
//! Run against the release binary, on one database at a time:
//!
//! ```sh
//! cargo build --release -p server
//! CONTACTS_BIN=target/release/contacts LOAD_DATABASE=sqlite \
//!   cargo test -p server --features app/ssr --test load -- --ignored --nocapture
//! ```
//!
//! `LOAD_DATABASE=postgres` uses a fresh schema of `TEST_POSTGRES_URL`.
//! `LOAD_CONTACTS` (default 100,000) and `LOAD_CLIENTS` (default 32) size it;
//! `LOAD_KEEP=1` keeps the database of `search_load` (its URL is printed);
//! `LOAD_ONLY=City` runs only its request kinds whose label holds `City`.
//!
//! * `search_load`: the account filled through the wizard's import
//!   endpoints, then each kind of list request from every client at once;
//!   latency percentiles and requests per second per kind, beside the same
//!   clients asking `/health/live` (the HTTP floor, same run).
//! * `bulk_load`: every bulk action on all `LOAD_CONTACTS` contacts (by
//!   the filter, as the page asks it: a request per second of work until
//!   done), beside the same change made by one set-based SQL statement per
//!   table on the same database (the floor, same run).
//! * `export_load`: the list's export of all `LOAD_CONTACTS` contacts as csv,
//!   xlsx and vCard over HTTP from a freshly started server (its peak
//!   resident memory read from `/proc`), beside the database's own csv
//!   dump of the same contacts and details (`sqlite3 -csv`, `psql \copy`:
//!   the floor, same run).
//! * `concurrent_imports`: four imports of `LOAD_ROWS` (default 20,000) rows at
//!   once, overlapping, while a colleague saves contacts, against one of
//!   them alone (same run).

mod process;

use std::time::{Duration, Instant};

use process::{store_db, Server};
use serde_json::{json, Value};

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The database of this run: (url, cleanup).
fn database(runtime: &tokio::runtime::Runtime) -> (String, Box<dyn FnOnce()>) {
    match std::env::var("LOAD_DATABASE").as_deref() {
        Ok("postgres") => {
            let (url, (admin, schema)) = runtime
                .block_on(store_db::fresh_pg_schema())
                .expect("PostgreSQL reachable");
            let handle = runtime.handle().clone();
            (
                url,
                Box::new(move || handle.block_on(store_db::drop_pg_schema(&admin, &schema))),
            )
        }
        _ => {
            let path =
                std::env::temp_dir().join(format!("contacts-load-{}.db", std::process::id()));
            let url = format!("sqlite://{}?mode=rwc", path.display());
            (
                url,
                Box::new(move || {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                    }
                }),
            )
        }
    }
}

const FIRST: [&str; 12] = [
    "Ada", "Ben", "Chloe", "Dan", "Eli", "Fatima", "Gil", "Hannah", "Ido", "Jess", "Karim", "Lea",
];
const LAST: [&str; 10] = [
    "Cohen", "Levi", "Jones", "Patel", "Brown", "Mizrahi", "Taylor", "Peretz", "Wilson", "Khan",
];
/// Each contact's City (a custom field): one in ten lives in each.
const CITIES: [&str; 10] = [
    "Leeds", "York", "Hull", "Bath", "Derby", "Haifa", "Eilat", "Nice", "Lyon", "Ely",
];

/// Person `i`: a name, a unique mobile and e-mail; every contact works at
/// "Smithfield Trading" but one in a thousand, so "smith" matches nearly all.
fn person(i: usize) -> Value {
    let company = if i % 1000 == 7 {
        "Other Ltd"
    } else {
        "Smithfield Trading"
    };
    json!({ "number": i + 2, "cells": [
        FIRST[i % FIRST.len()], format!("{} {}", LAST[(i / 12) % LAST.len()], i), company,
        format!("07400 {:06}", i), format!("person{i}@example.org"), CITIES[(i / 7) % CITIES.len()]
    ] })
}

/// Fills the account with `n` contacts through the import endpoints, in
/// `group` (the wizard's choice: `"None"`, `{"New": name}`).
fn fill(
    server: &Server,
    cookie: &str,
    n: usize,
    file: &str,
    first: usize,
    group: &Value,
) -> Duration {
    let started = Instant::now();
    let (status, body) = server
        .call(
            cookie,
            "imports/start",
            &json!({ "start": {
                "file_name": file, "sheet": "", "format": "csv",
                "columns": [
                    { "header": "First name", "field": "first_name", "label": "", "label_column": null },
                    { "header": "Last name", "field": "last_name", "label": "", "label_column": null },
                    { "header": "Company", "field": "company", "label": "", "label_column": null },
                    { "header": "Mobile", "field": "phone", "label": "mobile", "label_column": null },
                    { "header": "Email", "field": "email", "label": "", "label_column": null },
                    { "header": "City", "field": "custom", "label": "", "label_column": null,
                      "custom": { "name": "City", "kind": "text" } }
                ],
                "region": "GB", "group": group, "total_rows": n
            }}),
        )
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let id = body["import_id"].as_i64().unwrap();
    let rows: Vec<Value> = (first..first + n).map(person).collect();
    for (no, chunk) in rows.chunks(4_000).enumerate() {
        let (status, body) = server
            .call(
                cookie,
                "imports/chunk",
                &json!({ "chunk": { "import_id": id, "chunk_no": no, "rows": chunk } }),
            )
            .unwrap();
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = server
        .call(cookie, "imports/finish", &json!({ "finish": { "import_id": id, "rejected_in_browser": 0, "dropped_in_browser": 0 } }))
        .unwrap();
    assert_eq!(status, 200, "{body}");
    started.elapsed()
}

/// `clients` threads each sending `per_client` requests made by `body`:
/// (latencies sorted, statuses not 200, wall time).
fn hammer(
    server: &Server,
    cookie: &str,
    clients: usize,
    per_client: usize,
    endpoint: &str,
    body: &(dyn Fn(usize) -> Value + Sync),
) -> (Vec<Duration>, Vec<u16>, Duration) {
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, Vec<u16>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                s.spawn(move || {
                    let mut times = Vec::new();
                    let mut bad = Vec::new();
                    for r in 0..per_client {
                        let t = Instant::now();
                        let status = if endpoint == "health" {
                            server.request("GET", "/health/live", None, "").map(|a| a.0)
                        } else {
                            server
                                .call(cookie, endpoint, &body(c * per_client + r))
                                .map(|a| a.0)
                        };
                        times.push(t.elapsed());
                        match status {
                            Ok(200) => {}
                            Ok(other) => bad.push(other),
                            Err(_) => bad.push(0),
                        }
                    }
                    (times, bad)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = started.elapsed();
    let mut times: Vec<Duration> = results.iter().flat_map(|r| r.0.clone()).collect();
    times.sort();
    let bad = results.into_iter().flat_map(|r| r.1).collect();
    (times, bad, wall)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[test]
#[ignore = "a load run for BENCHMARKS.md: minutes; see the module docs"]
fn search_load() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, cleanup) = database(&runtime);
    let contacts = env_usize("LOAD_CONTACTS", 100_000);
    let clients = env_usize("LOAD_CLIENTS", 32);
    let per_client = env_usize("LOAD_REQUESTS", 8);
    let server = Server::start(&url, &[], "load");
    let cookie = server.sign_up("Load", "load@example.org");
    // All in one group: its recipients are counted like everyone's, from
    // the group's kept counts.
    let fill_time = fill(
        &server,
        &cookie,
        contacts,
        "load.csv",
        0,
        &json!({ "New": "Loaded" }),
    );
    let (status, groups) = server.call(&cookie, "groups/list", &json!({})).unwrap();
    assert_eq!(status, 200, "{groups}");
    let group_id = groups[0]["id"].as_i64().unwrap();
    let (status, fields) = server.call(&cookie, "fields/list", &json!({})).unwrap();
    assert_eq!(status, 200, "{fields}");
    let city = fields[0]["id"].as_i64().unwrap();
    eprintln!(
        "load: {} contacts imported in {:.1} s ({})",
        contacts,
        fill_time.as_secs_f64(),
        std::env::var("LOAD_DATABASE").unwrap_or_else(|_| "sqlite".into())
    );
    let n = contacts;
    type Body = Box<dyn Fn(usize) -> Value + Sync>;
    let kinds: Vec<(&str, &str, Body)> = vec![
        ("/health/live (floor)", "health", Box::new(|_| json!({}))),
        (
            "list, page 1",
            "contacts/list",
            Box::new(|_| json!({ "query": {} })),
        ),
        (
            "list, last page",
            "contacts/list",
            Box::new(move |_| json!({ "query": { "page": n.div_ceil(25) } })),
        ),
        (
            "list, recent first",
            "contacts/list",
            Box::new(|_| json!({ "query": { "sort": "updated" } })),
        ),
        (
            "search a name (0.1 %)",
            "contacts/list",
            Box::new(
                move |i| json!({ "query": { "search": format!("{} {}", LAST[(i * 7919 % n / 12) % LAST.len()], i * 7919 % n) } }),
            ),
        ),
        (
            "search a last name (10 %)",
            "contacts/list",
            Box::new(|i| json!({ "query": { "search": LAST[i % LAST.len()] } })),
        ),
        (
            "search a phone, other notation",
            "contacts/list",
            Box::new(
                move |i| json!({ "query": { "search": format!("+44 7400 {:06}", i * 7919 % n) } }),
            ),
        ),
        (
            "search an e-mail",
            "contacts/list",
            Box::new(
                move |i| json!({ "query": { "search": format!("person{}@example.org", i * 7919 % n) } }),
            ),
        ),
        (
            "search matching ~all (smith)",
            "contacts/list",
            Box::new(|_| json!({ "query": { "search": "smith" } })),
        ),
        (
            "list, City = one of 10 cities (10 %)",
            "contacts/list",
            Box::new(
                move |i| json!({ "query": { "field": { "field_id": city, "value": CITIES[i % CITIES.len()] } } }),
            ),
        ),
        (
            "list, City = a city typed in lower case, recent first",
            "contacts/list",
            Box::new(
                move |i| json!({ "query": { "field": { "field_id": city, "value": CITIES[i % CITIES.len()].to_lowercase() }, "sort": "updated" } }),
            ),
        ),
        (
            "recipients: counts, every contact",
            "recipients/resolve",
            Box::new(|_| json!({ "request": { "filter": {} } })),
        ),
        (
            "recipients: counts, one group",
            "recipients/resolve",
            Box::new(move |_| json!({ "request": { "group_ids": [group_id] } })),
        ),
        (
            "recipients: counts, textable (SMS filter)",
            "recipients/resolve",
            Box::new(|_| json!({ "request": { "filter": { "sms": "textable" } } })),
        ),
        (
            "recipients: counts, a last name (10 %)",
            "recipients/resolve",
            Box::new(|i| json!({ "request": { "filter": { "search": LAST[i % LAST.len()] } } })),
        ),
        (
            "recipients: a page of 1,000 numbers",
            "recipients/resolve",
            Box::new(
                move |i| json!({ "request": { "filter": {}, "limit": 1000, "after": i * 7919 % n } }),
            ),
        ),
    ];
    eprintln!("| request | clients | p50 ms | p99 ms | max ms | req/s | not 200 |");
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    // `LOAD_ONLY=City` runs only the kinds whose label holds it (and the floor).
    let only = std::env::var("LOAD_ONLY").ok();
    for (label, endpoint, body) in &kinds {
        if only
            .as_deref()
            .is_some_and(|o| *endpoint != "health" && !label.contains(o))
        {
            continue;
        }
        // One warm-up round (caches, plans), then the measured one.
        hammer(&server, &cookie, clients.min(4), 2, endpoint, body.as_ref());
        let (times, bad, wall) = hammer(
            &server,
            &cookie,
            clients,
            per_client,
            endpoint,
            body.as_ref(),
        );
        eprintln!(
            "| {label} | {clients} | {:.1} | {:.1} | {:.1} | {:.0} | {} |",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0),
            times.len() as f64 / wall.as_secs_f64(),
            if bad.is_empty() {
                "none".to_string()
            } else {
                format!("{bad:?}")
            }
        );
    }
    server.assert_no_panic();
    drop(server);
    if std::env::var_os("LOAD_KEEP").is_some() {
        eprintln!("load: database kept at {url}");
    } else {
        cleanup();
    }
}

#[test]
#[ignore = "a load run for BENCHMARKS.md: minutes; see the module docs"]
fn concurrent_imports() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, cleanup) = database(&runtime);
    let rows = env_usize("LOAD_ROWS", 20_000);
    let server = Server::start(&url, &[], "imports");
    // `LOAD_SERVERS=2` (PostgreSQL): a second server on the same database
    // takes every other import and the colleague, as behind a load balancer.
    let second = (env_usize("LOAD_SERVERS", 1) > 1).then(|| Server::start(&url, &[], "imports-2"));
    let other = second.as_ref().unwrap_or(&server);
    // The reference: one import alone, into an account of its own.
    let alone = server.sign_up("Alone", "alone@example.org");
    let alone_time = fill(&server, &alone, rows, "alone.csv", 0, &json!("None"));
    // Four at once into one account, each overlapping the next by half,
    // while a colleague saves a contact every 50 ms.
    let busy = server.sign_up("Busy", "busy@example.org");
    let stop = std::sync::atomic::AtomicBool::new(false);
    let started = Instant::now();
    let (times, saves) = std::thread::scope(|s| {
        let imports: Vec<_> = (0..4)
            .map(|k| {
                let server = if k % 2 == 0 { &server } else { other };
                let busy = &busy;
                s.spawn(move || {
                    fill(
                        server,
                        busy,
                        rows,
                        &format!("part-{k}.csv"),
                        k * rows / 2,
                        &json!("None"),
                    )
                })
            })
            .collect();
        let colleague = s.spawn(|| {
            let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let (status, _) = other
                    .call(&busy, "contacts/create", &json!({ "contact": { "first_name": "Colleague", "last_name": format!("{i}"), "company": "",
                        "phones": [{ "value": format!("07500 {:06}", i), "label": "" }], "emails": [], "group_ids": [] } }))
                    .unwrap();
                *statuses.entry(status).or_default() += 1;
                i += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            statuses
        });
        let times: Vec<Duration> = imports.into_iter().map(|h| h.join().unwrap()).collect();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        (times, colleague.join().unwrap())
    });
    let wall = started.elapsed();
    let (_, page) = server
        .call(&busy, "contacts/list", &json!({ "query": {} }))
        .unwrap();
    let expected = rows * 5 / 2 + saves.get(&200).copied().unwrap_or(0);
    eprintln!(
        "imports ({} server{}): one of {rows} rows alone {:.1} s; four at once (overlapping by half) {:.1} s wall, each {:?} s; \
         colleague's saves {saves:?}; contacts {} (expected {expected})",
        if second.is_some() { 2 } else { 1 },
        if second.is_some() { "s" } else { "" },
        alone_time.as_secs_f64(),
        wall.as_secs_f64(),
        times.iter().map(|t| (t.as_secs_f64() * 10.0).round() / 10.0).collect::<Vec<_>>(),
        page["total"]
    );
    assert_eq!(page["total"].as_u64().unwrap() as usize, expected);
    assert!(saves.keys().all(|s| *s == 200), "{saves:?}");
    server.assert_no_panic();
    if let Some(s) = &second {
        s.assert_no_panic();
    }
    drop(second);
    drop(server);
    cleanup();
}

/// Runs a bulk action to its end as the page does: (requests, the longest
/// one, total time, contacts changed).
fn bulk(server: &Server, cookie: &str, action: &Value) -> (usize, Duration, Duration, u64) {
    let started = Instant::now();
    let (mut requests, mut longest, mut changed) = (0, Duration::ZERO, 0);
    let mut after = Value::Null;
    loop {
        let t = Instant::now();
        let (status, body) = server
            .call(
                cookie,
                "contacts/bulk",
                &json!({ "target": { "Matching": {} }, "action": action, "after": after }),
            )
            .unwrap();
        longest = longest.max(t.elapsed());
        requests += 1;
        assert_eq!(status, 200, "{body}");
        changed += body["changed"].as_u64().unwrap();
        after = body["next"].clone();
        if after.is_null() {
            return (requests, longest, started.elapsed(), changed);
        }
    }
}

#[test]
#[ignore = "a load run for BENCHMARKS.md: minutes; see the module docs"]
fn bulk_load() {
    use sea_orm::{ConnectionTrait, Database, TransactionTrait};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, cleanup) = database(&runtime);
    let contacts = env_usize("LOAD_CONTACTS", 100_000);
    let server = Server::start(&url, &[], "bulk");
    let cookie = server.sign_up("Bulk", "bulk@example.org");
    let floor_cookie = server.sign_up("Floor", "floor@example.org");
    for c in [&cookie, &floor_cookie] {
        fill(
            &server,
            c,
            contacts,
            "load.csv",
            0,
            &json!({ "New": "Loaded" }),
        );
    }
    let id_of = |c: &str, endpoint: &str, name: &str| -> i64 {
        let (status, list) = server.call(c, endpoint, &json!({})).unwrap();
        assert_eq!(status, 200, "{list}");
        list.as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let make_group = |c: &str, name: &str| -> i64 {
        let (status, g) = server
            .call(c, "groups/create", &json!({ "name": name }))
            .unwrap();
        assert_eq!(status, 200, "{g}");
        g["id"].as_i64().unwrap()
    };
    let extra = make_group(&cookie, "Extra");
    let floor_group = make_group(&floor_cookie, "Extra");
    let city = id_of(&cookie, "fields/list", "City");
    let floor_city = id_of(&floor_cookie, "fields/list", "City");
    let db = runtime.block_on(Database::connect(url.as_str())).unwrap();
    let backend = db.get_database_backend();
    let floor_account: i64 = runtime.block_on(async {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                backend,
                format!("SELECT account_id FROM contact_group WHERE id = {floor_group}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "account_id").unwrap()
    });
    // The floor: the same change as set-based statements in one transaction.
    let floor = |statements: &[String]| -> Duration {
        runtime.block_on(async {
            let started = Instant::now();
            let txn = db.begin().await.unwrap();
            for sql in statements {
                txn.execute_unprepared(sql).await.unwrap();
            }
            txn.commit().await.unwrap();
            started.elapsed()
        })
    };
    let now = match backend {
        sea_orm::DatabaseBackend::Postgres => "now()",
        _ => "strftime('%Y-%m-%d %H:%M:%f', 'now')",
    };
    let a = floor_account;
    let floors: Vec<Vec<String>> = vec![
        vec![
            format!("INSERT INTO group_member (group_id, contact_id, account_id) SELECT {floor_group}, id, account_id FROM contact WHERE account_id = {a}"),
            format!("UPDATE contact SET updated_at = {now} WHERE account_id = {a}"),
        ],
        vec![
            format!("INSERT INTO contact_field_value (contact_id, field_id, account_id, value, value_key, sort_name) SELECT id, {floor_city}, account_id, 'Leeds', 'leeds', sort_name FROM contact WHERE account_id = {a} ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value, value_key = excluded.value_key, sort_name = excluded.sort_name"),
            format!("UPDATE contact SET updated_at = {now} WHERE account_id = {a}"),
        ],
        vec![
            format!("DELETE FROM group_member WHERE account_id = {a} AND group_id = {floor_group}"),
            format!("UPDATE contact SET updated_at = {now} WHERE account_id = {a}"),
        ],
        vec![
            format!("DELETE FROM group_member WHERE account_id = {a}"),
            format!("DELETE FROM contact_detail WHERE account_id = {a}"),
            format!("DELETE FROM contact_field_value WHERE account_id = {a}"),
            format!("DELETE FROM contact WHERE account_id = {a}"),
            format!("UPDATE account SET contact_count = 0 WHERE id = {a}"),
        ],
    ];
    let actions = [
        ("add all to a group", json!({ "AddToGroup": extra })),
        (
            "set a custom field on all",
            json!({ "SetField": { "field_id": city, "value": "Leeds" } }),
        ),
        (
            "remove all from the group",
            json!({ "RemoveFromGroup": extra }),
        ),
        ("delete all", json!("Delete")),
    ];
    eprintln!(
        "bulk: {contacts} contacts ({})",
        std::env::var("LOAD_DATABASE").unwrap_or_else(|_| "sqlite".into())
    );
    eprintln!("| action | requests | longest request ms | total s | set-based floor s | ratio |");
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for ((label, action), statements) in actions.iter().zip(&floors) {
        let floor_time = floor(statements);
        let (requests, longest, total, changed) = bulk(&server, &cookie, action);
        // "Leeds" is already the City of one contact in ten.
        if *label != "set a custom field on all" {
            assert_eq!(changed as usize, contacts, "{label}");
        }
        eprintln!(
            "| {label} | {requests} | {:.0} | {:.2} | {:.2} | {:.2}× |",
            longest.as_secs_f64() * 1000.0,
            total.as_secs_f64(),
            floor_time.as_secs_f64(),
            total.as_secs_f64() / floor_time.as_secs_f64()
        );
    }
    server.assert_no_panic();
    drop(server);
    cleanup();
}

/// Downloads `path` to nowhere as it streams: (status, bytes, time).
fn download(server: &Server, cookie: &str, path: &str) -> (u16, u64, Duration) {
    use std::io::{Read, Write};
    let started = Instant::now();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(1800))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n",
        server.port
    )
    .unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let mut head = Vec::new();
    let mut bytes = 0u64;
    loop {
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        if head.len() < 4096 {
            head.extend_from_slice(&buf[..n.min(4096)]);
        }
        bytes += n as u64;
    }
    let text = String::from_utf8_lossy(&head);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, bytes, started.elapsed())
}

/// A process's resident memory in MiB (`/proc`): (all of it, its peak so
/// far, its anonymous part: the heap and stacks, without the database
/// file's pages that SQLite's memory map brings in).
fn memory_mib(pid: u32) -> (f64, f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (
        kib("VmRSS:") / 1024.0,
        kib("VmHWM:") / 1024.0,
        kib("RssAnon:") / 1024.0,
    )
}

/// `work` while sampling the process's memory every 20 ms: its result and
/// the largest anonymous resident memory seen (MiB).
fn sampling<T>(pid: u32, work: impl FnOnce() -> T) -> (T, f64) {
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut most = 0f64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                most = most.max(memory_mib(pid).2);
                std::thread::sleep(Duration::from_millis(20));
            }
            most
        });
        let out = work();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (out, sampler.join().unwrap())
    })
}

#[test]
#[ignore = "a load run for BENCHMARKS.md: minutes; see the module docs"]
fn export_load() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, cleanup) = database(&runtime);
    let contacts = env_usize("LOAD_CONTACTS", 100_000);
    let database_name = std::env::var("LOAD_DATABASE").unwrap_or_else(|_| "sqlite".into());
    let server = Server::start(&url, &[], "export");
    let cookie = server.sign_up("Export", "export@example.org");
    let fill_time = fill(
        &server,
        &cookie,
        contacts,
        "load.csv",
        0,
        &json!({ "New": "Loaded" }),
    );
    eprintln!(
        "export: {contacts} contacts imported in {:.1} s ({database_name})",
        fill_time.as_secs_f64()
    );
    // A fresh process: its peak memory is the export's, not the import's
    // (the session is kept in the database).
    drop(server);
    let server = Server::start(&url, &[], "export-2");
    let pid = server.child.id();
    let (idle, _, _) = memory_mib(pid);
    // The floor: the database's own csv of the same contacts and details.
    let query = "SELECT c.first_name, c.last_name, c.company, d.kind, d.label, d.value \
                 FROM contact c JOIN contact_detail d ON d.contact_id = c.id ORDER BY c.id, d.id";
    let floor_started = Instant::now();
    let out = if database_name == "postgres" {
        std::process::Command::new("psql")
            .arg(&url)
            .arg("-c")
            .arg(format!("\\copy ({query}) TO '/dev/null' CSV"))
            .output()
            .unwrap()
    } else {
        let path = url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        std::process::Command::new("sqlite3")
            .args(["-csv", &path, query])
            .stdout(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let floor = floor_started.elapsed();
    eprintln!(
        "| format | bytes | time s | floor s ({database_name} csv dump) | ratio | server RSS MiB: idle → peak so far | of it anonymous, peak |"
    );
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for format in ["csv", "xlsx", "vcf"] {
        let ((status, bytes, time), anon) = sampling(pid, || {
            download(
                &server,
                &cookie,
                &format!("/api/contacts/export?format={format}"),
            )
        });
        assert_eq!(status, 200, "{format}");
        let (_, peak, _) = memory_mib(pid);
        eprintln!(
            "| {format} | {bytes} | {:.2} | {:.2} | {:.2}× | {idle:.0} → {peak:.0} | {anon:.0} |",
            time.as_secs_f64(),
            floor.as_secs_f64(),
            time.as_secs_f64() / floor.as_secs_f64()
        );
    }
    server.assert_no_panic();
    drop(server);
    cleanup();
}
