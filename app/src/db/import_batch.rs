//! Imports as the wizard runs them: an `import_batch` row records the file,
//! the confirmed mapping, the group and the counts; each chunk of rows is
//! applied in one transaction together with its line in the `import_chunk`
//! ledger, so a chunk sent again (a retry after a lost answer, a resume
//! after a restart) returns its first outcome and changes nothing.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, NotSet,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};

use super::entity::{import_batch, import_chunk};
use super::error::{Missing, StoreError};
use super::import::{upsert_in, ImportSms};
use super::race::{lost_a_race, pause, RACE_RETRIES};
use super::store::Store;
use crate::import::wire::{
    capped_finish, chunk_fingerprint, server_table, ChunkOutcome, ChunkRequest, FinishRequest,
    ImportRequest, ImportStarted, UnfinishedImport, WireColumn,
};
use crate::import::wizard::ChosenGroup;
use crate::import::{rejected_rows, GroupName, ImportConsent, ImportPlan, Region};
use crate::model::ImportView;

pub const STATUS_RUNNING: &str = "running";
pub const STATUS_DONE: &str = "done";

/// An import as the server needs it to apply a chunk.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub id: i64,
    pub status: String,
    pub columns: Vec<WireColumn>,
    pub region: Region,
    pub group_id: Option<i64>,
    pub file_name: String,
    pub consent: ImportConsent,
}

/// One chunk of an import, planned and ready to apply.
#[derive(Debug, Clone, Copy)]
pub struct PlannedChunk<'a> {
    /// Rows the browser sent.
    pub rows: usize,
    /// The hash of those rows (`wire::chunk_fingerprint`).
    pub fingerprint: &'a str,
    pub plan: &'a ImportPlan,
    /// The import's consent option and how contacts' history names it.
    pub sms: &'a ImportSms,
}

/// `s` without control characters, at most `max` characters long.
fn cut(s: &str, max: usize) -> String {
    crate::import::text::strip_controls(s)
        .chars()
        .take(max)
        .collect()
}

impl Store {
    /// Records a new import; creates its new group (refusing a taken name)
    /// or checks the existing one.
    pub async fn start_import(
        &self,
        account_id: i64,
        req: &ImportRequest,
        group: &ChosenGroup,
    ) -> Result<ImportStarted, StoreError> {
        // The custom fields the mapping names: the account's own kinds, or
        // created now.
        let mut columns = req.columns.clone();
        self.resolve_fields(
            account_id,
            columns
                .iter_mut()
                .filter_map(|c| c.custom.as_mut())
                .collect(),
        )
        .await?;
        let (group_id, group_name) = match group {
            ChosenGroup::None => (None, None),
            ChosenGroup::Existing(id) => {
                let g = self.find_group(account_id, *id).await?;
                (Some(g.id), Some(g.name))
            }
            ChosenGroup::New(name) => {
                let g = self.create_group(account_id, name).await?;
                (Some(g.id), Some(g.name))
            }
        };
        let mapping = serde_json::to_string(&columns)
            .map_err(|e| StoreError::Corrupt(format!("mapping to JSON: {e}")))?;
        let _turn = self.write_turn().await;
        let row = import_batch::ActiveModel {
            id: NotSet,
            account_id: Set(account_id),
            file_name: Set(cut(&req.file_name, 255)),
            sheet: Set(cut(&req.sheet, 255)),
            format: Set(cut(&req.format, 16)),
            // total_rows is at most MAX_IMPORT_ROWS (wire::check_start).
            mapping: Set(mapping),
            region: Set(req.region),
            group_id: Set(group_id),
            group_name: Set(group_name.clone().unwrap_or_default()),
            total_rows: Set(i64::try_from(req.total_rows).unwrap_or(i64::MAX)),
            status: Set(STATUS_RUNNING.into()),
            chunks: Set(0),
            created: Set(0),
            updated: Set(0),
            unchanged: Set(0),
            rejected: Set(0),
            details_dropped: Set(0),
            started_at: Set(Utc::now()),
            finished_at: Set(None),
            content_hash: Set(req.content_hash.clone()),
            wizard_state: Set(match &req.wizard {
                Some(w) => serde_json::to_string(w)
                    .map_err(|e| StoreError::Corrupt(format!("wizard state to JSON: {e}")))?,
                None => String::new(),
            }),
            consent: Set(req.consent.as_str().to_string()),
            opted_in: Set(0),
            opted_out: Set(0),
            kept_opted_out: Set(0),
        }
        .insert(self.connection())
        .await?;
        Ok(ImportStarted {
            import_id: row.id,
            group_id,
            group_name,
        })
    }

