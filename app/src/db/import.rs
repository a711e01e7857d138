//! The bulk upsert behind an import: set-based, a few statements per batch,
//! never one query per row.
//!
//! Per batch, in one transaction:
//! 1. look up every incoming phone and e-mail among the account's details;
//! 2. an incoming contact that matches no one is created, one that matches
//!    one contact updates it (non-empty fields overwrite, new details and
//!    group memberships are added), one that matches two different contacts
//!    is refused as a conflict — never merged silently;
//! 3. missing groups are created; contacts, details and memberships go in
//!    with multi-row INSERTs, and updated contacts with one UPDATE … FROM
//!    a VALUES list per few hundred rows.
//!
//! New contact ids are allocated up front (PostgreSQL: the sequence;
//! SQLite: past the table's high-water mark inside the write transaction),
//! so details can be inserted in the same round trip without relying on the
//! order of `RETURNING` rows.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set, Statement, TransactionTrait, Value,
};
use serde::{Deserialize, Serialize};

use super::entity::{contact, contact_detail, contact_group, group_member};
use super::store::{derived_columns, Store};
use crate::import::{DetailKind, ImportContact};
use crate::model::display_name;

/// Contacts per transaction.
pub const UPSERT_BATCH: usize = 2_000;
/// Keys per `IN (…)` list, rows per multi-row INSERT: well under SQLite's
/// and PostgreSQL's parameter limits.
const KEYS_PER_QUERY: usize = 1_000;
const ROWS_PER_INSERT: usize = 500;

/// An incoming contact refused because its details belong to two different
/// existing contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportConflict {
    /// Index in the slice given to [`Store::import_contacts`].
    pub index: usize,
    pub rows: Vec<u32>,
    pub message: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertSummary {
    pub created: usize,
    /// Matched and changed (a field, a new detail or a new group).
    pub updated: usize,
    /// Matched and already up to date.
    pub unchanged: usize,
    pub groups_created: usize,
    pub conflicts: Vec<ImportConflict>,
}

impl Store {
    /// Upserts `contacts` (already validated and merged by
    /// [`crate::import::plan`]) in batches of [`UPSERT_BATCH`], one
    /// transaction each. With `dry_run` every batch runs and is rolled back,
    /// so the counts are exactly what a real run would report.
    pub async fn import_contacts(
        &self,
        account_id: i64,
        contacts: &[ImportContact],
        dry_run: bool,
    ) -> Result<UpsertSummary, DbErr> {
        let mut total = UpsertSummary::default();
        for (n, batch) in contacts.chunks(UPSERT_BATCH).enumerate() {
            let txn = self.connection().begin().await?;
            if txn.get_database_backend() == DatabaseBackend::Postgres {
                // The batch's lookups are prepared statements with up to
                // 1,000-value IN lists; after five runs PostgreSQL switches
                // them to a generic plan that filters instead of probing the
                // index (measured: ~1 s instead of ~15 ms per lookup).
                txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
                    .await?;
            }
            let s = upsert_batch(&txn, account_id, batch, n * UPSERT_BATCH, None).await?;
            if dry_run {
                txn.rollback().await?;
            } else {
                txn.commit().await?;
            }
            total.created += s.created;
            total.updated += s.updated;
            total.unchanged += s.unchanged;
            total.groups_created += s.groups_created;
            total.conflicts.extend(s.conflicts);
        }
        Ok(total)
    }
}

/// Upserts `contacts` inside `txn` (the caller owns the transaction and its
/// ledger), [`UPSERT_BATCH`] at a time.
pub(crate) async fn upsert_in(
    txn: &DatabaseTransaction,
    account_id: i64,
    contacts: &[ImportContact],
    import_id: Option<i64>,
) -> Result<UpsertSummary, DbErr> {
    let mut total = UpsertSummary::default();
    for (n, batch) in contacts.chunks(UPSERT_BATCH).enumerate() {
        let s = upsert_batch(txn, account_id, batch, n * UPSERT_BATCH, import_id).await?;
        total.created += s.created;
        total.updated += s.updated;
        total.unchanged += s.unchanged;
        total.groups_created += s.groups_created;
        total.conflicts.extend(s.conflicts);
    }
    Ok(total)
}

#[derive(Debug, Clone)]
struct ExistingDetail {
    kind: String,
    match_key: String,
    position: i32,
    is_primary: bool,
}

