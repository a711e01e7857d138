//! The bulk upsert behind an import: set-based, a few statements per batch,
//! never one query per row.
//!
//! Per batch, in one transaction:
//! 1. look up every incoming phone and e-mail among the account's details;
//! 2. an incoming contact that matches no one is created, one that matches
//!    one contact updates it (non-empty fields overwrite, new details and
//!    group memberships are added), one that matches two different contacts
//!    is refused as a conflict — never merged silently;
//! 3. missing groups are created; new contacts, details and memberships go
//!    in with one `INSERT … SELECT` per table, and changed contacts with one
//!    `UPDATE … FROM`, each reading the batch's rows from a single JSON
//!    parameter (see [`Columns`]).
//!
//! New contact ids are allocated up front (PostgreSQL: the sequence;
//! SQLite: past the table's high-water mark inside the write transaction),
//! so details can be inserted in the same round trip without relying on the
//! order of `RETURNING` rows.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;
use sea_orm::sea_query::{extension::postgres::PgFunc, BinOper, Expr, ExprTrait, IntoColumnRef};
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

/// What the upsert needs of a matched contact (read back without the
/// columns it never uses).
#[derive(Debug, Clone)]
struct ExistingContact {
    id: i64,
    first_name: String,
    last_name: String,
    company: String,
    sort_name: String,
}

#[derive(Debug, Clone)]
struct ExistingDetail {
    kind: String,
    match_key: String,
    position: i32,
    is_primary: bool,
}

/// The planner settings of the lookups, in one round trip (see
/// [`upsert_batch`]), and those of the writes after them.
pub const LOOKUP_SETTINGS: &str = "SET LOCAL plan_cache_mode = force_custom_plan; \
     SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off";
const WRITE_SETTINGS: &str = "SET LOCAL plan_cache_mode = auto; \
     SET LOCAL enable_bitmapscan = on; SET LOCAL enable_seqscan = on";

