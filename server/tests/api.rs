//! Server functions over HTTP against the real router (no socket: `oneshot`),
//! on a fresh in-memory SQLite with the real migrations, logged in.

#![recursion_limit = "256"]

mod common;

use app::import::wire::MAX_CHUNK_ROWS;
use app::import::{FieldPath, IssueKind, Region};
use app::model::{ContactPage, ContactView, GroupView};
use app::AppError;
use axum::http::{header, StatusCode};
use common::{Client, TestApp, TURN};
use serde_json::{json, Value};
use server::BODY_LIMIT;

/// A client logged into a new account on a fresh in-memory SQLite.
async fn app() -> Client {
    TestApp::sqlite()
        .await
        .signed_up("Analytical Engines", "ada@example.org")
        .await
}

async fn call(app: &Client, endpoint: &str, body: Value) -> (StatusCode, Value) {
    app.clone().call(endpoint, body).await
}

async fn call_raw(app: &Client, endpoint: &str, body: String) -> (StatusCode, Value) {
    app.clone().call_raw(endpoint, body).await
}

fn ada() -> Value {
    json!({ "contact": {
        "first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines",
        "phones": [{ "value": "07911 123456", "label": "mobile" }],
        "emails": [{ "value": "ada@Example.org", "label": "work" }],
        "group_ids": []
    }})
}

fn error(v: Value) -> AppError {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("not an AppError: {v} ({e})"))
}

