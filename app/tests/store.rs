//! Store tests on real databases with the real migrations (see `common`).

mod common;

use app::db::StoreError;
use app::import::{
    validate_contact, ContactDraft, DetailDraft, FieldPath, IssueKind, Region, ValidContact,
};
use app::model::{ContactQuery, GroupFilter, SortOrder};
use common::{databases, TestDb};

fn contact(first: &str, last: &str, phones: &[&str], emails: &[&str]) -> ValidContact {
    let draft = ContactDraft {
        first_name: first.into(),
        last_name: last.into(),
        phones: phones
            .iter()
            .map(|p| DetailDraft::new(p, "mobile"))
            .collect(),
        emails: emails.iter().map(|e| DetailDraft::new(e, "")).collect(),
        ..Default::default()
    };
    validate_contact(&draft, Region::default()).expect("valid test contact")
}

fn in_groups(mut c: ValidContact, ids: &[i64]) -> ValidContact {
    c.group_ids = ids.to_vec();
    c
}

async fn names(db: &TestDb, q: ContactQuery) -> Vec<String> {
    let page = db
        .store
        .list_contacts(db.account, Region::default(), &q)
        .await
        .unwrap();
    page.contacts.iter().map(|c| c.display_name()).collect()
}

async fn total(db: &TestDb, q: ContactQuery) -> u64 {
    db.store
        .list_contacts(db.account, Region::default(), &q)
        .await
        .unwrap()
        .total
}

