//! The bulk upsert behind an import, as three steps per batch of
//! [`UPSERT_BATCH`] contacts, in one transaction:
//!
//! 1. [`load_snapshot`]: what the account holds for the batch's keys (the
//!    owners of its phones and e-mails, those contacts with their details and
//!    memberships, its groups by name);
//! 2. [`crate::import::decide`]: the pure decision (create, update with the
//!    field-level difference, unchanged, conflict; groups and memberships),
//!    where every rule lives and is tested without a database;
//! 3. [`write`]: the changes in bulk, one `INSERT … SELECT` per table and
//!    one `UPDATE … FROM` for changed contacts, each reading the batch's rows
//!    from a single JSON parameter (see [`Columns`]), never one statement
//!    per row.
//!
//! New contact ids are allocated up front (PostgreSQL: the sequence;
//! SQLite: past the table's high-water mark inside the write transaction),
//! so details can be inserted in the same round trip without relying on the
//! order of `RETURNING` rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;
use sea_orm::sea_query::{extension::postgres::PgFunc, BinOper, Expr, ExprTrait, IntoColumnRef};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Select, Set, Statement, TryGetableMany, Value,
};
use serde::{Deserialize, Serialize};

use super::entity::{
    contact, contact_detail, contact_field_value, contact_group, custom_field, group_member,
};
use super::race::{lost_a_race, pause, RACE_RETRIES};
use super::store::Store;
use crate::import::consent::SmsChange;
use crate::import::decide::{Changes, ExistingContact, ExistingDetail, NewDetail};
use crate::import::fields::FieldValue;
use crate::import::{
    decide, Conflict, DetailKind, GroupKey, ImportConsent, ImportContact, LineType, SmsStatus,
    Snapshot,
};

/// Contacts per transaction.
pub const UPSERT_BATCH: usize = 5_000;
/// Keys per lookup: a batch's keys go in one statement.
const KEYS_PER_QUERY: usize = 2 * UPSERT_BATCH;
/// Rows per multi-row INSERT (groups only), well under SQLite's parameter
/// limit.
const ROWS_PER_INSERT: usize = 500;

/// `column` is one of `values`, given as one parameter however many there
/// are: an array on PostgreSQL (`= ANY($n)`), a JSON array on SQLite
/// (`IN (SELECT value FROM json_each(?))`). A lookup of thousands of keys
/// is one short statement, not thousands of bound values.
fn one_of<V>(backend: DatabaseBackend, column: impl IntoColumnRef, values: Vec<V>) -> Expr
where
    V: Into<Value> + Serialize,
    Vec<V>: Into<Value>,
{
    match backend {
        DatabaseBackend::Postgres => Expr::col(column).eq(PgFunc::any(Expr::val(values))),
        _ => {
            // Strings and integers always serialise.
            let json = serde_json::to_string(&values).unwrap_or_else(|_| "[]".into());
            Expr::col(column).binary(
                BinOper::In,
                Expr::cust_with_values("(SELECT value FROM json_each(?))", [json]),
            )
        }
    }
}

/// An import, as the SMS status changes it makes need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSms {
    /// The import's consent option.
    pub consent: ImportConsent,
    /// How the contacts' history names the import ("import of leads.xlsx").
    pub label: String,
}

impl ImportSms {
    pub fn new(consent: ImportConsent, label: impl Into<String>) -> Self {
        ImportSms {
            consent,
            label: label.into(),
        }
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertSummary {
    pub created: usize,
    /// Matched and changed (a field, a new detail, a new group, its status).
    pub updated: usize,
    /// Matched and already up to date.
    pub unchanged: usize,
    pub groups_created: usize,
    /// Contacts refused; `index` is their place in what the store was given.
    pub conflicts: Vec<Conflict>,
    /// Contacts whose SMS status became opted in / opted out.
    pub opted_in: usize,
    pub opted_out: usize,
    /// Rows that would have opted an opted-out contact back in.
    pub kept_opted_out: Vec<u32>,
    /// Contacts left without a phone that can receive SMS.
    pub no_textable_number: usize,
    /// Each contact's SMS status after the import, aligned with what the
    /// store was given.
    pub status_after: Vec<SmsStatus>,
}

impl UpsertSummary {
    fn add(&mut self, other: UpsertSummary) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.groups_created += other.groups_created;
        self.conflicts.extend(other.conflicts);
        self.opted_in += other.opted_in;
        self.opted_out += other.opted_out;
        self.kept_opted_out.extend(other.kept_opted_out);
        self.kept_opted_out.sort_unstable();
        self.no_textable_number += other.no_textable_number;
        self.status_after.extend(other.status_after);
    }
}

impl Store {
    /// Upserts `contacts` (already validated and merged by
    /// [`crate::import::plan`]) in batches of [`UPSERT_BATCH`], one
    /// transaction each. With `dry_run` every batch runs and is rolled back,
    /// so the counts are exactly what a real run would report. Consent as
    /// the file says it ([`ImportConsent::FileSays`]).
    pub async fn import_contacts(
        &self,
        account_id: i64,
        contacts: &[ImportContact],
        dry_run: bool,
    ) -> Result<UpsertSummary, DbErr> {
        let sms = ImportSms::new(ImportConsent::FileSays, "import");
        self.import_contacts_with(account_id, contacts, &sms, dry_run)
            .await
    }

