//! `contacts import` end to end: the real binary on files the tests write,
//! against a fresh SQLite database each time.

use std::path::{Path, PathBuf};
use std::process::Command;

use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

struct Run {
    status: i32,
    json: Value,
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "contacts-cli-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn import(db: &Path, file: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_contacts"))
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=rwc", db.display()))
        .arg("import")
        .arg(file)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let json: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {stdout:?}"));
    Run {
        status: out.status.code().unwrap_or(-1),
        json,
    }
}

fn fields(json: &Value) -> Vec<Value> {
    json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].clone())
        .collect()
}

#[test]
fn a_german_semicolon_csv_in_windows_1252_imports_with_its_numbers() {
    let d = dir();
    let file = d.join("kunden.csv");
    let text = "Vorname;Nachname;Handy;E-Mail;Gruppe\r\n\
                J\u{fc}rgen;M\u{fc}ller;+49 151 23456789;j@example.DE;Kunden\r\n\
                Eva;Schmidt;0152 12345678;;Kunden\r\n\
                Max;;;kein-at;\r\n";
    std::fs::write(&file, latin1(text)).unwrap();
    let r = import(&d.join("db.sqlite"), &file, &["--region", "DE"]);
    assert_eq!(r.status, 0);
    let j = &r.json;
    assert_eq!(j["format"], "csv");
    assert_eq!(j["encoding"], "windows-1252");
    assert_eq!(j["delimiter"], ";");
    assert_eq!(j["sheet"]["index"], 0);
    assert_eq!(j["sheet"]["name"], Value::Null);
    assert_eq!(j["header_row"], 1);
    assert_eq!(
        fields(j),
        vec!["first_name", "last_name", "phone", "email", "group"]
    );
    assert_eq!(j["counts"]["data_rows"], 3);
    assert_eq!(j["counts"]["valid"], 2);
    assert_eq!(j["counts"]["rejected"], 1);
    assert_eq!(j["counts"]["created"], 2);
    assert_eq!(j["rejected"][0]["row"], 4);
    assert_eq!(j["rejected"][0]["reasons"][0], "invalid_email");
    let first = &j["contacts"][0];
    assert_eq!(first["first_name"], "Jürgen");
    assert_eq!(first["phones"][0], "+4915123456789");
    assert_eq!(first["line_types"], serde_json::json!(["mobile"]));
    assert_eq!(first["emails"][0], "j@example.de");
    assert_eq!(first["groups"][0], "Kunden");
}

/// Windows-1252 bytes for the Latin-1 subset the test uses.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("latin-1 text"))
        .collect()
}

fn write_xlsx(path: &Path) {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "Nothing here but notes").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Contacts").unwrap();
    let title = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 3, "Customer list", &title).unwrap();
    for (c, h) in ["Name", "Mobile Phone", "E-mail Address", "Birthday"]
        .iter()
        .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    // A phone stored as a number lost its leading zero; another as a float.
    ws.write_string(3, 0, "Ada Lovelace").unwrap();
    ws.write_number(3, 1, 7400123456.0).unwrap();
    ws.write_string(3, 2, "ada@example.com").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_number_with_format(3, 3, 45000.0, &date).unwrap();
    ws.write_string(4, 0, "Bob Smith").unwrap();
    ws.write_number(4, 1, 4.47400654321E+11).unwrap();
    ws.write_formula(4, 2, "=\"bob\"&\"@example.com\"")
        .unwrap()
        .set_formula_result(4, 2, "bob@example.com");
    ws.write_string(6, 0, "No Details").unwrap();
    wb.save(path).unwrap();
}

