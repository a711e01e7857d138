//! Whom a message goes to: a selection (groups, contacts, the list's filter)
//! resolved into the numbers we may text and the counts of those we may not,
//! by reason. The rule is `import::consent::recipient_verdict`, asked of
//! each (status, reach) class of contacts: the store only counts classes.
//! Everyone's and each group's class counts are kept (`account_audience`,
//! `group_audience`, by triggers), so the counts of those selections read
//! a few rows whatever the account's size; any other selection (several
//! groups, a search, picked contacts) is counted over its contact rows.
//! Every contact's number is kept with it (`sms_number`), and the numbers
//! are paged by contact id: a million of them stream in bounded memory.
//! A store test holds the counts to the rule, contact by contact.

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};

use super::entity::{account, contact, contact_group, group_member};
use super::error::{Missing, StoreError};
use super::store::{list_filters, search_branches, Store};
use crate::import::consent::{recipient_verdict, Exclusion, Reach};
use crate::import::{Region, SmsStatus};
use crate::model::{
    display_name, AudienceCounts, GroupFilter, Recipient, RecipientsPage, RecipientsRequest,
    SmsFilter,
};

/// Rows of kept counts a reader adds up before folding them into one per
/// (status, reach) pair (PostgreSQL; on SQLite there is one per pair).
const FOLD_AFTER: i64 = 64;

impl Store {
    /// Resolves `req` for the account: on the first page its counts, and up
    /// to `req.limit` recipients after `req.after`, by contact id. Groups or
    /// contacts the account does not have are refused.
    pub async fn recipients(
        &self,
        account_id: i64,
        region: Region,
        req: &RecipientsRequest,
    ) -> Result<RecipientsPage, StoreError> {
        let require_consent = account::Entity::find_by_id(account_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound(Missing::Account))?
            .require_consent;
        self.check_selection(account_id, req).await?;
        // A field filter's value as the store compares it.
        let resolved;
        let req = match &req.filter {
            Some(f) if f.field.is_some() => {
                let mut r = req.clone();
                r.filter = match self.resolve_query(account_id, region, f).await? {
                    Some(q) => Some(q),
                    // No contact holds that value: none of the filter's.
                    None => Some(crate::model::ContactQuery {
                        field: Some(crate::model::FieldFilter {
                            field_id: 0,
                            value: String::new(),
                        }),
                        ..f.clone()
                    }),
                };
                resolved = r;
                &resolved
            }
            _ => req,
        };
        let mut page = RecipientsPage {
            require_consent,
            ..RecipientsPage::default()
        };
        if req.is_empty() {
            if req.after.is_none() {
                page.counts = Some(audience(&[], require_consent));
            }
            return Ok(page);
        }
        let selected = contact::Entity::find()
            .filter(contact::Column::AccountId.eq(account_id))
            .filter(self.selection(account_id, region, req));
        if req.after.is_none() {
            let classes = match kept_counts(self.db.get_database_backend(), region, req) {
                Some(kept) => self.kept_classes(account_id, kept).await?,
                // Any other selection: its contacts, counted by class.
                None => selected
                    .clone()
                    .select_only()
                    .column(contact::Column::SmsStatus)
                    .column(contact::Column::Reach)
                    .column_as(Expr::cust("COUNT(*)"), "n")
                    .group_by(contact::Column::SmsStatus)
                    .group_by(contact::Column::Reach)
                    .into_tuple::<(String, String, i64)>()
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .filter_map(class)
                    .collect(),
            };
            page.counts = Some(audience(&classes, require_consent));
        }
        if req.limit == 0 {
            return Ok(page);
        }
        let mut texted = selected
            .filter(contact::Column::SmsStatus.ne(SmsStatus::OptedOut.as_str()))
            .filter(contact::Column::SmsNumber.ne(""));
        if require_consent {
            texted = texted.filter(contact::Column::SmsStatus.eq(SmsStatus::OptedIn.as_str()));
        }
        if let Some(after) = req.after {
            texted = texted.filter(contact::Column::Id.gt(after));
        }
        let rows = texted
            .order_by_asc(contact::Column::Id)
            .limit(u64::from(req.limit))
            .all(&self.db)
            .await?;
        if rows.len() == req.limit as usize {
            page.next = rows.last().map(|r| r.id);
        }
        page.recipients = rows
            .into_iter()
            .map(|r| Recipient {
                contact_id: r.id,
                name: display_name(&r.first_name, &r.last_name, &r.company)
                    .unwrap_or_else(|| r.sms_number.clone()),
                number: r.sms_number,
            })
            .collect();
        Ok(page)
    }

