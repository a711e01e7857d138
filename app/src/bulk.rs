//! Bulk actions on the contacts list: what is done (add to a group, remove
//! from one, set or clear a custom field, delete), to whom (rows picked on
//! the page, or every contact the list's filter finds, resolved on the
//! server by that filter, never as a list of ids), and what it changed, in
//! the words the list shows.
//!
//! The server works through the contacts by id, a batch of
//! [`BULK_BATCH`] per transaction, and answers after about a second with
//! where it stopped ([`BulkProgress::next`]); the page asks again from
//! there, showing the progress, until nothing is left. A long action so
//! never holds a request (or a write lock) for long, and what is done is
//! kept if it stops halfway.

use serde::{Deserialize, Serialize};

use crate::components::thousands;
use crate::import::fields::{FieldDef, FieldValue, ReadAs};
use crate::import::Region;
use crate::model::ContactQuery;

/// Contacts changed per transaction.
pub const BULK_BATCH: u64 = 1_000;

/// Contacts a request may name one by one (a page holds at most 100; the
/// rest go by the filter).
pub const MAX_PICKED: usize = 1_000;

/// Whom a bulk action changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BulkTarget {
    /// Contacts ticked on the page, by id.
    Picked(Vec<i64>),
    /// Every contact the list's search and filters find (its page and
    /// sort do not matter).
    Matching(ContactQuery),
}

impl BulkTarget {
    /// Whether the request may be served: some contacts, not too many by
    /// id, a query the list itself would take.
    pub fn check(&self) -> Result<(), String> {
        match self {
            BulkTarget::Picked(ids) if ids.is_empty() => Err("Choose some contacts first.".into()),
            BulkTarget::Picked(ids) if ids.len() > MAX_PICKED => Err(format!(
                "Choose at most {} contacts one by one, or select all those matching the filter.",
                thousands(MAX_PICKED)
            )),
            BulkTarget::Picked(_) => Ok(()),
            BulkTarget::Matching(q) => q.check(),
        }
    }
}

/// What a bulk action does, as the page asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    AddToGroup(i64),
    RemoveFromGroup(i64),
    /// Sets the field to `value` as a person typed it; an empty value
    /// clears it.
    SetField {
        field_id: i64,
        value: String,
    },
    Delete,
}

/// A bulk action checked and ready to write: a field's value in its
/// canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkWrite {
    AddToGroup(i64),
    RemoveFromGroup(i64),
    /// `None` clears the field.
    SetField(i64, Option<FieldValue>),
    Delete,
}

impl BulkAction {
    /// The action as written: a field's value checked by its type with
    /// the same rule as a form or an import (`def` is the field the action
    /// names, looked up in the account; `None` if it has none such).
    pub fn resolve(&self, def: Option<&FieldDef>, region: Region) -> Result<BulkWrite, String> {
        Ok(match self {
            BulkAction::AddToGroup(g) => BulkWrite::AddToGroup(*g),
            BulkAction::RemoveFromGroup(g) => BulkWrite::RemoveFromGroup(*g),
            BulkAction::Delete => BulkWrite::Delete,
            BulkAction::SetField { field_id, value } => {
                let def = def
                    .filter(|d| d.id == Some(*field_id))
                    .ok_or("That custom field no longer exists. Reload the page.")?;
                let read = ReadAs::new(region, None, crate::import::fields::today());
                let checked = def
                    .check(value, read)
                    .map_err(|issue| issue.message(value, def))?;
                BulkWrite::SetField(*field_id, checked)
            }
        })
    }

    /// The field an action names, if any.
    pub fn field_id(&self) -> Option<i64> {
        match self {
            BulkAction::SetField { field_id, .. } => Some(*field_id),
            _ => None,
        }
    }
}

/// What one request of a bulk action did, and where the next one starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkProgress {
    /// Contacts the action went through.
    pub seen: u64,
    /// Those it changed (the others already were as asked).
    pub changed: u64,
    /// The last contact id done when more may follow; `None` once every
    /// contact is done.
    pub next: Option<i64>,
}

