//! A verified webhook body, read into the core's payment events. Only the
//! fields Lyceum needs are read, so payloads of older and newer API versions
//! both work: a subscription's period end is taken from its items (API
//! 2025-03-31 and later) or from the subscription itself (before), and an
//! invoice's subscription from `parent.subscription_details` or the old
//! top-level field.

use std::collections::HashMap;

use lyceum_core::purchases::event::{
    CheckoutCompleted, CheckoutMode, DisputeState, InvoicePayment, PaymentEvent, PaymentFact, Refs,
    SubStatus, SubscriptionSnapshot,
};
use serde::Deserialize;

pub const PROVIDER: &str = "stripe";

/// The event types Lyceum acts on; enable these on the webhook endpoint.
pub const HANDLED: &[&str] = &[
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
];

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the body is not a Stripe event: {0}")]
    NotAnEvent(serde_json::Error),
    #[error("event {id} ({kind}): its object does not have the expected shape: {source}")]
    BadObject {
        id: String,
        kind: String,
        source: serde_json::Error,
    },
}

#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created: i64,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    object: serde_json::Value,
}

/// An id, or the object it names when the field was expanded.
#[derive(Deserialize)]
#[serde(untagged)]
enum Ref {
    Id(String),
    Object { id: String },
}

impl Ref {
    fn id(self) -> String {
        match self {
            Ref::Id(id) | Ref::Object { id } => id,
        }
    }
}

fn id(r: Option<Ref>) -> Option<String> {
    r.map(Ref::id)
}

type Metadata = Option<HashMap<String, String>>;

fn refs(metadata: &Metadata, client_reference_id: Option<&str>) -> Refs {
    let get = |k: &str| metadata.as_ref().and_then(|m| m.get(k)).filter(|v| !v.is_empty());
    Refs {
        community: get("lyceum_community").cloned(),
        member: get("lyceum_member")
            .map(String::as_str)
            .or(client_reference_id)
            .and_then(|v| v.trim().parse().ok()),
        offer: get("lyceum_offer").cloned(),
    }
}

#[derive(Deserialize)]
struct PriceRef {
    id: String,
}

#[derive(Deserialize)]
struct LineItem {
    price: Option<PriceRef>,
}

#[derive(Deserialize)]
struct List<T> {
    data: Vec<T>,
}

#[derive(Deserialize)]
struct Session {
    id: String,
    mode: String,
    client_reference_id: Option<String>,
    metadata: Metadata,
    customer: Option<Ref>,
    subscription: Option<Ref>,
    payment_intent: Option<Ref>,
    payment_status: String,
    amount_total: Option<i64>,
    currency: Option<String>,
    line_items: Option<List<LineItem>>,
}

#[derive(Deserialize)]
struct SubItem {
    current_period_end: Option<i64>,
    price: Option<PriceRef>,
}

#[derive(Deserialize)]
struct Subscription {
    id: String,
    customer: Option<Ref>,
    status: String,
    metadata: Metadata,
    #[serde(default)]
    cancel_at_period_end: bool,
    cancel_at: Option<i64>,
    current_period_end: Option<i64>,
    ended_at: Option<i64>,
    trial_end: Option<i64>,
    start_date: Option<i64>,
    items: Option<List<SubItem>>,
}

#[derive(Deserialize)]
struct SubscriptionDetails {
    subscription: Option<Ref>,
    metadata: Metadata,
}

#[derive(Deserialize)]
struct InvoiceParent {
    subscription_details: Option<SubscriptionDetails>,
}

#[derive(Deserialize)]
struct PriceDetails {
    price: Option<Ref>,
}

#[derive(Deserialize)]
struct Pricing {
    price_details: Option<PriceDetails>,
}

#[derive(Deserialize)]
struct InvoiceLine {
    price: Option<PriceRef>,
    pricing: Option<Pricing>,
}

