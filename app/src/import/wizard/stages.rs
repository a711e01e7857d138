//! The stages and what must hold before Continue at each: which stage
//! follows which (the group stage is skipped when a column supplies the
//! groups), the group choice and the new group's proposed name.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::import::group::{GroupKey, GroupName, GroupNameIssue, MAX_GROUP_NAME};
use crate::import::mapping::{Field, Mapping};
use crate::import::rows::PlanCounts;

/// The four stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Input,
    Mapping,
    Group,
    Summary,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Input, Stage::Mapping, Stage::Group, Stage::Summary];

    pub fn title(self) -> &'static str {
        match self {
            Stage::Input => "Input",
            Stage::Mapping => "Mapping",
            Stage::Group => "Group",
            Stage::Summary => "Summary",
        }
    }

    pub fn number(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }
}

/// Where the new contacts go (stage 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupChoice {
    /// A group created for this import.
    New(String),
    /// An existing group, by id (`None` until one is picked).
    Existing(Option<i64>),
    /// No group: "floating" contacts.
    None,
}

/// A [`GroupChoice`] that holds: what the server records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChosenGroup {
    New(GroupName),
    Existing(i64),
    None,
}

impl GroupChoice {
    /// The choice, if it is complete and its new name valid (not yet
    /// checked against the account's groups: see [`check_group`]).
    pub fn parse(&self) -> Result<ChosenGroup, StageError> {
        match self {
            GroupChoice::None => Ok(ChosenGroup::None),
            GroupChoice::Existing(Some(id)) => Ok(ChosenGroup::Existing(*id)),
            GroupChoice::Existing(None) => Err(StageError::NoGroupPicked),
            GroupChoice::New(name) => GroupName::parse(name)
                .map(ChosenGroup::New)
                .map_err(StageError::GroupName),
        }
    }
}

/// Why Continue is not possible yet; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageError {
    NoData,
    NoDataRows,
    Unassigned(usize),
    NoContactDetail,
    NothingToImport,
    GroupName(GroupNameIssue),
    GroupNameTaken(String),
    NoGroupPicked,
    /// The summary is the last stage.
    Finished,
}

impl fmt::Display for StageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StageError::NoData => f.write_str("Paste some rows or choose a file first."),
            StageError::NoDataRows => f.write_str(
                "There are no rows below the header row. Choose another header row or sheet.",
            ),
            StageError::Unassigned(1) => {
                f.write_str("1 column (in orange) still needs a field: choose one, or Ignore.")
            }
            StageError::Unassigned(n) => write!(
                f,
                "{n} columns (in orange) still need a field: choose one, or Ignore."
            ),
            StageError::NoContactDetail => f.write_str(
                "Map at least one column to Phone or E-mail: a contact needs one of them.",
            ),
            StageError::NothingToImport => f.write_str(
                "No row has a valid phone number or e-mail address. Check the mapping and the phone country.",
            ),
            StageError::GroupName(issue) => write!(f, "{issue}"),
            StageError::GroupNameTaken(name) => write!(
                f,
                "A group called “{name}” already exists: pick it under “Existing group”, or choose another name."
            ),
            StageError::NoGroupPicked => f.write_str("Pick one of your groups."),
            StageError::Finished => f.write_str("This import is finished."),
        }
    }
}

/// Whether a column gives each contact its groups (then stage 3 is skipped).
pub fn group_column(mapping: &Mapping) -> Option<&str> {
    mapping
        .columns
        .iter()
        .find(|c| c.field == Some(Field::Group))
        .map(|c| c.header.as_str())
}

/// The stage after `stage`.
pub fn next_stage(stage: Stage, mapping: &Mapping) -> Result<Stage, StageError> {
    Ok(match stage {
        Stage::Input => Stage::Mapping,
        Stage::Mapping if group_column(mapping).is_some() => Stage::Summary,
        Stage::Mapping => Stage::Group,
        Stage::Group => Stage::Summary,
        Stage::Summary => return Err(StageError::Finished),
    })
}

/// The stage Back returns to (the summary has no Back: the import ran).
pub fn previous_stage(stage: Stage, mapping: &Mapping) -> Option<Stage> {
    match stage {
        Stage::Input | Stage::Summary => None,
        Stage::Mapping => Some(Stage::Input),
        Stage::Group if group_column(mapping).is_some() => Some(Stage::Mapping),
        Stage::Group => Some(Stage::Mapping),
    }
}

