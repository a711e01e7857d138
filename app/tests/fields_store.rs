//! Custom fields through the store, on real SQLite and PostgreSQL: create,
//! rename, delete (with how many contacts held a value), names unique per
//! account whatever their case, another account's fields out of reach; an
//! import that fills them (values checked by kind, changed values
//! reported), and the list filtered by one.

mod common;

use app::db::StoreError;
use app::import::fields::{FieldDef, FieldKind, FieldName};
use app::import::{auto_map, plan, ImportPlan, Region, Table};
use app::model::{ContactQuery, FieldFilter, RecipientsRequest};
use common::{databases, TestDb};

fn def(name: &str, kind: FieldKind, choices: &[&str]) -> FieldDef {
    FieldDef {
        name: FieldName::parse(name).unwrap(),
        kind,
        choices: choices.iter().map(|c| c.to_string()).collect(),
        id: None,
    }
}

/// The file's rows planned with the account's fields mapped by header.
async fn plan_with_fields(db: &TestDb, headers: &[&str], rows: &[&[&str]]) -> ImportPlan {
    let t = Table::literal(headers, rows);
    let mut m = auto_map(&t.headers, &t.rows, t.width, Region::default());
    let fields: Vec<FieldDef> = db
        .store
        .list_fields(db.account)
        .await
        .unwrap()
        .iter()
        .filter_map(|f| f.def())
        .collect();
    app::import::fields::map_to_fields(&mut m, &fields, &t.rows);
    plan(&t, &m, Region::default(), &[])
}

async fn filtered(db: &TestDb, field_id: i64, value: &str) -> Vec<String> {
    let q = ContactQuery {
        per_page: 100,
        field: Some(FieldFilter {
            field_id,
            value: value.into(),
        }),
        ..Default::default()
    };
    let page = db
        .store
        .list_contacts(db.account, Region::default(), &q)
        .await
        .unwrap();
    assert_eq!(page.total as usize, page.contacts.len(), "{}", db.name);
    let mut names: Vec<String> = page.contacts.into_iter().map(|c| c.first_name).collect();
    names.sort();
    names
}

