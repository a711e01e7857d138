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

/// Passes a server function's result through, setting the HTTP status of an
/// error (422 for field issues, 404, 409…) so scripts can tell them apart.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(e.status());
        }
    }
    result
}