impl Stage {
    /// The stage in the page's address (`?stage=mapping`); the first
    /// stage has none.
    pub fn param(self) -> &'static str {
        match self {
            Stage::Input => "",
            Stage::Mapping => "mapping",
            Stage::Group => "group",
            Stage::Summary => "summary",
        }
    }

    /// The stage an address names (none, or an unknown name: the first).
    pub fn from_param(param: &str) -> Stage {
        Stage::ALL
            .into_iter()
            .find(|s| s.param() == param)
            .unwrap_or(Stage::Input)
    }
}

/// What the wizard does when its address asks for another stage than the
/// one it shows: the browser's Back or Forward, or a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressMove {
    /// Show that stage.
    Go(Stage),
    /// Stay, and put the current stage back in the address (Forward past
    /// what Continue allows, into a running import, or to the summary).
    Stay,
    /// The address asks for a stage that needs the file, and the file is
    /// gone (a reload forgets it: it never leaves the browser's memory):
    /// back to the first stage, saying so.
    FileLost,
}

/// See [`AddressMove`]: `asked` by the address while `current` is shown,
/// with the file read or not, and an import started and not finished
/// (running, or stopped by an error and waiting for Resume) or not.
pub fn address_move(
    current: Stage,
    asked: Stage,
    file_loaded: bool,
    import_unfinished: bool,
) -> AddressMove {
    if asked == current {
        return AddressMove::Stay;
    }
    match current {
        // An import under way is never left by Back: its chunks would stop.
        Stage::Summary if import_unfinished => return AddressMove::Stay,
        // A finished import: Back starts over.
        Stage::Summary if asked != Stage::Summary => return AddressMove::Go(Stage::Input),
        _ => {}
    }
    if matches!(asked, Stage::Mapping | Stage::Group) && !file_loaded {
        return AddressMove::FileLost;
    }
    match current {
        // Back, to any earlier stage.
        _ if asked.number() < current.number() => AddressMove::Go(asked),
        // Forward only where Continue leads, and never into an import.
        _ => AddressMove::Stay,
    }
}

/// Stage 1: a table was read (`rows`: its number of data rows), and it has
/// data rows.
pub fn check_input(rows: Option<usize>) -> Result<(), StageError> {
    match rows {
        None => Err(StageError::NoData),
        Some(0) => Err(StageError::NoDataRows),
        Some(_) => Ok(()),
    }
}

/// Stage 2: every column decided, a phone or e-mail column, something valid.
pub fn check_mapping(mapping: &Mapping, counts: &PlanCounts) -> Result<(), StageError> {
    let unassigned = mapping.unassigned().count();
    if unassigned > 0 {
        return Err(StageError::Unassigned(unassigned));
    }
    check_contact_detail(mapping.columns.iter().filter_map(|c| c.field))?;
    if counts.valid == 0 {
        return Err(StageError::NothingToImport);
    }
    Ok(())
}

/// A contact needs a phone or an e-mail, so some column must be mapped to
/// one: the wizard's Continue and the server's start of an import both ask.
pub fn check_contact_detail(mut fields: impl Iterator<Item = Field>) -> Result<(), StageError> {
    match fields.any(|f| matches!(f, Field::Phone | Field::Email)) {
        true => Ok(()),
        false => Err(StageError::NoContactDetail),
    }
}

/// Stage 3: a usable group choice. `existing` are the account's group names.
pub fn check_group(choice: &GroupChoice, existing: &[String]) -> Result<(), StageError> {
    match choice.parse()? {
        ChosenGroup::None | ChosenGroup::Existing(_) => Ok(()),
        ChosenGroup::New(name) => match existing.iter().find(|g| GroupKey::of(g) == name.key()) {
            Some(g) => Err(StageError::GroupNameTaken(g.clone())),
            None => Ok(()),
        },
    }
}

/// The name the group stage proposes for a new group: the file's name
/// without its extension, cut to the longest group name.
pub fn group_name_of_file(file_name: &str) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map(|(a, _)| a)
        .unwrap_or(file_name);
    let collapsed = stem.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(MAX_GROUP_NAME).collect()
}

/// When `base` names one of the `existing` groups, the first free
/// `base 2`, `base 3`…; `None` when `base` is free (or empty).
pub fn free_group_name(base: &str, existing: &[String]) -> Option<String> {
    let taken = |n: &str| existing.iter().any(|g| GroupKey::of(g) == GroupKey::of(n));
    if base.trim().is_empty() || !taken(base) {
        return None;
    }
    (2..1_000)
        .map(|i| format!("{base} {i}"))
        .find(|n| !taken(n) && GroupName::parse(n).is_ok())
}