    /// The kept counts of everyone or of one group (none for a group the
    /// account does not have), by class, less those the SMS filter leaves
    /// out. On PostgreSQL a pair's rows pile up (one per write statement,
    /// see the `audience_counts` migration): past [`FOLD_AFTER`] rows they
    /// are folded into one per pair.
    async fn kept_classes(&self, account_id: i64, kept: Kept) -> Result<Vec<Class>, StoreError> {
        let backend = self.db.get_database_backend();
        let (table, owner, id, sms) = match kept {
            Kept::Account(sms) => ("account_audience", "account_id", account_id, sms),
            Kept::Group(group_id, sms) => ("group_audience", "group_id", group_id, sms),
        };
        let [p1, p2] = match backend {
            DatabaseBackend::Postgres => ["$1", "$2"],
            _ => ["?", "?"],
        };
        let (mine, values): (String, Vec<sea_orm::Value>) = match kept {
            Kept::Account(_) => (String::new(), vec![id.into()]),
            Kept::Group(..) => (
                format!(" AND group_id IN (SELECT id FROM contact_group WHERE account_id = {p2})"),
                vec![id.into(), account_id.into()],
            ),
        };
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT sms_status, reach, CAST(SUM(n) AS BIGINT) AS n, COUNT(*) AS piled \
                     FROM {table} WHERE {owner} = {p1}{mine} GROUP BY sms_status, reach"
                ),
                values,
            ))
            .await?;
        let mut piled = 0i64;
        let mut classes = Vec::new();
        for row in rows {
            piled += row.try_get::<i64>("", "piled")?;
            let pair: (String, String, i64) = (
                row.try_get("", "sms_status")?,
                row.try_get("", "reach")?,
                row.try_get("", "n")?,
            );
            classes.extend(class(pair).filter(|&(status, reach, _)| sms.admits(status, reach)));
        }
        if backend == DatabaseBackend::Postgres && piled > FOLD_AFTER {
            // One statement: rows another writer appends meanwhile are not
            // in `gone` and stay as they are. A fold that fails leaves the
            // rows to the next reader.
            let fold = self
                .db
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    format!(
                        "WITH gone AS (DELETE FROM {table} WHERE {owner} = $1 \
                         RETURNING sms_status, reach, n) \
                         INSERT INTO {table} ({owner}, sms_status, reach, n) \
                         SELECT $1, sms_status, reach, SUM(n) FROM gone \
                         GROUP BY sms_status, reach HAVING SUM(n) <> 0"
                    ),
                    [id.into()],
                ))
                .await;
            if let Err(e) = fold {
                tracing::warn!("folding the recipients' counts of {table} {id}: {e}");
            }
        }
        Ok(classes)
    }

    /// Refuses groups or contacts of another account (or none at all).
    async fn check_selection(
        &self,
        account_id: i64,
        req: &RecipientsRequest,
    ) -> Result<(), StoreError> {
        let distinct = |ids: &[i64]| {
            let mut v = ids.to_vec();
            v.sort_unstable();
            v.dedup();
            v
        };
        let groups = distinct(&req.group_ids);
        if !groups.is_empty() {
            let found = contact_group::Entity::find()
                .filter(contact_group::Column::AccountId.eq(account_id))
                .filter(contact_group::Column::Id.is_in(groups.clone()))
                .count(&self.db)
                .await?;
            if found != groups.len() as u64 {
                return Err(StoreError::NotFound(Missing::Group));
            }
        }
        let contacts = distinct(&req.contact_ids);
        if !contacts.is_empty() {
            let found = contact::Entity::find()
                .filter(contact::Column::AccountId.eq(account_id))
                .filter(contact::Column::Id.is_in(contacts.clone()))
                .count(&self.db)
                .await?;
            if found != contacts.len() as u64 {
                return Err(StoreError::NotFound(Missing::Contact));
            }
        }
        Ok(())
    }

    /// The contacts `req` selects: the union of its groups' members, its
    /// contacts and its filter's matches.
    fn selection(&self, account_id: i64, region: Region, req: &RecipientsRequest) -> Condition {
        let mut any = Condition::any();
        if !req.group_ids.is_empty() {
            any = any.add(
                contact::Column::Id.in_subquery(
                    Query::select()
                        .column(group_member::Column::ContactId)
                        .from(group_member::Entity)
                        .and_where(group_member::Column::AccountId.eq(account_id))
                        .and_where(group_member::Column::GroupId.is_in(req.group_ids.clone()))
                        .to_owned(),
                ),
            );
        }
        if !req.contact_ids.is_empty() {
            any = any.add(contact::Column::Id.is_in(req.contact_ids.clone()));
        }
        if let Some(f) = &req.filter {
            let mut matches = Condition::all().add(list_filters(account_id, f));
            let branches = search_branches(
                self.db.get_database_backend(),
                account_id,
                region,
                &f.search,
            );
            if !branches.is_empty() {
                matches = matches.add(branches.into_iter().fold(Condition::any(), Condition::add));
            }
            any = any.add(matches);
        }
        any
    }
}

