//! Group commit for activity: events the rules accepted are gathered for at
//! most the community's `flush_ms` (or until a batch is full) and written in
//! one transaction, then the in-memory boards take the committed amounts.
//! What that transaction writes is the strategy's: `direct.rs` on
//! PostgreSQL, `deferred.rs` (with its folds between batches) on SQLite.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use tokio::sync::{Notify, mpsc, oneshot};

use super::Strategy;
use super::owed::Pass;
use crate::domain::EntitlementStatus;
use crate::engage::Engagement;
use crate::engage::rules::SourceKind;
use crate::entity::{activity_day, entitlement};
use crate::error::CoreResult;
use crate::periods::Keys;
use crate::store::access::tiers_of;
use crate::store::chunked::rows_in;
use crate::store::scores::{Posting, excluded};
use crate::store::seen::first_seen;
use crate::store::sync::CommunityCtx;

/// Most events in one transaction.
pub const BATCH: usize = 5_000;
/// Most members folded in one transaction while events may arrive: small
/// enough that they wait only a little longer.
pub(crate) const SLICE: usize = 250;
/// Most members folded in one transaction when everything must be folded
/// now: the caller waits for all of it, so fewer commits and backlog
/// prunes finish sooner.
pub(crate) const FLUSH_SLICE: usize = 5_000;
/// How long owed amounts wait before a pass folds them, so a member's many
/// events share one row write.
pub(crate) const FOLD_AFTER: Duration = Duration::from_secs(5);
/// Folds run even while events wait once this many members are owed.
pub(crate) const MOST_OWED: usize = 200_000;
/// How often an idle writer folds while anything is owed.
const IDLE_FOLD: Duration = Duration::from_millis(100);

/// One accepted (or merely counted) piece of activity.
#[derive(Clone, Debug)]
pub struct Pending {
    pub community_id: i64,
    pub member_id: i64,
    pub at: i64,
    pub counts: Counts,
    /// Points before the tier multiplier, and why.
    pub award: Option<(SourceKind, i64, String)>,
    /// The platform update that brought it, when the platform may deliver
    /// that update again.
    pub update: Option<String>,
    pub queued: Instant,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub messages: i32,
    pub given: i32,
    pub received: i32,
}

pub enum Msg {
    Event(Pending),
    /// Answered once everything sent before it is committed.
    Flush(oneshot::Sender<()>),
    /// Answered once that is so and nothing is owed.
    Fold(oneshot::Sender<()>),
}

pub struct Writer {
    pub db: DatabaseConnection,
    pub communities: Vec<CommunityCtx>,
    pub engage: Arc<Engagement>,
    pub wake: Arc<Notify>,
}

impl Writer {
    fn max_wait(&self) -> Duration {
        let ms = self
            .communities
            .iter()
            .map(|c| c.config.points.flush_ms)
            .min()
            .unwrap_or(50);
        Duration::from_millis(ms)
    }

    pub async fn run(self, mut rx: mpsc::Receiver<Msg>) {
        let max_wait = self.max_wait();
        loop {
            let first = if self.engage.owes_any() {
                match tokio::time::timeout(IDLE_FOLD, rx.recv()).await {
                    Ok(Some(msg)) => msg,
                    Ok(None) => break,
                    Err(_) => {
                        self.fold_due(Pass::Quiet).await;
                        continue;
                    }
                }
            } else {
                match rx.recv().await {
                    Some(msg) => msg,
                    None => break,
                }
            };
            let mut events = Vec::new();
            let mut waiters = Vec::new();
            let mut fold_all = false;
            let deadline = match &first {
                Msg::Event(p) => p.queued + max_wait,
                Msg::Flush(_) | Msg::Fold(_) => Instant::now(),
            };
            let mut queued = vec![first];
            loop {
                for msg in queued.drain(..) {
                    match msg {
                        Msg::Event(p) => events.push(p),
                        Msg::Flush(done) => waiters.push(done),
                        Msg::Fold(done) => {
                            waiters.push(done);
                            fold_all = true;
                        }
                    }
                }
                // Events taken after a flush are committed with those before
                // it: its answer still waits for all of them.
                if !waiters.is_empty() || events.len() >= BATCH {
                    break;
                }
                match take_queued(&mut rx, &mut queued, BATCH - events.len()) {
                    Taken::Some => {}
                    Taken::Empty if Instant::now() < deadline => {
                        // Sleeping out the window, rather than waiting on the
                        // queue, spares a thread wake-up for every event.
                        tokio::time::sleep_until(deadline.into()).await;
                    }
                    Taken::Empty | Taken::Closed => break,
                }
            }
            self.write_all(events).await;
            if fold_all {
                while self.fold_due(Pass::Everything).await {}
            } else {
                self.fold_due(if rx.is_empty() { Pass::Quiet } else { Pass::Busy })
                    .await;
            }
            for w in waiters {
                let _ = w.send(());
            }
        }
    }

