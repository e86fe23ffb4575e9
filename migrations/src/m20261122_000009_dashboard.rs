//! Dashboard sign-in: the one-time links already used, and the browser
//! sessions they opened; and how often each lesson was read, for its page. Sessions are found by a hash of their cookie, so
//! the table alone cannot be used to sign in.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Lessons {
    Table,
    /// Times the whole lesson was shown to a reader.
    Views,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Name,
    /// Hex; made at first need when none is configured, so every instance
    /// and operator command signs alike.
    Secret,
}

#[derive(DeriveIden)]
enum UsedLinks {
    Table,
    /// The link's random part; a second use collides with it.
    Nonce,
    UsedAt,
}

#[derive(DeriveIden)]
enum DashboardSessions {
    Table,
    Id,
    /// SHA-256 of the cookie, hex.
    TokenHash,
    CommunityId,
    /// The admin's identity, e.g. discord:123.
    Actor,
    /// Forms carry it back; compared in constant time.
    Csrf,
    ExpiresAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .col(string(SigningKeys::Name).primary_key())
                    .col(string(SigningKeys::Secret))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UsedLinks::Table)
                    .col(string(UsedLinks::Nonce).primary_key())
                    .col(big_integer(UsedLinks::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DashboardSessions::Table)
                    .col(big_pk_auto(DashboardSessions::Id))
                    .col(string(DashboardSessions::TokenHash))
                    .col(big_integer(DashboardSessions::CommunityId))
                    .col(string(DashboardSessions::Actor))
                    .col(string(DashboardSessions::Csrf))
                    .col(big_integer(DashboardSessions::ExpiresAt))
                    .col(big_integer(DashboardSessions::CreatedAt))
                    .foreign_key(&mut fk(
                        DashboardSessions::Table,
                        DashboardSessions::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_dashboard_sessions_token",
                DashboardSessions::Table,
                &["token_hash"],
                true,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Lessons::Table)
                    .add_column(big_integer(Lessons::Views).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Lessons::Table)
                    .drop_column(Lessons::Views)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(DashboardSessions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(UsedLinks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SigningKeys::Table).to_owned())
            .await
    }
}
