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
    ChunkOutcome, ChunkRequest, FinishRequest, ImportRequest, ImportStarted, UnfinishedImport,
};
use crate::model::ImportView;

/// Imports listed in the history.
pub const HISTORY_LENGTH: u64 = 20;

#[server(endpoint = "imports/start", input = Json)]
pub async fn start_import(start: ImportRequest) -> Result<ImportStarted, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            crate::import::wire::check_start(&start).map_err(AppError::Invalid)?;
            let group = start
                .group
                .parse()
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            let started = s.store.start_import(me.account_id, &start, &group).await?;
            tracing::info!(
                import = started.import_id,
                account = me.account_id,
                rows = start.total_rows,
                format = %start.format,
                "import started"
            );
            Ok(started)
        }
        .await,
    )
}

#[server(endpoint = "imports/chunk", input = Json)]
pub async fn import_chunk(chunk: ChunkRequest) -> Result<ChunkOutcome, AppError> {
    crate::state::respond(
        async move {
            use tracing::Instrument;
            let (s, me) = crate::state::signed_in()?;
            let span =
                tracing::info_span!("import", import = chunk.import_id, chunk = chunk.chunk_no);
            async move {
                crate::import::wire::check_chunk(&chunk)
                    .map_err(|e| AppError::TooLarge(e.to_string()))?;
                let outcome = s.store.import_chunk(me.account_id, chunk).await?;
                tracing::info!(
                    rows = outcome.rows,
                    created = outcome.created,
                    updated = outcome.updated,
                    unchanged = outcome.unchanged,
                    rejected = outcome.rejected.len(),
                    replayed = outcome.replayed,
                    "chunk applied"
                );
                Ok(outcome)
            }
            .instrument(span)
            .await
        }
        .await,
    )
}

#[server(endpoint = "imports/finish", input = Json)]
pub async fn finish_import(finish: FinishRequest) -> Result<ImportView, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let view = s.store.finish_import(me.account_id, &finish).await?;
            tracing::info!(
                import = view.id,
                created = view.created,
                updated = view.updated,
                unchanged = view.unchanged,
                rejected = view.rejected,
                "import finished"
            );
            Ok(view)
        }
        .await,
    )
}

/// The account's unfinished imports of the file whose rows hash to
/// `content_hash`: the wizard offers to resume one after a reload.
#[server(endpoint = "imports/unfinished", input = Json)]
pub async fn unfinished_imports(content_hash: String) -> Result<Vec<UnfinishedImport>, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            if content_hash.len() > 64 {
                return Err(AppError::Invalid(
                    "A content hash is 64 hexadecimal characters.".into(),
                ));
            }
            Ok(s.store
                .unfinished_imports(me.account_id, &content_hash)
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
