//! `/api/contacts/*`: list, read, create, update, delete.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::bulk::{BulkAction, BulkProgress, BulkTarget};
use crate::error::AppError;
use crate::import::{ContactDraft, SmsStatus};
use crate::model::{ContactPage, ContactQuery, ContactView, SmsEventView};

#[server(endpoint = "contacts/list", input = Json)]
pub async fn list_contacts(query: ContactQuery) -> Result<ContactPage, AppError> {
    crate::state::respond(
        async move {
            let mut query = query;
            let (s, me) = crate::state::signed_in()?;
            query.check().map_err(AppError::Invalid)?;
            query.search = crate::import::text::strip_controls(&query.search).into_owned();
            Ok(s.store
                .list_contacts(me.account_id, me.region, &query)
                .await?)
        }
        .await,
    )
}

#[server(endpoint = "contacts/get", input = Json)]
pub async fn get_contact(id: i64) -> Result<ContactView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            s.store
                .get_contact(me.account_id, id)
                .await?
                .ok_or_else(|| {
                    AppError::NotFound("That contact no longer exists. Reload the list.".into())
                })
        }
        .await,
    )
}

#[server(endpoint = "contacts/create", input = Json)]
pub async fn create_contact(contact: ContactDraft) -> Result<ContactView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let fields = account_fields(&s.store, me.account_id).await?;
            let valid = crate::import::validate_contact_with(&contact, me.region, &fields)
                .map_err(AppError::Fields)?;
            Ok(s.store
                .create_contact_by(me.account_id, &valid, &me.email)
                .await?)
        }
        .await,
    )
}

#[server(endpoint = "contacts/update", input = Json)]
pub async fn update_contact(id: i64, contact: ContactDraft) -> Result<ContactView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let fields = account_fields(&s.store, me.account_id).await?;
            let valid = crate::import::validate_contact_with(&contact, me.region, &fields)
                .map_err(AppError::Fields)?;
            Ok(s.store.update_contact(me.account_id, id, &valid).await?)
        }
        .await,
    )
}

#[server(endpoint = "contacts/delete", input = Json)]
pub async fn delete_contact(id: i64) -> Result<(), AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.delete_contact(me.account_id, id).await?)
        }
        .await,
    )
}

/// A person sets a contact's SMS status; lifting an opt-out needs `reason`,
/// which the contact's history keeps.
#[server(endpoint = "contacts/sms-status", input = Json)]
pub async fn set_sms_status(
    id: i64,
    status: SmsStatus,
    reason: String,
) -> Result<ContactView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let reason = crate::import::text::strip_controls(&reason).into_owned();
            Ok(s.store
                .set_sms_status(me.account_id, id, status, &reason, &me.email)
                .await?)
        }
        .await,
    )
}

/// A contact's SMS status changes, newest first.
#[server(endpoint = "contacts/sms-history", input = Json)]
pub async fn sms_history(id: i64) -> Result<Vec<SmsEventView>, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.sms_history(me.account_id, id).await?)
        }
        .await,
    )
}

/// The account's custom fields, by id, as the form's values are checked.
#[cfg(feature = "ssr")]
async fn account_fields(
    store: &crate::db::Store,
    account_id: i64,
) -> Result<Vec<(i64, crate::import::fields::FieldDef)>, AppError> {
    Ok(store
        .list_fields(account_id)
        .await?
        .into_iter()
        .filter_map(|f| Some((f.id, f.def()?)))
        .collect())
}

/// The imports that created or changed the contact (its page lists them).
#[server(endpoint = "contacts/imports", input = Json)]
pub async fn contact_imports(id: i64) -> Result<Vec<crate::model::ImportView>, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.contact_imports(me.account_id, id).await?)
        }
        .await,
    )
}

/// How many contacts a bulk action would change: the confirmation's count.
#[server(endpoint = "contacts/bulk-count", input = Json)]
pub async fn bulk_count(target: BulkTarget) -> Result<u64, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let target = checked_target(target)?;
            Ok(s.store
                .bulk_count(me.account_id, me.region, &target)
                .await?)
        }
        .await,
    )
}

/// Works through a bulk action for about a second from contact id `after`
/// (the start if `None`); the page calls again with the answer's `next`
/// until it is `None`, adding up what each call changed.
#[server(endpoint = "contacts/bulk", input = Json)]
pub async fn bulk_contacts(
    target: BulkTarget,
    action: BulkAction,
    after: Option<i64>,
) -> Result<BulkProgress, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let target = checked_target(target)?;
            let def = match action.field_id() {
                Some(id) => s.store.find_field(me.account_id, id).await?.def(),
                None => None,
            };
            let write = action
                .resolve(def.as_ref(), me.region)
                .map_err(AppError::Invalid)?;
            Ok(s.store
                .bulk_step(me.account_id, me.region, &target, &write, after)
                .await?)
        }
        .await,
    )
}

/// A bulk target as the store takes it: within its limits, its search
/// without control characters (as the list's).
#[cfg(feature = "ssr")]
fn checked_target(target: BulkTarget) -> Result<BulkTarget, AppError> {
    target.check().map_err(AppError::Invalid)?;
    Ok(match target {
        BulkTarget::Matching(mut q) => {
            q.search = crate::import::text::strip_controls(&q.search).into_owned();
            BulkTarget::Matching(q)
        }
        picked => picked,
    })
}
