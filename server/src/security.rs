//! The server's guards, as axum middleware around every route:
//!
//! * [`headers`]: Content-Security-Policy (the app's own scripts, the nonce
//!   of each page's inline hydration script, and WASM; nothing else),
//!   `X-Content-Type-Options`, `Referrer-Policy`, framing refused.
//! * [`same_origin`]: a request that changes something (any method but GET,
//!   HEAD, OPTIONS) must come from this site: an `Origin` naming another
//!   host, or `Sec-Fetch-Site: cross-site`, gets 403 (cross-site request
//!   forgery; the SameSite=Lax cookie is the second lock).
//! * [`body_limit`]: each server function accepts a body of its own size.
//! * [`guard`]: finds the session's user; without one, pages redirect to the
//!   login and server functions answer 401, except the few that are public.

use app::security::{
    session_failed, unix_now, CurrentUser, SESSION_IDLE, SESSION_LOGIN_AT, SESSION_MAX_AGE,
    SESSION_REFRESH, SESSION_SEEN, SESSION_USER,
};
use app::state::AppState;
use app::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The largest body of `imports/chunk`: its rows are cut at about 512 KB,
/// but one merged contact's rows travel together, and a row may be wide.
pub const CHUNK_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// `imports/start`: up to 1,024 mapped columns with their headers.
pub const START_BODY_LIMIT: usize = 256 * 1024;
/// Every other request: a contact, a group name, a search, a login.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The body limit of a path.
pub fn body_limit_of(path: &str) -> usize {
    match path {
        "/api/imports/chunk" => CHUNK_BODY_LIMIT,
        "/api/imports/start" => START_BODY_LIMIT,
        _ => BODY_LIMIT,
    }
}

/// Paths served to anyone: the bundles and static files, the login and
/// sign-up pages, an invitation's page, and the server functions they call.
fn is_public(path: &str) -> bool {
    const ASSETS: [&str; 4] = ["/pkg/", "/reader/", "/writer/", "/invite/"];
    const EXACT: [&str; 10] = [
        "/login",
        "/signup",
        "/favicon.svg",
        "/reader-worker.js",
        "/api/auth/setup",
        "/api/auth/signup",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/invitation",
        "/api/auth/accept",
    ];
    EXACT.contains(&path) || ASSETS.iter().any(|p| path.starts_with(p))
}

/// Static files and health checks need no session (and no database round trip).
fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/health/")
        || path.starts_with("/reader/")
        || path.starts_with("/writer/")
        || path == "/favicon.svg"
        || path == "/reader-worker.js"
}

pub(crate) fn json_error(error: AppError) -> Response {
    let body = serde_json::to_string(&error).unwrap_or_else(|_| "{}".into());
    let mut res = (
        error.status(),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if matches!(error, AppError::Unavailable) {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    }
    res
}

/// Resolves the session's user into the request's extensions (as
/// [`CurrentUser`], which the server functions read), or turns the request
/// away. Sessions end after [`SESSION_IDLE`] unused and [`SESSION_MAX_AGE`]
/// after their login.
pub async fn guard(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if is_asset(&path) {
        return next.run(req).await;
    }
    let user = match session_user(&state, &session).await {
        Ok(user) => user,
        Err(e) => return json_error(e),
    };
    if let Some(user) = user {
        req.extensions_mut().insert(user);
        return next.run(req).await;
    }
    if is_public(&path) {
        return next.run(req).await;
    }
    if path.starts_with("/api/") {
        return json_error(AppError::Unauthorized(
            "Your session has ended. Log in again to continue.".into(),
        ));
    }
    // A page: to the login, coming back here after (or to the sign-up on
    // a first run, when there is no one to log in as).
    let first_run = matches!(state.store.user_count().await, Ok(0));
    let target = if first_run {
        "/signup".to_string()
    } else {
        let back = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/contacts");
        let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
        format!("/login?next={next}")
    };
    Redirect::to(&target).into_response()
}

async fn session_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(user_id) = session
        .get::<i64>(SESSION_USER)
        .await
        .map_err(session_failed)?
    else {
        return Ok(None);
    };
    let now = unix_now();
    let login_at = session
        .get::<i64>(SESSION_LOGIN_AT)
        .await
        .map_err(session_failed)?
        .unwrap_or(0);
    let user = if now - login_at > SESSION_MAX_AGE.as_secs() as i64 {
        None
    } else {
        state.store.session_user(user_id).await?
    };
    let Some(user) = user else {
        // Too old, or its user is gone: the session opens nothing any more.
        session.flush().await.map_err(session_failed)?;
        return Ok(None);
    };
    let seen = session
        .get::<i64>(SESSION_SEEN)
        .await
        .map_err(session_failed)?
        .unwrap_or(0);
    if now - seen > SESSION_REFRESH.as_secs() as i64 {
        // Changing the data saves the record, with its expiry pushed back.
        session
            .insert(SESSION_SEEN, now)
            .await
            .map_err(session_failed)?;
    }
    Ok(Some(user))
}