    /// The account's import `id`, if it exists.
    pub async fn import_record(
        &self,
        account_id: i64,
        id: i64,
    ) -> Result<Option<ImportRecord>, DbErr> {
        let Some(m) = import_batch::Entity::find()
            .filter(import_batch::Column::AccountId.eq(account_id))
            .filter(import_batch::Column::Id.eq(id))
            .one(self.connection())
            .await?
        else {
            return Ok(None);
        };
        let columns = serde_json::from_str(&m.mapping)
            .map_err(|e| DbErr::Custom(format!("import {id}: stored mapping: {e}")))?;
        Ok(Some(ImportRecord {
            id: m.id,
            status: m.status,
            columns,
            region: m.region,
            group_id: m.group_id,
            consent: ImportConsent::parse(&m.consent).ok_or_else(|| {
                DbErr::Custom(format!(
                    "import {id}: unknown consent option {:?}",
                    m.consent
                ))
            })?,
            file_name: m.file_name,
        }))
    }

    /// One chunk of the wizard's import: its rows planned again with the
    /// import's mapping, region and group (the server never trusts the
    /// browser's verdict), then applied once ([`Store::apply_chunk`]).
    pub async fn import_chunk(
        &self,
        account_id: i64,
        chunk: ChunkRequest,
    ) -> Result<ChunkOutcome, StoreError> {
        let record = self
            .import_record(account_id, chunk.import_id)
            .await?
            .ok_or(StoreError::NotFound(Missing::Import))?;
        if record.status != STATUS_RUNNING {
            return Err(StoreError::ImportFinished);
        }
        let groups = match record.group_id {
            Some(id) => {
                let group = self.find_group(account_id, id).await.map_err(|e| match e {
                    StoreError::NotFound(_) => StoreError::NotFound(Missing::ImportGroup),
                    other => other,
                })?;
                let name = GroupName::parse(&group.name)
                    .map_err(|e| StoreError::Corrupt(format!("group {id}'s name: {e}")))?;
                vec![name]
            }
            None => Vec::new(),
        };
        let rows = chunk.rows.len();
        let fingerprint = chunk_fingerprint(&chunk.rows);
        let (table, mapping) = server_table(&record.columns, chunk.rows);
        let plan = crate::import::plan(&table, &mapping, record.region, &groups);
        let sms = ImportSms::new(record.consent, import_label(&record.file_name));
        let planned = PlannedChunk {
            rows,
            fingerprint: &fingerprint,
            plan: &plan,
            sms: &sms,
        };
        self.apply_chunk(account_id, record.id, chunk.chunk_no, &planned)
            .await
    }

    /// Applies one chunk's plan, once: in one transaction, the upsert, the
    /// ledger line and the import's counters. A chunk already in the ledger
    /// returns its recorded outcome (`replayed`) and changes nothing. The
    /// same chunk arriving twice at once (a retry on another server) waits
    /// for the first and then finds it in the ledger; a transaction that
    /// lost a race with another import is tried again ([`super::race`]).
    pub async fn apply_chunk(
        &self,
        account_id: i64,
        import_id: i64,
        chunk_no: u32,
        chunk: &PlannedChunk<'_>,
    ) -> Result<ChunkOutcome, StoreError> {
        let chunk_no =
            i32::try_from(chunk_no).map_err(|_| StoreError::OutOfRange("chunk number"))?;
        self.analyze_if_never_analyzed().await?;
        let mut attempt = 0;
        loop {
            match self
                .apply_chunk_once(account_id, import_id, chunk_no, chunk)
                .await
            {
                Err(StoreError::Db(e)) if attempt < RACE_RETRIES && lost_a_race(&e) => {
                    attempt += 1;
                    tracing::info!(import = import_id, chunk = chunk_no, attempt, error = %e, "chunk lost a race; trying again");
                    pause(attempt).await;
                }
                other => return other,
            }
        }
    }

