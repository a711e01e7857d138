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
            use crate::import::Field;
            let (s, me) = crate::state::signed_in()?;
            if start.columns.is_empty() || start.columns.len() > 1_024 {
                return Err(AppError::Invalid(
                    "Send between 1 and 1,024 mapped columns.".into(),
                ));
            }
            if !start
                .columns
                .iter()
                .any(|c| matches!(c.field, Field::Phone | Field::Email))
            {
                return Err(AppError::Invalid(
                    "Map at least one column to Phone or E-mail.".into(),
                ));
            }
            s.store.start_import(me.account_id, &start).await
        }
        .await,
    )
}

#[server(endpoint = "imports/chunk", input = Json)]
pub async fn import_chunk(chunk: ChunkRequest) -> Result<ChunkOutcome, AppError> {
    crate::state::respond(
        async move {
            use crate::import::read::Budget;
            use crate::import::wire::{server_table, MAX_CHUNKS, MAX_CHUNK_ROWS};
            let (s, me) = crate::state::signed_in()?;
            if chunk.rows.len() > MAX_CHUNK_ROWS {
                return Err(AppError::TooLarge(format!(
                    "Send at most {MAX_CHUNK_ROWS} rows per chunk."
                )));
            }
            if chunk.chunk_no >= MAX_CHUNKS {
                return Err(AppError::TooLarge(format!(
                    "An import has at most {MAX_CHUNKS} chunks."
                )));
            }
            let max_cell = Budget::default().max_cell_chars;
            if let Some(r) = chunk
                .rows
                .iter()
                .find(|r| r.cells.iter().any(|c| c.chars().count() > max_cell))
            {
                return Err(AppError::TooLarge(format!(
                    "Row {} has a cell longer than {max_cell} characters.",
                    r.number
                )));
            }
            let record = s
                .store
                .import_record(me.account_id, chunk.import_id)
                .await?
                .ok_or_else(|| AppError::NotFound("That import does not exist.".into()))?;
            if record.status != crate::db::STATUS_RUNNING {
                return Err(AppError::Conflict(
                    "That import is finished: start a new one.".into(),
                ));
            }
            let region = record.region.parse().map_err(|_| AppError::Internal)?;
            let groups = match record.group_id {
                Some(id) => vec![
                    s.store
                        .find_group(me.account_id, id)
                        .await
                        .map_err(|e| match e {
                            AppError::NotFound(_) => AppError::NotFound(
                                "The import's group was deleted meanwhile. Start the import again."
                                    .into(),
                            ),
                            other => other,
                        })?
                        .name,
                ],
                None => Vec::new(),
            };
            let rows = chunk.rows.len();
            let (table, mapping) = server_table(&record.columns, chunk.rows);
            let plan = crate::import::plan(&table, &mapping, region, &groups);
            s.store
                .apply_chunk(me.account_id, record.id, chunk.chunk_no, rows, &plan)
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
            s.store
                .finish_import(
                    me.account_id,
                    finish.import_id,
                    finish.rejected_in_browser,
                    finish.dropped_in_browser,
                )
                .await
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
