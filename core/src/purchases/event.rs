//! What a payment provider told us, in the core's words. Adapters translate
//! their webhooks into these; the core never sees a provider's JSON.

use crate::entity::kinds::ReversalState;

/// The ids a checkout carries so a payment can be tied to a member: the
/// metadata contract (`lyceum_community`, `lyceum_member`, `lyceum_offer`)
/// and `client_reference_id`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refs {
    pub community: Option<String>,
    pub member: Option<i64>,
    pub offer: Option<String>,
}

impl Refs {
    pub fn is_empty(&self) -> bool {
        self.community.is_none() && self.member.is_none() && self.offer.is_none()
    }
}

pub use crate::entity::kinds::SubStatus;

/// One subscription as of `at` (the provider's own timestamp).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionSnapshot {
    pub id: String,
    pub customer: Option<String>,
    pub refs: Refs,
    pub status: SubStatus,
    pub price_id: Option<String>,
    pub current_period_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub ended_at: Option<i64>,
    pub trial_end: Option<i64>,
    /// When the subscription began (Stripe's `start_date`).
    pub started_at: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckoutMode {
    Subscription,
    Payment,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutCompleted {
    pub session: String,
    pub mode: CheckoutMode,
    pub refs: Refs,
    pub customer: Option<String>,
    pub subscription: Option<String>,
    pub payment_ref: Option<String>,
    /// Price ids of the line items, when the provider includes them.
    pub price_ids: Vec<String>,
    /// Whether the money has arrived (`payment_status` paid or no payment
    /// required, as for a trial).
    pub paid: bool,
    pub amount_minor: i64,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoicePayment {
    pub invoice: String,
    pub customer: Option<String>,
    pub subscription: Option<String>,
    pub refs: Refs,
    pub price_id: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub payment_ref: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DisputeState {
    Open,
    Won,
    Lost,
}

impl DisputeState {
    pub fn reversal_state(self) -> ReversalState {
        match self {
            DisputeState::Open => ReversalState::Open,
            DisputeState::Won => ReversalState::Won,
            DisputeState::Lost => ReversalState::Lost,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentFact {
    CheckoutCompleted(CheckoutCompleted),
    Subscription(SubscriptionSnapshot),
    InvoicePaid(InvoicePayment),
    InvoiceFailed(InvoicePayment),
    /// Money given back on a charge. `full` when nothing of it is left.
    Refund {
        charge: String,
        charge_created: Option<i64>,
        payment_ref: Option<String>,
        customer: Option<String>,
        refunded_minor: i64,
        currency: String,
        full: bool,
    },
    Dispute {
        id: String,
        charge: Option<String>,
        charge_created: Option<i64>,
        payment_ref: Option<String>,
        customer: Option<String>,
        state: DisputeState,
        amount_minor: i64,
        currency: String,
    },
    /// An event type the core has no use for; recorded so a repeat is known.
    Ignored,
}

/// One delivery from a provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentEvent {
    pub provider: String,
    pub id: String,
    /// The provider's name for the event type, kept for the record.
    pub event_type: String,
    /// When the provider says the event happened (Unix seconds).
    pub created: i64,
    pub fact: PaymentFact,
}
