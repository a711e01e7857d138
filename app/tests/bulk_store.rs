//! Bulk actions through the store, on real SQLite and PostgreSQL: by the
//! list's filter and by picked ids, batch after batch from where the last
//! request stopped, counting what changed; the groups' kept audience counts
//! follow; another account's contacts, groups and fields are out of reach.

mod common;

use std::time::Duration;

use app::bulk::{BulkProgress, BulkTarget, BulkWrite, BULK_BATCH};
use app::db::{Missing, StoreError};
use app::import::fields::{FieldDef, FieldKind, FieldName, FieldValue};
use app::import::{auto_map, plan, Region, Table};
use app::model::{ContactQuery, FieldFilter, GroupFilter, RecipientsRequest};
use common::{databases, TestDb};

/// Runs a bulk action to its end one batch per call (no time budget), as
/// the page does; the calls made and what they changed together.
async fn run(
    db: &TestDb,
    account: i64,
    target: &BulkTarget,
    write: &BulkWrite,
) -> Result<(usize, BulkProgress), StoreError> {
    let mut done = BulkProgress::default();
    let mut calls = 0;
    loop {
        let step = db
            .store
            .bulk_step_for(
                account,
                Region::default(),
                target,
                write,
                done.next,
                Duration::ZERO,
            )
            .await?;
        calls += 1;
        done = done.then(step);
        if done.next.is_none() {
            return Ok((calls, done));
        }
        assert!(calls < 100, "a bulk action that never ends");
    }
}

fn in_group(id: i64) -> BulkTarget {
    BulkTarget::Matching(ContactQuery {
        group: GroupFilter::Group(id),
        ..Default::default()
    })
}

async fn group_id(db: &TestDb, account: i64, name: &str) -> i64 {
    db.store
        .list_groups(account)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.name == name)
        .unwrap()
        .id
}

async fn members(db: &TestDb, account: i64, group: i64) -> u64 {
    db.store
        .list_groups(account)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.id == group)
        .map_or(0, |g| g.member_count)
}

/// The group's count of recipients as the Messages page reads it (kept
/// by triggers): it must follow every bulk change.
async fn audience(db: &TestDb, account: i64, group: i64) -> u64 {
    let req = RecipientsRequest {
        group_ids: vec![group],
        ..Default::default()
    };
    db.store
        .recipients(account, Region::default(), &req)
        .await
        .unwrap()
        .counts
        .unwrap()
        .selected
}

