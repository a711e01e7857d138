//! Bulk actions in the store ([`crate::bulk`] says what they are): the
//! contacts a target finds, a batch at a time by id, each batch changed in
//! its own transaction. On PostgreSQL a batch's contacts are locked
//! (`FOR UPDATE`, in id order) before they are changed, so a person's edit,
//! a deletion or an import of the same contacts waits for the batch or the
//! batch for them; on SQLite writers take turns (`Store::write_turn`).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::sea_query::{Expr, LockType, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};

use super::entity::{contact, contact_detail, contact_field_value, group_member};
use super::error::{Missing, StoreError};
use super::fields::{upsert_values, value_key};
use super::race::{lost_a_race, pause, RACE_RETRIES};
use super::store::{count_contacts, list_filters, search_branches, Store};
use crate::bulk::{BulkProgress, BulkTarget, BulkWrite, BULK_BATCH};
use crate::import::Region;
use crate::model::ContactQuery;

/// How long one request works through batches before it answers with its
/// progress (the page then asks again from where it stopped).
pub const BULK_STEP: Duration = Duration::from_secs(1);

/// A target with its filter's field value resolved as the store compares it.
enum Resolved<'a> {
    Picked(&'a [i64]),
    Matching(ContactQuery),
    /// A filter no contact can match (a value its field cannot hold).
    Nobody,
}

impl Store {
    /// How many of the account's contacts `target` finds now (the
    /// confirmation's count).
    pub async fn bulk_count(
        &self,
        account_id: i64,
        region: Region,
        target: &BulkTarget,
    ) -> Result<u64, StoreError> {
        let select = match self.resolve_target(account_id, region, target).await? {
            Resolved::Nobody => return Ok(0),
            Resolved::Picked(ids) => contact::Entity::find()
                .filter(contact::Column::AccountId.eq(account_id))
                .filter(contact::Column::Id.is_in(ids.iter().copied())),
            Resolved::Matching(q) => {
                matching(self.db.get_database_backend(), account_id, region, &q)
            }
        };
        Ok(select.count(&self.db).await?)
    }

    /// Carries out `write` on the contacts `target` finds after contact id
    /// `after` (from the start if `None`), batch by batch, for about
    /// [`BULK_STEP`]; says what it changed and where to go on from.
    /// Groups and fields are the account's own, or the action is refused.
    pub async fn bulk_step(
        &self,
        account_id: i64,
        region: Region,
        target: &BulkTarget,
        write: &BulkWrite,
        after: Option<i64>,
    ) -> Result<BulkProgress, StoreError> {
        self.bulk_step_for(account_id, region, target, write, after, BULK_STEP)
            .await
    }

    /// [`Store::bulk_step`] with its time to work (a test's zero does one
    /// batch per call).
    pub async fn bulk_step_for(
        &self,
        account_id: i64,
        region: Region,
        target: &BulkTarget,
        write: &BulkWrite,
        after: Option<i64>,
        budget: Duration,
    ) -> Result<BulkProgress, StoreError> {
        match write {
            BulkWrite::AddToGroup(g) | BulkWrite::RemoveFromGroup(g) => {
                self.find_group(account_id, *g).await?;
            }
            BulkWrite::SetField(f, _) => {
                self.find_field(account_id, *f).await?;
            }
            BulkWrite::Delete => {}
        }
        let resolved = self.resolve_target(account_id, region, target).await?;
        if matches!(resolved, Resolved::Nobody) {
            return Ok(BulkProgress::default());
        }
        let started = Instant::now();
        let mut done = BulkProgress::default();
        let mut cursor = after.unwrap_or(i64::MIN);
        loop {
            let mut attempt = 0;
            let batch = loop {
                match self
                    .bulk_batch(account_id, region, &resolved, write, cursor)
                    .await
                {
                    // A deadlock with an import locking the same contacts in
                    // another order, a contact deleted meanwhile: the batch
                    // rolled back whole, so it is done again.
                    Err(StoreError::Db(e)) if lost_a_race(&e) && attempt < RACE_RETRIES => {
                        attempt += 1;
                        pause(attempt).await;
                    }
                    other => break other,
                }
            };
            let (ids, changed) = match batch {
                Ok(b) => b,
                // Batches of this request are committed: say so, and let the
                // next request meet the error with its own (zero) counts.
                Err(_) if done.seen > 0 => {
                    done.next = Some(cursor);
                    return Ok(done);
                }
                Err(e) => return Err(e),
            };
            let Some(&last) = ids.last() else {
                break;
            };
            done.seen += ids.len() as u64;
            done.changed += changed;
            cursor = last;
            if (ids.len() as u64) < BULK_BATCH {
                break;
            }
            if started.elapsed() >= budget {
                done.next = Some(cursor);
                break;
            }
        }
        Ok(done)
    }

