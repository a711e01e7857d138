//! Custom fields in the store: the account's definitions and its contacts'
//! values (migration `custom_fields`). What a value may be is decided by
//! `import::fields`; the store keeps what it is given and scopes every
//! read and write by account.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};

use super::entity::{contact, contact_field_value, custom_field};
use super::error::{Missing, StoreError};
use super::store::Store;
use crate::import::fields::{
    parse_choices, FieldDef, FieldKind, FieldName, FieldValue, ReadAs, MAX_FIELDS,
};
use crate::import::Region;
use crate::model::{ContactQuery, CustomFieldView, FieldFilter, FieldValueView};

/// The part of a value's key a filter compares (an index entry stays
/// small whatever the value's length).
pub const KEY_CHARS: usize = 200;

/// What a filter compares for `value`: its key, cut to [`KEY_CHARS`].
pub fn value_key(value: &FieldValue) -> String {
    value.key().chars().take(KEY_CHARS).collect()
}

fn view(m: custom_field::Model) -> Result<CustomFieldView, StoreError> {
    Ok(CustomFieldView {
        kind: FieldKind::parse(&m.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("custom field kind {:?}", m.kind)))?,
        choices: serde_json::from_str(&m.choices)
            .map_err(|e| StoreError::Corrupt(format!("custom field choices: {e}")))?,
        id: m.id,
        name: m.name,
    })
}

impl Store {
    /// The account's custom fields, by name.
    pub async fn list_fields(&self, account_id: i64) -> Result<Vec<CustomFieldView>, StoreError> {
        custom_field::Entity::find()
            .filter(custom_field::Column::AccountId.eq(account_id))
            .order_by_asc(custom_field::Column::NameKey)
            .all(&self.db)
            .await?
            .into_iter()
            .map(view)
            .collect()
    }

    pub async fn find_field(
        &self,
        account_id: i64,
        id: i64,
    ) -> Result<CustomFieldView, StoreError> {
        let m = custom_field::Entity::find()
            .filter(custom_field::Column::AccountId.eq(account_id))
            .filter(custom_field::Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound(Missing::Field))?;
        view(m)
    }

    /// Creates a field. Refused when the account has one of that name
    /// (whatever its case) or already [`MAX_FIELDS`] of them.
    pub async fn create_field(
        &self,
        account_id: i64,
        def: &FieldDef,
    ) -> Result<CustomFieldView, StoreError> {
        let (_turn, txn) = self.begin_write().await?;
        let m = insert_field(&txn, account_id, def).await?;
        txn.commit().await?;
        view(m)
    }

    /// Renames a field; its values stay (they are kept by the field's id).
    pub async fn rename_field(
        &self,
        account_id: i64,
        id: i64,
        name: &FieldName,
    ) -> Result<CustomFieldView, StoreError> {
        let _turn = self.write_turn().await;
        let m = custom_field::Entity::find()
            .filter(custom_field::Column::AccountId.eq(account_id))
            .filter(custom_field::Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound(Missing::Field))?;
        let taken = custom_field::Entity::find()
            .filter(custom_field::Column::AccountId.eq(account_id))
            .filter(custom_field::Column::NameKey.eq(name.key()))
            .filter(custom_field::Column::Id.ne(id))
            .count(&self.db)
            .await?;
        if taken > 0 {
            return Err(StoreError::FieldNameTaken(name.clone()));
        }
        let mut a: custom_field::ActiveModel = m.into();
        a.name = Set(name.to_string());
        a.name_key = Set(name.key());
        let m = a
            .update(&self.db)
            .await
            .map_err(|e| field_conflict(e, name))?;
        view(m)
    }

    /// How many of the account's contacts hold a value of field `id` (what
    /// deleting it would remove).
    pub async fn field_holders(&self, account_id: i64, id: i64) -> Result<u64, StoreError> {
        self.find_field(account_id, id).await?;
        Ok(contact_field_value::Entity::find()
            .filter(contact_field_value::Column::AccountId.eq(account_id))
            .filter(contact_field_value::Column::FieldId.eq(id))
            .count(&self.db)
            .await?)
    }

    /// Deletes a field and every value of it; returns how many contacts
    /// held one.
    pub async fn delete_field(&self, account_id: i64, id: i64) -> Result<u64, StoreError> {
        self.find_field(account_id, id).await?;
        let (_turn, txn) = self.begin_write().await?;
        let values = contact_field_value::Entity::delete_many()
            .filter(contact_field_value::Column::AccountId.eq(account_id))
            .filter(contact_field_value::Column::FieldId.eq(id))
            .exec(&txn)
            .await?
            .rows_affected;
        let gone = custom_field::Entity::delete_many()
            .filter(custom_field::Column::AccountId.eq(account_id))
            .filter(custom_field::Column::Id.eq(id))
            .exec(&txn)
            .await?
            .rows_affected;
        if gone == 0 {
            return Err(StoreError::NotFound(Missing::Field));
        }
        txn.commit().await?;
        Ok(values)
    }