async fn upsert_batch(
    txn: &DatabaseTransaction,
    account_id: i64,
    batch: &[ImportContact],
    offset: usize,
    import_id: Option<i64>,
) -> Result<UpsertSummary, DbErr> {
    let mut summary = UpsertSummary::default();
    let now = Utc::now();

    // 1. Who already owns each incoming key. The kind is part of the lookup
    // so it runs on the unique (account_id, kind, match_key) index instead
    // of scanning the account's details.
    let mut owner: HashMap<String, i64> = HashMap::new();
    for kind in [DetailKind::Phone, DetailKind::Email] {
        let keys: Vec<String> = batch
            .iter()
            .flat_map(|c| {
                c.details
                    .iter()
                    .filter(|d| d.kind == kind)
                    .map(|d| d.match_key())
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let rows: Vec<(i64, String)> = contact_detail::Entity::find()
                .select_only()
                .column(contact_detail::Column::ContactId)
                .column(contact_detail::Column::MatchKey)
                .filter(contact_detail::Column::AccountId.eq(account_id))
                .filter(contact_detail::Column::Kind.eq(kind.as_str()))
                .filter(contact_detail::Column::MatchKey.is_in(chunk.to_vec()))
                .into_tuple()
                .all(txn)
                .await?;
            owner.extend(rows.into_iter().map(|(id, key)| (key, id)));
        }
    }

    // 2. Create, update or conflict.
    let mut to_create: Vec<&ImportContact> = Vec::new();
    let mut to_update: Vec<(&ImportContact, i64)> = Vec::new();
    let mut conflicting: Vec<(usize, &ImportContact, Vec<i64>)> = Vec::new();
    for (i, c) in batch.iter().enumerate() {
        let matched: BTreeSet<i64> = c
            .details
            .iter()
            .filter_map(|d| owner.get(&d.match_key()).copied())
            .collect();
        match matched.len() {
            0 => to_create.push(c),
            1 => to_update.extend(matched.first().map(|id| (c, *id))),
            _ => conflicting.push((offset + i, c, matched.into_iter().collect())),
        }
    }

    // Existing contacts, details and memberships of everyone matched.
    let matched_ids: Vec<i64> = to_update
        .iter()
        .map(|(_, id)| *id)
        .chain(
            conflicting
                .iter()
                .flat_map(|(_, _, ids)| ids.iter().copied()),
        )
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut existing: HashMap<i64, contact::Model> = HashMap::new();
    let mut existing_details: HashMap<i64, Vec<ExistingDetail>> = HashMap::new();
    let mut existing_groups: HashSet<(i64, i64)> = HashSet::new();
    for chunk in matched_ids.chunks(KEYS_PER_QUERY) {
        for m in contact::Entity::find()
            .filter(contact::Column::AccountId.eq(account_id))
            .filter(contact::Column::Id.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            existing.insert(m.id, m);
        }
        for d in contact_detail::Entity::find()
            .filter(contact_detail::Column::AccountId.eq(account_id))
            .filter(contact_detail::Column::ContactId.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            existing_details
                .entry(d.contact_id)
                .or_default()
                .push(ExistingDetail {
                    kind: d.kind,
                    match_key: d.match_key,
                    position: d.position,
                    is_primary: d.is_primary,
                });
        }
        let rows: Vec<(i64, i64)> = group_member::Entity::find()
            .select_only()
            .column(group_member::Column::ContactId)
            .column(group_member::Column::GroupId)
            .filter(group_member::Column::AccountId.eq(account_id))
            .filter(group_member::Column::ContactId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(txn)
            .await?;
        existing_groups.extend(rows);
    }
    for (index, c, ids) in conflicting {
        let names: Vec<String> = ids
            .iter()
            .map(|id| {
                existing
                    .get(id)
                    .and_then(|m| display_name(&m.first_name, &m.last_name, &m.company))
                    .unwrap_or_else(|| format!("contact #{id}"))
            })
            .collect();
        summary.conflicts.push(ImportConflict {
            index,
            rows: c.rows.clone(),
            message: format!(
                "its phone numbers and e-mails belong to {} different contacts ({}): \
                 merge them first, or split this row",
                names.len(),
                names.join(", ")
            ),
        });
    }

    // 3. Groups, created where missing.
    let group_ids = ensure_groups(
        txn,
        account_id,
        to_create
            .iter()
            .copied()
            .chain(to_update.iter().map(|(c, _)| *c)),
        &mut summary,
    )
    .await?;

    // 4. New contacts with ids allocated up front.
    let ids = allocate_contact_ids(txn, to_create.len()).await?;
    let mut new_contacts = Vec::with_capacity(to_create.len());
    let mut new_details = Vec::new();
    let mut new_members = Vec::new();
    for (c, &id) in to_create.iter().zip(&ids) {
        let (sort_name, search_text) = derived_columns(
            c.stored_first_name(),
            &c.last_name,
            &c.company,
            c.details.first().map(|d| d.value.as_str()),
        );
        new_contacts.push(contact::ActiveModel {
            id: Set(id),
            account_id: Set(account_id),
            first_name: Set(c.stored_first_name().to_string()),
            last_name: Set(c.last_name.clone()),
            company: Set(c.company.clone()),
            sort_name: Set(sort_name),
            search_text: Set(search_text),
            created_at: Set(now),
            updated_at: Set(now),
            import_id: Set(import_id),
        });
        add_details(account_id, id, c, &[], &mut new_details);
        for g in &c.groups {
            if let Some(&gid) = group_ids.get(&g.to_lowercase()) {
                new_members.push(member(account_id, gid, id));
            }
        }
    }
    summary.created = new_contacts.len();

    // 5. Matched contacts: what changes.
    let mut updates: Vec<contact::Model> = Vec::new();
    for (c, id) in &to_update {
        let Some(old) = existing.get(id) else {
            continue;
        };
        let mut new = old.clone();
        let overwrite = |field: &mut String, value: &str| {
            if !value.is_empty() {
                *field = value.to_string();
            }
        };
        match c.full_name.as_deref().filter(|f| !f.is_empty()) {
            // A whole name we could not split replaces both parts, unless
            // it is the name the contact already has.
            Some(full) => {
                let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                if words(&format!("{} {}", old.first_name, old.last_name)) != words(full) {
                    new.first_name = full.to_string();
                    new.last_name = String::new();
                }
            }
            None => {
                overwrite(&mut new.first_name, c.stored_first_name());
                overwrite(&mut new.last_name, &c.last_name);
            }
        }
        overwrite(&mut new.company, &c.company);
        let before = new_details.len();
        let olds = existing_details.get(id).map(Vec::as_slice).unwrap_or(&[]);
        add_details(account_id, *id, c, olds, &mut new_details);
        let mut changed = new_details.len() > before;
        for g in &c.groups {
            if let Some(&gid) = group_ids.get(&g.to_lowercase()) {
                if existing_groups.insert((*id, gid)) {
                    new_members.push(member(account_id, gid, *id));
                    changed = true;
                }
            }
        }
        let fields_changed = (&new.first_name, &new.last_name, &new.company)
            != (&old.first_name, &old.last_name, &old.company);
        if fields_changed || changed {
            // Still nameless: it keeps sorting under its first detail.
            (new.sort_name, new.search_text) = derived_columns(
                &new.first_name,
                &new.last_name,
                &new.company,
                Some(&old.sort_name),
            );
            new.updated_at = now;
            updates.push(new);
            summary.updated += 1;
        } else {
            summary.unchanged += 1;
        }
    }

    // 6. Write.
    for chunk in new_contacts.chunks(ROWS_PER_INSERT) {
        contact::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in updates.chunks(ROWS_PER_INSERT) {
        update_contacts(txn, account_id, chunk, import_id).await?;
    }
    for chunk in new_details.chunks(ROWS_PER_INSERT) {
        contact_detail::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in new_members.chunks(ROWS_PER_INSERT) {
        group_member::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(summary)
}

fn member(account_id: i64, group_id: i64, contact_id: i64) -> group_member::ActiveModel {
    group_member::ActiveModel {
        group_id: Set(group_id),
        contact_id: Set(contact_id),
        account_id: Set(account_id),
    }
}

/// Rows for the details of `c` that `contact_id` does not have yet; the
/// first of each kind is primary when the contact has none of that kind.
fn add_details(
    account_id: i64,
    contact_id: i64,
    c: &ImportContact,
    existing: &[ExistingDetail],
    out: &mut Vec<contact_detail::ActiveModel>,
) {
    let mut next_position = existing.iter().map(|d| d.position + 1).max().unwrap_or(0);
    let mut has_primary: HashSet<String> = existing
        .iter()
        .filter(|d| d.is_primary)
        .map(|d| d.kind.clone())
        .collect();
    for d in &c.details {
        let key = d.match_key();
        if existing.iter().any(|e| e.match_key == key) {
            continue;
        }
        let kind = d.kind.as_str().to_string();
        let is_primary = has_primary.insert(kind.clone());
        out.push(contact_detail::ActiveModel {
            id: sea_orm::NotSet,
            account_id: Set(account_id),
            contact_id: Set(contact_id),
            kind: Set(kind),
            value: Set(d.value.clone()),
            match_key: Set(key),
            label: Set(d.label.clone()),
            is_primary: Set(is_primary),
            position: Set(next_position),
        });
        next_position += 1;
    }
}

/// The ids of the batch's groups by lower-cased name, creating missing ones.
async fn ensure_groups<'a>(
    txn: &DatabaseTransaction,
    account_id: i64,
    contacts: impl Iterator<Item = &'a ImportContact>,
    summary: &mut UpsertSummary,
) -> Result<HashMap<String, i64>, DbErr> {
    let mut wanted: HashMap<String, String> = HashMap::new();
    for c in contacts {
        for g in &c.groups {
            wanted.entry(g.to_lowercase()).or_insert_with(|| g.clone());
        }
    }
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let keys: Vec<String> = wanted.keys().cloned().collect();
    let find = |keys: Vec<String>| {
        contact_group::Entity::find()
            .select_only()
            .column(contact_group::Column::NameKey)
            .column(contact_group::Column::Id)
            .filter(contact_group::Column::AccountId.eq(account_id))
            .filter(contact_group::Column::NameKey.is_in(keys))
            .into_tuple::<(String, i64)>()
    };
    let mut ids: HashMap<String, i64> = HashMap::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        ids.extend(find(chunk.to_vec()).all(txn).await?);
    }
    let missing_keys: Vec<String> = keys
        .into_iter()
        .filter(|key| !ids.contains_key(key))
        .collect();
    let missing: Vec<contact_group::ActiveModel> = missing_keys
        .iter()
        .map(|key| contact_group::ActiveModel {
            id: sea_orm::NotSet,
            account_id: Set(account_id),
            name: Set(wanted[key].clone()),
            name_key: Set(key.clone()),
            created_at: Set(Utc::now()),
        })
        .collect();
    if !missing.is_empty() {
        summary.groups_created += missing.len();
        for chunk in missing.chunks(ROWS_PER_INSERT) {
            contact_group::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        for chunk in missing_keys.chunks(KEYS_PER_QUERY) {
            ids.extend(find(chunk.to_vec()).all(txn).await?);
        }
    }
    Ok(ids)
}

/// `n` fresh contact ids.
async fn allocate_contact_ids(txn: &DatabaseTransaction, n: usize) -> Result<Vec<i64>, DbErr> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let backend = txn.get_database_backend();
    match backend {
        DatabaseBackend::Postgres => {
            let rows = txn
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT nextval(pg_get_serial_sequence('contact', 'id')) AS id \
                     FROM generate_series(1, $1)",
                    [Value::from(n as i64)],
                ))
                .await?;
            rows.iter().map(|r| r.try_get::<i64>("", "id")).collect()
        }
        _ => {
            // Inside the write transaction nobody else can insert; start past
            // both the highest id and AUTOINCREMENT's high-water mark so no
            // deleted contact's id is reused.
            let row = txn
                .query_one_raw(Statement::from_string(
                    backend,
                    "SELECT MAX(COALESCE((SELECT MAX(id) FROM contact), 0), \
                     COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'contact'), 0)) AS id",
                ))
                .await?
                .ok_or_else(|| DbErr::Custom("no high-water mark for contact ids".into()))?;
            let base: i64 = row.try_get("", "id")?;
            Ok((1..=n as i64).map(|i| base + i).collect())
        }
    }
}

/// One UPDATE for many contacts: `WITH v(…) AS (VALUES …) UPDATE contact … FROM v`.
async fn update_contacts(
    txn: &DatabaseTransaction,
    account_id: i64,
    rows: &[contact::Model],
    import_id: Option<i64>,
) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * 7 + 1);
    let mut tuples = Vec::with_capacity(rows.len());
    let p = |v: Value, values: &mut Vec<Value>| {
        values.push(v);
        match backend {
            DatabaseBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_string(),
        }
    };
    for r in rows {
        let t = [
            p(r.id.into(), &mut values),
            p(r.first_name.clone().into(), &mut values),
            p(r.last_name.clone().into(), &mut values),
            p(r.company.clone().into(), &mut values),
            p(r.sort_name.clone().into(), &mut values),
            p(r.search_text.clone().into(), &mut values),
            p(r.updated_at.into(), &mut values),
        ];
        tuples.push(format!("({})", t.join(", ")));
    }
    // Every row of a batch belongs to the same import: one parameter.
    let import = match import_id {
        Some(id) => format!(", import_id = {}", p(id.into(), &mut values)),
        None => String::new(),
    };
    let account = p(account_id.into(), &mut values);
    let sql = format!(
        "WITH v(id, first_name, last_name, company, sort_name, search_text, updated_at) AS \
         (VALUES {}) \
         UPDATE contact SET first_name = v.first_name, last_name = v.last_name, \
         company = v.company, sort_name = v.sort_name, search_text = v.search_text, \
         updated_at = v.updated_at{import} \
         FROM v WHERE contact.id = v.id AND contact.account_id = {account}",
        tuples.join(", ")
    );
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}
