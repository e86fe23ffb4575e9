//! The payment inbox. A provider's webhook is answered once its verified
//! body is stored, and the event is applied from here: applying takes tens
//! of statements and may call the provider back, and a webhook kept waiting
//! for that is one the provider times out and sends again. Stores are group
//! committed, so concurrent webhooks share one write transaction.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use tokio::sync::{Notify, mpsc, oneshot, watch};

use crate::Core;
use crate::clock::Clock;
use crate::engage::Engagement;
use crate::entity::{payment_event, payment_inbox};
use crate::error::{CoreError, CoreResult};
use crate::payments::PaymentEvent;

/// Most deliveries stored in one transaction.
const GROUP: usize = 256;
/// Rows read per pass of the worker.
const BATCH: u64 = 64;

/// A verified webhook body, as the provider sent it.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub provider: String,
    pub event_id: String,
    pub event_type: String,
    pub body: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    /// Stored now; it will be applied shortly.
    Queued,
    /// Already waiting in the inbox, or already applied.
    Known,
}

impl Accepted {
    pub fn label(self) -> &'static str {
        match self {
            Accepted::Queued => "queued",
            Accepted::Known => "duplicate",
        }
    }
}

/// Reads a stored body back into an event; each provider's adapter gives one.
pub trait EventDecoder: Send + Sync {
    fn provider(&self) -> &str;
    fn decode(&self, body: &str) -> Result<PaymentEvent, String>;
}

type Reply = oneshot::Sender<Result<Accepted, String>>;

/// The sending side of the group-committing store task.
pub(crate) struct Intake {
    tx: mpsc::Sender<(Delivery, Reply)>,
}

impl Intake {
    pub(crate) fn start(
        db: DatabaseConnection,
        engage: Arc<Engagement>,
        clock: Arc<dyn Clock>,
        wake: Arc<Notify>,
    ) -> Intake {
        let (tx, rx) = mpsc::channel(GROUP * 4);
        tokio::spawn(store_loop(db, engage, clock, wake, rx));
        Intake { tx }
    }

    pub(crate) async fn store(&self, delivery: Delivery) -> CoreResult<Accepted> {
        let (reply, answer) = oneshot::channel();
        let gone = || CoreError::Db(DbErr::Custom("the inbox store has stopped".into()));
        self.tx.send((delivery, reply)).await.map_err(|_| gone())?;
        answer
            .await
            .map_err(|_| gone())?
            .map_err(|e| CoreError::Db(DbErr::Custom(e)))
    }
}

/// Takes whatever deliveries are waiting and stores them in one write
/// transaction; every sender hears how its own went. Ends with the core.
async fn store_loop(
    db: DatabaseConnection,
    engage: Arc<Engagement>,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    mut rx: mpsc::Receiver<(Delivery, Reply)>,
) {
    let mut group = Vec::with_capacity(GROUP);
    while rx.recv_many(&mut group, GROUP).await > 0 {
        let stored = store_group(&db, &engage, clock.now(), &group).await;
        match stored {
            Ok(results) => {
                if results.contains(&Accepted::Queued) {
                    wake.notify_one();
                }
                for ((_, reply), result) in group.drain(..).zip(results) {
                    let _ = reply.send(Ok(result));
                }
            }
            Err(e) => {
                let why = e.to_string();
                for (_, reply) in group.drain(..) {
                    let _ = reply.send(Err(why.clone()));
                }
            }
        }
    }
}