#[test]
fn an_xlsx_with_a_title_a_notes_sheet_and_numeric_phones_imports() {
    let d = dir();
    let file = d.join("book.xlsx");
    write_xlsx(&file);
    let db = d.join("db.sqlite");
    let r = import(&db, &file, &["--group", "Imported"]);
    assert_eq!(r.status, 0, "{}", r.json);
    let j = &r.json;
    assert_eq!(j["format"], "xlsx");
    assert_eq!(j["sheet"]["index"], 1);
    assert_eq!(j["sheet"]["name"], "Contacts");
    assert_eq!(j["header_row"], 3);
    assert_eq!(fields(j), vec!["full_name", "phone", "email", "ignore"]);
    assert_eq!(j["counts"]["created"], 2);
    assert_eq!(j["rejected"][0]["row"], 7);
    assert_eq!(j["rejected"][0]["reasons"][0], "no_contact_detail");
    assert_eq!(j["contacts"][0]["phones"][0], "+447400123456");
    assert_eq!(j["contacts"][1]["phones"][0], "+447400654321");
    assert_eq!(j["contacts"][1]["emails"][0], "bob@example.com");
    assert_eq!(j["contacts"][1]["groups"][0], "Imported");

    // The same file again: nothing new; a dry run writes nothing either.
    let again = import(&db, &file, &[]);
    assert_eq!(again.json["counts"]["created"], 0);
    assert_eq!(again.json["counts"]["updated"], 0);
    let dry = import(&d.join("other.sqlite"), &file, &["--dry-run"]);
    assert_eq!(dry.json["counts"]["created"], 2);
    let after = import(&d.join("other.sqlite"), &file, &["--dry-run"]);
    assert_eq!(
        after.json["counts"]["created"], 2,
        "the dry run wrote nothing"
    );

    // The user can override the sheet and the header row.
    let forced = import(&db, &file, &["--sheet", "0", "--dry-run"]);
    assert_eq!(forced.json["sheet"]["name"], "Notes");
    let no_header = import(
        &db,
        &file,
        &["--sheet", "Contacts", "--header-row", "0", "--dry-run"],
    );
    assert_eq!(no_header.json["header_row"], Value::Null);
}

#[test]
fn the_error_file_lists_rejected_rows_and_maps_again_when_fixed() {
    let d = dir();
    let file = d.join("in.csv");
    std::fs::write(
        &file,
        "Name,Phone,Email\nAda,07400 123456,\nBob,=1+2,\nCy,+44 12,\n",
    )
    .unwrap();
    let errors = d.join("errors.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_contacts"))
        .arg("--database-url")
        .arg(format!(
            "sqlite://{}?mode=rwc",
            d.join("db.sqlite").display()
        ))
        .args([
            "import",
            file.to_str().unwrap(),
            "--errors",
            errors.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(&errors).unwrap();
    assert!(
        text.starts_with("\u{feff}Name,Phone,Email,Reason\r\n"),
        "{text}"
    );
    assert!(text.contains("Bob,'=1+2,,Row 3:"), "{text}");
    assert!(text.contains("Cy,'+44 12,,Row 4:"), "{text}");
    let again = import(&d.join("db2.sqlite"), &errors, &["--dry-run"]);
    assert_eq!(
        fields(&again.json),
        vec!["full_name", "phone", "email", "ignore"]
    );
    assert_eq!(again.json["rejected"].as_array().unwrap().len(), 2);
}

#[test]
fn unreadable_files_exit_2_with_a_typed_error() {
    let d = dir();
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "page.xls",
            b"<!DOCTYPE html><html><body>x</body></html>",
            "unsupported_format",
        ),
        ("empty.csv", b"", "empty"),
        ("broken.xlsx", b"PK\x03\x04garbage", "corrupt"),
    ];
    for (name, bytes, kind) in cases {
        let file = d.join(name);
        std::fs::write(&file, bytes).unwrap();
        let r = import(&d.join("db.sqlite"), &file, &[]);
        assert_eq!(r.status, 2, "{name}");
        assert_eq!(r.json["error"]["kind"], *kind, "{name}: {}", r.json);
        assert!(r.json["error"]["message"].as_str().unwrap().len() > 20);
    }
}

#[test]
fn a_google_contacts_export_maps_labels_and_groups() {
    let d = dir();
    let file = d.join("google.csv");
    std::fs::write(
        &file,
        "First Name,Middle Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name\n\
         Ada,,Lovelace,Friends ::: * myContacts,* Work,ada@example.com,Mobile,+44 7400 123456 ::: +44 7400 654321,Engines\n",
    )
    .unwrap();
    let r = import(&d.join("db.sqlite"), &file, &[]);
    assert_eq!(
        fields(&r.json),
        vec![
            "first_name",
            "ignore",
            "last_name",
            "group",
            "ignore",
            "email",
            "ignore",
            "phone",
            "company"
        ]
    );
    let c = &r.json["contacts"][0];
    assert_eq!(c["groups"], serde_json::json!(["Friends"]));
    assert_eq!(c["phones"].as_array().unwrap().len(), 2);
    assert_eq!(c["line_types"].as_array().unwrap().len(), 2);
    assert_eq!(c["company"], "Engines");
}

