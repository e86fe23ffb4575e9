//! The database goes away while Stripe delivers webhooks to the running
//! binary: the endpoint answers 5xx, so Stripe keeps the event, and its
//! retry after the database is back applies it once. On PostgreSQL the
//! connection is cut by a proxy; on SQLite another process holds the
//! write lock for longer than the bot waits for it.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::Value;
use support::proxy::Proxy;
use support::stripe::{self as fake, FakeStripe};
use support::{Running, TestDb, lyceum, run_with_input, stderr, stdout};

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

fn member(db_url: &str, who: &str) -> Value {
    let out = run_with_input(
        lyceum(db_url),
        &["member", "show", "demo", &format!("console:{who}"), "--json"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn deliver(server: &Running, body: &[u8]) -> (u16, String) {
    fake::deliver(&server.url("/webhooks/stripe"), body)
}

/// What takes the database away and gives it back.
enum Outage {
    Proxy(Proxy),
    Lock(sea_orm::DatabaseTransaction),
}

async fn outage_then_retry(db: TestDb) {
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let joined = run_with_input(lyceum(&db.url), &["console", "--as", "alice"], "/join\n");
    assert!(joined.status.success(), "{}", stderr(&joined));
    let id = member(&db.url, "alice")["id"].as_i64().unwrap();

    // PostgreSQL is reached through the proxy, so cutting it is an outage.
    let (run_url, proxy) = if db.backend == "postgres" {
        let mut url = url::Url::parse(&db.url).unwrap();
        let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
        let proxy = Proxy::start(target).await;
        let (host, port) = proxy.addr.split_once(':').unwrap();
        url.set_host(Some(host)).unwrap();
        url.set_port(Some(port.parse().unwrap())).unwrap();
        (url.to_string(), Some(proxy))
    } else {
        (db.url.clone(), None)
    };
    let mut cmd = lyceum(&run_url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", fake::SECRET_KEY)
        .env("LYCEUM__STRIPE__WEBHOOK_SECRET", fake::WEBHOOK_SECRET)
        .env("LYCEUM__STRIPE__API_BASE", &api_base)
        // Longer than the pool's and SQLite's ten-second waits, so the
        // database's answer, not the deadline, decides.
        .env("LYCEUM__HTTP__REQUEST_TIMEOUT_SECS", "40")
        .arg("run");
    let server = Running::start(cmd, false);

    let outage = match proxy {
        Some(p) => {
            p.cut();
            Outage::Proxy(p)
        }
        None => {
            let conn = lyceum::db::connect(&db.url).await.unwrap();
            let txn = conn.begin().await.unwrap();
            txn.execute_unprepared("UPDATE communities SET name = name")
                .await
                .unwrap();
            Outage::Lock(txn)
        }
    };
    let body = fake::event(
        "evt_outage_checkout",
        "checkout.session.completed",
        now(),
        fake::checkout_subscription("cs_outage", id, "pro-monthly", "cus_outage", "sub_outage"),
    );
    let (status, outcome) = deliver(&server, &body);
    assert!((500..600).contains(&status), "{}: {status} {outcome}", db.backend);

    match outage {
        Outage::Proxy(p) => p.restore(),
        Outage::Lock(txn) => txn.rollback().await.unwrap(),
    }
    // Stripe retries: stored once the database is back, applied once, and a
    // further retry is a duplicate.
    support::eventually_async(30, "the retry to be stored", || async {
        let (status, outcome) = deliver(&server, &body);
        status == 200 && outcome == "queued"
    })
    .await;
    let applied = fake::outcome_of(&db.url, "evt_outage_checkout").await;
    assert!(applied.starts_with("applied"), "{}: {applied}", db.backend);
    assert_eq!(deliver(&server, &body), (200, "duplicate".to_owned()));
    assert_eq!(member(&db.url, "alice")["status"], "active");
    assert!(server.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_during_a_database_outage_is_5xx_and_its_retry_applies_once() {
    for db in TestDb::all().await {
        outage_then_retry(db).await;
    }
}
