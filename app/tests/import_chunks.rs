//! The wizard's chunked import on real SQLite and PostgreSQL: a chunk sent
//! again changes nothing, an import interrupted and resumed ends exactly as
//! an uninterrupted one, the new group is created once and a taken name is
//! refused, and the history records the counts.

mod common;

use app::db::Store;
use app::db::StoreError;
use app::import::wire::{
    chunk_fingerprint, chunk_rows, server_table, wire_columns, wire_row, FinishRequest,
    ImportRequest, WireColumn, WireRow,
};
use app::import::wizard::GroupChoice;
use app::import::{auto_map, plan, GridRow, Region, Table};
use app::model::{ContactQuery, GroupFilter};
use common::databases;

/// 30 rows: 27 valid (rows 4 and 5 share an e-mail and merge), 3 refused.
fn table() -> Table {
    let rows = (0..30u32)
        .map(|i| {
            let email = match i {
                3 => "p2@example.com".to_string(),
                7 | 15 | 22 => "not an email".to_string(),
                _ => format!("p{i}@example.com"),
            };
            GridRow::new(i + 2, [format!("Person {i}"), email, "ignored".into()])
        })
        .collect();
    Table {
        header_row: Some(1),
        headers: vec!["Name".into(), "Email".into(), "Notes".into()],
        rows,
        width: 3,
    }
}

/// The chunks as the browser sends them: (columns, rows per chunk).
fn chunks(t: &Table) -> (Vec<WireColumn>, Vec<Vec<WireRow>>) {
    let region = Region::default();
    let mut m = auto_map(&t.headers, &t.rows, t.width, region);
    m.assign(2, app::import::Field::Ignore);
    let p = plan(t, &m, region, &[]);
    assert_eq!(p.rejected.len(), 3);
    let (source, columns) = wire_columns(&m);
    let chunks = chunk_rows(&p, 10, usize::MAX, |_| 1)
        .into_iter()
        .map(|numbers| {
            numbers
                .iter()
                .map(|n| {
                    let row = t.rows.iter().find(|r| r.number == *n).unwrap();
                    wire_row(row, &source)
                })
                .collect()
        })
        .collect();
    (columns, chunks)
}

fn request(columns: &[WireColumn], group: GroupChoice) -> ImportRequest {
    ImportRequest {
        file_name: "people.csv".into(),
        sheet: String::new(),
        format: "csv".into(),
        columns: columns.to_vec(),
        region: Region::default(),
        group,
        total_rows: 30,
        content_hash: table().content_hash(),
        wizard: None,
        consent: Default::default(),
    }
}

/// What the server function does to start an import.
async fn start(
    store: &Store,
    account: i64,
    req: ImportRequest,
) -> Result<app::import::wire::ImportStarted, StoreError> {
    let group = req.group.parse().expect("a complete group choice");
    store.start_import(account, &req, &group).await
}

/// What the server function does with one chunk.
async fn send(
    store: &Store,
    account: i64,
    import_id: i64,
    chunk_no: u32,
    columns: &[WireColumn],
    rows: Vec<WireRow>,
    group: &[app::import::GroupName],
) -> app::import::wire::ChunkOutcome {
    try_send(store, account, import_id, chunk_no, columns, rows, group)
        .await
        .unwrap()
}

/// [`send`], answering the store's refusal.
async fn try_send(
    store: &Store,
    account: i64,
    import_id: i64,
    chunk_no: u32,
    columns: &[WireColumn],
    rows: Vec<WireRow>,
    group: &[app::import::GroupName],
) -> Result<app::import::wire::ChunkOutcome, StoreError> {
    let n = rows.len();
    let fingerprint = chunk_fingerprint(&rows);
    let (t, m) = server_table(columns, rows);
    let p = plan(&t, &m, Region::default(), group);
    store
        .apply_chunk(
            account,
            import_id,
            chunk_no,
            &app::db::PlannedChunk {
                rows: n,
                fingerprint: &fingerprint,
                plan: &p,
                sms: &app::db::ImportSms::new(Default::default(), "import of people.csv"),
            },
        )
        .await
}