#[tokio::test]
async fn fields_are_created_renamed_and_deleted_per_account() {
    for db in databases().await {
        let city = db
            .store
            .create_field(db.account, &def("City", FieldKind::Text, &[]))
            .await
            .unwrap();
        let plan = db
            .store
            .create_field(
                db.account,
                &def("Plan", FieldKind::Choice, &["Gold", "Silver"]),
            )
            .await
            .unwrap();
        assert_eq!(plan.choices, ["Gold", "Silver"]);
        // The same name in another case is taken.
        let again = db
            .store
            .create_field(db.account, &def("CITY", FieldKind::Number, &[]))
            .await;
        assert!(
            matches!(again, Err(StoreError::FieldNameTaken(_))),
            "{}",
            db.name
        );
        let renamed = db
            .store
            .rename_field(db.account, city.id, &FieldName::parse("Town").unwrap())
            .await
            .unwrap();
        assert_eq!(renamed.name, "Town");
        assert!(matches!(
            db.store
                .rename_field(db.account, city.id, &FieldName::parse("plan").unwrap())
                .await,
            Err(StoreError::FieldNameTaken(_))
        ));
        // A name freed by a rename can be taken again.
        db.store
            .create_field(db.account, &def("city", FieldKind::Text, &[]))
            .await
            .unwrap();
        let names: Vec<String> = db
            .store
            .list_fields(db.account)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, ["city", "Plan", "Town"], "{}", db.name);

        // Another account sees none of them and cannot touch them.
        let other = db
            .store
            .create_account("Other", Region::default())
            .await
            .unwrap();
        assert!(db.store.list_fields(other.id).await.unwrap().is_empty());
        for result in [
            db.store.field_holders(other.id, city.id).await.err(),
            db.store.delete_field(other.id, city.id).await.err(),
            db.store
                .rename_field(other.id, city.id, &FieldName::parse("Mine").unwrap())
                .await
                .err(),
        ] {
            assert!(
                matches!(result, Some(StoreError::NotFound(app::db::Missing::Field))),
                "{}: {result:?}",
                db.name
            );
        }
        // Its own field of the same name is its own.
        db.store
            .create_field(other.id, &def("Town", FieldKind::Text, &[]))
            .await
            .unwrap();
        assert_eq!(db.store.delete_field(db.account, city.id).await.unwrap(), 0);
        assert_eq!(db.store.list_fields(db.account).await.unwrap().len(), 2);
        assert_eq!(db.store.list_fields(other.id).await.unwrap().len(), 1);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn an_import_fills_fields_and_the_list_filters_by_one() {
    for db in databases().await {
        let city = db
            .store
            .create_field(db.account, &def("City", FieldKind::Text, &[]))
            .await
            .unwrap();
        let spend = db
            .store
            .create_field(db.account, &def("Spend", FieldKind::Number, &[]))
            .await
            .unwrap();
        let headers = &["First name", "Mobile", "city", "Spend", "Notes"];
        let p = plan_with_fields(
            &db,
            headers,
            &[
                &["Ada", "07400 000001", "Leeds", "12.50", "x"],
                &["Bob", "07400 000002", "LEEDS ", "abc", "y"],
                &["Cy", "07400 000003", "York", "", ""],
                &["Di", "07400 000004", "", "1,200", ""],
            ],
        )
        .await;
        // "abc" is not a number: a warning, and Bob is imported without it.
        assert_eq!(p.counts.values_ignored, 1, "{:?}", p.warnings);
        let s = db
            .store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(s.created, 4);
        assert_eq!(
            filtered(&db, city.id, "leeds").await,
            ["Ada", "Bob"],
            "{}",
            db.name
        );
        assert_eq!(filtered(&db, city.id, " York").await, ["Cy"]);
        assert!(filtered(&db, city.id, "Hull").await.is_empty());
        assert_eq!(filtered(&db, spend.id, "12.5").await, ["Ada"]);
        assert_eq!(filtered(&db, spend.id, "1200.00").await, ["Di"]);
        // A value the field cannot hold matches nobody.
        assert!(filtered(&db, spend.id, "abc").await.is_empty());
        // Another account's field id finds nothing here.
        let other = db
            .store
            .create_account("Other", Region::default())
            .await
            .unwrap();
        let theirs = db
            .store
            .create_field(other.id, &def("City", FieldKind::Text, &[]))
            .await
            .unwrap();
        assert!(filtered(&db, theirs.id, "Leeds").await.is_empty());

        // The recipients of a filtered list: counted row by row.
        let req = RecipientsRequest {
            filter: Some(ContactQuery {
                field: Some(FieldFilter {
                    field_id: city.id,
                    value: "Leeds".into(),
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let counts = db
            .store
            .recipients(db.account, Region::default(), &req)
            .await
            .unwrap()
            .counts
            .unwrap();
        assert_eq!(counts.selected, 2, "{}", db.name);

        // The same file again with other values: what changes is reported.
        let p = plan_with_fields(
            &db,
            headers,
            &[
                &["Ada", "07400 000001", "Leeds", "12.5", ""],
                &["Bob", "07400 000002", "Hull", "", ""],
            ],
        )
        .await;
        let s = db
            .store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(
            (s.created, s.updated, s.unchanged),
            (0, 1, 1),
            "{}",
            db.name
        );
        assert_eq!(filtered(&db, city.id, "leeds").await, ["Ada"]);
        assert_eq!(filtered(&db, city.id, "hull").await, ["Bob"]);
        // Values show on the contacts.
        let page = db
            .store
            .list_contacts(db.account, Region::default(), &ContactQuery::default())
            .await
            .unwrap();
        let ada = page
            .contacts
            .iter()
            .find(|c| c.first_name == "Ada")
            .unwrap();
        let values: Vec<(i64, &str)> = ada
            .fields
            .iter()
            .map(|v| (v.field_id, v.value.as_str()))
            .collect();
        assert_eq!(values, [(city.id, "Leeds"), (spend.id, "12.5")]);

        // A plan made before a rename still writes to its field (by id);
        // one made for a field deleted and made again under its name, not.
        let p = plan_with_fields(&db, headers, &[&["Ada", "07400 000001", "Bath", "", ""]]).await;
        db.store
            .rename_field(db.account, city.id, &FieldName::parse("Town").unwrap())
            .await
            .unwrap();
        db.store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(filtered(&db, city.id, "bath").await, ["Ada"], "{}", db.name);
        let p = plan_with_fields(&db, &["Mobile", "Spend"], &[&["07400 000001", "99"]]).await;
        db.store.delete_field(db.account, spend.id).await.unwrap();
        let again = db
            .store
            .create_field(db.account, &def("Spend", FieldKind::Text, &[]))
            .await
            .unwrap();
        let s = db
            .store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(s.unchanged, 1, "{}", db.name);
        assert!(filtered(&db, again.id, "99").await.is_empty());

        // Deleting a field says how many held a value and removes them.
        assert_eq!(
            db.store.field_holders(db.account, city.id).await.unwrap(),
            3
        );
        assert_eq!(db.store.delete_field(db.account, city.id).await.unwrap(), 3);
        let page = db
            .store
            .list_contacts(db.account, Region::default(), &ContactQuery::default())
            .await
            .unwrap();
        assert!(page
            .contacts
            .iter()
            .all(|c| c.fields.iter().all(|v| v.field_id != city.id)));
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn an_import_s_new_fields_are_created_when_it_starts() {
    for db in databases().await {
        db.store
            .create_field(db.account, &def("City", FieldKind::Text, &[]))
            .await
            .unwrap();
        let mut wanted = [
            // The account's field wins over the wizard's idea of its kind.
            def("city", FieldKind::Number, &[]),
            def("Birthday", FieldKind::Date, &[]),
        ];
        let created = db
            .store
            .resolve_fields(db.account, wanted.iter_mut().collect())
            .await
            .unwrap();
        assert_eq!(created, ["Birthday"]);
        assert_eq!(wanted[0].name.as_str(), "City");
        assert_eq!(wanted[0].kind, FieldKind::Text);
        let fields = db.store.list_fields(db.account).await.unwrap();
        assert_eq!(fields.len(), 2, "{}", db.name);
        db.drop_schema().await;
    }
}

/// A value most contacts hold is paged by walking the sort order (one
/// probe per contact read) rather than by gathering and sorting every
/// holder; both ways give the same pages and the same count.
#[tokio::test]
async fn a_common_value_pages_as_a_rare_one_does() {
    for db in databases().await {
        let city = db
            .store
            .create_field(db.account, &def("City", FieldKind::Text, &[]))
            .await
            .unwrap();
        let rows: Vec<Vec<String>> = (0..1_500)
            .map(|i| {
                vec![
                    format!("N{:04}", (i * 7) % 1_500),
                    format!("07400 {:06}", i),
                    if i % 15 < 11 { "Leeds" } else { "York" }.to_string(),
                ]
            })
            .collect();
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let p = plan_with_fields(&db, &["First name", "Mobile", "City"], &rows).await;
        db.store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        for (value, expected) in [("leeds", 1_100u64), ("YORK", 400)] {
            for sort in [app::model::SortOrder::Name, app::model::SortOrder::Updated] {
                let mut seen = Vec::new();
                for page in 1..=12 {
                    let q = ContactQuery {
                        per_page: 100,
                        page,
                        sort,
                        field: Some(FieldFilter {
                            field_id: city.id,
                            value: value.into(),
                        }),
                        ..Default::default()
                    };
                    let got = db
                        .store
                        .list_contacts(db.account, Region::default(), &q)
                        .await
                        .unwrap();
                    assert_eq!(got.total, expected, "{} {value} page {page}", db.name);
                    assert!(!got.more);
                    seen.extend(got.contacts.into_iter().map(|c| c.first_name));
                }
                assert_eq!(seen.len() as u64, expected, "{} {value}", db.name);
                if sort == app::model::SortOrder::Name {
                    let mut sorted = seen.clone();
                    sorted.sort();
                    assert_eq!(seen, sorted, "{} {value}: name order", db.name);
                }
                let mut unique = seen.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(unique.len(), seen.len(), "{} {value}: each once", db.name);
            }
        }
        db.drop_schema().await;
    }
}

/// Every custom value's copy of its contact's sort name, compared with the
/// contact's: `(contact id, value's copy, contact's)` where they differ.
async fn stale_sort_names(db: &TestDb) -> Vec<(i64, String, String)> {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = db.store.connection();
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        "SELECT v.contact_id, v.sort_name AS copy, c.sort_name AS name \
         FROM contact_field_value v JOIN contact c ON c.id = v.contact_id \
         WHERE v.sort_name <> c.sort_name",
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r.try_get::<i64>("", "contact_id").unwrap(),
            r.try_get::<String>("", "copy").unwrap(),
            r.try_get::<String>("", "name").unwrap(),
        )
    })
    .collect()
}

/// The list pages a value's holders in name order from the value index,
/// which carries each holder's sort name: the copy follows every write
/// that sets a value or renames its contact (an import creating and
/// updating, the form, a bulk action), and the page follows the names.
#[tokio::test]
async fn a_value_s_holders_page_in_name_order_after_every_kind_of_write() {
    use app::bulk::{BulkTarget, BulkWrite};
    use app::import::fields::FieldValue;
    use app::import::{validate_contact, ContactDraft, DetailDraft};
    for db in databases().await {
        let city = db
            .store
            .create_field(db.account, &def("City", FieldKind::Text, &[]))
            .await
            .unwrap();
        let page = |db: &TestDb| {
            let q = ContactQuery {
                per_page: 2,
                field: Some(FieldFilter {
                    field_id: city.id,
                    value: "leeds".into(),
                }),
                ..Default::default()
            };
            let (store, account) = (db.store.clone(), db.account);
            async move {
                let mut names = Vec::new();
                let mut total = 0;
                for page in 1..=3 {
                    let got = store
                        .list_contacts(
                            account,
                            Region::default(),
                            &ContactQuery { page, ..q.clone() },
                        )
                        .await
                        .unwrap();
                    total = got.total;
                    names.extend(got.contacts.into_iter().map(|c| c.first_name));
                }
                (names, total)
            }
        };
        // An import creates three holders and one of another city.
        let p = plan_with_fields(
            &db,
            &["First name", "Last name", "Mobile", "City"],
            &[
                &["Carol", "Smith", "07400 000001", "Leeds"],
                &["Alice", "Smith", "07400 000002", "Leeds"],
                &["Bob", "Smith", "07400 000003", "York"],
                &["Dan", "Smith", "07400 000004", "Leeds"],
            ],
        )
        .await;
        db.store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(stale_sort_names(&db).await, [], "{}: imported", db.name);
        assert_eq!(
            page(&db).await,
            (vec!["Alice".into(), "Carol".into(), "Dan".into()], 3)
        );

        // An import renames Dan Smith (matched by his number) to Aaron Smith.
        let p = plan_with_fields(
            &db,
            &["First name", "Last name", "Mobile", "City"],
            &[&["Aaron", "Smith", "07400 000004", "Leeds"]],
        )
        .await;
        db.store
            .import_contacts(db.account, &p.contacts, false)
            .await
            .unwrap();
        assert_eq!(
            stale_sort_names(&db).await,
            [],
            "{}: renamed by an import",
            db.name
        );
        assert_eq!(
            page(&db).await.0,
            ["Aaron", "Alice", "Carol"],
            "{}: renamed by an import",
            db.name
        );

        // The form renames Alice to Zoe, and gives Erin, new, Leeds.
        let all = db
            .store
            .list_contacts(db.account, Region::default(), &ContactQuery::default())
            .await
            .unwrap()
            .contacts;
        let id_of = |name: &str| all.iter().find(|c| c.first_name == name).unwrap().id;
        let form = |first: &str, phone: &str| {
            let mut c = validate_contact(
                &ContactDraft {
                    first_name: first.into(),
                    last_name: "Smith".into(),
                    phones: vec![DetailDraft::new(phone, "mobile")],
                    ..Default::default()
                },
                Region::default(),
            )
            .unwrap();
            c.fields = vec![(city.id, Some(FieldValue("Leeds".into())))];
            c
        };
        db.store
            .update_contact(db.account, id_of("Alice"), &form("Zoe", "07400 000002"))
            .await
            .unwrap();
        db.store
            .create_contact(db.account, &form("Erin", "07400 000005"))
            .await
            .unwrap();
        assert_eq!(stale_sort_names(&db).await, [], "{}: the form", db.name);
        assert_eq!(
            page(&db).await,
            (
                vec!["Aaron".into(), "Carol".into(), "Erin".into(), "Zoe".into()],
                4
            ),
            "{}: the form",
            db.name
        );

        // A bulk action moves Bob to Leeds.
        let target = BulkTarget::Picked(vec![id_of("Bob")]);
        let write = BulkWrite::SetField(city.id, Some(FieldValue("Leeds".into())));
        db.store
            .bulk_step_for(
                db.account,
                Region::default(),
                &target,
                &write,
                None,
                std::time::Duration::ZERO,
            )
            .await
            .unwrap();
        assert_eq!(
            stale_sort_names(&db).await,
            [],
            "{}: a bulk action",
            db.name
        );
        assert_eq!(
            page(&db).await,
            (
                ["Aaron", "Bob", "Carol", "Erin", "Zoe"]
                    .map(String::from)
                    .to_vec(),
                5
            ),
            "{}: a bulk action",
            db.name
        );
        db.drop_schema().await;
    }
}
