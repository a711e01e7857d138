//! `/api/groups/*`: list with member counts, create, rename, delete.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::GroupView;

#[server(endpoint = "groups/list", input = Json)]
pub async fn list_groups() -> Result<Vec<GroupView>, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.list_groups(me.account_id).await?)
        }
        .await,
    )
}

#[server(endpoint = "groups/create", input = Json)]
pub async fn create_group(name: String) -> Result<GroupView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let name = crate::import::GroupName::parse(&name)?;
            Ok(s.store.create_group(me.account_id, &name).await?)
        }
        .await,
    )
}

#[server(endpoint = "groups/rename", input = Json)]
pub async fn rename_group(id: i64, name: String) -> Result<(), AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let name = crate::import::GroupName::parse(&name)?;
            Ok(s.store.rename_group(me.account_id, id, &name).await?)
        }
        .await,
    )
}

/// Deletes the group; its contacts stay.
#[server(endpoint = "groups/delete", input = Json)]
pub async fn delete_group(id: i64) -> Result<(), AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.delete_group(me.account_id, id).await?)
        }
        .await,
    )
}