fn search(s: &str) -> ContactQuery {
    ContactQuery {
        search: s.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn created_contacts_are_stored_normalised_and_listed() {
    for db in databases().await {
        let c = db
            .store
            .create_contact(
                db.account,
                &contact("Ada", "Lovelace", &["07911 123123"], &["Ada@Example.COM"]),
            )
            .await
            .unwrap();
        assert_eq!(c.details.len(), 2, "{}", db.name);
        assert_eq!(c.details[0].value, "+447911123123");
        assert!(c.details[0].is_primary);
        assert_eq!(c.details[1].value, "Ada@example.com");
        let fetched = db
            .store
            .get_contact(db.account, c.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(fetched, c);
        assert_eq!(
            names(&db, ContactQuery::default()).await,
            vec!["Ada Lovelace"]
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn the_store_refuses_a_contact_without_details() {
    for db in databases().await {
        let mut c = contact("No", "Detail", &["07911 123123"], &[]);
        c.details.clear();
        let err = db.store.create_contact(db.account, &c).await.unwrap_err();
        let StoreError::ContactRefused(issues) = err else {
            panic!("{}: expected field issues", db.name)
        };
        assert_eq!(issues[0].kind, IssueKind::NoContactDetail);
        assert_eq!(
            names(&db, ContactQuery::default()).await,
            Vec::<String>::new()
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn a_detail_belongs_to_one_contact_and_the_error_names_the_owner() {
    for db in databases().await {
        db.store
            .create_contact(
                db.account,
                &contact("Ada", "Lovelace", &["07911 123123"], &[]),
            )
            .await
            .unwrap();
        let err = db
            .store
            .create_contact(
                db.account,
                &contact("Bob", "", &["+44 7911 123124", "+447911123123"], &[]),
            )
            .await
            .unwrap_err();
        let StoreError::ContactRefused(issues) = err else {
            panic!("{}: expected field issues", db.name)
        };
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, FieldPath::Phone(1));
        assert!(
            matches!(&issues[0].kind, IssueKind::Taken { contact_name, .. } if contact_name == "Ada Lovelace")
        );
        assert!(
            issues[0]
                .message
                .contains("already belongs to Ada Lovelace"),
            "{}",
            issues[0].message
        );
        // Nothing of Bob was written.
        assert_eq!(
            names(&db, ContactQuery::default()).await,
            vec!["Ada Lovelace"]
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn updates_replace_details_and_keep_their_own() {
    for db in databases().await {
        let ada = db
            .store
            .create_contact(db.account, &contact("Ada", "L", &["07911 123123"], &[]))
            .await
            .unwrap();
        let bob = db
            .store
            .create_contact(db.account, &contact("Bob", "B", &["07911 123200"], &[]))
            .await
            .unwrap();
        let updated = db
            .store
            .update_contact(
                db.account,
                ada.id,
                &contact("Ada", "Lovelace", &["07911 123123"], &["ada@example.com"]),
            )
            .await
            .unwrap();
        assert_eq!(updated.last_name, "Lovelace");
        assert_eq!(updated.details.len(), 2);
        let err = db
            .store
            .update_contact(
                db.account,
                ada.id,
                &contact("Ada", "L", &["07911 123200"], &[]),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::ContactRefused(ref i) if matches!(&i[0].kind, IssueKind::Taken { contact_id, .. } if *contact_id == bob.id))
        );
        // The failed update changed nothing.
        assert_eq!(
            db.store
                .get_contact(db.account, ada.id)
                .await
                .unwrap()
                .unwrap(),
            updated
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn deleting_a_contact_frees_its_details() {
    for db in databases().await {
        let ada = db
            .store
            .create_contact(db.account, &contact("Ada", "L", &["07911 123123"], &[]))
            .await
            .unwrap();
        db.store.delete_contact(db.account, ada.id).await.unwrap();
        assert!(db
            .store
            .get_contact(db.account, ada.id)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            db.store.delete_contact(db.account, ada.id).await,
            Err(StoreError::NotFound(_))
        ));
        db.store
            .create_contact(db.account, &contact("Eve", "", &["07911 123123"], &[]))
            .await
            .unwrap();
        db.drop_schema().await;
    }
}

/// The newest migration goes down and up again with the data in place, and
/// the store works on the schema it leaves.
#[tokio::test]
async fn the_newest_migration_goes_down_and_up_again() {
    use app::db::migration::Migrator;
    use sea_orm_migration::MigratorTrait;
    for db in databases().await {
        let ada = db
            .store
            .create_contact(db.account, &contact("Ada", "L", &["07911 123123"], &[]))
            .await
            .unwrap();
        Migrator::down(db.store.connection(), Some(1))
            .await
            .unwrap();
        // The older schema changes meanwhile (this code reads the newer one).
        use sea_orm::ConnectionTrait;
        for table in ["contact_detail WHERE contact_id", "contact WHERE id"] {
            db.store
                .connection()
                .execute_unprepared(&format!("DELETE FROM {table} = {}", ada.id))
                .await
                .unwrap();
        }
        Migrator::up(db.store.connection(), None).await.unwrap();
        let eve = db
            .store
            .create_contact(db.account, &contact("Eve", "", &["07911 123123"], &[]))
            .await
            .unwrap();
        db.store.delete_contact(db.account, eve.id).await.unwrap();
        assert!(Migrator::get_pending_migrations(db.store.connection())
            .await
            .unwrap()
            .is_empty());
        db.drop_schema().await;
    }
}

/// Every phone has its line type, from the form, and for the phones stored
/// before line types by the migration that added them.
#[tokio::test]
async fn phones_carry_their_line_type_and_older_ones_get_it_by_migration() {
    use app::db::migration::Migrator;
    use app::import::LineType;
    use sea_orm::ConnectionTrait;
    use sea_orm_migration::MigratorTrait;
    for db in databases().await {
        let c = contact(
            "Ada",
            "L",
            &["020 7946 0018", "07911 123123", "0800 123 4567"],
            &["ada@example.org"],
        );
        let ada = db.store.create_contact(db.account, &c).await.unwrap();
        let lines =
            |v: &app::model::ContactView| v.details.iter().map(|d| d.line).collect::<Vec<_>>();
        let expected = vec![
            Some(LineType::Landline),
            Some(LineType::Mobile),
            Some(LineType::TollFree),
            None,
        ];
        assert_eq!(lines(&ada), expected, "{}", db.name);
        // Stored before line types: the migration classifies them.
        let conn = db.store.connection();
        Migrator::down(conn, Some(1)).await.unwrap();
        Migrator::up(conn, None).await.unwrap();
        let stored: Vec<String> = conn
            .query_all_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                "SELECT line_type FROM contact_detail ORDER BY kind DESC, position",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "line_type").unwrap())
            .collect();
        assert_eq!(
            stored,
            ["landline", "mobile", "toll_free", ""],
            "{}",
            db.name
        );
        let again = db
            .store
            .get_contact(db.account, ada.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(lines(&again), expected, "{}", db.name);
        db.drop_schema().await;
    }
}

/// A count that an unchecked `imports/finish` once pushed past 2^63 was
/// stored by SQLite as a REAL, and the history failed to read for good,
/// even after a restart. The migration that caps the browser's counts
/// repairs such rows; the history reads again.
#[tokio::test]
async fn an_import_count_stored_as_real_is_repaired_and_the_history_reads_again() {
    use app::db::migration::Migrator;
    use sea_orm::ConnectionTrait;
    use sea_orm_migration::MigratorTrait;
    for db in databases().await {
        if db.name != "sqlite" {
            db.drop_schema().await;
            continue;
        }
        let conn = db.store.connection();
        // Down to before the migration that repairs them (the tenth): every
        // later migration's `down` runs on the way.
        let later = Migrator::migrations().len() - 9;
        Migrator::down(conn, Some(later as u32)).await.unwrap();
        conn.execute_unprepared(&format!(
            "INSERT INTO import_batch (account_id, file_name, sheet, format, mapping, region, \
             group_id, group_name, total_rows, status, chunks, created, updated, unchanged, \
             rejected, details_dropped, started_at) VALUES ({}, 'f.csv', '', 'csv', '[]', 'GB', \
             NULL, '', 3, 'done', 0, 1, 0, 0, 1.8446744073709552e19, -1.5, '2026-12-01T00:00:00Z')",
            db.account
        ))
        .await
        .unwrap();
        assert!(
            db.store.list_imports(db.account, 20).await.is_err(),
            "a REAL breaks the read"
        );
        Migrator::up(conn, None).await.unwrap();
        let history = db.store.list_imports(db.account, 20).await.unwrap();
        assert_eq!(
            (
                history[0].rejected,
                history[0].details_dropped,
                history[0].created
            ),
            (i64::MAX as u64, 0, 1)
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn groups_hold_members_filter_the_list_and_leave_contacts_when_deleted() {
    for db in databases().await {
        let vip = db
            .store
            .create_group(db.account, &group_name("  VIP   customers "))
            .await
            .unwrap();
        assert_eq!(vip.name, "VIP customers");
        let staff = db
            .store
            .create_group(db.account, &group_name("Staff"))
            .await
            .unwrap();
        assert!(matches!(
            db.store
                .create_group(db.account, &group_name("vip CUSTOMERS"))
                .await,
            Err(StoreError::GroupNameTaken(_))
        ));

        db.store
            .create_contact(
                db.account,
                &in_groups(
                    contact("Ada", "", &["07911 123001"], &[]),
                    &[vip.id, staff.id],
                ),
            )
            .await
            .unwrap();
        db.store
            .create_contact(
                db.account,
                &in_groups(contact("Bob", "", &["07911 123002"], &[]), &[vip.id]),
            )
            .await
            .unwrap();
        db.store
            .create_contact(db.account, &contact("Cy", "", &["07911 123003"], &[]))
            .await
            .unwrap();

        let counts: Vec<(String, u64)> = db
            .store
            .list_groups(db.account)
            .await
            .unwrap()
            .into_iter()
            .map(|g| (g.name, g.member_count))
            .collect();
        assert_eq!(
            counts,
            vec![("Staff".to_string(), 1), ("VIP customers".to_string(), 2)]
        );

        let by_group = |g| ContactQuery {
            group: g,
            ..Default::default()
        };
        assert_eq!(
            names(&db, by_group(GroupFilter::Group(vip.id))).await,
            vec!["Ada", "Bob"]
        );
        assert_eq!(names(&db, by_group(GroupFilter::None)).await, vec!["Cy"]);
        // Totals come from the memberships (Ada is in two groups: once).
        assert_eq!(total(&db, by_group(GroupFilter::Group(vip.id))).await, 2);
        assert_eq!(total(&db, by_group(GroupFilter::Group(staff.id))).await, 1);
        assert_eq!(total(&db, by_group(GroupFilter::None)).await, 1);
        let page = db
            .store
            .list_contacts(db.account, Region::default(), &ContactQuery::default())
            .await
            .unwrap();
        let ada_groups: Vec<&str> = page.contacts[0]
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(ada_groups, vec!["Staff", "VIP customers"]);

        db.store
            .rename_group(db.account, staff.id, &group_name("Team"))
            .await
            .unwrap();
        assert!(matches!(
            db.store
                .rename_group(db.account, staff.id, &group_name("VIP Customers"))
                .await,
            Err(StoreError::GroupNameTaken(_))
        ));
        db.store.delete_group(db.account, vip.id).await.unwrap();
        assert_eq!(
            names(&db, ContactQuery::default()).await,
            vec!["Ada", "Bob", "Cy"]
        );
        assert_eq!(
            names(&db, by_group(GroupFilter::None)).await,
            vec!["Bob", "Cy"]
        );
        assert_eq!(total(&db, by_group(GroupFilter::None)).await, 2);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn search_finds_names_emails_and_phones_in_any_notation() {
    for db in databases().await {
        db.store
            .create_contact(
                db.account,
                &contact(
                    "Ada",
                    "Lovelace",
                    &["07911 123123"],
                    &["ada@analytical.org"],
                ),
            )
            .await
            .unwrap();
        db.store
            .create_contact(
                db.account,
                &contact("Bob", "100%", &["+33 6 12 34 56 78"], &["bob@Example.com"]),
            )
            .await
            .unwrap();
        for (q, expected) in [
            ("love", vec!["Ada Lovelace"]),
            ("LOVELACE", vec!["Ada Lovelace"]),
            ("analytical", vec!["Ada Lovelace"]),
            ("07911 123123", vec!["Ada Lovelace"]),
            ("+44 7911 123123", vec!["Ada Lovelace"]),
            ("911 123", vec!["Ada Lovelace"]),
            ("06 12 34", vec!["Bob 100%"]),
            ("BOB@example", vec!["Bob 100%"]),
            ("100%", vec!["Bob 100%"]),
            // Too few digits for a phone number: names are searched instead.
            ("10", vec!["Bob 100%"]),
            ("%", vec!["Bob 100%"]),
            ("nobody", vec![]),
        ] {
            assert_eq!(
                names(&db, search(q)).await,
                expected,
                "{}: search {q:?}",
                db.name
            );
        }
        db.drop_schema().await;
    }
}

/// Search reads trigram indexes (PostgreSQL) and FTS5 tables kept by
/// triggers (SQLite): they must follow every change, stay within the
/// account, and still find text shorter than a trigram.
#[tokio::test]
async fn search_follows_edits_and_deletes_and_stays_in_the_account() {
    for db in databases().await {
        let ada = db
            .store
            .create_contact(
                db.account,
                &contact(
                    "Ada",
                    "Lovelace",
                    &["07911 123123"],
                    &["ada@analytical.org"],
                ),
            )
            .await
            .unwrap();
        let other = db
            .store
            .create_account("Other", Region::default())
            .await
            .unwrap()
            .id;
        db.store
            .create_contact(
                other,
                &contact(
                    "Ada",
                    "Elsewhere",
                    &["07911 123124"],
                    &["ada@elsewhere.org"],
                ),
            )
            .await
            .unwrap();
        let found = |q: &'static str| names(&db, search(q));
        assert_eq!(found("ada").await, vec!["Ada Lovelace"], "{}", db.name);
        assert_eq!(
            found("la").await,
            vec!["Ada Lovelace"],
            "{}: 2 letters",
            db.name
        );
        assert_eq!(
            found("v").await,
            vec!["Ada Lovelace"],
            "{}: 1 letter",
            db.name
        );
        assert_eq!(
            found("elsewhere").await,
            Vec::<String>::new(),
            "{}",
            db.name
        );

        db.store
            .update_contact(
                db.account,
                ada.id,
                &contact("Grace", "Hopper", &["07400 123456"], &["grace@navy.mil"]),
            )
            .await
            .unwrap();
        assert_eq!(found("lovelace").await, Vec::<String>::new(), "{}", db.name);
        assert_eq!(
            found("analytical").await,
            Vec::<String>::new(),
            "{}",
            db.name
        );
        assert_eq!(found("911 123").await, Vec::<String>::new(), "{}", db.name);
        assert_eq!(found("hopper").await, vec!["Grace Hopper"], "{}", db.name);
        assert_eq!(found("navy.mil").await, vec!["Grace Hopper"], "{}", db.name);
        assert_eq!(
            found("400 123 45").await,
            vec!["Grace Hopper"],
            "{}",
            db.name
        );

        db.store.delete_contact(db.account, ada.id).await.unwrap();
        for q in ["hopper", "navy", "7400123456"] {
            assert_eq!(found(q).await, Vec::<String>::new(), "{}: {q}", db.name);
        }
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn pages_and_sort_orders() {
    for db in databases().await {
        for i in 0..30 {
            db.store
                .create_contact(
                    db.account,
                    &contact(
                        &format!("P{i:02}"),
                        "",
                        &[&format!("07911 1231{i:02}")],
                        &[],
                    ),
                )
                .await
                .unwrap();
        }
        let q = |page, sort| ContactQuery {
            page,
            per_page: 25,
            sort,
            ..Default::default()
        };
        let first = db
            .store
            .list_contacts(db.account, Region::default(), &q(1, SortOrder::Name))
            .await
            .unwrap();
        assert_eq!(
            (first.total, first.contacts.len(), first.page_count()),
            (30, 25, 2)
        );
        assert_eq!(first.contacts[0].first_name, "P00");
        let second = db
            .store
            .list_contacts(db.account, Region::default(), &q(2, SortOrder::Name))
            .await
            .unwrap();
        assert_eq!(second.contacts.len(), 5);
        assert_eq!(second.contacts[4].first_name, "P29");
        let recent = db
            .store
            .list_contacts(db.account, Region::default(), &q(1, SortOrder::Updated))
            .await
            .unwrap();
        assert_eq!(recent.contacts[0].first_name, "P29");
        // Pages past the middle are read from the other end: every page
        // size and order must still walk the same list, each contact once.
        for sort in [SortOrder::Name, SortOrder::Updated] {
            let all = |page, per_page| ContactQuery {
                page,
                per_page,
                sort,
                ..Default::default()
            };
            let whole = names(&db, all(1, 100)).await;
            assert_eq!(whole.len(), 30);
            for per_page in [1, 4, 7, 29] {
                let mut walked = Vec::new();
                for page in 1..=30u64.div_ceil(per_page) {
                    walked.extend(names(&db, all(page, per_page)).await);
                }
                assert_eq!(walked, whole, "{} {sort:?} by {per_page}", db.name);
            }
            assert!(names(&db, all(31, 1)).await.is_empty());
        }
        // A search counts its matches in the statement that reads its page:
        // every page, and one past the last, still knows how many there are.
        for sort in [SortOrder::Name, SortOrder::Updated] {
            let found = |page| ContactQuery {
                search: "p".into(),
                page,
                per_page: 7,
                sort,
                ..Default::default()
            };
            let mut walked = Vec::new();
            for page in 1..=6 {
                let p = db
                    .store
                    .list_contacts(db.account, Region::default(), &found(page))
                    .await
                    .unwrap();
                assert_eq!(p.total, 30, "{} {sort:?} page {page}", db.name);
                walked.extend(p.contacts.iter().map(|c| c.display_name()));
            }
            let whole = ContactQuery {
                per_page: 100,
                sort,
                ..Default::default()
            };
            assert_eq!(walked, names(&db, whole).await, "{} {sort:?}", db.name);
        }
        assert_eq!(total(&db, search("nobody")).await, 0);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn accounts_are_sealed_from_each_other() {
    for db in databases().await {
        let other = db
            .store
            .create_account("Other", Region::default())
            .await
            .unwrap()
            .id;
        let ada = db
            .store
            .create_contact(db.account, &contact("Ada", "", &["07911 123123"], &[]))
            .await
            .unwrap();
        let group = db
            .store
            .create_group(db.account, &group_name("Mine"))
            .await
            .unwrap();

        // The same phone may live in another account.
        let twin = db
            .store
            .create_contact(other, &contact("Twin", "", &["07911 123123"], &[]))
            .await
            .unwrap();
        assert!(db.store.get_contact(other, ada.id).await.unwrap().is_none());
        assert!(matches!(
            db.store
                .update_contact(other, ada.id, &contact("X", "", &["07911 123999"], &[]))
                .await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            db.store.delete_contact(other, ada.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            db.store.delete_group(other, group.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            db.store
                .rename_group(other, group.id, &group_name("Theirs"))
                .await,
            Err(StoreError::NotFound(_))
        ));
        // Another account's group cannot be joined.
        let err = db
            .store
            .update_contact(
                other,
                twin.id,
                &in_groups(contact("Twin", "", &["07911 123123"], &[]), &[group.id]),
            )
            .await;
        assert!(matches!(err, Err(StoreError::NotFound(_))));
        assert!(db.store.list_groups(other).await.unwrap().is_empty());
        let theirs = db
            .store
            .list_contacts(other, Region::default(), &ContactQuery::default())
            .await
            .unwrap();
        assert_eq!(
            theirs.contacts.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![twin.id]
        );
        // Nothing of ours changed.
        assert_eq!(
            db.store
                .get_contact(db.account, ada.id)
                .await
                .unwrap()
                .unwrap(),
            ada
        );
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_the_default_account_is_reused() {
    for db in databases().await {
        db.store.migrate().await.unwrap();
        let again = db
            .store
            .ensure_default_account(Region::default())
            .await
            .unwrap();
        assert_eq!(again.id, db.account);
        let fr = db
            .store
            .ensure_default_account("FR".parse().unwrap())
            .await
            .unwrap();
        // The region is the account's own setting now: a start with
        // another `--region` leaves it as it is.
        assert_eq!((fr.id, fr.default_region.code()), (db.account, "GB"));
        db.drop_schema().await;
    }
}

fn group_name(name: &str) -> app::import::GroupName {
    app::import::GroupName::parse(name).unwrap()
}

/// A search that matches most contacts (past the 1,000 at which SQLite
/// walks the sort order instead of its trigram index) finds exactly what
/// a narrow one would: the same count, the same order, pages that tile,
/// with a group filter and a sort by recent, and matches by e-mail too.
#[tokio::test]
async fn a_search_matching_most_contacts_pages_and_counts_exactly() {
    for db in databases().await {
        let rows: Vec<Vec<String>> = (0..1_300)
            .map(|i| {
                vec![
                    format!("P{i:04}"),
                    if i % 10 == 3 {
                        "Other Ltd".into()
                    } else {
                        "Smithfield".into()
                    },
                    format!("07400 {:06}", 300_000 + i),
                    if i % 10 == 3 {
                        format!("p{i}@smith.example")
                    } else {
                        format!("p{i}@example.org")
                    },
                    if i % 2 == 0 {
                        "Even".into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        import_rows(
            &db,
            &["First name", "Company", "Mobile", "Email", "Group"],
            &rows,
        )
        .await;
        let even = db
            .store
            .list_groups(db.account)
            .await
            .unwrap()
            .into_iter()
            .find(|g| g.name == "Even")
            .unwrap()
            .id;
        let list = |search: &str, group: GroupFilter, sort: SortOrder, page: u64| ContactQuery {
            search: search.into(),
            group,
            sort,
            page,
            per_page: 200,
            import: None,
            sms: Default::default(),
            field: None,
            columns: vec![],
        };
        let names = |p: &app::model::ContactPage| {
            p.contacts
                .iter()
                .map(|c| c.first_name.clone())
                .collect::<Vec<_>>()
        };
        // "smith": every contact (the company, or the e-mail of every tenth).
        let first = db
            .store
            .list_contacts(
                db.account,
                Region::default(),
                &list("smith", GroupFilter::All, SortOrder::Name, 1),
            )
            .await
            .unwrap();
        assert_eq!((first.total, first.more), (1_300, false), "{}", db.name);
        let mut all = Vec::new();
        for page in 1..=7 {
            let p = db
                .store
                .list_contacts(
                    db.account,
                    Region::default(),
                    &list("smith", GroupFilter::All, SortOrder::Name, page),
                )
                .await
                .unwrap();
            all.extend(names(&p));
        }
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted, "{}: in name order", db.name);
        assert_eq!(all.len(), 1_300, "{}: pages tile", db.name);
        all.dedup();
        assert_eq!(all.len(), 1_300, "{}: no contact twice", db.name);
        // With a group and by recent: the even ones.
        let grouped = db
            .store
            .list_contacts(
                db.account,
                Region::default(),
                &list("smith", GroupFilter::Group(even), SortOrder::Updated, 1),
            )
            .await
            .unwrap();
        assert_eq!(grouped.total, 650, "{}", db.name);
        assert!(
            grouped
                .contacts
                .iter()
                .all(|c| c.groups.iter().any(|g| g.name == "Even")),
            "{}",
            db.name
        );
        // "smithfield": the company only, not the tenth with the e-mail.
        let company = db
            .store
            .list_contacts(
                db.account,
                Region::default(),
                &list("smithfield", GroupFilter::All, SortOrder::Name, 1),
            )
            .await
            .unwrap();
        assert_eq!(company.total, 1_170, "{}", db.name);
        db.drop_schema().await;
    }
}

/// Past 10,000 matches a search stops counting: "10,000+" (`more`), with
/// every page still there, in order, and the count at least the pages read.
#[tokio::test]
async fn a_search_matching_more_than_ten_thousand_stops_counting() {
    let n = app::model::COUNT_CAP as usize + 60;
    for db in databases().await {
        let rows: Vec<Vec<String>> = (0..n)
            .map(|i| {
                vec![
                    format!("P{i:05}"),
                    "Smithfield".into(),
                    format!("07400 {:06}", 400_000 + i),
                ]
            })
            .collect();
        import_rows(&db, &["First name", "Company", "Mobile"], &rows).await;
        let search = |q: &str, page: u64| ContactQuery {
            search: q.into(),
            page,
            per_page: 25,
            ..ContactQuery::default()
        };
        let first = db
            .store
            .list_contacts(db.account, Region::default(), &search("smith", 1))
            .await
            .unwrap();
        assert_eq!((first.total, first.more), (10_000, true), "{}", db.name);
        assert!(first.has_next(), "{}", db.name);
        assert_eq!(first.contacts[0].first_name, "P00000", "{}", db.name);
        // Past the cap: the pages go on, and the count covers them.
        let late = db
            .store
            .list_contacts(db.account, Region::default(), &search("smith", 402))
            .await
            .unwrap();
        let names: Vec<_> = late
            .contacts
            .iter()
            .map(|c| c.first_name.as_str())
            .collect();
        assert_eq!(names.len(), 25, "{}", db.name);
        assert_eq!(names[0], "P10025", "{}", db.name);
        assert_eq!((late.total, late.more), (10_050, true), "{}", db.name);
        let last = db
            .store
            .list_contacts(db.account, Region::default(), &search("smith", 403))
            .await
            .unwrap();
        // The page where the matches end counts them exactly.
        assert_eq!(last.contacts.len(), 10, "{}", db.name);
        assert_eq!((last.total, last.more), (10_060, false), "{}", db.name);
        assert!(!last.has_next(), "{}", db.name);
        // The list without a search, and a narrow search, count exactly.
        let all = db
            .store
            .list_contacts(db.account, Region::default(), &search("", 1))
            .await
            .unwrap();
        assert_eq!((all.total, all.more), (n as u64, false), "{}", db.name);
        let narrow = db
            .store
            .list_contacts(db.account, Region::default(), &search("p0001", 1))
            .await
            .unwrap();
        assert_eq!((narrow.total, narrow.more), (10, false), "{}", db.name);
        // Counting reads at most so many contacts: past them, "at least".
        let budgeted = db.store.clone().with_count_budget(2_345);
        let partly = budgeted
            .list_contacts(db.account, Region::default(), &search("smith", 1))
            .await
            .unwrap();
        assert_eq!((partly.total, partly.more), (2_300, true), "{}", db.name);
        assert_eq!(partly.contacts[0].first_name, "P00000", "{}", db.name);
        // With only 500 read, 500 are sure ("p0": P00000–P09999).
        let few = db.store.clone().with_count_budget(500);
        let p0 = few
            .list_contacts(db.account, Region::default(), &search("p0", 1))
            .await
            .unwrap();
        assert_eq!((p0.total, p0.more), (500, true), "{}", db.name);
        // Filtered down to none (a group nobody is in): nothing, not "1,000+".
        let none = budgeted
            .list_contacts(
                db.account,
                Region::default(),
                &ContactQuery {
                    group: GroupFilter::Group(i64::MAX),
                    ..search("smith", 1)
                },
            )
            .await
            .unwrap();
        assert_eq!((none.total, none.more), (0, false), "{}", db.name);
        db.drop_schema().await;
    }
}

/// Imports `rows` under `headers` as the command line does, then takes the
/// statistics (see [`take_statistics`]).
async fn import_rows(db: &TestDb, headers: &[&str], rows: &[Vec<String>]) {
    let refs: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let refs: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
    let table = app::import::Table::literal(headers, &refs);
    let mapping =
        app::import::auto_map(&table.headers, &table.rows, table.width, Region::default());
    let plan = app::import::plan(&table, &mapping, Region::default(), &[]);
    db.store
        .import_contacts(db.account, &plan.contacts, false)
        .await
        .unwrap();
    take_statistics(db).await;
}

/// PostgreSQL picks the walk for a search matching many from its
/// statistics (autovacuum's, or the store's first `ANALYZE`, which may not
/// see a table filled a moment ago as filled yet): take them now.
async fn take_statistics(db: &TestDb) {
    if db.name == "postgres" {
        use sea_orm::ConnectionTrait;
        db.store
            .connection()
            .execute_unprepared("ANALYZE contact, contact_detail")
            .await
            .unwrap();
    }
}

/// An export reads a SQLite file through connections of their own, without
/// the list's memory map (whose pages would stay resident in the server),
/// and sees what was written through the main pool, before and after it
/// opened; an in-memory database is read through its one connection.
#[tokio::test]
async fn long_reads_of_a_sqlite_file_go_around_the_memory_map() {
    async fn mmap_size(store: &app::db::Store) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let db = store.connection();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "PRAGMA mmap_size",
            ))
            .await
            .unwrap()
            .expect("a row");
        row.try_get_by_index::<i64>(0).unwrap()
    }
    let dir = std::env::temp_dir().join(format!("long-reads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("c.db").display());
    let store = app::db::Store::new(app::db::connect(&url).await.unwrap());
    store.migrate().await.unwrap();
    let account = store
        .ensure_default_account(Region::default())
        .await
        .unwrap()
        .id;
    store
        .create_contact(account, &contact("Ada", "Lovelace", &["07911 123123"], &[]))
        .await
        .unwrap();
    let long = store.for_long_reads().await.unwrap();
    assert!(mmap_size(&store).await > 0, "the list reads through a map");
    assert_eq!(mmap_size(&long).await, 0, "an export does not");
    store
        .create_contact(account, &contact("Grace", "Hopper", &["07911 123124"], &[]))
        .await
        .unwrap();
    // Opened once: a second call reads through the same pool.
    let again = store.for_long_reads().await.unwrap();
    for s in [&long, &again] {
        let page = s
            .export_batch(account, Region::default(), &ContactQuery::default(), 0, 10)
            .await
            .unwrap();
        let names: Vec<String> = page.iter().map(|c| c.display_name()).collect();
        assert_eq!(names, ["Ada Lovelace", "Grace Hopper"]);
    }
    drop((store, long, again));
    let _ = std::fs::remove_dir_all(&dir);

    let memory = databases().await.remove(0);
    assert_eq!(memory.name, "sqlite");
    let long = memory.store.for_long_reads().await.unwrap();
    assert_eq!(
        long.list_contacts(memory.account, Region::default(), &ContactQuery::default())
            .await
            .unwrap()
            .total,
        0,
        "the in-memory database itself, migrated"
    );
}
