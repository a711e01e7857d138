//! `AppError`: the one error type of every server function.
//!
//! User-facing variants carry a message that says what to do; `Internal`
//! carries none (the cause is logged on the server, never sent).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::import::FieldIssue;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong (bad parameter, bad region…).
    #[error("{0}")]
    Invalid(String),
    /// Field-level problems with a submitted contact, to show next to each field.
    #[error("{}", summarize(.0))]
    Fields(Vec<FieldIssue>),
    /// No session, or it expired: log in.
    #[error("{0}")]
    Unauthorized(String),
    /// Refused whoever asks (a cross-site request…).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with existing data (a group name already taken…).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts (logins): wait, then try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// The server is too busy to answer now (every database connection in
    /// use): try again in a moment (503, with `Retry-After`).
    #[error("The server is busy. Please try again in a few seconds.")]
    Unavailable,
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The request did not reach the function or its answer did not come back.
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

fn summarize(issues: &[FieldIssue]) -> String {
    issues
        .iter()
        .map(|i| i.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::MissingArg(m) => AppError::Invalid(refusal(&m)),
            ServerFnErrorErr::UnsupportedRequestMethod(m) => {
                AppError::Invalid(format!("This address takes a POST with a JSON body ({m})."))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

/// The decoder's complaint about a request body, as a sentence that says
/// what to do (the decoder's own words stay: they name the field).
/// (In the browser the same variants mean the server's answer did not
/// decode: its words are kept.)
fn refusal(decoder: &str) -> String {
    let detail: String = decoder.chars().take(300).collect();
    if cfg!(feature = "ssr") {
        format!(
            "This request's body is not what this address takes: {detail}. Send the JSON the app sends."
        )
    } else {
        detail
    }
}

/// A group name refused by [`crate::import::GroupName::parse`]: the user's to fix.
impl From<crate::import::GroupNameIssue> for AppError {
    fn from(issue: crate::import::GroupNameIssue) -> Self {
        AppError::Invalid(issue.to_string())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Fields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Transport(_) => StatusCode::BAD_GATEWAY,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if matches!(err, sea_orm::DbErr::ConnectionAcquire(_)) {
            // Every connection busy for the pool's whole wait: the server
            // is saturated, not broken.
            tracing::warn!(error = %err, "database pool saturated");
            return AppError::Unavailable;
        }
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

/// The store's answers in the words a user reads, with their status.
#[cfg(feature = "ssr")]
impl From<crate::db::StoreError> for AppError {
    fn from(err: crate::db::StoreError) -> Self {
        use crate::db::{Missing, StoreError};
        match err {
            StoreError::NotFound(what) => AppError::NotFound(
                match what {
                    Missing::Account => "This account no longer exists.",
                    Missing::Contact => "That contact no longer exists. Reload the list.",
                    Missing::Group => "That group no longer exists. Reload the page.",
                    Missing::Import => "That import no longer exists.",
                    Missing::Invitation => {
                        "This invitation link is used, expired or wrong. Ask for a new one."
                    }
                    Missing::InvitationUsedMeanwhile => {
                        "This invitation link was used meanwhile. Ask for a new one."
                    }
                    Missing::ImportGroup => {
                        "The import's group was deleted meanwhile. Start the import again."
                    }
                    Missing::Field => "That custom field no longer exists. Reload the page.",
                    Missing::ChosenGroup => {
                        "One of the chosen groups no longer exists. Reload the page and choose again."
                    }
                }
                .into(),
            ),
            StoreError::GroupNameTaken(name) => AppError::Conflict(format!(
                "A group named \"{name}\" already exists: choose another name."
            )),
            StoreError::FieldNameTaken(name) => AppError::Conflict(format!(
                "A field named \"{name}\" already exists: choose another name, or map the column to it."
            )),
            StoreError::FieldRefused(why) => AppError::Invalid(why),
            StoreError::TooManyFields => AppError::Invalid(format!(
                "An account has at most {} custom fields: delete one on the Settings page first.",
                crate::import::fields::MAX_FIELDS
            )),
            StoreError::EmailTaken => {
                AppError::Conflict("That e-mail already has a login. Log in instead.".into())
            }
            StoreError::ContactRefused(issues) => AppError::Fields(issues),
            StoreError::ImportFinished => {
                AppError::Conflict("That import is finished: start a new one.".into())
            }
            StoreError::ChunkChanged => AppError::Conflict(
                "These rows differ from the ones this import received before (was a cell fixed before the page was reloaded?). What the import wrote stays: import the file again as a new import to bring in the rest.".into(),
            ),
            StoreError::DetailTakenMeanwhile => AppError::Conflict(
                "One of these phone numbers or e-mail addresses was just saved on another contact. Reload and try again.".into(),
            ),
            StoreError::OutOfRange(what) => AppError::Invalid(format!("That {what} is out of range.")),
            StoreError::SmsStatus(issue) => AppError::Invalid(issue.to_string()),
            StoreError::Corrupt(what) => {
                tracing::error!(what, "stored data unreadable");
                AppError::Internal
            }
            StoreError::Db(e) => e.into(),
        }
    }
}