    /// [`Store::import_contacts`] under an import's consent option.
    pub async fn import_contacts_with(
        &self,
        account_id: i64,
        contacts: &[ImportContact],
        sms: &ImportSms,
        dry_run: bool,
    ) -> Result<UpsertSummary, DbErr> {
        let mut total = UpsertSummary::default();
        for (n, batch) in contacts.chunks(UPSERT_BATCH).enumerate() {
            let mut attempt = 0;
            let s = loop {
                match self
                    .upsert_one_batch(account_id, batch, n * UPSERT_BATCH, sms, dry_run)
                    .await
                {
                    Err(e) if attempt < RACE_RETRIES && lost_a_race(&e) => {
                        attempt += 1;
                        pause(attempt).await;
                    }
                    other => break other?,
                }
            };
            total.add(s);
        }
        if !dry_run {
            self.analyze_if_never_analyzed().await?;
            self.tidy_search_indexes(false).await;
        }
        Ok(total)
    }

    /// One batch of [`Store::import_contacts`], in its own transaction.
    async fn upsert_one_batch(
        &self,
        account_id: i64,
        batch: &[ImportContact],
        first_index: usize,
        sms: &ImportSms,
        dry_run: bool,
    ) -> Result<UpsertSummary, DbErr> {
        let (_turn, txn) = self.begin_write().await?;
        let s = upsert_batch(&txn, account_id, batch, first_index, None, sms).await?;
        if dry_run {
            txn.rollback().await?;
        } else {
            txn.commit().await?;
        }
        Ok(s)
    }
}

/// Upserts `contacts` inside `txn` (the caller owns the transaction and its
/// ledger), [`UPSERT_BATCH`] at a time.
pub(crate) async fn upsert_in(
    txn: &DatabaseTransaction,
    account_id: i64,
    contacts: &[ImportContact],
    import_id: Option<i64>,
    sms: &ImportSms,
) -> Result<UpsertSummary, DbErr> {
    let mut total = UpsertSummary::default();
    for (n, batch) in contacts.chunks(UPSERT_BATCH).enumerate() {
        total.add(upsert_batch(txn, account_id, batch, n * UPSERT_BATCH, import_id, sms).await?);
    }
    Ok(total)
}

/// PostgreSQL planner settings for the snapshot's lookups, in one round trip:
/// * custom plans: a prepared lookup's generic plan trusts the statistics of
///   a table that may have grown since (a first big import) and filters the
///   account's details instead of probing the key index;
/// * no bitmap scans: `match_key = ANY(…)` could otherwise run on the
///   trigram index that search uses, which answers `=` by reading the posting
///   list of every trigram of every key;
/// * no sequential scans: without statistics a small table looks cheaper to
///   read than to probe, and it grows under the lookup while other chunks
///   write. Probes by key are right at any size, and the unique
///   (account_id, kind, match_key) index is the only one they can use
///   (migration m20261203_000009).
///
/// Measurements behind each setting: BENCHMARKS.md.
pub const LOOKUP_SETTINGS: &str = "SET LOCAL plan_cache_mode = force_custom_plan; \
     SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off";
/// Back to the defaults before writing: with custom plans on, every
/// foreign-key check of the inserts would be planned again.
const WRITE_SETTINGS: &str = "SET LOCAL plan_cache_mode = auto; \
     SET LOCAL enable_bitmapscan = on; SET LOCAL enable_seqscan = on";

/// One batch: load the snapshot, decide, write. `offset` is the batch's
/// place in what the caller gave, for the conflicts' indexes.
async fn upsert_batch(
    txn: &DatabaseTransaction,
    account_id: i64,
    batch: &[ImportContact],
    offset: usize,
    import_id: Option<i64>,
    sms: &ImportSms,
) -> Result<UpsertSummary, DbErr> {
    let postgres = txn.get_database_backend() == DatabaseBackend::Postgres;
    if postgres {
        txn.execute_unprepared(LOOKUP_SETTINGS).await?;
    }
    let snapshot = load_snapshot(txn, account_id, batch).await?;
    let mut changes = decide(batch, &snapshot, sms.consent);
    if postgres {
        txn.execute_unprepared(WRITE_SETTINGS).await?;
    }
    for c in &mut changes.conflicts {
        c.index += offset;
    }
    write(
        txn,
        account_id,
        changes,
        snapshot.groups,
        import_id,
        &sms.label,
    )
    .await
}

/// What the account holds for `batch`'s phones, e-mails and groups.
async fn load_snapshot(
    txn: &DatabaseTransaction,
    account_id: i64,
    batch: &[ImportContact],
) -> Result<Snapshot, DbErr> {
    let mut snapshot = Snapshot::default();
    for kind in [DetailKind::Phone, DetailKind::Email] {
        let keys: BTreeSet<String> = batch
            .iter()
            .flat_map(|c| c.details.iter().filter(|d| d.kind == kind))
            .map(|d| d.match_key())
            .collect();
        let owners = detail_owners(txn, account_id, kind, keys.into_iter().collect()).await?;
        snapshot
            .owners
            .extend(owners.into_iter().map(|(id, key)| ((kind, key), id)));
    }
    let group_keys: BTreeSet<GroupKey> = batch
        .iter()
        .flat_map(|c| c.groups.iter().map(|g| g.key()))
        .collect();
    snapshot.groups = group_ids(txn, account_id, group_keys.into_iter().collect()).await?;
    // Fields the import resolved at its start: by id (renamed meanwhile,
    // still the same field; deleted, gone, even if remade under its name).
    let by_id: BTreeMap<i64, String> = batch
        .iter()
        .flat_map(|c| c.fields.iter())
        .filter_map(|v| Some((v.field_id?, v.field.key())))
        .collect();
    if !by_id.is_empty() {
        let ids: Vec<i64> = by_id.keys().copied().collect();
        let found: Vec<i64> = all_in(
            txn,
            custom_field::Entity::find()
                .select_only()
                .column(custom_field::Column::Id)
                .filter(custom_field::Column::AccountId.eq(account_id)),
            custom_field::Column::Id,
            &ids,
        )
        .await?;
        snapshot.fields.extend(
            found
                .into_iter()
                .filter_map(|id| Some((by_id.get(&id)?.clone(), id))),
        );
    }
    let field_keys: BTreeSet<String> = batch
        .iter()
        .flat_map(|c| c.fields.iter())
        .filter(|v| v.field_id.is_none())
        .map(|v| v.field.key())
        .collect();
    if !field_keys.is_empty() {
        let keys: Vec<String> = field_keys.into_iter().collect();
        let rows: Vec<(String, i64)> = all_in(
            txn,
            custom_field::Entity::find()
                .select_only()
                .column(custom_field::Column::NameKey)
                .column(custom_field::Column::Id)
                .filter(custom_field::Column::AccountId.eq(account_id)),
            custom_field::Column::NameKey,
            &keys,
        )
        .await?;
        snapshot.fields.extend(rows);
    }

    let ids: Vec<i64> = snapshot
        .owners
        .values()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let contacts: Vec<(i64, String, String, String, String, String)> = all_in(
        txn,
        contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .column(contact::Column::FirstName)
            .column(contact::Column::LastName)
            .column(contact::Column::Company)
            .column(contact::Column::SortName)
            .column(contact::Column::SmsStatus)
            // `account_id + 0`: still checked, but not an index SQLite
            // could pick over the ids (it scanned the account's contacts).
            .filter(
                Expr::col((contact::Entity, contact::Column::AccountId))
                    .add(0)
                    .eq(account_id),
            ),
        contact::Column::Id,
        &ids,
    )
    .await?;
    for (id, first_name, last_name, company, sort_name, sms) in contacts {
        let c = ExistingContact {
            id,
            first_name,
            last_name,
            company,
            sort_name,
            // An unknown word is read as what it most safely means.
            sms: SmsStatus::parse(&sms).unwrap_or(SmsStatus::OptedOut),
            ..ExistingContact::default()
        };
        snapshot.contacts.insert(id, c);
    }
    let details: Vec<(i64, String, String, i32, bool, String)> = all_in(
        txn,
        contact_detail::Entity::find()
            .select_only()
            .column(contact_detail::Column::ContactId)
            .column(contact_detail::Column::Kind)
            .column(contact_detail::Column::MatchKey)
            .column(contact_detail::Column::Position)
            .column(contact_detail::Column::IsPrimary)
            .column(contact_detail::Column::LineType)
            .filter(contact_detail::Column::AccountId.eq(account_id)),
        contact_detail::Column::ContactId,
        &ids,
    )
    .await?;
    for (contact_id, kind, match_key, position, is_primary, line) in details {
        let (Some(c), Some(kind)) = (
            snapshot.contacts.get_mut(&contact_id),
            DetailKind::parse(&kind),
        ) else {
            continue;
        };
        let line = (kind == DetailKind::Phone).then(|| match line.as_str() {
            // Stored before line types (or by an older server).
            "" => crate::import::line_type_of(&match_key),
            line => LineType::parse(line),
        });
        c.details.push(ExistingDetail {
            kind,
            match_key,
            position,
            is_primary,
            line,
        });
    }
    let memberships: Vec<(i64, i64)> = all_in(
        txn,
        group_member::Entity::find()
            .select_only()
            .column(group_member::Column::ContactId)
            .column(group_member::Column::GroupId)
            .filter(group_member::Column::AccountId.eq(account_id)),
        group_member::Column::ContactId,
        &ids,
    )
    .await?;
    for (contact_id, group_id) in memberships {
        if let Some(c) = snapshot.contacts.get_mut(&contact_id) {
            c.group_ids.push(group_id);
        }
    }
    if !snapshot.fields.is_empty() {
        let field_ids: Vec<i64> = snapshot.fields.values().copied().collect();
        let values: Vec<(i64, i64, String)> = all_in(
            txn,
            contact_field_value::Entity::find()
                .select_only()
                .column(contact_field_value::Column::ContactId)
                .column(contact_field_value::Column::FieldId)
                .column(contact_field_value::Column::Value)
                .filter(contact_field_value::Column::AccountId.eq(account_id))
                .filter(contact_field_value::Column::FieldId.is_in(field_ids)),
            contact_field_value::Column::ContactId,
            &ids,
        )
        .await?;
        for (contact_id, field_id, value) in values {
            if let Some(c) = snapshot.contacts.get_mut(&contact_id) {
                c.values.insert(field_id, value);
            }
        }
    }
    Ok(snapshot)
}

/// The one lookup helper: the rows of `select` whose `column` is one of
/// `values`, asked [`KEYS_PER_QUERY`] values at a time (see [`one_of`]).
async fn all_in<E, T, V>(
    txn: &DatabaseTransaction,
    select: Select<E>,
    column: E::Column,
    values: &[V],
) -> Result<Vec<T>, DbErr>
where
    E: EntityTrait,
    T: TryGetableMany,
    V: Clone + Into<Value> + Serialize,
    Vec<V>: Into<Value>,
{
    let backend = txn.get_database_backend();
    let mut out = Vec::new();
    for chunk in values.chunks(KEYS_PER_QUERY) {
        let rows = select
            .clone()
            .filter(one_of(backend, (E::default(), column), chunk.to_vec()))
            .into_tuple::<T>()
            .all(txn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The contact holding each of `keys` of `kind`, as (contact id, key).
async fn detail_owners(
    txn: &DatabaseTransaction,
    account_id: i64,
    kind: DetailKind,
    keys: Vec<String>,
) -> Result<Vec<(i64, String)>, DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        let mut out = Vec::new();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            out.extend(owners_by_probe(txn, account_id, kind, chunk).await?);
        }
        return Ok(out);
    }
    all_in(
        txn,
        contact_detail::Entity::find()
            .select_only()
            .column(contact_detail::Column::ContactId)
            .column(contact_detail::Column::MatchKey)
            .filter(contact_detail::Column::AccountId.eq(account_id))
            // The kind is part of the lookup so that it runs on the unique
            // (account_id, kind, match_key) index.
            .filter(contact_detail::Column::Kind.eq(kind.as_str())),
        contact_detail::Column::MatchKey,
        &keys,
    )
    .await
}

/// The ids of the account's groups among `keys`.
async fn group_ids(
    txn: &DatabaseTransaction,
    account_id: i64,
    keys: Vec<GroupKey>,
) -> Result<HashMap<GroupKey, i64>, DbErr> {
    let keys: Vec<String> = keys.into_iter().map(GroupKey::into_string).collect();
    let rows: Vec<(String, i64)> = all_in(
        txn,
        contact_group::Entity::find()
            .select_only()
            .column(contact_group::Column::NameKey)
            .column(contact_group::Column::Id)
            .filter(contact_group::Column::AccountId.eq(account_id)),
        contact_group::Column::NameKey,
        &keys,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(key, id)| (GroupKey::of(&key), id))
        .collect())
}

