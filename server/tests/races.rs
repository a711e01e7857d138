//! Concurrent writers, on a SQLite file (the default's pool of several
//! connections) and on PostgreSQL: several imports at once into one
//! account with overlapping phones and e-mails while a colleague adds and
//! edits contacts, and the same chunk delivered to two servers at once.
//! No request may fail for a race (no 5xx at all), no phone or e-mail may
//! end up on two contacts, and the counts must add up.

#![recursion_limit = "256"]

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::{Client, TestApp, TURN};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

/// Imports at once, rows each, and how far each one's rows move on from
/// the previous one's: persons overlap between neighbours.
const IMPORTS: usize = 4;
const ROWS: usize = 1_200;
const STEP: usize = 400;
const CHUNK: usize = 200;
const PERSONS: usize = STEP * (IMPORTS - 1) + ROWS;
/// The colleague's own contact's phone, in no import.
const OWN_PHONE: &str = "07400 900000";

fn phone(i: usize) -> String {
    format!("07400 {:06}", 100_000 + i)
}

fn person_row(i: usize) -> Value {
    json!({ "number": i as u32 + 2, "cells": [format!("Person {i}"), phone(i), format!("p{i}@example.org")] })
}

fn start_body(file: &str) -> Value {
    json!({ "start": {
        "file_name": file, "sheet": "", "format": "csv",
        "columns": [
            { "header": "Name", "field": "full_name", "label": "", "label_column": null },
            { "header": "Mobile", "field": "phone", "label": "mobile", "label_column": null },
            { "header": "Email", "field": "email", "label": "", "label_column": null }
        ],
        "region": "GB", "group": "None", "total_rows": ROWS
    }})
}

