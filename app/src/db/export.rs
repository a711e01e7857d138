//! What an export reads: its layout (how many phone and e-mail columns,
//! which custom fields) and the contacts the list's query finds, a batch
//! at a time by id, so that a million contacts leave in bounded memory.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use super::entity::contact;
use super::store::{list_filters, search_branches, Store};
use crate::export::Layout;
use crate::import::contact::MAX_DETAILS_PER_KIND;
use crate::import::{DetailKind, Region};
use crate::model::{ContactQuery, ContactView};

/// Contacts read per batch.
pub const EXPORT_BATCH: u64 = 1_000;

impl Store {
    /// The export's columns: as many phone (e-mail) columns as the account's
    /// contact with the most phones (e-mails) has, and every custom field.
    pub async fn export_layout(&self, account_id: i64) -> Result<Layout, super::StoreError> {
        let most = |kind: DetailKind| {
            let db = self.db.clone();
            async move {
                let backend = db.get_database_backend();
                let sql = match backend {
                    DatabaseBackend::Postgres => {
                        "SELECT MAX(n) AS n FROM (SELECT COUNT(*) AS n FROM contact_detail \
                         WHERE account_id = $1 AND kind = $2 GROUP BY contact_id) AS per_contact"
                    }
                    _ => {
                        "SELECT MAX(n) AS n FROM (SELECT COUNT(*) AS n FROM contact_detail \
                         WHERE account_id = ? AND kind = ? GROUP BY contact_id) AS per_contact"
                    }
                };
                let n: Option<i64> = db
                    .query_one_raw(Statement::from_sql_and_values(
                        backend,
                        sql,
                        [account_id.into(), kind.as_str().into()],
                    ))
                    .await?
                    .and_then(|row| row.try_get::<Option<i64>>("", "n").ok().flatten());
                Ok::<usize, DbErr>(n.map_or(0, |n| usize::try_from(n).unwrap_or(0)))
            }
        };
        Ok(Layout {
            phones: most(DetailKind::Phone)
                .await?
                .clamp(1, MAX_DETAILS_PER_KIND),
            emails: most(DetailKind::Email)
                .await?
                .clamp(1, MAX_DETAILS_PER_KIND),
            fields: self.list_fields(account_id).await?,
        })
    }

    /// Up to `limit` of the contacts `query` finds (its search and filters;
    /// not its page or sort), after contact id `after`, by id; with their
    /// details, groups and custom values. `query` comes from
    /// [`Store::resolve_query`], once per export (not once per batch).
    pub async fn export_batch(
        &self,
        account_id: i64,
        region: Region,
        query: &ContactQuery,
        after: i64,
        limit: u64,
    ) -> Result<Vec<ContactView>, DbErr> {
        let mut select = contact::Entity::find()
            .filter(contact::Column::AccountId.eq(account_id))
            .filter(contact::Column::Id.gt(after))
            .filter(list_filters(account_id, query));
        let branches = search_branches(
            self.db.get_database_backend(),
            account_id,
            region,
            &query.search,
        );
        if !branches.is_empty() {
            select = select.filter(branches.into_iter().fold(Condition::any(), Condition::add));
        }
        let rows = select
            .order_by_asc(contact::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.views(account_id, rows).await
    }
}
