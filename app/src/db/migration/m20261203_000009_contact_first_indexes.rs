use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A contact's details and memberships indexed by (contact, account)
/// instead of (account, contact).
///
/// 1. With (account, contact), PostgreSQL had two indexes starting with the
///    account on `contact_detail`, and without statistics (a table never
///    analyzed: a new database, autovacuum off or not round yet) it could
///    probe an incoming key through the wrong one, reading every detail of
///    the account for each key: one lookup of 4,000 keys took 26 s while
///    the table filled (seen in the browser benchmark). Now the unique
///    (account, kind, key) index is the only one a key probe can use.
/// 2. The foreign keys' cascades (`DELETE … WHERE contact_id = $1`) had no
///    index starting with the contact: a full index scan of the details and
///    a sequential scan of the memberships for each contact deleted.
///
/// Queries by account and contacts (`account_id = ? AND contact_id IN …`)
/// use the new index with both columns, as they used the old one.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new) in TABLES {
            replace(manager, table, old, new, ["contact_id", "account_id"]).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new) in TABLES {
            replace(manager, table, new, old, ["account_id", "contact_id"]).await?;
        }
        Ok(())
    }
}

/// Creates index `new` on `columns` of `table`, then drops index `old`.
async fn replace(
    manager: &SchemaManager<'_>,
    table: &'static str,
    old: &'static str,
    new: &'static str,
    columns: [&'static str; 2],
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(new).table(table);
    for column in columns {
        index.col(column);
    }
    manager.create_index(index).await?;
    manager
        .drop_index(Index::drop().name(old).table(table).to_owned())
        .await
}

/// (table, old index, new index).
const TABLES: [(&str, &str, &str); 2] = [
    (
        "contact_detail",
        "idx_contact_detail_account_contact",
        "idx_contact_detail_contact_account",
    ),
    (
        "group_member",
        "idx_group_member_account_contact",
        "idx_group_member_contact_account",
    ),
];
