//! Group names: one rule for the wizard's new group, a file's group column,
//! the in-file merge, the decision step, the store and the pages.
//!
//! A name is trimmed and its runs of whitespace collapse to one space; it is
//! not empty and has at most [`MAX_GROUP_NAME`] characters. Two names are the
//! same group when their [`GroupKey`]s are equal (case-insensitive): the
//! account's unique index is on that key, and the name keeps the spelling
//! it was first given.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest group name, in characters.
pub const MAX_GROUP_NAME: usize = 100;
/// Most groups one imported row may name (a cell of ten thousand names is
/// a mistake, not a filing system).
pub const MAX_GROUPS_PER_ROW: usize = 50;

/// A valid group name, as it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GroupName(String);

/// What makes two group names the same group: the name lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupKey(String);

/// Why a group name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupNameIssue {
    Empty,
    TooLong,
}

impl fmt::Display for GroupNameIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupNameIssue::Empty => f.write_str("Give the group a name."),
            GroupNameIssue::TooLong => {
                write!(f, "A group name has at most {MAX_GROUP_NAME} characters.")
            }
        }
    }
}

impl std::error::Error for GroupNameIssue {}

/// `raw` without control characters, its whitespace trimmed and collapsed
/// (group and custom field names, a field's one-line values).
pub(crate) fn collapse(raw: &str) -> String {
    super::text::strip_controls(raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl GroupName {
    pub fn parse(raw: &str) -> Result<Self, GroupNameIssue> {
        let name = collapse(raw);
        if name.is_empty() {
            return Err(GroupNameIssue::Empty);
        }
        if name.chars().count() > MAX_GROUP_NAME {
            return Err(GroupNameIssue::TooLong);
        }
        Ok(GroupName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> GroupKey {
        GroupKey(self.0.to_lowercase())
    }

    /// Whether `other` names the same group.
    pub fn same_group(&self, other: &GroupName) -> bool {
        self.0 == other.0 || self.key() == other.key()
    }
}

impl GroupKey {
    /// The key of a name as typed (for comparing input with stored names).
    pub fn of(raw: &str) -> Self {
        GroupKey(collapse(raw).to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<&str> for GroupName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl AsRef<str> for GroupName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for GroupName {
    type Error = GroupNameIssue;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        GroupName::parse(&raw)
    }
}

impl From<GroupName> for String {
    fn from(name: GroupName) -> String {
        name.0
    }
}

/// Adds `name` to `names` unless it names a group already there (the first
/// spelling stays).
pub fn push_group(names: &mut Vec<GroupName>, name: GroupName) {
    if !names.iter().any(|g| g.same_group(&name)) {
        names.push(name);
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::kept("Friends", Ok("Friends"))]
    #[case::trimmed_and_collapsed("  VIP   customers ", Ok("VIP customers"))]
    #[case::tabs_and_newlines("a\tb\nc", Ok("a b c"))]
    #[case::hebrew("לקוחות  VIP", Ok("לקוחות VIP"))]
    #[case::empty("", Err(GroupNameIssue::Empty))]
    #[case::blank(" \t ", Err(GroupNameIssue::Empty))]
    #[case::longest(&"é".repeat(MAX_GROUP_NAME), Ok(&*"é".repeat(MAX_GROUP_NAME)))]
    #[case::too_long(&"é".repeat(MAX_GROUP_NAME + 1), Err(GroupNameIssue::TooLong))]
    fn group_names_are_trimmed_collapsed_and_bounded(
        #[case] raw: &str,
        #[case] expected: Result<&str, GroupNameIssue>,
    ) {
        assert_eq!(
            GroupName::parse(raw).as_ref().map(GroupName::as_str),
            expected.as_ref().map(|s| *s)
        );
    }

    #[rstest]
    #[case("Friends", "FRIENDS", true)]
    #[case("VIP customers", "  vip   Customers", true)]
    #[case("Ärzte", "ärzte", true)]
    #[case("Friends", "Friend", false)]
    fn the_group_key_ignores_case_and_spacing(
        #[case] a: &str,
        #[case] b: &str,
        #[case] same: bool,
    ) {
        let (a, b) = (GroupName::parse(a).unwrap(), GroupName::parse(b).unwrap());
        assert_eq!(a.key() == b.key(), same);
        assert_eq!(a.same_group(&b), same);
        assert_eq!(GroupKey::of(b.as_str()) == a.key(), same);
    }

    #[test]
    fn a_list_keeps_the_first_spelling_of_a_group() {
        let mut names = Vec::new();
        for raw in ["Work", "work", "Family", "WORK"] {
            push_group(&mut names, GroupName::parse(raw).unwrap());
        }
        let names: Vec<&str> = names.iter().map(GroupName::as_str).collect();
        assert_eq!(names, ["Work", "Family"]);
    }

    #[test]
    fn a_serialised_name_is_checked_again_when_read() {
        let json = serde_json::to_string(&GroupName::parse("Team").unwrap()).unwrap();
        assert_eq!(json, "\"Team\"");
        assert!(serde_json::from_str::<GroupName>("\"  \"").is_err());
    }
}
