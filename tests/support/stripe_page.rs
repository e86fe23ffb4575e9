//! The fake Stripe's hosted checkout page: what a buyer sees at a session's
//! `url`. Paying sends the webhooks Stripe sends for that session, signed,
//! in Stripe's order, and then goes to its `success_url`; going back goes
//! to its `cancel_url`.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::Value;

use super::stripe::{self as fake, FakeStripe, Sub};

/// The wall clock in seconds, as Stripe dates events.
pub fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// What the session sells, as its page shows it.
fn summary(form: &HashMap<String, String>) -> String {
    let item = form
        .get("line_items[0][price]")
        .cloned()
        .or_else(|| form.get("line_items[0][price_data][product_data][name]").cloned())
        .unwrap_or_default();
    format!("{item} ({})", form.get("mode").cloned().unwrap_or_default())
}

pub async fn show(State(fake): State<FakeStripe>, Path(id): Path<String>) -> Response {
    let Some(form) = fake.session(&id) else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>This checkout session does not exist</h1>"),
        )
            .into_response();
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><title>Checkout</title><main><h1>Pay Lyceum</h1><p>{}</p>\
         <form method=\"post\"><button name=\"action\" value=\"pay\">Pay</button>\
         <button name=\"action\" value=\"back\">Back</button></form></main></html>",
        summary(&form)
    ))
    .into_response()
}

#[derive(serde::Deserialize)]
pub struct Answer {
    action: String,
}

/// The events Stripe sends once session `id` is paid.
fn events(id: &str, form: &HashMap<String, String>) -> Vec<(String, Vec<u8>)> {
    let t = now();
    let member: i64 = form
        .get("metadata[lyceum_member]")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let offer = form.get("metadata[lyceum_offer]").cloned().unwrap_or_default();
    let customer = form
        .get("customer")
        .cloned()
        .unwrap_or_else(|| format!("cus_{id}"));
    let objects: Vec<(&str, Value)> = if form.get("mode").map(String::as_str) == Some("subscription") {
        let sub_id = format!("sub_{id}");
        let price = form.get("line_items[0][price]").cloned().unwrap_or_default();
        let sub = Sub {
            id: &sub_id,
            customer: &customer,
            status: "active",
            price: &price,
            period_end: t + 30 * 86_400,
            cancel_at_period_end: false,
            ended_at: None,
            member: Some(member),
            offer: Some(&offer),
            start: t,
        };
        vec![
            (
                "checkout.session.completed",
                fake::checkout_subscription(id, member, &offer, &customer, &sub_id),
            ),
            ("customer.subscription.created", fake::subscription(&sub)),
            (
                "invoice.paid",
                fake::invoice_paid(&format!("in_{id}"), &customer, &sub_id, &price, 1_500),
            ),
        ]
    } else {
        let amount = form
            .get("line_items[0][price_data][unit_amount]")
            .and_then(|a| a.parse().ok())
            .unwrap_or(4_900);
        vec![(
            "checkout.session.completed",
            fake::checkout_payment(id, member, &offer, &customer, &format!("pi_{id}"), amount),
        )]
    };
    (0_i64..)
        .zip(objects)
        .map(|(n, (kind, object))| {
            let event = format!("evt_{id}_{n}");
            let body = fake::event(&event, kind, t + n, object);
            (event, body)
        })
        .collect()
}

pub async fn answer(
    State(fake): State<FakeStripe>,
    Path(id): Path<String>,
    axum::Form(answer): axum::Form<Answer>,
) -> Response {
    let Some(form) = fake.session(&id) else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>This checkout session does not exist</h1>"),
        )
            .into_response();
    };
    if answer.action != "pay" {
        return Redirect::to(form.get("cancel_url").map_or("/", String::as_str)).into_response();
    }
    let Some(url) = fake.webhook_url() else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the test set no webhook endpoint",
        )
            .into_response();
    };
    let success = form.get("success_url").cloned().unwrap_or_default();
    let sent = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        events(&id, &form)
            .into_iter()
            .map(|(_, body)| fake::post_signed(&agent, &url, &body).0)
            .collect::<Vec<u16>>()
    })
    .await
    .unwrap();
    if sent.iter().any(|s| *s != 200) {
        return (StatusCode::BAD_GATEWAY, format!("webhooks answered {sent:?}")).into_response();
    }
    Redirect::to(&success).into_response()
}
