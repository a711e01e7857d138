//! `/api/settings/*`: the account's settings (name, default phone region).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::auth::AccountUpdate;
use crate::error::AppError;
use crate::model::AccountSettings;

#[server(endpoint = "settings/get", input = Json)]
pub async fn get_settings() -> Result<AccountSettings, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let require_consent = s
                .store
                .account(me.account_id)
                .await?
                .is_some_and(|a| a.require_consent);
            Ok(AccountSettings {
                account_name: me.account_name,
                default_region: me.region,
                require_consent,
            })
        }
        .await,
    )
}

/// Renames the account and sets the region for numbers without a country code.
#[server(endpoint = "settings/update", input = Json)]
pub async fn update_settings(settings: AccountUpdate) -> Result<AccountSettings, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let (name, region) = crate::auth::check_account_update(&settings)
                .map_err(|problems| AppError::Invalid(problems.join(" ")))?;
            s.store
                .update_account(me.account_id, &name, region, settings.require_consent)
                .await?;
            Ok(AccountSettings {
                account_name: name,
                default_region: region,
                require_consent: settings.require_consent,
            })
        }
        .await,
    )
}