/// Writes `changes`; `groups` are the ids of the account's groups that the
/// snapshot found.
async fn write(
    txn: &DatabaseTransaction,
    account_id: i64,
    changes: Changes<'_>,
    mut groups: HashMap<GroupKey, i64>,
    import_id: Option<i64>,
    label: &str,
) -> Result<UpsertSummary, DbErr> {
    let now = Utc::now();
    let mut summary = UpsertSummary {
        created: changes.creates.len(),
        updated: changes.updates.len(),
        unchanged: changes.unchanged.len(),
        groups_created: 0,
        conflicts: changes.conflicts,
        opted_in: 0,
        opted_out: 0,
        kept_opted_out: changes
            .kept_opted_out
            .iter()
            .flat_map(|k| k.rows.iter().copied())
            .collect(),
        no_textable_number: changes.no_textable,
        status_after: changes.status_after,
    };
    if !changes.new_groups.is_empty() {
        let rows: Vec<contact_group::ActiveModel> = changes
            .new_groups
            .iter()
            .map(|name| contact_group::ActiveModel {
                id: sea_orm::NotSet,
                account_id: Set(account_id),
                name: Set(name.as_str().to_string()),
                name_key: Set(name.key().into_string()),
                created_at: Set(now),
            })
            .collect();
        // Another chunk of the same import may be creating the same group
        // right now: the second insert waits for the first to commit, then
        // does nothing, and the lookup below finds the group.
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let inserted = contact_group::Entity::insert_many(chunk.to_vec())
                .on_conflict_do_nothing_on([
                    contact_group::Column::AccountId,
                    contact_group::Column::NameKey,
                ])
                .exec_without_returning(txn)
                .await?;
            if let sea_orm::TryInsertResult::Inserted(n) = inserted {
                summary.groups_created += usize::try_from(n).unwrap_or(0);
            }
        }
        let keys = changes.new_groups.iter().map(|g| g.key()).collect();
        groups.extend(group_ids(txn, account_id, keys).await?);
    }
    let group_id = |key: &GroupKey| {
        groups
            .get(key)
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("group {:?} was not created", key.as_str())))
    };

    let ids = allocate_contact_ids(txn, changes.creates.len()).await?;
    let mut new_contacts = Columns::new(&CONTACT_COLUMNS);
    let mut new_details = Columns::new(&DETAIL_COLUMNS);
    let mut new_members = Columns::new(&MEMBER_COLUMNS);
    let mut values = Columns::new(&VALUE_COLUMNS);
    for (c, &id) in changes.creates.iter().zip(&ids) {
        push_values(id, c.sort_name.as_str(), &c.values, &mut values);
        new_contacts.push([
            id.into(),
            c.first_name.into(),
            c.last_name.into(),
            c.company.into(),
            c.sort_name.as_str().into(),
            c.search_text.as_str().into(),
            c.sms_number.as_str().into(),
            c.reach.as_str().into(),
        ]);
        push_details(id, &c.details, &mut new_details);
        for key in &c.groups {
            new_members.push([group_id(key)?.into(), id.into()]);
        }
    }
    let mut statuses = Columns::new(&STATUS_COLUMNS);
    let mut events = Columns::new(&EVENT_COLUMNS);
    let mut push_status = |id: i64, change: &Option<SmsChange>| {
        if let Some(c) = change {
            let source = c.cause.source(label);
            // The contact's status dates from the day the file gives, else now.
            let at = c
                .given_on()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(now, |t| t.and_utc())
                .to_rfc3339();
            statuses.push([
                id.into(),
                c.from.as_str().into(),
                c.to.as_str().into(),
                source.as_str().into(),
                at.as_str().into(),
            ]);
            events.push([
                id.into(),
                c.from.as_str().into(),
                c.to.as_str().into(),
                source.as_str().into(),
            ]);
            match c.to {
                SmsStatus::OptedIn => summary.opted_in += 1,
                SmsStatus::OptedOut => summary.opted_out += 1,
                SmsStatus::NotRecorded => {}
            }
        }
    };
    for (c, &id) in changes.creates.iter().zip(&ids) {
        push_status(id, &c.sms);
    }
    for u in &changes.updates {
        push_status(u.id, &u.sms);
    }
    let mut updates = Columns::new(&CONTACT_COLUMNS);
    for u in &changes.updates {
        updates.push([
            u.id.into(),
            u.first_name.as_str().into(),
            u.last_name.as_str().into(),
            u.company.as_str().into(),
            u.sort_name.as_str().into(),
            u.search_text.as_str().into(),
            u.sms_number.as_str().into(),
            u.reach.as_str().into(),
        ]);
        push_details(u.id, &u.details, &mut new_details);
        push_values(u.id, u.sort_name.as_str(), &u.values, &mut values);
        for key in &u.groups {
            new_members.push([group_id(key)?.into(), u.id.into()]);
        }
    }

    let account: Value = account_id.into();
    new_contacts
        .insert(
            txn,
            "contact",
            &[
                ("account_id", account.clone()),
                ("created_at", now.into()),
                ("updated_at", now.into()),
                ("import_id", import_id.into()),
            ],
        )
        .await?;
    updates
        .update_contacts(txn, account_id, now.into(), import_id)
        .await?;
    new_details
        .insert(txn, "contact_detail", &[("account_id", account.clone())])
        .await?;
    new_members
        .insert(txn, "group_member", &[("account_id", account.clone())])
        .await?;
    values
        .insert_or_update(
            txn,
            "contact_field_value",
            &[("account_id", account.clone())],
            "(contact_id, field_id)",
            &["value", "value_key", "sort_name"],
        )
        .await?;
    if statuses.rows > 0 {
        statuses.set_statuses(txn, account_id).await?;
        events
            .insert(
                txn,
                "sms_status_event",
                &[
                    ("account_id", account),
                    ("at", now.into()),
                    ("import_id", import_id.into()),
                ],
            )
            .await?;
    }
    // Last, so that two chunks in flight wait on the account's row only for
    // the end of each other's transaction.
    let created = i64::try_from(summary.created).unwrap_or(i64::MAX);
    super::store::count_contacts(txn, account_id, created).await?;
    Ok(summary)
}

