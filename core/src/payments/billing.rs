//! What the core asks of a payment provider. The Stripe adapter implements
//! it; the core never holds a provider client.

use async_trait::async_trait;

use crate::domain::Locale;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutRequest {
    pub community: String,
    pub member_id: i64,
    pub offer_key: String,
    pub price: CheckoutPrice,
    /// A subscription (tier) rather than a one-off payment.
    pub subscription: bool,
    /// Free days before the first charge; only offered once per person.
    pub trial_days: Option<u32>,
    /// The member's existing provider customer, so history stays in one place.
    pub customer: Option<String>,
    pub locale: Locale,
    /// Where the buyer goes afterwards, when not the provider's defaults
    /// (a checkout started on a community's public page).
    pub back: Option<Return>,
}

/// The pages a checkout returns the buyer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Return {
    pub success: String,
    pub cancel: String,
}

/// What a checkout charges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckoutPrice {
    /// A price set up at the provider (tiers and configured offers).
    Id(String),
    /// A one-off price described at checkout: lessons posted in chat have
    /// no price at the provider.
    Inline {
        name: String,
        amount_minor: i64,
        currency: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponRequest {
    pub community: String,
    /// What members type at checkout.
    pub code: String,
    pub percent_off: u32,
    /// How many monthly invoices it applies to; `None` for the first only.
    pub months: Option<u32>,
    pub actor: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BillingError {
    /// The provider refused the request; the message is the provider's.
    #[error("refused by the payment provider: {0}")]
    Refused(String),
    /// The provider could not be reached or failed; worth trying again later.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

/// Who paid a charge, and when: what a dispute does not say by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargeOwner {
    pub customer: Option<String>,
    pub created: i64,
}

#[async_trait]
pub trait Billing: Send + Sync {
    /// The provider name stored with its records, e.g. `stripe`.
    fn provider(&self) -> &'static str;
    /// A hosted checkout page's URL.
    async fn checkout(&self, req: &CheckoutRequest) -> Result<String, BillingError>;
    /// A customer self-service portal URL.
    async fn portal(&self, customer: &str, locale: Locale) -> Result<String, BillingError>;
    async fn cancel_at_period_end(&self, subscription: &str) -> Result<(), BillingError>;
    /// Creates the coupon and a promotion code for it; returns the coupon id.
    async fn create_coupon(&self, req: &CouponRequest) -> Result<String, BillingError>;
    /// A lasting link that opens a fresh portal session for the member when
    /// followed (portal sessions themselves expire within minutes).
    fn portal_link(&self, _member_id: i64, _now: i64) -> Option<String> {
        None
    }
    /// Looks up a charge, for disputes, whose payloads name no customer.
    async fn charge_owner(&self, _charge: &str) -> Result<Option<ChargeOwner>, BillingError> {
        Ok(None)
    }
}
