//! `kill -9` of the running binary in the middle of a stream of Stripe
//! webhooks and Telegram activity (webhook mode), then a restart and the
//! redelivery of everything: every event answered 2xx before the kill was
//! already durable, the restarted process applies those by itself, and
//! after the redelivery every event is applied exactly once and every
//! message's points count once, with no payment, member state, point or
//! queued effect doubled or missing.

#![allow(clippy::unwrap_used)]

mod support;

use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use lyceum_core::entity::{outbox, payment_event, payment_inbox, revenue};
use sea_orm::EntityTrait;
use serde_json::Value;
use support::stripe::{self as fake, FakeStripe};
use support::telegram::FakeBotApi;
use support::telegram_hook::{
    PER_MESSAGE, config, key_of, message_awards, post_update, update, with_secrets,
};
use support::{Running, TestDb, lyceum, run_with_input, stdout};

const MEMBERS: usize = 8;
/// Telegram members, and the messages they send during the load.
const CHATTERS: u64 = 4;
const MESSAGES: u64 = 400;

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

fn start(db_url: &str, api_base: &str, config: &std::path::Path) -> Running {
    let mut cmd: Command = lyceum(db_url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", fake::SECRET_KEY)
        .env("LYCEUM__STRIPE__WEBHOOK_SECRET", fake::WEBHOOK_SECRET)
        .env("LYCEUM__STRIPE__API_BASE", api_base);
    with_secrets(&mut cmd).args(["--config", config.to_str().unwrap(), "run"]);
    Running::start(cmd, false)
}

/// The seen-update keys on disk: what the webhook recorded with the points.
async fn seen_keys(conn: &sea_orm::DatabaseConnection) -> BTreeSet<String> {
    let rows = lyceum_core::entity::seen_update::Entity::find()
        .all(conn)
        .await
        .unwrap();
    rows.into_iter().map(|r| r.update_key).collect()
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
    let bot_api = FakeBotApi::default().start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &bot_api);
    let all = events(&db.url);
    let mut first = start(&db.url, &api_base, &config);
    let url = first.url("/webhooks/stripe");

    // The Telegram members join first; then one sender posts their
    // messages during the Stripe load, until the process dies.
    let tg_url = first.url("/webhooks/telegram");
    let joins: Vec<(u64, Vec<u8>)> = (1..=CHATTERS).map(|u| update(u, 500 + u, "/join")).collect();
    for (id, body) in &joins {
        let status = tokio::task::block_in_place(|| post_update(&tg_url, body));
        assert_eq!(status, Some(200), "join {id}");
    }
    let messages: Vec<(u64, Vec<u8>)> = (1..=MESSAGES)
        .map(|i| update(CHATTERS + i, 500 + 1 + i % CHATTERS, "a message worth points"))
        .collect();
    let tg_acked: Arc<Mutex<BTreeSet<u64>>> = Arc::default();
    let chatter = {
        let (messages, acked, tg_url) = (messages.clone(), tg_acked.clone(), tg_url.clone());
        std::thread::spawn(move || {
            for (id, body) in messages {
                match post_update(&tg_url, &body) {
                    Some(200) => {
                        acked.lock().insert(id);
                    }
                    Some(_) => {}
                    None => return,
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        })
    };

    // Two senders work through the events once the messages flow; the
    // process is killed once a third of them have been answered, while
    // requests are in flight. The webhook answers in a millisecond now that
    // it only stores the event, so the senders keep a pace of a post every
    // 25 ms, or they could be done before the kill lands.
    let flowing = tg_acked.clone();
    support::eventually(60, "messages answered", move || flowing.lock().len() >= 3).await;
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
                            acked.lock().insert(id);
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
    chatter.join().unwrap();
    let acked = acked.lock().clone();
    assert!(!acked.is_empty() && acked.len() < all.len(), "{acked:?}");
    let tg_acked = tg_acked.lock().clone();
    assert!(
        !tg_acked.is_empty() && tg_acked.len() < messages.len(),
        "the kill lands among the messages: {} answered",
        tg_acked.len()
    );

    // Everything acknowledged is on disk before any redelivery: applied, or
    // stored in the payment inbox; each message's update recorded, in the
    // transaction that committed its points.
    let conn = lyceum::db::connect(&db.url).await.unwrap();
    let applied = applied_ids(&conn).await;
    let waiting = waiting_ids(&conn).await;
    let stored: BTreeSet<String> = applied.union(&waiting).cloned().collect();
    assert!(acked.is_subset(&stored), "acked {acked:?}, stored {stored:?}");
    let seen = seen_keys(&conn).await;
    for id in &tg_acked {
        assert!(
            seen.contains(&key_of(*id)),
            "message {id} answered but not committed"
        );
    }

    // The restarted process applies what waited, with no redelivery.
    let second = start(&db.url, &api_base, &config);
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
    // Telegram sends again whatever was not answered; here it sends
    // everything, joins included, which must change nothing twice.
    let tg_url = second.url("/webhooks/telegram");
    for (id, body) in joins.iter().chain(&messages) {
        let status = tokio::task::block_in_place(|| post_update(&tg_url, body));
        assert_eq!(status, Some(200), "update {id}");
    }
    for u in 1..=CHATTERS {
        let theirs = i64::try_from(MESSAGES / CHATTERS).unwrap();
        assert_eq!(
            message_awards(&db.url, 500 + u).await,
            (theirs, theirs * PER_MESSAGE),
            "{}: each of telegram:{}'s messages counted once",
            db.backend,
            500 + u
        );
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
