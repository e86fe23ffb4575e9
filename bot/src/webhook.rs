//! `POST /webhooks/stripe`: verify the signature on the raw body, read the
//! event, apply it through the core, and answer so Stripe retries exactly
//! when retrying can help.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use lyceum_core::{Core, CoreError};
use lyceum_stripe::ParseError;

/// Stripe events are a few kilobytes; anything near this is not one.
pub const MAX_BODY: usize = 256 * 1024;

#[derive(Clone)]
pub struct StripeHook {
    pub core: Arc<Core>,
    pub secrets: Arc<Vec<String>>,
}

fn answer(status: StatusCode, outcome: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "outcome": outcome }))).into_response()
}

pub async fn stripe(State(hook): State<StripeHook>, headers: HeaderMap, body: Bytes) -> Response {
    if hook.secrets.is_empty() {
        return answer(StatusCode::NOT_FOUND, "stripe is not configured");
    }
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    if let Err(e) = lyceum_stripe::verify(signature, &body, &hook.secrets, hook.core.now()) {
        tracing::warn!(reason = %e, "stripe webhook refused: bad signature");
        return answer(StatusCode::BAD_REQUEST, "bad signature");
    }
    let event = match lyceum_stripe::parse_event(&body) {
        Ok(ev) => ev,
        Err(e @ ParseError::NotAnEvent(_)) => {
            tracing::error!(error = %e, "signed stripe webhook is not an event");
            return answer(StatusCode::BAD_REQUEST, "not a stripe event");
        }
        // A shape we cannot read yet: refuse, so Stripe keeps the event and
        // retries once a fixed build is deployed.
        Err(e @ ParseError::BadObject { .. }) => {
            tracing::error!(error = %e, "stripe event has an unexpected shape");
            return answer(StatusCode::UNPROCESSABLE_ENTITY, "unexpected object shape");
        }
    };
    match hook.core.apply_payment(&event).await {
        Ok(outcome) => answer(StatusCode::OK, &outcome.label()),
        Err(CoreError::Db(e)) => {
            tracing::error!(event = %event.id, error = %e, "stripe event not applied: database error; Stripe will retry");
            answer(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(e) => {
            tracing::error!(event = %event.id, error = %e, "stripe event not applied");
            answer(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// Where Checkout and the portal send people back to.
pub async fn billing_done() -> axum::response::Html<&'static str> {
    axum::response::Html(
        "<!doctype html><meta charset=utf-8><title>Lyceum</title>\
         <p>Thank you. You can close this tab and go back to the chat. \
         谢谢，你可以关闭此页面并回到聊天。</p>",
    )
}