/// `n` contacts, the even ones in Leeds, the odd ones in no group.
async fn import(db: &TestDb, account: i64, n: usize, offset: usize) {
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            vec![
                format!("P{i}"),
                format!("07400 {:06}", offset + i),
                if i % 2 == 0 {
                    "Leeds".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let t = Table::literal(&["First name", "Mobile", "Group"], &rows);
    let m = auto_map(&t.headers, &t.rows, t.width, Region::default());
    let p = plan(&t, &m, Region::default(), &[]);
    assert_eq!(p.contacts.len(), n);
    let s = db
        .store
        .import_contacts(account, &p.contacts, false)
        .await
        .unwrap();
    assert_eq!(s.created, n);
}

#[tokio::test]
async fn bulk_actions_go_by_the_filter_in_batches_and_count_what_they_change() {
    for db in databases().await {
        let n = 2 * BULK_BATCH as usize + 500;
        import(&db, db.account, n, 0).await;
        let leeds = group_id(&db, db.account, "Leeds").await;
        let york = db
            .store
            .create_group(db.account, &app::import::GroupName::parse("York").unwrap())
            .await
            .unwrap()
            .id;
        let half = (n / 2) as u64;
        assert_eq!(
            db.store
                .bulk_count(db.account, Region::default(), &in_group(leeds))
                .await
                .unwrap(),
            half
        );

        // Everyone in Leeds joins York: two batches, one per call.
        let (calls, done) = run(
            &db,
            db.account,
            &in_group(leeds),
            &BulkWrite::AddToGroup(york),
        )
        .await
        .unwrap();
        assert_eq!(
            (calls, done.seen, done.changed),
            (2, half, half),
            "{}",
            db.name
        );
        assert_eq!(members(&db, db.account, york).await, half);
        assert_eq!(audience(&db, db.account, york).await, half, "{}", db.name);
        // Again: nothing changes, and it says so.
        let (_, again) = run(
            &db,
            db.account,
            &in_group(leeds),
            &BulkWrite::AddToGroup(york),
        )
        .await
        .unwrap();
        assert_eq!((again.seen, again.changed), (half, 0));

        // Picked ids: two members, one non-member, and one unknown id.
        let page = db
            .store
            .list_contacts(
                db.account,
                Region::default(),
                &ContactQuery {
                    per_page: 4,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let ids: Vec<i64> = page.contacts.iter().map(|c| c.id).collect();
        let in_york: Vec<i64> = page
            .contacts
            .iter()
            .filter(|c| c.groups.iter().any(|g| g.id == york))
            .map(|c| c.id)
            .collect();
        assert!(!in_york.is_empty() && in_york.len() < ids.len());
        let mut picked = ids.clone();
        picked.push(i64::MAX);
        let (_, removed) = run(
            &db,
            db.account,
            &BulkTarget::Picked(picked),
            &BulkWrite::RemoveFromGroup(york),
        )
        .await
        .unwrap();
        assert_eq!(
            (removed.seen, removed.changed),
            (ids.len() as u64, in_york.len() as u64),
            "{}",
            db.name
        );
        assert_eq!(
            members(&db, db.account, york).await,
            half - in_york.len() as u64
        );
        assert_eq!(
            audience(&db, db.account, york).await,
            half - in_york.len() as u64
        );

        // A custom field set on everyone in Leeds, then filtered by.
        let city = db
            .store
            .create_field(
                db.account,
                &FieldDef {
                    name: FieldName::parse("City").unwrap(),
                    kind: FieldKind::Text,
                    choices: vec![],
                    id: None,
                },
            )
            .await
            .unwrap();
        let set = BulkWrite::SetField(city.id, Some(FieldValue("Leeds".into())));
        let (_, done) = run(&db, db.account, &in_group(leeds), &set).await.unwrap();
        assert_eq!((done.seen, done.changed), (half, half));
        let by_city = BulkTarget::Matching(ContactQuery {
            field: Some(FieldFilter {
                field_id: city.id,
                value: "LEEDS".into(),
            }),
            ..Default::default()
        });
        assert_eq!(
            db.store
                .bulk_count(db.account, Region::default(), &by_city)
                .await
                .unwrap(),
            half,
            "{}",
            db.name
        );
        let (_, same) = run(&db, db.account, &in_group(leeds), &set).await.unwrap();
        assert_eq!(same.changed, 0);
        // Cleared on the picked four: those in Leeds had it.
        let (_, cleared) = run(
            &db,
            db.account,
            &BulkTarget::Picked(ids.clone()),
            &BulkWrite::SetField(city.id, None),
        )
        .await
        .unwrap();
        let leeds_picked = page
            .contacts
            .iter()
            .filter(|c| c.groups.iter().any(|g| g.id == leeds))
            .count() as u64;
        assert_eq!((cleared.seen, cleared.changed), (4, leeds_picked));

        // Delete everyone still in York: the account's count, the groups'
        // counts and their audiences follow.
        let york_left = members(&db, db.account, york).await;
        let (_, deleted) = run(&db, db.account, &in_group(york), &BulkWrite::Delete)
            .await
            .unwrap();
        assert_eq!(deleted.changed, york_left);
        assert_eq!(members(&db, db.account, york).await, 0);
        assert_eq!(audience(&db, db.account, york).await, 0, "{}", db.name);
        let leeds_left = half - york_left;
        assert_eq!(members(&db, db.account, leeds).await, leeds_left);
        assert_eq!(
            audience(&db, db.account, leeds).await,
            leeds_left,
            "{}",
            db.name
        );
        let all = db
            .store
            .list_contacts(db.account, Region::default(), &ContactQuery::default())
            .await
            .unwrap();
        assert_eq!(all.total, n as u64 - york_left, "{}", db.name);
        db.drop_schema().await;
    }
}

#[tokio::test]
async fn bulk_actions_stay_within_their_account() {
    for db in databases().await {
        import(&db, db.account, 10, 0).await;
        let leeds = group_id(&db, db.account, "Leeds").await;
        let city = db
            .store
            .create_field(
                db.account,
                &FieldDef {
                    name: FieldName::parse("City").unwrap(),
                    kind: FieldKind::Text,
                    choices: vec![],
                    id: None,
                },
            )
            .await
            .unwrap();
        let mine: Vec<i64> = db
            .store
            .list_contacts(db.account, Region::default(), &ContactQuery::default())
            .await
            .unwrap()
            .contacts
            .iter()
            .map(|c| c.id)
            .collect();

        let other = db
            .store
            .create_account("Other", Region::default())
            .await
            .unwrap()
            .id;
        import(&db, other, 6, 100).await;
        let theirs = group_id(&db, other, "Leeds").await;
        let everyone = BulkTarget::Matching(ContactQuery::default());

        // Another account's group or field: refused, nothing changed.
        for write in [
            BulkWrite::AddToGroup(leeds),
            BulkWrite::RemoveFromGroup(leeds),
            BulkWrite::SetField(city.id, Some(FieldValue("x".into()))),
        ] {
            let got = run(&db, other, &everyone, &write).await;
            assert!(
                matches!(
                    got,
                    Err(StoreError::NotFound(Missing::Group | Missing::Field))
                ),
                "{}: {write:?} gave {got:?}",
                db.name
            );
        }
        // Picking this account's contacts from the other one finds none.
        let (_, none) = run(
            &db,
            other,
            &BulkTarget::Picked(mine.clone()),
            &BulkWrite::AddToGroup(theirs),
        )
        .await
        .unwrap();
        assert_eq!((none.seen, none.changed), (0, 0), "{}", db.name);
        assert_eq!(
            db.store
                .bulk_count(other, Region::default(), &BulkTarget::Picked(mine.clone()))
                .await
                .unwrap(),
            0
        );
        // A filter by another account's group finds none of its contacts.
        let (_, none) = run(&db, other, &in_group(leeds), &BulkWrite::Delete)
            .await
            .unwrap();
        assert_eq!(none.changed, 0, "{}", db.name);
        // Deleting everyone of the other account leaves this one whole.
        let (_, gone) = run(&db, other, &everyone, &BulkWrite::Delete)
            .await
            .unwrap();
        assert_eq!(gone.changed, 6);
        assert_eq!(
            db.store
                .bulk_count(db.account, Region::default(), &everyone)
                .await
                .unwrap(),
            10,
            "{}",
            db.name
        );
        assert_eq!(members(&db, db.account, leeds).await, 5);
        db.drop_schema().await;
    }
}