    async fn apply_chunk_once(
        &self,
        account_id: i64,
        import_id: i64,
        chunk_no: i32,
        chunk: &PlannedChunk<'_>,
    ) -> Result<ChunkOutcome, StoreError> {
        let PlannedChunk {
            rows,
            fingerprint,
            plan,
            sms,
        } = *chunk;
        let (_turn, txn) = self.begin_write().await?;
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            // One transaction per (import, chunk) at a time, on every server:
            // the second waits here, then finds the first's ledger line.
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1, $2)",
                [((import_id & 0x7fff_ffff) as i32).into(), chunk_no.into()],
            ))
            .await?;
        }
        if let Some((done, recorded)) = recorded_chunk(&txn, import_id, chunk_no).await? {
            txn.rollback().await?;
            // Another chunk under this number: its rows were never written.
            if !recorded.is_empty() && !fingerprint.is_empty() && recorded != fingerprint {
                return Err(StoreError::ChunkChanged);
            }
            return Ok(done);
        }
        let summary = upsert_in(&txn, account_id, &plan.contacts, Some(import_id), sms).await?;
        fault_pause(chunk_no).await;
        let rejected = rejected_rows(&plan.rejected, &summary.conflicts);
        let outcome = ChunkOutcome {
            rows,
            created: summary.created,
            updated: summary.updated,
            unchanged: summary.unchanged,
            groups_created: summary.groups_created,
            details_dropped: crate::import::plan::dropped_details(&plan.warnings),
            rejected,
            replayed: false,
            opted_in: summary.opted_in,
            opted_out: summary.opted_out,
            kept_opted_out: summary.kept_opted_out,
        };
        let json = serde_json::to_string(&outcome)
            .map_err(|e| StoreError::Corrupt(format!("chunk outcome to JSON: {e}")))?;
        import_chunk::ActiveModel {
            import_id: Set(import_id),
            chunk_no: Set(chunk_no),
            account_id: Set(account_id),
            outcome: Set(json),
            fingerprint: Set(fingerprint.to_string()),
        }
        .insert(&txn)
        .await?;
        let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        import_batch::Entity::update_many()
            .col_expr(
                import_batch::Column::Chunks,
                Expr::col(import_batch::Column::Chunks).add(1),
            )
            .col_expr(
                import_batch::Column::Created,
                Expr::col(import_batch::Column::Created).add(n(outcome.created)),
            )
            .col_expr(
                import_batch::Column::Updated,
                Expr::col(import_batch::Column::Updated).add(n(outcome.updated)),
            )
            .col_expr(
                import_batch::Column::Unchanged,
                Expr::col(import_batch::Column::Unchanged).add(n(outcome.unchanged)),
            )
            .col_expr(
                import_batch::Column::Rejected,
                Expr::col(import_batch::Column::Rejected).add(n(outcome.rejected.len())),
            )
            .col_expr(
                import_batch::Column::DetailsDropped,
                Expr::col(import_batch::Column::DetailsDropped).add(n(outcome.details_dropped)),
            )
            .col_expr(
                import_batch::Column::OptedIn,
                Expr::col(import_batch::Column::OptedIn).add(n(outcome.opted_in)),
            )
            .col_expr(
                import_batch::Column::OptedOut,
                Expr::col(import_batch::Column::OptedOut).add(n(outcome.opted_out)),
            )
            .col_expr(
                import_batch::Column::KeptOptedOut,
                Expr::col(import_batch::Column::KeptOptedOut).add(n(outcome.kept_opted_out.len())),
            )
            .filter(import_batch::Column::AccountId.eq(account_id))
            .filter(import_batch::Column::Id.eq(import_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(outcome)
    }

    /// PostgreSQL plans the detail lookups from the tables' statistics. A
    /// table never analyzed (a new database: autovacuum comes round a
    /// minute later at best, and not at all where it is off) gets a plan
    /// that filters every detail of the account for each chunk instead of
    /// looking the keys up, so an import slows with every row it adds
    /// (BENCHMARKS.md). Statistics taken once the tables hold rows are
    /// enough: the keys are unique, and stay so.
    ///
    /// SQLite keeps no statistics until `ANALYZE` runs, and without them it
    /// guesses that the account's index narrows a search to a few rows: a
    /// search for one phone number then read every contact of the account
    /// (13 ms at 100,000 contacts) instead of looking the one up (0.4 ms;
    /// BENCHMARKS.md). Once the contacts number 1,000, their statistics are
    /// taken.
    pub(crate) async fn analyze_if_never_analyzed(&self) -> Result<(), DbErr> {
        let db = self.connection();
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            return self.analyze_sqlite_if_never_analyzed().await;
        }
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let never = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT count(*) AS n FROM pg_stat_user_tables \
                 WHERE relid IN ('contact'::regclass, 'contact_detail'::regclass, \
                   'group_member'::regclass, 'contact_field_value'::regclass) \
                 AND last_analyze IS NULL AND last_autoanalyze IS NULL \
                 AND n_live_tup + n_mod_since_analyze >= 1000",
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if never > 0 {
            db.execute_unprepared(
                "ANALYZE contact, contact_detail, group_member, contact_field_value",
            )
            .await?;
        }
        Ok(())
    }

    /// Marks the import done and adds the rows the browser refused before
    /// sending them. Finishing twice changes nothing.
    pub async fn finish_import(
        &self,
        account_id: i64,
        finish: &FinishRequest,
    ) -> Result<ImportView, StoreError> {
        let import_id = finish.import_id;
        let total_rows = import_batch::Entity::find()
            .filter(import_batch::Column::AccountId.eq(account_id))
            .filter(import_batch::Column::Id.eq(import_id))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound(Missing::Import))?
            .total_rows;
        let (rejected_in_browser, dropped_in_browser) =
            capped_finish(finish, u64::try_from(total_rows).unwrap_or(0));
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let turn = self.write_turn().await;
        import_batch::Entity::update_many()
            .col_expr(import_batch::Column::Status, Expr::value(STATUS_DONE))
            .col_expr(import_batch::Column::FinishedAt, Expr::value(Utc::now()))
            .col_expr(
                import_batch::Column::Rejected,
                Expr::col(import_batch::Column::Rejected).add(n(rejected_in_browser)),
            )
            .col_expr(
                import_batch::Column::DetailsDropped,
                Expr::col(import_batch::Column::DetailsDropped).add(n(dropped_in_browser)),
            )
            .filter(import_batch::Column::AccountId.eq(account_id))
            .filter(import_batch::Column::Id.eq(import_id))
            .filter(import_batch::Column::Status.eq(STATUS_RUNNING))
            .exec(self.connection())
            .await?;
        drop(turn);
        self.tidy_search_indexes(true).await;
        let m = import_batch::Entity::find()
            .filter(import_batch::Column::AccountId.eq(account_id))
            .filter(import_batch::Column::Id.eq(import_id))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound(Missing::Import))?;
        Ok(view(m))
    }

    /// PostgreSQL adds an import's new search entries to a pending list of
    /// each trigram index (fast inserts), which every search then reads
    /// through until a vacuum merges it: a name search read 447 index pages
    /// instead of 39 after a 100,000-row import, and took 3.6 ms instead of
    /// 0.4 (BENCHMARKS.md). Merging them once the import ends costs about
    /// 20 ms. A failure (an index owned by another role) only costs speed:
    /// it is logged, and autovacuum merges them later.
    /// On SQLite, takes the statistics again when the contacts have doubled
    /// ([`Store::refresh_sqlite_statistics`]); `in_background`: after the
    /// caller has its answer (the wizard's last request does not wait for
    /// it).
    pub(crate) async fn tidy_search_indexes(&self, in_background: bool) {
        let db = self.connection();
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            let store = self.clone();
            let refresh = async move {
                if let Err(e) = store.refresh_sqlite_statistics().await {
                    tracing::warn!(error = %e, "could not refresh SQLite's statistics");
                }
            };
            if in_background {
                tokio::spawn(refresh);
            } else {
                refresh.await;
            }
            return;
        }
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return;
        }
        if let Err(e) = db
            .execute_unprepared(
                "SELECT gin_clean_pending_list('idx_contact_search_trgm'::regclass), \
                        gin_clean_pending_list('idx_contact_detail_match_trgm'::regclass)",
            )
            .await
        {
            tracing::warn!(error = %e, "could not merge the search indexes' pending entries");
        }
        // After the wizard's import only: a command-line import's process
        // ends with it, and leaves this to autovacuum.
        if in_background {
            let store = self.clone();
            tokio::spawn(async move {
                if let Err(e) = store.vacuum_new_pages().await {
                    tracing::warn!(error = %e, "could not vacuum the imported contacts");
                }
            });
        }
    }

    /// PostgreSQL reads an index alone (an index-only scan) only for the
    /// table pages its visibility map marks all-visible, which a vacuum
    /// does; the pages an import has just written are not, so counting a
    /// custom value's holders from its index read a table row per entry
    /// (10.8 ms for 10,000 against 2.1 after a vacuum) and a page of them
    /// 4.7 ms against 0.2 (BENCHMARKS.md). Autovacuum gets there a minute
    /// later at best. So once a wizard's import ends, the contacts' tables
    /// of which less than half is marked are vacuumed (`SKIP_LOCKED`: not again while
    /// another vacuum holds one); reads and writes go on meanwhile.
    async fn vacuum_new_pages(&self) -> Result<(), DbErr> {
        let db = self.connection();
        let rows = db
            .query_all_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                // The table's size now (`relpages` dates from the last
                // vacuum or analyze), against the pages marked then.
                "SELECT name FROM (SELECT relname::text AS name, relallvisible AS marked, \
                   pg_relation_size(oid) / current_setting('block_size')::bigint AS pages \
                   FROM pg_class WHERE oid IN ('contact'::regclass, \
                   'contact_detail'::regclass, 'group_member'::regclass, \
                   'contact_field_value'::regclass)) AS t \
                 WHERE pages >= 1000 AND marked * 2 < pages",
            ))
            .await?;
        let tables: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "name").ok())
            .collect();
        if !tables.is_empty() {
            db.execute_unprepared(&format!("VACUUM (SKIP_LOCKED) {}", tables.join(", ")))
                .await?;
        }
        Ok(())
    }

    /// The account's unfinished imports of the file whose rows hash to
    /// `content_hash` (newest first, at most three), with what the wizard
    /// needs to resume them. Imports started without a wizard state (by a
    /// script) are not offered.
    pub async fn unfinished_imports(
        &self,
        account_id: i64,
        content_hash: &str,
    ) -> Result<Vec<UnfinishedImport>, StoreError> {
        if content_hash.is_empty() {
            return Ok(Vec::new());
        }
        let rows = import_batch::Entity::find()
            .filter(import_batch::Column::AccountId.eq(account_id))
            .filter(import_batch::Column::ContentHash.eq(content_hash))
            .filter(import_batch::Column::Status.eq(STATUS_RUNNING))
            .filter(import_batch::Column::WizardState.ne(""))
            .order_by_desc(import_batch::Column::Id)
            .limit(3)
            .all(self.connection())
            .await?;
        let u = |v: i64| u64::try_from(v).unwrap_or(0);
        rows.into_iter()
            .map(|m| {
                let wizard = serde_json::from_str(&m.wizard_state).map_err(|e| {
                    StoreError::Corrupt(format!("import {}: wizard state: {e}", m.id))
                })?;
                Ok(UnfinishedImport {
                    started: ImportStarted {
                        import_id: m.id,
                        group_id: m.group_id,
                        group_name: m.group_id.map(|_| m.group_name.clone()),
                    },
                    file_name: m.file_name,
                    sheet: m.sheet,
                    started_at: m.started_at.to_rfc3339(),
                    total_rows: u(m.total_rows),
                    created: u(m.created),
                    updated: u(m.updated),
                    wizard,
                })
            })
            .collect()
    }

    /// The imports that touched contact `contact_id`: the last one that
    /// created or changed it, and those that changed its SMS status; newest
    /// first.
    pub async fn contact_imports(
        &self,
        account_id: i64,
        contact_id: i64,
    ) -> Result<Vec<ImportView>, StoreError> {
        let contact = super::entity::contact::Entity::find()
            .filter(super::entity::contact::Column::AccountId.eq(account_id))
            .filter(super::entity::contact::Column::Id.eq(contact_id))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound(Missing::Contact))?;
        let mut ids: Vec<i64> = super::entity::sms_status_event::Entity::find()
            .select_only()
            .column(super::entity::sms_status_event::Column::ImportId)
            .filter(super::entity::sms_status_event::Column::AccountId.eq(account_id))
            .filter(super::entity::sms_status_event::Column::ContactId.eq(contact_id))
            .filter(super::entity::sms_status_event::Column::ImportId.is_not_null())
            .distinct()
            .order_by_desc(super::entity::sms_status_event::Column::ImportId)
            .limit(50)
            .into_tuple::<Option<i64>>()
            .all(self.connection())
            .await?
            .into_iter()
            .flatten()
            .collect();
        ids.extend(contact.import_id);
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(import_batch::Entity::find()
            .filter(import_batch::Column::AccountId.eq(account_id))
            .filter(import_batch::Column::Id.is_in(ids))
            .order_by_desc(import_batch::Column::Id)
            .all(self.connection())
            .await?
            .into_iter()
            .map(view)
            .collect())
    }

    /// The account's most recent imports, newest first.
    pub async fn list_imports(
        &self,
        account_id: i64,
        limit: u64,
    ) -> Result<Vec<ImportView>, DbErr> {
        Ok(import_batch::Entity::find()
            .filter(import_batch::Column::AccountId.eq(account_id))
            .order_by_desc(import_batch::Column::Id)
            .limit(limit)
            .all(self.connection())
            .await?
            .into_iter()
            .map(view)
            .collect())
    }
}