    /// One batch in its own transaction: the next [`BULK_BATCH`] contacts
    /// after `cursor`, locked on PostgreSQL (`FOR UPDATE` to delete them,
    /// else `FOR NO KEY UPDATE`, which lets an import's new details and
    /// memberships of them go on), then changed. Their ids and how many
    /// changed.
    async fn bulk_batch(
        &self,
        account_id: i64,
        region: Region,
        resolved: &Resolved<'_>,
        write: &BulkWrite,
        cursor: i64,
    ) -> Result<(Vec<i64>, u64), StoreError> {
        let backend = self.db.get_database_backend();
        let (_turn, txn) = self.begin_write().await?;
        let mut select = match resolved {
            Resolved::Nobody => return Ok((Vec::new(), 0)),
            Resolved::Picked(ids) => contact::Entity::find()
                .filter(contact::Column::AccountId.eq(account_id))
                .filter(contact::Column::Id.is_in(ids.iter().copied())),
            Resolved::Matching(q) => matching(backend, account_id, region, q),
        }
        .select_only()
        .column(contact::Column::Id)
        .filter(contact::Column::Id.gt(cursor))
        .order_by_asc(contact::Column::Id)
        .limit(BULK_BATCH);
        if backend == DatabaseBackend::Postgres {
            select = select.lock(match write {
                BulkWrite::Delete => LockType::Update,
                _ => LockType::NoKeyUpdate,
            });
        }
        let ids: Vec<i64> = select.into_tuple().all(&txn).await?;
        if ids.is_empty() {
            txn.commit().await?;
            return Ok((ids, 0));
        }
        let changed = apply(&txn, account_id, write, &ids).await?;
        txn.commit().await?;
        Ok((ids, changed))
    }

    async fn resolve_target<'a>(
        &self,
        account_id: i64,
        region: Region,
        target: &'a BulkTarget,
    ) -> Result<Resolved<'a>, DbErr> {
        Ok(match target {
            BulkTarget::Picked(ids) => Resolved::Picked(ids),
            BulkTarget::Matching(q) => match self.resolve_query(account_id, region, q).await? {
                Some(q) => Resolved::Matching(q),
                None => Resolved::Nobody,
            },
        })
    }
}

/// The account's contacts `query` finds: its search and filters, as the
/// list and the export read them.
fn matching(
    backend: DatabaseBackend,
    account_id: i64,
    region: Region,
    query: &ContactQuery,
) -> sea_orm::Select<contact::Entity> {
    let mut select = contact::Entity::find()
        .filter(contact::Column::AccountId.eq(account_id))
        .filter(list_filters(account_id, query));
    let branches = search_branches(backend, account_id, region, &query.search);
    if !branches.is_empty() {
        select = select.filter(branches.into_iter().fold(Condition::any(), Condition::add));
    }
    select
}

