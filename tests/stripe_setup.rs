//! `lyceum stripe setup` through the binary against the strict fake
//! Stripe: from a configuration that names no Stripe id, it makes a
//! product per tier and offer, a price per offer and the webhook endpoint
//! with exactly the handled events; a second run changes nothing; a new
//! amount makes a new price and archives the old; checkouts then sell at
//! the made prices and `lyceum run` verifies webhooks with the endpoint's
//! secret, kept sealed, without LYCEUM__STRIPE__WEBHOOK_SECRET, and with a
//! new endpoint's secret as soon as a setup run while it serves made one.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::stripe::{FakeStripe, SECRET_KEY};
use support::{Running, TestDb, assert_fails, lyceum, run_with_input, stderr, stdout};

const BUILTIN: &str = include_str!("../config/default.toml");
const SEAL_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const PUBLIC: &str = "https://lyceum.test";

/// The demo configuration with every Stripe id taken out, and the Pro
/// monthly price at `pro_monthly` cents.
fn config(dir: &std::path::Path, pro_monthly: u32) -> String {
    let text: String = BUILTIN
        .lines()
        .filter(|l| !l.starts_with("stripe_"))
        .map(|l| {
            if l.starts_with("monthly = { amount = 1500") {
                format!("monthly = {{ amount = {pro_monthly}, currency = \"USD\" }}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let path = dir.join(format!("lyceum-{pro_monthly}.toml"));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

fn with_stripe(db: &TestDb, base: &str) -> std::process::Command {
    let mut cmd = lyceum(&db.url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", SECRET_KEY)
        .env("LYCEUM__STRIPE__API_BASE", base)
        .env("LYCEUM__SECRETS__KEY", SEAL_KEY)
        .env("LYCEUM__HTTP__PUBLIC_URL", PUBLIC);
    cmd
}

async fn setup(db: &TestDb, base: &str, config: &str) -> String {
    let cmd = with_stripe(db, base);
    let config = config.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        run_with_input(cmd, &["--config", &config, "stripe", "setup"], "")
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// The requests that made or changed something at the fake.
fn writes(fake: &FakeStripe) -> usize {
    fake.seen.lock().iter().filter(|s| s.method != "GET").count()
}

async fn offer_price(db: &TestDb, key: &str) -> Option<String> {
    use lyceum_core::entity::offer;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    let o = offer::Entity::find()
        .filter(offer::Column::Key.eq(key))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    o.stripe_price
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_makes_prices_and_the_endpoint_once_and_run_uses_them() {
    for db in TestDb::all().await {
        let b = db.backend;
        let fake = FakeStripe::default();
        let base = fake.start().await;
        let dir = tempfile::tempdir().unwrap();
        let first = config(dir.path(), 1500);

        // Without a key to seal the endpoint's secret under, nothing is made.
        let mut cmd = lyceum(&db.url);
        cmd.env("LYCEUM__STRIPE__SECRET_KEY", SECRET_KEY)
            .env("LYCEUM__STRIPE__API_BASE", &base);
        let out = run_with_input(cmd, &["--config", &first, "stripe", "setup"], "");
        assert_fails(&out, 2, "LYCEUM__SECRETS__KEY");
        assert!(fake.requests("/v1/").is_empty(), "{b}: called Stripe anyway");

        // A restricted key that may read products but not webhook
        // endpoints is told what it lacks before anything is made.
        fake.restrict(
            "rk_test_narrow",
            &["GET /v1/products", "POST /v1/products", "GET /v1/prices"],
        );
        let mut cmd = with_stripe(&db, &base);
        cmd.env("LYCEUM__STRIPE__SECRET_KEY", "rk_test_narrow");
        let out = run_with_input(cmd, &["--config", &first, "stripe", "setup"], "");
        let err = assert_fails(&out, 1, "a restricted key needs write access to Products");
        assert!(err.contains("Webhook Endpoints"), "{b}: {err}");
        assert!(!err.contains("rk_test_narrow"), "{b}: the key was echoed: {err}");
        assert_eq!(writes(&fake), 0, "{b}");
        let mut cmd = with_stripe(&db, &base);
        cmd.env("LYCEUM__STRIPE__SECRET_KEY", "sk_test_unknown");
        let out = run_with_input(cmd, &["--config", &first, "stripe", "setup"], "");
        assert_fails(&out, 1, "Stripe does not accept this key");

        let said = setup(&db, &base, &first).await;
        for offer in [
            "basic-monthly",
            "basic-yearly",
            "pro-monthly",
            "pro-yearly",
            "vip-monthly",
            "rust-course",
        ] {
            assert!(
                said.contains(&format!("demo {offer}: ")),
                "{b}: {offer} missing in\n{said}"
            );
        }
        assert_eq!(said.matches("— created price_").count(), 6, "{b}: {said}");
        assert!(said.contains("created we_"), "{b}: {said}");
        {
            let c = fake.catalog.lock();
            let products: Vec<&String> = c.products.keys().collect();
            assert_eq!(
                products,
                [
                    "lyceum_demo_basic",
                    "lyceum_demo_pro",
                    "lyceum_demo_rust-course",
                    "lyceum_demo_vip"
                ],
                "{b}"
            );
            let pro = c
                .prices
                .iter()
                .find(|p| p["lookup_key"] == json!("lyceum_demo_pro-yearly"))
                .unwrap();
            assert_eq!(pro["unit_amount"], json!(15_000), "{b}");
            assert_eq!(pro["currency"], json!("usd"), "{b}");
            assert_eq!(pro["recurring"]["interval"], json!("year"), "{b}");
            assert_eq!(pro["product"], json!("lyceum_demo_pro"), "{b}");
            assert_eq!(pro["metadata"]["lyceum_offer"], json!("pro-yearly"), "{b}");
            assert_eq!(
                c.products["lyceum_demo_pro"]["metadata"],
                json!({"lyceum_community": "demo"}),
                "{b}: a tier's product serves both its offers"
            );
            let course = c
                .prices
                .iter()
                .find(|p| p["lookup_key"] == json!("lyceum_demo_rust-course"))
                .unwrap();
            assert!(course["recurring"].is_null(), "{b}: {course}");
            assert_eq!(c.endpoints.len(), 1, "{b}");
            let (endpoint, _) = &c.endpoints[0];
            assert_eq!(endpoint["url"], json!(format!("{PUBLIC}/webhooks/stripe")), "{b}");
            let mut events: Vec<&str> = endpoint["enabled_events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap())
                .collect();
            events.sort_unstable();
            let mut handled = lyceum_stripe::HANDLED.to_vec();
            handled.sort_unstable();
            assert_eq!(events, handled, "{b}");
        }
        let pro_monthly = offer_price(&db, "pro-monthly").await.unwrap();
        assert!(pro_monthly.starts_with("price_"), "{b}: {pro_monthly}");
        // Admins can see why prices and the endpoint appeared.
        let out = run_with_input(
            lyceum(&db.url),
            &["--config", &first, "audit", "demo", "--json"],
            "",
        );
        let log: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let setup_rows: Vec<&str> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["command"] == json!("stripe setup") && e["actor"] == json!("operator:stripe-setup"))
            .map(|e| e["detail"].as_str().unwrap())
            .collect();
        assert_eq!(setup_rows.len(), 7, "{b}: {log}");
        assert!(
            setup_rows
                .iter()
                .any(|d| d.starts_with("created pro-monthly: price_")),
            "{b}: {setup_rows:?}"
        );
        assert!(
            setup_rows.iter().any(|d| d.starts_with("webhook endpoint we_")),
            "{b}: {setup_rows:?}"
        );

        // Again: everything is found, nothing is made or changed.
        let before = writes(&fake);
        let again = setup(&db, &base, &first).await;
        assert_eq!(again.matches("— unchanged price_").count(), 6, "{b}: {again}");
        assert!(again.contains("unchanged we_"), "{b}: {again}");
        assert_eq!(writes(&fake), before, "{b}: the second run wrote at Stripe");

        // A new amount: a new price takes the lookup key over, the old is
        // archived, and the offer sells at the new one.
        let raised = config(dir.path(), 1900);
        let said = setup(&db, &base, &raised).await;
        let line = said.lines().find(|l| l.starts_with("demo pro-monthly")).unwrap();
        assert!(line.contains(&format!("archived {pro_monthly}")), "{b}: {said}");
        let new = offer_price(&db, "pro-monthly").await.unwrap();
        assert_ne!(new, pro_monthly, "{b}");
        {
            let c = fake.catalog.lock();
            let old = c.prices.iter().find(|p| p["id"] == json!(pro_monthly)).unwrap();
            assert_eq!(old["active"], json!(false), "{b}");
            assert!(old["lookup_key"].is_null(), "{b}");
            let now = c.prices.iter().find(|p| p["id"] == json!(new)).unwrap();
            assert_eq!(now["unit_amount"], json!(1900), "{b}");
            assert_eq!(now["lookup_key"], json!("lyceum_demo_pro-monthly"), "{b}");
        }
        assert!(fake.take_refusals().is_empty(), "{b}: the fake refused a request");

        // A checkout sells at the made price.
        let cmd = with_stripe(&db, &base);
        let raised_path = raised.clone();
        let out = tokio::task::spawn_blocking(move || {
            run_with_input(
                cmd,
                &["--config", &raised_path, "console", "--as", "alice"],
                "/join\n/subscribe pro\n",
            )
        })
        .await
        .unwrap();
        assert!(out.status.success(), "{b}: {}", stderr(&out));
        let checkout = fake.requests("/v1/checkout/sessions");
        assert_eq!(
            checkout.last().unwrap().form.get("line_items[0][price]"),
            Some(&new),
            "{b}: {}",
            stdout(&out)
        );

        // `run` verifies with the kept secret, and refuses another.
        let secret = fake
            .endpoint_secret(&format!("{PUBLIC}/webhooks/stripe"))
            .unwrap();
        let mut cmd = with_stripe(&db, &base);
        cmd.args(["--config", &raised, "run"]);
        let running = Running::start(cmd, false);
        let hook = running.url("/webhooks/stripe");
        let body = support::stripe::event(
            "evt_setup_1",
            "plan.created",
            1_790_000_000,
            json!({"id": "plan_1"}),
        );
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let (status, said) = support::stripe::post_signed_with(&agent, &hook, &body, &secret);
        assert_eq!(status, 200, "{b}: {said}");

        // The endpoint was deleted in Stripe's dashboard; a setup run while
        // the server is up makes a new one, and its events verify at once.
        fake.catalog.lock().endpoints.clear();
        let said = setup(&db, &base, &raised).await;
        assert!(said.contains("created we_"), "{b}: {said}");
        let renewed = fake
            .endpoint_secret(&format!("{PUBLIC}/webhooks/stripe"))
            .unwrap();
        assert_ne!(renewed, secret, "{b}");
        let (status, said) = support::stripe::post_signed_with(&agent, &hook, &body, &renewed);
        assert_eq!(status, 200, "{b}: {said}");
        let (status, said) = support::stripe::post_signed_with(&agent, &hook, &body, "whsec_someone_else");
        assert_eq!(status, 400, "{b}: {said}");
        running.stop();

        // Without the key the kept secret cannot be opened: `run` says what
        // to do instead of starting deaf to payments.
        let mut cmd = lyceum(&db.url);
        cmd.env("LYCEUM__STRIPE__SECRET_KEY", SECRET_KEY)
            .env("LYCEUM__STRIPE__API_BASE", &base);
        let out = run_with_input(cmd, &["--config", &raised, "run"], "");
        assert_fails(&out, 2, "lyceum stripe setup");
    }
}
