//! `/api/imports/*`: the wizard's import, in chunks. `start` records the
//! import (and creates its new group), `chunk` applies one chunk of mapped
//! rows at most once, `finish` closes it, `list` gives the history.
//!
//! The server never trusts the browser: every chunk is validated and
//! planned again with the same `import::` code before the upsert.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::import::wire::{
    ChunkOutcome, ChunkRequest, FinishRequest, ImportRequest, ImportStarted,
};
use crate::model::ImportView;

/// Imports listed in the history.
pub const HISTORY_LENGTH: u64 = 20;

#[server(endpoint = "imports/start", input = Json)]
pub async fn start_import(start: ImportRequest) -> Result<ImportStarted, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            if start.columns.is_empty() || start.columns.len() > 1_024 {
                return Err(AppError::Invalid(
                    "Send between 1 and 1,024 mapped columns.".into(),
                ));
            }
            crate::import::wizard::check_contact_detail(start.columns.iter().map(|c| c.field))
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            let group = start
                .group
                .parse()
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            Ok(s.store.start_import(me.account_id, &start, &group).await?)
        }
        .await,
    )
}

#[server(endpoint = "imports/chunk", input = Json)]
pub async fn import_chunk(chunk: ChunkRequest) -> Result<ChunkOutcome, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            crate::import::wire::check_chunk(&chunk)
                .map_err(|e| AppError::TooLarge(e.to_string()))?;
            Ok(s.store.import_chunk(me.account_id, chunk).await?)
        }
        .await,
    )
}

#[server(endpoint = "imports/finish", input = Json)]
pub async fn finish_import(finish: FinishRequest) -> Result<ImportView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store
                .finish_import(
                    me.account_id,
                    finish.import_id,
                    finish.rejected_in_browser,
                    finish.dropped_in_browser,
                )
                .await?)
        }
        .await,
    )
}

#[server(endpoint = "imports/list", input = Json)]
pub async fn list_imports() -> Result<Vec<ImportView>, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.list_imports(me.account_id, HISTORY_LENGTH).await?)
        }
        .await,
    )
}
