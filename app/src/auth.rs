//! Accounts and logins: what the sign-up, login and invitation forms send,
//! and the rules they must pass. Pure (no Leptos, no database), compiled for
//! both sides so the form can say what is wrong before it is sent; the
//! server checks again.

use serde::{Deserialize, Serialize};

use crate::import::{normalize_email, Region};

/// Shortest password accepted (NIST SP 800-63B asks for at least 8).
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted: argon2 hashes any length, but an unbounded one
/// is a way to make the server work for nothing.
pub const MAX_PASSWORD: usize = 128;
/// Longest account name.
pub const MAX_ACCOUNT_NAME: usize = 100;
/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

/// The sign-up form: a new account (an organisation) and its first user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpForm {
    pub account_name: String,
    pub email: String,
    pub password: String,
    /// The account's country (ISO 3166-1 alpha-2) for phone numbers written
    /// without a country code; empty: the server's default.
    #[serde(default)]
    pub country: String,
}

/// The login form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
}

/// Joining an account through an invitation link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationForm {
    pub token: String,
    pub email: String,
    pub password: String,
}

/// The account's settings, as the settings page edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUpdate {
    pub account_name: String,
    /// ISO 3166-1 alpha-2 (`GB`, `FR`…).
    pub default_region: String,
    /// Text only contacts whose consent is recorded.
    #[serde(default)]
    pub require_consent: bool,
}

/// Who is logged in, for the toolbar and the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub account_name: String,
    pub default_region: Region,
}

/// A user of the account, for the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub email: String,
    pub created_at: String,
    pub is_me: bool,
}

/// A freshly made invitation: the token is shown once, to its maker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLink {
    /// The path to share (`/invite/<token>`); the page adds its origin.
    pub path: String,
    pub expires_at: String,
}

/// What a public page needs to know before anyone logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupInfo {
    /// No one has signed up yet: the first sign-up takes over the data
    /// already there (imports made from the command line).
    pub first_run: bool,
}

/// The credentials, checked and normalised: the e-mail as it will be shown,
/// the key it is found by, and the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub email: String,
    pub email_key: String,
    pub password: String,
}

/// The e-mail's login key: the address lower-cased (one login per address,
/// whatever its case).
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks a new login's e-mail and password; every problem, in one message
/// each, in the form's order.
pub fn check_credentials(email: &str, password: &str) -> Result<Credentials, Vec<String>> {
    let mut problems = Vec::new();
    let email = match normalize_email(email) {
        Ok(e) => Some(e),
        Err(_) => {
            problems.push("Enter a valid e-mail address, such as ada@example.com.".to_string());
            None
        }
    };
    let chars = password.chars().count();
    if chars < MIN_PASSWORD {
        problems.push(format!(
            "Choose a password of at least {MIN_PASSWORD} characters."
        ));
    } else if chars > MAX_PASSWORD {
        problems.push(format!(
            "Choose a password of at most {MAX_PASSWORD} characters."
        ));
    } else if password.trim().is_empty() {
        problems.push("A password cannot be only spaces.".to_string());
    }
    match email {
        Some(email) if problems.is_empty() => Ok(Credentials {
            email_key: email_key(&email),
            email,
            password: password.to_string(),
        }),
        _ => Err(problems),
    }
}

/// An account name: whitespace collapsed, 1 to [`MAX_ACCOUNT_NAME`] characters.
pub fn check_account_name(name: &str) -> Result<String, String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        Err("Give the account a name (your organisation's, for example).".into())
    } else if name.chars().count() > MAX_ACCOUNT_NAME {
        Err(format!(
            "An account name has at most {MAX_ACCOUNT_NAME} characters."
        ))
    } else {
        Ok(name)
    }
}

/// The whole sign-up form.
pub fn check_sign_up(form: &SignUpForm) -> Result<(String, Credentials), Vec<String>> {
    let name = check_account_name(&form.account_name);
    let creds = check_credentials(&form.email, &form.password);
    match (name, creds) {
        (Ok(name), Ok(creds)) => Ok((name, creds)),
        (name, creds) => Err(name
            .err()
            .into_iter()
            .chain(creds.err().unwrap_or_default())
            .collect()),
    }
}

/// The region a sign-up asks for: its country, else `default`.
pub fn sign_up_region(form: &SignUpForm, default: Region) -> Result<Region, String> {
    match form.country.trim() {
        "" => Ok(default),
        code => code.parse(),
    }
}

/// The settings form.
pub fn check_account_update(form: &AccountUpdate) -> Result<(String, Region), Vec<String>> {
    let name = check_account_name(&form.account_name);
    let region = form.default_region.parse::<Region>();
    match (name, region) {
        (Ok(name), Ok(region)) => Ok((name, region)),
        (name, region) => Err(name.err().into_iter().chain(region.err()).collect()),
    }
}

/// Where to go after logging in: `next` when it is a path of this site,
/// else the contacts (never another site: `//evil.example` or `https://…`).
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        next
    } else {
        "/contacts"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn good_credentials_are_normalised() {
        let c = check_credentials(" Ada@Example.ORG ", "correct horse battery").unwrap();
        assert_eq!(c.email, "Ada@example.org");
        assert_eq!(c.email_key, "ada@example.org");
    }

    #[rstest]
    #[case("ada@example.org", "short", "at least 10")]
    #[case("ada@example.org", &"x".repeat(129), "at most 128")]
    #[case("ada@example.org", "          ", "only spaces")]
    #[case("not an address", "long enough password", "valid e-mail")]
    fn bad_credentials_say_what_to_do(#[case] email: &str, #[case] pw: &str, #[case] says: &str) {
        let problems = check_credentials(email, pw).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains(says), "{problems:?}");
    }

    #[test]
    fn a_sign_up_reports_every_problem() {
        let problems = check_sign_up(&SignUpForm {
            account_name: "  ".into(),
            email: "x".into(),
            password: "y".into(),
            country: String::new(),
        })
        .unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        let (name, _) = check_sign_up(&SignUpForm {
            account_name: "  Analytical   Engines ".into(),
            email: "ada@example.org".into(),
            password: "correct horse battery".into(),
            country: "IL".into(),
        })
        .unwrap();
        assert_eq!(name, "Analytical Engines");
    }

    #[test]
    fn settings_need_a_known_region() {
        let form = AccountUpdate {
            account_name: "A".into(),
            default_region: "fr".into(),
            require_consent: false,
        };
        assert_eq!(check_account_update(&form).unwrap().1.code(), "FR");
        let form = AccountUpdate {
            default_region: "XX".into(),
            ..form
        };
        assert_eq!(check_account_update(&form).unwrap_err().len(), 1);
    }

    #[rstest]
    #[case("/contacts/import", "/contacts/import")]
    #[case("/contacts?group=3", "/contacts?group=3")]
    #[case("//evil.example/", "/contacts")]
    #[case("/\\evil.example", "/contacts")]
    #[case("https://evil.example/", "/contacts")]
    #[case("", "/contacts")]
    fn next_stays_on_this_site(#[case] next: &str, #[case] goes: &str) {
        assert_eq!(safe_next(next), goes);
    }
}
