//! What an import does to the account's contacts: every rule that decides an
//! outcome, with no database. Two steps share one notion of "the same
//! contact" (any shared phone or e-mail, by [`match_key`]):
//!
//! 1. [`merge_duplicates`]: rows of one file that share a detail become one
//!    contact.
//! 2. [`decide`]: each of those contacts, against a [`Snapshot`] of what the
//!    account already holds for the batch's keys, is created, updated (with
//!    the field-level difference), left unchanged, or refused as a conflict;
//!    with the groups to create and the memberships to add.
//!
//! The store loads the snapshot, calls [`decide`] and writes the
//! [`Changes`]: it decides nothing.
//!
//! # Precedence, and why it differs between the two steps
//!
//! * **Inside one file, the first row wins** ([`merge_duplicates`]): its
//!   name and company are kept, later rows only fill fields it left empty.
//!   The rows of one file carry no order of recency, so the first is as good
//!   as any and keeps the result independent of how a later repeat of the
//!   person was abbreviated; details and groups of every row are united.
//! * **Against the database, the file wins** ([`decide`]): the file is the
//!   newer word on a contact the account already has, so a non-empty name or
//!   company from the file replaces the stored one. An empty cell never
//!   erases anything (an import changes only what the file says), details
//!   and memberships are only ever added, and a whole name that could not be
//!   split replaces both name fields unless it is the name already stored.
//! * A contact whose details belong to **two different existing contacts** is
//!   refused ([`Conflict`]), never merged: merging two people is a decision
//!   for the user.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::consent::{
    merge_consent, sms_number, sms_outcome, ImportConsent, PhoneLine, Reach, SmsChange, SmsStatus,
};
use super::contact::{derived_columns, display_name};
use super::fields::FieldValue;
use super::group::{push_group, GroupKey, GroupName};
use super::numbering::LineType;
use super::rows::{cap_details, ImportContact, RejectReason, Rejection, RowIssue};
use super::validate::{match_key, DetailKind};

// ---------------------------------------------------------------- in-file merge

/// Rows sharing a normalised phone or e-mail become one contact, in file
/// order, the first row winning (see the module docs); each merged contact
/// keeps at most [`super::contact::MAX_DETAILS_PER_KIND`] details of a kind,
/// the rest dropped with a warning.
pub fn merge_duplicates(
    contacts: Vec<ImportContact>,
    warnings: &mut Vec<RowIssue>,
) -> Vec<ImportContact> {
    let n = contacts.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<(DetailKind, String), usize> = HashMap::new();
    for (i, c) in contacts.iter().enumerate() {
        for d in &c.details {
            match owner.get(&(d.kind, d.match_key())) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    // The earlier row is the root, so merged contacts keep file order.
                    let (lo, hi) = (a.min(b), a.max(b));
                    parent[hi] = lo;
                }
                None => {
                    owner.insert((d.kind, d.match_key()), i);
                }
            }
        }
    }
    let mut out: Vec<ImportContact> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for (i, c) in contacts.into_iter().enumerate() {
        let root = find(&mut parent, i);
        match slot.get(&root) {
            None => {
                slot.insert(root, out.len());
                out.push(c);
            }
            Some(&k) => merge_into(&mut out[k], c),
        }
    }
    for c in &mut out {
        let row = c.rows[0];
        cap_details(&mut c.details, row, warnings);
    }
    out
}

/// Folds a later row `from` into `into`: `into`'s name and company win,
/// `from` fills the gaps; details and groups are united.
fn merge_into(into: &mut ImportContact, from: ImportContact) {
    into.rows.extend(from.rows);
    into.rows.sort_unstable();
    let has_name = |c: &ImportContact| {
        !c.first_name.is_empty() || !c.last_name.is_empty() || c.full_name.is_some()
    };
    if !has_name(into) {
        into.first_name = from.first_name;
        into.last_name = from.last_name;
        into.full_name = from.full_name;
    } else if into.full_name.is_none() {
        if into.first_name.is_empty() {
            into.first_name = from.first_name;
        }
        if into.last_name.is_empty() {
            into.last_name = from.last_name;
        }
    }
    if into.company.is_empty() {
        into.company = from.company;
    }
    for d in from.details {
        if !into
            .details
            .iter()
            .any(|e| e.kind == d.kind && e.match_key() == d.match_key())
        {
            into.details.push(d);
        }
    }
    for g in from.groups {
        push_group(&mut into.groups, g);
    }
    merge_consent(&mut into.consent, from.consent);
    for v in from.fields {
        if !into.fields.iter().any(|e| e.field.key() == v.field.key()) {
            into.fields.push(v);
        }
    }
}

// ---------------------------------------------------------------- the snapshot

/// What the account already holds for one batch's keys: the owners of its
/// phones and e-mails, those contacts, and its groups by key. Loaded by the
/// store, read by [`decide`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The contact that holds each (kind, match key), for the batch's keys.
    pub owners: HashMap<(DetailKind, String), i64>,
    /// Every contact an owner points to.
    pub contacts: HashMap<i64, ExistingContact>,
    /// The account's groups among those the batch names.
    pub groups: HashMap<GroupKey, i64>,
    /// The account's custom fields among those the batch names, by name key.
    pub fields: HashMap<String, i64>,
}

/// A stored contact, as much of it as the decision reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExistingContact {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub sort_name: String,
    pub details: Vec<ExistingDetail>,
    /// The groups it is a member of (those of the batch are enough).
    pub group_ids: Vec<i64>,
    pub sms: SmsStatus,
    /// Its values of the batch's custom fields, by field id.
    pub values: HashMap<i64, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingDetail {
    pub kind: DetailKind,
    pub match_key: String,
    pub position: i32,
    pub is_primary: bool,
    /// A phone's line type; `None` for an e-mail.
    pub line: Option<LineType>,
}

impl ExistingDetail {
    /// A phone that can receive SMS ([`LineType::can_receive_sms`]).
    pub fn textable(&self) -> bool {
        self.line.is_some_and(LineType::can_receive_sms)
    }
}

// ---------------------------------------------------------------- the changes

