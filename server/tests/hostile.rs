//! Bad and hostile requests to every server function, on SQLite and
//! PostgreSQL: malformed JSON, wrong types, missing, extra and duplicate
//! fields, deep nesting, invalid UTF-8, NUL bytes, negative and huge
//! numbers, other accounts' ids. Each gets a 4xx with a message that says
//! what to do; nothing is written; no request panics (a panic in the
//! router fails the test).

#![recursion_limit = "256"]

mod common;

use app::AppError;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{Client, TestApp, HOST, TURN};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

/// Every server function that takes arguments, with a well-formed body.
fn endpoints(ids: &Ids) -> Vec<(&'static str, Value)> {
    let contact = json!({ "first_name": "Eve", "last_name": "", "company": "",
        "phones": [{ "value": "07911 999999", "label": "" }], "emails": [], "group_ids": [] });
    vec![
        (
            "auth/signup",
            json!({ "form": { "account_name": "X", "email": "x@example.org", "password": "long enough pw" } }),
        ),
        (
            "auth/login",
            json!({ "form": { "email": "x@example.org", "password": "long enough pw" } }),
        ),
        ("auth/invitation", json!({ "token": "abc" })),
        (
            "auth/accept",
            json!({ "form": { "token": "abc", "email": "x@example.org", "password": "long enough pw" } }),
        ),
        ("contacts/list", json!({ "query": {} })),
        ("contacts/get", json!({ "id": ids.contact })),
        ("contacts/create", json!({ "contact": contact })),
        (
            "contacts/update",
            json!({ "id": ids.contact, "contact": contact }),
        ),
        ("contacts/delete", json!({ "id": ids.contact })),
        (
            "contacts/sms-status",
            json!({ "id": ids.contact, "status": "opted_out", "reason": "" }),
        ),
        ("contacts/sms-history", json!({ "id": ids.contact })),
        (
            "contacts/bulk-count",
            json!({ "target": { "Picked": [ids.contact] } }),
        ),
        (
            "contacts/bulk",
            json!({ "target": { "Picked": [ids.contact] }, "action": "Delete", "after": null }),
        ),
        (
            "recipients/resolve",
            json!({ "request": { "group_ids": [ids.group], "limit": 10 } }),
        ),
        ("groups/create", json!({ "name": "G" })),
        ("groups/rename", json!({ "id": ids.group, "name": "G" })),
        ("groups/delete", json!({ "id": ids.group })),
        (
            "fields/create",
            json!({ "name": "F", "kind": "text", "choices": [] }),
        ),
        ("fields/rename", json!({ "id": ids.field, "name": "F" })),
        ("fields/holders", json!({ "id": ids.field })),
        ("fields/delete", json!({ "id": ids.field })),
        (
            "settings/update",
            json!({ "settings": { "account_name": "X", "default_region": "GB" } }),
        ),
        ("imports/start", json!({ "start": start(json!("None"), 3) })),
        (
            "imports/chunk",
            json!({ "chunk": { "import_id": ids.import, "chunk_no": 0, "rows": [] } }),
        ),
        (
            "imports/finish",
            json!({ "finish": { "import_id": ids.import, "rejected_in_browser": 0, "dropped_in_browser": 0 } }),
        ),
        ("imports/unfinished", json!({ "content_hash": "ab" })),
    ]
}

fn start(group: Value, total_rows: u64) -> Value {
    json!({
        "file_name": "people.csv", "sheet": "", "format": "csv",
        "columns": [
            { "header": "Name", "field": "full_name", "label": "", "label_column": null },
            { "header": "Mobile", "field": "phone", "label": "mobile", "label_column": null }
        ],
        "region": "GB", "group": group, "total_rows": total_rows
    })
}

/// `v` with `key` set to `value`.
fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

/// The victim account's ids, which the attacker's requests name.
struct Ids {
    contact: i64,
    group: i64,
    import: i64,
    field: i64,
}

/// Bodies no server function that takes arguments accepts.
fn malformed() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!("{{\"x\":{}1{}}}", "[".repeat(5_000), "]".repeat(5_000));
    vec![
        ("not JSON", b"{ not json".to_vec()),
        ("empty", Vec::new()),
        ("null", b"null".to_vec()),
        ("an array", b"[1, 2]".to_vec()),
        ("a string", b"\"hello\"".to_vec()),
        ("no fields", b"{}".to_vec()),
        ("invalid UTF-8", b"{\"id\": \"\xff\xfe\"}".to_vec()),
        ("nested 5,000 deep", deep.into_bytes()),
        ("a NUL outside strings", b"{\"id\"\x00: 1}".to_vec()),
    ]
}

