//! Cooldowns and daily caps as every instance's writer sees them. Each
//! instance judges activity against what it has seen itself; on PostgreSQL,
//! where several instances may take one member's messages, the writer
//! judges the batch's awards again against these rows, locked in its
//! transaction. SQLite has one process and leaves the table empty.

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
enum ActivityLimits {
    Table,
    Id,
    MemberId,
    /// The points source: message, reaction_received, …
    Source,
    /// The community-local day `today` counts.
    Day,
    /// Points paid from the source on `day`, before tier multipliers.
    Today,
    /// When the source last paid, Unix seconds; 0 if never.
    LastAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivityLimits::Table)
                    .col(big_pk_auto(ActivityLimits::Id))
                    .col(big_integer(ActivityLimits::MemberId))
                    .col(string(ActivityLimits::Source))
                    .col(integer(ActivityLimits::Day))
                    .col(big_integer(ActivityLimits::Today))
                    .col(big_integer(ActivityLimits::LastAt))
                    .foreign_key(&mut fk(
                        ActivityLimits::Table,
                        ActivityLimits::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_activity_limits_member_source",
                ActivityLimits::Table,
                &["member_id", "source"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActivityLimits::Table).to_owned())
            .await
    }
}
