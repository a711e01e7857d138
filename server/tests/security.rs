//! Accounts and security over HTTP against the real router, on SQLite and
//! PostgreSQL: sessions, tenant isolation of every server function,
//! cross-site requests, login throttling, body limits, response headers.

#![recursion_limit = "256"]

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{Client, TestApp, HOST, PASSWORD, TURN};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

fn contact(first: &str, phone: &str, email: &str, groups: &[i64]) -> Value {
    json!({ "contact": {
        "first_name": first, "last_name": "Test", "company": "",
        "phones": [{ "value": phone, "label": "mobile" }],
        "emails": [{ "value": email, "label": "" }],
        "group_ids": groups
    }})
}

fn columns() -> Value {
    json!([
        { "header": "Name", "field": "full_name", "label": "", "label_column": null },
        { "header": "Mobile", "field": "phone", "label": "mobile", "label_column": null }
    ])
}

/// Every server function that needs a session, with a body it accepts.
const PRIVATE: [(&str, &str); 17] = [
    ("contacts/list", r#"{"query":{}}"#),
    ("contacts/get", r#"{"id":1}"#),
    (
        "contacts/create",
        r#"{"contact":{"first_name":"A","last_name":"","company":"","phones":[],"emails":[{"value":"a@b.org","label":""}],"group_ids":[]}}"#,
    ),
    (
        "contacts/update",
        r#"{"id":1,"contact":{"first_name":"A","last_name":"","company":"","phones":[],"emails":[{"value":"a@b.org","label":""}],"group_ids":[]}}"#,
    ),
    ("contacts/delete", r#"{"id":1}"#),
    ("groups/list", "{}"),
    ("groups/create", r#"{"name":"G"}"#),
    ("groups/rename", r#"{"id":1,"name":"H"}"#),
    ("groups/delete", r#"{"id":1}"#),
    (
        "imports/start",
        r#"{"start":{"file_name":"x.csv","sheet":"","format":"csv","columns":[{"header":"Mobile","field":"phone","label":"","label_column":null}],"region":"GB","group":"None","total_rows":1}}"#,
    ),
    (
        "imports/chunk",
        r#"{"chunk":{"import_id":1,"chunk_no":0,"rows":[]}}"#,
    ),
    (
        "imports/finish",
        r#"{"finish":{"import_id":1,"rejected_in_browser":0,"dropped_in_browser":0}}"#,
    ),
    ("imports/list", "{}"),
    ("settings/get", "{}"),
    (
        "settings/update",
        r#"{"settings":{"account_name":"X","default_region":"FR"}}"#,
    ),
    ("auth/me", "{}"),
    ("auth/invite", "{}"),
];

#[tokio::test]
async fn sign_up_log_in_and_log_out_really_end_the_session() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        let mut ada = app.signed_up("Analytical Engines", "Ada@Example.org").await;
        let (status, me) = ada.call("auth/me", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{}: {me}", app.name);
        assert_eq!(me["account_name"], "Analytical Engines");
        assert_eq!(me["email"], "Ada@example.org");

        // Logging out deletes the session: its cookie, kept by an attacker,
        // opens nothing afterwards.
        let stolen = ada.cookie.clone();
        let (status, _) = ada.call("auth/logout", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ada.cookie.is_none(), "{}: the cookie is cleared", app.name);
        let mut replay = ada.anonymous();
        replay.cookie = stolen;
        let (status, body) = replay.call("auth/me", json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}: {body}", app.name);

        let (status, body) = ada
            .call(
                "auth/login",
                json!({ "form": { "email": "ada@example.org", "password": "wrong password!" } }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body["Unauthorized"]
            .as_str()
            .unwrap()
            .contains("do not match"));
        assert!(ada.cookie.is_none());
        // Any case of the address logs in.
        let (status, body) = ada
            .call(
                "auth/login",
                json!({ "form": { "email": "ADA@example.ORG", "password": PASSWORD } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(ada.cookie.is_some());
        assert_ne!(ada.cookie, replay.cookie, "a login gets a new session id");
        assert_eq!(ada.call("auth/me", json!({})).await.0, StatusCode::OK);

        // One login per address.
        let (status, body) = app
            .client()
            .call("auth/signup", json!({ "form": { "account_name": "Other", "email": "ada@EXAMPLE.org", "password": PASSWORD } }))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        // Weak passwords and bad addresses are refused with what to do.
        let (status, body) = app
            .client()
            .call(
                "auth/signup",
                json!({ "form": { "account_name": "", "email": "nope", "password": "short" } }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = body["Invalid"].as_str().unwrap();
        assert!(
            message.contains("name")
                && message.contains("e-mail")
                && message.contains("10 characters"),
            "{message}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let _turn = TURN.lock().await;
    let app = TestApp::sqlite().await;
    let req = Request::post("/api/auth/signup")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "form": { "account_name": "A", "email": "a@example.org", "password": PASSWORD } })
                .to_string(),
        ))
        .unwrap();
    let a = app.client().send(req).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let cookie = a.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("contacts_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Max-Age="), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");
}

#[tokio::test]
async fn pages_and_server_functions_need_a_session() {
    let _turn = TURN.lock().await;
    let app = TestApp::sqlite().await;
    let mut anon = app.client();
    // First run: nobody to log in as, so to the sign-up.
    let a = anon.get("/contacts").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers[header::LOCATION], "/signup");
    let (_, setup) = anon.call("auth/setup", json!({})).await;
    assert_eq!(setup["first_run"], true);

    app.signed_up("A", "a@example.org").await;
    for path in [
        "/contacts",
        "/contacts/import",
        "/contacts/groups",
        "/settings",
        "/contacts/7/edit",
        "/import/example.xlsx",
        "/",
    ] {
        let a = anon.get(path).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        let to = a.headers[header::LOCATION].to_str().unwrap();
        assert!(to.starts_with("/login?next="), "{path} → {to}");
    }
    let a = anon.get("/contacts/import?x=1").await;
    assert_eq!(
        a.headers[header::LOCATION],
        "/login?next=%2Fcontacts%2Fimport%3Fx%3D1"
    );
    for (endpoint, body) in PRIVATE {
        let (status, answer) = anon.call_raw(endpoint, body.into()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{endpoint}: {answer}");
        assert!(answer["Unauthorized"].is_string(), "{endpoint}: {answer}");
    }
    for path in ["/login", "/signup", "/invite/abc", "/favicon.svg"] {
        let a = anon.get(path).await;
        assert!(
            a.status == StatusCode::OK || a.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            a.status
        );
        assert!(a.headers.get(header::LOCATION).is_none(), "{path}");
    }
    let (_, setup) = anon.call("auth/setup", json!({})).await;
    assert_eq!(setup["first_run"], false);
}

#[tokio::test]
async fn the_first_sign_up_takes_over_the_data_already_there() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        // Contacts imported from the command line before anyone signed up.
        let store = &app.state.store;
        let account = store
            .ensure_default_account(app::import::Region::default())
            .await
            .unwrap();
        let draft: app::import::ContactDraft = serde_json::from_value(
            contact("Early", "07400 100001", "early@example.org", &[])["contact"].clone(),
        )
        .unwrap();
        let valid = app::import::validate_contact(&draft, app::import::Region::default()).unwrap();
        store.create_contact(account.id, &valid).await.unwrap();

        let mut first = app.signed_up("Pioneers", "first@example.org").await;
        let (_, page) = first.call("contacts/list", json!({ "query": {} })).await;
        assert_eq!(page["total"], 1, "{}: {page}", app.name);
        let (_, me) = first.call("auth/me", json!({})).await;
        assert_eq!(me["account_name"], "Pioneers");
        let mut second = app.signed_up("Newcomers", "second@example.org").await;
        let (_, page) = second.call("contacts/list", json!({ "query": {} })).await;
        assert_eq!(
            page["total"], 0,
            "{}: a second sign-up is a new account",
            app.name
        );
        app.finish().await;
    }
}

/// What account A has, as A sees it: compared before and after B's attempts.
async fn snapshot(a: &mut Client, contact_id: i64) -> Vec<Value> {
    let mut out = Vec::new();
    for (endpoint, body) in [
        ("contacts/list", json!({ "query": {} })),
        ("contacts/get", json!({ "id": contact_id })),
        ("groups/list", json!({})),
        ("imports/list", json!({})),
        ("settings/get", json!({})),
        ("auth/users", json!({})),
    ] {
        let (status, v) = a.call(endpoint, body).await;
        assert_eq!(status, StatusCode::OK, "{endpoint}: {v}");
        out.push(v);
    }
    out
}

#[tokio::test]
async fn another_account_can_read_change_or_delete_nothing_of_the_first() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        let name = app.name;
        let mut a = app.signed_up("First", "first@example.org").await;
        let (_, group) = a
            .call("groups/create", json!({ "name": "Customers" }))
            .await;
        let group_id = group["id"].as_i64().unwrap();
        let (status, c) = a
            .call(
                "contacts/create",
                contact("Ann", "07400 200001", "ann@example.org", &[group_id]),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{c}");
        let contact_id = c["id"].as_i64().unwrap();
        let (_, started) = a
            .call(
                "imports/start",
                json!({ "start": {
                "file_name": "first.csv", "sheet": "", "format": "csv", "columns": columns(),
                "region": "GB", "group": { "New": "Imported" }, "total_rows": 1 } }),
            )
            .await;
        let import_id = started["import_id"].as_i64().unwrap();
        let (status, _) = a
            .call(
                "imports/chunk",
                json!({ "chunk": { "import_id": import_id, "chunk_no": 0,
                "rows": [{ "number": 2, "cells": ["Bob Ray", "07400 200002"] }] } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let running = a
            .call(
                "imports/start",
                json!({ "start": {
                "file_name": "second.csv", "sheet": "", "format": "csv", "columns": columns(),
                "region": "GB", "group": "None", "total_rows": 1 } }),
            )
            .await
            .1["import_id"]
            .as_i64()
            .unwrap();
        let before = snapshot(&mut a, contact_id).await;

        let mut b = app.signed_up("Second", "second@example.org").await;
        let not_found = [
            ("contacts/get", json!({ "id": contact_id })),
            (
                "contacts/update",
                contact("Mallory", "07400 200003", "m@example.org", &[])
                    .as_object()
                    .unwrap()
                    .clone()
                    .into_iter()
                    .chain([("id".to_string(), json!(contact_id))])
                    .collect::<serde_json::Map<_, _>>()
                    .into(),
            ),
            ("contacts/delete", json!({ "id": contact_id })),
            (
                "contacts/create",
                contact("Mallory", "07400 200004", "m2@example.org", &[group_id]),
            ),
            ("groups/rename", json!({ "id": group_id, "name": "Mine" })),
            ("groups/delete", json!({ "id": group_id })),
            (
                "imports/chunk",
                json!({ "chunk": { "import_id": running, "chunk_no": 0,
                "rows": [{ "number": 2, "cells": ["Eve", "07400 200005"] }] } }),
            ),
            (
                "imports/chunk",
                json!({ "chunk": { "import_id": import_id, "chunk_no": 0, "rows": [] } }),
            ),
            (
                "imports/finish",
                json!({ "finish": { "import_id": running, "rejected_in_browser": 0, "dropped_in_browser": 0 } }),
            ),
            (
                "imports/start",
                json!({ "start": {
                "file_name": "x.csv", "sheet": "", "format": "csv", "columns": columns(),
                "region": "GB", "group": { "Existing": group_id }, "total_rows": 1 } }),
            ),
        ];
        for (endpoint, body) in not_found {
            let (status, answer) = b.call(endpoint, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{name} {endpoint}: {answer}");
            assert!(
                answer["NotFound"].is_string(),
                "{name} {endpoint}: {answer}"
            );
        }
        // B's own views hold nothing of A's.
        let (_, page) = b.call("contacts/list", json!({ "query": {} })).await;
        assert_eq!(page["total"], 0, "{name}: {page}");
        for search in ["Ann", "07400 200001", "ann@example.org", "Bob"] {
            let (_, page) = b
                .call("contacts/list", json!({ "query": { "search": search } }))
                .await;
            assert_eq!(page["total"], 0, "{name}: search {search}: {page}");
        }
        let (_, page) = b
            .call(
                "contacts/list",
                json!({ "query": { "group": { "kind": "group", "id": group_id } } }),
            )
            .await;
        assert_eq!(page["total"], 0, "{name}: {page}");
        assert_eq!(b.call("groups/list", json!({})).await.1, json!([]));
        assert_eq!(b.call("imports/list", json!({})).await.1, json!([]));
        let (_, users) = b.call("auth/users", json!({})).await;
        assert_eq!(users.as_array().unwrap().len(), 1, "{name}: {users}");
        let (_, settings) = b.call("settings/get", json!({})).await;
        assert_eq!(settings["account_name"], "Second");
        // A's phone is no one's in B's account: B may have it too, and the
        // answer names nobody of A's.
        let (status, mine) = b
            .call(
                "contacts/create",
                contact("Ann", "07400 200001", "ann@example.org", &[]),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {mine}");
        let (status, _) = b
            .call(
                "settings/update",
                json!({ "settings": { "account_name": "Second", "default_region": "FR" } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        let after = snapshot(&mut a, contact_id).await;
        assert_eq!(
            before, after,
            "{name}: nothing of the first account changed"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn cross_site_requests_are_refused() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        let mut a = app.signed_up("A", "a@example.org").await;
        let body = contact("Ann", "07400 300001", "ann@example.org", &[]).to_string();
        let post = |origin: Option<&str>, fetch_site: Option<&str>| {
            let mut r = Request::post("/api/contacts/create")
                .header(header::HOST, HOST)
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(o) = origin {
                r = r.header(header::ORIGIN, o);
            }
            if let Some(s) = fetch_site {
                r = r.header("sec-fetch-site", s);
            }
            r.body(Body::from(body.clone())).unwrap()
        };
        for (origin, site) in [
            (Some("http://evil.example"), None),
            (Some("http://127.0.0.1:3001"), None),
            (Some("null"), None),
            (None, Some("cross-site")),
        ] {
            let answer = a.send(post(origin, site)).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin:?} {site:?}");
            assert!(answer.json()["Forbidden"]
                .as_str()
                .unwrap()
                .contains("another site"));
        }
        let (_, page) = a.call("contacts/list", json!({ "query": {} })).await;
        assert_eq!(page["total"], 0, "nothing was created");
        let answer = a
            .send(post(Some("http://127.0.0.1:3000"), Some("same-origin")))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        // A cross-site login (login CSRF) is refused too.
        let login = Request::post("/api/auth/login")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({ "form": { "email": "a@example.org", "password": PASSWORD } }).to_string(),
            ))
            .unwrap();
        assert_eq!(app.client().send(login).await.status, StatusCode::FORBIDDEN);
        app.finish().await;
    }
}

async fn login(c: &mut Client, email: &str, password: &str) -> StatusCode {
    c.call(
        "auth/login",
        json!({ "form": { "email": email, "password": password } }),
    )
    .await
    .0
}

#[tokio::test]
async fn logins_are_throttled_per_account_and_per_address() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        app.signed_up("A", "a@example.org").await;
        // Guesses at one login, each from another address: five, then refused,
        // even with the right password.
        for n in 0..5u8 {
            let mut c = app.client();
            c.ip = [10, 1, 0, n];
            assert_eq!(
                login(&mut c, "a@example.org", "guess number one").await,
                StatusCode::UNAUTHORIZED
            );
        }
        let mut c = app.client();
        c.ip = [10, 1, 0, 99];
        assert_eq!(
            login(&mut c, "A@example.org", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        let (_, body) = c
            .call(
                "auth/login",
                json!({ "form": { "email": "a@example.org", "password": PASSWORD } }),
            )
            .await;
        assert!(
            body["TooManyRequests"]
                .as_str()
                .unwrap()
                .contains("Wait a minute"),
            "{body}"
        );
        // One address trying many logins: twenty, then refused.
        let mut c = app.client();
        c.ip = [10, 2, 0, 1];
        for n in 0..20 {
            assert_eq!(
                login(&mut c, &format!("u{n}@example.org"), "guess number one").await,
                StatusCode::UNAUTHORIZED,
                "try {n}"
            );
        }
        assert_eq!(
            login(&mut c, "u99@example.org", "guess number one").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // Sign-ups hash a password too: an address making accounts in a
        // loop meets the same limit.
        let mut c = app.client();
        c.ip = [10, 4, 0, 1];
        for n in 0..20 {
            let (status, body) = c
                .call("auth/signup", json!({ "form": { "account_name": "Spam", "email": format!("s{n}@example.org"), "password": PASSWORD } }))
                .await;
            assert_eq!(status, StatusCode::OK, "sign-up {n}: {body}");
        }
        let (status, _) = c
            .call("auth/signup", json!({ "form": { "account_name": "Spam", "email": "s99@example.org", "password": PASSWORD } }))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        // Another address is not held back by either.
        app.signed_up("B", "b@example.org").await;
        let mut c = app.client();
        c.ip = [10, 3, 0, 1];
        assert_eq!(
            login(&mut c, "b@example.org", PASSWORD).await,
            StatusCode::OK
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn an_unknown_e_mail_costs_what_a_wrong_password_costs() {
    let _turn = TURN.lock().await;
    let app = TestApp::sqlite().await;
    app.signed_up("A", "known@example.org").await;
    let times = |email: &'static str| {
        let app = &app;
        async move {
            let mut spent = Vec::new();
            for n in 0..5u8 {
                let mut c = app.client();
                c.ip = [10, 9, n, if email.starts_with("known") { 1 } else { 2 }];
                let t = Instant::now();
                assert_eq!(
                    login(&mut c, email, "not the password").await,
                    StatusCode::UNAUTHORIZED
                );
                spent.push(t.elapsed());
            }
            spent.sort();
            spent[2]
        }
    };
    let wrong_password = times("known@example.org").await;
    let unknown = times("nobody@example.org").await;
    let ratio = unknown.as_secs_f64() / wrong_password.as_secs_f64();
    // Both check an argon2 hash (milliseconds); without the dummy hash the
    // unknown e-mail would answer in a small fraction of that. The bounds
    // leave room for a busy two-core machine (a CI run measured 0.497).
    assert!(
        wrong_password > Duration::from_millis(2),
        "{wrong_password:?}"
    );
    assert!(
        (0.33..3.0).contains(&ratio),
        "unknown {unknown:?} vs wrong password {wrong_password:?}"
    );
}

#[tokio::test]
async fn invitations_open_one_account_once() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        let mut a = app.signed_up("First", "first@example.org").await;
        let (status, link) = a.call("auth/invite", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{link}");
        let path = link["path"].as_str().unwrap();
        let token = path.strip_prefix("/invite/").unwrap().to_string();
        assert_eq!(token.len(), 64);

        let mut guest = app.client();
        let (_, name) = guest
            .call("auth/invitation", json!({ "token": token }))
            .await;
        assert_eq!(name, "First");
        assert_eq!(
            guest.get(path).await.status,
            StatusCode::OK,
            "the invitation page is public"
        );
        let (status, me) = guest
            .call("auth/accept", json!({ "form": { "token": token, "email": "colleague@example.org", "password": PASSWORD } }))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {me}", app.name);
        assert_eq!(me["account_name"], "First");
        let (_, users) = guest.call("auth/users", json!({})).await;
        assert_eq!(users.as_array().unwrap().len(), 2);

        // Used once; a wrong token opens nothing.
        let (status, _) = app
            .client()
            .call("auth/accept", json!({ "form": { "token": token, "email": "third@example.org", "password": PASSWORD } }))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .client()
            .call("auth/invitation", json!({ "token": "0".repeat(64) }))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .client()
            .call(
                "auth/login",
                json!({ "form": { "email": "third@example.org", "password": PASSWORD } }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        app.finish().await;
    }
}

#[tokio::test]
async fn an_expired_session_opens_nothing() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        let mut a = app.signed_up("A", "a@example.org").await;
        assert_eq!(a.call("auth/me", json!({})).await.0, StatusCode::OK);
        app.state
            .store
            .connection()
            .execute_unprepared("UPDATE auth_session SET expires_at = 0")
            .await
            .unwrap();
        assert_eq!(
            a.call("auth/me", json!({})).await.0,
            StatusCode::UNAUTHORIZED,
            "{}",
            app.name
        );
        assert_eq!(app.state.store.delete_expired_sessions().await.unwrap(), 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_account_region_reads_numbers_of_that_country() {
    let _turn = TURN.lock().await;
    let app = TestApp::sqlite().await;
    let mut a = app.signed_up("A", "a@example.org").await;
    let french = contact("Jean", "06 12 34 56 78", "jean@example.fr", &[]);
    let (status, _) = a.call("contacts/create", french.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not a GB number");
    let (status, body) = a
        .call(
            "settings/update",
            json!({ "settings": { "account_name": "A", "default_region": "XX" } }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = a
        .call(
            "settings/update",
            json!({ "settings": { "account_name": "A SARL", "default_region": "fr" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = a.call("contacts/create", french).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["details"][0]["value"], "+33612345678");
    assert_eq!(
        a.call("auth/me", json!({})).await.1["account_name"],
        "A SARL"
    );
}

#[tokio::test]
async fn each_server_function_has_its_own_body_limit() {
    let _turn = TURN.lock().await;
    for app in TestApp::all().await {
        let mut a = app.signed_up("A", "a@example.org").await;
        // 100 KiB is too much for a contact, fine for a chunk of rows.
        let big_name = "x".repeat(100 * 1024);
        let (status, body) = a
            .call(
                "contacts/create",
                contact(&big_name, "07400 400001", "a1@example.org", &[]),
            )
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert!(
            body["TooLarge"]
                .as_str()
                .unwrap()
                .contains("64 KiB that contacts/create accepts"),
            "{body}"
        );
        let (_, started) = a
            .call(
                "imports/start",
                json!({ "start": { "file_name": "x.csv", "sheet": "", "format": "csv",
                "columns": columns(), "region": "GB", "group": "None", "total_rows": 1500 } }),
            )
            .await;
        let id = started["import_id"].as_i64().unwrap();
        let rows: Vec<Value> = (0..1500)
            .map(|i| json!({ "number": i + 2, "cells": [format!("Person number {i} of the chunk that is larger than a form"), format!("07400 5{i:05}")] }))
            .collect();
        let chunk = json!({ "chunk": { "import_id": id, "chunk_no": 0, "rows": rows } });
        assert!(chunk.to_string().len() > 100 * 1024);
        let (status, body) = a.call("imports/chunk", chunk).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["created"], 1500, "{body}");
        // Past the chunk's own limit, with or without a declared length.
        let huge = json!({ "chunk": { "import_id": id, "chunk_no": 1,
            "rows": [{ "number": 2, "cells": ["z".repeat(server::CHUNK_BODY_LIMIT), "07400 600001"] }] } })
        .to_string();
        let (status, body) = a.call_raw("imports/chunk", huge.clone()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        let stream = futures::stream::iter(
            huge.into_bytes()
                .chunks(64 * 1024)
                .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
                .collect::<Vec<_>>(),
        );
        let req = Request::post("/api/imports/chunk")
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(stream))
            .unwrap();
        let answer = a.send(req).await;
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            answer.text()
        );
        // Chunk numbers past the limit of chunks per import.
        let (status, body) = a
            .call("imports/chunk", json!({ "chunk": { "import_id": id, "chunk_no": app::import::wire::MAX_CHUNKS, "rows": [] } }))
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        let (_, page) = a.call("contacts/list", json!({ "query": {} })).await;
        assert_eq!(page["total"], 1500, "only the accepted chunk was applied");
        app.finish().await;
    }
}

#[tokio::test]
async fn responses_carry_the_security_headers() {
    let _turn = TURN.lock().await;
    let app = TestApp::sqlite().await;
    let mut a = app.signed_up("A", "a@example.org").await;
    for path in ["/login", "/contacts"] {
        let page = a.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let csp = page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {csp}"));
        assert!(nonce.len() >= 16, "{nonce}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let html = page.text();
        let scripts = html.matches("<script").count();
        let with_nonce = html.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(
            scripts > 0 && scripts == with_nonce,
            "{path}: {scripts} scripts, {with_nonce} with the nonce"
        );
        assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(page.headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
    }
    // Two renders, two nonces.
    let one = a.get("/login").await.headers[header::CONTENT_SECURITY_POLICY].clone();
    let two = a.get("/login").await.headers[header::CONTENT_SECURITY_POLICY].clone();
    assert_ne!(one, two);
    // Server functions and files get the policy without any inline script.
    let (status, _) = a.call("groups/list", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let req = Request::post("/api/groups/list")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let answer = a.send(req).await;
    let csp = answer.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        !csp.contains("nonce") && csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn names_that_look_like_html_are_text_in_pages() {
    let _turn = TURN.lock().await;
    let app = TestApp::sqlite().await;
    let mut a = app.signed_up("<b>Bold</b> & Co", "a@example.org").await;
    let (status, _) = a
        .call(
            "groups/create",
            json!({ "name": "<img src=x onerror=alert(1)>" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, c) = a
        .call(
            "contacts/create",
            contact(
                "<script>alert(1)</script>",
                "07400 700001",
                "x@example.org",
                &[],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    for path in [
        "/contacts",
        "/contacts/groups",
        &format!("/contacts/{}/edit", c["id"]),
    ] {
        let html = a.get(path).await.text();
        assert!(!html.contains("<script>alert(1)</script>"), "{path}");
        assert!(!html.contains("<img src=x"), "{path}");
        assert!(!html.contains("<b>Bold</b>"), "{path}");
    }
    let html = a.get("/contacts").await.text();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the name is shown as text"
    );
}
