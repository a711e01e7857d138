//! `/api/fields/*`: the account's custom fields: list, create, rename,
//! how many contacts hold a value of one, delete.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::import::fields::FieldKind;
use crate::model::CustomFieldView;

#[server(endpoint = "fields/list", input = Json)]
pub async fn list_fields() -> Result<Vec<CustomFieldView>, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.list_fields(me.account_id).await?)
        }
        .await,
    )
}

#[server(endpoint = "fields/create", input = Json)]
pub async fn create_field(
    name: String,
    kind: FieldKind,
    choices: Vec<String>,
) -> Result<CustomFieldView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let def = crate::import::fields::FieldDef::from_input(&name, kind, &choices)
                .map_err(AppError::Invalid)?;
            Ok(s.store.create_field(me.account_id, &def).await?)
        }
        .await,
    )
}

#[server(endpoint = "fields/rename", input = Json)]
pub async fn rename_field(id: i64, name: String) -> Result<CustomFieldView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let name = crate::import::fields::FieldName::parse(&name)
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            Ok(s.store.rename_field(me.account_id, id, &name).await?)
        }
        .await,
    )
}

/// How many contacts hold a value of the field (what deleting it removes).
#[server(endpoint = "fields/holders", input = Json)]
pub async fn field_holders(id: i64) -> Result<u64, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.field_holders(me.account_id, id).await?)
        }
        .await,
    )
}

/// Deletes the field and every value of it; returns how many contacts held one.
#[server(endpoint = "fields/delete", input = Json)]
pub async fn delete_field(id: i64) -> Result<u64, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.delete_field(me.account_id, id).await?)
        }
        .await,
    )
}
