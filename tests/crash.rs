//! `kill -9` of the running binary in the middle of a stream of Stripe
//! webhooks, then a restart and Stripe's redelivery of everything: every
//! event answered 2xx before the kill was already durable, the restarted
//! process applies those by itself, and after the redelivery every event
//! is applied exactly once, with no payment, member state or queued effect
//! doubled or missing.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use lyceum_core::entity::{outbox, payment_event, payment_inbox, revenue};
use sea_orm::EntityTrait;
use serde_json::Value;
use support::stripe::{self as fake, FakeStripe};
use support::{Running, TestDb, lyceum, run_with_input, stdout};

const MEMBERS: usize = 8;

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// Checkout, subscription and first invoice for each member.
fn events(db_url: &str) -> Vec<(String, Vec<u8>)> {
    let t = now();
    (0..MEMBERS)
        .flat_map(|i| {
            fake::paid_start(
                &format!("k{i}"),
                support::joined(db_url, &format!("k{i}")),
                t,
                true,
            )
        })
        .collect()
}

fn start(db_url: &str, api_base: &str) -> Running {
    let mut cmd: Command = lyceum(db_url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", fake::SECRET_KEY)
        .env("LYCEUM__STRIPE__WEBHOOK_SECRET", fake::WEBHOOK_SECRET)
        .env("LYCEUM__STRIPE__API_BASE", api_base)
        .arg("run");
    Running::start(cmd, false)
}

/// Posts without panicking on a refused connection (the server may be
/// dead); `None` then.
fn try_deliver(url: &str, body: &[u8]) -> Option<(u16, String)> {
    let url = url.to_owned();
    let body = body.to_vec();
    std::thread::spawn(move || fake::deliver(&url, &body)).join().ok()
}

async fn applied_ids(conn: &sea_orm::DatabaseConnection) -> BTreeSet<String> {
    let rows = payment_event::Entity::find().all(conn).await.unwrap();
    rows.into_iter().map(|e| e.event_id).collect()
}

async fn waiting_ids(conn: &sea_orm::DatabaseConnection) -> BTreeSet<String> {
    let rows = payment_inbox::Entity::find().all(conn).await.unwrap();
    rows.into_iter().map(|e| e.event_id).collect()
}

async fn crash_and_redeliver(db: TestDb) {
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let all = events(&db.url);
    let mut first = start(&db.url, &api_base);
    let url = first.url("/webhooks/stripe");

    // Two senders work through the events; the process is killed once a
    // third of them have been answered, while requests are in flight. The
    // webhook answers in a millisecond now that it only stores the event,
    // so the senders keep a pace of a post every 25 ms, or they could be
    // done before the kill lands.
    let answered = Arc::new(AtomicUsize::new(0));
    let acked: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let senders: Vec<_> = (0..2)
        .map(|k| {
            let mine: Vec<(String, Vec<u8>)> = all.iter().skip(k).step_by(2).cloned().collect();
            let (url, answered, acked) = (url.clone(), answered.clone(), acked.clone());
            std::thread::spawn(move || {
                for (id, body) in mine {
                    match try_deliver(&url, &body) {
                        Some((200, _)) => {
                            acked.lock().unwrap().insert(id);
                        }
                        Some(_) => {}
                        None => return,
                    }
                    answered.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
            })
        })
        .collect();
    support::eventually(60, "a third of the events answered", || {
        answered.load(Ordering::SeqCst) >= all.len() / 3
    })
    .await;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    for s in senders {
        s.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(!acked.is_empty() && acked.len() < all.len(), "{acked:?}");

    // Everything acknowledged is on disk before any redelivery: applied, or
    // stored in the payment inbox.
    let conn = lyceum::db::connect(&db.url).await.unwrap();
    let applied = applied_ids(&conn).await;
    let waiting = waiting_ids(&conn).await;
    let stored: BTreeSet<String> = applied.union(&waiting).cloned().collect();
    assert!(acked.is_subset(&stored), "acked {acked:?}, stored {stored:?}");

    // The restarted process applies what waited, with no redelivery.
    let second = start(&db.url, &api_base);
    support::eventually_async(30, "the inbox applied after the restart", || async {
        waiting_ids(&conn).await.is_empty()
    })
    .await;
    let applied = applied_ids(&conn).await;
    assert!(
        stored.is_subset(&applied),
        "stored {stored:?}, applied {applied:?}"
    );

    // Stripe redelivers every event (the unacknowledged ones for certain,
    // the others because a retry may cross an answer).
    let url = second.url("/webhooks/stripe");
    for (id, body) in &all {
        let (status, outcome) = fake::deliver(&url, body);
        assert_eq!(status, 200, "{id}: {outcome}");
        let expected = if stored.contains(id) {
            "duplicate"
        } else {
            "queued"
        };
        assert_eq!(outcome, expected, "{id}");
    }
    for (id, _) in &all {
        let outcome = fake::outcome_of(&db.url, id).await;
        assert!(outcome.starts_with("applied"), "{id}: {outcome}");
    }

    let events = payment_event::Entity::find().all(&conn).await.unwrap();
    assert_eq!(events.len(), all.len(), "{}", db.backend);
    let revenue = revenue::Entity::find().all(&conn).await.unwrap();
    let invoices: BTreeSet<&str> = revenue.iter().map(|r| r.external_id.as_str()).collect();
    assert_eq!((revenue.len(), invoices.len()), (MEMBERS, MEMBERS), "{revenue:?}");
    for i in 0..MEMBERS {
        let out = run_with_input(
            lyceum(&db.url),
            &["member", "show", "demo", &format!("console:k{i}"), "--json"],
            "",
        );
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["status"], "active", "{v}");
    }
    // Every member's effects queued once: none doubled by the replay,
    // none lost with the killed process.
    let mut effects: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for row in outbox::Entity::find().all(&conn).await.unwrap() {
        *effects.entry((row.recipient, row.kind, row.payload)).or_default() += 1;
    }
    assert!(effects.values().all(|n| *n == 1), "{effects:#?}");
    let recipients: BTreeSet<&str> = effects.keys().map(|(r, _, _)| r.as_str()).collect();
    for i in 0..MEMBERS {
        assert!(recipients.contains(format!("k{i}").as_str()), "{recipients:?}");
    }
    assert!(second.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_loses_and_doubles_nothing_after_redelivery() {
    for db in TestDb::all().await {
        crash_and_redeliver(db).await;
    }
}
