//! `/api/recipients/*`: whom a message goes to, for the Messages module and
//! the rest of the platform. (`/api/recipients/download` streams the same
//! numbers as a file: `server::recipients_download`.)

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{RecipientsPage, RecipientsRequest};

/// Groups, contacts and a list filter in; the numbers we may text (one per
/// contact, paged by contact id) and, on the first page, how many are
/// excluded and why.
#[server(endpoint = "recipients/resolve", input = Json)]
pub async fn resolve_recipients(request: RecipientsRequest) -> Result<RecipientsPage, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let mut request = request;
            request.check().map_err(AppError::Invalid)?;
            if let Some(f) = request.filter.as_mut() {
                f.search = crate::import::text::strip_controls(&f.search).into_owned();
            }
            Ok(s.store
                .recipients(me.account_id, me.region, &request)
                .await?)
        }
        .await,
    )
}