/// The account's contacts as comparable text (no ids, no times).
async fn snapshot(store: &Store, account: i64) -> Vec<String> {
    let q = ContactQuery {
        per_page: 100,
        ..Default::default()
    };
    let mut out: Vec<String> = store
        .list_contacts(account, Region::default(), &q)
        .await
        .unwrap()
        .contacts
        .into_iter()
        .map(|c| {
            format!(
                "{}|{}|{:?}|{:?}",
                c.first_name,
                c.last_name,
                c.details.iter().map(|d| &d.value).collect::<Vec<_>>(),
                c.groups.iter().map(|g| &g.name).collect::<Vec<_>>()
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_chunk_sent_again_changes_nothing_and_returns_its_first_outcome() {
    for db in databases().await {
        let t = table();
        let (columns, chunks) = chunks(&t);
        let s = &db.store;
        let started = start(s, db.account, request(&columns, GroupChoice::None))
            .await
            .unwrap();
        let first = send(
            s,
            db.account,
            started.import_id,
            0,
            &columns,
            chunks[0].clone(),
            &[],
        )
        .await;
        assert!(!first.replayed);
        assert_eq!(first.created, 9, "{}: 10 rows, two merged", db.name);
        let before = snapshot(s, db.account).await;
        let again = send(
            s,
            db.account,
            started.import_id,
            0,
            &columns,
            chunks[0].clone(),
            &[],
        )
        .await;
        assert!(again.replayed, "{}", db.name);
        assert_eq!(again.created, first.created);
        assert_eq!(snapshot(s, db.account).await, before);
        let view = s
            .finish_import(db.account, &finish(started.import_id, 3))
            .await
            .unwrap();
        assert_eq!(
            (view.created, view.rejected, view.status.as_str()),
            (9, 3, "done")
        );
        // Finishing again adds nothing.
        let view = s
            .finish_import(db.account, &finish(started.import_id, 3))
            .await
            .unwrap();
        assert_eq!(view.rejected, 3, "{}", db.name);
        db.drop_schema().await;
    }
}

fn finish(import_id: i64, rejected_in_browser: u64) -> FinishRequest {
    FinishRequest {
        import_id,
        rejected_in_browser,
        dropped_in_browser: 0,
    }
}

/// The browser's counts are capped by the import's own row count: a
/// script cannot make the history hold more rejected rows than the file had
/// (2^64−1 once stored a REAL in SQLite, and the history failed for good).
#[tokio::test]
async fn the_browsers_counts_are_capped_by_the_import() {
    for db in databases().await {
        let s = &db.store;
        let (columns, _) = chunks(&table());
        let started = start(s, db.account, request(&columns, GroupChoice::None))
            .await
            .unwrap();
        let view = s
            .finish_import(
                db.account,
                &FinishRequest {
                    import_id: started.import_id,
                    rejected_in_browser: u64::MAX,
                    dropped_in_browser: u64::MAX,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (view.rejected, view.details_dropped),
            (30, 1_200),
            "{}",
            db.name
        );
        let history = s.list_imports(db.account, 20).await.unwrap();
        assert_eq!(history[0].rejected, 30, "{}", db.name);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn an_interrupted_and_resumed_import_ends_as_an_uninterrupted_one() {
    for db in databases().await {
        let t = table();
        let (columns, chunks) = chunks(&t);
        let s = &db.store;
        let other = s
            .create_account("Resumed", Region::default())
            .await
            .unwrap()
            .id;
        let group = GroupChoice::New("Imported".into());
        // Uninterrupted, in the default account.
        let a = start(s, db.account, request(&columns, group.clone()))
            .await
            .unwrap();
        let groups = vec![app::import::GroupName::parse("Imported").unwrap()];
        for (i, c) in chunks.iter().enumerate() {
            send(
                s,
                db.account,
                a.import_id,
                i as u32,
                &columns,
                c.clone(),
                &groups,
            )
            .await;
        }
        // Interrupted: every chunk's answer "lost" once and the chunk sent
        // again, and the whole import resumed from chunk 1.
        let b = start(s, other, request(&columns, group)).await.unwrap();
        let mut created = 0;
        for (i, c) in chunks.iter().enumerate() {
            created += send(
                s,
                other,
                b.import_id,
                i as u32,
                &columns,
                c.clone(),
                &groups,
            )
            .await
            .created;
            send(
                s,
                other,
                b.import_id,
                i as u32,
                &columns,
                c.clone(),
                &groups,
            )
            .await;
        }
        for (i, c) in chunks.iter().enumerate().skip(1) {
            let o = send(
                s,
                other,
                b.import_id,
                i as u32,
                &columns,
                c.clone(),
                &groups,
            )
            .await;
            assert!(o.replayed);
        }
        assert_eq!(created, 26, "{}: 27 valid rows, one pair merged", db.name);
        assert_eq!(
            snapshot(s, db.account).await,
            snapshot(s, other).await,
            "{}",
            db.name
        );
        let list = s.list_imports(other, 10).await.unwrap();
        assert_eq!((list[0].created, list[0].status.as_str()), (26, "running"));
        assert_eq!(
            list[0].mapping,
            vec![
                ("Name".to_string(), "Full name".to_string()),
                ("Email".to_string(), "E-mail".to_string())
            ]
        );
        let in_group = s
            .list_contacts(
                other,
                Region::default(),
                &ContactQuery {
                    group: GroupFilter::Group(b.group_id.unwrap()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(in_group.total, 26);
        // The import's own contacts: created or changed by it, no others.
        s.create_contact(
            other,
            &app::import::validate_contact(
                &app::import::ContactDraft {
                    first_name: "Not imported".into(),
                    emails: vec![app::import::DetailDraft {
                        value: "other@example.com".into(),
                        label: String::new(),
                    }],
                    ..Default::default()
                },
                Region::default(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
        let of_import = |id: i64| ContactQuery {
            import: Some(id),
            ..Default::default()
        };
        let mine = s
            .list_contacts(other, Region::default(), &of_import(b.import_id))
            .await
            .unwrap();
        assert_eq!(mine.total, 26, "{}", db.name);
        // Another account's import shows nothing here.
        let theirs = s
            .list_contacts(other, Region::default(), &of_import(a.import_id))
            .await
            .unwrap();
        assert_eq!(theirs.total, 0);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn a_new_group_name_already_taken_is_refused_and_nothing_is_recorded() {
    for db in databases().await {
        let s = &db.store;
        s.create_group(
            db.account,
            &app::import::GroupName::parse("Customers").unwrap(),
        )
        .await
        .unwrap();
        let (columns, _) = chunks(&table());
        let err = start(
            s,
            db.account,
            request(&columns, GroupChoice::New("customers".into())),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, StoreError::GroupNameTaken(_)),
            "{}: {err:?}",
            db.name
        );
        assert!(s.list_imports(db.account, 10).await.unwrap().is_empty());
        // Another account's group is not ours.
        let other = s
            .create_account("Other", Region::default())
            .await
            .unwrap()
            .id;
        let theirs = s
            .create_group(other, &app::import::GroupName::parse("Theirs").unwrap())
            .await
            .unwrap();
        let err = start(
            s,
            db.account,
            request(&columns, GroupChoice::Existing(Some(theirs.id))),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound(_)),
            "{}: {err:?}",
            db.name
        );
        db.drop_schema().await;
    }
}

/// Two chunks of one import in flight at once (the browser sends two), both
/// creating the same groups from a Group column: neither fails, and each
/// group exists once with all its members.
#[tokio::test]
async fn two_chunks_at_once_create_their_groups_once() {
    for db in databases().await {
        let s = &db.store;
        for round in 0..4u32 {
            let rows = (0..40u32)
                .map(|i| {
                    GridRow::new(
                        i + 2,
                        [
                            format!("Person {round}-{i}"),
                            format!("p{round}-{i}@example.com"),
                            ["Friends", "Work", "Family"][i as usize % 3].to_string()
                                + &format!(" {round}"),
                        ],
                    )
                })
                .collect();
            let t = Table {
                header_row: Some(1),
                headers: vec!["Name".into(), "Email".into(), "Group".into()],
                rows,
                width: 3,
            };
            let region = Region::default();
            let m = auto_map(&t.headers, &t.rows, t.width, region);
            let p = plan(&t, &m, region, &[]);
            let (source, columns) = wire_columns(&m);
            let chunks: Vec<Vec<WireRow>> = chunk_rows(&p, 20, usize::MAX, |_| 1)
                .into_iter()
                .map(|numbers| {
                    numbers
                        .iter()
                        .map(|n| wire_row(t.rows.iter().find(|r| r.number == *n).unwrap(), &source))
                        .collect()
                })
                .collect();
            assert_eq!(chunks.len(), 2);
            let started = start(s, db.account, request(&columns, GroupChoice::None))
                .await
                .unwrap();
            let (a, b) = tokio::join!(
                send(
                    s,
                    db.account,
                    started.import_id,
                    0,
                    &columns,
                    chunks[0].clone(),
                    &[]
                ),
                send(
                    s,
                    db.account,
                    started.import_id,
                    1,
                    &columns,
                    chunks[1].clone(),
                    &[]
                ),
            );
            assert_eq!(a.created + b.created, 40, "{}", db.name);
            assert_eq!(a.groups_created + b.groups_created, 3, "{}", db.name);
            let groups = s.list_groups(db.account).await.unwrap();
            for name in ["Friends", "Work", "Family"] {
                let name = format!("{name} {round}");
                let found: Vec<_> = groups.iter().filter(|g| g.name == name).collect();
                assert_eq!(found.len(), 1, "{}: {name}", db.name);
                assert!(found[0].member_count >= 13, "{}: {name}", db.name);
            }
            // Both chunks added to the account's count of contacts.
            let all = s
                .list_contacts(db.account, Region::default(), &Default::default())
                .await
                .unwrap();
            assert_eq!(all.total, 40 * u64::from(round + 1), "{}", db.name);
        }
        db.drop_schema().await;
    }
}

/// A chunk number sent again with other rows (a cell fixed before a reload,
/// lost with it) is not a replay: refused, and nothing written.
#[tokio::test]
async fn a_chunk_number_sent_again_with_other_rows_is_refused() {
    for db in databases().await {
        let t = table();
        let (columns, chunks) = chunks(&t);
        let s = &db.store;
        let started = start(s, db.account, request(&columns, GroupChoice::None))
            .await
            .unwrap();
        send(
            s,
            db.account,
            started.import_id,
            0,
            &columns,
            chunks[0].clone(),
            &[],
        )
        .await;
        let before = snapshot(s, db.account).await;
        let mut other = chunks[0].clone();
        other[0].cells[1] = "fixed@example.com".into();
        let refused = try_send(s, db.account, started.import_id, 0, &columns, other, &[]).await;
        assert!(
            matches!(refused, Err(StoreError::ChunkChanged)),
            "{}: {refused:?}",
            db.name
        );
        assert_eq!(snapshot(s, db.account).await, before, "{}", db.name);
        db.drop_schema().await;
    }
}

/// On PostgreSQL an import's new search entries wait in the trigram
/// indexes' pending lists, which every search reads through; finishing the
/// import merges them (a name search after a 100,000-row import read 447
/// index pages instead of 39).
#[tokio::test]
async fn finishing_an_import_merges_the_search_indexes_pending_entries() {
    use sea_orm::ConnectionTrait;
    for db in databases().await {
        if db.name != "postgres" {
            db.drop_schema().await;
            continue;
        }
        let s = &db.store;
        // pgstattuple (PostgreSQL's contrib, beside pg_trgm) reads the lists.
        s.connection()
            .execute_unprepared("CREATE EXTENSION IF NOT EXISTS pgstattuple SCHEMA public")
            .await
            .unwrap();
        let pending = || async {
            let row = s
                .connection()
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    "SELECT ((SELECT pending_pages FROM public.pgstatginindex('idx_contact_search_trgm')) \
                          + (SELECT pending_pages FROM public.pgstatginindex('idx_contact_detail_match_trgm')))::bigint AS n",
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        };
        let t = table();
        let (columns, chunks) = chunks(&t);
        let started = start(s, db.account, request(&columns, GroupChoice::None))
            .await
            .unwrap();
        for (no, chunk) in chunks.into_iter().enumerate() {
            send(
                s,
                db.account,
                started.import_id,
                no as u32,
                &columns,
                chunk,
                &[],
            )
            .await;
        }
        assert!(
            pending().await > 0,
            "the chunks' entries wait in the pending lists"
        );
        s.finish_import(db.account, &finish(started.import_id, 3))
            .await
            .unwrap();
        assert_eq!(pending().await, 0, "finishing merged them");
        db.drop_schema().await;
    }
}