/// (endpoint, body, expected status) beyond the malformed bodies.
fn specific(ids: &Ids) -> Vec<(&'static str, Value, StatusCode)> {
    let bad = StatusCode::BAD_REQUEST;
    let gone = StatusCode::NOT_FOUND;
    vec![
        // Wrong types, duplicate and out-of-range numbers.
        ("contacts/get", json!({ "id": "seven" }), bad),
        ("contacts/get", json!({ "id": 1.5 }), bad),
        ("contacts/get", json!({ "id": null }), bad),
        ("contacts/get", json!({ "id": [1] }), bad),
        ("contacts/get", json!({ "id": -1 }), gone),
        ("contacts/get", json!({ "id": i64::MAX }), gone),
        (
            "contacts/update",
            json!({ "id": 1, "contact": { "first_name": 5 } }),
            bad,
        ),
        (
            "contacts/create",
            json!({ "contact": { "first_name": "A", "last_name": "", "company": "", "phones": "07911", "emails": [], "group_ids": [] } }),
            bad,
        ),
        (
            "contacts/create",
            json!({ "contact": { "first_name": "A", "last_name": "", "company": "", "phones": [{ "value": "07400 555555", "label": "" }], "emails": [], "group_ids": [ids.group] } }),
            gone,
        ),
        (
            "contacts/list",
            json!({ "query": { "page": u64::MAX } }),
            bad,
        ),
        ("contacts/list", json!({ "query": { "page": -1 } }), bad),
        (
            "contacts/list",
            json!({ "query": { "per_page": 1e30 } }),
            bad,
        ),
        (
            "contacts/list",
            json!({ "query": { "search": "x".repeat(500) } }),
            bad,
        ),
        (
            "contacts/list",
            json!({ "query": { "sort": "DROP TABLE contact" } }),
            bad,
        ),
        ("contacts/list", json!({ "query": { "import": -5 } }), bad),
        (
            "imports/start",
            json!({ "start": start(json!("None"), u64::MAX) }),
            bad,
        ),
        ("imports/start", json!({ "start": { "region": "ZZ" } }), bad),
        (
            "imports/start",
            json!({ "start": start(json!({ "Existing": ids.group }), 3) }),
            gone,
        ),
        (
            "imports/start",
            json!({ "start": start(json!({ "New": "" }), 3) }),
            bad,
        ),
        (
            "imports/chunk",
            json!({ "chunk": { "import_id": ids.import, "chunk_no": -1, "rows": [] } }),
            bad,
        ),
        (
            "imports/chunk",
            json!({ "chunk": { "import_id": ids.import, "chunk_no": 4_294_967_296u64, "rows": [] } }),
            bad,
        ),
        (
            "imports/chunk",
            json!({ "chunk": { "import_id": ids.import, "chunk_no": 0, "rows": [{ "number": -2, "cells": [] }] } }),
            bad,
        ),
        (
            "imports/finish",
            json!({ "finish": { "import_id": ids.import, "rejected_in_browser": -1, "dropped_in_browser": 0 } }),
            bad,
        ),
        (
            "settings/update",
            json!({ "settings": { "account_name": "X", "default_region": "ZZ" } }),
            bad,
        ),
        (
            "auth/login",
            json!({ "form": { "email": 5, "password": "x" } }),
            bad,
        ),
        // Any e-mail at all is a wrong login, not a server error.
        (
            "auth/login",
            json!({ "form": { "email": format!("{}@example.org", "a".repeat(2_000)), "password": "long enough pw" } }),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "auth/login",
            json!({ "form": { "email": "nul\u{0}@example.org", "password": "long enough pw" } }),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "imports/unfinished",
            json!({ "content_hash": "x".repeat(65) }),
            bad,
        ),
        (
            "imports/start",
            json!({ "start": with(start(json!("None"), 3), "content_hash", json!("not hex!")) }),
            bad,
        ),
        (
            "imports/start",
            json!({ "start": with(start(json!("None"), 3), "columns", json!([
            { "header": "Mobile", "field": "phone", "label": "", "label_column": 7 }
        ])) }),
            bad,
        ),
        (
            "contacts/sms-status",
            json!({ "id": 1, "status": "maybe", "reason": "" }),
            bad,
        ),
        (
            "recipients/resolve",
            json!({ "request": { "contact_ids": vec![1; 6_000] } }),
            bad,
        ),
        (
            "recipients/resolve",
            json!({ "request": { "limit": 10_001 } }),
            bad,
        ),
        // Another account's contact, group and import: as if they did not exist.
        ("contacts/get", json!({ "id": ids.contact }), gone),
        (
            "contacts/sms-status",
            json!({ "id": ids.contact, "status": "opted_out", "reason": "" }),
            gone,
        ),
        ("contacts/sms-history", json!({ "id": ids.contact }), gone),
        (
            "recipients/resolve",
            json!({ "request": { "group_ids": [ids.group] } }),
            gone,
        ),
        ("contacts/delete", json!({ "id": ids.contact }), gone),
        // Bulk actions: an empty or oversized pick, another account's group or field.
        (
            "contacts/bulk",
            json!({ "target": { "Picked": [] }, "action": "Delete", "after": null }),
            bad,
        ),
        (
            "contacts/bulk-count",
            json!({ "target": { "Picked": (1..=1_001).collect::<Vec<i64>>() } }),
            bad,
        ),
        (
            "contacts/bulk",
            json!({ "target": { "Matching": { "search": "x".repeat(10_000) } }, "action": "Delete", "after": null }),
            bad,
        ),
        (
            "contacts/bulk",
            json!({ "target": { "Matching": {} }, "action": { "AddToGroup": ids.group }, "after": null }),
            gone,
        ),
        (
            "contacts/bulk",
            json!({ "target": { "Matching": {} }, "action": { "RemoveFromGroup": ids.group }, "after": null }),
            gone,
        ),
        (
            "contacts/bulk",
            json!({ "target": { "Matching": {} }, "action": { "SetField": { "field_id": ids.field, "value": "x" } }, "after": null }),
            gone,
        ),
        (
            "contacts/bulk",
            json!({ "target": { "Matching": {} }, "action": "Explode", "after": null }),
            bad,
        ),
        (
            "groups/rename",
            json!({ "id": ids.group, "name": "Mine now" }),
            gone,
        ),
        ("groups/delete", json!({ "id": ids.group }), gone),
        (
            "fields/rename",
            json!({ "id": ids.field, "name": "Mine now" }),
            gone,
        ),
        ("fields/holders", json!({ "id": ids.field }), gone),
        ("fields/delete", json!({ "id": ids.field }), gone),
        (
            "fields/create",
            json!({ "name": "Plan", "kind": "choice", "choices": vec!["a"; 10_000] }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "fields/create",
            json!({ "name": "x".repeat(61), "kind": "text", "choices": [] }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "fields/create",
            json!({ "name": "Phone", "kind": "text", "choices": [] }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "fields/create",
            json!({ "name": "Colour", "kind": "colour", "choices": [] }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "imports/chunk",
            json!({ "chunk": { "import_id": ids.import, "chunk_no": 0, "rows": [] } }),
            gone,
        ),
        (
            "imports/finish",
            json!({ "finish": { "import_id": ids.import, "rejected_in_browser": 0, "dropped_in_browser": 0 } }),
            gone,
        ),
    ]
}

async fn post(c: &mut Client, endpoint: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let req = Request::post(format!("/api/{endpoint}"))
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body))
        .unwrap();
    let a = c.send(req).await;
    (a.status, a.body)
}

/// A 4xx whose body is an error with a message.
fn assert_refused(what: &str, status: StatusCode, body: &[u8], expected: Option<StatusCode>) {
    assert!(
        status.is_client_error(),
        "{what}: {status} {}",
        String::from_utf8_lossy(body)
    );
    if let Some(expected) = expected {
        assert_eq!(
            status,
            expected,
            "{what}: {}",
            String::from_utf8_lossy(body)
        );
    }
    let error: AppError = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "{what}: not an error body ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    let message = error.to_string();
    assert!(message.len() > 10, "{what}: {message}");
    assert!(
        !message.contains("went wrong on our side"),
        "{what}: {message}"
    );
}

/// Rows in every table, to show nothing was written.
async fn row_counts(app: &TestApp) -> Vec<(String, i64)> {
    let db = app.state.store.connection();
    let mut out = Vec::new();
    for table in [
        "account",
        "app_user",
        "contact",
        "contact_detail",
        "contact_group",
        "group_member",
        "sms_status_event",
        "import_batch",
        "import_chunk",
        "invitation",
        "custom_field",
        "contact_field_value",
    ] {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        out.push((table.to_string(), row.try_get::<i64>("", "n").unwrap()));
    }
    out
}

#[tokio::test]
async fn malformed_and_hostile_requests_get_a_4xx_with_a_message_and_write_nothing() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        let name = app.name;
        // The victim: a contact, a group, an import.
        let mut victim = app.signed_up("Victim", "victim@example.org").await;
        let (_, group) = victim
            .call("groups/create", json!({ "name": "Secret" }))
            .await;
        let (_, contact) = victim
            .call(
                "contacts/create",
                json!({ "contact": { "first_name": "Vic", "last_name": "", "company": "",
                    "phones": [{ "value": "07911 123456", "label": "" }], "emails": [], "group_ids": [] } }),
            )
            .await;
        let (_, import) = victim
            .call("imports/start", json!({ "start": start(json!("None"), 3) }))
            .await;
        let (_, field) = victim
            .call(
                "fields/create",
                json!({ "name": "Secret field", "kind": "text", "choices": [] }),
            )
            .await;
        let ids = Ids {
            contact: contact["id"].as_i64().unwrap(),
            group: group["id"].as_i64().unwrap(),
            import: import["import_id"].as_i64().unwrap(),
            field: field["id"].as_i64().unwrap(),
        };
        let mut attacker = app.signed_up("Attacker", "mallory@example.org").await;
        let before = row_counts(&app).await;

        for (endpoint, _) in endpoints(&ids) {
            for (what, body) in malformed() {
                let (status, answer) = post(&mut attacker, endpoint, body).await;
                let what = format!("{name} {endpoint} with {what}");
                assert_refused(&what, status, &answer, Some(StatusCode::BAD_REQUEST));
            }
            // A field of a type it cannot be.
            let (status, answer) =
                post(&mut attacker, endpoint, br#"{"x": 1, "x": 2}"#.to_vec()).await;
            assert_refused(
                &format!("{name} {endpoint} duplicate keys"),
                status,
                &answer,
                None,
            );
        }
        for (endpoint, body, expected) in specific(&ids) {
            let shown: String = body.to_string().chars().take(120).collect();
            let (status, answer) =
                post(&mut attacker, endpoint, body.to_string().into_bytes()).await;
            assert_refused(
                &format!("{name} {endpoint} {shown}"),
                status,
                &answer,
                Some(expected),
            );
        }
        // Duplicate keys in a body the function would otherwise accept.
        let (status, answer) = post(
            &mut attacker,
            "contacts/get",
            format!(r#"{{"id": {}, "id": {}}}"#, ids.contact, ids.contact).into_bytes(),
        )
        .await;
        assert_refused(
            &format!("{name} duplicate id"),
            status,
            &answer,
            Some(StatusCode::BAD_REQUEST),
        );

        // A bulk delete naming the victim's contact, or by a filter on the
        // victim's group, finds nothing of theirs.
        for target in [
            json!({ "Picked": [ids.contact] }),
            json!({ "Matching": { "group": { "kind": "group", "id": ids.group } } }),
        ] {
            let (status, done) = attacker
                .call(
                    "contacts/bulk",
                    json!({ "target": target, "action": "Delete", "after": null }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{name}: {done}");
            assert_eq!(done["seen"], 0, "{name}: {done}");
        }
        assert_eq!(row_counts(&app).await, before, "{name}: nothing written");
        // The victim's data is untouched and still theirs.
        let (status, page) = victim.call("contacts/list", json!({ "query": {} })).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["total"], 1, "{name}: {page}");
        let (_, groups) = victim.call("groups/list", json!({})).await;
        assert_eq!(groups[0]["name"], "Secret", "{name}");
        app.finish().await;
    }
}

/// NUL bytes and other control characters: PostgreSQL refuses them in text
/// outright, so each used to answer 500, and an import holding one could
/// never finish. Now a form refuses them with a message, and an imported
/// cell, a group name and a search lose them.
#[tokio::test]
async fn control_characters_are_refused_in_forms_and_removed_from_imports() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        let name = app.name;
        let mut c = app.signed_up("Controls", "c@example.org").await;
        let (status, body) = c
            .call(
                "contacts/create",
                json!({ "contact": { "first_name": "Ad\u{0}a", "last_name": "", "company": "",
                    "phones": [{ "value": "07911 123456", "label": "mo\u{0}bile" }], "emails": [], "group_ids": [] } }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        assert!(
            body.to_string().contains("control character"),
            "{name}: {body}"
        );

        let (status, body) = c
            .call("groups/create", json!({ "name": "V\u{0}IP\u{1b}" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["name"], "VIP");

        let (status, body) = c
            .call(
                "contacts/list",
                json!({ "query": { "search": "\u{0}smith\u{0}" } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");

        let (status, started) = c
            .call(
                "imports/start",
                json!({ "start": start(json!({ "New": "Im\u{0}ported" }), 2) }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {started}");
        assert_eq!(started["group_name"], "Imported");
        let id = started["import_id"].as_i64().unwrap();
        let (status, outcome) = c
            .call(
                "imports/chunk",
                json!({ "chunk": { "import_id": id, "chunk_no": 0, "rows": [
                    { "number": 2, "cells": ["Ann\u{0} Lee", "07400\u{0}123456"] },
                    { "number": 3, "cells": ["Bob\u{7f} Ray\u{9b}", "07400 123457"] }
                ] } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {outcome}");
        assert_eq!(outcome["created"], 2, "{name}: {outcome}");
        let (_, page) = c
            .call("contacts/list", json!({ "query": { "sort": "name" } }))
            .await;
        let names: Vec<&str> = page["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Ann", "Bob"], "{name}: {page}");
        app.finish().await;
    }
}
