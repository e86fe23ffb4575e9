//! End to end through the binary, on SQLite and PostgreSQL: the console's
//! `/subscribe` gets a checkout link from a local fake Stripe; signed
//! webhooks posted to the running server open access; a cancellation keeps
//! it to the end of the period, and the scheduler ends it there.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use support::stripe::{self as fake, FakeStripe, Sub};
use support::{Running, TestDb, lyceum, run_with_input, stderr, stdout};

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

fn with_stripe(db_url: &str, api_base: &str) -> Command {
    let mut cmd = lyceum(db_url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", fake::SECRET_KEY)
        // The old secret first: verification must try every configured one.
        .env(
            "LYCEUM__STRIPE__WEBHOOK_SECRET",
            format!("whsec_retired, {}", fake::WEBHOOK_SECRET),
        )
        .env("LYCEUM__STRIPE__API_BASE", api_base)
        .env("LYCEUM__SCHEDULER__EXPIRE_EVERY_SECS", "1");
    cmd
}

fn member(db_url: &str) -> Value {
    let out = run_with_input(
        lyceum(db_url),
        &["member", "show", "demo", "console:alice", "--json"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// Posts `body` with a signature header; returns the status and the outcome.
fn post(server: &Running, body: &[u8], signature: Option<String>) -> (u16, String) {
    post_to(&server.url("/webhooks/stripe"), body, signature)
}

fn post_to(url: &str, body: &[u8], signature: Option<String>) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.post(url);
    if let Some(sig) = signature {
        req = req.header("Stripe-Signature", &sig);
    }
    let mut resp = req.send(body).unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    let outcome =
        serde_json::from_str::<Value>(&text).map(|v| v["outcome"].as_str().unwrap_or_default().to_owned());
    (status, outcome.unwrap_or(text))
}

fn signed(server: &Running, body: &[u8]) -> (u16, String) {
    post(
        server,
        body,
        Some(lyceum_stripe::signature::sign(body, fake::WEBHOOK_SECRET, now())),
    )
}

async fn journey(db: TestDb) {
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let mut cmd = with_stripe(&db.url, &api_base);
    cmd.arg("run");
    let server = Running::start(cmd, false);
    assert!(server.seen.contains("/webhooks/stripe"), "{}", server.seen);

    // The member asks for a checkout link in the console.
    let out = run_with_input(
        with_stripe(&db.url, &api_base),
        &["console", "--as", "alice"],
        "/subscribe pro\n",
    );
    let said = stdout(&out);
    assert!(said.contains("/pay/cs_test_"), "{said}{}", stderr(&out));
    let alice = member(&db.url);
    let id = alice["id"].as_i64().unwrap();
    assert_eq!(alice["status"], "none");
    let form = &stripe.requests("/v1/checkout/sessions")[0].form;
    assert_eq!(form["metadata[lyceum_member]"], id.to_string());

    // Forged, stale and unsigned deliveries are refused and change nothing.
    let t = now();
    let session = fake::event(
        "evt_e2e_checkout",
        "checkout.session.completed",
        t,
        fake::checkout_subscription("cs_e2e", id, "pro-monthly", "cus_e2e", "sub_e2e"),
    );
    let forged = lyceum_stripe::signature::sign(&session, "whsec_wrong", t);
    assert_eq!(post(&server, &session, Some(forged)).0, 400);
    let stale = lyceum_stripe::signature::sign(&session, fake::WEBHOOK_SECRET, t - 600);
    assert_eq!(post(&server, &session, Some(stale)).0, 400);
    assert_eq!(post(&server, &session, None).0, 400);
    assert_eq!(member(&db.url)["status"], "none");

    // The real ones open access, once.
    // Each is answered once stored, and applied from the inbox right after.
    assert_eq!(signed(&server, &session), (200, "queued".to_owned()));
    assert_eq!(signed(&server, &session), (200, "duplicate".to_owned()));
    let outcome = fake::outcome_of(&db.url, "evt_e2e_checkout").await;
    assert!(outcome.starts_with("applied"), "{outcome}");
    assert_eq!(signed(&server, &session), (200, "duplicate".to_owned()));
    let period_end = t + 30 * 86_400;
    let mut sub = Sub {
        id: "sub_e2e",
        customer: "cus_e2e",
        status: "active",
        price: "price_demo_pro_monthly",
        period_end,
        cancel_at_period_end: false,
        ended_at: None,
        member: Some(id),
        offer: Some("pro-monthly"),
        start: t,
    };
    let created = fake::event(
        "evt_e2e_created",
        "customer.subscription.created",
        t + 1,
        fake::subscription(&sub),
    );
    assert_eq!(signed(&server, &created).0, 200);
    fake::outcome_of(&db.url, "evt_e2e_created").await;
    let alice = member(&db.url);
    assert_eq!(alice["status"], "active");

    // Prometheus sees the webhooks by outcome, and the outbox.
    let scrape = ureq::get(&server.url("/metrics")).call().unwrap();
    let kind = scrape
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let text = scrape.into_body().read_to_string().unwrap();
    for line in [
        "lyceum_webhooks_total{provider=\"stripe\",outcome=\"rejected\"} 3",
        "lyceum_webhooks_total{provider=\"stripe\",outcome=\"queued\"} 2",
        "lyceum_webhooks_total{provider=\"stripe\",outcome=\"duplicate\"} 2",
        "lyceum_payment_events_total{provider=\"stripe\",outcome=\"applied\"} 2",
        "lyceum_inbox_pending 0",
        "# TYPE lyceum_outbox_pending gauge",
        "# TYPE lyceum_outbox_oldest_seconds gauge",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert_eq!(alice["tier"], "pro");
    assert_eq!(
        alice["perks"],
        serde_json::json!(["community-chat", "pro-lounge"])
    );

    // A lasting portal link (as a grace notice carries) opens a fresh
    // portal session; a tampered one is refused.
    let link = lyceum_stripe::PortalLinks::new("http://elsewhere", fake::SECRET_KEY)
        .link(id, now())
        .unwrap();
    let path = link.trim_start_matches("http://elsewhere");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let resp = agent.get(&server.url(path)).call().unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    let location = resp.headers().get("location").unwrap().to_str().unwrap();
    assert!(location.starts_with("https://billing.stripe.test/"), "{location}");
    assert_eq!(
        stripe.requests("/v1/billing_portal/sessions")[0].form["customer"],
        "cus_e2e"
    );
    let flipped = if path.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{flipped}", &path[..path.len() - 1]);
    let resp = agent.get(&server.url(&tampered)).call().unwrap();
    assert_eq!(resp.status().as_u16(), 403);

    // Unknown event types are acknowledged; garbage that is signed is not an event.
    let other = fake::event(
        "evt_e2e_other",
        "customer.created",
        t,
        serde_json::json!({"id": "cus_e2e"}),
    );
    assert_eq!(signed(&server, &other), (200, "queued".to_owned()));
    assert_eq!(fake::outcome_of(&db.url, "evt_e2e_other").await, "ignored");
    assert_eq!(signed(&server, b"{not json").0, 400);
    assert_eq!(
        support::post_declaring(&server.addr, "/webhooks/stripe", 300 * 1024),
        413,
        "the body size is capped"
    );

    // Cancelled in the portal: access stays to the end of the period (here
    // a few seconds away), then the scheduler ends it.
    sub.cancel_at_period_end = true;
    sub.period_end = now() + 3;
    let canceled = fake::event(
        "evt_e2e_cancel",
        "customer.subscription.updated",
        t + 2,
        fake::subscription(&sub),
    );
    assert_eq!(signed(&server, &canceled).0, 200);
    fake::outcome_of(&db.url, "evt_e2e_cancel").await;
    let alice = member(&db.url);
    assert_eq!(
        (alice["status"].as_str(), alice["has_access"].as_bool()),
        (Some("canceled"), Some(true))
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let alice = member(&db.url);
        if alice["status"] == "expired" {
            assert_eq!(alice["has_access"], false);
            assert_eq!(alice["perks"], serde_json::json!([]));
            let causes: Vec<&str> = alice["history"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["cause"].as_str().unwrap())
                .collect();
            assert_eq!(causes.last(), Some(&"expiry"), "{causes:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "access never ended: {alice}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    sub.status = "canceled";
    sub.ended_at = Some(sub.period_end);
    let deleted = fake::event(
        "evt_e2e_deleted",
        "customer.subscription.deleted",
        now(),
        fake::subscription(&sub),
    );
    assert_eq!(signed(&server, &deleted).0, 200);
    fake::outcome_of(&db.url, "evt_e2e_deleted").await;
    assert_eq!(member(&db.url)["status"], "expired");

    let status = server.stop();
    assert!(status.success(), "{status:?}");

    // The operator's reports over what just happened.
    let out = run_with_input(lyceum(&db.url), &["revenue", "demo", "--json"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["community"], "demo");
    assert_eq!(
        report["mrr"],
        serde_json::json!({}),
        "the only subscription has ended"
    );
    let out = run_with_input(lyceum(&db.url), &["revenue", "demo", "--from", "2026-13-01"], "");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = run_with_input(lyceum(&db.url), &["reconcile", "--dry-run", "--json"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["entitlements_fixed"], serde_json::json!([]), "{report}");
    let out = run_with_input(lyceum(&db.url), &["reconcile"], "");
    assert!(stdout(&out).contains("nothing to fix"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_a_503_so_stripe_retries() {
    let db = TestDb::sqlite();
    let conn = lyceum::db::open_and_migrate(&db.url).await.unwrap();
    let communities = lyceum::settings::load(None).unwrap().communities;
    let clock = Arc::new(lyceum_core::clock::SystemClock);
    let core = Arc::new(
        lyceum_core::Core::start(conn.clone(), &communities, clock)
            .await
            .unwrap(),
    );
    conn.close().await.unwrap();
    let listener = lyceum::http::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let payments = lyceum::http::Hooks {
        stripe_secrets: vec![fake::WEBHOOK_SECRET.into()],
        portal_links: None,
        telegram: None,
        https: false,
        limits: lyceum::limits::Limits::default(),
        ..Default::default()
    };
    tokio::spawn(lyceum::http::serve(listener, core, payments, stopped));
    let body = fake::event(
        "evt_outage",
        "customer.created",
        now(),
        serde_json::json!({"id": "cus_1"}),
    );
    let sig = lyceum_stripe::signature::sign(&body, fake::WEBHOOK_SECRET, now());
    let (status, outcome) = tokio::task::spawn_blocking(move || post_to(&url, &body, Some(sig)))
        .await
        .unwrap();
    assert_eq!((status, outcome.as_str()), (503, "database unavailable"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_pay_cancel_and_expire_through_the_binary() {
    for db in TestDb::all().await {
        journey(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_stripe_the_endpoint_is_absent_and_commands_say_so() {
    let db = TestDb::sqlite();
    let mut cmd = lyceum(&db.url);
    cmd.arg("run");
    let server = Running::start(cmd, false);
    let body = fake::event("evt_x", "invoice.paid", now(), serde_json::json!({}));
    assert_eq!(post(&server, &body, None).0, 404);
    server.stop();
    let out = run_with_input(lyceum(&db.url), &["console", "--as", "zoe"], "/subscribe pro\n");
    assert!(
        stdout(&out).contains("Payments are not set up"),
        "{}",
        stdout(&out)
    );
}
