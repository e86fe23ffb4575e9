//! Who is in each chat of a platform, as the platform last told us: for
//! chats where the platform cannot list members (Telegram), this is what
//! reconciliation checks against entitlements.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChatPresence {
    Table,
    Id,
    Platform,
    Chat,
    ExternalId,
    Present,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChatPresence::Table)
                    .col(big_pk_auto(ChatPresence::Id))
                    .col(string(ChatPresence::Platform))
                    .col(string(ChatPresence::Chat))
                    .col(string(ChatPresence::ExternalId))
                    .col(boolean(ChatPresence::Present))
                    .col(big_integer(ChatPresence::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_chat_presence_platform_chat_user",
                ChatPresence::Table,
                &["platform", "chat", "external_id"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChatPresence::Table).to_owned())
            .await
    }
}
