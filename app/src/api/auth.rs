//! `/api/auth/*`: sign up, log in, log out, who am I, invitations.
//!
//! Sign-up, login, the setup state and the invitation's two calls are the
//! only server functions open without a session. A successful login or
//! sign-up gets a new session id (no fixation); logout deletes the session
//! record, so its cookie opens nothing afterwards.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::auth::{InvitationForm, InvitationLink, LoginForm, Me, SetupInfo, SignUpForm, UserView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "no session layer");
            AppError::Internal
        })
}

/// Makes `user` the session's user, under a new session id.
#[cfg(feature = "ssr")]
async fn log_in(user: &crate::security::CurrentUser) -> Result<(), AppError> {
    use crate::security::{session_failed, unix_now, SESSION_LOGIN_AT, SESSION_SEEN, SESSION_USER};
    let session = session().await?;
    session.cycle_id().await.map_err(session_failed)?;
    let now = unix_now();
    for (key, value) in [
        (SESSION_USER, user.user_id),
        (SESSION_LOGIN_AT, now),
        (SESSION_SEEN, now),
    ] {
        session.insert(key, value).await.map_err(session_failed)?;
    }
    Ok(())
}

/// The client's address; requests without one (in-process tests, a Unix
/// socket) share one bucket.
#[cfg(feature = "ssr")]
async fn client_ip() -> std::net::IpAddr {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

#[cfg(feature = "ssr")]
fn refused(problems: Vec<String>) -> AppError {
    AppError::Invalid(problems.join(" "))
}

#[server(endpoint = "auth/setup", input = Json)]
pub async fn setup_state() -> Result<SetupInfo, AppError> {
    crate::state::respond(
        async move {
            let s = crate::state::app_state()?;
            Ok(SetupInfo {
                first_run: s.store.user_count().await? == 0,
            })
        }
        .await,
    )
}

/// A new account and its first user, logged in.
#[server(endpoint = "auth/signup", input = Json)]
pub async fn sign_up(form: SignUpForm) -> Result<Me, AppError> {
    crate::state::respond(
        async move {
            let s = crate::state::app_state()?;
            s.throttle
                .costly_request(&s.store, client_ip().await)
                .await?;
            let (name, creds) = crate::auth::check_sign_up(&form).map_err(refused)?;
            let region = crate::auth::sign_up_region(&form, s.default_region)
                .map_err(|e| refused(vec![e]))?;
            let hash = s.passwords.hash(creds.password.clone()).await?;
            let user = s.store.sign_up(&name, &creds, hash, region).await?;
            log_in(&user).await?;
            tracing::info!(user = user.user_id, account = user.account_id, "signed up");
            Ok(me(&user))
        }
        .await,
    )
}

#[server(endpoint = "auth/login", input = Json)]
pub async fn log_in_user(form: LoginForm) -> Result<Me, AppError> {
    crate::state::respond(
        async move {
            let s = crate::state::app_state()?;
            let key = crate::auth::email_key(&form.email);
            let ip = client_ip().await;
            let attempt = s.throttle.attempt(&s.store, &key, ip).await?;
            if form.password.chars().count() > crate::auth::MAX_PASSWORD {
                return Err(wrong_login());
            }
            // No login has an address that long or with a control character
            // in it: not even asked for (the password is still checked
            // against the dummy hash, in the same time).
            let possible = key.len() <= 254 && !crate::import::text::has_controls(&key);
            let user = if possible {
                s.store.user_by_email(&key).await?
            } else {
                None
            };
            let ok = s
                .passwords
                .verify(
                    form.password,
                    user.as_ref().map(|u| u.password_hash.clone()),
                )
                .await;
            let user = match (ok, user) {
                (true, Some(u)) => s.store.session_user(u.id).await?,
                _ => None,
            };
            let Some(user) = user else {
                tracing::info!(%ip, "failed login");
                return Err(wrong_login());
            };
            s.throttle.succeeded(&s.store, attempt).await?;
            log_in(&user).await?;
            Ok(me(&user))
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn wrong_login() -> AppError {
    AppError::Unauthorized("That e-mail and password do not match a login.".into())
}

#[cfg(feature = "ssr")]
fn me(user: &crate::security::CurrentUser) -> Me {
    Me {
        email: user.email.clone(),
        account_name: user.account_name.clone(),
        default_region: user.region,
    }
}

/// Ends the session: its record is deleted and the cookie cleared.
#[server(endpoint = "auth/logout", input = Json)]
pub async fn log_out() -> Result<(), AppError> {
    crate::state::respond(
        async move {
            session()
                .await?
                .flush()
                .await
                .map_err(crate::security::session_failed)
        }
        .await,
    )
}

/// Who is logged in; `None` on the pages open without a session (over
/// HTTP the session guard answers 401 first).
#[server(endpoint = "auth/me", input = Json)]
pub async fn who_am_i() -> Result<Option<Me>, AppError> {
    Ok(crate::state::current_user().ok().map(|u| me(&u)))
}

#[server(endpoint = "auth/users", input = Json)]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            Ok(s.store.account_users(&me).await?)
        }
        .await,
    )
}

/// A one-use link into the user's account, valid for a week.
#[server(endpoint = "auth/invite", input = Json)]
pub async fn create_invitation() -> Result<InvitationLink, AppError> {
    crate::state::respond(
        async move {
            let (s, me) = crate::state::signed_in()?;
            let (token, hash) = crate::security::new_token();
            let expires = crate::db::invitation_expiry();
            s.store.create_invitation(&me, hash, expires).await?;
            Ok(InvitationLink {
                path: format!("/invite/{token}"),
                expires_at: expires.format("%Y-%m-%d %H:%M UTC").to_string(),
            })
        }
        .await,
    )
}

/// The name of the account an invitation opens (for its page).
#[server(endpoint = "auth/invitation", input = Json)]
pub async fn invitation_account(token: String) -> Result<String, AppError> {
    crate::state::respond(
        async move {
            let s = crate::state::app_state()?;
            Ok(s.store
                .invitation_account(&crate::security::token_hash(&token))
                .await?)
        }
        .await,
    )
}

/// Joins the invitation's account as a new user, logged in.
#[server(endpoint = "auth/accept", input = Json)]
pub async fn accept_invitation(form: InvitationForm) -> Result<Me, AppError> {
    crate::state::respond(
        async move {
            let s = crate::state::app_state()?;
            s.throttle
                .costly_request(&s.store, client_ip().await)
                .await?;
            let creds =
                crate::auth::check_credentials(&form.email, &form.password).map_err(refused)?;
            let hash = s.passwords.hash(creds.password.clone()).await?;
            let user = s
                .store
                .accept_invitation(&crate::security::token_hash(&form.token), &creds, hash)
                .await?;
            log_in(&user).await?;
            tracing::info!(
                user = user.user_id,
                account = user.account_id,
                "joined by invitation"
            );
            Ok(me(&user))
        }
        .await,
    )
}
