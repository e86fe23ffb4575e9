//! Indexes for lookups that every payment makes and that scanned whole
//! tables: the perk effects already queued for a recipient, a member's
//! first payment, and purchases by provider customer. Found by the load
//! harness, where each scan grew with the tables and a webhook took
//! milliseconds.

use sea_orm_migration::prelude::*;

use crate::shape::{Plain, create_plain, drop_plain};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [Plain; 3] = [
    (
        "ix_outbox_recipient",
        "outbox",
        &["platform", "recipient", "community_id"],
    ),
    ("ix_revenue_member_at", "revenue", &["member_id", "at"]),
    ("ix_purchases_customer", "purchases", &["customer_id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_plain(manager, &INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_plain(manager, &INDEXES).await
    }
}
