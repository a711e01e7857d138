//! (ssr) Passwords, login throttling, secret tokens, and who is asking.
//!
//! * Passwords are hashed with argon2id (the `argon2` crate's defaults:
//!   19 MiB, 2 passes), in PHC strings that carry their own salt and
//!   parameters. A login for an unknown e-mail is checked against a dummy
//!   hash made at start-up, so it costs what a wrong password costs: the
//!   time of the answer does not tell which e-mails have logins.
//! * Logins are throttled per e-mail and per client address (`governor`'s
//!   keyed GCRA limiters, kept in memory): an attacker spreading guesses over
//!   many addresses still meets the per-e-mail limit of failures, and one
//!   address trying many e-mails meets its own limit of attempts.
//! * Invitation tokens are 32 random bytes; only their SHA-256 is stored.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

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

type FailureLimiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The login throttle: `governor`'s keyed limiters count the failures of
/// each e-mail and the attempts of each address; an e-mail whose failures
/// used its allowance is refused until the next one is due.
pub struct LoginThrottle {
    failures: FailureLimiter,
    blocked: Mutex<HashMap<String, Instant>>,
    per_email_every: Duration,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginThrottle")
    }
}

fn too_many() -> AppError {
    AppError::TooManyRequests("Too many login attempts. Wait a minute, then try again.".into())
}

impl LoginThrottle {
    pub fn new(rules: ThrottleRules) -> Self {
        let quota = |burst: u32, every: Duration| {
            Quota::with_period(every)
                .expect("a throttle period is not zero")
                .allow_burst(NonZeroU32::new(burst.max(1)).expect("at least 1"))
        };
        LoginThrottle {
            failures: RateLimiter::keyed(quota(rules.per_email_burst, rules.per_email_every))
                .with_middleware::<StateInformationMiddleware>(),
            blocked: Mutex::default(),
            per_email_every: rules.per_email_every,
            per_ip: RateLimiter::keyed(quota(rules.per_ip_burst, rules.per_ip_every)),
        }
    }

    /// Takes one attempt from `ip` for `email_key`, or refuses it.
    pub fn attempt(&self, email_key: &str, ip: IpAddr) -> Result<(), AppError> {
        if self.per_ip.check_key(&ip).is_err() {
            return Err(too_many());
        }
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        match blocked.get(email_key) {
            Some(until) if *until > Instant::now() => Err(too_many()),
            _ => Ok(()),
        }
    }

    /// Takes one attempt from `ip` at something as costly as a login (a
    /// sign-up or an invitation's acceptance hashes a password), or refuses it.
    pub fn costly_request(&self, ip: IpAddr) -> Result<(), AppError> {
        self.per_ip.check_key(&ip).map_err(|_| {
            AppError::TooManyRequests("Too many attempts. Wait a minute, then try again.".into())
        })
    }

    /// Counts a failed login of `email_key`.
    pub fn failed(&self, email_key: &str) {
        let wait = match self.failures.check_key(&email_key.to_string()) {
            Ok(state) if state.remaining_burst_capacity() == 0 => Some(self.per_email_every),
            Ok(_) => None,
            Err(not_until) => Some(not_until.wait_time_from(DefaultClock::default().now())),
        };
        if let Some(wait) = wait {
            self.blocked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(email_key.to_string(), Instant::now() + wait);
        }
    }

    /// Forgets keys whose limits have recovered (called from time to time,
    /// so the maps do not grow with every address ever seen).
    pub fn forget_recovered(&self) {
        self.failures.retain_recent();
        self.per_ip.retain_recent();
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, until| *until > now);
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
    fn the_throttle_counts_failures_per_email_and_attempts_per_address() {
        let t = LoginThrottle::new(ThrottleRules {
            per_email_burst: 3,
            per_email_every: Duration::from_secs(3600),
            per_ip_burst: 6,
            per_ip_every: Duration::from_secs(3600),
        });
        let ip = |n: u8| IpAddr::from([10, 0, 0, n]);
        // Successful logins do not count.
        for n in 0..4 {
            t.attempt("a@x.org", ip(n)).unwrap();
        }
        for n in 0..3 {
            t.attempt("b@x.org", ip(n)).unwrap();
            t.failed("b@x.org");
        }
        // The fourth try on that e-mail, from a fresh address: refused.
        assert!(matches!(
            t.attempt("b@x.org", ip(9)),
            Err(AppError::TooManyRequests(_))
        ));
        t.attempt("a@x.org", ip(10)).unwrap();
        // One address, many e-mails: refused at its own limit.
        for n in 0..6 {
            t.attempt(&format!("u{n}@x.org"), ip(20)).unwrap();
        }
        assert!(t.attempt("u9@x.org", ip(20)).is_err());
        t.forget_recovered();
        assert!(t.attempt("b@x.org", ip(30)).is_err(), "still blocked");
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