    /// Writes the batch, retrying while the database is unavailable: these
    /// points exist nowhere else.
    async fn write_all(&self, events: Vec<Pending>) {
        if events.is_empty() {
            return;
        }
        let mut by_community: BTreeMap<i64, Vec<Pending>> = BTreeMap::new();
        for e in events {
            by_community.entry(e.community_id).or_default().push(e);
        }
        for (community_id, batch) in by_community {
            let Some(ctx) = self.communities.iter().find(|c| c.id == community_id) else {
                continue;
            };
            let mut delay = Duration::from_millis(50);
            let mut attempts = 0;
            loop {
                match self.write(ctx, &batch).await {
                    Ok(()) => break,
                    Err(e) => {
                        attempts += 1;
                        tracing::error!(community = %ctx.slug(), events = batch.len(), error = %e, "activity batch not written; retrying");
                        if attempts >= 3 && self.write_one_by_one(ctx, &batch).await {
                            break;
                        }
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(5));
                    }
                }
            }
        }
    }

    /// A batch that keeps failing may hold an event that can never be
    /// written (its member was merged away). Written one at a time, the
    /// others go in. If none can and the database does not answer, it is
    /// down, and the batch is kept for the next try. Returns whether the
    /// batch is done with.
    async fn write_one_by_one(&self, ctx: &CommunityCtx, batch: &[Pending]) -> bool {
        let mut failed = Vec::new();
        for p in batch {
            if let Err(e) = self.write(ctx, std::slice::from_ref(p)).await {
                failed.push((p, e));
            }
        }
        if failed.len() == batch.len() && self.db.execute_unprepared("SELECT 1").await.is_err() {
            return false;
        }
        for (p, e) in failed {
            tracing::error!(community = %ctx.slug(), member = p.member_id, error = %e, "activity event cannot be written; dropped");
        }
        true
    }

    async fn write(&self, ctx: &CommunityCtx, batch: &[Pending]) -> CoreResult<()> {
        let now = batch.iter().map(|p| p.at).max().unwrap_or_default();
        let keys = Keys::of(&ctx.config, now);
        // On SQLite the turn at the gate is held until the strategy returns.
        let (_turn, txn) = self.engage.begin_write(&self.db).await?;
        let fresh = first_deliveries(&txn, batch, now).await?;
        let batch: &[Pending] = fresh.as_deref().unwrap_or(batch);
        match self.engage.strategy() {
            Strategy::Deferred(_) => self.write_deferred(ctx, batch, txn, &keys, now).await,
            Strategy::Direct => self.write_direct(ctx, batch, txn, &keys, now).await,
        }
    }

    pub(crate) fn committed(&self, batch: &[Pending]) {
        let committed = Instant::now();
        self.engage.latency.record(
            batch
                .iter()
                .map(|p| committed.saturating_duration_since(p.queued)),
        );
    }

    /// The batch's awards as ledger rows, tier multipliers applied.
    pub(crate) async fn postings(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        ctx: &CommunityCtx,
        batch: &[Pending],
    ) -> CoreResult<Vec<Posting>> {
        let tiers = if ctx.config.points.multipliers.is_empty() {
            HashMap::new()
        } else {
            tiers_of_members(txn, ctx.id, batch.iter().map(|p| p.member_id)).await?
        };
        let postings: Vec<Posting> = batch
            .iter()
            .filter_map(|p| {
                let (source, points, why) = p.award.as_ref()?;
                let tier = tiers.get(&p.member_id).map(String::as_str);
                let (points, why) = multiplied(ctx, tier, *points, why);
                Some(Posting {
                    member_id: p.member_id,
                    delta: points,
                    source: (*source).into(),
                    reason: why,
                    actor: None,
                    at: p.at,
                })
            })
            .collect();
        Ok(postings)
    }
}

/// The batch without activity whose update was already taken in (a
/// redelivery after a crash, or a copy in this very batch), its updates
/// recorded in `txn`; `None` when the batch names no update.
async fn first_deliveries(
    txn: &sea_orm::DatabaseTransaction,
    batch: &[Pending],
    now: i64,
) -> CoreResult<Option<Vec<Pending>>> {
    let keys: Vec<&str> = batch.iter().filter_map(|p| p.update.as_deref()).collect();
    if keys.is_empty() {
        return Ok(None);
    }
    let mut fresh = first_seen(txn, &keys, now).await?;
    let kept: Vec<Pending> = batch
        .iter()
        .filter(|p| p.update.as_ref().is_none_or(|k| fresh.remove(k)))
        .cloned()
        .collect();
    if kept.len() < batch.len() {
        tracing::info!(
            dropped = batch.len() - kept.len(),
            "activity from updates already taken in was not counted again"
        );
    }
    Ok(Some(kept))
}