#[tokio::test]
async fn create_then_list_and_search_over_http() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (status, body) = call(&app, "contacts/create", ada()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created: ContactView = serde_json::from_value(body).unwrap();
    assert_eq!(created.details[0].value, "+447911123456");
    assert_eq!(created.details[1].value, "ada@example.org");

    let (status, body) = call(
        &app,
        "contacts/list",
        json!({ "query": { "search": "+44 7911 123456" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: ContactPage = serde_json::from_value(body).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.contacts[0].id, created.id);

    let (status, body) = call(&app, "contacts/get", json!({ "id": created.id })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_value::<ContactView>(body).unwrap(),
        created
    );
}

#[tokio::test]
async fn the_server_validates_again_and_reports_fields() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (status, body) = call(
        &app,
        "contacts/create",
        json!({ "contact": { "first_name": "X", "last_name": "", "company": "",
            "phones": [{ "value": "+44 7700 900123", "label": "" }], "emails": [], "group_ids": [] } }),
    )
    .await;
    assert!(
        status.is_client_error() || status.is_server_error(),
        "{status}"
    );
    let AppError::Fields(issues) = error(body) else {
        panic!("expected field issues")
    };
    assert_eq!(issues[0].field, FieldPath::Phone(0));
    assert_eq!(
        issues[0].message,
        "+44 7700 900123 is not a valid mobile or landline for GB"
    );

    let (_, body) = call(
        &app,
        "contacts/create",
        json!({ "contact": { "first_name": "Nobody", "last_name": "",
        "company": "", "phones": [], "emails": [], "group_ids": [] } }),
    )
    .await;
    let AppError::Fields(issues) = error(body) else {
        panic!("expected field issues")
    };
    assert_eq!(issues[0].kind, IssueKind::NoContactDetail);
    let (_, body) = call(&app, "contacts/list", json!({ "query": {} })).await;
    assert_eq!(
        serde_json::from_value::<ContactPage>(body).unwrap().total,
        0
    );
}

#[tokio::test]
async fn a_duplicate_detail_names_the_contact_that_has_it() {
    let _turn = TURN.lock().await;
    let app = app().await;
    call(&app, "contacts/create", ada()).await;
    let (_, body) = call(&app, "contacts/create", json!({ "contact": { "first_name": "Imposter", "last_name": "",
        "company": "", "phones": [], "emails": [{ "value": "ADA@example.org", "label": "" }], "group_ids": [] } })).await;
    let AppError::Fields(issues) = error(body) else {
        panic!("expected field issues")
    };
    assert!(
        matches!(&issues[0].kind, IssueKind::Taken { contact_name, .. } if contact_name == "Ada Lovelace")
    );
}

#[tokio::test]
async fn groups_over_http() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (status, body) = call(&app, "groups/create", json!({ "name": "Customers" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let group: GroupView = serde_json::from_value(body).unwrap();
    let (status, body) = call(&app, "groups/create", json!({ "name": "customers" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(matches!(error(body), AppError::Conflict(_)));

    let mut contact = ada();
    contact["contact"]["group_ids"] = json!([group.id]);
    let (status, _) = call(&app, "contacts/create", contact).await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = call(&app, "groups/list", json!({})).await;
    let groups: Vec<GroupView> = serde_json::from_value(body).unwrap();
    assert_eq!(groups[0].member_count, 1);

    let (status, _) = call(
        &app,
        "groups/rename",
        json!({ "id": group.id, "name": "Clients" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, "groups/delete", json!({ "id": group.id })).await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = call(&app, "groups/delete", json!({ "id": group.id })).await;
    assert!(matches!(error(body), AppError::NotFound(_)));
    let (_, body) = call(
        &app,
        "contacts/list",
        json!({ "query": { "group": { "kind": "none" } } }),
    )
    .await;
    assert_eq!(
        serde_json::from_value::<ContactPage>(body).unwrap().total,
        1,
        "the contact stays, floating"
    );
}

#[tokio::test]
async fn delete_and_not_found() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (_, body) = call(&app, "contacts/create", ada()).await;
    let id = serde_json::from_value::<ContactView>(body).unwrap().id;
    let (status, _) = call(&app, "contacts/delete", json!({ "id": id })).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(&app, "contacts/get", json!({ "id": id })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(matches!(error(body), AppError::NotFound(_)));
}

#[tokio::test]
async fn malformed_and_oversized_requests_get_clear_errors() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (status, body) = call_raw(&app, "contacts/create", "{ not json".into()).await;
    assert!(!status.is_success());
    assert!(matches!(error(body), AppError::Invalid(_)));

    let huge = json!({ "contact": { "first_name": "x".repeat(BODY_LIMIT), "last_name": "", "company": "",
        "phones": [], "emails": [], "group_ids": [] } });
    let (status, body) = call(&app, "contacts/create", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        matches!(error(body), AppError::TooLarge(m) if m.contains("64 KiB") && m.contains("contacts/create"))
    );
    let (_, body) = call(&app, "contacts/list", json!({ "query": {} })).await;
    assert_eq!(
        serde_json::from_value::<ContactPage>(body).unwrap().total,
        0
    );

    let (_, body) = call(
        &app,
        "contacts/list",
        json!({ "query": { "search": "y".repeat(500) } }),
    )
    .await;
    assert!(matches!(error(body), AppError::Invalid(_)));
}

#[tokio::test]
async fn pages_render_on_the_server() {
    let _turn = TURN.lock().await;
    let app = app().await;
    call(&app, "contacts/create", ada()).await;
    for path in [
        "/contacts",
        "/contacts/new",
        "/contacts/groups",
        "/contacts/import",
        "/messages",
    ] {
        let res = app.clone().get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        let html = res.text();
        assert!(html.contains("Contacts"), "{path}");
        if path == "/contacts" {
            assert!(html.contains("Ada Lovelace"), "the list is server-rendered");
        }
    }
}

#[tokio::test]
async fn the_example_files_download_and_read_back() {
    let _turn = TURN.lock().await;
    let app = app().await;
    for (path, kind, rows) in [
        ("/import/example.xlsx", "spreadsheetml", 3),
        ("/import/example.csv", "text/csv", 3),
        // What the reading worker warms up on (it has no xlsx writer).
        ("/import/warm-up.xlsx", "spreadsheetml", 3000),
    ] {
        let res = app.clone().get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        let ct = res.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(ct.contains(kind), "{ct}");
        let bytes = res.body;
        let mut book = app::import::read::open(bytes, path).unwrap();
        let chosen = app::import::choose_sheet(
            &mut book,
            None,
            app::import::HeaderChoice::Auto,
            Region::default(),
        )
        .unwrap();
        let p = app::import::plan(&chosen.table, &chosen.mapping, Region::default(), &[]);
        assert_eq!((p.contacts.len(), p.rejected.len()), (rows, 0), "{path}");
        assert_eq!(chosen.mapping.unassigned().count(), 0);
    }
}

fn columns() -> Value {
    json!([
        { "header": "Name", "field": "full_name", "label": "", "label_column": null },
        { "header": "Mobile", "field": "phone", "label": "mobile", "label_column": null }
    ])
}

#[tokio::test]
async fn an_import_over_http_validates_again_applies_each_chunk_once_and_is_listed() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (status, body) = call(
        &app,
        "imports/start",
        json!({ "start": {
            "file_name": "people.xlsx", "sheet": "Sheet1", "format": "xlsx",
            "columns": columns(), "region": "GB", "group": { "New": "Imported" }, "total_rows": 3
        }}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["import_id"].as_i64().unwrap();
    assert!(body["group_id"].as_i64().is_some());

    // The browser claims every row is fine; the server checks again.
    let chunk = json!({ "chunk": { "import_id": id, "chunk_no": 0, "rows": [
        { "number": 2, "cells": ["Ann Lee", "07400 123456"] },
        { "number": 3, "cells": ["Bob Ray", "12"] },
        { "number": 4, "cells": ["<script>alert(1)</script>", "07400 123457", "extra cell"] }
    ]}});
    let (status, body) = call(&app, "imports/chunk", chunk.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2);
    assert_eq!(body["rejected"][0]["row"], 3);
    assert_eq!(body["replayed"], false);
    let (_, again) = call(&app, "imports/chunk", chunk).await;
    assert_eq!(
        (again["created"].clone(), again["replayed"].clone()),
        (json!(2), json!(true))
    );

    let (status, page) = call(&app, "contacts/list", json!({ "query": {} })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 2, "{page}");
    assert_eq!(page["contacts"][0]["groups"][0]["name"], "Imported");

    let (status, view) = call(
        &app,
        "imports/finish",
        json!({ "finish": { "import_id": id, "rejected_in_browser": 0, "dropped_in_browser": 0 } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        (view["created"].clone(), view["rejected"].clone()),
        (json!(2), json!(1))
    );
    let (_, list) = call(&app, "imports/list", json!({})).await;
    assert_eq!(list[0]["file_name"], "people.xlsx");
    assert_eq!(list[0]["status"], "done");

    // A finished import takes no more chunks.
    let late = json!({ "chunk": { "import_id": id, "chunk_no": 1, "rows": [] } });
    let (status, body) = call(&app, "imports/chunk", late).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn import_chunks_have_limits_with_clear_errors() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (_, body) = call(
        &app,
        "imports/start",
        json!({ "start": {
            "file_name": "x.csv", "sheet": "", "format": "csv",
            "columns": columns(), "region": "GB", "group": "None", "total_rows": 1
        }}),
    )
    .await;
    let id = body["import_id"].as_i64().unwrap();

    let rows: Vec<Value> = (0..MAX_CHUNK_ROWS + 1)
        .map(|i| json!({ "number": i + 2, "cells": ["A", "07400 123456"] }))
        .collect();
    let (status, body) = call(
        &app,
        "imports/chunk",
        json!({ "chunk": { "import_id": id, "chunk_no": 0, "rows": rows } }),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        matches!(error(body), AppError::TooLarge(m) if m.contains(&format!("{MAX_CHUNK_ROWS} rows")))
    );

    let long = "x".repeat(5_000);
    let (status, body) = call(
        &app,
        "imports/chunk",
        json!({ "chunk": { "import_id": id, "chunk_no": 0, "rows": [{ "number": 7, "cells": [long, "07400 123456"] }] } }),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(matches!(error(body), AppError::TooLarge(m) if m.contains("Row 7")));

    let (status, body) = call(
        &app,
        "imports/chunk",
        json!({ "chunk": { "import_id": id + 99, "chunk_no": 0, "rows": [] } }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let (status, body) = call(
        &app,
        "imports/start",
        json!({ "start": {
            "file_name": "x.csv", "sheet": "", "format": "csv",
            "columns": [{ "header": "Name", "field": "full_name", "label": "", "label_column": null }],
            "region": "GB", "group": "None", "total_rows": 1
        }}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn the_audience_resolves_and_downloads_as_csv_and_xlsx_with_names_made_inert() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (_, group) = call(&app, "groups/create", json!({ "name": "Customers" })).await;
    let gid = group["id"].as_i64().unwrap();
    for (first, phone, status) in [
        ("=HYPERLINK(\"x\")", "07911 123451", "not_recorded"),
        ("Bob", "020 7946 0018", "not_recorded"),
        ("Cy", "07911 123453", "opted_out"),
        ("Dee", "07911 123454", "opted_in"),
    ] {
        let (s, v) = call(
            &app,
            "contacts/create",
            json!({ "contact": {
                "first_name": first, "last_name": "", "company": "",
                "phones": [{ "value": phone, "label": "mobile" }], "emails": [],
                "group_ids": [gid], "sms_status": status
            }}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let request = json!({ "group_ids": [gid], "limit": 10 });
    let (s, page) = call(&app, "recipients/resolve", json!({ "request": request })).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["counts"]["selected"], 4);
    assert_eq!(page["counts"]["textable"], 2);
    assert_eq!(page["recipients"].as_array().unwrap().len(), 2);

    let url = |format: &str| {
        let json: String =
            form_urlencoded::byte_serialize(request.to_string().as_bytes()).collect();
        format!("/api/recipients/download?format={format}&request={json}")
    };
    let csv = app.clone().get(&url("csv")).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    assert!(csv.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("recipients-"));
    assert_eq!(
        csv.text(),
        "\u{feff}Name,Number\r\n\"'=HYPERLINK(\"\"x\"\")\",+447911123451\r\nDee,+447911123454\r\n"
    );
    let xlsx = app.clone().get(&url("xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book = app::import::read::open(xlsx.body, "recipients.xlsx").unwrap();
    let chosen = app::import::choose_sheet(
        &mut book,
        None,
        app::import::HeaderChoice::Auto,
        Region::default(),
    )
    .unwrap();
    assert_eq!(chosen.table.rows.len(), 2);
    assert_eq!(chosen.table.rows[1].cell(1), "+447911123454");
    // Without a session: refused; another account's group: not found.
    assert_eq!(
        app.anonymous().get(&url("csv")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut other = app.anonymous();
    let (s, v) = other
        .call(
            "auth/signup",
            json!({ "form": { "account_name": "Other", "email": "other@example.org",
                              "password": "long enough password" } }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(other.get(&url("csv")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_list_exports_what_it_shows_and_only_to_its_account() {
    let _turn = TURN.lock().await;
    let app = app().await;
    let (_, group) = call(&app, "groups/create", json!({ "name": "Export me" })).await;
    let gid = group["id"].as_i64().unwrap();
    let (s, field) = call(
        &app,
        "fields/create",
        json!({ "name": "City", "kind": "text", "choices": [] }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{field}");
    let fid = field["id"].as_i64().unwrap();
    for (first, phone, groups, city) in [
        ("=cmd", "07911 223451", vec![gid], "Leeds"),
        ("Eve", "07911 223452", vec![], "York"),
    ] {
        let (s, v) = call(
            &app,
            "contacts/create",
            json!({ "contact": {
                "first_name": first, "last_name": "Exported", "company": "",
                "phones": [{ "value": phone, "label": "mobile" }], "emails": [],
                "group_ids": groups, "sms_status": "opted_in",
                "fields": [{ "field_id": fid, "value": city }]
            }}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    // The group's contacts, as the list's address filters them.
    let csv = app
        .clone()
        .get(&format!("/api/contacts/export?format=csv&group={gid}"))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    let text = csv.text();
    assert!(
        text.starts_with("\u{feff}First name,Last name,Company,Phone 1 - Label,Phone 1 - Value"),
        "{text}"
    );
    assert!(
        text.contains("'=cmd,Exported,,mobile,+447911223451"),
        "{text}"
    );
    assert!(text.contains(",Export me,yes,"), "{text}");
    assert!(text.trim_end().ends_with(",Leeds"), "{text}");
    assert!(!text.contains("Eve"), "{text}");
    // By a custom field's value (case aside), as a vCard.
    let vcf = app
        .clone()
        .get(&format!(
            "/api/contacts/export?format=vcf&field={fid}%3Ayork"
        ))
        .await;
    assert_eq!(vcf.status, StatusCode::OK);
    let cards = vcf.text();
    assert_eq!(cards.matches("BEGIN:VCARD").count(), 1, "{cards}");
    assert!(cards.contains("X-CITY:York"), "{cards}");
    // Everything, as an xlsx our reader reads back.
    let xlsx = app.clone().get("/api/contacts/export?format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book = app::import::read::open(xlsx.body, "contacts.xlsx").unwrap();
    let chosen = app::import::choose_sheet(
        &mut book,
        None,
        app::import::HeaderChoice::Auto,
        Region::default(),
    )
    .unwrap();
    assert!(chosen.table.rows.len() >= 2);
    // Without a session: refused; another account sees none of these.
    let url = "/api/contacts/export?format=csv";
    assert_eq!(
        app.anonymous().get(url).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut other = app.anonymous();
    let (s, v) = other
        .call(
            "auth/signup",
            json!({ "form": { "account_name": "Other export", "email": "other.export@example.org",
                              "password": "long enough password" } }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let theirs = other.get(url).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.text().contains("Exported"), "{}", theirs.text());
}
