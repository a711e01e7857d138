//! (ssr) What every server function gets from its context.

use crate::db::Store;
use crate::error::AppError;
use crate::import::Region;

/// Shared by every request. `account_id` is the default account until login exists.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub account_id: i64,
    pub region: Region,
}

/// The state provided to this request, or an internal error if the router forgot it.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}
