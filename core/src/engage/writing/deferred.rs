//! The SQLite strategy. SQLite lets one writer in at a time and charges a
//! page write for every score row a commit touches, so a batch appends
//! ledger rows and one backlog row and leaves the amounts owed (`owed`);
//! between batches, folds add each member's owed total into their score row
//! in one write (`fold`). Members whose points reach a level or badge are
//! settled at once. Readers add what is owed, so nobody sees the delay.

use std::collections::BTreeMap;

use sea_orm::DatabaseTransaction;

use super::fold::{fold, fold_unread, prune, record};
use super::owed::{Order, Owed, Pass, periods};
use super::writer::{FLUSH_SLICE, Pending, SLICE, Writer, per_day};
use crate::error::CoreResult;
use crate::periods::Keys;
use crate::store::scores::append;
use crate::store::sync::CommunityCtx;

impl Writer {
    /// Folds one slice of each community whose owed amounts are due for
    /// this pass. Returns whether anything was folded.
    pub(crate) async fn fold_due(&self, pass: Pass) -> bool {
        let mut any = false;
        for ctx in &self.communities {
            if !self.engage.fold_due(ctx.id, pass) {
                continue;
            }
            let (n, order) = match pass {
                Pass::Everything => (FLUSH_SLICE, Order::ByMember),
                Pass::Quiet | Pass::Busy => (SLICE, Order::OldestFirst),
            };
            match self.fold_slice(ctx, n, order).await {
                Ok(folded) => any |= folded,
                Err(e) => {
                    tracing::error!(community = %ctx.slug(), error = %e, "owed points not folded; will retry");
                }
            }
        }
        any
    }

    async fn fold_slice(&self, ctx: &CommunityCtx, n: usize, order: Order) -> CoreResult<bool> {
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
        let taken = self.engage.next_slice(ctx.id, n, order);
        if taken.is_empty() {
            return Ok(false);
        }
        let keys = Keys::of(&ctx.config, self.engage.now());
        let done = async {
            fold_unread(&txn, ctx.id, &taken, &keys).await?;
            prune(&txn, ctx.id, self.engage.oldest_owed(ctx.id)).await?;
            txn.commit().await?;
            CoreResult::Ok(())
        }
        .await;
        // The boards already show these points; only a failure changes
        // anything, by making them owed again.
        if let Err(e) = done {
            self.engage.put_back(ctx.id, taken);
            return Err(e);
        }
        Ok(true)
    }

    /// A batch on SQLite: ledger rows and a backlog row now; score rows now
    /// only for members reaching a level or badge, later for the rest. The
    /// caller holds the gate until this returns, so the owed book and the
    /// database move together.
    pub(crate) async fn write_deferred(
        &self,
        ctx: &CommunityCtx,
        batch: &[Pending],
        txn: DatabaseTransaction,
        keys: &Keys,
        now: i64,
    ) -> CoreResult<()> {
        let mut postings = self.postings(&txn, ctx, batch).await?;
        // In member order, each ledger index page takes all of the batch's
        // entries for it at once instead of being visited again and again.
        postings.sort_by_key(|p| p.member_id);
        append(&txn, ctx.id, &postings).await?;
        let mut owed: BTreeMap<i64, Owed> = BTreeMap::new();
        for p in &postings {
            owed.entry(p.member_id)
                .or_insert_with(|| Owed::new(0))
                .add_points(periods(keys), p.delta);
        }
        for ((m, day), c) in per_day(batch) {
            owed.entry(m).or_insert_with(|| Owed::new(0)).add_counts(day, c);
        }
        let crossing = self.engage.reaching(ctx, &owed);
        let earlier = self.engage.take(ctx.id, &crossing);
        let mut now_due: Vec<(i64, Owed)> = earlier.clone();
        for m in &crossing {
            let Some(o) = owed.remove(m) else { continue };
            match now_due.iter_mut().find(|(id, _)| id == m) {
                Some((_, e)) => e.absorb(o),
                None => now_due.push((*m, o)),
            }
        }
        let done = async {
            let rows = if now_due.is_empty() {
                Vec::new()
            } else {
                fold(&txn, ctx, &now_due, keys, now).await?
            };
            let batch_id = if owed.is_empty() {
                None
            } else {
                Some(record(&txn, ctx.id, keys, &owed).await?)
            };
            txn.commit().await?;
            CoreResult::Ok((rows, batch_id))
        }
        .await;
        let (rows, batch_id) = match done {
            Ok(x) => x,
            Err(e) => {
                self.engage.put_back(ctx.id, earlier);
                return Err(e);
            }
        };
        self.committed(batch);
        // Before owe(): the rows hold none of what this batch leaves owed,
        // and applying them later would put the whole queue on the boards
        // here, on the writer's thread.
        self.engage.apply(ctx.id, &rows, keys);
        if batch_id.is_some_and(|b| self.engage.owe(ctx.id, owed, b, keys)) {
            // Tens of milliseconds for a full batch, on another thread
            // while this one gathers the next.
            let (engage, id) = (self.engage.clone(), ctx.id);
            tokio::task::spawn_blocking(move || engage.catch_up(id));
        }
        self.wake.notify_one();
        Ok(())
    }
}
