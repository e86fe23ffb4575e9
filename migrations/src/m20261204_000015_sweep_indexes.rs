//! Indexes for two reads that walk a table in id order, found by the load
//! harness's statement log with a million members:
//! - the outbox worker's oldest waiting effects of the platforms it serves.
//!   With only the recipient index SQLite read and sorted every waiting row
//!   of those platforms: 2.6 ms after every applied payment while 20-30k
//!   effects waited (a platform down, or its adapter not running);
//! - the reconcile sweep's next page of a community's members. The only
//!   index led with (community, person), so each page of 50 sorted all the
//!   community's members: 111 ms a page.
//!
//! Ordered by id within their filters, both read the first rows and stop.

use sea_orm_migration::prelude::*;

use crate::shape::{Plain, create_plain, drop_plain};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [Plain; 2] = [
    ("ix_outbox_waiting", "outbox", &["status", "platform", "id"]),
    ("ix_members_community_id", "members", &["community_id", "id"]),
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
