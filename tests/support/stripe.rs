//! Stripe in tests: events written in the API's current shape (a
//! subscription's period on its items, an invoice's subscription under
//! `parent`), and a local fake of the REST endpoints Lyceum calls, answering
//! in Stripe's wire format so the real async-stripe client can talk to it.

#![allow(dead_code, clippy::unwrap_used)]

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};

use super::spec::{self, Refusal, Refusals};

pub const WEBHOOK_SECRET: &str = "whsec_test_lyceum";
pub const SECRET_KEY: &str = "sk_test_lyceum";

pub fn event(id: &str, kind: &str, created: i64, object: Value) -> Vec<u8> {
    json!({
        "id": id, "object": "event", "api_version": "2026-09-30", "created": created,
        "livemode": false, "pending_webhooks": 1, "type": kind,
        "request": {"id": null, "idempotency_key": null},
        "data": {"object": object}
    })
    .to_string()
    .into_bytes()
}

/// Posts `body` to a Stripe webhook `url`, signed now with
/// [`WEBHOOK_SECRET`] as Stripe would; the status and the outcome it names.
pub fn deliver(url: &str, body: &[u8]) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let (status, text) = post_signed(&agent, url, body);
    let outcome = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["outcome"].as_str().map(str::to_owned))
        .unwrap_or(text);
    (status, outcome)
}

