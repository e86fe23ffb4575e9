//! The payment inbox: a provider's verified webhook body, stored before the
//! webhook is answered and applied afterwards. A row lives until its event
//! is applied (then `payment_events` keeps the record), so the table holds
//! only what is still waiting, and why, for the admin and the retry.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PaymentInbox {
    Table,
    Id,
    Provider,
    EventId,
    EventType,
    Body,
    ReceivedAt,
    Attempts,
    NextAt,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PaymentInbox::Table)
                    .col(big_pk_auto(PaymentInbox::Id))
                    .col(string(PaymentInbox::Provider))
                    .col(string(PaymentInbox::EventId))
                    .col(string(PaymentInbox::EventType))
                    .col(text(PaymentInbox::Body))
                    .col(big_integer(PaymentInbox::ReceivedAt))
                    .col(integer(PaymentInbox::Attempts))
                    .col(big_integer(PaymentInbox::NextAt))
                    .col(text_null(PaymentInbox::LastError))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_payment_inbox_event",
                PaymentInbox::Table,
                &["provider", "event_id"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PaymentInbox::Table).to_owned())
            .await
    }
}
