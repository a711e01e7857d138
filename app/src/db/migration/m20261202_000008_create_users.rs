use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Accounts get people: `app_user` (a login: e-mail and argon2 hash, in one
/// account), `invitation` (a one-use link into an account, kept as the hash
/// of its token) and `auth_session` (tower-sessions' records: the cookie's
/// id, its data as JSON, and when it expires, in Unix seconds).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("app_user")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("email", 254))
                    // The e-mail lower-cased: one login per address, whatever its case.
                    .col(string_len_uniq("email_key", 254))
                    .col(string_len("password_hash", 255))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_app_user_account")
                            .from("app_user", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_app_user_account")
                    .table("app_user")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("invitation")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(big_integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(big_integer_null("accepted_by"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitation_account")
                            .from("invitation", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("auth_session")
                    .if_not_exists()
                    .col(string_len("id", 64).primary_key())
                    .col(text("data"))
                    .col(big_integer("expires_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_auth_session_expires")
                    .table("auth_session")
                    .col("expires_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["auth_session", "invitation", "app_user"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