/// A contact's custom values, each with the contact's sort name (the
/// value index pages a value's holders by it: migration 16).
fn push_values(contact_id: i64, sort_name: &str, values: &[(i64, &FieldValue)], out: &mut Columns) {
    for (field_id, v) in values {
        let key = super::fields::value_key(v);
        out.push([
            contact_id.into(),
            (*field_id).into(),
            v.as_str().into(),
            key.as_str().into(),
            sort_name.into(),
        ]);
    }
}

fn push_details(contact_id: i64, details: &[NewDetail<'_>], out: &mut Columns) {
    for d in details {
        out.push([
            contact_id.into(),
            d.kind.as_str().into(),
            d.value.into(),
            d.match_key.as_str().into(),
            d.label.into(),
            d.is_primary.into(),
            d.position.into(),
            d.line.map_or("", LineType::as_str).into(),
        ]);
    }
}

/// A column of [`Columns`]: its name, and its type in PostgreSQL.
struct Column {
    name: &'static str,
    pg_type: &'static str,
}

const fn col(name: &'static str, pg_type: &'static str) -> Column {
    Column { name, pg_type }
}

static CONTACT_COLUMNS: [Column; 8] = [
    col("id", "bigint"),
    col("first_name", "text"),
    col("last_name", "text"),
    col("company", "text"),
    col("sort_name", "text"),
    col("search_text", "text"),
    col("sms_number", "text"),
    col("reach", "text"),
];
static DETAIL_COLUMNS: [Column; 8] = [
    col("contact_id", "bigint"),
    col("kind", "text"),
    col("value", "text"),
    col("match_key", "text"),
    col("label", "text"),
    col("is_primary", "boolean"),
    col("position", "integer"),
    col("line_type", "text"),
];
static MEMBER_COLUMNS: [Column; 2] = [col("group_id", "bigint"), col("contact_id", "bigint")];
/// A custom value: set, or replacing the one stored.
static VALUE_COLUMNS: [Column; 5] = [
    col("contact_id", "bigint"),
    col("field_id", "bigint"),
    col("value", "text"),
    col("value_key", "text"),
    col("sort_name", "text"),
];
/// An SMS status change: the contact, what the decision read, what it
/// becomes, why, since when (the file's consent date, else now).
static STATUS_COLUMNS: [Column; 5] = [
    col("contact_id", "bigint"),
    col("from_status", "text"),
    col("to_status", "text"),
    col("source", "text"),
    col("status_at", "timestamptz"),
];
/// Its line in the contact's history (written now).
static EVENT_COLUMNS: [Column; 4] = [
    col("contact_id", "bigint"),
    col("from_status", "text"),
    col("to_status", "text"),
    col("source", "text"),
];

/// The message of a status that changed between the snapshot and the write
/// (another chunk or a person): [`super::race::lost_a_race`] knows it, and
/// the batch is decided again on a fresh snapshot.
pub(crate) const STATUS_RACE: &str = "lost a race: an SMS status changed while importing";

/// One cell of a new row.
enum Cell<'a> {
    Int(i64),
    Text(&'a str),
    Bool(bool),
}

impl From<i64> for Cell<'_> {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}
impl From<i32> for Cell<'_> {
    fn from(v: i32) -> Self {
        Cell::Int(v.into())
    }
}
impl From<bool> for Cell<'_> {
    fn from(v: bool) -> Self {
        Cell::Bool(v)
    }
}
impl<'a> From<&'a str> for Cell<'a> {
    fn from(v: &'a str) -> Self {
        Cell::Text(v)
    }
}