impl Store {
    /// SQLite's statistics taken again once the contacts number twice what
    /// they did when last taken (autovacuum does it on PostgreSQL). Taken
    /// once at 1,000 contacts and never again, they told the planner that
    /// memberships numbered 4,000 at 1,000,000: it then read every
    /// membership to find those of a batch of 1,000 contacts (130 ms a
    /// batch: an export of 1,000,000 contacts took 112 s instead of the
    /// 40 s its 100,000-contact run promised). A whole `ANALYZE` of the
    /// four tables: 0.9 s at 1,000,000 contacts, at most once each time
    /// the contacts double.
    /// [`Store::refresh_sqlite_statistics`] when the process starts: an
    /// import's refresh runs after its answer, and a server stopped right
    /// after the import (or a command-line import) never took it; an export
    /// of 1,000,000 contacts then took 108 s instead of 23 (BENCHMARKS.md).
    /// Nothing on PostgreSQL (autovacuum keeps its statistics).
    pub async fn refresh_statistics_if_stale(&self) -> Result<(), DbErr> {
        if self.connection().get_database_backend() == DatabaseBackend::Sqlite {
            self.refresh_sqlite_statistics().await?;
        }
        Ok(())
    }

    async fn refresh_sqlite_statistics(&self) -> Result<(), DbErr> {
        // Read as an export reads (no memory map: the tables' pages it
        // reads do not stay resident in the server).
        let reader = self.for_long_reads().await?;
        let db = reader.connection();
        let number = |sql: &'static str| async move {
            Ok::<i64, DbErr>(
                db.query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql))
                    .await?
                    .and_then(|row| row.try_get::<Option<i64>>("", "n").ok().flatten())
                    .unwrap_or(0),
            )
        };
        // The first number of a table's statistics is its rows then.
        let then = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT stat AS s FROM sqlite_stat1 WHERE tbl = 'contact' LIMIT 1",
            ))
            .await
            .ok()
            .flatten()
            .and_then(|row| row.try_get::<String>("", "s").ok())
            .and_then(|s| s.split(' ').next().and_then(|n| n.parse::<i64>().ok()));
        let Some(then) = then else {
            return Ok(());
        };
        let now = number("SELECT SUM(contact_count) AS n FROM account").await?;
        if now < then.saturating_mul(2) {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        for table in [
            "contact",
            "contact_detail",
            "group_member",
            "contact_field_value",
        ] {
            db.execute_unprepared(&format!("ANALYZE {table}")).await?;
        }
        // A connection reads the statistics when it loads the schema, and
        // an `ANALYZE` does not change the schema: without a change, the
        // pool's other connections (the list's) would plan with the old
        // ones until they close. A table made and dropped is one.
        db.execute_unprepared("CREATE TABLE IF NOT EXISTS statistics_taken (x)")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS statistics_taken")
            .await?;
        Ok(())
    }

    async fn analyze_sqlite_if_never_analyzed(&self) -> Result<(), DbErr> {
        let db = self.connection();
        // No statistics table at all before the first ANALYZE.
        let analyzed = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl = 'contact'",
            ))
            .await
            .ok()
            .flatten()
            .and_then(|row| row.try_get::<i64>("", "n").ok())
            .unwrap_or(0)
            > 0;
        if analyzed {
            return Ok(());
        }
        let contacts = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact LIMIT 1000)",
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if contacts >= 1000 {
            let _turn = self.write_turn().await;
            for table in ["contact", "contact_detail", "group_member"] {
                db.execute_unprepared(&format!("ANALYZE {table}")).await?;
            }
        }
        Ok(())
    }
}