#[derive(Deserialize)]
struct Invoice {
    id: String,
    customer: Option<Ref>,
    subscription: Option<Ref>,
    parent: Option<InvoiceParent>,
    subscription_details: Option<SubscriptionDetails>,
    metadata: Metadata,
    #[serde(default)]
    amount_paid: i64,
    #[serde(default)]
    amount_due: i64,
    currency: String,
    payment_intent: Option<Ref>,
    lines: Option<List<InvoiceLine>>,
}

#[derive(Deserialize)]
struct Charge {
    id: String,
    created: Option<i64>,
    customer: Option<Ref>,
    payment_intent: Option<Ref>,
    amount: i64,
    amount_refunded: i64,
    #[serde(default)]
    refunded: bool,
    currency: String,
}

#[derive(Deserialize)]
struct Dispute {
    id: String,
    charge: Option<Ref>,
    payment_intent: Option<Ref>,
    status: String,
    amount: i64,
    currency: String,
}

fn sub_status(s: &str) -> SubStatus {
    match s {
        "trialing" => SubStatus::Trialing,
        "active" => SubStatus::Active,
        "past_due" => SubStatus::PastDue,
        "canceled" => SubStatus::Ended,
        "unpaid" | "paused" | "incomplete_expired" => SubStatus::Unpaid,
        _ => SubStatus::Incomplete,
    }
}

fn subscription(s: Subscription) -> SubscriptionSnapshot {
    let items = s.items.map(|l| l.data).unwrap_or_default();
    let item_end = items.iter().filter_map(|i| i.current_period_end).max();
    let price_id = items.into_iter().find_map(|i| i.price.map(|p| p.id));
    SubscriptionSnapshot {
        refs: refs(&s.metadata, None),
        id: s.id,
        customer: id(s.customer),
        status: sub_status(&s.status),
        price_id,
        current_period_end: item_end.or(s.current_period_end),
        // Flexible cancellation sets cancel_at rather than the flag.
        cancel_at_period_end: s.cancel_at_period_end || s.cancel_at.is_some(),
        ended_at: s.ended_at,
        trial_end: s.trial_end,
        started_at: s.start_date,
    }
}

fn invoice(i: Invoice) -> InvoicePayment {
    let details = i
        .parent
        .and_then(|p| p.subscription_details)
        .or(i.subscription_details);
    let (sub_from_parent, sub_metadata) = match details {
        Some(d) => (id(d.subscription), d.metadata),
        None => (None, None),
    };
    let mut r = refs(&sub_metadata, None);
    if r.is_empty() {
        r = refs(&i.metadata, None);
    }
    let price_id = i.lines.and_then(|l| {
        l.data.into_iter().find_map(|line| {
            line.pricing
                .and_then(|p| p.price_details)
                .and_then(|d| id(d.price))
                .or(line.price.map(|p| p.id))
        })
    });
    InvoicePayment {
        invoice: i.id,
        customer: id(i.customer),
        subscription: sub_from_parent.or(id(i.subscription)),
        refs: r,
        price_id,
        amount_minor: if i.amount_paid > 0 {
            i.amount_paid
        } else {
            i.amount_due
        },
        currency: i.currency,
        payment_ref: id(i.payment_intent),
    }
}

fn dispute_state(status: &str) -> DisputeState {
    match status {
        "won" | "warning_closed" => DisputeState::Won,
        "lost" => DisputeState::Lost,
        _ => DisputeState::Open,
    }
}