/// What one batch does, for the store to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes<'a> {
    pub creates: Vec<NewContact<'a>>,
    pub updates: Vec<ContactUpdate<'a>>,
    /// Matched contacts already up to date, by id.
    pub unchanged: Vec<i64>,
    pub conflicts: Vec<Conflict>,
    /// Groups named in the batch that the account does not have, in key
    /// order (every transaction creates them in one order: two creating the
    /// same groups wait for each other instead of deadlocking).
    pub new_groups: Vec<GroupName>,
    /// Rows that would have opted an opted-out contact back in: it stays
    /// opted out ([`super::consent`]).
    pub kept_opted_out: Vec<KeptOptedOut>,
    /// Each incoming contact's SMS status after the batch (a conflict's:
    /// not recorded), aligned with the batch.
    pub status_after: Vec<SmsStatus>,
    /// Contacts created or matched that are left without a phone that can
    /// receive SMS (counted once per contact).
    pub no_textable: usize,
}

/// An incoming contact whose consent an opt-out outranked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptOptedOut {
    pub index: usize,
    /// The stored contact it matched.
    pub id: i64,
    pub rows: Vec<u32>,
}

/// A contact to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact<'a> {
    /// Index of the incoming contact in the batch.
    pub index: usize,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub company: &'a str,
    pub sort_name: String,
    pub search_text: String,
    pub details: Vec<NewDetail<'a>>,
    pub groups: Vec<GroupKey>,
    /// Its status, when the import records one.
    pub sms: Option<SmsChange>,
    /// The number it is texted at ([`sms_number`]); empty: none.
    pub sms_number: String,
    /// Whether it can be texted at all, by its phones.
    pub reach: Reach,
    /// Its custom values: (field id, value).
    pub values: Vec<(i64, &'a FieldValue)>,
}

/// A stored contact that changes, with what changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactUpdate<'a> {
    pub index: usize,
    pub id: i64,
    /// The name fields after the change (all of them, changed or not).
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub sort_name: String,
    pub search_text: String,
    /// The name fields that change: old → new.
    pub fields: Vec<FieldChange>,
    /// Details it did not have.
    pub details: Vec<NewDetail<'a>>,
    /// Groups it joins.
    pub groups: Vec<GroupKey>,
    /// Its status, when it changes (`from`: the status the snapshot read).
    pub sms: Option<SmsChange>,
    /// The number it is texted at once updated ([`sms_number`]); empty: none.
    pub sms_number: String,
    /// Whether it can be texted at all once updated.
    pub reach: Reach,
    /// Custom values it gets or that change: (field id, value).
    pub values: Vec<(i64, &'a FieldValue)>,
    /// Those changes, old → new, by field name.
    pub value_changes: Vec<ValueChange>,
}

/// A custom value an import sets on a stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChange {
    pub field: String,
    /// `None`: it held no value of the field.
    pub old: Option<String>,
    pub new: String,
}

/// A phone or e-mail to add to a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDetail<'a> {
    pub kind: DetailKind,
    pub value: &'a str,
    pub match_key: String,
    pub label: &'a str,
    pub is_primary: bool,
    pub position: i32,
    /// A phone's line type; `None` for an e-mail.
    pub line: Option<LineType>,
}

/// A name field of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameField {
    FirstName,
    LastName,
    Company,
}

/// One field of a stored contact that an import changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: NameField,
    pub old: String,
    pub new: String,
}

/// An incoming contact refused: its details belong to different stored
/// contacts (or the one it matched vanished meanwhile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// Index of the incoming contact in what the store was given.
    pub index: usize,
    pub rows: Vec<u32>,
    pub message: String,
}

impl Conflict {
    /// One rejected row per file row of the contact.
    pub fn rejections(&self) -> impl Iterator<Item = Rejection> + '_ {
        self.rows.iter().map(|&row| {
            Rejection::new(
                row,
                vec![RowIssue {
                    row,
                    column: None,
                    kind: RejectReason::Conflict,
                    message: self.message.clone(),
                }],
            )
        })
    }
}

/// The rows an import refused: those the plan refused and those of the
/// conflicts, in row order. Both the wizard's chunks and the command line
/// report them this way.
pub fn rejected_rows(planned: &[Rejection], conflicts: &[Conflict]) -> Vec<Rejection> {
    let mut out: Vec<Rejection> = planned.to_vec();
    out.extend(conflicts.iter().flat_map(Conflict::rejections));
    out.sort_by_key(|r| r.row);
    out
}

// ---------------------------------------------------------------- the decision

