//! Activity per member and day: messages and reactions reported by the chat
//! adapters. Points rules read it later; the dashboard's activity rate
//! A(t) = Σ interactions / members is computed from it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ActivityDays {
    Table,
    Id,
    MemberId,
    /// Days since the Unix epoch, UTC.
    Day,
    Messages,
    ReactionsGiven,
    ReactionsReceived,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivityDays::Table)
                    .col(big_pk_auto(ActivityDays::Id))
                    .col(big_integer(ActivityDays::MemberId))
                    .col(integer(ActivityDays::Day))
                    .col(integer(ActivityDays::Messages))
                    .col(integer(ActivityDays::ReactionsGiven))
                    .col(integer(ActivityDays::ReactionsReceived))
                    .foreign_key(&mut fk(
                        ActivityDays::Table,
                        ActivityDays::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_activity_days_member_day",
                ActivityDays::Table,
                &["member_id", "day"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActivityDays::Table).to_owned())
            .await
    }
}