/// How the stored event `event_id` was applied (its `payment_events`
/// outcome), waiting up to 30 s for the inbox worker to apply it.
pub async fn outcome_of(db_url: &str, event_id: &str) -> String {
    use lyceum_core::entity::{payment_event, payment_inbox};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = lyceum::db::connect(db_url).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let waiting = payment_inbox::Entity::find()
            .filter(payment_inbox::Column::EventId.eq(event_id))
            .one(&db)
            .await
            .unwrap();
        let row = payment_event::Entity::find()
            .filter(payment_event::Column::EventId.eq(event_id))
            .one(&db)
            .await
            .unwrap();
        if let (None, Some(row)) = (&waiting, row) {
            db.close().await.unwrap();
            return row.outcome;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{event_id} not applied from the inbox: {waiting:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Posts `body` through `agent`, signed now; the status and the answer.
pub fn post_signed(agent: &ureq::Agent, url: &str, body: &[u8]) -> (u16, String) {
    post_signed_with(agent, url, body, WEBHOOK_SECRET)
}

/// As [`post_signed`], signed with `secret`.
pub fn post_signed_with(agent: &ureq::Agent, url: &str, body: &[u8], secret: &str) -> (u16, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sig = lyceum_stripe::signature::sign(body, secret, i64::try_from(now).unwrap());
    let mut resp = agent
        .post(url)
        .header("Stripe-Signature", &sig)
        .send(body)
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

/// A member's paid start as Stripe sends it, as (event id, body): the
/// checkout, the subscription it created a second later, and with
/// `invoice` its first paid invoice. `tag` keeps the ids apart.
pub fn paid_start(tag: &str, member: i64, t: i64, invoice: bool) -> Vec<(String, Vec<u8>)> {
    let (customer, sub_id) = (format!("cus_{tag}"), format!("sub_{tag}"));
    let sub = active_pro(&sub_id, &customer, member, t, t + 30 * 86_400);
    let mut objects = vec![
        (
            "checkout.session.completed",
            checkout_subscription(&format!("cs_{tag}"), member, "pro-monthly", &customer, &sub_id),
        ),
        ("customer.subscription.created", subscription(&sub)),
    ];
    if invoice {
        let paid = invoice_paid(
            &format!("in_{tag}"),
            &customer,
            &sub_id,
            "price_demo_pro_monthly",
            1_500,
        );
        objects.push(("invoice.paid", paid));
    }
    (0_i64..)
        .zip(objects)
        .map(|(n, (kind, object))| {
            let id = format!("evt_{tag}_{n}");
            let body = event(&id, kind, t + n, object);
            (id, body)
        })
        .collect()
}

/// An active monthly Pro subscription of `member`, started at `start`,
/// paid until `period_end`.
pub fn active_pro<'a>(id: &'a str, customer: &'a str, member: i64, start: i64, period_end: i64) -> Sub<'a> {
    Sub {
        id,
        customer,
        status: "active",
        price: "price_demo_pro_monthly",
        period_end,
        cancel_at_period_end: false,
        ended_at: None,
        member: Some(member),
        offer: Some("pro-monthly"),
        start,
    }
}

fn meta(member: Option<i64>, offer: Option<&str>) -> Value {
    match member {
        Some(m) => json!({
            "lyceum_community": "demo", "lyceum_member": m.to_string(),
            "lyceum_offer": offer.unwrap_or_default()
        }),
        None => json!({}),
    }
}

pub fn checkout_subscription(session: &str, member: i64, offer: &str, customer: &str, sub: &str) -> Value {
    json!({
        "id": session, "object": "checkout.session", "mode": "subscription",
        "client_reference_id": member.to_string(), "metadata": meta(Some(member), Some(offer)),
        "customer": customer, "subscription": sub, "payment_intent": null,
        "payment_status": "paid", "status": "complete", "amount_total": 1500, "currency": "usd",
        "payment_link": null
    })
}

/// A checkout from a creator's own Payment Link: no metadata, only the
/// `client_reference_id` the creator appended to the link.
pub fn checkout_payment_link(session: &str, member: i64, customer: &str, sub: &str) -> Value {
    json!({
        "id": session, "object": "checkout.session", "mode": "subscription",
        "client_reference_id": member.to_string(), "metadata": {},
        "customer": customer, "subscription": sub, "payment_intent": null,
        "payment_status": "paid", "amount_total": 1500, "currency": "usd",
        "payment_link": "plink_1"
    })
}

pub fn checkout_payment(
    session: &str,
    member: i64,
    offer: &str,
    customer: &str,
    pi: &str,
    amount: i64,
) -> Value {
    json!({
        "id": session, "object": "checkout.session", "mode": "payment",
        "client_reference_id": member.to_string(), "metadata": meta(Some(member), Some(offer)),
        "customer": customer, "subscription": null, "payment_intent": pi,
        "payment_status": "paid", "amount_total": amount, "currency": "usd", "payment_link": null
    })
}

pub struct Sub<'a> {
    pub id: &'a str,
    pub customer: &'a str,
    pub status: &'a str,
    pub price: &'a str,
    pub period_end: i64,
    pub cancel_at_period_end: bool,
    pub ended_at: Option<i64>,
    pub member: Option<i64>,
    pub offer: Option<&'a str>,
    pub start: i64,
}

pub fn subscription(s: &Sub) -> Value {
    json!({
        "id": s.id, "object": "subscription", "customer": s.customer, "status": s.status,
        "metadata": meta(s.member, s.offer), "cancel_at_period_end": s.cancel_at_period_end,
        "cancel_at": null, "canceled_at": s.ended_at, "ended_at": s.ended_at, "trial_end": null,
        "start_date": s.start, "created": s.start, "currency": "usd", "livemode": false,
        "items": {"object": "list", "has_more": false, "url": "/v1/subscription_items", "data": [{
            "id": format!("si_{}", s.id), "object": "subscription_item",
            "current_period_start": s.period_end - 30 * 86_400, "current_period_end": s.period_end,
            "price": {"id": s.price, "object": "price", "currency": "usd"}, "quantity": 1
        }]}
    })
}

pub fn invoice_paid(id: &str, customer: &str, sub: &str, price: &str, amount: i64) -> Value {
    json!({
        "id": id, "object": "invoice", "customer": customer, "status": "paid",
        "amount_due": amount, "amount_paid": amount, "currency": "usd", "billing_reason": "subscription_cycle",
        "parent": {"type": "subscription_details", "quote_details": null,
            "subscription_details": {"subscription": sub, "metadata": {}}},
        "lines": {"object": "list", "data": [{"id": "il_1", "object": "line_item", "amount": amount,
            "pricing": {"type": "price_details", "price_details": {"price": price, "product": "prod_1"}}}]}
    })
}

pub fn charge(id: &str, customer: &str, pi: &str, amount: i64, refunded: i64, created: i64) -> Value {
    json!({
        "id": id, "object": "charge", "created": created, "customer": customer, "payment_intent": pi,
        "amount": amount, "amount_captured": amount, "amount_refunded": refunded,
        "refunded": refunded >= amount, "currency": "usd", "paid": true, "status": "succeeded"
    })
}

pub fn dispute(id: &str, charge: &str, pi: &str, status: &str, amount: i64) -> Value {
    json!({
        "id": id, "object": "dispute", "charge": charge, "payment_intent": pi, "status": status,
        "amount": amount, "currency": "usd", "reason": "fraudulent"
    })
}

/// One request the fake received: method and path, and the form fields.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub form: HashMap<String, String>,
}

#[derive(Clone)]
pub struct FakeStripe {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// The next request is answered with this status and error instead.
    pub fail_next: Arc<Mutex<Option<(u16, Value)>>>,
    /// Charges the fake knows: id → (customer, created).
    pub charges: Arc<Mutex<HashMap<String, (String, i64)>>>,
    /// Checkout sessions made: id → the fields they were made with.
    sessions: Arc<Mutex<HashMap<String, HashMap<String, String>>>>,
    /// Where the hosted page sends the webhooks of a payment.
    webhook: Arc<Mutex<Option<String>>>,
    base: Arc<Mutex<String>>,
    refusals: Arc<Refusals>,
    /// Products, prices and webhook endpoints made through the API.
    pub catalog: Arc<Mutex<super::stripe_catalog::Catalog>>,
    /// Restricted keys and the calls each may make ("POST /v1/prices").
    restricted: Arc<Mutex<HashMap<String, Vec<String>>>>,
}

impl Default for FakeStripe {
    fn default() -> FakeStripe {
        FakeStripe {
            seen: Arc::default(),
            fail_next: Arc::default(),
            charges: Arc::default(),
            sessions: Arc::default(),
            webhook: Arc::default(),
            base: Arc::default(),
            refusals: Refusals::new("Stripe"),
            catalog: Arc::default(),
            restricted: Arc::default(),
        }
    }
}

impl FakeStripe {
    pub fn requests(&self, path_prefix: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .iter()
            .filter(|s| s.path.starts_with(path_prefix))
            .cloned()
            .collect()
    }

    /// The requests refused so far, which then no longer fail the test.
    pub fn take_refusals(&self) -> Vec<Refusal> {
        self.refusals.take()
    }

    pub fn add_charge(&self, id: &str, customer: &str, created: i64) {
        self.charges
            .lock()
            .insert(id.to_owned(), (customer.to_owned(), created));
    }

    pub fn fail_next(&self, status: u16, message: &str) {
        *self.fail_next.lock() = Some((
            status,
            json!({"error": {"type": "invalid_request_error", "message": message, "code": "resource_missing"}}),
        ));
    }

    /// A restricted key allowed only the calls that start as `allowed` do.
    pub fn restrict(&self, key: &str, allowed: &[&str]) {
        self.restricted
            .lock()
            .insert(key.to_owned(), allowed.iter().map(|a| (*a).to_owned()).collect());
    }

    /// Payments on the hosted page are announced to `url`, signed.
    pub fn send_webhooks_to(&self, url: &str) {
        *self.webhook.lock() = Some(url.to_owned());
    }

    /// Serves on a free loopback port; returns the base URL for `api_base`.
    pub async fn start(&self) -> String {
        let app = super::stripe_catalog::routes(Router::new())
            .route("/v1/checkout/sessions", post(checkout))
            .route("/v1/billing_portal/sessions", post(portal))
            .route("/v1/subscriptions/{id}", post(update_subscription))
            .route("/v1/coupons", post(coupon))
            .route("/v1/promotion_codes", post(promotion_code))
            .route("/v1/charges/{id}", axum::routing::get(get_charge))
            .route(
                "/pay/{id}",
                axum::routing::get(super::stripe_page::show).post(super::stripe_page::answer),
            )
            // Browsers on the hosted page ask for its icon.
            .route(
                "/favicon.ico",
                axum::routing::get(|| async { StatusCode::NO_CONTENT }),
            )
            .fallback(unknown)
            .layer(axum::middleware::from_fn_with_state(self.clone(), authorized))
            .with_state(FakeStripe {
                refusals: self.refusals.unarmed(),
                ..self.clone()
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let base = format!("http://{addr}/");
        self.base.lock().clone_from(&base);
        base
    }

    /// The fields checkout session `id` was made with.
    pub fn session(&self, id: &str) -> Option<HashMap<String, String>> {
        self.sessions.lock().get(id).cloned()
    }

    pub fn webhook_url(&self) -> Option<String> {
        self.webhook.lock().clone()
    }

    fn record(
        &self,
        method: &str,
        path: String,
        body: &str,
    ) -> Result<HashMap<String, String>, (StatusCode, axum::Json<Value>)> {
        if let Err(refusal) = spec::stripe::check(method, &path, body) {
            self.refusals.record(&refusal);
            return Err(refuse(&refusal));
        }
        let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        self.seen.lock().push(Seen {
            method: method.to_owned(),
            path,
            form: form.clone(),
        });
        if let Some((status, error)) = self.fail_next.lock().take() {
            return Err((StatusCode::from_u16(status).unwrap(), axum::Json(error)));
        }
        Ok(form)
    }
}

impl FakeStripe {
    /// As `record`, with the form decoded into nested values.
    pub(super) fn record_form(
        &self,
        method: &str,
        path: String,
        body: &str,
    ) -> Result<Value, (StatusCode, axum::Json<Value>)> {
        self.record(method, path, body)?;
        Ok(spec::stripe::decode(body))
    }

    /// The secret of the endpoint registered for `url`, as Stripe showed it
    /// when it was made.
    pub fn endpoint_secret(&self, url: &str) -> Option<String> {
        let c = self.catalog.lock();
        c.endpoints
            .iter()
            .find(|(e, _)| e["url"] == json!(url))
            .map(|(_, s)| s.clone())
    }
}

/// The API answers only the test key and restricted keys, these only for
/// what they were allowed, as Stripe does: 401 for a key it does not know,
/// 403 naming the permission for one that may not make the call.
async fn authorized(
    State(fake): State<FakeStripe>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path().to_owned();
    if !path.starts_with("/v1/") {
        return next.run(req).await;
    }
    let key = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    if key == SECRET_KEY {
        return next.run(req).await;
    }
    let masked: String = key.chars().take(8).chain("***".chars()).collect();
    let call = format!("{} {path}", req.method());
    let allowed = fake.restricted.lock().get(&key).cloned();
    let (status, message) = match allowed {
        None => (
            StatusCode::UNAUTHORIZED,
            format!("Invalid API Key provided: {masked}"),
        ),
        Some(list) if list.iter().any(|a| call.starts_with(a.as_str())) => return next.run(req).await,
        Some(_) => (
            StatusCode::FORBIDDEN,
            format!(
                "The provided key '{masked}' does not have the required permissions for this endpoint \
                 on account 'acct_test'."
            ),
        ),
    };
    (
        status,
        axum::Json(json!({"error": {"type": "invalid_request_error", "message": message}})),
    )
        .into_response()
}

/// Stripe's answer to a request it refuses, naming the parameter.
fn refuse(refusal: &Refusal) -> (StatusCode, axum::Json<Value>) {
    let param = refusal.problems.first().map(|p| p.at.clone()).unwrap_or_default();
    let body =
        json!({"error": {"type": "invalid_request_error", "message": refusal.first(), "param": param}});
    (StatusCode::from_u16(refusal.status).unwrap(), axum::Json(body))
}

/// Any route the fake does not serve: refused as Stripe refuses it, or, if
/// Stripe has it, a gap in the fake that the test should hear about.
async fn unknown(
    State(fake): State<FakeStripe>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    body: String,
) -> Answer {
    let form = if method == axum::http::Method::GET {
        uri.query().unwrap_or_default().to_owned()
    } else {
        body
    };
    fake.record(method.as_str(), uri.path().to_owned(), &form)?;
    let refusal = Refusal::new(
        404,
        format!("{method} {}", uri.path()),
        vec![spec::Problem::new("", "not served by the fake")],
    );
    fake.refusals.record(&refusal);
    Err(refuse(&refusal))
}

pub(super) type Answer = Result<axum::Json<Value>, (StatusCode, axum::Json<Value>)>;

async fn checkout(State(fake): State<FakeStripe>, body: String) -> Answer {
    let form = fake.record("POST", "/v1/checkout/sessions".into(), &body)?;
    let n = fake.seen.lock().len();
    let id = format!("cs_test_{n}");
    fake.sessions.lock().insert(id.clone(), form.clone());
    let base = fake.base.lock().clone();
    Ok(axum::Json(json!({
        "id": id, "object": "checkout.session", "created": 1_790_000_000, "expires_at": 1_790_086_400,
        "livemode": false, "mode": form.get("mode").cloned().unwrap_or_default(),
        "payment_status": "unpaid", "status": "open", "payment_method_types": ["card"],
        "shipping_options": [], "custom_fields": [],
        "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
        "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
        "client_reference_id": form.get("client_reference_id"),
        "url": format!("{base}pay/{id}")
    })))
}

async fn portal(State(fake): State<FakeStripe>, body: String) -> Answer {
    let form = fake.record("POST", "/v1/billing_portal/sessions".into(), &body)?;
    Ok(axum::Json(json!({
        "id": "bps_test_1", "object": "billing_portal.session", "configuration": "bpc_test_1",
        "created": 1_790_000_000, "customer": form.get("customer"), "livemode": false,
        "return_url": form.get("return_url"), "url": "https://billing.stripe.test/p/session/test_1"
    })))
}

async fn update_subscription(State(fake): State<FakeStripe>, Path(id): Path<String>, body: String) -> Answer {
    let form = fake.record("POST", format!("/v1/subscriptions/{id}"), &body)?;
    Ok(axum::Json(json!({
        "id": id, "object": "subscription", "automatic_tax": {"enabled": false, "liability": null, "disabled_reason": null},
        "billing_cycle_anchor": 1_790_000_000, "billing_mode": {"type": "classic", "flexible": null, "updated_at": null},
        "billing_schedules": [],
        "cancel_at_period_end": form.get("cancel_at_period_end").map(String::as_str) == Some("true"),
        "collection_method": "charge_automatically", "created": 1_790_000_000, "currency": "usd",
        "customer": "cus_test", "discounts": [], "invoice_settings": {"account_tax_ids": null, "issuer": {"type": "self", "account": null}},
        "items": {"object": "list", "data": [], "has_more": false, "url": "/v1/subscription_items"},
        "livemode": false, "metadata": {}, "start_date": 1_790_000_000, "status": "active"
    })))
}

async fn coupon(State(fake): State<FakeStripe>, body: String) -> Answer {
    let form = fake.record("POST", "/v1/coupons".into(), &body)?;
    Ok(axum::Json(json!({
        "id": "coupon_test_1", "object": "coupon", "created": 1_790_000_000,
        "duration": form.get("duration").cloned().unwrap_or_default(), "livemode": false,
        "percent_off": form.get("percent_off").and_then(|p| p.parse::<f64>().ok()),
        "times_redeemed": 0, "valid": true
    })))
}

async fn promotion_code(State(fake): State<FakeStripe>, body: String) -> Answer {
    let form = fake.record("POST", "/v1/promotion_codes".into(), &body)?;
    Ok(axum::Json(json!({
        "id": "promo_test_1", "object": "promotion_code", "active": true,
        "code": form.get("code"), "created": 1_790_000_000, "livemode": false,
        "promotion": {"coupon": form.get("promotion[coupon]"), "type": "coupon"},
        "restrictions": {"first_time_transaction": false}, "times_redeemed": 0
    })))
}

async fn get_charge(
    State(fake): State<FakeStripe>,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Answer {
    fake.record("GET", format!("/v1/charges/{id}"), &query.unwrap_or_default())?;
    let Some((customer, created)) = fake.charges.lock().get(&id).cloned() else {
        return Err((
            StatusCode::NOT_FOUND,
            axum::Json(
                json!({"error": {"type": "invalid_request_error", "message": format!("No such charge: '{id}'")}}),
            ),
        ));
    };
    Ok(axum::Json(json!({
        "id": id, "object": "charge", "amount": 500, "amount_captured": 500, "amount_refunded": 0,
        "billing_details": {"address": null, "email": null, "name": null, "phone": null, "tax_id": null},
        "captured": true, "created": created, "currency": "usd", "customer": customer, "disputed": true,
        "livemode": false, "metadata": {}, "paid": true, "refunded": false, "status": "succeeded"
    })))
}