/// Contacts of one (status, reach) class, and how many.
type Class = (SmsStatus, Reach, u64);

/// A stored class row, unless it names no known class.
fn class((status, reach, n): (String, String, i64)) -> Option<Class> {
    Some((
        SmsStatus::parse(&status)?,
        Reach::parse(&reach)?,
        u64::try_from(n).unwrap_or(0),
    ))
}

/// The counts of a selection from its contacts' classes: each class is
/// texted or excluded for the reason [`recipient_verdict`] gives.
fn audience(classes: &[Class], require_consent: bool) -> AudienceCounts {
    let mut selected = 0;
    let mut textable = 0;
    let mut excluded: Vec<(Exclusion, u64)> = Exclusion::ALL.into_iter().map(|e| (e, 0)).collect();
    for &(status, reach, n) in classes {
        selected += n;
        match recipient_verdict(status, reach, require_consent) {
            Ok(()) => textable += n,
            Err(why) => {
                if let Some(slot) = excluded.iter_mut().find(|(e, _)| *e == why) {
                    slot.1 += n;
                }
            }
        }
    }
    AudienceCounts {
        selected,
        textable,
        excluded,
    }
}

/// Where the counts of a selection are kept, if they are: everyone, or one
/// group's members, with an SMS filter over the classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    Account(SmsFilter),
    Group(i64, SmsFilter),
}