impl BulkProgress {
    /// This request's counts added to those before it.
    pub fn then(self, step: BulkProgress) -> BulkProgress {
        BulkProgress {
            seen: self.seen + step.seen,
            changed: self.changed + step.changed,
            next: step.next,
        }
    }

    /// "12,000 of 100,000 (12 %)", for the progress line; the total is
    /// the count the confirmation gave (contacts added meanwhile can pass
    /// it: the share then stops at 99 % until the end).
    pub fn of(&self, total: u64) -> String {
        let share = self
            .seen
            .saturating_mul(100)
            .checked_div(total)
            .unwrap_or(0)
            .min(99);
        format!(
            "{} of {} ({share} %)",
            thousands(self.seen),
            thousands(total.max(self.seen))
        )
    }
}

/// "1 contact", "2,500 contacts".
pub fn contacts(n: u64) -> String {
    if n == 1 {
        "1 contact".into()
    } else {
        format!("{} contacts", thousands(n))
    }
}

/// What the running action is doing, for its progress line: "Deleting",
/// "Adding to Leeds".
pub fn doing(action: &BulkAction, group: &str, field: &str) -> String {
    match action {
        BulkAction::AddToGroup(_) => format!("Adding to {group}"),
        BulkAction::RemoveFromGroup(_) => format!("Removing from {group}"),
        BulkAction::SetField { value, .. } if value.trim().is_empty() => {
            format!("Clearing {field}")
        }
        BulkAction::SetField { .. } => format!("Setting {field}"),
        BulkAction::Delete => "Deleting".into(),
    }
}

/// What a finished action changed, as the list's notice says it: `group`
/// and `field` name the group or field the action names, `value` the
/// field's new value as the list shows it ([`shown_value`]; empty when the
/// action clears the field).
pub fn summary(
    action: &BulkAction,
    done: &BulkProgress,
    group: &str,
    field: &str,
    value: &str,
) -> String {
    let rest = done.seen.saturating_sub(done.changed);
    let were = if rest == 1 { "was" } else { "were" };
    let had = |what: &str| {
        if rest == 0 {
            String::new()
        } else {
            format!(" {} {what}.", contacts_were(rest, were))
        }
    };
    match action {
        BulkAction::AddToGroup(_) => format!(
            "Added {} to {group}.{}",
            contacts(done.changed),
            had("already in it")
        ),
        BulkAction::RemoveFromGroup(_) => format!(
            "Removed {} from {group}.{}",
            contacts(done.changed),
            had("not in it")
        ),
        BulkAction::SetField { .. } if value.is_empty() => format!(
            "Cleared {field} on {}.{}",
            contacts(done.changed),
            had("without a value")
        ),
        BulkAction::SetField { .. } => format!(
            "Set {field} to “{value}” on {}.{}",
            contacts(done.changed),
            had("already set to it")
        ),
        BulkAction::Delete => format!("Deleted {}.", contacts(done.changed)),
    }
}

/// A field's new value as the list shows it ("Gold", "13 Feb 1990",
/// "1,234.5"); empty when the action clears the field.
pub fn shown_value(write: &BulkWrite, def: &FieldDef, region: Region) -> String {
    match write {
        BulkWrite::SetField(_, Some(v)) => {
            crate::import::fields::display_value(def.kind, v.as_str(), region)
        }
        _ => String::new(),
    }
}

/// "1 was", "3 were" (the count, then the verb).
fn contacts_were(n: u64, were: &str) -> String {
    format!("{} {were}", thousands(n))
}

