//! Closed sets kept in text columns, as types. Each value is stored as the
//! same text it always was, so no row migrates; a value outside the set is
//! a decoding error instead of a string that silently matches nothing.
//! `as_ref()` gives the stored text for exports and pages.

use sea_orm::entity::prelude::*;

/// Money taken back: given back by the seller, or claimed through the bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, strum::AsRefStr)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, strum::AsRefStr)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, strum::AsRefStr)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, strum::AsRefStr)]
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
    }
}
