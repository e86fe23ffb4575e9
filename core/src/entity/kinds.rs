//! Closed sets kept in text columns, as types. Each value is stored as the
//! same text it always was, so no row migrates; a value outside the set is
//! a decoding error instead of a string that silently matches nothing.
//! `as_ref()` gives the stored text for exports and pages.

use sea_orm::entity::prelude::*;

/// Money taken back: given back by the seller, or claimed through the bank.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, strum::AsRefStr, strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum ReversalKind {
    #[sea_orm(string_value = "refund")]
    Refund,
    #[sea_orm(string_value = "dispute")]
    Dispute,
}

/// Where a reversal stands. Refunds are `Partial` or `Refunded`; disputes
/// go from `Open` to `Won` or `Lost`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, strum::AsRefStr, strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum ReversalState {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "partial")]
    Partial,
    #[sea_orm(string_value = "won")]
    Won,
    #[sea_orm(string_value = "lost")]
    Lost,
    #[sea_orm(string_value = "refunded")]
    Refunded,
}

impl ReversalState {
    /// How far along: a later event never moves a reversal back.
    pub fn rank(self) -> u8 {
        match self {
            ReversalState::Open | ReversalState::Partial => 0,
            ReversalState::Won => 1,
            ReversalState::Lost | ReversalState::Refunded => 2,
        }
    }

    /// Whether the money is gone for good, so what it bought is taken back.
    pub fn is_final(self) -> bool {
        matches!(self, ReversalState::Lost | ReversalState::Refunded)
    }
}

/// A line of the revenue ledger: money in, or money going back out.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, strum::AsRefStr, strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum RevenueKind {
    #[sea_orm(string_value = "payment")]
    Payment,
    #[sea_orm(string_value = "refund")]
    Refund,
    #[sea_orm(string_value = "dispute")]
    Dispute,
}

impl From<ReversalKind> for RevenueKind {
    fn from(k: ReversalKind) -> Self {
        match k {
            ReversalKind::Refund => RevenueKind::Refund,
            ReversalKind::Dispute => RevenueKind::Dispute,
        }
    }
}

/// Why an entitlement changed, as its history row records it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, strum::AsRefStr, strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum Cause {
    #[sea_orm(string_value = "join")]
    Join,
    #[sea_orm(string_value = "admin_grant")]
    AdminGrant,
    #[sea_orm(string_value = "admin_revoke")]
    AdminRevoke,
    #[sea_orm(string_value = "expiry")]
    Expiry,
    #[sea_orm(string_value = "link")]
    Link,
    #[sea_orm(string_value = "payment")]
    Payment,
    /// A completed checkout, before the subscription's own event gives the
    /// period: access opens at once, and the member is told when the date
    /// is the provider's.
    #[sea_orm(string_value = "checkout")]
    Checkout,
    /// The person asked for their data to be erased.
    #[sea_orm(string_value = "erasure")]
    Erasure,
}

/// Where a ledger line's points came from. Points spent (`Redeem`) lower the
/// balance only; points brought over (`Import`) count for levels and the
/// all-time board but not for the period boards.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, strum::AsRefStr, strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum LedgerSource {
    #[sea_orm(string_value = "message")]
    Message,
    #[sea_orm(string_value = "reaction_received")]
    ReactionReceived,
    #[sea_orm(string_value = "lesson_completed")]
    LessonCompleted,
    #[sea_orm(string_value = "checkin")]
    Checkin,
    #[sea_orm(string_value = "referral")]
    Referral,
    #[sea_orm(string_value = "admin_award")]
    AdminAward,
    #[sea_orm(string_value = "redeem")]
    Redeem,
    #[sea_orm(string_value = "import")]
    Import,
}

impl LedgerSource {
    /// Whether the points were earned, as against spent.
    pub fn counts_as_earned(self) -> bool {
        self != LedgerSource::Redeem
    }

    /// Whether the points count on the week's, month's and season's boards.
    pub fn counts_in_periods(self) -> bool {
        self.counts_as_earned() && self != LedgerSource::Import
    }
}

/// Why a member holds a perk outside their tier.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, strum::AsRefStr, strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum GrantSource {
    /// Reached a level that carries the perk.
    #[sea_orm(string_value = "level")]
    Level,
    /// Bought with points in the shop.
    #[sea_orm(string_value = "shop")]
    Shop,
}

/// Where an effect in the outbox stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, strum::AsRefStr, strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its turn or for a retry.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// The platform refused it for good; it will not be tried again.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// Whether what the points shop sold has been handed over. A coupon stays
/// `Pending` until the payment provider has created it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, strum::AsRefStr, strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum RedemptionStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "done")]
    Done,
}

/// A provider's subscription status, as far as access is concerned. The
/// order is the tie-break between snapshots of one second.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    strum::AsRefStr,
    strum::IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[strum(serialize_all = "snake_case")]
pub enum SubStatus {
    /// Not yet paid for (`incomplete`): no access.
    #[sea_orm(string_value = "incomplete")]
    Incomplete,
    #[sea_orm(string_value = "trialing")]
    Trialing,
    #[sea_orm(string_value = "active")]
    Active,
    /// A renewal failed and is being retried.
    #[sea_orm(string_value = "past_due")]
    PastDue,
    /// Retries ran out (`unpaid`, `paused`) or the first payment never came
    /// (`incomplete_expired`).
    #[sea_orm(string_value = "unpaid")]
    Unpaid,
    /// The subscription has ended (`canceled`).
    #[sea_orm(string_value = "ended")]
    Ended,
}

/// How a stored subscription snapshot was learned. A provider's own
/// subscription object outranks what a completed checkout let us infer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "i32", db_type = "Integer")]
pub enum SnapshotSource {
    #[sea_orm(num_value = 0)]
    Checkout,
    #[sea_orm(num_value = 1)]
    Subscription,
}

/// The stored text, so checks and pages can compare with what a row holds.
macro_rules! stored_text {
    ($($kind:ty),*) => {$(
        impl $kind {
            pub fn as_str(&self) -> &'static str {
                self.into()
            }
        }

        impl PartialEq<&str> for $kind {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::fmt::Display for $kind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
stored_text!(
    ReversalKind,
    ReversalState,
    RevenueKind,
    Cause,
    LedgerSource,
    GrantSource,
    OutboxStatus,
    RedemptionStatus,
    SubStatus
);

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    fn same_text<E: ActiveEnum<Value = String> + AsRef<str> + Iterable>() {
        for v in E::iter() {
            assert_eq!(v.to_value(), v.as_ref());
        }
    }

    #[test]
    fn shown_text_is_the_stored_text() {
        same_text::<ReversalKind>();
        same_text::<ReversalState>();
        same_text::<RevenueKind>();
        same_text::<Cause>();
        same_text::<LedgerSource>();
        same_text::<GrantSource>();
        same_text::<OutboxStatus>();
        same_text::<RedemptionStatus>();
        same_text::<SubStatus>();
    }
}
