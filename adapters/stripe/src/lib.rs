//! Stripe for Lyceum. Outbound: Checkout and Customer Portal sessions,
//! cancellations and coupons through async-stripe ([`StripeBilling`]).
//! Setup: its own products, prices and webhook endpoint ([`catalog`],
//! [`endpoint`]).
//! Inbound: webhook signature verification ([`signature`]) and translation
//! of events into the core's payment events ([`parse`]). Serving the
//! endpoint is the binary's job; this crate has no HTTP server.

pub mod catalog;
mod client;
pub mod endpoint;
pub mod links;
pub mod parse;
pub mod signature;

pub use catalog::{Catalog, Interval, Placed, Wanted};
pub use client::{ReturnUrls, StripeBilling};
pub use endpoint::Registered;
pub use links::PortalLinks;
pub use parse::{HANDLED, PROVIDER, ParseError, parse_event};
pub use signature::{SignatureError, verify};

/// Reads Stripe bodies stored in the core's payment inbox.
pub struct InboxDecoder;

impl lyceum_core::inbox::EventDecoder for InboxDecoder {
    fn provider(&self) -> &str {
        PROVIDER
    }

    fn decode(&self, body: &str) -> Result<lyceum_core::payments::PaymentEvent, String> {
        parse_event(body.as_bytes()).map_err(|e| e.to_string())
    }
}
