//! Schema migrations, built with SeaQuery so SQLite and PostgreSQL run the
//! same ones. Each has a `down()`; none imports an entity type.

use sea_orm_migration::prelude::*;

mod m20261125_000001_create_account;
mod m20261125_000002_create_contact;
mod m20261125_000003_create_group;
mod m20261125_000004_create_import;
mod m20261125_000005_contact_import;
mod m20261126_000006_search_index;
mod m20261126_000007_account_contact_count;
mod m20261202_000008_create_users;
mod m20261203_000009_contact_first_indexes;
mod m20261207_000010_throttle_resume_counts;
mod m20261207_000011_detail_line_type;
mod m20261207_000012_sms_status;
mod m20261207_000013_audience_counts;
mod m20261207_000014_custom_fields;
mod m20261207_000015_contact_account_id;
mod m20261208_000016_field_value_sort;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_account::Migration),
            Box::new(m20261125_000002_create_contact::Migration),
            Box::new(m20261125_000003_create_group::Migration),
            Box::new(m20261125_000004_create_import::Migration),
            Box::new(m20261125_000005_contact_import::Migration),
            Box::new(m20261126_000006_search_index::Migration),
            Box::new(m20261126_000007_account_contact_count::Migration),
            Box::new(m20261202_000008_create_users::Migration),
            Box::new(m20261203_000009_contact_first_indexes::Migration),
            Box::new(m20261207_000010_throttle_resume_counts::Migration),
            Box::new(m20261207_000011_detail_line_type::Migration),
            Box::new(m20261207_000012_sms_status::Migration),
            Box::new(m20261207_000013_audience_counts::Migration),
            Box::new(m20261207_000014_custom_fields::Migration),
            Box::new(m20261207_000015_contact_account_id::Migration),
            Box::new(m20261208_000016_field_value_sort::Migration),
        ]
    }
}