async fn upsert_batch(
    txn: &DatabaseTransaction,
    account_id: i64,
    batch: &[ImportContact],
    offset: usize,
    import_id: Option<i64>,
) -> Result<UpsertSummary, DbErr> {
    let mut summary = UpsertSummary::default();
    let now = Utc::now();
    let backend = txn.get_database_backend();
    let postgres = backend == DatabaseBackend::Postgres;
    if postgres {
        // The lookups below are prepared statements; PostgreSQL's generic
        // plan for them, chosen after five runs, trusts the table's last
        // statistics, and for a table that grew since (a first big import)
        // it filters the account's details instead of probing the key
        // index: ~1 s per lookup instead of ~15 ms (seen in the bench).
        // Custom plans for the lookups only: with them on, every
        // foreign-key check of the inserts re-plans its query (3× slower
        // inserts, seen with auto_explain), so they are off before writing.
        //
        // No bitmap scans: `match_key = ANY(…)` could otherwise run on the
        // trigram index that search uses (pg_trgm's GIN answers `=` too,
        // but by reading the posting list of every trigram of every key:
        // one lookup took 8.9 s at 80,000 details, seen with auto_explain).
        // A GIN index is only ever read by a bitmap scan; the unique
        // (account_id, kind, match_key) index needs none.
        //
        // Nor sequential scans: without statistics (a table never analyzed)
        // a small table looks cheaper to read than to probe, and it grows
        // under the lookup while other chunks write (one lookup read the
        // whole table per key for 26 s, seen in the bench). Probes by key
        // are right at any size, and the key index is the only one they
        // can use (migration m20261203_000009).
        txn.execute_unprepared(LOOKUP_SETTINGS).await?;
    }

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
            let rows: Vec<(i64, String)> = if postgres {
                owners_by_probe(txn, account_id, kind, chunk).await?
            } else {
                contact_detail::Entity::find()
                    .select_only()
                    .column(contact_detail::Column::ContactId)
                    .column(contact_detail::Column::MatchKey)
                    .filter(contact_detail::Column::AccountId.eq(account_id))
                    .filter(contact_detail::Column::Kind.eq(kind.as_str()))
                    .filter(one_of(
                        backend,
                        (contact_detail::Entity, contact_detail::Column::MatchKey),
                        chunk.to_vec(),
                    ))
                    .into_tuple()
                    .all(txn)
                    .await?
            };
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
    let mut existing: HashMap<i64, ExistingContact> = HashMap::new();
    let mut existing_details: HashMap<i64, Vec<ExistingDetail>> = HashMap::new();
    let mut existing_groups: HashSet<(i64, i64)> = HashSet::new();
    for chunk in matched_ids.chunks(KEYS_PER_QUERY) {
        let rows: Vec<(i64, String, String, String, String)> = contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .column(contact::Column::FirstName)
            .column(contact::Column::LastName)
            .column(contact::Column::Company)
            .column(contact::Column::SortName)
            // `account_id + 0`: still checked, but not an index SQLite
            // could pick over the ids (it scanned the account's contacts).
            .filter(
                Expr::col((contact::Entity, contact::Column::AccountId))
                    .add(0)
                    .eq(account_id),
            )
            .filter(one_of(
                backend,
                (contact::Entity, contact::Column::Id),
                chunk.to_vec(),
            ))
            .into_tuple()
            .all(txn)
            .await?;
        for (id, first_name, last_name, company, sort_name) in rows {
            let c = ExistingContact {
                id,
                first_name,
                last_name,
                company,
                sort_name,
            };
            existing.insert(id, c);
        }
        let rows: Vec<(i64, String, String, i32, bool)> = contact_detail::Entity::find()
            .select_only()
            .column(contact_detail::Column::ContactId)
            .column(contact_detail::Column::Kind)
            .column(contact_detail::Column::MatchKey)
            .column(contact_detail::Column::Position)
            .column(contact_detail::Column::IsPrimary)
            .filter(contact_detail::Column::AccountId.eq(account_id))
            .filter(one_of(
                backend,
                (contact_detail::Entity, contact_detail::Column::ContactId),
                chunk.to_vec(),
            ))
            .into_tuple()
            .all(txn)
            .await?;
        for (contact_id, kind, match_key, position, is_primary) in rows {
            existing_details
                .entry(contact_id)
                .or_default()
                .push(ExistingDetail {
                    kind,
                    match_key,
                    position,
                    is_primary,
                });
        }
        let rows: Vec<(i64, i64)> = group_member::Entity::find()
            .select_only()
            .column(group_member::Column::ContactId)
            .column(group_member::Column::GroupId)
            .filter(group_member::Column::AccountId.eq(account_id))
            .filter(one_of(
                backend,
                (group_member::Entity, group_member::Column::ContactId),
                chunk.to_vec(),
            ))
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
    let mut new_contacts = Columns::new(&CONTACT_COLUMNS);
    let mut new_details = Columns::new(&DETAIL_COLUMNS);
    let mut new_members = Columns::new(&MEMBER_COLUMNS);
    for (c, &id) in to_create.iter().zip(&ids) {
        let (sort_name, search_text) = derived_columns(
            c.stored_first_name(),
            &c.last_name,
            &c.company,
            c.details.first().map(|d| d.value.as_str()),
        );
        new_contacts.push([
            id.into(),
            c.stored_first_name().into(),
            c.last_name.as_str().into(),
            c.company.as_str().into(),
            sort_name.as_str().into(),
            search_text.as_str().into(),
        ]);
        add_details(id, c, &[], &mut new_details);
        for g in &c.groups {
            if let Some(&gid) = group_ids.get(&g.to_lowercase()) {
                new_members.push([gid.into(), id.into()]);
            }
        }
    }
    summary.created = new_contacts.len();

    // 5. Matched contacts: what changes.
    let mut updates = Columns::new(&CONTACT_COLUMNS);
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
        add_details(*id, c, olds, &mut new_details);
        let mut changed = new_details.len() > before;
        for g in &c.groups {
            if let Some(&gid) = group_ids.get(&g.to_lowercase()) {
                if existing_groups.insert((*id, gid)) {
                    new_members.push([gid.into(), (*id).into()]);
                    changed = true;
                }
            }
        }
        let fields_changed = (&new.first_name, &new.last_name, &new.company)
            != (&old.first_name, &old.last_name, &old.company);
        if fields_changed || changed {
            // Still nameless: it keeps sorting under its first detail.
            let (sort_name, search_text) = derived_columns(
                &new.first_name,
                &new.last_name,
                &new.company,
                Some(&old.sort_name),
            );
            updates.push([
                new.id.into(),
                new.first_name.as_str().into(),
                new.last_name.as_str().into(),
                new.company.as_str().into(),
                sort_name.as_str().into(),
                search_text.as_str().into(),
            ]);
            summary.updated += 1;
        } else {
            summary.unchanged += 1;
        }
    }

    // 6. Write.
    if postgres {
        txn.execute_unprepared(WRITE_SETTINGS).await?;
    }
    let import: Value = import_id.into();
    let account: Value = account_id.into();
    new_contacts
        .insert(
            txn,
            "contact",
            &[
                ("account_id", account.clone()),
                ("created_at", now.into()),
                ("updated_at", now.into()),
                ("import_id", import),
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
        .insert(txn, "group_member", &[("account_id", account)])
        .await?;
    // Last, so that two chunks in flight wait on the account's row only for
    // the end of each other's transaction.
    let created = i64::try_from(summary.created).unwrap_or(i64::MAX);
    super::store::count_contacts(txn, account_id, created).await?;
    Ok(summary)
}

/// A column of [`Columns`]: its name, and its type in PostgreSQL.
struct Column {
    name: &'static str,
    pg_type: &'static str,
}

const fn col(name: &'static str, pg_type: &'static str) -> Column {
    Column { name, pg_type }
}

static CONTACT_COLUMNS: [Column; 6] = [
    col("id", "bigint"),
    col("first_name", "text"),
    col("last_name", "text"),
    col("company", "text"),
    col("sort_name", "text"),
    col("search_text", "text"),
];
static DETAIL_COLUMNS: [Column; 7] = [
    col("contact_id", "bigint"),
    col("kind", "text"),
    col("value", "text"),
    col("match_key", "text"),
    col("label", "text"),
    col("is_primary", "boolean"),
    col("position", "integer"),
];
static MEMBER_COLUMNS: [Column; 2] = [col("group_id", "bigint"), col("contact_id", "bigint")];

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
/// the batch. Binding each value separately cost more on the client than
/// the insert on the server (every value is copied and allocated several
/// times on its way through the driver: measured with perf, 60% of the
/// import's time in malloc).
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

    fn len(&self) -> usize {
        self.rows
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
        let sql = format!(
            "INSERT INTO {table} ({}) SELECT j.*{} FROM ({select}) AS j",
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

/// Rows for the details of `c` that `contact_id` does not have yet; the
/// first of each kind is primary when the contact has none of that kind.
fn add_details(contact_id: i64, c: &ImportContact, existing: &[ExistingDetail], out: &mut Columns) {
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
        out.push([
            contact_id.into(),
            kind.as_str().into(),
            d.value.as_str().into(),
            key.as_str().into(),
            d.label.as_str().into(),
            is_primary.into(),
            next_position.into(),
        ]);
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
    // In one order for every transaction: two chunks creating the same
    // groups at once then wait for each other instead of deadlocking.
    let mut keys: Vec<String> = wanted.keys().cloned().collect();
    keys.sort();
    let backend = txn.get_database_backend();
    let find = |keys: Vec<String>| {
        contact_group::Entity::find()
            .select_only()
            .column(contact_group::Column::NameKey)
            .column(contact_group::Column::Id)
            .filter(contact_group::Column::AccountId.eq(account_id))
            .filter(one_of(
                backend,
                (contact_group::Entity, contact_group::Column::NameKey),
                keys,
            ))
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
        // Another chunk of the same import (two are in flight) may be
        // creating the same group right now: the second insert waits for
        // the first to commit, then does nothing, and the lookup below finds
        // the group (each statement sees what was committed before it, on
        // PostgreSQL; SQLite writes one chunk at a time anyway).
        for chunk in missing.chunks(ROWS_PER_INSERT) {
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
        for chunk in missing_keys.chunks(KEYS_PER_QUERY) {
            ids.extend(find(chunk.to_vec()).all(txn).await?);
        }
    }
    Ok(ids)
}

/// PostgreSQL: the owner of each of `keys` that some contact of the account
/// already has, by one probe of the unique (account_id, kind, match_key)
/// index per key. Asked as `match_key = ANY($keys)`, PostgreSQL prices 2,000
/// probes above one read of every detail of that kind in the account and
/// filters those instead: 14.7 ms a lookup at 100,000 details, growing with
/// the account, where the probes take 3–5 ms whatever its size (`LIMIT 1`
/// keeps the planner from turning them back into a join it could hash).
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
                    // The sequence is named once (an InitPlan), not once per
                    // id: 5.6 ms for 2,000 ids against under 1 ms.
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
