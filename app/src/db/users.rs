//! Users, invitations, account settings and the session records.
//!
//! A user belongs to one account; an e-mail has at most one login (its
//! lower-cased key is unique). The first sign-up of an installation takes
//! over the account that was there before logins existed (the one the
//! command line imports into), so no data is stranded.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, PaginatorTrait,
    QueryFilter, QueryOrder, Set, SqlErr,
};

use super::entity::{account, app_user, auth_session, invitation};
use super::error::{Missing, StoreError};
use super::Store;
use crate::auth::{Credentials, UserView};
use crate::import::Region;
use crate::security::CurrentUser;

fn taken_email() -> StoreError {
    StoreError::EmailTaken
}

fn invitation_gone() -> StoreError {
    StoreError::NotFound(Missing::Invitation)
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

impl Store {
    /// How many logins exist (0 on a first run).
    pub async fn user_count(&self) -> Result<u64, DbErr> {
        app_user::Entity::find().count(&self.db).await
    }

    /// Creates an account named `name` with its first user. On an
    /// installation without any user yet, the oldest account (made before
    /// logins existed, by `contacts import` or an earlier version) is taken
    /// over and renamed instead of a new one being made.
    pub async fn sign_up(
        &self,
        name: &str,
        creds: &Credentials,
        password_hash: String,
        region: Region,
    ) -> Result<CurrentUser, StoreError> {
        let (_turn, txn) = self.begin_write().await?;
        ensure_email_free(&txn, &creds.email_key).await?;
        let first_run = app_user::Entity::find().one(&txn).await?.is_none();
        let existing = if first_run {
            account::Entity::find()
                .order_by_asc(account::Column::Id)
                .one(&txn)
                .await?
        } else {
            None
        };
        let account = match existing {
            Some(a) => {
                let mut m: account::ActiveModel = a.into();
                m.name = Set(name.to_string());
                m.default_region = Set(region);
                m.update(&txn).await?
            }
            None => super::store::insert_account(&txn, name, region).await?,
        };
        let user = insert_user(&txn, account.id, creds, password_hash).await?;
        txn.commit().await?;
        Ok(current(user, account))
    }

    /// The login of `email_key`, if any.
    pub async fn user_by_email(&self, email_key: &str) -> Result<Option<app_user::Model>, DbErr> {
        app_user::Entity::find()
            .filter(app_user::Column::EmailKey.eq(email_key))
            .one(&self.db)
            .await
    }

    /// The user of a session with their account, or `None` when either is gone.
    pub async fn session_user(&self, user_id: i64) -> Result<Option<CurrentUser>, DbErr> {
        let Some(user) = app_user::Entity::find_by_id(user_id).one(&self.db).await? else {
            return Ok(None);
        };
        let account = account::Entity::find_by_id(user.account_id)
            .one(&self.db)
            .await?;
        Ok(account.map(|a| current(user, a)))
    }

    /// The account's users, oldest first.
    pub async fn account_users(&self, me: &CurrentUser) -> Result<Vec<UserView>, DbErr> {
        Ok(app_user::Entity::find()
            .filter(app_user::Column::AccountId.eq(me.account_id))
            .order_by_asc(app_user::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| UserView {
                is_me: u.id == me.user_id,
                email: u.email,
                created_at: u.created_at.format("%Y-%m-%d").to_string(),
            })
            .collect())
    }

    /// Renames the account, sets its default phone region and whether it
    /// texts only contacts whose consent is recorded.
    pub async fn update_account(
        &self,
        account_id: i64,
        name: &str,
        region: Region,
        require_consent: bool,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let updated = account::Entity::update_many()
            .col_expr(account::Column::Name, name.into())
            .col_expr(account::Column::DefaultRegion, region.code().into())
            .col_expr(account::Column::RequireConsent, require_consent.into())
            .filter(account::Column::Id.eq(account_id))
            .exec(&self.db)
            .await?;
        if updated.rows_affected == 0 {
            return Err(StoreError::NotFound(Missing::Account));
        }
        Ok(())
    }

    /// Records an invitation into the user's account, valid until `expires_at`.
    pub async fn create_invitation(
        &self,
        me: &CurrentUser,
        token_hash: String,
        expires_at: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let _turn = self.write_turn().await;
        invitation::ActiveModel {
            id: NotSet,
            account_id: Set(me.account_id),
            token_hash: Set(token_hash),
            created_by: Set(me.user_id),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            accepted_by: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The name of the account an unused, unexpired invitation opens, by
    /// its token's hash.
    pub async fn invitation_account(&self, token_hash: &str) -> Result<String, StoreError> {
        let inv = open_invitation(&self.db, token_hash)
            .await?
            .ok_or_else(invitation_gone)?;
        Ok(account::Entity::find_by_id(inv.account_id)
            .one(&self.db)
            .await?
            .ok_or_else(invitation_gone)?
            .name)
    }

    /// Uses an invitation: a new user in its account; the link then opens nothing.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        creds: &Credentials,
        password_hash: String,
    ) -> Result<CurrentUser, StoreError> {
        let (_turn, txn) = self.begin_write().await?;
        let inv = open_invitation(&txn, token_hash)
            .await?
            .ok_or_else(invitation_gone)?;
        let account = account::Entity::find_by_id(inv.account_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound(Missing::Account))?;
        ensure_email_free(&txn, &creds.email_key).await?;
        let user = insert_user(&txn, account.id, creds, password_hash).await?;
        // Only the first of two racing acceptances changes the row.
        let used = invitation::Entity::update_many()
            .col_expr(invitation::Column::AcceptedBy, user.id.into())
            .filter(invitation::Column::Id.eq(inv.id))
            .filter(invitation::Column::AcceptedBy.is_null())
            .exec(&txn)
            .await?;
        if used.rows_affected != 1 {
            return Err(StoreError::NotFound(Missing::InvitationUsedMeanwhile));
        }
        txn.commit().await?;
        Ok(current(user, account))
    }

    /// Deletes the session records that have expired.
    pub async fn delete_expired_sessions(&self) -> Result<u64, DbErr> {
        let _turn = self.write_turn().await;
        Ok(auth_session::Entity::delete_many()
            .filter(auth_session::Column::ExpiresAt.lt(Utc::now().timestamp()))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// The accounts, oldest first (the command line picks one by name).
    pub async fn accounts(&self) -> Result<Vec<account::Model>, DbErr> {
        account::Entity::find()
            .order_by_asc(account::Column::Id)
            .all(&self.db)
            .await
    }
}

/// "Log in instead" when `email_key` already has a login (the unique index
/// answers the same to a racing insert).
async fn ensure_email_free(db: &impl ConnectionTrait, email_key: &str) -> Result<(), StoreError> {
    let taken = app_user::Entity::find()
        .filter(app_user::Column::EmailKey.eq(email_key))
        .one(db)
        .await?;
    match taken {
        Some(_) => Err(taken_email()),
        None => Ok(()),
    }
}

async fn insert_user(
    db: &impl ConnectionTrait,
    account_id: i64,
    creds: &Credentials,
    password_hash: String,
) -> Result<app_user::Model, StoreError> {
    app_user::ActiveModel {
        id: NotSet,
        account_id: Set(account_id),
        email: Set(creds.email.clone()),
        email_key: Set(creds.email_key.clone()),
        password_hash: Set(password_hash),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            taken_email()
        } else {
            e.into()
        }
    })
}

async fn open_invitation(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<invitation::Model>, DbErr> {
    invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token_hash))
        .filter(invitation::Column::AcceptedBy.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await
}

fn current(user: app_user::Model, account: account::Model) -> CurrentUser {
    CurrentUser {
        user_id: user.id,
        account_id: account.id,
        email: user.email,
        region: account.default_region,
        account_name: account.name,
    }
}

/// The expiry of a new invitation.
pub fn invitation_expiry() -> DateTime<Utc> {
    Utc::now() + Duration::days(crate::auth::INVITATION_DAYS)
}

// ------------------------------------------------------------ session store

/// tower-sessions' records in the `auth_session` table, through SeaORM.
#[derive(Clone, Debug)]
pub struct SessionRecords(pub Store);

fn backend(e: DbErr) -> tower_sessions::session_store::Error {
    tower_sessions::session_store::Error::Backend(e.to_string())
}

impl SessionRecords {
    fn row(
        record: &tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<auth_session::ActiveModel> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| tower_sessions::session_store::Error::Encode(e.to_string()))?;
        Ok(auth_session::ActiveModel {
            id: Set(record.id.to_string()),
            data: Set(data),
            expires_at: Set(record.expiry_date.unix_timestamp()),
        })
    }
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for SessionRecords {
    async fn create(
        &self,
        record: &mut tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<()> {
        // A fresh id until one is free (a collision of 128 random bits is
        // not expected, but an insert never overwrites another's session).
        let _turn = self.0.write_turn().await;
        loop {
            match Self::row(record)?.insert(&self.0.db).await {
                Ok(_) => return Ok(()),
                Err(e) if is_unique_violation(&e) => {
                    record.id = tower_sessions::session::Id::default();
                }
                Err(e) => return Err(backend(e)),
            }
        }
    }

    async fn save(
        &self,
        record: &tower_sessions::session::Record,
    ) -> tower_sessions::session_store::Result<()> {
        use sea_orm::sea_query::OnConflict;
        let _turn = self.0.write_turn().await;
        auth_session::Entity::insert(Self::row(record)?)
            .on_conflict(
                OnConflict::column(auth_session::Column::Id)
                    .update_columns([auth_session::Column::Data, auth_session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(&self.0.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(
        &self,
        id: &tower_sessions::session::Id,
    ) -> tower_sessions::session_store::Result<Option<tower_sessions::session::Record>> {
        let Some(row) = auth_session::Entity::find_by_id(id.to_string())
            .filter(auth_session::Column::ExpiresAt.gt(Utc::now().timestamp()))
            .one(&self.0.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| tower_sessions::session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at)
            .map_err(|e| tower_sessions::session_store::Error::Decode(e.to_string()))?;
        Ok(Some(tower_sessions::session::Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(
        &self,
        id: &tower_sessions::session::Id,
    ) -> tower_sessions::session_store::Result<()> {
        let _turn = self.0.write_turn().await;
        auth_session::Entity::delete_by_id(id.to_string())
            .exec(&self.0.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
