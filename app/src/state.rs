//! (ssr) What every server function gets from its context.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::db::Store;
use crate::error::AppError;
use crate::import::Region;
use crate::security::{CurrentUser, LoginThrottle, Passwords};

/// Shared by every request.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// The phone region a new account starts with (`--region`).
    pub default_region: Region,
    pub passwords: Passwords,
    pub throttle: LoginThrottle,
    /// The site is served over https (behind a TLS proxy): session cookies
    /// get `Secure`.
    pub secure_cookies: bool,
    /// Set when the server was told to stop: `/health/ready` answers 503
    /// while the requests in flight finish.
    pub draining: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(store: Store, default_region: Region) -> Self {
        AppState {
            store,
            default_region,
            passwords: Passwords::new(),
            throttle: LoginThrottle::default(),
            secure_cookies: false,
            draining: Arc::default(),
        }
    }
}

/// The state provided to this request, or an internal error if the router forgot it.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// The logged-in user of this request (found by the server's session guard),
/// or "log in first".
pub fn current_user() -> Result<CurrentUser, AppError> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
        .ok_or_else(|| AppError::Unauthorized("Log in to continue.".into()))
}

/// The state and the logged-in user: what every server function but the
/// login ones starts from.
pub fn signed_in() -> Result<(AppState, CurrentUser), AppError> {
    Ok((app_state()?, current_user()?))
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
