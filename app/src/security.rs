//! (ssr) Passwords, login throttling, secret tokens, and who is asking.
//!
//! * Passwords are hashed with argon2id (the `argon2` crate's defaults:
//!   19 MiB, 2 passes), in PHC strings that carry their own salt and
//!   parameters. A login for an unknown e-mail is checked against a dummy
//!   hash made at start-up, so it costs what a wrong password costs: the
//!   time of the answer does not tell which e-mails have logins.
//! * Logins are throttled per e-mail and per client address (GCRA counters
//!   in the database, shared by every server): an attacker spreading guesses
//!   over many addresses still meets the per-e-mail limit of failures, and
//!   one address trying many e-mails meets its own limit of attempts.
//! * Invitation tokens are 32 random bytes; only their SHA-256 is stored.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use sha2::{Digest, Sha256};

use crate::db::{Allowance, Store};
use crate::error::AppError;
use crate::import::Region;

/// The logged-in user of a request, put in its extensions by the server's
/// session guard once the session and the user are found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser {
    pub user_id: i64,
    pub account_id: i64,
    pub email: String,
    pub account_name: String,
    pub region: Region,
}

/// The session key under which the logged-in user's id is kept.
pub const SESSION_USER: &str = "user_id";
/// When the user logged in (Unix seconds): a session ends
/// [`SESSION_MAX_AGE`] after it, however busy.
pub const SESSION_LOGIN_AT: &str = "login_at";
/// When the session's expiry was last pushed back (Unix seconds).
pub const SESSION_SEEN: &str = "seen";
/// A session unused this long is gone.
pub const SESSION_IDLE: Duration = Duration::from_secs(7 * 24 * 3600);
/// A session ends this long after its login, in use or not.
pub const SESSION_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// How often a used session's expiry is pushed back (one write a day, not
/// one a request).
pub const SESSION_REFRESH: Duration = Duration::from_secs(24 * 3600);

/// A session store failure, logged; the user sees the generic message.
pub fn session_failed(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store");
    AppError::Internal
}

/// Now, in Unix seconds.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Hashes and checks passwords.
#[derive(Clone)]
pub struct Passwords {
    /// A hash of a random password: unknown e-mails are checked against it.
    dummy: Arc<str>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passwords")
    }
}

impl Passwords {
    pub fn new() -> Self {
        let mut random = [0u8; 32];
        fill_random(&mut random);
        let dummy = hash_password(&hex(&random)).expect("argon2 hashes a fixed-size password");
        Passwords {
            dummy: dummy.into(),
        }
    }

    /// The PHC string of `password`, computed off the async threads.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing task");
                AppError::Internal
            })?
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing");
                AppError::Internal
            })
    }

    /// Whether `password` matches `hash`; with no hash (no such login), checks
    /// against the dummy hash and answers false, in the same time.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.to_string());
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        known && matched
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Login attempts allowed per e-mail and per client address.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleRules {
    /// Failed logins one e-mail may have in a row, then one per
    /// `per_email_every` (successful logins do not count).
    pub per_email_burst: u32,
    pub per_email_every: Duration,
    /// Attempts, failed or not, from one address, then one per `per_ip_every`.
    pub per_ip_burst: u32,
    pub per_ip_every: Duration,
}

impl Default for ThrottleRules {
    /// Five failures for an e-mail, then one try a minute (1,440 guesses a
    /// day at most); twenty attempts from an address, then one every six
    /// seconds.
    fn default() -> Self {
        ThrottleRules {
            per_email_burst: 5,
            per_email_every: Duration::from_secs(60),
            per_ip_burst: 20,
            per_ip_every: Duration::from_secs(6),
        }
    }
}

/// The login throttle. Its counters live in the database
/// ([`Store::take_token`]), so several servers count the same attempts.
/// Each attempt takes its tokens before the password is checked (an
/// e-mail's and the address's): forty guesses sent at once meet the limit
/// as forty sent in turn do. A login that succeeds gives its e-mail's token
/// back (successful logins do not count); an address's attempts all count.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    per_email: Allowance,
    per_ip: Allowance,
}

/// One attempt's hold on its e-mail's allowance (to give back on success).
#[derive(Debug)]
pub struct Attempt {
    email: String,
}

fn too_many() -> AppError {
    AppError::TooManyRequests("Too many login attempts. Wait a minute, then try again.".into())
}

fn allowance(burst: u32, every: Duration) -> Allowance {
    Allowance {
        burst: burst.max(1),
        period_ms: i64::try_from(every.as_millis()).unwrap_or(i64::MAX).max(1),
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl LoginThrottle {
    pub fn new(rules: ThrottleRules) -> Self {
        LoginThrottle {
            per_email: allowance(rules.per_email_burst, rules.per_email_every),
            per_ip: allowance(rules.per_ip_burst, rules.per_ip_every),
        }
    }

    /// Takes one attempt from `ip` at the login of `email_key`, or refuses it.
    pub async fn attempt(
        &self,
        store: &Store,
        email_key: &str,
        ip: IpAddr,
    ) -> Result<Attempt, AppError> {
        match self.costly_request(store, ip).await {
            Err(AppError::TooManyRequests(_)) => return Err(too_many()),
            other => other?,
        }
        // Hashed: any e-mail typed (however long, with whatever bytes) is a
        // key of one size, and the table holds no address.
        let email = format!("email:{}", token_hash(email_key));
        if !store.take_token(&email, now_ms(), self.per_email).await? {
            return Err(too_many());
        }
        Ok(Attempt { email })
    }

    /// The attempt's password matched: its e-mail's token comes back.
    pub async fn succeeded(&self, store: &Store, attempt: Attempt) -> Result<(), AppError> {
        Ok(store
            .give_back_token(&attempt.email, self.per_email)
            .await?)
    }

    /// Takes one attempt from `ip` at something as costly as a login (a
    /// sign-up or an invitation's acceptance hashes a password), or refuses it.
    pub async fn costly_request(&self, store: &Store, ip: IpAddr) -> Result<(), AppError> {
        if store
            .take_token(&format!("ip:{ip}"), now_ms(), self.per_ip)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::TooManyRequests(
                "Too many attempts. Wait a minute, then try again.".into(),
            ))
        }
    }

    /// Forgets keys whose limits have recovered (called from time to time,
    /// so the table does not grow with every address ever seen).
    pub async fn forget_recovered(&self, store: &Store) -> Result<u64, AppError> {
        Ok(store.forget_recovered_tokens(now_ms()).await?)
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(ThrottleRules::default())
    }
}

fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source works");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new secret token (64 hex characters) and the hash to store.
pub fn new_token() -> (String, String) {
    let mut raw = [0u8; 32];
    fill_random(&mut raw);
    let token = hex(&raw);
    let hash = token_hash(&token);
    (token, hash)
}

/// What is stored of a token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_matches_its_hash_only() {
        let p = Passwords::new();
        let h = p.hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(
            p.verify("correct horse battery".into(), Some(h.clone()))
                .await
        );
        assert!(!p.verify("correct horse batterY".into(), Some(h)).await);
        assert!(!p.verify("anything".into(), None).await);
        assert!(!p.verify("x".into(), Some("not a hash".into())).await);
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), ha);
        assert_ne!(ha, a);
    }
}
