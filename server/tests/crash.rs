//! The real `contacts` binary killed with SIGKILL in the middle of an
//! import, on a SQLite file and on PostgreSQL: once while a chunk's
//! transaction is open (held there by the fault hook
//! `CONTACTS_FAULT_PAUSE_CHUNK`), once while chunks are in flight. After
//! each restart the client resumes as the wizard does: it re-sends every
//! chunk not acknowledged, and some that were. The account must then equal
//! an uninterrupted import of the same rows into another account: same
//! contacts, details and groups, same counts in the history; nothing lost,
//! nothing twice. Also: SIGTERM lets the chunk being written finish, and
//! `/health/*` answer as a load balancer expects.
//!
//! The size here is what CI affords; BENCHMARKS.md has a 100,000-row run.

mod process;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use process::{store_db, Server};
use serde_json::{json, Value};

/// Rows of the crash tests' file (`CRASH_ROWS` for the larger run of
/// BENCHMARKS.md), sent in chunks of `CHUNK`.
fn rows_count() -> usize {
    std::env::var("CRASH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000)
}
/// Rows per chunk (`CRASH_CHUNK`; the wizard sends 4,000).
fn chunk_size() -> usize {
    std::env::var("CRASH_CHUNK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250)
}
/// Chunks in flight at once when resuming or importing calmly, as the wizard.
const IN_FLIGHT: usize = 3;

/// The file's rows: people with a phone and an e-mail and one of three
/// groups; every 50th row repeats an earlier person (it merges), every 97th
/// has no valid detail (refused).
fn rows() -> Vec<Value> {
    (0..rows_count())
        .map(|i| {
            let person = if i % 50 == 49 { i - 7 } else { i };
            let (phone, email) = if i % 97 == 96 {
                ("12".to_string(), "nope".to_string())
            } else {
                (format!("07400 {:06}", 200_000 + person), format!("p{person}@example.org"))
            };
            json!({ "number": i + 2, "cells": [format!("Person {person}"), phone, email, format!("Crash {}", person % 3)] })
        })
        .collect()
}

fn start_body() -> Value {
    json!({ "start": {
        "file_name": "crash.csv", "sheet": "", "format": "csv",
        "columns": [
            { "header": "Name", "field": "full_name", "label": "", "label_column": null },
            { "header": "Mobile", "field": "phone", "label": "mobile", "label_column": null },
            { "header": "Email", "field": "email", "label": "", "label_column": null },
            { "header": "Group", "field": "group", "label": "", "label_column": null }
        ],
        "region": "GB", "group": { "New": "Crash test" }, "total_rows": rows_count()
    }})
}

fn chunk_body(import_id: i64, n: usize, rows: &[Value]) -> Value {
    let size = chunk_size();
    json!({ "chunk": { "import_id": import_id, "chunk_no": n, "rows": rows[n * size..((n + 1) * size).min(rows.len())] } })
}

fn chunks() -> usize {
    rows_count().div_ceil(chunk_size())
}

/// Sends chunks `numbers` at once; the acknowledged ones' outcomes.
fn send_at_once(
    server: &Server,
    cookie: &str,
    import_id: i64,
    numbers: &[usize],
    rows: &[Value],
) -> Vec<(usize, Value)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = numbers
            .iter()
            .map(|&n| {
                let body = chunk_body(import_id, n, rows);
                s.spawn(move || (n, server.call(cookie, "imports/chunk", &body)))
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join().unwrap() {
                (n, Ok((200, v))) => Some((n, v)),
                (n, Ok((status, v))) => panic!("chunk {n}: {status} {v}"),
                (_, Err(_)) => None, // the server died under it: not acknowledged
            })
            .collect()
    })
}

/// Sends chunks `numbers`, [`IN_FLIGHT`] at a time; the acknowledged ones'
/// outcomes (a chunk the server died under is not acknowledged).
fn send_all(
    server: &Server,
    cookie: &str,
    import_id: i64,
    numbers: &[usize],
    rows: &[Value],
) -> Vec<(usize, Value)> {
    numbers
        .chunks(IN_FLIGHT)
        .flat_map(|wave| send_at_once(server, cookie, import_id, wave, rows))
        .collect()
}

/// The account's contacts as comparable text, and its group names.
fn snapshot(server: &Server, cookie: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut contacts = BTreeSet::new();
    for page in 1.. {
        let (status, body) = server
            .call(
                cookie,
                "contacts/list",
                &json!({ "query": { "per_page": 200, "page": page } }),
            )
            .unwrap();
        assert_eq!(status, 200, "{body}");
        let list = body["contacts"].as_array().unwrap();
        if list.is_empty() {
            break;
        }
        for c in list {
            let mut details: Vec<String> = c["details"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    format!(
                        "{}:{}:{}:{}",
                        d["kind"], d["value"], d["label"], d["is_primary"]
                    )
                })
                .collect();
            details.sort();
            let mut groups: Vec<String> = c["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["name"].as_str().unwrap().to_string())
                .collect();
            groups.sort();
            let line = format!(
                "{}|{}|{}|{details:?}|{groups:?}",
                c["first_name"], c["last_name"], c["company"]
            );
            assert!(contacts.insert(line.clone()), "a contact twice: {line}");
        }
    }
    let (_, groups) = server.call(cookie, "groups/list", &json!({})).unwrap();
    let groups = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| format!("{} ({})", g["name"], g["member_count"]))
        .collect();
    (contacts, groups)
}