/// Decides what `batch` (contacts planned and merged by
/// [`super::plan::plan`]) does to an account that holds `snapshot`, under
/// the import's consent option.
pub fn decide<'a>(
    batch: &'a [ImportContact],
    snapshot: &Snapshot,
    consent: ImportConsent,
) -> Changes<'a> {
    let mut changes = Changes {
        new_groups: new_groups(batch, snapshot),
        status_after: vec![SmsStatus::NotRecorded; batch.len()],
        ..Changes::default()
    };
    // The stored contact each incoming one matched, for the final statuses.
    let mut matched_id: Vec<Option<i64>> = vec![None; batch.len()];
    // Several incoming contacts may match one stored contact through
    // different details (a row with its phone, another with its e-mail):
    // they apply one after the other, as separate imports would, to one
    // update of it. `working` holds such a contact as the batch's earlier
    // updates left it, with the groups they made it join.
    let mut working: HashMap<i64, (ExistingContact, Vec<GroupKey>)> = HashMap::new();
    let mut update_of: HashMap<i64, usize> = HashMap::new();
    let mut unchanged: HashSet<i64> = HashSet::new();
    for (index, c) in batch.iter().enumerate() {
        let mut matched: Vec<i64> = c
            .details
            .iter()
            .filter_map(|d| snapshot.owners.get(&(d.kind, d.match_key())).copied())
            .collect();
        matched.sort_unstable();
        matched.dedup();
        let id = match matched.as_slice() {
            [] => {
                let new = create(index, c, snapshot, consent);
                changes.status_after[index] =
                    new.sms.as_ref().map_or(SmsStatus::NotRecorded, |s| s.to);
                if !new
                    .details
                    .iter()
                    .any(|d| d.line.is_some_and(LineType::can_receive_sms))
                {
                    changes.no_textable += 1;
                }
                changes.creates.push(new);
                continue;
            }
            [id] => *id,
            ids => {
                changes.conflicts.push(conflict(index, c, ids, snapshot));
                continue;
            }
        };
        let Some(stored) = snapshot.contacts.get(&id) else {
            changes.conflicts.push(Conflict {
                index,
                rows: c.rows.clone(),
                message: "the contact it matches was deleted while importing: \
                          import this row again"
                    .into(),
            });
            continue;
        };
        matched_id[index] = Some(id);
        let (current, joined) = match working.get(&id) {
            Some((current, joined)) => (current, joined.as_slice()),
            None => (stored, &[][..]),
        };
        let sms = sms_outcome(current.sms, c.consent.as_ref(), consent);
        if sms.kept_opted_out {
            changes.kept_opted_out.push(KeptOptedOut {
                index,
                id,
                rows: c.rows.clone(),
            });
        }
        let Some(u) = update(index, c, current, joined, snapshot, sms.change) else {
            if !update_of.contains_key(&id) && unchanged.insert(id) {
                changes.unchanged.push(id);
            }
            continue;
        };
        let (current, joined) = working
            .entry(id)
            .or_insert_with(|| (stored.clone(), Vec::new()));
        apply(current, &u);
        joined.extend(u.groups.iter().cloned());
        match update_of.get(&id) {
            Some(&at) => fold(&mut changes.updates[at], u, stored),
            None => {
                if unchanged.remove(&id) {
                    changes.unchanged.retain(|&other| other != id);
                }
                update_of.insert(id, changes.updates.len());
                changes.updates.push(u);
            }
        }
    }
    // Matched contacts: their state once every row of the batch applied.
    let after = |id: i64| {
        working
            .get(&id)
            .map(|(c, _)| c)
            .or_else(|| snapshot.contacts.get(&id))
    };
    for (index, id) in matched_id.iter().enumerate() {
        if let Some(c) = id.and_then(after) {
            changes.status_after[index] = c.sms;
        }
    }
    let matched: HashSet<i64> = matched_id.iter().flatten().copied().collect();
    changes.no_textable += matched
        .into_iter()
        .filter_map(after)
        .filter(|c| !c.details.iter().any(ExistingDetail::textable))
        .count();
    changes
}

/// `current` as it will be after `u` (its groups aside): the next incoming
/// contact that matches it is decided against that.
fn apply(current: &mut ExistingContact, u: &ContactUpdate<'_>) {
    current.first_name.clone_from(&u.first_name);
    current.last_name.clone_from(&u.last_name);
    current.company.clone_from(&u.company);
    current.sort_name.clone_from(&u.sort_name);
    if let Some(s) = &u.sms {
        current.sms = s.to;
    }
    for (field_id, v) in &u.values {
        current.values.insert(*field_id, v.as_str().to_string());
    }
    current
        .details
        .extend(u.details.iter().map(|d| ExistingDetail {
            kind: d.kind,
            match_key: d.match_key.clone(),
            position: d.position,
            is_primary: d.is_primary,
            line: d.line,
        }));
}

/// Folds a later update `u` of the same contact into `into`: the final
/// names, the differences from what was `stored`, every detail and group.
fn fold<'a>(into: &mut ContactUpdate<'a>, u: ContactUpdate<'a>, stored: &ExistingContact) {
    into.fields = field_changes(stored, &u.first_name, &u.last_name, &u.company);
    into.first_name = u.first_name;
    into.last_name = u.last_name;
    into.company = u.company;
    into.sort_name = u.sort_name;
    into.search_text = u.search_text;
    into.details.extend(u.details);
    into.groups.extend(u.groups);
    into.sms_number = u.sms_number;
    into.reach = u.reach;
    for (field_id, v) in u.values {
        into.values.retain(|(f, _)| *f != field_id);
        into.values.push((field_id, v));
    }
    // One change per field, from what the snapshot read to the last value.
    for change in u.value_changes {
        match into
            .value_changes
            .iter_mut()
            .find(|c| c.field == change.field)
        {
            Some(c) => c.new = change.new,
            None => into.value_changes.push(change),
        }
    }
    into.value_changes
        .retain(|c| c.old.as_deref() != Some(c.new.as_str()));
    into.values
        .retain(|(f, v)| stored.values.get(f).map(String::as_str) != Some(v.as_str()));
    if let Some(later) = u.sms {
        // One change, from what the snapshot read to where the rows left it.
        into.sms = (later.to != stored.sms).then_some(SmsChange {
            from: stored.sms,
            ..later
        });
    }
}

/// The batch's groups the account lacks, first spelling kept, in key order.
fn new_groups(batch: &[ImportContact], snapshot: &Snapshot) -> Vec<GroupName> {
    let mut wanted: HashMap<GroupKey, &GroupName> = HashMap::new();
    for g in batch.iter().flat_map(|c| &c.groups) {
        let key = g.key();
        if !snapshot.groups.contains_key(&key) {
            wanted.entry(key).or_insert(g);
        }
    }
    let mut out: Vec<(GroupKey, GroupName)> =
        wanted.into_iter().map(|(k, g)| (k, g.clone())).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, g)| g).collect()
}

fn create<'a>(
    index: usize,
    c: &'a ImportContact,
    snapshot: &Snapshot,
    consent: ImportConsent,
) -> NewContact<'a> {
    let details = new_details(c, &[]);
    let (sms_number, reach) = number_of(&[], &details);
    let first_name = c.stored_first_name();
    let (sort_name, search_text) = derived_columns(
        first_name,
        &c.last_name,
        &c.company,
        c.details.first().map(|d| d.value.as_str()),
    );
    NewContact {
        index,
        first_name,
        last_name: &c.last_name,
        company: &c.company,
        sort_name,
        search_text,
        sms_number: sms_number.to_string(),
        reach,
        details,
        groups: c.groups.iter().map(GroupName::key).collect(),
        sms: sms_outcome(SmsStatus::NotRecorded, c.consent.as_ref(), consent).change,
        values: c
            .fields
            .iter()
            .filter_map(|v| Some((*snapshot.fields.get(&v.field.key())?, &v.value)))
            .collect(),
    }
}

