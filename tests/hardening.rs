//! The HTTP server's limits, through the binary: bodies over the limit are
//! refused before anything reads them, a request that stalls is answered
//! 408 at the deadline, public routes are rate limited per address while
//! health checks are not, and a full run at debug level never writes a
//! secret into its log.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use support::stripe::{self as fake, FakeStripe};
use support::{Running, TestDb, lyceum, post_declaring, run_with_input, stderr, stdout};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn get(server: &Running, path: &str) -> (u16, Option<String>) {
    let resp = agent().get(&server.url(path)).call().unwrap();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (resp.status().as_u16(), retry)
}

fn post(server: &Running, path: &str, body: &[u8], signature: Option<&str>) -> u16 {
    let mut req = agent().post(&server.url(path));
    if let Some(sig) = signature {
        req = req.header("Stripe-Signature", sig);
    }
    req.send(body).unwrap().status().as_u16()
}

#[test]
fn bodies_over_the_limit_are_refused_with_413() {
    let db = TestDb::sqlite();
    let mut cmd = lyceum(&db.url);
    cmd.arg("run");
    let server = Running::start(cmd, false);
    // Refused on the declared length alone, before a byte of it is read.
    for path in [
        "/webhooks/stripe",
        "/webhooks/telegram",
        "/dashboard/demo/members/1/erase",
    ] {
        assert_eq!(post_declaring(&server.addr, path, 300 * 1024), 413, "{path}");
    }
    server.stop();
}

#[test]
fn a_request_that_stalls_is_answered_408_at_the_deadline() {
    let db = TestDb::sqlite();
    let mut cmd = lyceum(&db.url);
    cmd.args(["run"]).env("LYCEUM__HTTP__REQUEST_TIMEOUT_SECS", "1");
    let server = Running::start(cmd, false);
    let mut conn = TcpStream::connect(&server.addr).unwrap();
    // A hundred bytes promised, ten sent, then nothing.
    conn.write_all(
        b"POST /webhooks/stripe HTTP/1.1\r\nHost: lyceum\r\nContent-Length: 100\r\n\
          Stripe-Signature: t=1,v1=00\r\n\r\n0123456789",
    )
    .unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut answer = [0u8; 12];
    conn.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 408");
    server.stop();
}

#[test]
fn public_routes_are_rate_limited_per_address_and_probes_are_not() {
    let db = TestDb::sqlite();
    let mut cmd = lyceum(&db.url);
    cmd.arg("run")
        .env("LYCEUM__HTTP__PAGE_RATE__PER_SECOND", "1")
        .env("LYCEUM__HTTP__PAGE_RATE__BURST", "3")
        .env("LYCEUM__HTTP__WEBHOOK_RATE__PER_SECOND", "1")
        .env("LYCEUM__HTTP__WEBHOOK_RATE__BURST", "2");
    let server = Running::start(cmd, false);
    // The demo community does not publish statistics: 404, but counted.
    let pages: Vec<(u16, Option<String>)> = (0..4).map(|_| get(&server, "/stats/demo")).collect();
    assert!(pages[..3].iter().all(|(s, _)| *s == 404), "{pages:?}");
    let (status, retry) = &pages[3];
    assert_eq!(*status, 429);
    assert!(retry.as_deref().unwrap().parse::<u64>().unwrap() >= 1);
    // Another route in the same group shares the address's allowance.
    assert_eq!(get(&server, "/billing/done").0, 429);
    // Webhooks have an allowance of their own.
    let hooks: Vec<u16> = (0..3)
        .map(|_| post(&server, "/webhooks/stripe", b"{}", None))
        .collect();
    assert_eq!(hooks, [404, 404, 429]);
    for _ in 0..20 {
        assert_eq!(get(&server, "/healthz").0, 200);
    }
    server.stop();
}

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

const DASHBOARD_SECRET: &str = "dash-secret-5b1c0e9a7d3f42e6a8c4b2d0f6e8a1c3";
const DB_PASSWORD: &str = "pw-never-logged-7f3a";

fn configured(db_url: &str, api_base: &str) -> Command {
    let mut cmd = lyceum(db_url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", fake::SECRET_KEY)
        .env("LYCEUM__STRIPE__WEBHOOK_SECRET", fake::WEBHOOK_SECRET)
        .env("LYCEUM__STRIPE__API_BASE", api_base)
        .env("LYCEUM__HTTP__DASHBOARD_SECRET", DASHBOARD_SECRET)
        .env("LYCEUM__LOG__FILTER", "debug");
    cmd
}

/// The password-bearing URL of `db`: PostgreSQL's trust authentication
/// never asks for it, so the run works and the password is there to leak.
fn with_password(db: &TestDb) -> String {
    if db.backend != "postgres" {
        return db.url.clone();
    }
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_password(Some(DB_PASSWORD)).unwrap();
    url.to_string()
}

async fn no_secret_in_the_logs(db: TestDb) {
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let url = with_password(&db);
    let mut cmd = configured(&url, &api_base);
    cmd.arg("run");
    let server = Running::start(cmd, false);
    let mut logs = Vec::new();

    // A checkout (the secret key goes to Stripe), a sign-in link (made with
    // the dashboard secret) followed, webhooks good and bad.
    let out = run_with_input(
        configured(&url, &api_base),
        &["console", "--as", "alice"],
        "/subscribe pro\n/points\n",
    );
    assert!(stdout(&out).contains("/pay/cs_test_"), "{}", stderr(&out));
    logs.push(stderr(&out));
    let out = configured(&url, &api_base)
        .args(["dashboard-link", "demo", "console:admin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    logs.push(stderr(&out));
    let printed = stdout(&out);
    let (_, path) = printed.trim().split_once("/dashboard/").unwrap();
    // Redeemed: a session cookie and a redirect to the overview.
    let signed_in = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
        .get(&server.url(&format!("/dashboard/{path}")))
        .call()
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303);
    assert!(signed_in.headers().contains_key("set-cookie"));
    let body = fake::event(
        "evt_logs",
        "customer.created",
        now(),
        serde_json::json!({"id": "cus_1"}),
    );
    let signed = lyceum_stripe::signature::sign(&body, fake::WEBHOOK_SECRET, now());
    assert_eq!(post(&server, "/webhooks/stripe", &body, Some(&signed)), 200);
    let forged = lyceum_stripe::signature::sign(&body, "whsec_forged", now());
    assert_eq!(post(&server, "/webhooks/stripe", &body, Some(&forged)), 400);
    assert_eq!(get(&server, "/metrics").0, 200);

    let log = server.log.clone();
    assert!(server.stop().success());
    support::eventually(10, "the log to end", || log.lock().contains("shutting down")).await;
    logs.push(log.lock().clone());
    let all = logs.concat();
    assert!(all.contains("DEBUG"), "the run was not at debug level:\n{all}");
    for secret in [
        fake::SECRET_KEY,
        fake::WEBHOOK_SECRET,
        DASHBOARD_SECRET,
        DB_PASSWORD,
    ] {
        assert!(!all.contains(secret), "{secret} is in the log:\n{all}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_at_debug_level_logs_no_secret() {
    for db in TestDb::all().await {
        no_secret_in_the_logs(db).await;
    }
}
