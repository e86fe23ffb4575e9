//! The fake Stripe's products, prices and webhook endpoints, refusing what
//! Stripe refuses beyond the parameter checks of the spec: a product id
//! taken twice, a price for a product that does not exist, a lookup key
//! taken without `transfer_lookup_key`, an endpoint URL that is not https
//! or points at this machine, and an endpoint's secret shown after it was
//! made.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::stripe::{Answer, FakeStripe};

/// What the fake account holds.
#[derive(Default)]
pub struct Catalog {
    pub products: BTreeMap<String, Value>,
    /// In creation order, archived ones included.
    pub prices: Vec<Value>,
    /// Each with the secret Stripe showed once, kept here for the test.
    pub endpoints: Vec<(Value, String)>,
    made: u64,
}

impl Catalog {
    fn next(&mut self, prefix: &str) -> String {
        self.made += 1;
        format!("{prefix}_test_{}", self.made)
    }
}

pub fn routes(router: Router<FakeStripe>) -> Router<FakeStripe> {
    router
        .route("/v1/products", get(list_products).post(create_product))
        .route("/v1/products/{id}", get(get_product).post(update_product))
        .route("/v1/prices", get(list_prices).post(create_price))
        .route("/v1/prices/{id}", post(update_price))
        .route("/v1/webhook_endpoints", get(list_endpoints).post(create_endpoint))
        .route(
            "/v1/webhook_endpoints/{id}",
            post(update_endpoint).delete(delete_endpoint),
        )
}

fn refused(status: StatusCode, message: String, param: &str) -> (StatusCode, axum::Json<Value>) {
    (
        status,
        axum::Json(json!({"error": {"type": "invalid_request_error", "message": message, "param": param}})),
    )
}

fn missing(what: &str, id: &str) -> (StatusCode, axum::Json<Value>) {
    let mut r = refused(StatusCode::NOT_FOUND, format!("No such {what}: '{id}'"), "id");
    r.1.0["error"]["code"] = json!("resource_missing");
    r
}

fn metadata(form: &Value) -> Value {
    form.get("metadata").cloned().unwrap_or_else(|| json!({}))
}

fn list(data: Vec<Value>, url: &str) -> axum::Json<Value> {
    axum::Json(json!({"object": "list", "data": data, "has_more": false, "url": url}))
}

fn product(id: &str, form: &Value) -> Value {
    json!({
        "id": id, "object": "product", "active": true, "created": 1_790_000_000,
        "images": [], "livemode": false, "marketing_features": [], "metadata": metadata(form),
        "name": form["name"], "type": "service", "updated": 1_790_000_000
    })
}

async fn create_product(State(fake): State<FakeStripe>, body: String) -> Answer {
    let form = fake.record_form("POST", "/v1/products".into(), &body)?;
    let mut c = fake.catalog.lock();
    let id = match form["id"].as_str() {
        Some(id) if c.products.contains_key(id) => {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                format!("Product already exists: '{id}'"),
                "id",
            ));
        }
        Some(id) => id.to_owned(),
        None => c.next("prod"),
    };
    let p = product(&id, &form);
    c.products.insert(id, p.clone());
    Ok(axum::Json(p))
}

async fn list_products(State(fake): State<FakeStripe>, RawQuery(q): RawQuery) -> Answer {
    let form = fake.record_form("GET", "/v1/products".into(), &q.unwrap_or_default())?;
    let limit = form["limit"].as_str().and_then(|l| l.parse().ok()).unwrap_or(10);
    let data = fake
        .catalog
        .lock()
        .products
        .values()
        .take(limit)
        .cloned()
        .collect();
    Ok(list(data, "/v1/products"))
}

async fn get_product(
    State(fake): State<FakeStripe>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer {
    fake.record_form("GET", format!("/v1/products/{id}"), &q.unwrap_or_default())?;
    let c = fake.catalog.lock();
    c.products
        .get(&id)
        .cloned()
        .map(axum::Json)
        .ok_or_else(|| missing("product", &id))
}

async fn update_product(State(fake): State<FakeStripe>, Path(id): Path<String>, body: String) -> Answer {
    let form = fake.record_form("POST", format!("/v1/products/{id}"), &body)?;
    let mut c = fake.catalog.lock();
    let p = c.products.get_mut(&id).ok_or_else(|| missing("product", &id))?;
    for field in ["name", "active"] {
        if let Some(v) = form.get(field) {
            p[field] = if field == "active" {
                json!(v == "true")
            } else {
                v.clone()
            };
        }
    }
    Ok(axum::Json(p.clone()))
}

async fn list_prices(State(fake): State<FakeStripe>, RawQuery(q): RawQuery) -> Answer {
    let form = fake.record_form("GET", "/v1/prices".into(), &q.unwrap_or_default())?;
    let keys: Vec<String> = form["lookup_keys"]
        .as_array()
        .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let active = form["active"].as_str().map(|a| a == "true");
    let c = fake.catalog.lock();
    let data = c
        .prices
        .iter()
        .filter(|p| {
            keys.is_empty()
                || p["lookup_key"]
                    .as_str()
                    .is_some_and(|k| keys.iter().any(|x| x == k))
        })
        .filter(|p| active.is_none_or(|a| p["active"] == json!(a)))
        .cloned()
        .collect();
    Ok(list(data, "/v1/prices"))
}

async fn create_price(State(fake): State<FakeStripe>, body: String) -> Answer {
    let form = fake.record_form("POST", "/v1/prices".into(), &body)?;
    let mut c = fake.catalog.lock();
    let Some(product) = form["product"].as_str().filter(|p| c.products.contains_key(*p)) else {
        let named = form["product"].as_str().unwrap_or_default();
        return Err(refused(
            StatusCode::BAD_REQUEST,
            format!("No such product: '{named}'"),
            "product",
        ));
    };
    let Some(amount) = form["unit_amount"].as_str().and_then(|a| a.parse::<i64>().ok()) else {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "Must provide unit_amount, unit_amount_decimal or custom_unit_amount.".into(),
            "unit_amount",
        ));
    };
    let key = form["lookup_key"].as_str().map(str::to_owned);
    let transfer = form["transfer_lookup_key"].as_str() == Some("true");
    if let Some(key) = &key
        && let Some(holder) = c
            .prices
            .iter_mut()
            .find(|p| p["lookup_key"].as_str() == Some(key))
    {
        if !transfer {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                format!(
                    "A price (`{}`) already uses that lookup key.",
                    holder["id"].as_str().unwrap_or_default()
                ),
                "lookup_key",
            ));
        }
        holder["lookup_key"] = Value::Null;
    }
    let recurring = form.get("recurring").map(|r| {
        json!({
            "interval": r["interval"], "interval_count": r["interval_count"].as_str().map_or(1, |n| n.parse::<i64>().unwrap_or(1)),
            "usage_type": "licensed"
        })
    });
    let id = c.next("price");
    let price = json!({
        "id": id, "object": "price", "active": true, "billing_scheme": "per_unit",
        "created": 1_790_000_000, "currency": form["currency"], "livemode": false,
        "lookup_key": key, "metadata": metadata(&form), "product": product,
        "recurring": recurring, "type": if recurring.is_some() { "recurring" } else { "one_time" },
        "unit_amount": amount, "unit_amount_decimal": amount.to_string()
    });
    c.prices.push(price.clone());
    Ok(axum::Json(price))
}

