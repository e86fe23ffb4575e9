//! The outbox delivers each effect exactly once, in order per recipient,
//! retrying temporary failures and recording permanent ones.

#![allow(clippy::unwrap_used)]

mod support;

use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use lyceum_core::clock::ManualClock;
use lyceum_core::domain::Platform;
use lyceum_core::entity::outbox;
use lyceum_core::outbox::{DeliveryError, Effect, EffectKind, EffectSink, OutboxWorker, RetryPolicy};
use lyceum_core::{Core, Invoker};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use support::TestDb;

/// A test adapter for the console platform that fails its first `failures`
/// deliveries with a temporary error, then records what it delivers.
struct Flaky {
    failures: AtomicU32,
    permanent_for: Option<String>,
    delivered: Mutex<Vec<(i64, EffectKind)>>,
    calls: AtomicU32,
}

impl Flaky {
    fn new(failures: u32) -> Flaky {
        Flaky {
            failures: AtomicU32::new(failures),
            permanent_for: None,
            delivered: Mutex::new(Vec::new()),
            calls: AtomicU32::new(0),
        }
    }
}

#[async_trait::async_trait]
impl EffectSink for Flaky {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    async fn deliver(&self, effect: &Effect) -> Result<(), DeliveryError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.permanent_for.as_deref() == Some(effect.recipient.external_id()) {
            return Err(DeliveryError::Permanent("user blocked the bot".into()));
        }
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(DeliveryError::Retry("platform returned 503".into()));
        }
        self.delivered.lock().push((effect.id, effect.kind.clone()));
        Ok(())
    }
}

async fn setup(db: &TestDb, sink: Arc<Flaky>) -> (Core, OutboxWorker, ManualClock) {
    let conn = lyceum::db::open_and_migrate(&db.url).await.unwrap();
    let communities = lyceum::settings::load(None).unwrap().communities;
    let clock = ManualClock::at(1_790_000_000);
    let core = Core::start(conn.clone(), &communities, Arc::new(clock.clone()))
        .await
        .unwrap();
    let policy = RetryPolicy {
        base_secs: 10,
        max_secs: 100,
        max_attempts: 5,
        ..Default::default()
    };
    let mut worker = OutboxWorker::new(conn, Arc::new(clock.clone()), policy);
    worker.register(sink);
    (core, worker, clock)
}

async fn award(core: &Core, who: &str) {
    let admin = Invoker::new("console:admin".parse().unwrap());
    let member = Invoker::new(who.parse().unwrap());
    core.handle_line("demo", &member, "/join").await;
    let out = core
        .handle_line("demo", &admin, &format!("/award {who} 5 thanks"))
        .await;
    assert!(matches!(out.reply, lyceum_core::Reply::Awarded { .. }), "{out:?}");
}

#[tokio::test]
async fn fails_twice_then_delivers_exactly_once() {
    for db in TestDb::all().await {
        let sink = Arc::new(Flaky::new(2));
        let (core, worker, clock) = setup(&db, sink.clone()).await;
        award(&core, "console:ana").await;

        let first = worker.run_once().await.unwrap();
        assert_eq!((first.delivered, first.retrying), (0, 1));
        // Not due yet: nothing is tried.
        assert_eq!(worker.run_once().await.unwrap().retrying, 0);
        clock.advance(10);
        assert_eq!(worker.run_once().await.unwrap().retrying, 1);
        clock.advance(19);
        assert_eq!(
            worker.run_once().await.unwrap().delivered,
            0,
            "second backoff is 20 s"
        );
        clock.advance(1);
        // The points message, then the badge message that waited behind it.
        assert_eq!(worker.run_once().await.unwrap().delivered, 2);
        clock.advance(1000);
        assert_eq!(
            worker.run_once().await.unwrap(),
            lyceum_core::outbox::PassReport::default()
        );

        let rows = outbox::Entity::find()
            .order_by_asc(outbox::Column::Id)
            .all(core.db())
            .await
            .unwrap();
        let delivered: Vec<i64> = sink.delivered.lock().iter().map(|(id, _)| *id).collect();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(
            delivered, ids,
            "{}: each effect delivered once, in order",
            db.backend
        );
        assert_eq!(
            sink.calls.load(Ordering::SeqCst),
            4,
            "three tries of the first, one of the second"
        );
        let shape: Vec<(&str, i32)> = rows.iter().map(|r| (r.status.as_str(), r.attempts)).collect();
        assert_eq!(shape, vec![("delivered", 3), ("delivered", 1)]);
        assert!(rows.iter().all(|r| r.last_error.is_none()));
    }
}

