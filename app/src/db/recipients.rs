//! Whom a message goes to: a selection (groups, contacts, the list's filter)
//! resolved into the numbers we may text and the counts of those we may not,
//! by reason. The rule is `import::consent::recipient_verdict`; the counts
//! here are the same checks in SQL, in the same order (a store test holds
//! them to it). Every contact's number is kept with it (`sms_number`), so
//! the counts read the contact rows of the selection and nothing else, and
//! the numbers are paged by contact id: a million of them stream in
//! bounded memory.

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{account, contact, contact_detail, contact_group, group_member};
use super::error::{Missing, StoreError};
use super::store::{list_filters, search_branches, Store};
use crate::import::consent::Exclusion;
use crate::import::{DetailKind, Region, SmsStatus};
use crate::model::{display_name, AudienceCounts, Recipient, RecipientsPage, RecipientsRequest};

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
        let mut page = RecipientsPage {
            require_consent,
            ..RecipientsPage::default()
        };
        if req.is_empty() {
            if req.after.is_none() {
                page.counts = Some(counts(0, 0, 0, 0, 0, require_consent));
            }
            return Ok(page);
        }
        let selected = contact::Entity::find()
            .filter(contact::Column::AccountId.eq(account_id))
            .filter(self.selection(account_id, region, req));
        if req.after.is_none() {
            let opted_out = SmsStatus::OptedOut.as_str();
            let opted_in = SmsStatus::OptedIn.as_str();
            let (all, out, no_number, not_in): (i64, Option<i64>, Option<i64>, Option<i64>) =
                selected
                    .clone()
                    .select_only()
                    .column_as(Expr::cust("COUNT(*)"), "selected")
                    .column_as(
                        Expr::cust(format!(
                            "SUM(CASE WHEN sms_status = '{opted_out}' THEN 1 ELSE 0 END)"
                        )),
                        "opted_out",
                    )
                    .column_as(
                        Expr::cust(format!(
                            "SUM(CASE WHEN sms_status <> '{opted_out}' AND sms_number = '' \
                             THEN 1 ELSE 0 END)"
                        )),
                        "no_number",
                    )
                    .column_as(
                        Expr::cust(format!(
                            "SUM(CASE WHEN sms_status NOT IN ('{opted_out}', '{opted_in}') \
                             AND sms_number <> '' THEN 1 ELSE 0 END)"
                        )),
                        "not_opted_in",
                    )
                    .into_tuple()
                    .one(&self.db)
                    .await?
                    .unwrap_or_default();
            // Of those without a number, the ones that have a phone (a landline).
            let landline_only = match no_number.unwrap_or(0) {
                0 => 0,
                _ => {
                    selected
                        .clone()
                        .filter(contact::Column::SmsStatus.ne(opted_out))
                        .filter(contact::Column::SmsNumber.eq(""))
                        .filter(
                            contact::Column::Id.in_subquery(
                                Query::select()
                                    .column(contact_detail::Column::ContactId)
                                    .from(contact_detail::Entity)
                                    .and_where(contact_detail::Column::AccountId.eq(account_id))
                                    .and_where(
                                        contact_detail::Column::Kind.eq(DetailKind::Phone.as_str()),
                                    )
                                    .to_owned(),
                            ),
                        )
                        .count(&self.db)
                        .await?
                }
            };
            let n = |v: Option<i64>| u64::try_from(v.unwrap_or(0)).unwrap_or(0);
            page.counts = Some(counts(
                n(Some(all)),
                n(out),
                n(no_number) - landline_only.min(n(no_number)),
                landline_only,
                n(not_in),
                require_consent,
            ));
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

/// The counts, from the selection's totals: every contact is excluded for
/// the first reason that holds ([`crate::import::consent::recipient_verdict`]).
fn counts(
    selected: u64,
    opted_out: u64,
    no_phone: u64,
    landline_only: u64,
    not_opted_in: u64,
    require_consent: bool,
) -> AudienceCounts {
    let no_consent = if require_consent { not_opted_in } else { 0 };
    let excluded: Vec<(Exclusion, u64)> = Exclusion::ALL
        .into_iter()
        .map(|e| {
            let n = match e {
                Exclusion::OptedOut => opted_out,
                Exclusion::NoPhone => no_phone,
                Exclusion::LandlineOnly => landline_only,
                Exclusion::NoConsent => no_consent,
            };
            (e, n)
        })
        .collect();
    let out: u64 = excluded.iter().map(|(_, n)| n).sum();
    AudienceCounts {
        selected,
        textable: selected.saturating_sub(out),
        excluded,
    }
}