/// The confirmation asked before a bulk action: its title and the button's
/// words. Deleting always asks; the other actions ask when they go by the
/// filter (they may change thousands of contacts).
pub fn confirmation(
    action: &BulkAction,
    count: u64,
    group: &str,
    field: &str,
    value: &str,
) -> (String, String) {
    let who = contacts(count);
    match action {
        BulkAction::Delete => (format!("Delete {who}?"), format!("Delete {who}")),
        BulkAction::AddToGroup(_) => (format!("Add {who} to {group}?"), "Add to group".into()),
        BulkAction::RemoveFromGroup(_) => (
            format!("Remove {who} from {group}?"),
            "Remove from group".into(),
        ),
        BulkAction::SetField { .. } if value.is_empty() => {
            (format!("Clear {field} on {who}?"), "Clear the field".into())
        }
        BulkAction::SetField { .. } => (
            format!("Set {field} to “{value}” on {who}?"),
            "Set the field".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::{FieldKind, FieldName};

    fn field(kind: FieldKind, choices: &[&str]) -> FieldDef {
        FieldDef {
            name: FieldName::parse("Plan").unwrap(),
            kind,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            id: Some(7),
        }
    }

    fn set(value: &str) -> BulkAction {
        BulkAction::SetField {
            field_id: 7,
            value: value.into(),
        }
    }

    #[test]
    fn targets_are_checked() {
        let cases: Vec<(BulkTarget, bool)> = vec![
            (BulkTarget::Picked(vec![]), false),
            (BulkTarget::Picked(vec![1, 2]), true),
            (BulkTarget::Picked((1..=1_000).collect()), true),
            (BulkTarget::Picked((1..=1_001).collect()), false),
            (BulkTarget::Matching(ContactQuery::default()), true),
            (
                BulkTarget::Matching(ContactQuery {
                    search: "x".repeat(10_000),
                    ..ContactQuery::default()
                }),
                false,
            ),
        ];
        for (target, ok) in cases {
            assert_eq!(target.check().is_ok(), ok, "{target:?}");
        }
    }

    #[test]
    fn a_fields_value_is_checked_by_its_type() {
        let uk: Region = "GB".parse().unwrap();
        let fr: Region = "FR".parse().unwrap();
        let number = field(FieldKind::Number, &[]);
        let list = field(FieldKind::Choice, &["Gold", "Silver"]);
        let date = field(FieldKind::Date, &[]);
        let yes_no = field(FieldKind::YesNo, &[]);
        let text = field(FieldKind::Text, &[]);
        let value = |s: &str| Some(FieldValue(s.into()));
        let huge = "x".repeat(100_000);
        type Case<'a> = (
            &'a FieldDef,
            &'a str,
            Region,
            Result<Option<FieldValue>, ()>,
        );
        let cases: Vec<Case> = vec![
            (&number, "1,234.5", uk, Ok(value("1234.5"))),
            (&number, "1 234,5", fr, Ok(value("1234.5"))),
            (&number, "twelve", uk, Err(())),
            (&list, "gold", uk, Ok(value("Gold"))),
            (&list, "Bronze", uk, Err(())),
            (&date, "13/02/1990", uk, Ok(value("1990-02-13"))),
            (&date, "31/02/1990", uk, Err(())),
            (&yes_no, "Yes", uk, Ok(value("yes"))),
            (&yes_no, "perhaps", uk, Err(())),
            (&text, "  Leeds ", uk, Ok(value("Leeds"))),
            (
                &text,
                "=HYPERLINK(\"x\")",
                uk,
                Ok(value("=HYPERLINK(\"x\")")),
            ),
            (&text, &huge, uk, Err(())),
            // An empty value clears the field, whatever its type.
            (&number, "   ", uk, Ok(None)),
        ];
        for (def, raw, region, expected) in cases {
            let got = set(raw).resolve(Some(def), region);
            match expected {
                Ok(v) => assert_eq!(got, Ok(BulkWrite::SetField(7, v)), "{raw:?}"),
                Err(()) => assert!(got.is_err(), "{raw:?} gave {got:?}"),
            }
        }
        // A field of another id, or none: refused.
        let mut other = text.clone();
        other.id = Some(8);
        assert!(set("x").resolve(Some(&other), uk).is_err());
        assert!(set("x").resolve(None, uk).is_err());
        assert_eq!(
            BulkAction::AddToGroup(3).resolve(None, uk),
            Ok(BulkWrite::AddToGroup(3))
        );
    }

    #[test]
    fn summaries_say_what_changed() {
        let done = |seen, changed| BulkProgress {
            seen,
            changed,
            next: None,
        };
        let cases: Vec<(BulkAction, BulkProgress, &str)> = vec![
            (
                BulkAction::AddToGroup(1),
                done(1_290, 1_234),
                "Added 1,234 contacts to Leeds. 56 were already in it.",
            ),
            (
                BulkAction::AddToGroup(1),
                done(1, 1),
                "Added 1 contact to Leeds.",
            ),
            (
                BulkAction::RemoveFromGroup(1),
                done(3, 2),
                "Removed 2 contacts from Leeds. 1 was not in it.",
            ),
            (
                set("Gold"),
                done(10, 10),
                "Set Plan to “Gold” on 10 contacts.",
            ),
            (
                set("Gold"),
                done(10, 0),
                "Set Plan to “Gold” on 0 contacts. 10 were already set to it.",
            ),
            (
                set(""),
                done(4, 1),
                "Cleared Plan on 1 contact. 3 were without a value.",
            ),
            (
                BulkAction::Delete,
                done(100_000, 100_000),
                "Deleted 100,000 contacts.",
            ),
        ];
        for (action, progress, expected) in cases {
            let value = match &action {
                BulkAction::SetField { value, .. } => value.trim().to_string(),
                _ => String::new(),
            };
            assert_eq!(
                summary(&action, &progress, "Leeds", "Plan", &value),
                expected
            );
        }
    }

    #[test]
    fn the_wording_shows_a_value_as_the_list_does() {
        let uk: Region = "GB".parse().unwrap();
        let date = field(FieldKind::Date, &[]);
        let list = field(FieldKind::Choice, &["Gold", "Silver"]);
        let shown = |def: &FieldDef, raw: &str| {
            let write = set(raw).resolve(Some(def), uk).unwrap();
            shown_value(&write, def, uk)
        };
        assert_eq!(shown(&date, "13/02/1990"), "13 Feb 1990");
        assert_eq!(shown(&list, " gold "), "Gold");
        assert_eq!(shown(&list, ""), "");
    }

    #[test]
    fn progress_adds_up_and_never_says_done_early() {
        let a = BulkProgress {
            seen: 1_000,
            changed: 900,
            next: Some(1_500),
        };
        let b = BulkProgress {
            seen: 500,
            changed: 500,
            next: None,
        };
        assert_eq!(
            a.then(b),
            BulkProgress {
                seen: 1_500,
                changed: 1_400,
                next: None
            }
        );
        assert_eq!(a.of(4_000), "1,000 of 4,000 (25 %)");
        assert_eq!(a.of(1_000), "1,000 of 1,000 (99 %)");
        // More than counted (contacts added meanwhile): never above the count seen.
        assert_eq!(a.of(800), "1,000 of 1,000 (99 %)");
        assert_eq!(BulkProgress::default().of(0), "0 of 0 (0 %)");
    }

    #[test]
    fn confirmations_say_how_many() {
        assert_eq!(
            confirmation(&BulkAction::Delete, 12_345, "", "", ""),
            (
                "Delete 12,345 contacts?".into(),
                "Delete 12,345 contacts".into()
            )
        );
        assert_eq!(
            confirmation(&BulkAction::RemoveFromGroup(1), 1, "Leeds", "", "").0,
            "Remove 1 contact from Leeds?"
        );
        assert_eq!(
            confirmation(&set(" "), 2, "", "Plan", "").0,
            "Clear Plan on 2 contacts?"
        );
    }
}