/// New rows for one table, written as one JSON array of row arrays and
/// sent as a single parameter: the database unpacks it
/// (`jsonb_array_elements` / `json_each`) and one `INSERT … SELECT` writes
/// the batch. Binding each value separately costs more on the client than
/// the insert on the server (every value is copied on its way through the
/// driver; BENCHMARKS.md has the profile).
struct Columns {
    columns: &'static [Column],
    json: Vec<u8>,
    rows: usize,
}

impl Columns {
    fn new(columns: &'static [Column]) -> Self {
        Columns {
            columns,
            json: vec![b'['],
            rows: 0,
        }
    }

    fn push<const N: usize>(&mut self, row: [Cell; N]) {
        debug_assert_eq!(N, self.columns.len());
        use std::io::Write;
        if self.rows > 0 {
            self.json.push(b',');
        }
        self.json.push(b'[');
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                self.json.push(b',');
            }
            // Writing into a Vec cannot fail.
            let _ = match cell {
                Cell::Int(v) => write!(self.json, "{v}"),
                Cell::Bool(v) => write!(self.json, "{v}"),
                Cell::Text(v) => serde_json::to_writer(&mut self.json, v).map_err(Into::into),
            };
        }
        self.json.push(b']');
        self.rows += 1;
    }

    /// The JSON array of rows, ready to bind.
    fn into_json(mut self) -> Result<String, DbErr> {
        self.json.push(b']');
        String::from_utf8(self.json)
            .map_err(|e| DbErr::Custom(format!("rows to write are not UTF-8: {e}")))
    }

    /// [`STATUS_COLUMNS`] rows: each contact's status set, with when and
    /// where from, **only if it is still the status the decision read**.
    /// A contact whose status changed meanwhile (another chunk of the
    /// import opted it out, and this one would opt it in) is not written:
    /// the batch fails as a lost race ([`STATUS_RACE`]) and is decided
    /// again, so an import never lifts an opt-out even when chunks race.
    async fn set_statuses(&self, txn: &DatabaseTransaction, account_id: i64) -> Result<(), DbErr> {
        let backend = txn.get_database_backend();
        let mut params = Params::new(backend);
        let json_param = params.next();
        let select = self.select_sql(params.postgres(), &json_param);
        let mut json = self.json.clone();
        json.push(b']');
        let json = String::from_utf8(json)
            .map_err(|e| DbErr::Custom(format!("rows to write are not UTF-8: {e}")))?;
        params.add(json.into());
        let account = params.add(account_id.into());
        let sql = format!(
            "UPDATE contact SET sms_status = v.to_status, sms_status_at = v.status_at, \
             sms_status_source = v.source \
             FROM ({select}) AS v \
             WHERE contact.id = v.contact_id AND contact.account_id + 0 = {account} \
             AND contact.sms_status = v.from_status"
        );
        let done = txn
            .execute_raw(Statement::from_sql_and_values(backend, sql, params.values))
            .await?;
        if done.rows_affected() != self.rows as u64 {
            return Err(DbErr::Custom(STATUS_RACE.into()));
        }
        Ok(())
    }

    /// `SELECT <each column, typed> FROM <the JSON parameter's rows>`;
    /// `param` is the parameter's placeholder.
    fn select_sql(&self, postgres: bool, param: &str) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| match (postgres, c.pg_type) {
                (true, "text") => format!("e->>{i} AS {}", c.name),
                (true, ty) => format!("(e->>{i})::{ty} AS {}", c.name),
                (false, _) => format!("value->>{i} AS {}", c.name),
            })
            .collect();
        let source = match postgres {
            true => format!("jsonb_array_elements({param}::jsonb) AS e"),
            false => format!("json_each({param})"),
        };
        format!("SELECT {} FROM {source}", columns.join(", "))
    }

    /// Inserts the rows into `table`; each of `constants` is one more
    /// column with the same value on every row.
    async fn insert(
        self,
        txn: &DatabaseTransaction,
        table: &str,
        constants: &[(&str, Value)],
    ) -> Result<(), DbErr> {
        self.insert_or_update(txn, table, constants, "", &[]).await
    }

    /// [`Columns::insert`]; a row whose `conflict` key (`(a, b)`) exists
    /// instead sets the `update` columns to the row's (none: the plain
    /// insert).
    async fn insert_or_update(
        self,
        txn: &DatabaseTransaction,
        table: &str,
        constants: &[(&str, Value)],
        conflict: &str,
        update: &[&str],
    ) -> Result<(), DbErr> {
        if self.rows == 0 {
            return Ok(());
        }
        let backend = txn.get_database_backend();
        let mut params = Params::new(backend);
        let names: Vec<&str> = self
            .columns
            .iter()
            .map(|c| c.name)
            .chain(constants.iter().map(|(name, _)| *name))
            .collect();
        let constants: Vec<String> = constants
            .iter()
            .map(|(_, v)| params.add(v.clone()))
            .collect();
        let json_param = params.next();
        let select = self.select_sql(params.postgres(), &json_param);
        params.add(self.into_json()?.into());
        // `WHERE true`: SQLite reads `ON` after a `SELECT … FROM` as a join's.
        let upsert = match update {
            [] => String::new(),
            columns => format!(
                " WHERE true ON CONFLICT {conflict} DO UPDATE SET {}",
                columns
                    .iter()
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let sql = format!(
            "INSERT INTO {table} ({}) SELECT j.*{} FROM ({select}) AS j{upsert}",
            names.join(", "),
            constants
                .iter()
                .map(|c| format!(", {c}"))
                .collect::<String>(),
        );
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, params.values))
            .await?;
        Ok(())
    }

    /// [`CONTACT_COLUMNS`] rows of existing contacts: one
    /// `UPDATE contact … FROM (rows)`. The account check is written
    /// `account_id + 0` so that SQLite probes each row by id instead of
    /// scanning the account's contacts once per row (its plan with a plain
    /// `account_id = ?`, seen with `EXPLAIN QUERY PLAN`).
    async fn update_contacts(
        self,
        txn: &DatabaseTransaction,
        account_id: i64,
        now: Value,
        import_id: Option<i64>,
    ) -> Result<(), DbErr> {
        if self.rows == 0 {
            return Ok(());
        }
        let backend = txn.get_database_backend();
        let mut params = Params::new(backend);
        let now = params.add(now);
        // Every row of a batch belongs to the same import: one parameter.
        let import = match import_id {
            Some(id) => format!(", import_id = {}", params.add(id.into())),
            None => String::new(),
        };
        let json_param = params.next();
        let select = self.select_sql(params.postgres(), &json_param);
        params.add(self.into_json()?.into());
        let account = params.add(account_id.into());
        let sql = format!(
            "UPDATE contact SET first_name = v.first_name, last_name = v.last_name, \
             company = v.company, sort_name = v.sort_name, search_text = v.search_text, \
             sms_number = v.sms_number, reach = v.reach, \
             updated_at = {now}{import} \
             FROM ({select}) AS v \
             WHERE contact.id = v.id AND contact.account_id + 0 = {account}"
        );
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, params.values))
            .await?;
        Ok(())
    }
}