fn history_counts(view: &Value) -> Vec<u64> {
    ["created", "updated", "unchanged", "rejected", "total_rows"]
        .iter()
        .map(|f| view[f].as_u64().unwrap_or(u64::MAX))
        .collect()
}

fn crash_and_resume(url: &str, name: &str) {
    let rows = rows();
    let all: Vec<usize> = (0..chunks()).collect();
    let paused_chunk = 5;
    let fault = format!("{paused_chunk}:30000");

    // 1. Killed while chunk 5's transaction is open.
    let server = Server::start(
        url,
        &[("CONTACTS_FAULT_PAUSE_CHUNK", &fault)],
        &format!("{name}-1"),
    );
    let cookie = server.sign_up("Crashed", "crashed@example.org");
    let (status, started) = server
        .call(&cookie, "imports/start", &start_body())
        .unwrap();
    assert_eq!(status, 200, "{started}");
    let id = started["import_id"].as_i64().unwrap();
    let mut acknowledged: std::collections::BTreeMap<usize, Value> = Default::default();
    acknowledged.extend(send_at_once(&server, &cookie, id, &[0, 1, 2, 3, 4], &rows));
    std::thread::scope(|s| {
        let in_flight = s.spawn(|| send_at_once(&server, &cookie, id, &[5, 6, 7], &rows));
        // Chunk 5 is inside its transaction (the log says so): kill.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !server
            .log_text()
            .contains("pausing inside the chunk's transaction")
        {
            assert!(
                Instant::now() < deadline,
                "chunk 5 never paused: {}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        let pid = server.child.id();
        Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap();
        acknowledged.extend(in_flight.join().unwrap());
    });
    assert!(
        !acknowledged.contains_key(&paused_chunk),
        "{name}: chunk 5 was never committed"
    );
    server.kill();

    // 2. Restarted; the wizard resumes (everything not acknowledged, plus
    //    two that were), and is killed again with chunks in flight.
    let server = Server::start(url, &[], &format!("{name}-2"));
    let replay: Vec<usize> = [0, 6]
        .into_iter()
        .chain(
            all.iter()
                .copied()
                .filter(|n| !acknowledged.contains_key(n)),
        )
        .take(6)
        .collect();
    let before = acknowledged.clone();
    std::thread::scope(|s| {
        let in_flight = s.spawn(|| send_all(&server, &cookie, id, &replay, &rows));
        std::thread::sleep(Duration::from_millis(150));
        Command::new("kill")
            .args(["-9", &server.child.id().to_string()])
            .status()
            .unwrap();
        for (n, v) in in_flight.join().unwrap() {
            if let Some(first) = before.get(&n) {
                assert_eq!(v["replayed"], true, "{name}: chunk {n} again");
                assert_eq!(
                    v["created"], first["created"],
                    "{name}: chunk {n}'s first outcome"
                );
            }
            acknowledged.entry(n).or_insert(v);
        }
    });
    server.kill();

    let acknowledged_before_resume = acknowledged.len();
    // 3. Restarted; resumed to the end; finished.
    let restart = Instant::now();
    let server = Server::start(url, &[], &format!("{name}-3"));
    let resumed = Instant::now();
    loop {
        let missing: Vec<usize> = all
            .iter()
            .copied()
            .filter(|n| !acknowledged.contains_key(n))
            .collect();
        if missing.is_empty() {
            break;
        }
        for (n, v) in send_all(&server, &cookie, id, &missing, &rows) {
            acknowledged.insert(n, v);
        }
    }
    let (status, crashed) = server
        .call(&cookie, "imports/finish", &json!({ "finish": { "import_id": id, "rejected_in_browser": 0, "dropped_in_browser": 0 } }))
        .unwrap();
    assert_eq!(status, 200, "{crashed}");
    let resume_time = resumed.elapsed();
    let restart_time = resumed - restart;
    let missing_at_restart = chunks() - acknowledged_before_resume;

    // The same rows, uninterrupted, into another account.
    let calm_time = Instant::now();
    let calm = server.sign_up("Calm", "calm@example.org");
    let (_, started) = server.call(&calm, "imports/start", &start_body()).unwrap();
    let calm_id = started["import_id"].as_i64().unwrap();
    send_all(&server, &calm, calm_id, &all, &rows);
    let (_, reference) = server
        .call(&calm, "imports/finish", &json!({ "finish": { "import_id": calm_id, "rejected_in_browser": 0, "dropped_in_browser": 0 } }))
        .unwrap();
    let calm_time = calm_time.elapsed();
    eprintln!(
        "crash[{name}]: {} rows in {} chunks; last restart to ready {:.2} s; the {missing_at_restart} chunks left sent in {:.2} s; \
         the same rows uninterrupted (same run, same server) {:.2} s",
        rows_count(),
        chunks(),
        restart_time.as_secs_f64(),
        resume_time.as_secs_f64(),
        calm_time.as_secs_f64()
    );

    let (crashed_contacts, crashed_groups) = snapshot(&server, &cookie);
    let (calm_contacts, calm_groups) = snapshot(&server, &calm);
    assert!(
        crashed_contacts.len() > rows_count() / 2,
        "{name}: {}",
        crashed_contacts.len()
    );
    assert_eq!(
        crashed_contacts, calm_contacts,
        "{name}: the same contacts, details and groups"
    );
    assert_eq!(
        crashed_groups, calm_groups,
        "{name}: the same groups and member counts"
    );
    assert_eq!(
        history_counts(&crashed),
        history_counts(&reference),
        "{name}: {crashed} / {reference}"
    );
    assert_eq!(crashed["status"], "done");
    server.assert_no_panic();
}

#[test]
fn an_import_killed_twice_resumes_to_exactly_the_uninterrupted_result_on_sqlite() {
    let path = std::env::temp_dir().join(format!("contacts-crash-{}.db", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    crash_and_resume(&url, "sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[test]
fn an_import_killed_twice_resumes_to_exactly_the_uninterrupted_result_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some((url, (admin, schema))) = runtime.block_on(store_db::fresh_pg_schema()) else {
        return;
    };
    crash_and_resume(&url, "postgres");
    runtime.block_on(store_db::drop_pg_schema(&admin, &schema));
}

/// SIGTERM: the server stops being ready, lets the chunk it is writing
/// commit, answers it, and exits 0.
#[test]
fn sigterm_finishes_the_chunk_being_written_then_exits() {
    let path = std::env::temp_dir().join(format!("contacts-term-{}.db", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let server = Server::start(
        &url,
        &[
            ("CONTACTS_FAULT_PAUSE_CHUNK", "0:1500"),
            ("CONTACTS_STOP_GRACE_SECONDS", "1"),
        ],
        "term",
    );
    let (status, _, live) = server.request("GET", "/health/live", None, "").unwrap();
    assert_eq!((status, live.contains("live")), (200, true), "{live}");
    let cookie = server.sign_up("Term", "term@example.org");
    let (_, started) = server
        .call(&cookie, "imports/start", &start_body())
        .unwrap();
    let id = started["import_id"].as_i64().unwrap();
    let rows = rows();
    std::thread::scope(|s| {
        let writing = s.spawn(|| server.call(&cookie, "imports/chunk", &chunk_body(id, 0, &rows)));
        let deadline = Instant::now() + Duration::from_secs(30);
        while !server
            .log_text()
            .contains("pausing inside the chunk's transaction")
        {
            assert!(Instant::now() < deadline, "{}", server.log_text());
            std::thread::sleep(Duration::from_millis(20));
        }
        Command::new("kill")
            .args(["-TERM", &server.child.id().to_string()])
            .status()
            .unwrap();
        // Still serving, and saying it is stopping, for the balancer.
        std::thread::sleep(Duration::from_millis(200));
        let (status, _, body) = server.request("GET", "/health/ready", None, "").unwrap();
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("stopping"), "{body}");
        let (status, outcome) = writing.join().unwrap().expect("the chunk is answered");
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["replayed"], false);
        assert!(outcome["created"].as_u64().unwrap() > 0, "{outcome}");
    });
    let mut server = server;
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}: {}", server.log_text());
    assert!(
        server.log_text().contains("stopped"),
        "{}",
        server.log_text()
    );
    server.assert_no_panic();
    // The chunk is there after a restart.
    let again = Server::start(&url, &[], "term-2");
    let (status, v) = again
        .call(&cookie, "imports/chunk", &chunk_body(id, 0, &rows))
        .unwrap();
    assert_eq!((status, v["replayed"].clone()), (200, json!(true)), "{v}");
    drop(again);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// `/health/ready` says 503 with a reason when the database is gone.
#[test]
fn readiness_follows_the_database() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some((url, (admin, schema))) = runtime.block_on(store_db::fresh_pg_schema()) else {
        return;
    };
    let server = Server::start(&url, &[], "ready");
    let (status, _, body) = server.request("GET", "/health/ready", None, "").unwrap();
    assert_eq!(status, 200, "{body}");
    runtime.block_on(store_db::drop_pg_schema(&admin, &schema));
    let (status, _, body) = server.request("GET", "/health/ready", None, "").unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("reason"), "{body}");
    let (status, _, _) = server.request("GET", "/health/live", None, "").unwrap();
    assert_eq!(status, 200);
}
