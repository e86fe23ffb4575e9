//! `POST /webhooks/stripe`: verify the signature on the raw body, read the
//! event, store it in the core's payment inbox, and answer so Stripe
//! retries exactly when retrying can help. The inbox worker applies it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lyceum_core::inbox::Delivery;
use lyceum_core::{Core, CoreError};
use lyceum_stripe::{ParseError, PortalLinks};
use parking_lot::{Mutex, RwLock};

/// Stripe events are a few kilobytes; anything near this is not one.
pub const MAX_BODY: usize = 256 * 1024;

#[derive(Clone)]
pub struct StripeHook {
    pub core: Arc<Core>,
    /// The secrets configured, then the one `lyceum stripe setup` kept
    /// when the server started.
    pub secrets: Arc<Vec<String>>,
    pub kept: Arc<KeptSecret>,
    pub links: Option<PortalLinks>,
}

/// Shortest time between two reads of the kept secret, so forged
/// signatures cannot turn into a database read each.
const REREAD_AFTER: Duration = Duration::from_secs(10);

/// The endpoint secret a setup run kept after this server started (on this
/// instance or another), read again when a signature does not verify.
#[derive(Default)]
pub struct KeptSecret {
    secret: RwLock<Option<String>>,
    read_at: Mutex<Option<Instant>>,
}

impl KeptSecret {
    fn get(&self) -> Option<String> {
        self.secret.read().clone()
    }

    /// Reads the kept secret again unless that was done lately; whether a
    /// new one was found.
    async fn reread(&self, core: &Core) -> bool {
        {
            let mut at = self.read_at.lock();
            if at.is_some_and(|t| t.elapsed() < REREAD_AFTER) {
                return false;
            }
            *at = Some(Instant::now());
        }
        let found = match core.endpoint_secret(lyceum_stripe::PROVIDER).await {
            Ok(found) => found.map(|(_, secret)| secret),
            Err(e) => {
                tracing::warn!(error = %e, "the kept Stripe endpoint secret could not be read");
                return false;
            }
        };
        let mut secret = self.secret.write();
        let new = found.is_some() && *secret != found;
        if new {
            *secret = found;
        }
        new
    }
}

impl StripeHook {
    fn verify(&self, signature: Option<&str>, body: &[u8]) -> Result<(), lyceum_stripe::SignatureError> {
        let mut secrets = self.secrets.to_vec();
        secrets.extend(self.kept.get());
        lyceum_stripe::verify(signature, body, &secrets, self.core.now())
    }
}

fn answer(status: StatusCode, outcome: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "outcome": outcome }))).into_response()
}

pub async fn stripe(State(hook): State<StripeHook>, headers: HeaderMap, body: Bytes) -> Response {
    if hook.secrets.is_empty() {
        return answer(StatusCode::NOT_FOUND, "stripe is not configured");
    }
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    let mut verified = hook.verify(signature, &body);
    if verified.is_err() && hook.kept.reread(&hook.core).await {
        verified = hook.verify(signature, &body);
    }
    if let Err(e) = verified {
        tracing::warn!(reason = %e, "stripe webhook refused: bad signature");
        hook.core.metrics().webhook("stripe", "rejected");
        return answer(StatusCode::BAD_REQUEST, "bad signature");
    }
    let event = match lyceum_stripe::parse_event(&body) {
        Ok(ev) => ev,
        Err(e @ ParseError::NotAnEvent(_)) => {
            tracing::error!(error = %e, "signed stripe webhook is not an event");
            hook.core.metrics().webhook("stripe", "rejected");
            return answer(StatusCode::BAD_REQUEST, "not a stripe event");
        }
        // A shape we cannot read yet: refuse, so Stripe keeps the event and
        // retries once a fixed build is deployed.
        Err(e @ ParseError::BadObject { .. }) => {
            tracing::error!(error = %e, "stripe event has an unexpected shape");
            hook.core.metrics().webhook("stripe", "rejected");
            return answer(StatusCode::UNPROCESSABLE_ENTITY, "unexpected object shape");
        }
    };
    // The body was checked as UTF-8 JSON by the parse above.
    let delivery = Delivery {
        provider: event.provider,
        event_id: event.id,
        event_type: event.event_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let event_id = delivery.event_id.clone();
    match hook.core.accept_payment(delivery).await {
        Ok(accepted) => answer(StatusCode::OK, accepted.label()),
        Err(e) => {
            tracing::error!(event = %event_id, error = %e, "stripe event not stored: database error; Stripe will retry");
            hook.core.metrics().webhook("stripe", "failed");
            answer(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

fn page(status: StatusCode, en: &str, zh: &str) -> Response {
    let html = format!("<!doctype html><meta charset=utf-8><title>Lyceum</title><p>{en}</p><p>{zh}</p>");
    (status, axum::response::Html(html)).into_response()
}

/// A lasting link from a grace notice: opens a fresh portal session.
pub async fn portal(
    State(hook): State<StripeHook>,
    Path((member, expires, tag)): Path<(i64, i64, String)>,
) -> Response {
    let Some(links) = &hook.links else {
        return page(
            StatusCode::NOT_FOUND,
            "Payments are not set up here.",
            "此处未开通支付。",
        );
    };
    if !links.check(member, expires, &tag, hook.core.now()) {
        return page(
            StatusCode::FORBIDDEN,
            "This link is not valid any more. Send /billing in the chat for a new one.",
            "此链接已失效。请在聊天中发送 /billing 获取新链接。",
        );
    }
    match hook.core.portal_for_member(member).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(CoreError::User(_)) => page(
            StatusCode::NOT_FOUND,
            "There is no billing account for this link.",
            "此链接没有对应的账单账户。",
        ),
        Err(e) => {
            tracing::warn!(member, error = %e, "portal link could not open a session");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The payment provider cannot be reached right now. Please try again in a few minutes.",
                "暂时无法连接支付服务，请几分钟后再试。",
            )
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
