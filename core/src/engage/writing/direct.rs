//! The PostgreSQL strategy. Several instances may share the database, so a
//! batch judges its awards again by every instance's record of cooldowns and
//! caps (`shared_limits`), then writes activity counts, ledger rows and score
//! rows in its own transaction, where the row lock keeps balances right.
//! Nothing is left owed; other instances' score changes reach this one's
//! boards through `follow`.

use sea_orm::DatabaseTransaction;

use super::shared_limits::judge;
use super::writer::{Pending, Writer, add_counts, per_day};
use crate::engage::rules::settle::settle;
use crate::error::CoreResult;
use crate::periods::Keys;
use crate::store::scores::post;
use crate::store::sync::CommunityCtx;

impl Writer {
    pub(crate) async fn write_direct(
        &self,
        ctx: &CommunityCtx,
        batch: &[Pending],
        txn: DatabaseTransaction,
        keys: &Keys,
        now: i64,
    ) -> CoreResult<()> {
        let judged = judge(&txn, ctx, batch).await?;
        let batch: &[Pending] = judged.as_deref().unwrap_or(batch);
        add_counts(&txn, &per_day(batch)).await?;
        let postings = self.postings(&txn, ctx, batch).await?;
        let rows = if postings.is_empty() {
            Vec::new()
        } else {
            let moved = post(&txn, ctx.id, keys, &postings).await?;
            settle(&txn, ctx, moved, now, true).await?
        };
        txn.commit().await?;
        self.committed(batch);
        self.engage.apply(ctx.id, &rows, keys);
        self.wake.notify_one();
        Ok(())
    }
}
