//! Engagement: points rules, levels, badges, check-ins and leaderboards.
//! The rules and boards live in memory for speed; every point is still a
//! ledger row, committed in small groups by the writer task.

pub mod admin;
pub mod boards;
pub mod rules;
pub mod writing;

use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::sync::{Notify, mpsc, oneshot};

use self::boards::bulk;
use self::boards::standings::{Loader, Place, Standings, Totals};
use self::rules::Rules;
use self::rules::{settle, tallies};
use self::writing::Strategy;
use self::writing::gate::{Caller, Turn};
use self::writing::owed::{Book, Order, Owed, Pass};
use self::writing::writer::{FOLD_AFTER, MOST_OWED, Msg, Pending, Writer};
use self::writing::{fold, follow, latency, owed, writer};
use crate::clock::Clock;
use crate::entity::score;
use crate::error::CoreResult;
use crate::periods::{Board, Keys};
use crate::store::sync::CommunityCtx;

/// Events waiting for the writer before senders wait for room. One full
/// batch: the writer takes it whole while committing nothing else, so a
/// longer queue only adds to how long each event waits for its commit
/// under a flood (20,000 made it about 340 ms at the median, 5,000 about
/// 130 ms, at the same rate).
const QUEUE: usize = writer::BATCH;
/// Members moved on the boards per hold of their lock while catching up:
/// a full batch's worth, about 10 ms, since a board's moves cost less
/// the more of them land on each of its blocks at once.
const CATCH_UP_SLICE: usize = writer::BATCH;

/// One community's rules and boards.
pub struct Live {
    pub rules: Rules,
    standings: RwLock<Standings>,
    /// Taken before `standings` where both are held.
    owed: Mutex<Book>,
}

pub struct Engagement {
    clock: Arc<dyn Clock>,
    live: HashMap<i64, Live>,
    /// (community id, identity) → member id, for activity from known members.
    members: Mutex<HashMap<(i64, String), i64>>,
    tx: mpsc::Sender<Msg>,
    /// How batches write: deferred behind a gate (SQLite) or direct
    /// (PostgreSQL, where several processes may write).
    strategy: Strategy,
    /// Event-to-commit waits of accepted activity.
    pub latency: latency::Latency,
}

