//! The store: every read and write of contacts and groups, scoped by account.
//!
//! Writes that touch several tables run in one transaction. The unique
//! (account, kind, value) index is the final word on "a detail belongs to one
//! contact": the store checks first to name the other contact, and maps a lost
//! race on the index to the same conflict.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, LikeExpr, Order, PostgresQueryBuilder, Query,
    SelectStatement, UnionType,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectOptions, ConnectionTrait, Database,
    DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, NotSet,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, SqlErr,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use super::entity::{
    account, contact, contact_detail, contact_field_value, contact_group, group_member,
    sms_status_event,
};
use super::error::{Missing, StoreError};
use super::migration::Migrator;
use crate::import::consent::{person_change, sms_number, PhoneLine, Reach, SmsChange, StatusIssue};
use crate::import::contact::derived_columns;
use crate::import::validate::match_key;
use crate::import::{
    line_type_of, normalize_email, normalize_phone, DetailKind, FieldIssue, FieldPath, GroupName,
    IssueKind, LineType, Region, SmsStatus, ValidContact, ValidDetail,
};
use crate::model::{
    display_name, ContactPage, ContactQuery, ContactView, DetailView, GroupFilter, GroupRef,
    GroupView, SmsEventView, SmsFilter, SortOrder, COUNT_CAP,
};

/// Matches past which a search walks the sort order instead of gathering
/// every match through the trigram index ([`Store::matches_many`]).
const MANY_MATCHES: u64 = 1_000;

/// A custom field's value held by at least one in this many of the
/// account's contacts is paged by walking the sort order
/// ([`Store::field_value_page`]).
const COMMON_VALUE_SHARE: u64 = 100;

/// How much of a SQLite file its connections read through a memory map.
const MMAP_SIZE: u64 = 256 * 1024 * 1024;

/// The page cache of each connection an export reads through on SQLite
/// ([`Store::for_long_reads`]), in bytes.
const LONG_READ_CACHE: u64 = 16 * 1024 * 1024;

/// How many exports read a SQLite file at once; more wait their turn.
const LONG_READ_CONNECTIONS: u32 = 2;

/// The advisory lock key under which PostgreSQL migrations run.
const MIGRATION_LOCK: i64 = 0x636f_6e74_6163_7473; // "contacts"

/// Opens a pool on `url` (`sqlite://…`, `sqlite::memory:`, `postgres://…`).
/// SQLite files are created if missing and run in WAL mode.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    Database::connect(connect_options(url)).await
}

/// The pool options [`connect`] uses, for callers that add to them (tests
/// that give each PostgreSQL test its own schema). For PostgreSQL they hold
/// a per-connection hook (see `nodelay`), which replaces SeaORM's
/// `set_schema_search_path` hook: give a schema in the URL instead
/// (`?options=-c%20search_path%3Dname`).
pub fn connect_options(url: &str) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite") {
        if url.contains(":memory:") {
            // Each connection of a pool would otherwise get its own empty database.
            opts.max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        } else {
            opts.max_connections(8);
        }
        opts.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                // Writes of this process take turns (Store::write_turn); this
                // covers another process writing the same file (`contacts
                // import` beside a running server).
                .busy_timeout(Duration::from_secs(30))
                // Reads through the operating system's page cache, shared
                // by the pool's connections, instead of copying each page
                // into every connection's own cache: a search walking
                // 7,500 contacts in name order took 11 ms, then 4 ms
                // (BENCHMARKS.md).
                .pragma("mmap_size", MMAP_SIZE.to_string())
        });
    } else if url.starts_with("postgres") {
        let port = url
            .parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
            .map(|o| o.get_port())
            .unwrap_or(5432);
        opts.map_sqlx_postgres_pool_opts(move |pool| {
            pool.after_connect(move |_, _| {
                Box::pin(async move {
                    super::nodelay::set_on_sockets_to(port);
                    Ok(())
                })
            })
        });
    }
    opts
}

#[derive(Clone, Debug)]
pub struct Store {
    pub(super) db: DatabaseConnection,
    /// Every write on SQLite, one at a time ([`Store::write_turn`]).
    writes: Arc<tokio::sync::Mutex<()>>,
    /// How many of an account's contacts a search matching very many of
    /// them reads to count them ([`Store::scan_page`]).
    count_budget: u64,
    /// The connection an export reads through ([`Store::for_long_reads`]),
    /// opened on first use.
    long_reads: Arc<tokio::sync::OnceCell<DatabaseConnection>>,
}

/// The contacts a search matching very many reads to count them: about
/// 2 ms (reading and testing a contact costs about 0.1 µs; BENCHMARKS.md).
pub const COUNT_BUDGET: u64 = 20_000;

/// A write's turn: held until the write commits (on SQLite; nothing to
/// hold on PostgreSQL).
pub(crate) type WriteTurn<'a> = Option<tokio::sync::MutexGuard<'a, ()>>;

impl Store {
    pub fn new(db: DatabaseConnection) -> Self {
        Store {
            db,
            writes: Arc::default(),
            count_budget: COUNT_BUDGET,
            long_reads: Arc::default(),
        }
    }

    /// This store with another [`COUNT_BUDGET`] (tests, tuning).
    pub fn with_count_budget(mut self, rows: u64) -> Self {
        self.count_budget = std::cmp::max(rows, 1);
        self
    }

