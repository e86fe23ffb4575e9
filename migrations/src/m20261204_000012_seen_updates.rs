//! Platform updates already taken in. Telegram sends an update again until
//! it is confirmed (a poll's offset, a webhook's 200), and a process killed
//! after committing an update's points but before confirming it would count
//! them twice; recording the update's key in the same transaction as its
//! points makes the second delivery a no-op. Rows are pruned after Telegram
//! would have given up resending.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SeenUpdates {
    Table,
    Id,
    UpdateKey,
    SeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SeenUpdates::Table)
                    .col(big_pk_auto(SeenUpdates::Id))
                    .col(string(SeenUpdates::UpdateKey))
                    .col(big_integer(SeenUpdates::SeenAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_seen_updates_key",
                SeenUpdates::Table,
                &["update_key"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_seen_updates_at",
                SeenUpdates::Table,
                &["seen_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SeenUpdates::Table).to_owned())
            .await
    }
}