/// The idle expiry of the session layer.
pub fn session_expiry() -> tower_sessions::Expiry {
    tower_sessions::Expiry::OnInactivity(
        time::Duration::try_from(SESSION_IDLE).expect("a week fits in time::Duration"),
    )
}

/// Refuses cross-site requests that could change something.
pub async fn same_origin(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if is_same_origin(&req) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        json_error(AppError::Forbidden(
            "This request came from another site and was refused. Use the app itself.".into(),
        ))
    }
}

/// Whether `req` comes from this site: its `Origin` names the host it was
/// sent to. Without an `Origin` (a script, curl), a browser's
/// `Sec-Fetch-Site` must not say cross-site.
pub fn is_same_origin(req: &Request) -> bool {
    let headers = req.headers();
    match headers.get(header::ORIGIN) {
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .or_else(|| req.uri().authority().map(|a| a.as_str()));
            let origin_host = origin.to_str().ok().and_then(|o| {
                o.strip_prefix("http://")
                    .or_else(|| o.strip_prefix("https://"))
            });
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
        None => !matches!(
            headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            Some("cross-site") | Some("same-site")
        ),
    }
}

/// Reads the body up to the path's limit; a larger one is refused with a
/// message (413) before any of it is used.
pub async fn body_limit(req: Request, next: Next) -> Response {
    let limit = body_limit_of(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large(req.uri().path(), limit);
    }
    if matches!(*req.method(), Method::GET | Method::HEAD) && declared.is_none() {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => too_large(parts.uri.path(), limit),
    }
}

fn too_large(path: &str, limit: usize) -> Response {
    let endpoint = path.trim_start_matches("/api/");
    json_error(AppError::TooLarge(format!(
        "This request is larger than the {} KiB that {endpoint} accepts. Send less at a time.",
        limit / 1024
    )))
}

/// The status of a server function's error answer. A request the server
/// function framework refuses before the function runs (a body that is not
/// JSON, wrong types, missing fields, a number out of its type's range,
/// invalid UTF-8, nesting too deep) arrives as `AppError::Invalid` with the
/// framework's 500: it is the client's mistake, so it becomes 400 with the
/// same message. Errors the functions return already carry their status.
pub async fn api_status(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let mut res = next.run(req).await;
    if res.status() == axum::http::StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        return res;
    }
    if res.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return json_error(AppError::Internal);
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
        if matches!(error, AppError::Invalid(_)) {
            tracing::info!(%error, "malformed request");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The Content-Security-Policy of a page whose inline scripts carry `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
         worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The policy of everything else (server functions, files, the worker's
/// script): no inline script at all.
const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Security headers on every response. A page's own policy (with its
/// nonce, set while it renders) is kept.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Invitation links carry their token in the path: never send it on.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(origin: Option<&str>, host: Option<&str>, fetch_site: Option<&str>) -> Request {
        let mut b = Request::post("/api/contacts/create");
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        if let Some(h) = host {
            b = b.header(header::HOST, h);
        }
        if let Some(s) = fetch_site {
            b = b.header("sec-fetch-site", s);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn origins_must_name_the_host() {
        let host = Some("127.0.0.1:3000");
        assert!(is_same_origin(&post(
            Some("http://127.0.0.1:3000"),
            host,
            None
        )));
        assert!(is_same_origin(&post(
            Some("https://127.0.0.1:3000"),
            host,
            None
        )));
        assert!(!is_same_origin(&post(
            Some("http://evil.example"),
            host,
            None
        )));
        assert!(!is_same_origin(&post(
            Some("http://127.0.0.1:3001"),
            host,
            None
        )));
        assert!(!is_same_origin(&post(Some("null"), host, None)));
        assert!(!is_same_origin(&post(
            Some("http://127.0.0.1:3000"),
            None,
            None
        )));
        assert!(
            is_same_origin(&post(None, host, None)),
            "a script without Origin"
        );
        assert!(is_same_origin(&post(None, host, Some("same-origin"))));
        assert!(!is_same_origin(&post(None, host, Some("cross-site"))));
    }

    #[test]
    fn only_the_login_pages_are_public() {
        for p in [
            "/login",
            "/signup",
            "/invite/abc",
            "/pkg/contacts.js",
            "/writer/writer_bg.wasm",
            "/api/auth/login",
        ] {
            assert!(is_public(p), "{p}");
        }
        for p in [
            "/contacts",
            "/",
            "/settings",
            "/api/contacts/list",
            "/api/auth/invite",
            "/api/auth/me",
            "/import/example.xlsx",
            "/import/warm-up.xlsx",
            "/loginx",
        ] {
            assert!(!is_public(p), "{p}");
        }
    }
}