/// The number a contact holding `existing` and `new` details is texted at
/// (empty: none), and its reach.
fn number_of<'a>(existing: &'a [ExistingDetail], new: &'a [NewDetail<'_>]) -> (&'a str, Reach) {
    let stored = existing.iter().filter_map(|d| {
        Some(PhoneLine {
            number: &d.match_key,
            line: d.line?,
            is_primary: d.is_primary,
            position: d.position,
        })
    });
    let added = new.iter().filter_map(|d| {
        Some(PhoneLine {
            number: d.value,
            line: d.line?,
            is_primary: d.is_primary,
            position: d.position,
        })
    });
    let number = sms_number(stored.chain(added));
    let has_phone = existing.iter().any(|d| d.kind == DetailKind::Phone)
        || new.iter().any(|d| d.kind == DetailKind::Phone);
    (number.unwrap_or(""), Reach::of(number, has_phone))
}

/// The update of `old` by `c`, or `None` when nothing would change;
/// `joined` are the groups earlier contacts of the batch made it join.
fn update<'a>(
    index: usize,
    c: &'a ImportContact,
    old: &ExistingContact,
    joined: &[GroupKey],
    snapshot: &Snapshot,
    sms: Option<SmsChange>,
) -> Option<ContactUpdate<'a>> {
    let (first_name, last_name) = match c.full_name.as_deref().filter(|f| !f.is_empty()) {
        Some(full) => {
            let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            if words(&format!("{} {}", old.first_name, old.last_name)) == words(full) {
                (old.first_name.clone(), old.last_name.clone())
            } else {
                (full.to_string(), String::new())
            }
        }
        None => (
            overwrite(&old.first_name, c.stored_first_name()),
            overwrite(&old.last_name, &c.last_name),
        ),
    };
    let company = overwrite(&old.company, &c.company);
    let fields = field_changes(old, &first_name, &last_name, &company);
    let details = new_details(c, &old.details);
    let mut groups: Vec<GroupKey> = Vec::new();
    for key in c.groups.iter().map(GroupName::key) {
        let member = joined.contains(&key)
            || snapshot
                .groups
                .get(&key)
                .is_some_and(|gid| old.group_ids.contains(gid));
        if !member && !groups.contains(&key) {
            groups.push(key);
        }
    }
    let mut values = Vec::new();
    let mut value_changes = Vec::new();
    for v in &c.fields {
        let Some(&field_id) = snapshot.fields.get(&v.field.key()) else {
            continue;
        };
        let old_value = old.values.get(&field_id);
        if old_value.map(String::as_str) != Some(v.value.as_str()) {
            values.push((field_id, &v.value));
            value_changes.push(ValueChange {
                field: v.field.to_string(),
                old: old_value.cloned(),
                new: v.value.as_str().to_string(),
            });
        }
    }
    if fields.is_empty()
        && details.is_empty()
        && groups.is_empty()
        && sms.is_none()
        && values.is_empty()
    {
        return None;
    }
    // Still nameless: it keeps sorting under its first detail.
    let (sort_name, search_text) =
        derived_columns(&first_name, &last_name, &company, Some(&old.sort_name));
    let (sms_number, reach) = number_of(&old.details, &details);
    let sms_number = sms_number.to_string();
    Some(ContactUpdate {
        index,
        id: old.id,
        first_name,
        last_name,
        company,
        sort_name,
        search_text,
        fields,
        details,
        groups,
        sms,
        sms_number,
        reach,
        values,
        value_changes,
    })
}

/// The name fields of `old` that differ from `first`, `last`, `company`.
fn field_changes(
    old: &ExistingContact,
    first: &str,
    last: &str,
    company: &str,
) -> Vec<FieldChange> {
    [
        (NameField::FirstName, &old.first_name, first),
        (NameField::LastName, &old.last_name, last),
        (NameField::Company, &old.company, company),
    ]
    .into_iter()
    .filter(|(_, old, new)| old.as_str() != *new)
    .map(|(field, old, new)| FieldChange {
        field,
        old: old.clone(),
        new: new.to_string(),
    })
    .collect()
}

/// The file's value when it has one, else what is stored.
fn overwrite(stored: &str, incoming: &str) -> String {
    match incoming.is_empty() {
        true => stored.to_string(),
        false => incoming.to_string(),
    }
}

/// The details of `c` that `existing` lacks, numbered after them; the first
/// of each kind is primary when the contact has none of that kind.
fn new_details<'a>(c: &'a ImportContact, existing: &[ExistingDetail]) -> Vec<NewDetail<'a>> {
    let mut position = existing.iter().map(|d| d.position + 1).max().unwrap_or(0);
    let mut has_primary: Vec<DetailKind> = existing
        .iter()
        .filter(|d| d.is_primary)
        .map(|d| d.kind)
        .collect();
    let mut out = Vec::new();
    for d in &c.details {
        let key = match_key(d.kind, &d.value);
        if existing
            .iter()
            .any(|e| e.kind == d.kind && e.match_key == key)
        {
            continue;
        }
        let is_primary = !has_primary.contains(&d.kind);
        if is_primary {
            has_primary.push(d.kind);
        }
        out.push(NewDetail {
            kind: d.kind,
            value: &d.value,
            match_key: key,
            label: &d.label,
            is_primary,
            position,
            line: d.line,
        });
        position += 1;
    }
    out
}