/// Bound values and their placeholders (`$n` on PostgreSQL, `?` on SQLite,
/// where the values must come in the order the placeholders appear).
struct Params {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Params {
    fn new(backend: DatabaseBackend) -> Self {
        Params {
            backend,
            values: Vec::new(),
        }
    }

    fn postgres(&self) -> bool {
        self.backend == DatabaseBackend::Postgres
    }

    /// The placeholder the next value will have.
    fn next(&self) -> String {
        match self.postgres() {
            true => format!("${}", self.values.len() + 1),
            false => "?".to_string(),
        }
    }

    fn add(&mut self, value: Value) -> String {
        let placeholder = self.next();
        self.values.push(value);
        placeholder
    }
}

/// PostgreSQL: the owner of each of `keys` that some contact of the account
/// already has, by one probe of the unique (account_id, kind, match_key)
/// index per key. Asked as `match_key = ANY($keys)`, PostgreSQL prices
/// thousands of probes above one read of every detail of that kind in the
/// account and filters those instead, which grows with the account where
/// the probes do not (`LIMIT 1` keeps the planner from turning them back
/// into a join it could hash).
async fn owners_by_probe(
    txn: &DatabaseTransaction,
    account_id: i64,
    kind: DetailKind,
    keys: &[String],
) -> Result<Vec<(i64, String)>, DbErr> {
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            PROBE_SQL,
            [
                Value::from(account_id),
                Value::from(kind.as_str()),
                Value::from(keys.to_vec()),
            ],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "contact_id")?, r.try_get("", "match_key")?)))
        .collect()
}

/// The lookup of [`owners_by_probe`]: account, kind, keys.
pub const PROBE_SQL: &str = "SELECT d.contact_id, d.match_key FROM unnest($3::text[]) AS k(key) \
     CROSS JOIN LATERAL (SELECT contact_id, match_key FROM contact_detail \
     WHERE account_id = $1 AND kind = $2 AND match_key = k.key LIMIT 1) AS d";

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
                    // The sequence is looked up once (an InitPlan), not once per id.
                    "SELECT nextval((SELECT pg_get_serial_sequence('contact', 'id'))::regclass) \
                     AS id FROM generate_series(1, $1)",
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
