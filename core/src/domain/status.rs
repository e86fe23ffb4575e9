//! The entitlement status vocabulary and what each status means for access.

use std::fmt;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Stored in `entitlements.status` and in history rows as the same text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum EntitlementStatus {
    #[sea_orm(string_value = "none")]
    None,
    #[sea_orm(string_value = "trialing")]
    Trialing,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "past_due")]
    PastDue,
    #[sea_orm(string_value = "canceled")]
    Canceled,
    #[sea_orm(string_value = "expired")]
    Expired,
}

impl EntitlementStatus {
    pub const ALL: [EntitlementStatus; 6] = [
        EntitlementStatus::None,
        EntitlementStatus::Trialing,
        EntitlementStatus::Active,
        EntitlementStatus::PastDue,
        EntitlementStatus::Canceled,
        EntitlementStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntitlementStatus::None => "none",
            EntitlementStatus::Trialing => "trialing",
            EntitlementStatus::Active => "active",
            EntitlementStatus::PastDue => "past_due",
            EntitlementStatus::Canceled => "canceled",
            EntitlementStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Statuses under which access continues until `access_until`. A canceled
    /// subscription keeps access to the end of the period that was paid for;
    /// past_due keeps it while the payment is retried.
    pub fn may_grant_access(self) -> bool {
        matches!(
            self,
            EntitlementStatus::Trialing
                | EntitlementStatus::Active
                | EntitlementStatus::PastDue
                | EntitlementStatus::Canceled
        )
    }

    /// The statuses that may grant access, for queries.
    pub fn granting() -> Vec<EntitlementStatus> {
        Self::ALL.into_iter().filter(|s| s.may_grant_access()).collect()
    }

    /// Whether a member in this status, with this `access_until` (Unix seconds,
    /// `None` = open-ended), has access at `now`.
    pub fn has_access(self, access_until: Option<i64>, now: i64) -> bool {
        self.may_grant_access() && access_until.is_none_or(|until| until > now)
    }
}

impl PartialEq<&str> for EntitlementStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for EntitlementStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_status() {
        for st in EntitlementStatus::ALL {
            assert_eq!(EntitlementStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(EntitlementStatus::parse("paid"), None);
    }

    #[test]
    fn access_follows_status_and_time() {
        assert!(EntitlementStatus::Active.has_access(None, 100));
        assert!(EntitlementStatus::Active.has_access(Some(101), 100));
        assert!(!EntitlementStatus::Active.has_access(Some(100), 100));
        assert!(EntitlementStatus::Canceled.has_access(Some(200), 100));
        assert!(!EntitlementStatus::Expired.has_access(None, 100));
        assert!(!EntitlementStatus::None.has_access(None, 100));
    }
}