/// Whether `req` selects exactly the contacts of a kept count: a filter
/// with no search or import whose group is all or one (what one group or
/// everyone selects, less an SMS filter), or one group alone. A union of
/// several groups, a search or picked contacts are counted row by row.
fn kept_counts(backend: DatabaseBackend, region: Region, req: &RecipientsRequest) -> Option<Kept> {
    let mut groups = req.group_ids.clone();
    groups.sort_unstable();
    groups.dedup();
    let Some(f) = &req.filter else {
        return match (groups.as_slice(), req.contact_ids.is_empty()) {
            ([g], true) => Some(Kept::Group(*g, SmsFilter::All)),
            _ => None,
        };
    };
    let plain = f.import.is_none()
        && f.field.is_none()
        && search_branches(backend, 0, region, &f.search).is_empty();
    if !plain {
        return None;
    }
    match f.group {
        // Everyone: whatever else is chosen is in it.
        GroupFilter::All if f.sms == SmsFilter::All => Some(Kept::Account(SmsFilter::All)),
        GroupFilter::All if groups.is_empty() && req.contact_ids.is_empty() => {
            Some(Kept::Account(f.sms))
        }
        // The group's filtered members, or all of them when the group is
        // also chosen whole.
        GroupFilter::Group(g)
            if req.contact_ids.is_empty() && groups.iter().all(|&other| other == g) =>
        {
            let sms = if groups.is_empty() {
                f.sms
            } else {
                SmsFilter::All
            };
            Some(Kept::Group(g, sms))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContactQuery;
    use rstest::rstest;

    fn filter(search: &str, group: GroupFilter, sms: SmsFilter) -> Option<ContactQuery> {
        Some(ContactQuery {
            search: search.into(),
            group,
            sms,
            ..ContactQuery::default()
        })
    }

    #[rstest]
    #[case(vec![7], vec![], None, Some(Kept::Group(7, SmsFilter::All)))]
    #[case(vec![7, 7], vec![], None, Some(Kept::Group(7, SmsFilter::All)))]
    #[case(vec![7, 8], vec![], None, None)]
    #[case(vec![7], vec![1], None, None)]
    #[case(vec![], vec![1], None, None)]
    #[case(vec![], vec![], filter("", GroupFilter::All, SmsFilter::All), Some(Kept::Account(SmsFilter::All)))]
    #[case(vec![7, 8], vec![1], filter("  ", GroupFilter::All, SmsFilter::All), Some(Kept::Account(SmsFilter::All)))]
    #[case(vec![], vec![], filter("", GroupFilter::All, SmsFilter::Textable), Some(Kept::Account(SmsFilter::Textable)))]
    #[case(vec![7], vec![], filter("", GroupFilter::All, SmsFilter::Textable), None)]
    #[case(vec![], vec![], filter("", GroupFilter::Group(7), SmsFilter::Textable), Some(Kept::Group(7, SmsFilter::Textable)))]
    #[case(vec![7], vec![], filter("", GroupFilter::Group(7), SmsFilter::All), Some(Kept::Group(7, SmsFilter::All)))]
    #[case(vec![8], vec![], filter("", GroupFilter::Group(7), SmsFilter::All), None)]
    #[case(vec![7], vec![], filter("", GroupFilter::Group(7), SmsFilter::Textable), Some(Kept::Group(7, SmsFilter::All)))]
    #[case(vec![], vec![], Some(ContactQuery { import: Some(3), ..ContactQuery::default() }), None)]
    #[case(vec![], vec![], filter("", GroupFilter::None, SmsFilter::All), None)]
    #[case(vec![], vec![], filter("leeds", GroupFilter::All, SmsFilter::All), None)]
    fn which_selections_read_kept_counts(
        #[case] group_ids: Vec<i64>,
        #[case] contact_ids: Vec<i64>,
        #[case] filter: Option<ContactQuery>,
        #[case] expected: Option<Kept>,
    ) {
        let req = RecipientsRequest {
            group_ids,
            contact_ids,
            filter,
            ..RecipientsRequest::default()
        };
        for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres] {
            assert_eq!(kept_counts(backend, Region::default(), &req), expected);
        }
    }

    #[test]
    fn classes_make_the_counts_by_the_rule() {
        use Reach::*;
        use SmsStatus::*;
        let classes = [
            (OptedIn, Textable, 5),
            (NotRecorded, Textable, 4),
            (OptedOut, Textable, 3),
            (OptedOut, NoPhone, 1),
            (NotRecorded, LandlineOnly, 2),
            (OptedIn, NoPhone, 6),
        ];
        let open = audience(&classes, false);
        assert_eq!((open.selected, open.textable), (21, 9));
        assert_eq!(
            open.excluded,
            vec![
                (Exclusion::OptedOut, 4),
                (Exclusion::NoPhone, 6),
                (Exclusion::LandlineOnly, 2),
                (Exclusion::NoConsent, 0),
            ]
        );
        let strict = audience(&classes, true);
        assert_eq!(strict.textable, 5);
        assert_eq!(strict.excluded[3], (Exclusion::NoConsent, 4));
    }
}