#[test]
fn with_several_accounts_the_import_names_its_account() {
    let d = dir();
    let db = d.join("db.sqlite");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (alpha, beta) = rt.block_on(async {
        let state = server::open_state(&url, app::import::Region::default())
            .await
            .unwrap();
        let region = app::import::Region::default();
        let alpha = state.store.create_account("Alpha", region).await.unwrap();
        let beta = state.store.create_account("Beta", region).await.unwrap();
        (alpha.id, beta.id)
    });
    let file = d.join("people.csv");
    std::fs::write(&file, "Name,Mobile\nAnn Lee,07400 123456\n").unwrap();

    let r = import(&db, &file, &[]);
    assert_eq!(r.status, 2, "{}", r.json);
    assert_eq!(r.json["error"]["kind"], "account");
    let message = r.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("--account") && message.contains("\"Beta\""),
        "{message}"
    );
    let r = import(&db, &file, &["--account", "Nobody"]);
    assert_eq!(r.status, 2);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("No account is named"));

    let r = import(&db, &file, &["--account", "Beta"]);
    assert_eq!(r.status, 0, "{}", r.json);
    assert_eq!(r.json["counts"]["created"], 1);
    let counts = rt.block_on(async {
        let state = server::open_state(&url, app::import::Region::default())
            .await
            .unwrap();
        let count = |id| {
            let store = state.store.clone();
            async move { store.account(id).await.unwrap().unwrap().contact_count }
        };
        (count(alpha).await, count(beta).await)
    });
    assert_eq!(counts, (0, 1), "the contact went into Beta only");
}

#[test]
fn consent_columns_and_options_set_sms_status_and_never_lift_an_opt_out() {
    let d = dir();
    let db = d.join("db.sqlite");
    let file = d.join("leads.csv");
    std::fs::write(
        &file,
        "Name,Mobile,Phone,SMS consent\n\
         Ada Lovelace,07400 000001,,STOP\n\
         Bob Jones,07400 000002,,oui\n\
         Cy Office,,020 7946 0018,\n",
    )
    .unwrap();
    let r = import(&db, &file, &[]);
    assert_eq!(r.status, 0);
    assert_eq!(
        fields(&r.json),
        vec!["full_name", "phone", "phone", "sms_consent"]
    );
    let statuses: Vec<&Value> = r.json["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["sms_status"])
        .collect();
    assert_eq!(statuses, vec!["opted_out", "opted_in", "not_recorded"]);
    let k = &r.json["counts"];
    assert_eq!(
        (&k["opted_in"], &k["opted_out"]),
        (&Value::from(1), &Value::from(1))
    );
    assert_eq!(k["kept_opted_out"], 0);
    // Cy has only a landline.
    assert_eq!(k["no_textable_number"], 1);
    assert_eq!(
        r.json["contacts"][2]["line_types"],
        serde_json::json!(["landline"])
    );

    // "They all agreed": Ada stays opted out, and the dry run says so.
    let again = d.join("again.csv");
    std::fs::write(&again, "Mobile\n07400 000001\n07400 000003\n").unwrap();
    let r = import(&db, &again, &["--consent", "--dry-run"]);
    let k = &r.json["counts"];
    assert_eq!(k["kept_opted_out"], 1);
    assert_eq!(k["opted_in"], 1);
    assert_eq!(r.json["contacts"][0]["sms_status"], "opted_out");
    assert_eq!(r.json["contacts"][1]["sms_status"], "opted_in");

    // An opt-out list: Bob opted out, a new number kept as opted out.
    let list = d.join("stop.csv");
    std::fs::write(&list, "Number\n+44 7400 000002\n07400 000009\n").unwrap();
    let r = import(&db, &list, &["--opt-out-list"]);
    assert_eq!(r.json["counts"]["opted_out"], 2);
    assert_eq!(r.json["counts"]["created"], 1);
    assert_eq!(r.json["contacts"][0]["sms_status"], "opted_out");
    assert_eq!(r.json["contacts"][1]["sms_status"], "opted_out");

    // The two options exclude each other.
    let out = Command::new(env!("CARGO_BIN_EXE_contacts"))
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=rwc", db.display()))
        .args(["import", "--consent", "--opt-out-list"])
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

/// A database for a CLI test: an SQLite file, or a fresh PostgreSQL
/// schema (dropped by [`drop_schema`]).
fn databases(d: &Path, name: &str) -> Vec<String> {
    let mut urls = vec![format!(
        "sqlite://{}?mode=rwc",
        d.join(format!("{name}.db")).display()
    )];
    let pg = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!(
        "cli_{name}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let made = Command::new("psql")
        .arg(&pg)
        .args(["-q", "-c", &format!("CREATE SCHEMA {schema}")])
        .output();
    match made {
        Ok(out) if out.status.success() => {
            urls.push(format!("{pg}?options=-c%20search_path%3D{schema}"));
        }
        other => {
            assert!(
                std::env::var("CI").is_err(),
                "PostgreSQL is needed under CI: {other:?}"
            );
            eprintln!("PostgreSQL not reachable: the export round trip runs on SQLite only");
        }
    }
    urls
}

fn drop_schema(url: &str) {
    if let Some((base, options)) = url.split_once("?options=-c%20search_path%3D") {
        let _ = Command::new("psql")
            .arg(base)
            .args([
                "-q",
                "-c",
                &format!("DROP SCHEMA IF EXISTS {options} CASCADE"),
            ])
            .output();
    }
}

fn contacts_cmd(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_contacts"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .output()
        .unwrap()
}

fn import_json(url: &str, file: &Path, args: &[&str]) -> Value {
    let mut all = vec!["import", file.to_str().unwrap(), "--json"];
    all.extend_from_slice(args);
    let out = contacts_cmd(url, &all);
    let stdout = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout:?} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// What a contact is, as the import reports it, whatever its rows.
fn people(json: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = json["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            serde_json::json!({
                "first_name": c["first_name"], "last_name": c["last_name"], "company": c["company"],
                "phones": c["phones"], "emails": c["emails"], "groups": c["groups"],
                "sms_status": c["sms_status"], "fields": c["fields"],
            })
        })
        .collect();
    out.sort_by_key(|v| v.to_string());
    out
}

