//! Payments and the access lifecycle: provider events in, entitlements out.
//! Providers are adapters; this module only sees [`PaymentEvent`]s and asks
//! for checkouts through the [`Billing`] trait. The records themselves
//! (purchases, subscriptions, reversals) are kept by [`crate::purchases`].

mod apply;
mod billing;
mod recompute;
pub mod referrals;
pub mod revenue;

pub use crate::purchases::event::{PaymentEvent, PaymentFact};
pub(crate) use apply::Applier;
pub use apply::EventOutcome;
pub use billing::{
    Billing, BillingError, ChargeOwner, CheckoutPrice, CheckoutRequest, CouponRequest, Return,
};
pub(crate) use recompute::{Why, recompute};