impl Engagement {
    /// Loads every community's boards and today's rule tallies, and starts
    /// the writer.
    pub async fn start(
        db: &DatabaseConnection,
        communities: &[CommunityCtx],
        clock: Arc<dyn Clock>,
        wake: Arc<Notify>,
    ) -> CoreResult<Arc<Engagement>> {
        let now = clock.now();
        let listener = follow::listen(db).await?;
        let mut live = HashMap::new();
        for ctx in communities {
            let keys = Keys::of(&ctx.config, now);
            let rules = Rules::new(&ctx.config, clock.clone());
            tallies::restore(db, ctx, &rules, &keys, now).await?;
            let mut standings = load_standings(db, ctx.id, &keys).await?;
            let book = fold::restore(db, ctx.id).await?;
            let bumps = book
                .iter()
                .flat_map(|(m, o)| o.points.iter().map(|&(p, n)| (*m, p, n)))
                .collect();
            standings.defer(keys, bumps);
            standings.catch_up();
            live.insert(
                ctx.id,
                Live {
                    rules,
                    standings: RwLock::new(standings),
                    owed: Mutex::new(book),
                },
            );
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        let writes = crate::store::own::own_connection(db);
        let strategy = Strategy::for_database(db, writes.clone());
        let engage = Arc::new(Engagement {
            clock,
            live,
            members: Mutex::new(HashMap::new()),
            tx,
            strategy,
            latency: latency::Latency::default(),
        });
        let writer = Writer {
            db: writes,
            communities: communities.to_vec(),
            engage: engage.clone(),
            wake,
        };
        tokio::spawn(writer.run(rx));
        if let Some(listener) = listener {
            tokio::spawn(follow::follow(
                engage.clone(),
                db.clone(),
                communities.to_vec(),
                listener,
            ));
        }
        Ok(engage)
    }

    pub fn live(&self, community_id: i64) -> Option<&Live> {
        self.live.get(&community_id)
    }

    /// Begins a transaction that will write, behind the gate on SQLite
    /// (see `engage::writing::gate`).
    pub async fn begin_write(
        &self,
        db: &DatabaseConnection,
    ) -> CoreResult<(Option<Turn<'_>>, DatabaseTransaction)> {
        self.begin_as(db, Caller::Other).await
    }

    /// Like [`Engagement::begin_write`], for a webhook's store: it has the
    /// gate before any other writer still waiting.
    pub(crate) async fn begin_store(
        &self,
        db: &DatabaseConnection,
    ) -> CoreResult<(Option<Turn<'_>>, DatabaseTransaction)> {
        self.begin_as(db, Caller::Store).await
    }

    async fn begin_as(
        &self,
        db: &DatabaseConnection,
        who: Caller,
    ) -> CoreResult<(Option<Turn<'_>>, DatabaseTransaction)> {
        let Some(gate) = self.strategy.gate() else {
            return Ok((None, db.begin().await?));
        };
        let (turn, txn) = gate.begin(db, who).await?;
        Ok((Some(turn), txn))
    }

    pub(crate) fn cached_member(&self, community_id: i64, identity: &str) -> Option<i64> {
        self.members
            .lock()
            .get(&(community_id, identity.to_owned()))
            .copied()
    }

    pub(crate) fn remember_member(&self, community_id: i64, identity: &str, member_id: i64) {
        self.members
            .lock()
            .insert((community_id, identity.to_owned()), member_id);
    }

    /// Linking accounts merges members; cached ids may name a merged one.
    pub(crate) fn forget_members(&self) {
        self.members.lock().clear();
    }

    /// Hands an event to the writer, waiting while its queue is full so a
    /// flood slows the sender down instead of losing points. False only if
    /// the writer has stopped.
    pub(crate) async fn submit(&self, p: Pending) -> bool {
        self.tx.send(Msg::Event(p)).await.is_ok()
    }

    /// Waits until every event submitted before this call is committed.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Waits until every event submitted before this call is committed and
    /// folded into its score row.
    pub async fn fold_everything(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Fold(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Takes committed score rows into the boards, with what their members
    /// are still owed on top.
    pub(crate) fn apply(&self, community_id: i64, rows: &[score::Model], keys: &Keys) {
        let Some(live) = self.live.get(&community_id).filter(|_| !rows.is_empty()) else {
            return;
        };
        let book = live.owed.lock();
        {
            let mut s = live.standings.write();
            for row in rows {
                match book.get(row.member_id) {
                    Some(o) => s.apply(&owed::applied(row, o), keys),
                    None => s.apply(row, keys),
                }
            }
        }
    }

    /// Finishes a transaction that folded `taken`: if it committed, the
    /// boards take the folded rows; if not, the amounts are owed again.
    pub(crate) fn after_fold<T>(
        &self,
        community_id: i64,
        taken: Vec<(i64, Owed)>,
        done: CoreResult<(T, Vec<score::Model>)>,
        keys: &Keys,
    ) -> CoreResult<T> {
        match done {
            Ok((out, rows)) => {
                self.apply(community_id, &rows, keys);
                Ok(out)
            }
            Err(e) => {
                self.put_back(community_id, taken);
                Err(e)
            }
        }
    }

    pub(crate) fn strategy(&self) -> &Strategy {
        &self.strategy
    }

    /// Whether points may sit owed, outside score rows (SQLite).
    pub(crate) fn leaves_owed(&self) -> bool {
        self.strategy.leaves_owed()
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }

    fn book(&self, community_id: i64) -> Option<parking_lot::MutexGuard<'_, Book>> {
        Some(self.live.get(&community_id)?.owed.lock())
    }

    pub(crate) fn owes_any(&self) -> bool {
        self.live.values().any(|l| !l.owed.lock().is_empty())
    }

    /// Whether to fold a slice now: always when asked for everything, or
    /// when too many members are owed (memory); otherwise only when due and
    /// no events are waiting, so a fold never holds back a batch.
    pub(crate) fn fold_due(&self, community_id: i64, pass: Pass) -> bool {
        self.book(community_id).is_some_and(|b| {
            !b.is_empty()
                && match pass {
                    Pass::Everything => true,
                    Pass::Quiet => b.len() >= MOST_OWED || b.due(FOLD_AFTER),
                    Pass::Busy => b.len() >= MOST_OWED,
                }
        })
    }

    pub(crate) fn next_slice(&self, community_id: i64, n: usize, order: Order) -> Vec<(i64, Owed)> {
        self.book(community_id)
            .map(|mut b| b.next_slice(n, order))
            .unwrap_or_default()
    }

    /// Whether points of this member's are still to be folded into their
    /// score row.
    pub(crate) fn owes(&self, community_id: i64, member_id: i64) -> bool {
        self.book(community_id)
            .is_some_and(|b| b.get(member_id).is_some())
    }

    /// Removes what these members are owed, to fold it in now.
    pub(crate) fn take(&self, community_id: i64, members: &[i64]) -> Vec<(i64, Owed)> {
        self.book(community_id)
            .map(|mut b| b.take(members))
            .unwrap_or_default()
    }

    /// Everything owed in the community, to fold it in now.
    pub(crate) fn take_all(&self, community_id: i64) -> Vec<(i64, Owed)> {
        self.book(community_id)
            .map(|mut b| b.take_all())
            .unwrap_or_default()
    }

    pub(crate) fn put_back(&self, community_id: i64, taken: Vec<(i64, Owed)>) {
        if let Some(mut b) = self.book(community_id) {
            b.put_back(taken);
        }
    }

    pub(crate) fn oldest_owed(&self, community_id: i64) -> Option<i64> {
        self.book(community_id).and_then(|b| b.oldest_batch())
    }

    /// Records amounts committed in backlog row `batch` as owed, and adds
    /// them to the members' points under the same lock, so `apply` sees both
    /// or neither. Returns whether the boards have places to catch up on.
    pub(crate) fn owe(&self, community_id: i64, owed: BTreeMap<i64, Owed>, batch: i64, keys: &Keys) -> bool {
        let (Some(live), Some(mut book)) = (self.live.get(&community_id), self.book(community_id)) else {
            return false;
        };
        let mut bumps = Vec::with_capacity(owed.len());
        for (m, mut o) in owed {
            bumps.extend(o.points.iter().map(|&(p, n)| (m, p, n)));
            o.first = batch;
            o.last = batch;
            book.add(m, o);
        }
        let mut s = live.standings.write();
        s.defer(*keys, bumps);
        s.is_behind()
    }

    /// Moves members whose points changed to their places on the boards
    /// (off the writer's thread; any reader would do it first anyway).
    pub(crate) fn catch_up(&self, community_id: i64) {
        let Some(live) = self.live.get(&community_id) else {
            return;
        };
        let mut s = live.standings.write();
        while s.catch_up_some(CATCH_UP_SLICE) {
            // Lets a waiting reader in, such as the writer judging level-ups:
            // it would otherwise wait for the whole catch-up.
            RwLockWriteGuard::bump(&mut s);
        }
    }

    /// The members whose owed points take them to a new level or a points
    /// or level badge, judged by the boards' lifetime totals (owed
    /// included): what settle() would act on.
    pub(crate) fn reaching(&self, ctx: &CommunityCtx, owed: &BTreeMap<i64, Owed>) -> Vec<i64> {
        // Lifetime totals are current before the boards catch up, and no
        // period reset touches them.
        let Some(s) = self.live.get(&ctx.id).map(|l| l.standings.read()) else {
            return Vec::new();
        };
        owed.iter()
            .filter(|(m, o)| {
                let (before, n) = (s.held(**m, Board::AllTime), o.earned());
                n != 0 && settle::reaches(&ctx.config, before, before.saturating_add(n))
            })
            .map(|(m, _)| *m)
            .collect()
    }

    /// Re-reads members' rows after a change made outside the writer (a
    /// command, a payment, a merge); members without a row leave the boards.
    pub async fn refresh<C: ConnectionTrait>(
        &self,
        conn: &C,
        ctx: &CommunityCtx,
        member_ids: &[i64],
    ) -> CoreResult<()> {
        if member_ids.is_empty() {
            return Ok(());
        }
        let rows = crate::store::scores::scores_of(conn, member_ids).await?;
        let keys = Keys::of(&ctx.config, self.clock.now());
        let Some(live) = self.live.get(&ctx.id) else {
            return Ok(());
        };
        let gone: Vec<i64> = {
            let book = self.book(ctx.id);
            member_ids
                .iter()
                .filter(|id| !rows.iter().any(|r| r.member_id == **id))
                .filter(|id| book.as_ref().is_none_or(|b| b.get(**id).is_none()))
                .copied()
                .collect()
        };
        self.apply(ctx.id, &rows, &keys);
        if !gone.is_empty() {
            // A member leaving takes their lagging places along; the rest
            // of the boards catch up when next looked at.
            let mut s = live.standings.write();
            for id in gone {
                s.forget(id);
            }
        }
        Ok(())
    }

    /// The community's boards for reading, moved on to the current periods
    /// first if a week, month or season has ended since the last look, and
    /// caught up with queued amounts.
    fn read(&self, ctx: &CommunityCtx) -> Option<RwLockReadGuard<'_, Standings>> {
        let live = self.live.get(&ctx.id)?;
        let keys = Keys::of(&ctx.config, self.clock.now());
        {
            let s = live.standings.read();
            if s.is_current(&keys) && !s.is_behind() {
                return Some(s);
            }
        }
        {
            let mut s = live.standings.write();
            s.roll(&keys);
            s.catch_up();
        }
        Some(live.standings.read())
    }

    pub fn place(&self, ctx: &CommunityCtx, board: Board, member_id: i64) -> Option<Place> {
        self.read(ctx)?.place(board, member_id)
    }

    /// One page of a board (from `offset`, 0-based) and how many are on it.
    pub fn page(
        &self,
        ctx: &CommunityCtx,
        board: Board,
        offset: usize,
        n: usize,
    ) -> (Vec<(i64, i64)>, usize) {
        match self.read(ctx) {
            Some(s) => (s.page(board, offset, n), s.len(board)),
            None => (Vec::new(), 0),
        }
    }
}

/// Reads the community's score rows page by page (keyset on member id),
/// only the columns the boards need and in bulk, so a million members
/// never sit in memory as full rows. A task reads the next page while the
/// last one is put on the boards, and the four boards are sorted and built
/// side by side: with a million members this is most of the time before
/// the bot listens.
async fn load_standings(db: &DatabaseConnection, community_id: i64, keys: &Keys) -> CoreResult<Standings> {
    let started = std::time::Instant::now();
    let (tx, mut pages) = mpsc::channel::<Vec<Totals>>(2);
    let reader = tokio::spawn(bulk::read(db.clone(), community_id, tx));
    let mut loader = Loader::new(keys);
    while let Some(page) = pages.recv().await {
        for r in &page {
            loader.add(r);
        }
    }
    reader
        .await
        .map_err(|e| crate::error::CoreError::Corrupt(format!("loading the boards stopped: {e}")))??;
    let read_ms = started.elapsed().as_millis();
    let members = loader.len();
    let standings = tokio::task::spawn_blocking(move || loader.finish())
        .await
        .map_err(|e| crate::error::CoreError::Corrupt(format!("building the boards stopped: {e}")))?;
    tracing::info!(
        community_id,
        members,
        read_ms,
        total_ms = started.elapsed().as_millis(),
        "leaderboards loaded"
    );
    Ok(standings)
}
