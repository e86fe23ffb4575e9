//! SQLite's writers, one at a time, on one connection.
//!
//! SQLite drops a connection's page cache when another connection has
//! written since, so writes spread over the pool each started from a cold
//! cache and read the big indexes' pages again; on one connection each
//! write finds the last one's pages.
//!
//! Webhook stores go first. A provider that waits long for its answer
//! times out and sends again, and a store that queued behind an apply of
//! the inbox (which the store itself had just woken) waited for all of it;
//! in the load harness that was most of a webhook's time at 500/s. Other
//! writers hold back while a store waits, so a store waits only for the
//! write that has the turn. A writer held back for [`PATIENCE`] stops
//! holding back, so a long run of webhooks slows the rest down but never
//! stops them.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::CoreResult;

/// How long a writer lets stores go first before it claims the next turn.
const PATIENCE: Duration = Duration::from_millis(100);

pub(crate) struct Gate {
    state: parking_lot::Mutex<State>,
    /// Told whenever the turn is given back or a count below goes to zero.
    freed: Notify,
    conn: DatabaseConnection,
}

#[derive(Default)]
struct State {
    held: bool,
    /// Stores waiting for the turn.
    stores: usize,
    /// Other writers that have waited past their patience.
    overdue: usize,
}

/// Who is asking for the turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// A webhook's store, with the provider waiting for the answer.
    Store,
    /// Anything else.
    Other,
}

/// The turn to write; given back when dropped.
pub struct Turn<'a>(&'a Gate);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.lock().held = false;
        self.0.freed.notify_waiters();
    }
}

/// One count of waiters, held until its writer has the turn or gives up
/// waiting (its caller went away).
struct Counted<'a> {
    gate: &'a Gate,
    count: fn(&mut State) -> &mut usize,
}

impl<'a> Counted<'a> {
    fn new(gate: &'a Gate, count: fn(&mut State) -> &mut usize) -> Counted<'a> {
        *count(&mut gate.lock()) += 1;
        Counted { gate, count }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        let n = (self.count)(&mut state);
        *n = n.saturating_sub(1);
        let last = *n == 0;
        drop(state);
        if last {
            self.gate.freed.notify_waiters();
        }
    }
}

impl Gate {
    pub(crate) fn new(conn: DatabaseConnection) -> Gate {
        Gate {
            state: parking_lot::Mutex::new(State::default()),
            freed: Notify::new(),
            conn,
        }
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, State> {
        self.state.lock()
    }

    async fn turn(&self, who: Caller) -> Turn<'_> {
        let _store = (who == Caller::Store).then(|| Counted::new(self, |s| &mut s.stores));
        let mut overdue = None;
        let due = Instant::now() + PATIENCE;
        loop {
            // Listening before looking, so a turn given back in between
            // still wakes this one.
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut state = self.lock();
                let mine = match who {
                    Caller::Store => state.overdue == 0,
                    Caller::Other => state.stores == 0 || overdue.is_some(),
                };
                if !state.held && mine {
                    state.held = true;
                    return Turn(self);
                }
            }
            if overdue.is_some() || who == Caller::Store {
                freed.await;
            } else if tokio::time::timeout_at(due, freed).await.is_err() {
                overdue = Some(Counted::new(self, |s| &mut s.overdue));
            }
        }
    }

    /// Waits for the turn, then begins a transaction on the gate's
    /// connection whose first statement is a write that changes nothing, so
    /// it holds SQLite's write lock from the start: a read inside it can
    /// never go stale under another connection's commit
    /// (SQLITE_BUSY_SNAPSHOT, which no busy timeout retries).
    pub(crate) async fn begin(
        &self,
        db: &DatabaseConnection,
        who: Caller,
    ) -> CoreResult<(Turn<'_>, DatabaseTransaction)> {
        let turn = self.turn(who).await;
        // The gate's connection lives apart from the pool: once the pool is
        // closed the database is being shut, and it must not outlast it.
        if db.get_sqlite_connection_pool().is_closed() {
            return Err(sea_orm::DbErr::Custom("the database is closed".into()).into());
        }
        let txn = self.conn.begin().await?;
        txn.execute_unprepared("UPDATE communities SET id = id WHERE 0 = 1")
            .await?;
        Ok((turn, txn))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use parking_lot::Mutex;
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::time::Instant;

    use super::{Caller, Gate, PATIENCE};

    fn gate() -> Arc<Gate> {
        Arc::new(Gate::new(sea_orm::DatabaseConnection::default()))
    }

    /// Takes a turn, notes it and holds it for `hold`.
    fn writer(
        gate: &Arc<Gate>,
        who: Caller,
        name: &'static str,
        hold: Duration,
        seen: &Arc<Mutex<Vec<&'static str>>>,
    ) -> tokio::task::JoinHandle<()> {
        let (gate, seen) = (gate.clone(), seen.clone());
        tokio::spawn(async move {
            let _turn = gate.turn(who).await;
            seen.lock().push(name);
            tokio::time::sleep(hold).await;
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_goes_before_writers_that_waited_longer() {
        let (gate, seen) = (gate(), Arc::new(Mutex::new(Vec::new())));
        let held = gate.turn(Caller::Other).await;
        let ms = Duration::from_millis;
        let mut tasks = vec![writer(&gate, Caller::Other, "apply", ms(1), &seen)];
        tokio::time::sleep(ms(5)).await;
        tasks.push(writer(&gate, Caller::Other, "activity", ms(1), &seen));
        tokio::time::sleep(ms(5)).await;
        tasks.push(writer(&gate, Caller::Store, "store", ms(1), &seen));
        tokio::time::sleep(ms(5)).await;
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        let seen = seen.lock().clone();
        assert_eq!(seen.first(), Some(&"store"), "{seen:?}");
        assert_eq!(seen.len(), 3, "{seen:?}");
    }

    /// Stores one after another without a gap: a writer still has its turn
    /// once its patience is over, and not before.
    #[tokio::test(start_paused = true)]
    async fn a_writer_waits_for_stores_no_longer_than_its_patience() {
        let (gate, seen) = (gate(), Arc::new(Mutex::new(Vec::new())));
        let stores: Vec<_> = (0..2)
            .map(|_| {
                let gate = gate.clone();
                tokio::spawn(async move {
                    loop {
                        let _turn = gate.turn(Caller::Store).await;
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(3)).await;
        let asked = Instant::now();
        let apply = writer(&gate, Caller::Other, "apply", Duration::ZERO, &seen);
        let had_turn = tokio::time::timeout(PATIENCE * 10, apply).await.is_ok();
        let waited = asked.elapsed();
        for s in stores {
            s.abort();
        }
        assert!(had_turn, "held back by stores for good");
        assert!(waited >= PATIENCE, "went before the stores after {waited:?}");
        assert!(
            waited <= PATIENCE + Duration::from_millis(4),
            "held back {waited:?}, past its patience"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_that_stops_waiting_lets_the_others_in() {
        let gate = gate();
        let held = gate.turn(Caller::Other).await;
        let store = {
            let gate = gate.clone();
            tokio::spawn(async move {
                let _turn = gate.turn(Caller::Store).await;
            })
        };
        tokio::time::sleep(Duration::from_millis(1)).await;
        store.abort();
        let _ = store.await;
        assert_eq!(gate.lock().stores, 0);
        drop(held);
        let asked = Instant::now();
        drop(gate.turn(Caller::Other).await);
        assert_eq!(
            asked.elapsed(),
            Duration::ZERO,
            "a writer waited for a store that had gone"
        );
    }
}