/// A client of `server` on `c`'s session (sessions live in the database).
fn on(server: &TestApp, c: &Client) -> Client {
    Client {
        router: server.router.clone(),
        ..c.clone()
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.state.store.connection();
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

/// One import as the wizard runs it, two chunks in flight at a time.
async fn run_import(mut c: Client, k: usize) -> (Value, Vec<StatusCode>) {
    let (status, started) = c
        .call("imports/start", start_body(&format!("month-{k}.csv")))
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let id = started["import_id"].as_i64().unwrap();
    let rows: Vec<Value> = (k * STEP..k * STEP + ROWS).map(person_row).collect();
    let mut statuses = Vec::new();
    for pair in rows.chunks(CHUNK).enumerate().collect::<Vec<_>>().chunks(2) {
        let sends = pair.iter().map(|(n, chunk)| {
            let mut c = c.clone();
            let body = json!({ "chunk": { "import_id": id, "chunk_no": n, "rows": chunk } });
            tokio::spawn(async move { c.call("imports/chunk", body).await })
        });
        for answer in futures::future::join_all(sends).await {
            let (status, body) = answer.unwrap();
            assert!(!status.is_server_error(), "import {k}: {status} {body}");
            statuses.push(status);
        }
    }
    let (status, view) = c
        .call(
            "imports/finish",
            json!({ "finish": { "import_id": id, "rejected_in_browser": 0, "dropped_in_browser": 0 } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    (view, statuses)
}

/// A colleague adding contacts (some with phones the imports carry) and
/// groups, and editing contacts, while the imports run.
async fn colleague(mut c: Client, own: i64, rounds: usize) -> BTreeMap<u16, usize> {
    let mut answers = BTreeMap::new();
    for n in 0..rounds {
        let person = PERSONS - 1 - n * 7;
        let (status, body) = c
            .call(
                "contacts/create",
                json!({ "contact": { "first_name": format!("Colleague {n}"), "last_name": "", "company": "",
                    "phones": [{ "value": phone(person), "label": "" }], "emails": [], "group_ids": [] } }),
            )
            .await;
        assert!(
            !status.is_server_error(),
            "colleague create: {status} {body}"
        );
        *answers.entry(status.as_u16()).or_default() += 1;
        let (status, body) = c
            .call("groups/create", json!({ "name": format!("Team {n}") }))
            .await;
        assert_eq!(status, StatusCode::OK, "colleague group: {body}");
        // Edit their own contact (one no import touches): its company changes.
        let draft = json!({ "first_name": "Own", "last_name": "Contact", "company": format!("Edited {n}"),
            "phones": [{ "value": OWN_PHONE, "label": "" }], "emails": [], "group_ids": [] });
        let (status, body) = c
            .call("contacts/update", json!({ "id": own, "contact": draft }))
            .await;
        assert_eq!(status, StatusCode::OK, "colleague edit: {body}");
        let (status, page) = c
            .call(
                "contacts/list",
                json!({ "query": { "search": "Person 1" } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "colleague search: {page}");
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_imports_and_a_colleagues_edits_lose_and_duplicate_nothing() {
    let _turn = TURN.lock().await;
    for app in TestApp::all_concurrent().await {
        let name = app.name;
        let owner = app.signed_up("Busy", "owner@example.org").await;
        let mut colleague_client = owner.clone();
        colleague_client.ip = [10, 0, 0, 2];
        let (status, own) = colleague_client
            .call(
                "contacts/create",
                json!({ "contact": { "first_name": "Own", "last_name": "Contact", "company": "",
                    "phones": [{ "value": OWN_PHONE, "label": "" }], "emails": [], "group_ids": [] } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{own}");
        let own = own["id"].as_i64().unwrap();
        let imports = (0..IMPORTS).map(|k| tokio::spawn(run_import(owner.clone(), k)));
        let edits = tokio::spawn(colleague(colleague_client, own, 30));
        let results = futures::future::join_all(imports).await;
        let edits = edits.await.unwrap();

        let mut created = 0u64;
        for (k, r) in results.into_iter().enumerate() {
            let (view, statuses) = r.unwrap();
            assert!(
                statuses.iter().all(|s| *s == StatusCode::OK),
                "{name} import {k}: {statuses:?}"
            );
            let n = |f: &str| view[f].as_u64().unwrap();
            assert_eq!(
                n("created") + n("updated") + n("unchanged"),
                ROWS as u64,
                "{name} import {k}: every row counted once: {view}"
            );
            assert_eq!(n("rejected"), 0, "{name}: {view}");
            created += n("created");
        }
        let colleague_created = edits.get(&200).copied().unwrap_or(0) as i64;
        let contacts = count(&app, "SELECT COUNT(*) AS n FROM contact").await;
        // Every person once, whoever wrote them first, and the colleague's own.
        assert_eq!(contacts, PERSONS as i64 + 1, "{name}: {edits:?}");
        assert!(
            created as i64 <= PERSONS as i64 && created as i64 + colleague_created >= PERSONS as i64,
            "{name}: imports created {created}, the colleague about {colleague_created}, there are {contacts}"
        );
        // Each phone and each e-mail on exactly one contact, the person's
        // phone and e-mail on the same one.
        let details = count(&app, "SELECT COUNT(*) AS n FROM contact_detail").await;
        assert_eq!(details, 2 * PERSONS as i64 + 1, "{name}");
        let paired = count(
            &app,
            "SELECT COUNT(*) AS n FROM contact c WHERE \
             (SELECT COUNT(*) FROM contact_detail d WHERE d.contact_id = c.id AND d.kind = 'phone') = 1 AND \
             (SELECT COUNT(*) FROM contact_detail d WHERE d.contact_id = c.id AND d.kind = 'email') = 1",
        )
        .await;
        assert_eq!(paired, PERSONS as i64, "{name}");
        let stored_count = count(&app, "SELECT contact_count AS n FROM account").await;
        assert_eq!(
            stored_count, contacts,
            "{name}: the account's contact count"
        );
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_chunk_delivered_to_two_servers_at_once_is_applied_once_and_both_answer_200() {
    let _turn = TURN.lock().await;
    for app in TestApp::all_concurrent().await {
        let name = app.name;
        // On PostgreSQL a second server with its own pool; a SQLite file
        // serves from one process, so there the two deliveries meet in it.
        let second = if app.name == "postgres" {
            Some(app.another_server().await)
        } else {
            None
        };
        let mut a = app.signed_up("Twice", "twice@example.org").await;
        let b = on(second.as_ref().unwrap_or(&app), &a);
        let (status, started) = a.call("imports/start", start_body("twice.csv")).await;
        assert_eq!(status, StatusCode::OK, "{started}");
        let id = started["import_id"].as_i64().unwrap();
        for n in 0..10usize {
            let rows: Vec<Value> = (n * 50..n * 50 + 50).map(person_row).collect();
            let body = json!({ "chunk": { "import_id": id, "chunk_no": n, "rows": rows } });
            let (mut a2, mut b2) = (a.clone(), b.clone());
            let (b1, b2_body) = (body.clone(), body);
            let first = tokio::spawn(async move { a2.call("imports/chunk", b1).await });
            let other = tokio::spawn(async move { b2.call("imports/chunk", b2_body).await });
            let (x, y) = (first.await.unwrap(), other.await.unwrap());
            assert_eq!(
                (x.0, y.0),
                (StatusCode::OK, StatusCode::OK),
                "{name} chunk {n}: {} / {}",
                x.1,
                y.1
            );
            let replayed = [&x.1, &y.1]
                .iter()
                .filter(|v| v["replayed"] == true)
                .count();
            assert_eq!(replayed, 1, "{name} chunk {n}: {} / {}", x.1, y.1);
            assert_eq!(x.1["created"], 50, "{name}");
            assert_eq!(y.1["created"], 50, "{name}");
        }
        let contacts = count(&app, "SELECT COUNT(*) AS n FROM contact").await;
        assert_eq!(contacts, 500, "{name}");
        let (_, view) = a
            .call(
                "imports/finish",
                json!({ "finish": { "import_id": id, "rejected_in_browser": 0, "dropped_in_browser": 0 } }),
            )
            .await;
        assert_eq!(view["created"], 500, "{name}: {view}");
        if let Some(s) = second {
            s.state.store.connection().clone().close().await.ok();
        }
        app.finish().await;
    }
}

/// The login throttle counts across servers and across requests sent at
/// once: forty wrong passwords in parallel, half to each of two servers,
/// get five password checks in all (the rest: 429).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_login_limit_holds_in_total_across_servers_and_parallel_guesses() {
    let _turn = TURN.lock().await;
    for app in TestApp::all_concurrent().await {
        let name = app.name;
        let second = app.another_server().await;
        app.signed_up("Guarded", "guarded@example.org").await;
        let guesses = (0..40u8).map(|n| {
            let server = if n % 2 == 0 { &app } else { &second };
            let mut c = server.client();
            c.ip = [10, 9, n / 16, n];
            tokio::spawn(async move {
                c.call(
                    "auth/login",
                    json!({ "form": { "email": "guarded@example.org", "password": format!("wrong guess {n}") } }),
                )
                .await
                .0
            })
        });
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        for s in futures::future::join_all(guesses).await {
            *statuses.entry(s.unwrap().as_u16()).or_default() += 1;
        }
        assert_eq!(
            statuses,
            BTreeMap::from([(401, 5), (429, 35)]),
            "{name}: five passwords checked in all"
        );
        second.state.store.connection().clone().close().await.ok();
        app.finish().await;
    }
}