    /// Waits for this write's turn. SQLite has one writer: a transaction
    /// that read before another committed cannot upgrade to write
    /// (`SQLITE_BUSY_SNAPSHOT`, which waiting does not cure), and a writer
    /// that waits too long for the lock fails (`database is locked`). So on
    /// SQLite every write of the process (a chunk, a colleague's save, a
    /// session, a login attempt) takes its turn here, in arrival order, and
    /// none fails because another is writing. PostgreSQL's row locks let
    /// writes run side by side.
    pub(crate) async fn write_turn(&self) -> WriteTurn<'_> {
        match self.db.get_database_backend() {
            DatabaseBackend::Sqlite => Some(self.writes.lock().await),
            _ => None,
        }
    }

    /// A write transaction begun in its turn ([`Store::write_turn`]): keep
    /// the turn until the transaction ends.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<(WriteTurn<'_>, sea_orm::DatabaseTransaction), DbErr> {
        let turn = self.write_turn().await;
        Ok((turn, self.db.begin().await?))
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// This store reading through connections fit for reading a whole
    /// account (an export): on a SQLite file, a pool of its own whose
    /// connections read the file through SQLite's page cache
    /// ([`LONG_READ_CACHE`] each) rather than through a memory map. A map
    /// keeps every page an export touched resident in the server, up to
    /// [`MMAP_SIZE`] per connection that read it: a 1,000,000-contact export
    /// held 560–788 MiB that way, its heap 27–32 MiB (BENCHMARKS.md). The
    /// list keeps the map (a page of it reads few pages, many times).
    /// PostgreSQL and an in-memory database (one connection: the database)
    /// read as they are.
    pub async fn for_long_reads(&self) -> Result<Store, DbErr> {
        if self.db.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(self.clone());
        }
        let pool = self.db.get_sqlite_connection_pool();
        // An in-memory database lives in its pool's one connection.
        if pool.options().get_max_connections() <= 1 {
            return Ok(self.clone());
        }
        let db = self
            .long_reads
            .get_or_try_init(|| async {
                let options = (*pool.connect_options())
                    .clone()
                    .pragma("mmap_size", "0")
                    .pragma("cache_size", format!("-{}", LONG_READ_CACHE / 1024));
                let long = sea_orm::sqlx::pool::PoolOptions::<sea_orm::sqlx::Sqlite>::new()
                    .max_connections(LONG_READ_CONNECTIONS)
                    .min_connections(0)
                    .acquire_timeout(Duration::from_secs(10))
                    .idle_timeout(Some(Duration::from_secs(60)))
                    .connect_with(options)
                    .await
                    .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))?;
                Ok::<_, DbErr>(sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(long))
            })
            .await?;
        Ok(Store {
            db: db.clone(),
            ..self.clone()
        })
    }

    /// Applies every pending migration. On PostgreSQL, servers started
    /// together take turns (a transaction-scoped advisory lock): the first
    /// migrates, the others then find nothing pending.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            return Migrator::up(&self.db, None).await;
        }
        let txn = self.db.begin().await?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await
    }

    /// Whether this store can serve: the database answers and holds every
    /// migration this binary knows (one it does not know, applied by a
    /// newer version in a rolling deploy, is fine). Read-only: a probe
    /// creates nothing. Else why not, for the load balancer's log.
    pub async fn ready(&self) -> Result<(), String> {
        let backend = self.db.get_database_backend();
        let applied: std::collections::HashSet<String> = self
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT version FROM seaql_migrations",
            ))
            .await
            .map_err(|e| format!("the database does not answer, or has no migrations: {e}"))?
            .iter()
            .filter_map(|row| row.try_get::<String>("", "version").ok())
            .collect();
        let pending = Migrator::migrations()
            .iter()
            .filter(|m| !applied.contains(m.name()))
            .count();
        if pending == 0 {
            Ok(())
        } else {
            Err(format!("{pending} database migrations are pending"))
        }
    }

    /// The first account, created with `region` as its default phone region
    /// when there is none (the command line imports into it before anyone
    /// signs up; the first sign-up takes it over).
    pub async fn ensure_default_account(&self, region: Region) -> Result<account::Model, DbErr> {
        let existing = account::Entity::find()
            .order_by_asc(account::Column::Id)
            .one(&self.db)
            .await?;
        match existing {
            Some(a) => Ok(a),
            None => self.create_account("My contacts", region).await,
        }
    }

    pub async fn create_account(
        &self,
        name: &str,
        region: Region,
    ) -> Result<account::Model, DbErr> {
        let _turn = self.write_turn().await;
        insert_account(&self.db, name, region).await
    }

    pub async fn account(&self, account_id: i64) -> Result<Option<account::Model>, DbErr> {
        account::Entity::find_by_id(account_id).one(&self.db).await
    }

    // ---------------------------------------------------------------- contacts

    /// One page of contacts matching `query`, with their details and groups
    /// (three queries whatever the page size).
    pub async fn list_contacts(
        &self,
        account_id: i64,
        region: Region,
        query: &ContactQuery,
    ) -> Result<ContactPage, DbErr> {
        let Some(query) = self.resolve_query(account_id, region, query).await? else {
            // A value the field cannot hold ("abc" for a number): no contact has it.
            return self
                .page_of(account_id, Vec::new(), 0, query.page(), query.per_page())
                .await;
        };
        let query = &query;
        let mut select = contact::Entity::find().filter(contact::Column::AccountId.eq(account_id));
        let search = search_branches(
            self.db.get_database_backend(),
            account_id,
            region,
            &query.search,
        );
        let searching = !search.is_empty();
        let only_group_filter = !searching
            && query.import.is_none()
            && query.sms == SmsFilter::All
            && query.field.is_none();
        let filters = list_filters(account_id, query);
        select = select.filter(filters.clone());
        let (first, then) = match query.sort {
            SortOrder::Name => (contact::Column::SortName, contact::Column::Id),
            SortOrder::Updated => (contact::Column::UpdatedAt, contact::Column::Id),
        };
        if searching {
            if self.matches_many(account_id, &query.search).await? {
                // Most contacts match: walk the sort order and keep the
                // matching ones until the page is full, instead of finding
                // every match through the trigram index and sorting them
                // (BENCHMARKS.md).
                // The names as a plain `LIKE` each row is tested with; the
                // details still through their trigram index (one list).
                let mut scan = search;
                if let Some(names) =
                    search_branches(DatabaseBackend::Postgres, account_id, region, &query.search)
                        .into_iter()
                        .next()
                {
                    scan[0] = names;
                }
                return self
                    .scan_page(account_id, select, filters, scan, query, first, then)
                    .await;
            }
            return self
                .search_page(account_id, select, search, query, first, then)
                .await;
        }
        if let Some(f) = query.field.as_ref().filter(|_| {
            query.group == GroupFilter::All && query.import.is_none() && query.sms == SmsFilter::All
        }) {
            if let Some(page) = self
                .field_value_page(account_id, f, query, first, then)
                .await?
            {
                return Ok(page);
            }
        }
        let total = match query.group {
            // Every contact: the account keeps the count.
            GroupFilter::All if only_group_filter => self.contact_count(account_id).await?,
            // A group's size is its membership count; with no group, the
            // contacts less those in some group. Both read small indexes
            // instead of joining every contact (memberships belong to the
            // account's own contacts: see `write_memberships`).
            GroupFilter::Group(group_id) if only_group_filter => {
                group_member::Entity::find()
                    .filter(group_member::Column::AccountId.eq(account_id))
                    .filter(group_member::Column::GroupId.eq(group_id))
                    .count(&self.db)
                    .await?
            }
            GroupFilter::None if only_group_filter => {
                let all = self.contact_count(account_id).await?;
                let grouped: Option<i64> = group_member::Entity::find()
                    .select_only()
                    .column_as(
                        Expr::from(sea_orm::sea_query::Func::count_distinct(Expr::col(
                            group_member::Column::ContactId,
                        ))),
                        "n",
                    )
                    .filter(group_member::Column::AccountId.eq(account_id))
                    .into_tuple()
                    .one(&self.db)
                    .await?;
                all.saturating_sub(u64::try_from(grouped.unwrap_or(0)).unwrap_or(0))
            }
            _ => select.clone().count(&self.db).await?,
        };
        let per_page = query.per_page();
        let page = query.page();
        let offset = (page - 1).saturating_mul(per_page);
        // Past the middle, read the page from the other end: the database
        // then steps over the rows after it instead of all those before it,
        // so the last page costs what the first does.
        let from_end = offset < total && offset > total / 2;
        let ascending = (query.sort == SortOrder::Name) != from_end;
        let order = if ascending { Order::Asc } else { Order::Desc };
        select = select.order_by(first, order.clone()).order_by(then, order);
        let mut rows = if from_end {
            let take = std::cmp::min(per_page, total - offset);
            select
                .limit(take)
                .offset(total - offset - take)
                .all(&self.db)
                .await?
        } else {
            select.limit(per_page).offset(offset).all(&self.db).await?
        };
        if from_end {
            rows.reverse();
        }
        self.page_of(account_id, rows, total, page, per_page).await
    }

    /// A page of the contacts holding a custom field's value, the field
    /// filter alone; `None` where the general path serves it better.
    ///
    /// * In name order, any value: a range of the value index, which holds
    ///   each holder's sort name (migration 16): the page's offset and rows
    ///   read from it, then those contacts; counted up to [`COUNT_CAP`]
    ///   ("10,000+"). "City = Leeds" (100,000 of 1,000,000 contacts) cost
    ///   70 ms on SQLite to gather and sort, 80 ms more to count, then
    ///   117 / 182 ms p50 / p99 at 32 clients walking the names
    ///   (BENCHMARKS.md).
    /// * Most recent first, a value many contacts hold (at least
    ///   [`MANY_MATCHES`], and one in [`COMMON_VALUE_SHARE`]): the contacts
    ///   walked in that order, each probed for the value
    ///   ([`Store::common_value_walk`]); a rarer value is `None`: its
    ///   holders gathered through the value index and sorted.
    async fn field_value_page(
        &self,
        account_id: i64,
        filter: &crate::model::FieldFilter,
        query: &ContactQuery,
        first: contact::Column,
        then: contact::Column,
    ) -> Result<Option<ContactPage>, DbErr> {
        let backend = self.db.get_database_backend();
        let by_name = query.sort == SortOrder::Name;
        // Most recent first, the account's size tells a common value.
        let all = if by_name {
            0
        } else {
            self.contact_count(account_id).await?
        };
        // Counted up to the cap of the total shown ("10,000+"), and most
        // recent first far enough to tell one contact in a hundred (10,001
        // at 1,000,000 contacts): by the field alone (it is the account's:
        // `resolve_query` found it there), so the value index answers
        // without reading the rows: on PostgreSQL, testing the account read
        // a row per entry (20 ms for 20,000 entries against about 3 for the
        // page itself).
        let enough = std::cmp::max(COUNT_CAP, all / COMMON_VALUE_SHARE) + 1;
        let holders = Query::select()
            .expr(Expr::val(1))
            .from(contact_field_value::Entity)
            .and_where(contact_field_value::Column::FieldId.eq(filter.field_id))
            .and_where(contact_field_value::Column::ValueKey.eq(filter.value.as_str()))
            .limit(enough)
            .to_owned();
        let count = backend.build(
            Query::select()
                .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                .from_subquery(holders, Alias::new("holders")),
        );
        let matches = match self.db.query_one_raw(count).await? {
            Some(row) => u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0),
            None => 0,
        };
        // Most recent first, the walk serves a value held by at least
        // [`MANY_MATCHES`] and one contact in [`COMMON_VALUE_SHARE`]: about
        // a hundred probes per row shown at most (2,600 for a page: 3 ms on
        // PostgreSQL), where gathering and sorting them all costs more.
        if !by_name && (matches < MANY_MATCHES || matches.saturating_mul(COMMON_VALUE_SHARE) < all)
        {
            return Ok(None);
        }
        let per_page = query.per_page();
        let page = query.page();
        let offset = (page - 1).saturating_mul(per_page);
        let mut rows = if by_name {
            // A range of the value index, then the page's contacts.
            let p = |n: usize| match backend {
                DatabaseBackend::Postgres => format!("${n}"),
                _ => "?".to_string(),
            };
            let sql = format!(
                "SELECT contact.* FROM (SELECT contact_id, sort_name FROM contact_field_value \
                 WHERE field_id = {} AND value_key = {} ORDER BY sort_name, contact_id \
                 LIMIT {} OFFSET {}) AS page JOIN contact ON contact.id = page.contact_id \
                 WHERE contact.account_id = {} ORDER BY page.sort_name, page.contact_id",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5)
            );
            contact::Entity::find()
                .from_raw_sql(sea_orm::Statement::from_sql_and_values(
                    backend,
                    sql,
                    [
                        filter.field_id.into(),
                        filter.value.as_str().into(),
                        i64::try_from(per_page + 1).unwrap_or(i64::MAX).into(),
                        i64::try_from(offset).unwrap_or(i64::MAX).into(),
                        account_id.into(),
                    ],
                ))
                .all(&self.db)
                .await?
        } else {
            self.common_value_walk(account_id, filter, first, then, per_page, offset)
                .await?
        };
        let follows = rows.len() as u64 > per_page;
        rows.truncate(per_page as usize);
        let through = offset + rows.len() as u64;
        let (total, more) = if !follows && (!rows.is_empty() || offset == 0) {
            // The matches end on this page: they number exactly this many.
            (through, false)
        } else if matches > COUNT_CAP {
            // Past the end (no rows) claims no more than the cap.
            (
                std::cmp::max(COUNT_CAP, offset_if_any(&rows, through)),
                true,
            )
        } else {
            (matches, false)
        };
        let mut view = self
            .page_of(account_id, rows, total, page, per_page)
            .await?;
        view.more = more;
        Ok(Some(view))
    }

    /// A page of a common value's holders, most recent first: the contacts
    /// walked in that order, each probed for the value. Quick when the
    /// holders are spread through the order (a value held by one contact in
    /// ten: about ten probes per row shown); slow when they bunch at its
    /// end (the import's order usually spreads them).
    async fn common_value_walk(
        &self,
        account_id: i64,
        filter: &crate::model::FieldFilter,
        first: contact::Column,
        then: contact::Column,
        per_page: u64,
        offset: u64,
    ) -> Result<Vec<contact::Model>, DbErr> {
        let order = Order::Desc;
        // The value, probed for each contact read in sort order.
        let holds = Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(contact_field_value::Entity)
                .and_where(
                    Expr::col((
                        contact_field_value::Entity,
                        contact_field_value::Column::ContactId,
                    ))
                    .equals((contact::Entity, contact::Column::Id)),
                )
                .and_where(contact_field_value::Column::FieldId.eq(filter.field_id))
                .and_where(contact_field_value::Column::ValueKey.eq(filter.value.as_str()))
                .to_owned(),
        );
        contact::Entity::find()
            .filter(contact::Column::AccountId.eq(account_id))
            .filter(holds)
            .order_by(first, order.clone())
            .order_by(then, order)
            .limit(per_page + 1)
            .offset(offset)
            .all(&self.db)
            .await
    }

    /// `rows` with their details and groups, as page `page` of `total`.
    async fn page_of(
        &self,
        account_id: i64,
        rows: Vec<contact::Model>,
        total: u64,
        page: u64,
        per_page: u64,
    ) -> Result<ContactPage, DbErr> {
        Ok(ContactPage {
            contacts: self.views(account_id, rows).await?,
            total,
            more: false,
            page,
            per_page,
        })
    }

    /// One page of a search's matches and how many there are, in one
    /// statement: the contacts each branch of the search finds (see
    /// [`search_branches`]), their union, and `COUNT(*) OVER ()` beside the
    /// page's rows, so the matches are found once, not once to count them
    /// and again for the page.
    ///
    /// The branches are whole rows joined by a `UNION`, not ids gathered
    /// first and looked up again (`id IN (names ∪ details)`): with 11,000
    /// contacts matching among 1,000,000, PostgreSQL joined those ids to a
    /// read of every contact. Each statement is planned for its own search
    /// text ([`Store::planned_per_text`]; BENCHMARKS.md has both).
    async fn search_page(
        &self,
        account_id: i64,
        select: sea_orm::Select<contact::Entity>,
        branches: Vec<Condition>,
        query: &ContactQuery,
        first: contact::Column,
        then: contact::Column,
    ) -> Result<ContactPage, DbErr> {
        let backend = self.db.get_database_backend();
        let per_page = query.per_page();
        let page = query.page();
        let offset = (page - 1).saturating_mul(per_page);
        let order = match query.sort {
            SortOrder::Name => Order::Asc,
            SortOrder::Updated => Order::Desc,
        };
        let mut branches = branches
            .into_iter()
            .map(|cond| select.clone().filter(cond).into_query());
        let Some(mut matched) = branches.next() else {
            // Not a search: the caller comes with at least one branch.
            return self
                .page_of(account_id, Vec::new(), 0, page, per_page)
                .await;
        };
        for branch in branches {
            matched.union(UnionType::Distinct, branch);
        }
        let m = Alias::new("matched");
        let statement = backend.build(
            Query::select()
                .column(Asterisk)
                .expr_as(Expr::cust("COUNT(*) OVER ()"), Alias::new("matches"))
                .from_subquery(matched.clone(), m.clone())
                .order_by((m.clone(), first), order.clone())
                .order_by((m.clone(), then), order)
                .limit(per_page)
                .offset(offset),
        );
        let txn = self.planned_per_text().await?;
        let mut total = None;
        let mut rows = Vec::new();
        for row in txn.query_all_raw(statement).await? {
            total = Some(row.try_get::<i64>("", "matches")?);
            rows.push(contact::Model::from_query_result(&row, "")?);
        }
        // A page past the last match has no row to carry the count.
        let total = match total {
            Some(n) => n,
            None if offset == 0 => 0,
            None => {
                let count = backend.build(
                    Query::select()
                        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                        .from_subquery(matched, m),
                );
                match txn.query_one_raw(count).await? {
                    Some(row) => row.try_get::<i64>("", "n")?,
                    None => 0,
                }
            }
        };
        let total = u64::try_from(total).unwrap_or(0);
        txn.commit().await?;
        self.page_of(account_id, rows, total, page, per_page).await
    }

    /// A read-only transaction whose statements PostgreSQL plans for their
    /// own search text: a prepared statement run a few times gets a generic
    /// plan, made without the text, which cannot tell a word in a hundred
    /// contacts from one in all of them.
    async fn planned_per_text(&self) -> Result<sea_orm::DatabaseTransaction, DbErr> {
        let txn = self.db.begin().await?;
        if self.db.get_database_backend() == DatabaseBackend::Postgres {
            txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
                .await?;
        }
        Ok(txn)
    }

    /// Whether a search's names branch matches more than [`MANY_MATCHES`]
    /// contacts of the account, asked with a limit (a few ms). On SQLite,
    /// finding 100,000 matches through the trigram index costs 104 ms and a
    /// scan of every contact 14 ms, and a page of them in name order 0.23 ms
    /// by walking the sort index; on PostgreSQL, gathering and sorting every
    /// match cost 1.9 s at 32 clients for a word nearly all contacts hold
    /// (BENCHMARKS.md). The probe reads SQLite's trigram table, and on
    /// PostgreSQL the contacts, which its planner reads through the trigram
    /// index for a rare word and in table order for a common one.
    async fn matches_many(&self, account_id: i64, raw: &str) -> Result<bool, DbErr> {
        let backend = self.db.get_database_backend();
        let q = raw.trim().to_lowercase();
        let names_searched = !q.is_empty() && !q.contains('@') && !looks_like_phone(&q);
        if !names_searched {
            return Ok(false);
        }
        if backend == DatabaseBackend::Postgres {
            return Ok(self.estimated_name_matches(account_id, &q).await? >= MANY_MATCHES);
        }
        let probe = backend.build(
            Query::select()
                .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                .from_subquery(
                    fts_rowids("contact_search", "search_text", &q)
                        .limit(MANY_MATCHES)
                        .to_owned(),
                    Alias::new("probe"),
                ),
        );
        let n = match self.db.query_one_raw(probe).await? {
            Some(row) => row.try_get::<i64>("", "n")?,
            None => 0,
        };
        Ok(n >= MANY_MATCHES as i64)
    }

    /// PostgreSQL's estimate of the account's contacts whose names hold
    /// `q`, from its statistics (the planner tests the pattern against a
    /// sample of the column: 8,201 for a word 10,008 contacts hold, 101,482
    /// for one in 99,900, 10 for a name in one): planning only, where
    /// counting even up to a limit reads the trigram index as the search
    /// itself then does again.
    async fn estimated_name_matches(&self, account_id: i64, q: &str) -> Result<u64, DbErr> {
        let names = Query::select()
            .expr(Expr::val(1))
            .from(contact::Entity)
            .and_where(contact::Column::AccountId.eq(account_id))
            .and_where(contact::Column::SearchText.like(like_pattern(q)))
            .to_owned();
        // Values inline: an EXPLAIN of a prepared statement plans without them.
        let explain = sea_orm::Statement::from_string(
            DatabaseBackend::Postgres,
            format!("EXPLAIN {}", names.to_string(PostgresQueryBuilder)),
        );
        let top = match self.db.query_one_raw(explain).await? {
            Some(row) => row.try_get::<String>("", "QUERY PLAN")?,
            None => String::new(),
        };
        Ok(plan_rows(&top).unwrap_or(0))
    }

    /// A page of a search that matches many contacts: the branches OR-ed
    /// into one filter on the account's contacts in sort order (the
    /// database walks its sort index and stops when the page is full), and
    /// the count by one pass over the contacts that stops at [`COUNT_CAP`]
    /// matches ("10,000+"; `more`).
    #[allow(
        clippy::too_many_arguments,
        reason = "the list's parts, as search_page takes them"
    )]
    async fn scan_page(
        &self,
        account_id: i64,
        select: sea_orm::Select<contact::Entity>,
        filters: Condition,
        branches: Vec<Condition>,
        query: &ContactQuery,
        first: contact::Column,
        then: contact::Column,
    ) -> Result<ContactPage, DbErr> {
        let backend = self.db.get_database_backend();
        let per_page = query.per_page();
        let page = query.page();
        let offset = (page - 1).saturating_mul(per_page);
        let order = match query.sort {
            SortOrder::Name => Order::Asc,
            SortOrder::Updated => Order::Desc,
        };
        let search = branches
            .into_iter()
            .fold(Condition::any(), |any, branch| any.add(branch));
        // Counted by one pass over at most `count_budget` of the account's
        // contacts, up to the cap. On SQLite `+account_id` keeps it from
        // reaching each row through the account's index (90 ms instead of
        // 14 ms for 100,000 contacts); PostgreSQL chooses with its
        // statistics. The read contacts go by the name `contact`, so the
        // filters and the search apply to them as they are.
        let in_account = match backend {
            DatabaseBackend::Sqlite => Condition::all().add(Expr::cust_with_values(
                r#"+"contact"."account_id" = ?"#,
                [account_id],
            )),
            _ => Condition::all().add(contact::Column::AccountId.eq(account_id)),
        };
        // Only the columns the list's filters and the search test: SQLite
        // copies each read row out of this subquery.
        let read = Query::select()
            .columns([
                contact::Column::Id,
                contact::Column::SearchText,
                contact::Column::ImportId,
            ])
            .from(contact::Entity)
            .cond_where(in_account)
            .limit(self.count_budget)
            .to_owned();
        let matches = Query::select()
            .expr(Expr::val(1))
            .from_subquery(read, contact::Entity)
            .cond_where(filters)
            .cond_where(search.clone())
            .limit(COUNT_CAP + 1)
            .to_owned();
        let count = backend.build(
            Query::select()
                .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                .from_subquery(matches, Alias::new("matches")),
        );
        let txn = self.planned_per_text().await?;
        let counted = match txn.query_one_raw(count).await? {
            Some(row) => u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0),
            None => 0,
        };
        // One row past the page: whether another page follows.
        let mut rows = select
            .filter(search)
            .order_by(first, order.clone())
            .order_by(then, order)
            .limit(per_page + 1)
            .offset(offset)
            .all(&txn)
            .await?;
        txn.commit().await?;
        let follows = rows.len() as u64 > per_page;
        rows.truncate(per_page as usize);
        let through = offset + rows.len() as u64;
        let read_all = self.contact_count(account_id).await? <= self.count_budget;
        let (total, more) = if !follows && (!rows.is_empty() || offset == 0) {
            // The matches end on this page: they number exactly this many.
            (through, false)
        } else if counted > COUNT_CAP {
            (
                std::cmp::max(COUNT_CAP, offset_if_any(&rows, through)),
                true,
            )
        } else if read_all {
            (counted, false)
        } else {
            // Part of the account read: at least what it held (to two
            // leading digits), and at least the pages up to this one.
            (
                std::cmp::max(round_down(counted), offset_if_any(&rows, through)),
                true,
            )
        };
        let mut page_view = self
            .page_of(account_id, rows, total, page, per_page)
            .await?;
        page_view.more = more;
        Ok(page_view)
    }

    /// The account's count of contacts (kept by the writes: `count_contacts`).
    async fn contact_count(&self, account_id: i64) -> Result<u64, DbErr> {
        let count: Option<i64> = account::Entity::find_by_id(account_id)
            .select_only()
            .column(account::Column::ContactCount)
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(u64::try_from(count.unwrap_or(0)).unwrap_or(0))
    }

    pub async fn get_contact(
        &self,
        account_id: i64,
        id: i64,
    ) -> Result<Option<ContactView>, DbErr> {
        let Some(row) = find_contact(&self.db, account_id, id).await? else {
            return Ok(None);
        };
        Ok(self.views(account_id, vec![row]).await?.pop())
    }

    /// Stores a new contact. A detail that belongs to another contact is a
    /// field issue naming that contact.
    pub async fn create_contact(
        &self,
        account_id: i64,
        c: &ValidContact,
    ) -> Result<ContactView, StoreError> {
        self.create_contact_by(account_id, c, "").await
    }

    /// [`Store::create_contact`] by a person (`actor`, their e-mail: the
    /// contact's SMS history names them).
    pub async fn create_contact_by(
        &self,
        account_id: i64,
        c: &ValidContact,
        actor: &str,
    ) -> Result<ContactView, StoreError> {
        require_detail(c)?;
        let (_turn, txn) = self.begin_write().await?;
        check_groups(&txn, account_id, &c.group_ids).await?;
        check_taken(&txn, account_id, None, c).await?;
        let now = Utc::now();
        let row = contact::ActiveModel {
            id: NotSet,
            account_id: Set(account_id),
            created_at: Set(now),
            ..contact_fields(c, now)
        }
        .insert(&txn)
        .await?;
        write_details(&txn, account_id, row.id, c).await?;
        write_memberships(&txn, account_id, row.id, &c.group_ids).await?;
        super::fields::write_form_values(&txn, account_id, row.id, &c.fields).await?;
        if let Ok(Some(change)) = person_change(SmsStatus::NotRecorded, c.sms_status, "") {
            record_status(
                &txn,
                account_id,
                row.id,
                &change,
                "Add Single Contact",
                actor,
                "",
            )
            .await?;
        }
        count_contacts(&txn, account_id, 1).await?;
        txn.commit().await?;
        self.view(account_id, row.id).await
    }

    /// Replaces a contact's names, details and groups.
    pub async fn update_contact(
        &self,
        account_id: i64,
        id: i64,
        c: &ValidContact,
    ) -> Result<ContactView, StoreError> {
        require_detail(c)?;
        let (_turn, txn) = self.begin_write().await?;
        let Some(existing) = find_contact(&txn, account_id, id).await? else {
            return Err(not_found_contact());
        };
        check_groups(&txn, account_id, &c.group_ids).await?;
        check_taken(&txn, account_id, Some(id), c).await?;
        let mut m = contact_fields(c, Utc::now());
        m.id = sea_orm::Unchanged(existing.id);
        m.update(&txn).await?;
        clear_details_and_groups(&txn, account_id, id).await?;
        write_details(&txn, account_id, id, c).await?;
        write_memberships(&txn, account_id, id, &c.group_ids).await?;
        super::fields::write_form_values(&txn, account_id, id, &c.fields).await?;
        txn.commit().await?;
        self.view(account_id, id).await
    }

    pub async fn delete_contact(&self, account_id: i64, id: i64) -> Result<(), StoreError> {
        let (_turn, txn) = self.begin_write().await?;
        // Held to the end: no membership or status change of it can slip
        // in between its memberships' deletion and its own (the kept
        // recipients' counts find a membership's pair through its contact).
        lock_row(&txn, "contact", account_id, id).await?;
        if find_contact(&txn, account_id, id).await?.is_none() {
            return Err(not_found_contact());
        }
        clear_details_and_groups(&txn, account_id, id).await?;
        let deleted = contact::Entity::delete_many()
            .filter(contact::Column::AccountId.eq(account_id))
            .filter(contact::Column::Id.eq(id))
            .exec(&txn)
            .await?
            .rows_affected;
        count_contacts(&txn, account_id, -i64::try_from(deleted).unwrap_or(0)).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn view(&self, account_id: i64, id: i64) -> Result<ContactView, StoreError> {
        self.get_contact(account_id, id)
            .await?
            .ok_or_else(not_found_contact)
    }

    /// Attaches details and groups to contact rows, keeping their order.
    pub(super) async fn views(
        &self,
        account_id: i64,
        rows: Vec<contact::Model>,
    ) -> Result<Vec<ContactView>, DbErr> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let details = contact_detail::Entity::find()
            .filter(contact_detail::Column::AccountId.eq(account_id))
            .filter(contact_detail::Column::ContactId.is_in(ids.clone()))
            .order_by_asc(contact_detail::Column::ContactId)
            .order_by_desc(contact_detail::Column::Kind) // phone before email
            .order_by_asc(contact_detail::Column::Position)
            .all(&self.db)
            .await?;
        let members: Vec<(i64, i64, String)> = group_member::Entity::find()
            .select_only()
            .column(group_member::Column::ContactId)
            .column(contact_group::Column::Id)
            .column(contact_group::Column::Name)
            .inner_join_on_group()
            .filter(group_member::Column::AccountId.eq(account_id))
            .filter(group_member::Column::ContactId.is_in(ids.clone()))
            .order_by_asc(contact_group::Column::NameKey)
            .into_tuple()
            .all(&self.db)
            .await?;

        let mut by_contact: HashMap<i64, Vec<DetailView>> = HashMap::new();
        for d in details {
            let Some(kind) = DetailKind::parse(&d.kind) else {
                continue;
            };
            by_contact
                .entry(d.contact_id)
                .or_default()
                .push(DetailView {
                    kind,
                    line: (kind == DetailKind::Phone).then(|| match d.line_type.as_str() {
                        // Not classified (written by an older version).
                        "" => line_type_of(&d.value),
                        code => LineType::parse(code),
                    }),
                    value: d.value,
                    label: d.label,
                    is_primary: d.is_primary,
                });
        }
        let mut fields = self.field_values_of(account_id, &ids).await?;
        let mut groups: HashMap<i64, Vec<GroupRef>> = HashMap::new();
        for (contact_id, id, name) in members {
            groups
                .entry(contact_id)
                .or_default()
                .push(GroupRef { id, name });
        }
        Ok(rows
            .into_iter()
            .map(|r| ContactView {
                details: by_contact.remove(&r.id).unwrap_or_default(),
                groups: groups.remove(&r.id).unwrap_or_default(),
                id: r.id,
                first_name: r.first_name,
                last_name: r.last_name,
                company: r.company,
                updated_at: r.updated_at.to_rfc3339(),
                sms_status: SmsStatus::parse(&r.sms_status).unwrap_or(SmsStatus::OptedOut),
                sms_status_at: r.sms_status_at.map(|t| t.to_rfc3339()),
                sms_status_source: r.sms_status_source,
                sms_number: (!r.sms_number.is_empty()).then_some(r.sms_number),
                fields: fields.remove(&r.id).unwrap_or_default(),
                created_at: r.created_at.to_rfc3339(),
                import_id: r.import_id,
            })
            .collect())
    }

    // ------------------------------------------------------------ SMS status

    /// A person sets contact `id`'s SMS status ([`person_change`]: leaving
    /// "opted out" needs a reason). The change and its reason go to the
    /// contact's history under `actor` (the person's e-mail).
    pub async fn set_sms_status(
        &self,
        account_id: i64,
        id: i64,
        to: SmsStatus,
        reason: &str,
        actor: &str,
    ) -> Result<ContactView, StoreError> {
        let (_turn, txn) = self.begin_write().await?;
        let Some(existing) = find_contact(&txn, account_id, id).await? else {
            return Err(not_found_contact());
        };
        let stored = SmsStatus::parse(&existing.sms_status).unwrap_or(SmsStatus::OptedOut);
        let change = person_change(stored, to, reason).map_err(StoreError::SmsStatus)?;
        if let Some(change) = change {
            let source = match change.from {
                SmsStatus::OptedOut => "re-subscribed on the contact's page",
                _ => "the contact's page",
            };
            record_status(&txn, account_id, id, &change, source, actor, reason.trim())
                .await
                .map_err(|e| match e {
                    DbErr::Custom(m) if m == super::import::STATUS_RACE => {
                        StoreError::SmsStatus(StatusIssue::ChangedMeanwhile)
                    }
                    e => e.into(),
                })?;
        }
        txn.commit().await?;
        self.view(account_id, id).await
    }

    /// Contact `id`'s SMS status changes, newest first.
    pub async fn sms_history(
        &self,
        account_id: i64,
        id: i64,
    ) -> Result<Vec<SmsEventView>, StoreError> {
        if find_contact(&self.db, account_id, id).await?.is_none() {
            return Err(not_found_contact());
        }
        let rows = sms_status_event::Entity::find()
            .filter(sms_status_event::Column::AccountId.eq(account_id))
            .filter(sms_status_event::Column::ContactId.eq(id))
            .order_by_desc(sms_status_event::Column::Id)
            .limit(200)
            .all(&self.db)
            .await?;
        let status = |s: &str| SmsStatus::parse(s).unwrap_or(SmsStatus::OptedOut);
        Ok(rows
            .into_iter()
            .map(|e| SmsEventView {
                at: e.at.to_rfc3339(),
                from: status(&e.from_status),
                to: status(&e.to_status),
                source: e.source,
                actor: e.actor,
                reason: e.reason,
                import_id: e.import_id,
            })
            .collect())
    }

    // ------------------------------------------------------------------ groups

    /// Every group of the account by name, with its member count (two queries).
    pub async fn list_groups(&self, account_id: i64) -> Result<Vec<GroupView>, DbErr> {
        let groups = contact_group::Entity::find()
            .filter(contact_group::Column::AccountId.eq(account_id))
            .order_by_asc(contact_group::Column::NameKey)
            .all(&self.db)
            .await?;
        let counts: BTreeMap<i64, i64> = group_member::Entity::find()
            .select_only()
            .column(group_member::Column::GroupId)
            .column_as(Expr::col(group_member::Column::ContactId).count(), "n")
            .filter(group_member::Column::AccountId.eq(account_id))
            .group_by(group_member::Column::GroupId)
            .into_tuple::<(i64, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        Ok(groups
            .into_iter()
            .map(|g| GroupView {
                member_count: u64::try_from(counts.get(&g.id).copied().unwrap_or(0)).unwrap_or(0),
                id: g.id,
                name: g.name,
            })
            .collect())
    }

    pub async fn create_group(
        &self,
        account_id: i64,
        name: &GroupName,
    ) -> Result<GroupView, StoreError> {
        let _turn = self.write_turn().await;
        self.check_group_name_free(account_id, name, None).await?;
        let row = contact_group::ActiveModel {
            id: NotSet,
            account_id: Set(account_id),
            name_key: Set(name.key().into_string()),
            name: Set(name.to_string()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await
        .map_err(|e| group_conflict(e, name))?;
        Ok(GroupView {
            id: row.id,
            name: row.name,
            member_count: 0,
        })
    }

    pub async fn rename_group(
        &self,
        account_id: i64,
        id: i64,
        name: &GroupName,
    ) -> Result<(), StoreError> {
        let group = self.find_group(account_id, id).await?;
        self.check_group_name_free(account_id, name, Some(id))
            .await?;
        let mut m: contact_group::ActiveModel = group.into();
        let _turn = self.write_turn().await;
        m.name_key = Set(name.key().into_string());
        m.name = Set(name.to_string());
        m.update(&self.db)
            .await
            .map_err(|e| group_conflict(e, name))?;
        Ok(())
    }

    /// Deletes a group; its contacts stay (floating if it was their only group).
    pub async fn delete_group(&self, account_id: i64, id: i64) -> Result<(), StoreError> {
        self.find_group(account_id, id).await?;
        let (_turn, txn) = self.begin_write().await?;
        // No import adds a member between the memberships' deletion and
        // the group's (a membership's foreign key waits on this lock).
        lock_row(&txn, "contact_group", account_id, id).await?;
        group_member::Entity::delete_many()
            .filter(group_member::Column::AccountId.eq(account_id))
            .filter(group_member::Column::GroupId.eq(id))
            .exec(&txn)
            .await?;
        contact_group::Entity::delete_many()
            .filter(contact_group::Column::AccountId.eq(account_id))
            .filter(contact_group::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn find_group(
        &self,
        account_id: i64,
        id: i64,
    ) -> Result<contact_group::Model, StoreError> {
        contact_group::Entity::find()
            .filter(contact_group::Column::AccountId.eq(account_id))
            .filter(contact_group::Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound(Missing::Group))
    }

    async fn check_group_name_free(
        &self,
        account_id: i64,
        name: &GroupName,
        except: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut q = contact_group::Entity::find()
            .filter(contact_group::Column::AccountId.eq(account_id))
            .filter(contact_group::Column::NameKey.eq(name.key().into_string()));
        if let Some(id) = except {
            q = q.filter(contact_group::Column::Id.ne(id));
        }
        if q.one(&self.db).await?.is_some() {
            return Err(StoreError::GroupNameTaken(name.clone()));
        }
        Ok(())
    }
}

/// Joins `group_member` to `contact_group` without declaring relations on the entities.
trait JoinGroup {
    fn inner_join_on_group(self) -> Self;
}

impl JoinGroup for sea_orm::Select<group_member::Entity> {
    fn inner_join_on_group(self) -> Self {
        let rel = group_member::Entity::belongs_to(contact_group::Entity)
            .from(group_member::Column::GroupId)
            .to(contact_group::Column::Id)
            .into();
        self.join(sea_orm::JoinType::InnerJoin, rel)
    }
}

/// The store keeps no contact without a phone or an e-mail, whoever calls it.
fn require_detail(c: &ValidContact) -> Result<(), StoreError> {
    if c.details.is_empty() {
        return Err(StoreError::ContactRefused(vec![FieldIssue {
            field: FieldPath::Contact,
            kind: IssueKind::NoContactDetail,
            message: "needs at least one valid phone or e-mail".into(),
        }]));
    }
    Ok(())
}

fn not_found_contact() -> StoreError {
    StoreError::NotFound(Missing::Contact)
}

fn group_conflict(err: DbErr, name: &GroupName) -> StoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::GroupNameTaken(name.clone()),
        _ => err.into(),
    }
}

async fn find_contact<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    id: i64,
) -> Result<Option<contact::Model>, DbErr> {
    contact::Entity::find()
        .filter(contact::Column::AccountId.eq(account_id))
        .filter(contact::Column::Id.eq(id))
        .one(db)
        .await
}

/// On PostgreSQL, where writers run side by side, locks the account's row
/// `id` of `table` for the rest of the transaction (`FOR UPDATE`); SQLite
/// has one writer at a time (`Store::write_turn`).
async fn lock_row(
    txn: &impl ConnectionTrait,
    table: &str,
    account_id: i64,
    id: i64,
) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            format!("SELECT id FROM {table} WHERE id = $1 AND account_id = $2 FOR UPDATE"),
            [id.into(), account_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Adds `delta` to the account's count of contacts (`account.contact_count`):
/// every write that creates or deletes contacts calls it in its transaction.
pub(crate) async fn count_contacts(
    txn: &impl ConnectionTrait,
    account_id: i64,
    delta: i64,
) -> Result<(), DbErr> {
    if delta != 0 {
        account::Entity::update_many()
            .col_expr(
                account::Column::ContactCount,
                Expr::col(account::Column::ContactCount).add(delta),
            )
            .filter(account::Column::Id.eq(account_id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Sets a contact's SMS status and adds the change to its history.
async fn record_status(
    txn: &sea_orm::DatabaseTransaction,
    account_id: i64,
    contact_id: i64,
    change: &SmsChange,
    source: &str,
    actor: &str,
    reason: &str,
) -> Result<(), DbErr> {
    let now = Utc::now();
    // Only from the status the decision read: an import that opted the
    // contact out meanwhile is not overwritten (see `set_statuses`).
    let done = contact::Entity::update_many()
        .col_expr(contact::Column::SmsStatus, Expr::value(change.to.as_str()))
        .col_expr(contact::Column::SmsStatusAt, Expr::value(now))
        .col_expr(contact::Column::SmsStatusSource, Expr::value(source))
        .filter(contact::Column::AccountId.eq(account_id))
        .filter(contact::Column::Id.eq(contact_id))
        .filter(contact::Column::SmsStatus.eq(change.from.as_str()))
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(DbErr::Custom(super::import::STATUS_RACE.into()));
    }
    sms_status_event::ActiveModel {
        id: NotSet,
        account_id: Set(account_id),
        contact_id: Set(contact_id),
        at: Set(now),
        from_status: Set(change.from.as_str().into()),
        to_status: Set(change.to.as_str().into()),
        source: Set(source.into()),
        actor: Set(actor.into()),
        reason: Set(reason.into()),
        import_id: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The contact's own columns (not id, account or creation time).
fn contact_fields(c: &ValidContact, now: chrono::DateTime<Utc>) -> contact::ActiveModel {
    let (sort_name, search_text) = derived_columns(
        &c.first_name,
        &c.last_name,
        &c.company,
        c.details.first().map(|d| d.value.as_str()),
    );
    let number = sms_number(c.details.iter().filter_map(|d| {
        Some(PhoneLine {
            number: &d.value,
            line: d.line?,
            is_primary: d.is_primary,
            position: i32::try_from(d.index).unwrap_or(i32::MAX),
        })
    }));
    let has_phone = c.details.iter().any(|d| d.kind == DetailKind::Phone);
    contact::ActiveModel {
        first_name: Set(c.first_name.clone()),
        last_name: Set(c.last_name.clone()),
        company: Set(c.company.clone()),
        sort_name: Set(sort_name),
        search_text: Set(search_text),
        updated_at: Set(now),
        sms_number: Set(number.unwrap_or("").to_string()),
        reach: Set(Reach::of(number, has_phone).as_str().to_string()),
        ..Default::default()
    }
}

/// A new, empty account.
pub(super) async fn insert_account(
    db: &impl ConnectionTrait,
    name: &str,
    region: Region,
) -> Result<account::Model, DbErr> {
    account::ActiveModel {
        id: NotSet,
        name: Set(name.to_string()),
        default_region: Set(region),
        created_at: Set(Utc::now()),
        contact_count: Set(0),
        require_consent: Set(false),
    }
    .insert(db)
    .await
}

async fn check_groups<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    group_ids: &[i64],
) -> Result<(), StoreError> {
    if group_ids.is_empty() {
        return Ok(());
    }
    let found = contact_group::Entity::find()
        .filter(contact_group::Column::AccountId.eq(account_id))
        .filter(contact_group::Column::Id.is_in(group_ids.to_vec()))
        .count(db)
        .await?;
    if found != group_ids.len() as u64 {
        return Err(StoreError::NotFound(Missing::ChosenGroup));
    }
    Ok(())
}

/// Field issues for every detail of `c` that another contact already has.
async fn check_taken<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    own_id: Option<i64>,
    c: &ValidContact,
) -> Result<(), StoreError> {
    let keys: Vec<String> = c.details.iter().map(ValidDetail::match_key).collect();
    let mut q = contact_detail::Entity::find()
        .filter(contact_detail::Column::AccountId.eq(account_id))
        .filter(contact_detail::Column::MatchKey.is_in(keys));
    if let Some(id) = own_id {
        q = q.filter(contact_detail::Column::ContactId.ne(id));
    }
    let taken = q.all(db).await?;
    if taken.is_empty() {
        return Ok(());
    }
    let owner_ids: Vec<i64> = taken.iter().map(|t| t.contact_id).collect();
    let owners: HashMap<i64, contact::Model> = contact::Entity::find()
        .filter(contact::Column::AccountId.eq(account_id))
        .filter(contact::Column::Id.is_in(owner_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut issues = Vec::new();
    for d in &c.details {
        let key = d.match_key();
        let Some(t) = taken
            .iter()
            .find(|t| t.kind == d.kind.as_str() && t.match_key == key)
        else {
            continue;
        };
        let name = owners
            .get(&t.contact_id)
            .and_then(|o| display_name(&o.first_name, &o.last_name, &o.company))
            .unwrap_or_else(|| "another contact".into());
        let (field, what) = match d.kind {
            DetailKind::Phone => (FieldPath::Phone(d.index), "phone number"),
            DetailKind::Email => (FieldPath::Email(d.index), "e-mail address"),
        };
        issues.push(FieldIssue {
            field,
            message: format!("This {what} already belongs to {name}: edit that contact instead, or use another {what}."),
            kind: IssueKind::Taken { contact_id: t.contact_id, contact_name: name },
        });
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(StoreError::ContactRefused(issues))
    }
}

/// Removes a contact's details and group memberships (before rewriting or deleting it).
async fn clear_details_and_groups<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    contact_id: i64,
) -> Result<(), DbErr> {
    contact_detail::Entity::delete_many()
        .filter(contact_detail::Column::AccountId.eq(account_id))
        .filter(contact_detail::Column::ContactId.eq(contact_id))
        .exec(db)
        .await?;
    group_member::Entity::delete_many()
        .filter(group_member::Column::AccountId.eq(account_id))
        .filter(group_member::Column::ContactId.eq(contact_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn write_details<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    contact_id: i64,
    c: &ValidContact,
) -> Result<(), StoreError> {
    if c.details.is_empty() {
        return Ok(());
    }
    let rows = c.details.iter().map(|d| contact_detail::ActiveModel {
        id: NotSet,
        account_id: Set(account_id),
        contact_id: Set(contact_id),
        kind: Set(d.kind.as_str().to_string()),
        value: Set(d.value.clone()),
        match_key: Set(d.match_key()),
        label: Set(d.label.clone()),
        is_primary: Set(d.is_primary),
        position: Set(d.index as i32),
        line_type: Set(d.line.map_or("", LineType::as_str).to_string()),
    });
    contact_detail::Entity::insert_many(rows)
        .exec(db)
        .await
        .map_err(|e| match e.sql_err() {
            // Another request took one of these details between our check and this insert.
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::DetailTakenMeanwhile,
            _ => e.into(),
        })?;
    Ok(())
}

async fn write_memberships<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    contact_id: i64,
    group_ids: &[i64],
) -> Result<(), DbErr> {
    if group_ids.is_empty() {
        return Ok(());
    }
    let rows = group_ids.iter().map(|&group_id| group_member::ActiveModel {
        group_id: Set(group_id),
        contact_id: Set(contact_id),
        account_id: Set(account_id),
    });
    group_member::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// The list's filters besides the account and the search: a group, no
/// group, one import's contacts, an SMS status.
pub(super) fn list_filters(account_id: i64, query: &ContactQuery) -> Condition {
    let mut filters = Condition::all();
    match query.group {
        GroupFilter::All => {}
        GroupFilter::Group(group_id) => {
            filters = filters.add(
                contact::Column::Id.in_subquery(
                    Query::select()
                        .column(group_member::Column::ContactId)
                        .from(group_member::Entity)
                        .and_where(group_member::Column::AccountId.eq(account_id))
                        .and_where(group_member::Column::GroupId.eq(group_id))
                        .to_owned(),
                ),
            )
        }
        GroupFilter::None => {
            filters = filters.add(
                contact::Column::Id.not_in_subquery(
                    Query::select()
                        .column(group_member::Column::ContactId)
                        .from(group_member::Entity)
                        .and_where(group_member::Column::AccountId.eq(account_id))
                        .to_owned(),
                ),
            )
        }
    }
    if let Some(import_id) = query.import {
        filters = filters.add(contact::Column::ImportId.eq(import_id));
    }
    // The value is already its key ([`Store::resolve_query`]).
    if let Some(f) = &query.field {
        filters = filters.add(
            contact::Column::Id.in_subquery(
                Query::select()
                    .column(contact_field_value::Column::ContactId)
                    .from(contact_field_value::Entity)
                    .and_where(contact_field_value::Column::FieldId.eq(f.field_id))
                    .and_where(contact_field_value::Column::ValueKey.eq(f.value.as_str()))
                    .and_where(contact_field_value::Column::AccountId.eq(account_id))
                    .to_owned(),
            ),
        );
    }
    match query.sms {
        SmsFilter::All => {}
        SmsFilter::Status(status) => {
            filters = filters.add(contact::Column::SmsStatus.eq(status.as_str()));
        }
        // The number each contact is texted at is kept with it.
        SmsFilter::Textable => {
            filters = filters
                .add(contact::Column::SmsStatus.ne(SmsStatus::OptedOut.as_str()))
                .add(contact::Column::SmsNumber.ne(""));
        }
        SmsFilter::NoTextableNumber => {
            filters = filters.add(contact::Column::SmsNumber.eq(""));
        }
    }
    filters
}

/// Name/company text, e-mail text, or a phone number in any notation: a
/// condition on `contact` for each way a contact can hold it (its names;
/// its details), each answered from its own index (trigram indexes, see the
/// `search_index` migration) rather than by reading every contact. A
/// contact matches if it meets any of them; there is at least one unless
/// the text is blank (no search).
pub(super) fn search_branches(
    backend: DatabaseBackend,
    account_id: i64,
    region: Region,
    raw: &str,
) -> Vec<Condition> {
    let q = raw.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    // Only the details the query can be: a phone-looking query searches phones,
    // anything else e-mails. match_key is lower-case (e-mails) or E.164 (phones).
    let looks_like_phone = looks_like_phone(&q);
    // A detail whose match_key holds `text`.
    let key_holds = |text: &str| match backend {
        DatabaseBackend::Sqlite => Condition::all().add(
            contact_detail::Column::Id.in_subquery(fts_rowids("detail_search", "match_key", text)),
        ),
        _ => Condition::all().add(contact_detail::Column::MatchKey.like(like_pattern(text))),
    };
    let details = if looks_like_phone {
        // A whole number, in any notation: that number, looked up in the
        // unique index (a substring search of its digits would read the
        // trigram lists of every number sharing a prefix: all of them).
        // Else "7700 900 123", "(07700) 900-123": the digits inside stored
        // numbers.
        match normalize_phone(&q, region) {
            Ok(e164) => Some((
                DetailKind::Phone,
                Condition::all().add(contact_detail::Column::MatchKey.eq(e164)),
            )),
            Err(_) => {
                let digits: String = q.chars().filter(char::is_ascii_digit).collect();
                let national = digits.trim_start_matches('0');
                (national.len() >= 3).then(|| (DetailKind::Phone, key_holds(national)))
            }
        }
    } else {
        match normalize_email(&q) {
            // A whole address: that address (the key is lower-case).
            Ok(email) => Some((
                DetailKind::Email,
                Condition::all()
                    .add(contact_detail::Column::MatchKey.eq(match_key(DetailKind::Email, &email))),
            )),
            // No address holds a space: "Cohen 12345" is a name only.
            Err(_) if q.contains(char::is_whitespace) => None,
            Err(_) => Some((DetailKind::Email, key_holds(&q))),
        }
    };
    let details = details.map(|(kind, holds)| {
        Condition::all().add(
            contact::Column::Id.in_subquery(
                Query::select()
                    .column(contact_detail::Column::ContactId)
                    .from(contact_detail::Entity)
                    .and_where(contact_detail::Column::AccountId.eq(account_id))
                    .and_where(contact_detail::Column::Kind.eq(kind.as_str()))
                    .cond_where(holds)
                    .to_owned(),
            ),
        )
    });
    // Names hold neither an @ nor only phone digits and punctuation, unless
    // the digits are too few for a phone number ("12": a company's number).
    let names =
        (!q.contains('@') && (!looks_like_phone || details.is_none())).then(|| match backend {
            DatabaseBackend::Sqlite => Condition::all().add(
                contact::Column::Id.in_subquery(fts_rowids("contact_search", "search_text", &q)),
            ),
            _ => Condition::all().add(contact::Column::SearchText.like(like_pattern(&q))),
        });
    names.into_iter().chain(details).collect()
}

/// The rows a line of PostgreSQL's `EXPLAIN` estimates
/// (`Seq Scan on contact  (cost=0.00..3518.38 rows=8201 width=4)` → 8,201).
fn plan_rows(line: &str) -> Option<u64> {
    let rest = &line[line.find(" rows=")? + " rows=".len()..];
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// The matches up to this page (`through`), when it has rows: a page past
/// the end proves none.
fn offset_if_any<T>(rows: &[T], through: u64) -> u64 {
    if rows.is_empty() {
        0
    } else {
        through
    }
}

/// `n` to its two leading digits (12,345 → 12,000): "at least" figures
/// people read at a glance.
fn round_down(n: u64) -> u64 {
    let mut unit = 1;
    while n / unit >= 100 {
        unit *= 10;
    }
    n / unit * unit
}

/// Whether a (lower-cased) search is only a phone's digits and punctuation.
fn looks_like_phone(q: &str) -> bool {
    q.chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

/// `SELECT rowid FROM search WHERE column LIKE '%text%'` on one of SQLite's
/// FTS5 trigram tables. FTS5 serves `LIKE` from its index only without an
/// ESCAPE clause, so the (rare) text with LIKE wildcards in it gets one
/// and is found by a scan of the table instead.
fn fts_rowids(search: &'static str, column: &'static str, text: &str) -> SelectStatement {
    let pattern = if text.contains(['%', '_', '\\']) {
        like_pattern(text)
    } else {
        LikeExpr::new(format!("%{text}%"))
    };
    Query::select()
        .expr(Expr::cust("rowid"))
        .from(search)
        .and_where(Expr::col(column).like(pattern))
        .to_owned()
}

/// `%text%` with LIKE's wildcards in `text` escaped.
fn like_pattern(text: &str) -> LikeExpr {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    LikeExpr::new(escaped).escape('\\')
}

#[cfg(test)]
mod tests {
    use super::{plan_rows, round_down};

    #[test]
    fn plan_rows_reads_the_estimate_of_an_explain_line() {
        assert_eq!(
            plan_rows("Seq Scan on contact  (cost=0.00..3518.38 rows=8201 width=4)"),
            Some(8_201)
        );
        assert_eq!(
            plan_rows("Bitmap Heap Scan on contact  (cost=1732.08..1770.11 rows=10 width=4)"),
            Some(10)
        );
        assert_eq!(plan_rows("Result"), None);
    }

    #[test]
    fn at_least_figures_keep_two_leading_digits() {
        for (n, shown) in [
            (0, 0),
            (7, 7),
            (99, 99),
            (1_000, 1_000),
            (2_317, 2_300),
            (9_999, 9_900),
            (12_345, 12_000),
            (1_000_001, 1_000_000),
        ] {
            assert_eq!(round_down(n), shown, "{n}");
        }
    }
}