/// Changes the batch `ids` (the account's contacts, locked on PostgreSQL)
/// within `txn`; how many it changed. A changed contact's `updated_at`
/// moves, as a person's edit moves it.
async fn apply<C: ConnectionTrait>(
    txn: &C,
    account_id: i64,
    write: &BulkWrite,
    ids: &[i64],
) -> Result<u64, StoreError> {
    let changed: Vec<i64> = match write {
        BulkWrite::AddToGroup(group_id) => {
            hold(txn, "contact_group", account_id, *group_id, Missing::Group).await?;
            let members = members_of(txn, account_id, *group_id, ids).await?;
            let new: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|id| !members.contains(id))
                .collect();
            if !new.is_empty() {
                let rows = new.iter().map(|&contact_id| group_member::ActiveModel {
                    group_id: Set(*group_id),
                    contact_id: Set(contact_id),
                    account_id: Set(account_id),
                });
                group_member::Entity::insert_many(rows)
                    .on_conflict(
                        OnConflict::columns([
                            group_member::Column::GroupId,
                            group_member::Column::ContactId,
                        ])
                        .do_nothing()
                        .to_owned(),
                    )
                    .exec_without_returning(txn)
                    .await?;
            }
            new
        }
        BulkWrite::RemoveFromGroup(group_id) => {
            let members: Vec<i64> = members_of(txn, account_id, *group_id, ids)
                .await?
                .into_iter()
                .collect();
            if !members.is_empty() {
                group_member::Entity::delete_many()
                    .filter(group_member::Column::AccountId.eq(account_id))
                    .filter(group_member::Column::GroupId.eq(*group_id))
                    .filter(group_member::Column::ContactId.is_in(members.iter().copied()))
                    .exec(txn)
                    .await?;
            }
            members
        }
        BulkWrite::SetField(field_id, value) => {
            hold(txn, "custom_field", account_id, *field_id, Missing::Field).await?;
            let held: Vec<(i64, String)> = contact_field_value::Entity::find()
                .select_only()
                .column(contact_field_value::Column::ContactId)
                .column(contact_field_value::Column::Value)
                .filter(contact_field_value::Column::AccountId.eq(account_id))
                .filter(contact_field_value::Column::FieldId.eq(*field_id))
                .filter(contact_field_value::Column::ContactId.is_in(ids.iter().copied()))
                .into_tuple()
                .all(txn)
                .await?;
            match value {
                Some(v) => {
                    let same: HashSet<i64> = held
                        .into_iter()
                        .filter(|(_, held)| held == v.as_str())
                        .map(|(id, _)| id)
                        .collect();
                    let changed: Vec<i64> = ids
                        .iter()
                        .copied()
                        .filter(|id| !same.contains(id))
                        .collect();
                    if !changed.is_empty() {
                        let key = value_key(v);
                        let rows = changed
                            .iter()
                            .map(|&contact_id| {
                                (contact_id, *field_id, v.as_str().to_string(), key.clone())
                            })
                            .collect();
                        upsert_values(txn, account_id, rows).await?;
                    }
                    changed
                }
                None => {
                    let holders: Vec<i64> = held.into_iter().map(|(id, _)| id).collect();
                    if !holders.is_empty() {
                        contact_field_value::Entity::delete_many()
                            .filter(contact_field_value::Column::AccountId.eq(account_id))
                            .filter(contact_field_value::Column::FieldId.eq(*field_id))
                            .filter(
                                contact_field_value::Column::ContactId
                                    .is_in(holders.iter().copied()),
                            )
                            .exec(txn)
                            .await?;
                    }
                    holders
                }
            }
        }
        BulkWrite::Delete => {
            // Memberships first: their trigger reads the contact's SMS
            // status to keep the groups' audience counts.
            group_member::Entity::delete_many()
                .filter(group_member::Column::AccountId.eq(account_id))
                .filter(group_member::Column::ContactId.is_in(ids.iter().copied()))
                .exec(txn)
                .await?;
            contact_detail::Entity::delete_many()
                .filter(contact_detail::Column::AccountId.eq(account_id))
                .filter(contact_detail::Column::ContactId.is_in(ids.iter().copied()))
                .exec(txn)
                .await?;
            contact_field_value::Entity::delete_many()
                .filter(contact_field_value::Column::AccountId.eq(account_id))
                .filter(contact_field_value::Column::ContactId.is_in(ids.iter().copied()))
                .exec(txn)
                .await?;
            let deleted = contact::Entity::delete_many()
                .filter(contact::Column::AccountId.eq(account_id))
                .filter(contact::Column::Id.is_in(ids.iter().copied()))
                .exec(txn)
                .await?
                .rows_affected;
            count_contacts(txn, account_id, -i64::try_from(deleted).unwrap_or(0)).await?;
            return Ok(deleted);
        }
    };
    if !changed.is_empty() {
        contact::Entity::update_many()
            .col_expr(contact::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(contact::Column::AccountId.eq(account_id))
            .filter(contact::Column::Id.is_in(changed.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(changed.len() as u64)
}

/// Checks, inside the batch's transaction, that the account's row `id` of
/// `table` (the group joined, the field set) still exists, and on
/// PostgreSQL keeps it from being deleted until the batch commits
/// (`FOR KEY SHARE`, which the new rows' foreign keys take anyway): one
/// deleted meanwhile is said as such, not met as a foreign-key failure.
async fn hold<C: ConnectionTrait>(
    txn: &C,
    table: &str,
    account_id: i64,
    id: i64,
    missing: Missing,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            format!("SELECT id FROM {table} WHERE id = $1 AND account_id = $2 FOR KEY SHARE")
        }
        _ => format!("SELECT id FROM {table} WHERE id = ? AND account_id = ?"),
    };
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [id.into(), account_id.into()],
        ))
        .await?;
    match row {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound(missing)),
    }
}

/// Which of `ids` are in group `group_id`.
async fn members_of<C: ConnectionTrait>(
    txn: &C,
    account_id: i64,
    group_id: i64,
    ids: &[i64],
) -> Result<HashSet<i64>, DbErr> {
    let members: Vec<i64> = group_member::Entity::find()
        .select_only()
        .column(group_member::Column::ContactId)
        .filter(group_member::Column::AccountId.eq(account_id))
        .filter(group_member::Column::GroupId.eq(group_id))
        .filter(group_member::Column::ContactId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(members.into_iter().collect())
}
