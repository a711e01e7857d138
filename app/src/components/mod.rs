//! Reusable widgets.

mod confirm;
mod toolbar;

pub use confirm::{ConfirmDialog, Confirmation};
pub use toolbar::Toolbar;

use leptos::prelude::{provide_context, use_context, RwSignal, Set, Update};

/// A message for the next page (the list after a save: "Saved Ada
/// Lovelace."), kept across a client-side navigation.
#[derive(Clone, Copy)]
pub struct Flash(RwSignal<Option<String>>);

impl Flash {
    /// Provided once, by the app.
    pub fn provide() {
        provide_context(Flash(RwSignal::new(None)));
    }

    /// Leaves `message` for the next page.
    pub fn set(message: String) {
        if let Some(f) = use_context::<Flash>() {
            f.0.set(Some(message));
        }
    }

    /// The message left for this page, if any (taken: shown once).
    pub fn take() -> Option<String> {
        let f = use_context::<Flash>()?;
        let mut taken = None;
        f.0.update(|m| taken = m.take());
        taken
    }
}

/// Where a form goes back to: `back` when it is a page of the contacts
/// list (its search, group and page kept) or a contact's page, else the
/// list.
pub fn list_url(back: Option<String>) -> String {
    back.filter(|b| {
        let contact_page = b
            .strip_prefix("/contacts/")
            .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()));
        (b == "/contacts" || b.starts_with("/contacts?") || contact_page)
            && !b.chars().any(|c| c.is_control() || c == '\\')
    })
    .unwrap_or_else(|| "/contacts".into())
}

/// A count as every page shows it: "20,000" (never "20000").
pub fn thousands(n: impl std::fmt::Display) -> String {
    let s = n.to_string();
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest.to_string()),
        None => ("", s),
    };
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    out.push_str(sign);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    #[rstest]
    #[case(0, "0")]
    #[case(999, "999")]
    #[case(1_000, "1,000")]
    #[case(20_000, "20,000")]
    #[case(1_048_576, "1,048,576")]
    #[case(u64::MAX, "18,446,744,073,709,551,615")]
    fn counts_are_grouped_by_thousands(#[case] n: u64, #[case] shown: &str) {
        assert_eq!(super::thousands(n), shown);
        assert_eq!(super::thousands(n as usize), shown);
    }

    #[rstest]
    #[case(None, "/contacts")]
    #[case(Some("/contacts?group=3&page=2"), "/contacts?group=3&page=2")]
    #[case(Some("/contacts/42"), "/contacts/42")]
    #[case(Some("/contacts/42/edit"), "/contacts")]
    #[case(Some("/contacts/"), "/contacts")]
    #[case(Some("https://evil.example/contacts"), "/contacts")]
    #[case(Some("//evil.example"), "/contacts")]
    #[case(Some("/contacts?\\evil"), "/contacts")]
    #[case(Some("/contacts/4\n2"), "/contacts")]
    fn forms_go_back_only_to_the_list_or_a_contact(#[case] back: Option<&str>, #[case] to: &str) {
        assert_eq!(super::list_url(back.map(str::to_string)), to);
    }

    #[test]
    fn negative_counts_keep_their_sign_outside_the_groups() {
        assert_eq!(super::thousands(-20_000i64), "-20,000");
        assert_eq!(super::thousands(-200i64), "-200");
    }
}