    /// An import's custom fields made real, before its first row: each
    /// `defs` entry that names one of the account's fields (whatever its
    /// case) becomes that field's definition, so the rows are checked
    /// against what the account keeps; the others are created. Returns the
    /// names of the fields created. All or none: one transaction.
    pub async fn resolve_fields(
        &self,
        account_id: i64,
        defs: Vec<&mut FieldDef>,
    ) -> Result<Vec<String>, StoreError> {
        if defs.is_empty() {
            return Ok(Vec::new());
        }
        let (_turn, txn) = self.begin_write().await?;
        let mut created = Vec::new();
        for def in defs {
            let existing = custom_field::Entity::find()
                .filter(custom_field::Column::AccountId.eq(account_id))
                .filter(custom_field::Column::NameKey.eq(def.name.key()))
                .one(&txn)
                .await?;
            let stored = match existing {
                Some(m) => view(m)?,
                None => {
                    created.push(def.name.to_string());
                    view(insert_field(&txn, account_id, def).await?)?
                }
            };
            if let Some(d) = stored.def() {
                *def = d;
            }
            // The chunks write to this field, whatever it is renamed to
            // meanwhile (and not to another made later under its name).
            def.id = Some(stored.id);
        }
        txn.commit().await?;
        Ok(created)
    }

    /// Deletes the account's field named `name` (whatever its case) and its
    /// values, if it exists.
    pub async fn delete_field_named(&self, account_id: i64, name: &str) -> Result<(), StoreError> {
        let found = custom_field::Entity::find()
            .filter(custom_field::Column::AccountId.eq(account_id))
            .filter(custom_field::Column::NameKey.eq(FieldName::key_of(name)))
            .one(&self.db)
            .await?;
        if let Some(f) = found {
            self.delete_field(account_id, f.id).await?;
        }
        Ok(())
    }

    /// `query` with its field filter's value made the key the store
    /// compares (read as the field reads its values, in the account's
    /// region). `None`: the field cannot hold that value, so no contact
    /// matches. A field of another account is not found.
    pub async fn resolve_query(
        &self,
        account_id: i64,
        region: Region,
        query: &ContactQuery,
    ) -> Result<Option<ContactQuery>, DbErr> {
        let Some(filter) = &query.field else {
            return Ok(Some(query.clone()));
        };
        let field = match self.find_field(account_id, filter.field_id).await {
            Ok(f) => f,
            Err(StoreError::Db(e)) => return Err(e),
            Err(_) => return Ok(None),
        };
        let Some(def) = field.def() else {
            return Ok(None);
        };
        let read = ReadAs::new(region, None, crate::import::fields::today());
        let key = match def.check(&filter.value, read) {
            Ok(Some(v)) => value_key(&v),
            _ => return Ok(None),
        };
        let mut q = query.clone();
        q.field = Some(FieldFilter {
            field_id: filter.field_id,
            value: key,
        });
        Ok(Some(q))
    }

    /// The custom values of `contact_ids`, by contact, in field-name order.
    pub(crate) async fn field_values_of(
        &self,
        account_id: i64,
        contact_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<FieldValueView>>, DbErr> {
        let mut out: HashMap<i64, Vec<FieldValueView>> = HashMap::new();
        if contact_ids.is_empty() {
            return Ok(out);
        }
        let rows: Vec<(i64, i64, String)> = contact_field_value::Entity::find()
            .select_only()
            .column(contact_field_value::Column::ContactId)
            .column(contact_field_value::Column::FieldId)
            .column(contact_field_value::Column::Value)
            .filter(contact_field_value::Column::AccountId.eq(account_id))
            .filter(contact_field_value::Column::ContactId.is_in(contact_ids.iter().copied()))
            .order_by_asc(contact_field_value::Column::ContactId)
            .order_by_asc(contact_field_value::Column::FieldId)
            .into_tuple()
            .all(&self.db)
            .await?;
        for (contact_id, field_id, value) in rows {
            out.entry(contact_id)
                .or_default()
                .push(FieldValueView { field_id, value });
        }
        Ok(out)
    }
}

/// Inserts field `def` for the account, within the caller's transaction.
pub(crate) async fn insert_field<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    def: &FieldDef,
) -> Result<custom_field::Model, StoreError> {
    let existing = custom_field::Entity::find()
        .filter(custom_field::Column::AccountId.eq(account_id))
        .all(db)
        .await?;
    if existing.iter().any(|f| f.name_key == def.name.key()) {
        return Err(StoreError::FieldNameTaken(def.name.clone()));
    }
    if existing.len() >= MAX_FIELDS {
        return Err(StoreError::TooManyFields);
    }
    // The choices as a cell is compared with them (trimmed, folded,
    // without repeats), and within the limits: what was checked is stored.
    let choices = match def.kind {
        FieldKind::Choice => {
            parse_choices(&def.choices).map_err(|e| StoreError::FieldRefused(e.to_string()))?
        }
        _ => Vec::new(),
    };
    custom_field::ActiveModel {
        id: NotSet,
        account_id: Set(account_id),
        name: Set(def.name.to_string()),
        name_key: Set(def.name.key()),
        kind: Set(def.kind.as_str().to_string()),
        choices: Set(serde_json::to_string(&choices).unwrap_or_else(|_| "[]".into())),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|e| field_conflict(e, &def.name))
}