/// Fault injection for the crash tests (`server/tests/crash.rs`): with
/// `CONTACTS_FAULT_PAUSE_CHUNK=N:MS` in the environment, chunk `N` of every
/// import waits `MS` milliseconds inside its transaction, after its rows
/// are written and before it commits, so that a test can kill the server
/// in the middle of it. Unset (always, outside those tests), nothing waits.
async fn fault_pause(chunk_no: i32) {
    static PAUSE: std::sync::OnceLock<Option<(i32, u64)>> = std::sync::OnceLock::new();
    let pause = PAUSE.get_or_init(|| {
        let v = std::env::var("CONTACTS_FAULT_PAUSE_CHUNK").ok()?;
        let (n, ms) = v.split_once(':')?;
        Some((n.parse().ok()?, ms.parse().ok()?))
    });
    if let Some((n, ms)) = *pause {
        if n == chunk_no {
            tracing::warn!(
                chunk = chunk_no,
                ms,
                "fault injection: pausing inside the chunk's transaction"
            );
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    }
}

/// The recorded outcome of chunk `chunk_no` of import `import_id`, and
/// the fingerprint of the rows it was applied with, if it was applied.
async fn recorded_chunk<C: ConnectionTrait>(
    db: &C,
    import_id: i64,
    chunk_no: i32,
) -> Result<Option<(ChunkOutcome, String)>, StoreError> {
    let Some(m) = import_chunk::Entity::find()
        .filter(import_chunk::Column::ImportId.eq(import_id))
        .filter(import_chunk::Column::ChunkNo.eq(chunk_no))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut outcome: ChunkOutcome = serde_json::from_str(&m.outcome).map_err(|e| {
        StoreError::Corrupt(format!("import {import_id} chunk {chunk_no} outcome: {e}"))
    })?;
    outcome.replayed = true;
    Ok(Some((outcome, m.fingerprint)))
}

/// How a contact's history names a wizard import.
pub fn import_label(file_name: &str) -> String {
    match file_name.trim() {
        "" => "import of pasted rows".into(),
        name => format!("import of {name}"),
    }
}

fn view(m: import_batch::Model) -> ImportView {
    let u = |v: i64| u64::try_from(v).unwrap_or(0);
    let mapping = serde_json::from_str::<Vec<WireColumn>>(&m.mapping)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.field != crate::import::Field::Ignore)
        .map(|c| {
            let field = match &c.custom {
                Some(def) => def.name.to_string(),
                None => c.field.title().to_string(),
            };
            (c.header, field)
        })
        .collect();
    ImportView {
        id: m.id,
        file_name: m.file_name,
        sheet: m.sheet,
        group_id: m.group_id,
        group_name: m.group_name,
        total_rows: u(m.total_rows),
        status: m.status,
        created: u(m.created),
        updated: u(m.updated),
        unchanged: u(m.unchanged),
        rejected: u(m.rejected),
        details_dropped: u(m.details_dropped),
        mapping,
        started_at: m.started_at.to_rfc3339(),
        consent: ImportConsent::parse(&m.consent).unwrap_or_default(),
        opted_in: u(m.opted_in),
        opted_out: u(m.opted_out),
        kept_opted_out: u(m.kept_opted_out),
    }
}
