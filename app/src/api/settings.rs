//! `/api/settings/get`: what the browser needs before it validates (the region).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::AccountSettings;

#[server(endpoint = "settings/get", input = Json)]
pub async fn get_settings() -> Result<AccountSettings, AppError> {
    crate::state::respond(
        async move {
            let s = crate::state::app_state()?;
            let account = s
                .store
                .account(s.account_id)
                .await?
                .ok_or_else(|| AppError::NotFound("This account no longer exists.".into()))?;
            Ok(AccountSettings {
                account_name: account.name,
                default_region: s.region.code().to_string(),
            })
        }
        .await,
    )
}