#[test]
fn an_export_imported_into_a_new_account_gives_back_the_same_contacts() {
    let d = dir();
    let file = d.join("customers.csv");
    std::fs::write(
        &file,
        "First name,Last name,Company,Mobile,Work phone,Email,Group,SMS consent,City,Birthday,Spend,VIP\n\
         Ada,Lovelace,=Analytical,07400 100001,020 7946 0018,ada@example.com,Friends;VIP,yes,Leeds,13/02/1990,\"1,200.50\",yes\n\
         Bob,Smith,,07400 100002,,bob@example.com,Friends,STOP,York,25 Dec,-12,no\n\
         שרה,כהן,,07400 100003,,,לקוחות,,תל אביב,,,\n",
    )
    .unwrap();
    for (n, url) in databases(&d, "source").into_iter().enumerate() {
        let first = import_json(&url, &file, &["--create-fields", "--region", "GB"]);
        assert_eq!(first["counts"]["created"], 3, "{first}");
        for format in ["csv", "xlsx"] {
            let out = d.join(format!("export-{n}.{format}"));
            let run = contacts_cmd(
                &url,
                &[
                    "export",
                    "--format",
                    format,
                    "--output",
                    out.to_str().unwrap(),
                ],
            );
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            // A new account: another database of the same kind.
            let target = if url.starts_with("sqlite") {
                format!(
                    "sqlite://{}?mode=rwc",
                    d.join(format!("target-{format}.db")).display()
                )
            } else {
                databases(&d, "target").pop().unwrap()
            };
            let again = import_json(&target, &out, &["--create-fields", "--region", "GB"]);
            // Every column maps by itself (custom ones to new fields).
            assert!(
                again["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|c| c["field"].is_string()),
                "{}",
                again["columns"]
            );
            assert_eq!(again["counts"]["rejected"], 0, "{again}");
            assert_eq!(people(&again), people(&first), "{format} on {url}");
            drop_schema(&target);
        }
        // Only a group's contacts; a group that does not exist is an error.
        let run = contacts_cmd(&url, &["export", "--group", "vip"]);
        let text = String::from_utf8(run.stdout).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("Lovelace"));
        let run = contacts_cmd(&url, &["export", "--group", "nobody"]);
        assert_eq!(run.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&run.stderr).contains("no group"));
        // vCard: one card per contact.
        let run = contacts_cmd(&url, &["export", "--format", "vcf"]);
        let text = String::from_utf8(run.stdout).unwrap();
        assert_eq!(text.matches("BEGIN:VCARD").count(), 3, "{text}");
        drop_schema(&url);
    }
}