async fn store_group(
    db: &DatabaseConnection,
    engage: &Engagement,
    now: i64,
    group: &[(Delivery, Reply)],
) -> CoreResult<Vec<Accepted>> {
    let (_gate, txn) = engage.begin_store(db).await?;
    let mut results = Vec::with_capacity(group.len());
    for (d, _) in group {
        let inserted = payment_inbox::Entity::insert(payment_inbox::ActiveModel {
            provider: Set(d.provider.clone()),
            event_id: Set(d.event_id.clone()),
            event_type: Set(d.event_type.clone()),
            body: Set(d.body.clone()),
            received_at: Set(now),
            attempts: Set(0),
            next_at: Set(now),
            last_error: Set(None),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([payment_inbox::Column::Provider, payment_inbox::Column::EventId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        results.push(if inserted == 1 {
            Accepted::Queued
        } else {
            Accepted::Known
        });
    }
    // Only now ask which were applied already. An insert waits for a worker
    // that is applying, and removing, an earlier copy of the same event, so
    // that apply's record is visible by here (under SQLite's gate nothing
    // runs in between at all). The ids are looked up by provider, which the
    // unique index leads with; by id alone every event ever applied is read.
    let providers: HashSet<&str> = group.iter().map(|(d, _)| d.provider.as_str()).collect();
    for provider in providers {
        let fresh: Vec<&str> = group
            .iter()
            .zip(&results)
            .filter(|((d, _), r)| d.provider == provider && **r == Accepted::Queued)
            .map(|((d, _), _)| d.event_id.as_str())
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let applied: HashSet<String> = payment_event::Entity::find()
            .select_only()
            .column(payment_event::Column::EventId)
            .filter(payment_event::Column::Provider.eq(provider))
            .filter(payment_event::Column::EventId.is_in(fresh.iter().copied()))
            .into_tuple::<String>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        if applied.is_empty() {
            continue;
        }
        payment_inbox::Entity::delete_many()
            .filter(payment_inbox::Column::Provider.eq(provider))
            .filter(payment_inbox::Column::EventId.is_in(applied.iter().map(String::as_str)))
            .exec(&txn)
            .await?;
        for ((d, _), r) in group.iter().zip(results.iter_mut()) {
            if d.provider == provider && applied.contains(&d.event_id) {
                *r = Accepted::Known;
            }
        }
    }
    txn.commit().await?;
    Ok(results)
}

impl Core {
    /// Stores a verified delivery for applying; once this returns `Ok` the
    /// event will be applied even if the process dies now.
    pub async fn accept_payment(&self, delivery: Delivery) -> CoreResult<Accepted> {
        let provider = delivery.provider.clone();
        let accepted = self.intake.store(delivery).await?;
        self.metrics().webhook(&provider, accepted.label());
        Ok(accepted)
    }

    /// Events waiting in the inbox, and since when the oldest has waited.
    pub async fn inbox_backlog(&self) -> CoreResult<(u64, Option<i64>)> {
        let count = payment_inbox::Entity::find().count(self.db()).await?;
        let oldest = payment_inbox::Entity::find()
            .order_by_asc(payment_inbox::Column::Id)
            .one(self.db())
            .await?
            .map(|row| row.received_at);
        Ok((count, oldest))
    }
}

/// How long a failed apply waits before the next try: 1 s, doubling, at
/// most 5 minutes. An event is never given up: it is money, and a fixed
/// build or a recovered provider will apply it; meanwhile the admin sees
/// it waiting, with its reason, in the log and the backlog.
fn delay_after(attempts: i32) -> i64 {
    let exp = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(16);
    (1_i64 << exp).min(300)
}

/// Takes an inbox row inside the transaction that applies its event. On
/// PostgreSQL the row is locked, skipping one another instance holds; the
/// lock goes with a dead process's connection, so a crash leaves the row
/// for the next worker at once. `false` if the row is held or gone.
pub(crate) async fn take(txn: &DatabaseTransaction, row: i64) -> CoreResult<bool> {
    let held = payment_inbox::Entity::find_by_id(row)
        .select_only()
        .column(payment_inbox::Column::Id)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_tuple::<i64>()
        .one(txn)
        .await?;
    if held.is_none() {
        return Ok(false);
    }
    let gone = payment_inbox::Entity::delete_by_id(row).exec(txn).await?;
    Ok(gone.rows_affected == 1)
}

/// Applies what waits in the inbox, on every instance.
pub struct InboxWorker {
    core: Arc<Core>,
    decoders: HashMap<String, Arc<dyn EventDecoder>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InboxPass {
    pub applied: u32,
    pub retrying: u32,
}

impl InboxWorker {
    pub fn new(core: Arc<Core>) -> Self {
        InboxWorker {
            core,
            decoders: HashMap::new(),
        }
    }

    pub fn register(&mut self, decoder: Arc<dyn EventDecoder>) {
        self.decoders.insert(decoder.provider().to_owned(), decoder);
    }

    /// Applies what is due now, once; rows of providers with no decoder here
    /// wait for an instance that has one.
    pub async fn run_once(&self) -> CoreResult<InboxPass> {
        let mut pass = InboxPass::default();
        let now = self.core.now();
        let providers: Vec<&str> = self.decoders.keys().map(String::as_str).collect();
        let rows = payment_inbox::Entity::find()
            .filter(payment_inbox::Column::NextAt.lte(now))
            .filter(payment_inbox::Column::Provider.is_in(providers))
            .order_by_asc(payment_inbox::Column::Id)
            .limit(BATCH)
            .all(self.core.db())
            .await?;
        for row in rows {
            let Some(decoder) = self.decoders.get(&row.provider) else {
                continue;
            };
            let applied = match decoder.decode(&row.body) {
                Ok(ev) => self
                    .core
                    .apply_from_inbox(&ev, row.id)
                    .await
                    .map_err(|e| e.to_string()),
                Err(why) => Err(format!("unreadable body: {why}")),
            };
            match applied {
                Ok(Some(_)) => pass.applied += 1,
                // Another instance's worker has it.
                Ok(None) => {}
                Err(why) => {
                    let attempts = row.attempts.saturating_add(1);
                    tracing::error!(
                        provider = %row.provider, event = %row.event_id, attempts, error = %why,
                        "payment event not applied; will retry"
                    );
                    payment_inbox::Entity::update_many()
                        .col_expr(payment_inbox::Column::Attempts, Expr::value(attempts))
                        .col_expr(
                            payment_inbox::Column::NextAt,
                            Expr::value(now + delay_after(attempts)),
                        )
                        .col_expr(payment_inbox::Column::LastError, Expr::value(Some(why)))
                        .filter(payment_inbox::Column::Id.eq(row.id))
                        .exec(self.core.db())
                        .await?;
                    pass.retrying += 1;
                }
            }
        }
        Ok(pass)
    }

    /// Runs until `stop` turns true: after each store and at least once a
    /// second. Passes follow each other without a pause while rows are due.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let wake = self.core.inbox_wake();
        loop {
            let busy = match self.run_once().await {
                Ok(pass) => pass.applied + pass.retrying > 0,
                Err(e) => {
                    tracing::error!(error = %e, "payment inbox pass failed");
                    false
                }
            };
            if busy && !*stop.borrow() {
                continue;
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::delay_after;

    #[test]
    fn retries_back_off_to_five_minutes() {
        assert_eq!(delay_after(1), 1);
        assert_eq!(delay_after(4), 8);
        assert_eq!(delay_after(9), 256);
        assert_eq!(delay_after(10), 300);
        assert_eq!(delay_after(i32::MAX), 300);
    }
}
