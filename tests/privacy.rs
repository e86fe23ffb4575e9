//! `/privacy export` and `/privacy delete` end to end, on SQLite and
//! PostgreSQL: the export link downloads everything kept about the person
//! (and expires); erasure waits for running subscriptions to end, asks
//! first, removes what identifies the person in every community, ends their
//! access through the outbox, keeps payment records without a name, and
//! says so in the audit log.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::Reply;
use lyceum_core::entity::{audit, identity, ledger, revenue, subscription};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use support::TestDb;
use support::stripe as fake;
use support::world::{DASHBOARD, DAY, T0, World, pro};

async fn fetch(url: String) -> (u16, String) {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut res = agent.get(&url).call().unwrap();
        (res.status().as_u16(), res.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap()
}

async fn privacy(db: TestDb) {
    let w = World::new(&db).await;
    let b = db.backend;
    let base = support::serve(w.core.clone()).await;
    w.say("console:alice", "/join").await;
    w.say("console:bob", "/join").await;
    let alice = w.view("console:alice").await.id;
    w.say("console:admin", "/award console:alice 40 great answer")
        .await;
    w.say("console:alice", "/checkin").await;
    w.say("console:alice", "/ask How do I pin a future?").await;
    let sale = fake::checkout_payment("cs_a", alice, "rust-course", "cus_alice", "pi_a", 9900);
    w.webhook("checkout.session.completed", sale).await;
    w.webhook(
        "customer.subscription.created",
        fake::subscription(&pro(Some(alice), "active", T0 + 30 * DAY)),
    )
    .await;
    w.deliver().await;

    // Export: a private link to JSON, which expires.
    let out = w.say("console:alice", "/privacy export").await;
    let Reply::PrivacyExport { url, minutes } = out.reply else {
        panic!("{b}: {}", out.text());
    };
    assert_eq!(minutes, 10);
    let url = url.replace(DASHBOARD, &base);
    let (status, body) = fetch(url.clone()).await;
    assert_eq!(status, 200, "{b}: {body}");
    let data: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(data["identities"][0]["platform"], "console", "{b}");
    assert_eq!(data["identities"][0]["id"], "alice", "{b}");
    let demo = &data["memberships"][0];
    assert_eq!(demo["community"], "demo", "{b}");
    assert_eq!(demo["member"], alice, "{b}");
    let reasons: Vec<&str> = demo["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["reason"].as_str())
        .collect();
    assert!(reasons.contains(&"great answer"), "{b}: {reasons:?}");
    assert_eq!(demo["questions"][0]["body"], "How do I pin a future?", "{b}");
    assert_eq!(demo["payments"][0]["amount_minor"], 9900, "{b}");
    assert_eq!(demo["subscriptions"][0]["status"], "active", "{b}");
    assert_eq!(demo["checkins"].as_array().unwrap().len(), 1, "{b}");
    assert!(
        !body.contains("console:bob") && !body.contains("\"bob\""),
        "{b}: only alice's data"
    );
    w.clock.advance(601);
    let (late, _) = fetch(url).await;
    assert_eq!(late, 403, "{b}");

    // Erasure waits for the subscription to end, then asks first.
    let busy = w.say("console:alice", "/privacy delete confirm").await;
    assert!(busy.text().contains("/cancel"), "{b}: {}", busy.text());
    let mut ended = pro(Some(alice), "canceled", T0 + 30 * DAY);
    ended.ended_at = Some(T0 + DAY);
    w.webhook("customer.subscription.deleted", fake::subscription(&ended))
        .await;
    w.say("console:admin", "/grant console:alice pro 30").await;
    w.deliver().await;
    let ask = w.say("console:alice", "/privacy delete").await;
    assert!(
        matches!(ask.reply, Reply::PrivacyDeleteAsk { memberships: 1 }),
        "{b}: {}",
        ask.text()
    );
    assert!(ask.text().contains("/privacy delete confirm"), "{b}");
    let idents = || identity::Entity::find().filter(identity::Column::ExternalId.eq("alice"));
    assert_eq!(
        idents().count(w.core.db()).await.unwrap(),
        1,
        "{b}: asking changed nothing"
    );

    let done = w.say("console:alice", "/privacy delete confirm").await;
    let Reply::PrivacyErased { memberships, kept } = done.reply else {
        panic!("{b}: {}", done.text());
    };
    // The course payment, its purchase and the subscription.
    assert_eq!((memberships, kept), (1, 3), "{b}");
    // The granted access ended, told to alice before her identity went.
    let sent = w.deliver().await;
    assert!(
        sent.iter().any(|l| l.starts_with("[→ console:alice]")),
        "{b}: {sent:?}"
    );

    let db_ = w.core.db();
    assert_eq!(idents().count(db_).await.unwrap(), 0, "{b}");
    let points = ledger::Entity::find().filter(ledger::Column::MemberId.eq(alice));
    assert_eq!(points.count(db_).await.unwrap(), 0, "{b}");
    let money = revenue::Entity::find().filter(revenue::Column::MemberId.eq(alice));
    assert_eq!(money.count(db_).await.unwrap(), 1, "{b}: the payment stays");
    let subs = subscription::Entity::find().filter(subscription::Column::MemberId.eq(alice));
    assert_eq!(subs.count(db_).await.unwrap(), 1, "{b}");
    let log = w.core.audit_log("demo", 50).await.unwrap();
    assert!(
        log.iter()
            .any(|a| a.command == "privacy delete" && a.actor.starts_with("person:")),
        "{b}"
    );
    assert!(log.iter().any(|a| a.command == "privacy export"), "{b}");
    assert!(
        log.iter().all(|a| !a.detail.contains("console:alice")),
        "{b}: {log:?}"
    );
    assert!(
        log.iter()
            .any(|a| a.command == "grant" && a.detail.contains("[erased]")),
        "{b}"
    );
    let rows = audit::Entity::find().filter(audit::Column::Actor.eq("console:alice"));
    assert_eq!(rows.count(db_).await.unwrap(), 0, "{b}");

    // Gone from the boards; coming back starts afresh.
    let board = w.say("console:bob", "/leaderboard").await.text();
    assert!(!board.contains("alice"), "{b}: {board}");
    w.say("console:alice", "/join").await;
    let again = w.view("console:alice").await;
    assert_ne!(again.id, alice, "{b}");
    assert_eq!(again.points, 0, "{b}");
}

/// Noisy counts at /stats/{slug}: one release a day, only where configured.
/// Epsilon 100 makes the noise too small to change a rounded count (it
/// moves one by half or more about once in 270,000 draws).
async fn statistics(db: TestDb) {
    let b = db.backend;
    let plain = World::new(&db).await;
    let base = support::serve(plain.core.clone()).await;
    let (status, _) = fetch(format!("{base}/stats/demo")).await;
    assert_eq!(status, 404, "{b}: not published unless configured");
    drop(plain);

    let w = World::with(&db, |c| c.public_stats = Some(100.0)).await;
    let base = support::serve(w.core.clone()).await;
    for who in ["alice", "bob", "carol"] {
        w.say(&format!("console:{who}"), "/join").await;
    }
    w.say("console:admin", "/grant console:alice pro 30").await;
    let read = async || {
        let (status, body) = fetch(format!("{base}/stats/demo")).await;
        assert_eq!(status, 200, "{b}: {body}");
        serde_json::from_str::<Value>(&body).unwrap()
    };
    let first = read().await;
    assert_eq!(first["members"], 3, "{b}: {first}");
    assert_eq!(first["with_access"], 1, "{b}");
    assert_eq!(first["joined_30_days"], 3, "{b}");
    assert_eq!(first["epsilon"], 100.0, "{b}");
    // The same day gives the same release, whatever changed since.
    w.say("console:dave", "/join").await;
    assert_eq!(read().await, first, "{b}");
    w.clock.advance(DAY);
    assert_eq!(read().await["members"], 4, "{b}");
    let (unknown, _) = fetch(format!("{base}/stats/nowhere")).await;
    assert_eq!(unknown, 404, "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_statistics_are_noisy_daily_and_opt_in() {
    for db in TestDb::all().await {
        statistics(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_erasure() {
    for db in TestDb::all().await {
        privacy(db).await;
    }
}