/// Reads one event. Types Lyceum does not act on become [`PaymentFact::Ignored`].
pub fn parse_event(body: &[u8]) -> Result<PaymentEvent, ParseError> {
    let env: Envelope = serde_json::from_slice(body).map_err(ParseError::NotAnEvent)?;
    let object = env.data.object;
    let bad = |source| ParseError::BadObject {
        id: env.id.clone(),
        kind: env.kind.clone(),
        source,
    };
    let fact = match env.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let s: Session = serde_json::from_value(object).map_err(bad)?;
            let mode = if s.mode == "subscription" {
                CheckoutMode::Subscription
            } else {
                CheckoutMode::Payment
            };
            PaymentFact::CheckoutCompleted(CheckoutCompleted {
                refs: refs(&s.metadata, s.client_reference_id.as_deref()),
                session: s.id,
                mode,
                customer: id(s.customer),
                subscription: id(s.subscription),
                payment_ref: id(s.payment_intent),
                price_ids: s
                    .line_items
                    .map(|l| l.data.into_iter().filter_map(|i| i.price.map(|p| p.id)).collect())
                    .unwrap_or_default(),
                paid: matches!(s.payment_status.as_str(), "paid" | "no_payment_required"),
                amount_minor: s.amount_total.unwrap_or(0),
                currency: s.currency.unwrap_or_default(),
            })
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            let s: Subscription = serde_json::from_value(object).map_err(bad)?;
            PaymentFact::Subscription(subscription(s))
        }
        "invoice.paid" | "invoice.payment_failed" => {
            let i: Invoice = serde_json::from_value(object).map_err(bad)?;
            if env.kind == "invoice.paid" {
                PaymentFact::InvoicePaid(invoice(i))
            } else {
                PaymentFact::InvoiceFailed(invoice(i))
            }
        }
        "charge.refunded" => {
            let c: Charge = serde_json::from_value(object).map_err(bad)?;
            PaymentFact::Refund {
                full: c.refunded || c.amount_refunded >= c.amount,
                charge: c.id,
                charge_created: c.created,
                payment_ref: id(c.payment_intent),
                customer: id(c.customer),
                refunded_minor: c.amount_refunded,
                currency: c.currency,
            }
        }
        "charge.dispute.created" | "charge.dispute.updated" | "charge.dispute.closed" => {
            let d: Dispute = serde_json::from_value(object).map_err(bad)?;
            PaymentFact::Dispute {
                state: dispute_state(&d.status),
                id: d.id,
                charge: id(d.charge),
                charge_created: None,
                payment_ref: id(d.payment_intent),
                customer: None,
                amount_minor: d.amount,
                currency: d.currency,
            }
        }
        _ => PaymentFact::Ignored,
    };
    Ok(PaymentEvent {
        provider: PROVIDER.to_owned(),
        id: env.id,
        event_type: env.kind,
        created: env.created,
        fact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, object: serde_json::Value) -> Vec<u8> {
        json!({"id": "evt_1", "object": "event", "type": kind, "created": 1_800_000_000, "data": {"object": object}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn reads_period_end_from_items_in_the_current_shape_and_from_the_subscription_in_the_old() {
        let current = json!({
            "id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "active",
            "metadata": {"lyceum_member": "7", "lyceum_community": "demo", "lyceum_offer": "pro-monthly"},
            "cancel_at_period_end": false, "cancel_at": null, "ended_at": null, "trial_end": null,
            "start_date": 1_790_000_000,
            "items": {"object": "list", "data": [
                {"id": "si_1", "current_period_end": 1_802_592_000, "price": {"id": "price_pro_m", "object": "price"}}
            ]}
        });
        let ev =
            parse_event(&event("customer.subscription.updated", current)).unwrap_or_else(|e| panic!("{e}"));
        let PaymentFact::Subscription(s) = ev.fact else {
            panic!("not a subscription")
        };
        assert_eq!(s.current_period_end, Some(1_802_592_000));
        assert_eq!(s.price_id.as_deref(), Some("price_pro_m"));
        assert_eq!(s.refs.member, Some(7));
        assert_eq!(s.status, SubStatus::Active);

        let old = json!({
            "id": "sub_2", "customer": {"id": "cus_2", "object": "customer"}, "status": "past_due",
            "current_period_end": 1_700_000_000, "cancel_at_period_end": true,
            "items": {"data": [{"price": {"id": "price_x"}}]}
        });
        let ev = parse_event(&event("customer.subscription.updated", old)).unwrap_or_else(|e| panic!("{e}"));
        let PaymentFact::Subscription(s) = ev.fact else {
            panic!("not a subscription")
        };
        assert_eq!(s.current_period_end, Some(1_700_000_000));
        assert_eq!(s.customer.as_deref(), Some("cus_2"));
        assert!(s.cancel_at_period_end);
        assert_eq!(s.status, SubStatus::PastDue);
    }

    #[test]
    fn reads_invoice_subscription_and_price_in_both_shapes() {
        let current = json!({
            "id": "in_1", "customer": "cus_1", "amount_paid": 1500, "currency": "usd",
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": "sub_1", "metadata": {"lyceum_member": "7"}}},
            "lines": {"data": [{"pricing": {"type": "price_details", "price_details": {"price": "price_pro_m"}}}]}
        });
        let ev = parse_event(&event("invoice.paid", current)).unwrap_or_else(|e| panic!("{e}"));
        let PaymentFact::InvoicePaid(i) = ev.fact else {
            panic!("not an invoice")
        };
        assert_eq!(i.subscription.as_deref(), Some("sub_1"));
        assert_eq!(i.price_id.as_deref(), Some("price_pro_m"));
        assert_eq!(i.refs.member, Some(7));
        assert_eq!(i.amount_minor, 1500);

        let old = json!({
            "id": "in_2", "customer": "cus_1", "subscription": "sub_9", "amount_paid": 500,
            "currency": "usd", "payment_intent": "pi_1", "lines": {"data": [{"price": {"id": "price_b"}}]}
        });
        let ev = parse_event(&event("invoice.payment_failed", old)).unwrap_or_else(|e| panic!("{e}"));
        let PaymentFact::InvoiceFailed(i) = ev.fact else {
            panic!("not an invoice")
        };
        assert_eq!(i.subscription.as_deref(), Some("sub_9"));
        assert_eq!(i.payment_ref.as_deref(), Some("pi_1"));
        assert_eq!(i.price_id.as_deref(), Some("price_b"));
    }

    #[test]
    fn checkout_falls_back_to_client_reference_id() {
        let session = json!({
            "id": "cs_1", "mode": "payment", "client_reference_id": "12", "metadata": {},
            "customer": "cus_1", "subscription": null, "payment_intent": "pi_1",
            "payment_status": "paid", "amount_total": 9900, "currency": "usd", "payment_link": "plink_1"
        });
        let ev = parse_event(&event("checkout.session.completed", session)).unwrap_or_else(|e| panic!("{e}"));
        let PaymentFact::CheckoutCompleted(c) = ev.fact else {
            panic!("not a checkout")
        };
        assert_eq!(c.refs.member, Some(12));
        assert_eq!(c.mode, CheckoutMode::Payment);
        assert!(c.paid);
        assert_eq!(c.payment_ref.as_deref(), Some("pi_1"));
    }

    #[test]
    fn refunds_and_disputes() {
        let charge = json!({"id": "ch_1", "created": 5, "customer": "cus_1", "payment_intent": "pi_1",
            "amount": 9900, "amount_refunded": 9900, "refunded": true, "currency": "usd"});
        let ev = parse_event(&event("charge.refunded", charge)).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            ev.fact,
            PaymentFact::Refund {
                full: true,
                refunded_minor: 9900,
                ..
            }
        ));
        let partial = json!({"id": "ch_2", "amount": 9900, "amount_refunded": 100, "currency": "usd"});
        let ev = parse_event(&event("charge.refunded", partial)).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(ev.fact, PaymentFact::Refund { full: false, .. }));
        let dispute = json!({"id": "dp_1", "charge": "ch_1", "payment_intent": "pi_1", "status": "lost",
            "amount": 9900, "currency": "usd"});
        let ev = parse_event(&event("charge.dispute.closed", dispute)).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            ev.fact,
            PaymentFact::Dispute {
                state: DisputeState::Lost,
                ..
            }
        ));
    }

    #[test]
    fn unknown_types_are_ignored_and_garbage_is_an_error() {
        let ev =
            parse_event(&event("plan.created", json!({"id": "plan_1"}))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ev.fact, PaymentFact::Ignored);
        assert!(matches!(
            parse_event(b"{not json"),
            Err(ParseError::NotAnEvent(_))
        ));
        assert!(matches!(
            parse_event(&event("invoice.paid", json!({"id": 5}))),
            Err(ParseError::BadObject { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn no_body_panics(body in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = parse_event(&body);
        }
    }
}