async fn update_price(State(fake): State<FakeStripe>, Path(id): Path<String>, body: String) -> Answer {
    let form = fake.record_form("POST", format!("/v1/prices/{id}"), &body)?;
    let mut c = fake.catalog.lock();
    let p = c
        .prices
        .iter_mut()
        .find(|p| p["id"] == json!(id))
        .ok_or_else(|| missing("price", &id))?;
    if let Some(a) = form["active"].as_str() {
        p["active"] = json!(a == "true");
    }
    Ok(axum::Json(p.clone()))
}

/// Stripe sends events only to addresses it can reach from the internet
/// over https.
fn reachable(url: &str) -> Result<(), (StatusCode, axum::Json<Value>)> {
    let parsed = url::Url::parse(url).ok();
    let host = parsed.as_ref().and_then(|u| u.host_str()).unwrap_or_default();
    let local = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if parsed.as_ref().is_some_and(|u| u.scheme() == "https") && !local {
        Ok(())
    } else {
        Err(refused(
            StatusCode::BAD_REQUEST,
            format!("Invalid URL: {url} must be publicly accessible and use https."),
            "url",
        ))
    }
}

fn events(form: &Value) -> Vec<Value> {
    form["enabled_events"].as_array().cloned().unwrap_or_default()
}

async fn list_endpoints(State(fake): State<FakeStripe>, RawQuery(q): RawQuery) -> Answer {
    fake.record_form("GET", "/v1/webhook_endpoints".into(), &q.unwrap_or_default())?;
    let data = fake
        .catalog
        .lock()
        .endpoints
        .iter()
        .map(|(e, _)| e.clone())
        .collect();
    Ok(list(data, "/v1/webhook_endpoints"))
}

async fn create_endpoint(State(fake): State<FakeStripe>, body: String) -> Answer {
    let form = fake.record_form("POST", "/v1/webhook_endpoints".into(), &body)?;
    let url = form["url"].as_str().unwrap_or_default().to_owned();
    reachable(&url)?;
    let mut c = fake.catalog.lock();
    let id = c.next("we");
    let secret = format!("whsec_{}", lyceum_core::signin::random_hex(16));
    let endpoint = json!({
        "id": id, "object": "webhook_endpoint", "created": 1_790_000_000,
        "description": form["description"], "enabled_events": events(&form), "livemode": false,
        "metadata": metadata(&form), "status": "enabled", "url": url
    });
    c.endpoints.push((endpoint.clone(), secret.clone()));
    let mut shown = endpoint;
    shown["secret"] = json!(secret);
    Ok(axum::Json(shown))
}

async fn update_endpoint(State(fake): State<FakeStripe>, Path(id): Path<String>, body: String) -> Answer {
    let form = fake.record_form("POST", format!("/v1/webhook_endpoints/{id}"), &body)?;
    if let Some(url) = form["url"].as_str() {
        reachable(url)?;
    }
    let mut c = fake.catalog.lock();
    let (e, _) = c
        .endpoints
        .iter_mut()
        .find(|(e, _)| e["id"] == json!(id))
        .ok_or_else(|| missing("webhook endpoint", &id))?;
    if form.get("enabled_events").is_some() {
        e["enabled_events"] = json!(events(&form));
    }
    if let Some(d) = form["disabled"].as_str() {
        e["status"] = json!(if d == "true" { "disabled" } else { "enabled" });
    }
    if let Some(url) = form["url"].as_str() {
        e["url"] = json!(url);
    }
    Ok(axum::Json(e.clone()))
}

async fn delete_endpoint(State(fake): State<FakeStripe>, Path(id): Path<String>) -> Answer {
    fake.record_form("DELETE", format!("/v1/webhook_endpoints/{id}"), "")?;
    let mut c = fake.catalog.lock();
    let before = c.endpoints.len();
    c.endpoints.retain(|(e, _)| e["id"] != json!(id));
    if c.endpoints.len() == before {
        return Err(missing("webhook endpoint", &id));
    }
    Ok(axum::Json(
        json!({"id": id, "object": "webhook_endpoint", "deleted": true}),
    ))
}