/// A form's custom values for contact `contact_id`: each set or cleared,
/// within the caller's transaction; ids of fields the account does not
/// have are left out (the API checked them against its fields already).
pub(crate) async fn write_form_values<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    contact_id: i64,
    values: &[(i64, Option<FieldValue>)],
) -> Result<(), DbErr> {
    if values.is_empty() {
        return Ok(());
    }
    let own: Vec<i64> = custom_field::Entity::find()
        .select_only()
        .column(custom_field::Column::Id)
        .filter(custom_field::Column::AccountId.eq(account_id))
        .into_tuple()
        .all(db)
        .await?;
    let (mut set, mut clear) = (Vec::new(), Vec::new());
    for (id, v) in values.iter().filter(|(id, _)| own.contains(id)) {
        match v {
            Some(v) => set.push((*id, v.clone())),
            None => clear.push(*id),
        }
    }
    write_field_values(db, account_id, contact_id, &set).await?;
    clear_field_values(db, account_id, contact_id, &clear).await
}

/// Sets contact `contact_id`'s values of the given fields (a value
/// replaces the one stored), within the caller's transaction. Fields not
/// named keep their values.
async fn write_field_values<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    contact_id: i64,
    values: &[(i64, FieldValue)],
) -> Result<(), DbErr> {
    if values.is_empty() {
        return Ok(());
    }
    let rows = values
        .iter()
        .map(|(field_id, v)| (contact_id, *field_id, v.as_str().to_string(), value_key(v)))
        .collect();
    upsert_values(db, account_id, rows).await
}

/// Writes custom values, `(contact, field, value, value key)` of the
/// account's contacts, a row's value replacing the one stored; each row
/// carries its contact's sort name, read here (migration 16).
pub(super) async fn upsert_values<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    rows: Vec<(i64, i64, String, String)>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .column(contact::Column::SortName)
        .filter(contact::Column::AccountId.eq(account_id))
        .filter(contact::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows: Vec<contact_field_value::ActiveModel> = rows
        .into_iter()
        .filter_map(|(contact_id, field_id, value, key)| {
            // Another account's contact (or one deleted meanwhile) gets no value.
            let sort_name = names.get(&contact_id)?.clone();
            Some(contact_field_value::ActiveModel {
                contact_id: Set(contact_id),
                field_id: Set(field_id),
                account_id: Set(account_id),
                value: Set(value),
                value_key: Set(key),
                sort_name: Set(sort_name),
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    contact_field_value::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                contact_field_value::Column::ContactId,
                contact_field_value::Column::FieldId,
            ])
            .update_columns([
                contact_field_value::Column::Value,
                contact_field_value::Column::ValueKey,
                contact_field_value::Column::SortName,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes contact `contact_id`'s values of `field_ids`.
async fn clear_field_values<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    contact_id: i64,
    field_ids: &[i64],
) -> Result<(), DbErr> {
    if field_ids.is_empty() {
        return Ok(());
    }
    contact_field_value::Entity::delete_many()
        .filter(contact_field_value::Column::AccountId.eq(account_id))
        .filter(contact_field_value::Column::ContactId.eq(contact_id))
        .filter(contact_field_value::Column::FieldId.is_in(field_ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

fn field_conflict(err: DbErr, name: &FieldName) -> StoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::FieldNameTaken(name.clone()),
        _ => StoreError::Db(err),
    }
}