fn conflict(index: usize, c: &ImportContact, ids: &[i64], snapshot: &Snapshot) -> Conflict {
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            snapshot
                .contacts
                .get(id)
                .and_then(|m| display_name(&m.first_name, &m.last_name, &m.company))
                .unwrap_or_else(|| format!("contact #{id}"))
        })
        .collect();
    Conflict {
        index,
        rows: c.rows.clone(),
        message: format!(
            "its phone numbers and e-mails belong to {} different contacts ({}): \
             merge them first, or split this row",
            names.len(),
            names.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::import::consent::{parse_consent, ImportConsent::*, SmsCause};
    use crate::import::rows::ImportDetail;

    fn phone(value: &str) -> ImportDetail {
        ImportDetail {
            kind: DetailKind::Phone,
            value: value.into(),
            label: "Mobile".into(),
            line: Some(crate::import::line_type_of(value)),
        }
    }

    fn email(value: &str) -> ImportDetail {
        ImportDetail {
            kind: DetailKind::Email,
            value: value.into(),
            label: String::new(),
            line: None,
        }
    }

    fn group(name: &str) -> GroupName {
        GroupName::parse(name).unwrap()
    }

    /// An incoming contact: "First Last" (split), company, details, groups.
    fn incoming(
        row: u32,
        name: &str,
        company: &str,
        details: Vec<ImportDetail>,
        groups: &[&str],
    ) -> ImportContact {
        let (first, last) = name.split_once(' ').unwrap_or((name, ""));
        ImportContact {
            rows: vec![row],
            first_name: first.into(),
            last_name: last.into(),
            full_name: None,
            company: company.into(),
            details,
            groups: groups.iter().map(|g| group(g)).collect(),
            consent: None,
            fields: Vec::new(),
        }
    }

    /// A snapshot holding Ada (#1: +447400000001, ada@example.com, in
    /// "Friends" #10) and Bob (#2: +447400000002, no name, no group); the
    /// account also has the group "Work" (#11).
    fn snapshot() -> Snapshot {
        let detail = |kind, key: &str, position, is_primary| ExistingDetail {
            kind,
            match_key: key.into(),
            position,
            is_primary,
            line: (kind == DetailKind::Phone).then_some(LineType::Mobile),
        };
        let mut s = Snapshot::default();
        s.contacts.insert(
            1,
            ExistingContact {
                id: 1,
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                company: "Analytical".into(),
                sort_name: "ada lovelace".into(),
                details: vec![
                    detail(DetailKind::Phone, "+447400000001", 0, true),
                    detail(DetailKind::Email, "ada@example.com", 1, true),
                ],
                group_ids: vec![10],
                sms: SmsStatus::NotRecorded,
                values: HashMap::new(),
            },
        );
        s.contacts.insert(
            2,
            ExistingContact {
                id: 2,
                sort_name: "+447400000002".into(),
                details: vec![detail(DetailKind::Phone, "+447400000002", 0, true)],
                ..ExistingContact::default()
            },
        );
        s.owners
            .insert((DetailKind::Phone, "+447400000001".into()), 1);
        s.owners
            .insert((DetailKind::Email, "ada@example.com".into()), 1);
        s.owners
            .insert((DetailKind::Phone, "+447400000002".into()), 2);
        s.groups.insert(group("Friends").key(), 10);
        s.groups.insert(group("Work").key(), 11);
        s
    }

    /// The outcome of one incoming contact, in a word.
    fn outcome(changes: &Changes) -> &'static str {
        match (
            changes.creates.len(),
            changes.updates.len(),
            changes.unchanged.len(),
            changes.conflicts.len(),
        ) {
            (1, 0, 0, 0) => "create",
            (0, 1, 0, 0) => "update",
            (0, 0, 1, 0) => "unchanged",
            (0, 0, 0, 1) => "conflict",
            _ => "several",
        }
    }

    #[rstest]
    #[case::new_phone("Cleo Jones", vec![phone("+447400000009")], &[], "create")]
    #[case::new_email("", vec![email("cleo@example.com")], &[], "create")]
    #[case::same_everything("Ada Lovelace", vec![phone("+447400000001")], &["Friends"], "unchanged")]
    #[case::matched_by_email_case("Ada", vec![email("ADA@example.com")], &[], "unchanged")]
    #[case::empty_cells_erase_nothing("", vec![phone("+447400000001")], &[], "unchanged")]
    #[case::group_key_ignores_case("", vec![phone("+447400000001")], &["FRIENDS"], "unchanged")]
    #[case::new_last_name("Ada King", vec![phone("+447400000001")], &[], "update")]
    #[case::new_detail("", vec![phone("+447400000001"), email("ada@work.example")], &[], "update")]
    #[case::new_group("", vec![phone("+447400000001")], &["Work"], "update")]
    #[case::group_the_account_lacks("", vec![phone("+447400000002")], &["Leads"], "update")]
    #[case::two_owners("", vec![phone("+447400000001"), phone("+447400000002")], &[], "conflict")]
    fn each_incoming_contact_gets_one_outcome(
        #[case] name: &str,
        #[case] details: Vec<ImportDetail>,
        #[case] groups: &[&str],
        #[case] expected: &str,
    ) {
        let batch = vec![incoming(2, name, "", details, groups)];
        assert_eq!(outcome(&decide(&batch, &snapshot(), FileSays)), expected);
    }

    #[test]
    fn an_update_says_what_changes_field_by_field() {
        let batch = vec![incoming(
            7,
            "Ada King",
            "Babbage & Co",
            vec![phone("+447400000001"), email("ada@work.example")],
            &["Friends", "Work", "Leads"],
        )];
        let changes = decide(&batch, &snapshot(), FileSays);
        let [u] = changes.updates.as_slice() else {
            panic!("one update: {changes:?}")
        };
        assert_eq!(u.id, 1);
        assert_eq!(
            u.fields,
            vec![
                FieldChange {
                    field: NameField::LastName,
                    old: "Lovelace".into(),
                    new: "King".into()
                },
                FieldChange {
                    field: NameField::Company,
                    old: "Analytical".into(),
                    new: "Babbage & Co".into()
                },
            ]
        );
        assert_eq!(
            (u.first_name.as_str(), u.sort_name.as_str()),
            ("Ada", "ada king")
        );
        // The new e-mail goes after the stored details, not primary: Ada has one.
        assert_eq!(
            u.details,
            vec![NewDetail {
                kind: DetailKind::Email,
                value: "ada@work.example",
                match_key: "ada@work.example".into(),
                label: "",
                is_primary: false,
                position: 2,
                line: None,
            }]
        );
        // Already in Friends; joins Work and the group to be created.
        assert_eq!(u.groups, vec![group("Work").key(), group("Leads").key()]);
        assert_eq!(changes.new_groups, vec![group("Leads")]);
    }

    #[rstest]
    // A whole name that could not be split replaces both parts...
    #[case::replaces_both(Some("Countess of Lovelace"), ("Countess of Lovelace", ""))]
    // ...unless it is the stored name, whatever its spacing.
    #[case::same_words(Some("Ada   Lovelace"), ("Ada", "Lovelace"))]
    #[case::split_names_overwrite(None, ("Augusta", "Lovelace"))]
    fn a_whole_name_replaces_both_parts_unless_it_is_the_stored_one(
        #[case] full_name: Option<&str>,
        #[case] expected: (&str, &str),
    ) {
        let mut c = incoming(3, "Augusta", "", vec![phone("+447400000001")], &[]);
        if let Some(full) = full_name {
            (c.first_name, c.last_name) = (String::new(), String::new());
            c.full_name = Some(full.into());
        }
        let batch = vec![c];
        let changes = decide(&batch, &snapshot(), FileSays);
        let (first, last) = match changes.updates.first() {
            Some(u) => (u.first_name.as_str(), u.last_name.as_str()),
            None => ("Ada", "Lovelace"),
        };
        assert_eq!((first, last), expected);
    }

    #[test]
    fn a_new_contact_gets_its_details_numbered_with_one_primary_per_kind() {
        let batch = vec![incoming(
            4,
            "",
            "",
            vec![
                phone("+447400000010"),
                email("x@example.com"),
                phone("+447400000011"),
            ],
            &["work"],
        )];
        let changes = decide(&batch, &snapshot(), FileSays);
        let [c] = changes.creates.as_slice() else {
            panic!("one create")
        };
        let shape: Vec<(DetailKind, bool, i32)> = c
            .details
            .iter()
            .map(|d| (d.kind, d.is_primary, d.position))
            .collect();
        assert_eq!(
            shape,
            [
                (DetailKind::Phone, true, 0),
                (DetailKind::Email, true, 1),
                (DetailKind::Phone, false, 2)
            ]
        );
        // Nameless: it sorts under its first detail. "work" is the account's "Work".
        assert_eq!(c.sort_name, "+447400000010");
        assert_eq!(c.groups, vec![group("Work").key()]);
        assert!(changes.new_groups.is_empty());
    }

    #[test]
    fn a_conflict_names_both_contacts_and_becomes_one_rejected_row_per_file_row() {
        let mut c = incoming(
            5,
            "X",
            "",
            vec![phone("+447400000001"), phone("+447400000002")],
            &[],
        );
        c.rows = vec![5, 9];
        let batch = vec![c];
        let changes = decide(&batch, &snapshot(), FileSays);
        let [conflict] = changes.conflicts.as_slice() else {
            panic!("one conflict")
        };
        assert_eq!(conflict.index, 0);
        assert!(
            conflict
                .message
                .contains("2 different contacts (Ada Lovelace, contact #2)"),
            "{}",
            conflict.message
        );
        let planned = vec![Rejection::new(7, vec![])];
        let rows: Vec<(u32, Vec<RejectReason>)> = rejected_rows(&planned, &changes.conflicts)
            .into_iter()
            .map(|r| (r.row, r.reasons))
            .collect();
        assert_eq!(
            rows,
            [
                (5, vec![RejectReason::Conflict]),
                (7, vec![]),
                (9, vec![RejectReason::Conflict])
            ]
        );
    }

    #[test]
    fn two_rows_matching_one_contact_by_different_details_make_one_update() {
        // Ada's phone in one row, her e-mail in another: separate contacts in
        // the file, one contact in the account.
        let batch = vec![
            incoming(
                2,
                "Ada King",
                "",
                vec![phone("+447400000001"), email("a@two.example")],
                &["Leads"],
            ),
            incoming(
                3,
                "",
                "Babbage & Co",
                vec![email("ada@example.com"), phone("+447400000099")],
                &["leads", "Work"],
            ),
        ];
        let changes = decide(&batch, &snapshot(), FileSays);
        let [u] = changes.updates.as_slice() else {
            panic!("one update: {changes:?}")
        };
        assert!(changes.unchanged.is_empty() && changes.creates.is_empty());
        // The later row applies on top of the earlier one.
        assert_eq!(
            (u.last_name.as_str(), u.company.as_str()),
            ("King", "Babbage & Co")
        );
        assert_eq!(
            u.fields.iter().map(|f| f.field).collect::<Vec<_>>(),
            [NameField::LastName, NameField::Company]
        );
        // Each new detail gets its own position; Ada has a primary of each kind.
        let details: Vec<(&str, bool, i32)> = u
            .details
            .iter()
            .map(|d| (d.value, d.is_primary, d.position))
            .collect();
        assert_eq!(
            details,
            [("a@two.example", false, 2), ("+447400000099", false, 3)]
        );
        // Each group joined once, whatever its spelling.
        assert_eq!(u.groups, vec![group("Leads").key(), group("Work").key()]);
    }

    #[test]
    fn a_second_row_that_changes_nothing_more_leaves_one_update() {
        let batch = vec![
            incoming(2, "Ada King", "", vec![phone("+447400000001")], &[]),
            incoming(3, "", "", vec![email("ada@example.com")], &[]),
        ];
        let changes = decide(&batch, &snapshot(), FileSays);
        assert_eq!((changes.updates.len(), changes.unchanged.len()), (1, 0));
    }

    #[test]
    fn a_match_that_vanished_from_the_snapshot_is_refused_not_lost() {
        let mut s = snapshot();
        s.contacts.remove(&2);
        let batch = vec![incoming(6, "", "", vec![phone("+447400000002")], &[])];
        assert_eq!(outcome(&decide(&batch, &s, FileSays)), "conflict");
    }

    #[test]
    fn groups_to_create_are_named_once_in_key_order_with_the_first_spelling() {
        let batch = vec![
            incoming(2, "", "", vec![phone("+447400000020")], &["zeta", "Leads"]),
            incoming(
                3,
                "",
                "",
                vec![phone("+447400000021")],
                &["LEADS", "Friends"],
            ),
        ];
        let changes = decide(&batch, &snapshot(), FileSays);
        assert_eq!(changes.new_groups, vec![group("Leads"), group("zeta")]);
    }

    // ------------------------------------------------------------ SMS status

    fn saying(mut c: ImportContact, cell: &str) -> ImportContact {
        c.consent = parse_consent(cell).unwrap();
        c
    }

    /// Ada (#1) opted out, Bob (#2) opted in.
    fn with_statuses() -> Snapshot {
        let mut s = snapshot();
        s.contacts.get_mut(&1).unwrap().sms = SmsStatus::OptedOut;
        s.contacts.get_mut(&2).unwrap().sms = SmsStatus::OptedIn;
        s
    }

    #[test]
    fn a_row_saying_yes_keeps_an_opted_out_contact_opted_out_and_is_counted() {
        let batch = vec![saying(
            incoming(4, "Ada", "", vec![phone("+447400000001")], &[]),
            "yes",
        )];
        let changes = decide(&batch, &with_statuses(), FileSays);
        assert_eq!(outcome(&changes), "unchanged");
        assert_eq!(
            changes.kept_opted_out,
            vec![KeptOptedOut {
                index: 0,
                id: 1,
                rows: vec![4]
            }]
        );
        assert_eq!(changes.status_after, vec![SmsStatus::OptedOut]);
        // "They all agreed" does not lift it either.
        let batch = vec![incoming(4, "", "", vec![phone("+447400000001")], &[])];
        let changes = decide(&batch, &with_statuses(), AllAgreed);
        assert_eq!(changes.kept_opted_out.len(), 1);
    }

    #[test]
    fn a_status_change_alone_is_an_update_that_names_its_cause() {
        let batch = vec![saying(
            incoming(5, "", "", vec![phone("+447400000002")], &[]),
            "STOP",
        )];
        let changes = decide(&batch, &with_statuses(), FileSays);
        let [u] = changes.updates.as_slice() else {
            panic!("one update: {changes:?}")
        };
        assert!(u.fields.is_empty() && u.details.is_empty());
        assert_eq!(
            u.sms,
            Some(SmsChange {
                from: SmsStatus::OptedIn,
                to: SmsStatus::OptedOut,
                cause: SmsCause::Cell {
                    said: "STOP".into(),
                    date: None
                }
            })
        );
        assert_eq!(changes.status_after, vec![SmsStatus::OptedOut]);
    }

    #[test]
    fn a_row_that_says_nothing_keeps_the_stored_consent() {
        let batch = vec![incoming(5, "Bob", "", vec![phone("+447400000002")], &[])];
        let changes = decide(&batch, &with_statuses(), FileSays);
        assert_eq!(changes.updates[0].sms, None);
        assert_eq!(changes.status_after, vec![SmsStatus::OptedIn]);
    }

    #[test]
    fn an_opt_out_list_opts_out_matched_and_new_numbers() {
        let batch = vec![
            incoming(2, "", "", vec![phone("+447400000002")], &[]),
            incoming(3, "", "", vec![phone("+447400000077")], &[]),
        ];
        let changes = decide(&batch, &with_statuses(), OptOutList);
        assert_eq!(
            changes.updates[0].sms.as_ref().map(|s| s.to),
            Some(SmsStatus::OptedOut)
        );
        assert_eq!(
            changes.creates[0].sms.as_ref().map(|s| (s.from, s.to)),
            Some((SmsStatus::NotRecorded, SmsStatus::OptedOut))
        );
        assert_eq!(changes.status_after, vec![SmsStatus::OptedOut; 2]);
    }

    #[test]
    fn two_rows_of_one_stored_contact_make_one_status_change_from_what_was_stored() {
        // Bob, opted in: one row by his phone says STOP, a later one by his
        // new e-mail says yes. He ends opted out, and the later row is kept.
        let batch = vec![
            saying(
                incoming(
                    2,
                    "",
                    "",
                    vec![phone("+447400000002"), email("bob@example.com")],
                    &[],
                ),
                "STOP",
            ),
            saying(
                incoming(3, "", "", vec![email("bob@example.com")], &[]),
                "yes",
            ),
        ];
        let mut s = with_statuses();
        s.owners
            .insert((DetailKind::Email, "bob@example.com".into()), 2);
        let changes = decide(&batch, &s, FileSays);
        let [u] = changes.updates.as_slice() else {
            panic!("one update: {changes:?}")
        };
        assert_eq!(
            u.sms.as_ref().map(|c| (c.from, c.to)),
            Some((SmsStatus::OptedIn, SmsStatus::OptedOut))
        );
        assert_eq!(
            changes
                .kept_opted_out
                .iter()
                .map(|k| k.index)
                .collect::<Vec<_>>(),
            [1]
        );
        assert_eq!(changes.status_after, vec![SmsStatus::OptedOut; 2]);
    }

    #[test]
    fn contacts_left_without_a_textable_number_are_counted_once() {
        let mut landline = phone("+442079460018");
        landline.line = Some(LineType::Landline);
        let batch = vec![
            // New, landline only: counted.
            incoming(2, "", "", vec![landline.clone()], &[]),
            // New, e-mail only: counted.
            incoming(3, "", "", vec![email("z@example.com")], &[]),
            // New with a mobile: not.
            incoming(4, "", "", vec![phone("+447400000055")], &[]),
            // Ada has a mobile stored: not, whatever the row brings.
            incoming(
                5,
                "",
                "",
                vec![email("ada@example.com"), landline.clone()],
                &[],
            ),
        ];
        let mut s = snapshot();
        // Bob's only phone is a landline: matched twice, counted once.
        s.contacts.get_mut(&2).unwrap().details[0].line = Some(LineType::Landline);
        let mut batch = batch;
        batch.push(incoming(6, "", "", vec![phone("+447400000002")], &[]));
        batch.push(incoming(7, "Bob", "", vec![phone("+447400000002")], &[]));
        let changes = decide(&batch, &s, FileSays);
        assert_eq!(changes.no_textable, 3);
    }

    // ------------------------------------------------------------ in-file merge

    fn with_values(mut c: ImportContact, values: &[(&str, &str)]) -> ImportContact {
        use crate::import::fields::{FieldName, FieldValue};
        use crate::import::rows::CustomValue;
        c.fields = values
            .iter()
            .map(|(f, v)| CustomValue {
                field: FieldName::parse(f).unwrap(),
                field_id: None,
                value: FieldValue(v.to_string()),
            })
            .collect();
        c
    }

    /// The snapshot with the fields City (#20) and Plan (#21); Ada lives in
    /// Leeds.
    fn with_fields() -> Snapshot {
        let mut s = snapshot();
        s.fields.insert("city".into(), 20);
        s.fields.insert("plan".into(), 21);
        s.contacts
            .get_mut(&1)
            .unwrap()
            .values
            .insert(20, "Leeds".into());
        s
    }

    #[rstest]
    #[case::same_value(&[("City", "Leeds")], "unchanged", &[])]
    #[case::new_value(&[("Plan", "Gold")], "update", &[("Plan", None, "Gold")])]
    #[case::changed_value(&[("city", "York")], "update", &[("city", Some("Leeds"), "York")])]
    #[case::nothing_said(&[], "unchanged", &[])]
    // A field the account lacks (deleted while importing): nothing to set.
    #[case::unknown_field(&[("Colour", "Red")], "unchanged", &[])]
    fn custom_values_are_set_when_the_file_gives_one_that_differs(
        #[case] values: &[(&str, &str)],
        #[case] expected: &str,
        #[case] changes: &[(&str, Option<&str>, &str)],
    ) {
        let batch = vec![with_values(
            incoming(2, "", "", vec![phone("+447400000001")], &[]),
            values,
        )];
        let decided = decide(&batch, &with_fields(), FileSays);
        assert_eq!(outcome(&decided), expected);
        let got: Vec<(&str, Option<&str>, &str)> = decided
            .updates
            .iter()
            .flat_map(|u| &u.value_changes)
            .map(|c| (c.field.as_str(), c.old.as_deref(), c.new.as_str()))
            .collect();
        assert_eq!(got, changes);
    }

    #[test]
    fn a_new_contact_gets_the_values_of_the_account_s_fields() {
        let batch = vec![with_values(
            incoming(2, "Cleo", "", vec![phone("+447400000009")], &[]),
            &[("City", "York"), ("Colour", "Red")],
        )];
        let decided = decide(&batch, &with_fields(), FileSays);
        let [new] = decided.creates.as_slice() else {
            panic!("one create: {decided:?}")
        };
        let values: Vec<(i64, &str)> = new.values.iter().map(|(f, v)| (*f, v.as_str())).collect();
        assert_eq!(values, [(20, "York")]);
    }

    #[test]
    fn two_rows_of_one_stored_contact_set_a_value_once_from_what_was_stored() {
        let batch = vec![
            with_values(
                incoming(2, "", "", vec![phone("+447400000001")], &[]),
                &[("City", "York")],
            ),
            with_values(
                incoming(3, "", "", vec![email("ada@example.com")], &[]),
                &[("City", "Hull"), ("Plan", "Gold")],
            ),
        ];
        let decided = decide(&batch, &with_fields(), FileSays);
        let [u] = decided.updates.as_slice() else {
            panic!("one update: {decided:?}")
        };
        let values: Vec<(i64, &str)> = u.values.iter().map(|(f, v)| (*f, v.as_str())).collect();
        assert_eq!(values, [(20, "Hull"), (21, "Gold")]);
        let got: Vec<(&str, Option<&str>, &str)> = u
            .value_changes
            .iter()
            .map(|c| (c.field.as_str(), c.old.as_deref(), c.new.as_str()))
            .collect();
        assert_eq!(
            got,
            [("City", Some("Leeds"), "Hull"), ("Plan", None, "Gold")]
        );
        // Back to what was stored: no change left.
        let batch = vec![
            with_values(
                incoming(2, "", "", vec![phone("+447400000001")], &[]),
                &[("City", "York")],
            ),
            with_values(
                incoming(3, "", "", vec![email("ada@example.com")], &[]),
                &[("City", "Leeds")],
            ),
        ];
        let decided = decide(&batch, &with_fields(), FileSays);
        assert!(
            decided
                .updates
                .iter()
                .all(|u| u.value_changes.is_empty() && u.values.is_empty()),
            "{decided:?}"
        );
    }

    #[test]
    fn in_the_file_the_first_row_s_value_wins_and_later_rows_fill_gaps() {
        let rows = vec![
            with_values(
                incoming(2, "", "", vec![phone("+447400000009")], &[]),
                &[("City", "York")],
            ),
            with_values(
                incoming(3, "", "", vec![phone("+447400000009")], &[]),
                &[("city", "Hull"), ("Plan", "Gold")],
            ),
        ];
        let merged = merge_duplicates(rows, &mut Vec::new());
        let [one] = merged.as_slice() else {
            panic!("merged: {merged:?}")
        };
        let values: Vec<(&str, &str)> = one
            .fields
            .iter()
            .map(|v| (v.field.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(values, [("City", "York"), ("Plan", "Gold")]);
    }

    #[test]
    fn in_the_file_the_first_row_wins_and_later_rows_fill_gaps() {
        let mut first = incoming(2, "Ada", "", vec![phone("+447400000001")], &["Work"]);
        first.last_name = String::new();
        let second = incoming(
            3,
            "Augusta King",
            "Analytical",
            vec![phone("+447400000001"), email("ada@example.com")],
            &["work", "Friends"],
        );
        let merged = merge_duplicates(vec![first, second], &mut Vec::new());
        let [c] = merged.as_slice() else {
            panic!("one contact")
        };
        assert_eq!(c.rows, [2, 3]);
        // The first row's first name stays; its empty last name and company are filled.
        assert_eq!(
            (
                c.first_name.as_str(),
                c.last_name.as_str(),
                c.company.as_str()
            ),
            ("Ada", "King", "Analytical")
        );
        assert_eq!(c.details.len(), 2);
        assert_eq!(c.groups, vec![group("Work"), group("Friends")]);
    }

    #[test]
    fn against_the_database_the_file_wins() {
        // The same two values, the other way round: the stored "Lovelace" is
        // replaced by the file's "King", where in the file the first row kept it.
        let batch = vec![incoming(
            2,
            "Ada King",
            "",
            vec![phone("+447400000001")],
            &[],
        )];
        let changes = decide(&batch, &snapshot(), FileSays);
        assert_eq!(changes.updates[0].last_name, "King");
    }

    #[test]
    fn rows_joined_through_a_third_row_merge_in_file_order() {
        let a = incoming(2, "A", "", vec![phone("+447400000031")], &[]);
        let b = incoming(3, "B", "", vec![email("b@example.com")], &[]);
        let c = incoming(
            4,
            "C",
            "",
            vec![phone("+447400000031"), email("b@example.com")],
            &[],
        );
        let merged = merge_duplicates(vec![a, b, c], &mut Vec::new());
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].rows, [2, 3, 4]);
        assert_eq!(merged[0].first_name, "A");
    }
}