#[tokio::test]
async fn a_waiting_effect_holds_back_later_ones_for_the_same_recipient() {
    let db = TestDb::sqlite();
    let sink = Arc::new(Flaky::new(1));
    let (core, worker, clock) = setup(&db, sink.clone()).await;
    let admin = Invoker::new("console:admin".parse().unwrap());
    core.handle_line("demo", &admin, "/grant console:ben pro").await;
    core.handle_line("demo", &admin, "/revoke console:ben").await;

    worker.run_once().await.unwrap();
    assert!(
        sink.delivered.lock().is_empty(),
        "nothing may overtake the failed first grant"
    );
    clock.advance(10);
    worker.run_once().await.unwrap();
    let kinds: Vec<String> = sink
        .delivered
        .lock()
        .iter()
        .map(|(_, k)| match k {
            EffectKind::GrantPerk { perk } => format!("+{perk}"),
            EffectKind::RevokePerk { perk } => format!("-{perk}"),
            other => format!("{other:?}"),
        })
        .collect();
    let first_revoke = kinds.iter().position(|k| k.starts_with('-')).unwrap();
    let last_grant = kinds.iter().rposition(|k| k.starts_with('+')).unwrap();
    assert!(last_grant < first_revoke, "{kinds:?}");
    let ids: Vec<i64> = sink.delivered.lock().iter().map(|(id, _)| *id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "delivered in the order written");
}

#[tokio::test]
async fn permanent_failures_and_exhausted_retries_are_recorded() {
    let db = TestDb::sqlite();
    let mut flaky = Flaky::new(100);
    flaky.permanent_for = Some("gone".into());
    let sink = Arc::new(flaky);
    let (core, worker, clock) = setup(&db, sink.clone()).await;
    award(&core, "console:gone").await;
    award(&core, "console:down").await;
    for _ in 0..10 {
        worker.run_once().await.unwrap();
        clock.advance(100);
    }
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("send_message"))
        .order_by_asc(outbox::Column::Id)
        .all(core.db())
        .await
        .unwrap();
    let gone = rows.iter().find(|r| r.recipient == "gone").unwrap();
    assert_eq!((gone.status.as_str(), gone.attempts), ("failed", 1));
    assert!(gone.last_error.as_deref().unwrap().contains("blocked"));
    let down = rows.iter().find(|r| r.recipient == "down").unwrap();
    assert_eq!(
        (down.status.as_str(), down.attempts),
        ("failed", 5),
        "gives up after max_attempts"
    );
    assert!(down.last_error.as_deref().unwrap().contains("503"));
    assert!(sink.delivered.lock().is_empty());
}

#[tokio::test]
async fn two_workers_on_one_database_deliver_each_effect_once() {
    for db in TestDb::all().await {
        let sink = Arc::new(Flaky::new(0));
        let (core, first, clock) = setup(&db, sink.clone()).await;
        for i in 0..20 {
            award(&core, &format!("console:m{i}")).await;
        }
        let conn = lyceum::db::connect(&db.url).await.unwrap();
        let mut second = OutboxWorker::new(conn, Arc::new(clock.clone()), RetryPolicy::default());
        second.register(sink.clone());
        let (a, b) = tokio::join!(first.run_once(), second.run_once());
        let (a, b) = (a.unwrap(), b.unwrap());
        let rows = outbox::Entity::find().all(core.db()).await.unwrap();
        assert_eq!(rows.len(), 40, "a points message and a first badge each");
        assert_eq!(a.delivered + b.delivered, 40, "{}: {a:?} {b:?}", db.backend);
        let mut ids: Vec<i64> = sink.delivered.lock().iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 40, "no effect delivered twice");
        assert!(rows.iter().all(|r| r.status == "delivered"));
    }
}