enum Taken {
    Some,
    Empty,
    Closed,
}

/// Moves up to `n` queued messages into `into` without waiting. Taking them
/// together frees their places in the queue at once: taken one by one, each
/// would wake a sender blocked on the full queue, and at full load the
/// writer and the senders would switch threads for every event.
fn take_queued(rx: &mut mpsc::Receiver<Msg>, into: &mut Vec<Msg>, n: usize) -> Taken {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match rx.poll_recv_many(&mut cx, into, n) {
        std::task::Poll::Ready(0) => Taken::Closed,
        std::task::Poll::Ready(_) => Taken::Some,
        std::task::Poll::Pending => Taken::Empty,
    }
}

/// The tier multiplier applied to `points`, and the explanation extended.
pub(crate) fn multiplied(ctx: &CommunityCtx, tier: Option<&str>, points: i64, why: &str) -> (i64, String) {
    match tier.and_then(|t| ctx.config.points.multipliers.get(t).map(|p| (t, *p))) {
        Some((t, percent)) if percent != 100 => {
            let total = points * i64::from(percent) / 100;
            (total, format!("{why} × {percent}% ({t}) = {total}"))
        }
        _ => (points, why.to_owned()),
    }
}

/// The batch's messages and reactions per member and (UTC) day.
pub(crate) fn per_day(batch: &[Pending]) -> BTreeMap<(i64, i32), Counts> {
    let mut per: BTreeMap<(i64, i32), Counts> = BTreeMap::new();
    for p in batch {
        let day = i32::try_from(p.at.div_euclid(86_400)).unwrap_or(i32::MAX);
        let c = per.entry((p.member_id, day)).or_default();
        c.messages += p.counts.messages;
        c.given += p.counts.given;
        c.received += p.counts.received;
    }
    per
}

/// Adds messages and reactions to each member's row for the day, one
/// upsert per member and day.
pub(crate) async fn add_counts<C: sea_orm::ConnectionTrait>(
    conn: &C,
    per: &BTreeMap<(i64, i32), Counts>,
) -> CoreResult<()> {
    let rows: Vec<activity_day::ActiveModel> = per
        .iter()
        .map(|(k, c)| (*k, *c))
        .filter(|(_, c)| *c != Counts::default())
        .map(|((member_id, day), c)| activity_day::ActiveModel {
            member_id: Set(member_id),
            day: Set(day),
            messages: Set(c.messages),
            reactions_given: Set(c.given),
            reactions_received: Set(c.received),
            ..Default::default()
        })
        .collect();
    use activity_day::Column as A;
    let add = |col: A| (col, Expr::col((activity_day::Entity, col)).add(excluded(col)));
    for chunk in rows.chunks(1_000) {
        activity_day::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([A::MemberId, A::Day])
                    .values([
                        add(A::Messages),
                        add(A::ReactionsGiven),
                        add(A::ReactionsReceived),
                    ])
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// The tier key of each member whose entitlement grants access now.
pub(crate) async fn tiers_of_members<C: sea_orm::ConnectionTrait>(
    conn: &C,
    community_id: i64,
    members: impl Iterator<Item = i64>,
) -> CoreResult<HashMap<i64, String>> {
    let ids: Vec<i64> = members
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = HashMap::new();
    let tiers: HashMap<i64, String> = tiers_of(conn, community_id)
        .await?
        .into_iter()
        .map(|t| (t.id, t.key))
        .collect();
    let live =
        entitlement::Entity::find().filter(entitlement::Column::Status.is_in(EntitlementStatus::granting()));
    for e in rows_in(conn, live, entitlement::Column::MemberId, &ids).await? {
        if let Some(key) = e.tier_id.and_then(|t| tiers.get(&t)) {
            out.insert(e.member_id, key.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::periods::tests::community;

    fn ctx(multipliers: &[(&str, u32)]) -> CommunityCtx {
        let mut config = community("UTC");
        config.points.multipliers = multipliers.iter().map(|(t, p)| ((*t).to_owned(), *p)).collect();
        CommunityCtx { id: 1, config }
    }

    #[test]
    fn tier_multipliers_scale_points_and_say_so() {
        let c = ctx(&[("pro", 150), ("basic", 100)]);
        assert_eq!(
            multiplied(&c, Some("pro"), 5, "message 5"),
            (7, "message 5 × 150% (pro) = 7".to_owned())
        );
        assert_eq!(
            multiplied(&c, Some("basic"), 5, "message 5"),
            (5, "message 5".to_owned())
        );
        assert_eq!(multiplied(&c, None, 5, "message 5"), (5, "message 5".to_owned()));
        assert_eq!(
            multiplied(&c, Some("vip"), 5, "x").0,
            5,
            "tiers without a multiplier pay as usual"
        );
    }
}
