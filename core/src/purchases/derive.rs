//! From stored payment facts to one entitlement. Pure: the same facts and the
//! same `now` always give the same answer, whatever order the facts arrived
//! in. That, plus the snapshot ordering below, is the whole convergence
//! argument.

use std::cmp::Ordering;

use super::event::SubStatus;
use crate::domain::EntitlementStatus;

pub use crate::entity::kinds::SnapshotSource;

/// The fields that decide which of two snapshots of one subscription is
/// newer: the provider's timestamp first, then a fixed preference so that
/// snapshots sharing a second still have one winner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotKey {
    pub source: SnapshotSource,
    pub at: i64,
    pub status: SubStatus,
    pub period_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub ended_at: Option<i64>,
    /// Last, so two plan changes within one second still have one winner.
    pub price: Option<String>,
}

type KeyTuple<'a> = (
    SnapshotSource,
    i64,
    SubStatus,
    Option<i64>,
    bool,
    Option<i64>,
    Option<&'a str>,
);

impl SnapshotKey {
    fn tuple(&self) -> KeyTuple<'_> {
        (
            self.source,
            self.at,
            self.status,
            self.period_end,
            self.cancel_at_period_end,
            self.ended_at,
            self.price.as_deref(),
        )
    }

    /// Whether `self` should replace `stored`.
    pub fn supersedes(&self, stored: &SnapshotKey) -> bool {
        self.tuple().cmp(&stored.tuple()) == Ordering::Greater
    }
}

/// A subscription as the derivation needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubFacts {
    pub tier_id: i64,
    pub tier_rank: i32,
    pub status: SubStatus,
    pub current_period_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub ended_at: Option<i64>,
    /// A full refund or a lost dispute took the money back.
    pub reversed: bool,
    /// Known only from a completed checkout, whose period is a guess until
    /// the subscription's own event says it.
    pub provisional: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Rules {
    pub grace_secs: i64,
    pub renewal_leeway_secs: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Derived {
    pub tier_id: i64,
    pub status: EntitlementStatus,
    pub access_until: Option<i64>,
    /// From a provisional snapshot: its date is not yet the provider's.
    pub provisional: bool,
}

fn one(s: &SubFacts, rules: Rules, now: i64) -> Derived {
    let end = s.current_period_end;
    let (status, until) = if s.reversed {
        (EntitlementStatus::Expired, Some(now.min(end.unwrap_or(now))))
    } else {
        match s.status {
            SubStatus::Incomplete => (EntitlementStatus::None, None),
            SubStatus::Trialing | SubStatus::Active if s.cancel_at_period_end => {
                (EntitlementStatus::Canceled, end)
            }
            SubStatus::Trialing => (
                EntitlementStatus::Trialing,
                end.map(|e| e.saturating_add(rules.renewal_leeway_secs)),
            ),
            SubStatus::Active => (
                EntitlementStatus::Active,
                end.map(|e| e.saturating_add(rules.renewal_leeway_secs)),
            ),
            SubStatus::PastDue => (
                EntitlementStatus::PastDue,
                Some(end.unwrap_or(now).saturating_add(rules.grace_secs)),
            ),
            SubStatus::Unpaid => (EntitlementStatus::Expired, end),
            SubStatus::Ended => (EntitlementStatus::Canceled, s.ended_at.or(end)),
        }
    };
    // Time that has run out means expired, whoever computes it and when: the
    // same rule the expiry scheduler applies.
    let status = if status.may_grant_access() && !status.has_access(until, now) {
        EntitlementStatus::Expired
    } else {
        status
    };
    Derived {
        tier_id: s.tier_id,
        status,
        access_until: until,
        provisional: s.provisional,
    }
}

/// The entitlement the member's subscriptions give at `now`: the best one
/// with access (highest tier, then longest), or else the one that ended last.
/// `None` when there is nothing to go on.
pub fn derive(subs: &[SubFacts], rules: Rules, now: i64) -> Option<Derived> {
    subs.iter()
        .map(|s| (s, one(s, rules, now)))
        .filter(|(_, d)| d.status != EntitlementStatus::None)
        .max_by_key(|(s, d)| {
            (
                d.status.has_access(d.access_until, now),
                s.tier_rank,
                d.access_until.unwrap_or(i64::MAX),
                d.tier_id,
                d.status.as_str(),
            )
        })
        .map(|(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Rules = Rules {
        grace_secs: 3 * 86_400,
        renewal_leeway_secs: 3_600,
    };

    fn sub(status: SubStatus, end: i64) -> SubFacts {
        SubFacts {
            tier_id: 1,
            tier_rank: 0,
            status,
            current_period_end: Some(end),
            cancel_at_period_end: false,
            ended_at: None,
            reversed: false,
            provisional: false,
        }
    }

    #[test]
    fn each_status_maps_to_access() {
        let now = 1_000;
        let d = |s: SubFacts| derive(&[s], RULES, now);
        assert_eq!(
            d(sub(SubStatus::Active, 5_000)).map(|d| (d.status, d.access_until)),
            Some((EntitlementStatus::Active, Some(8_600)))
        );
        let mut canceling = sub(SubStatus::Active, 5_000);
        canceling.cancel_at_period_end = true;
        assert_eq!(
            d(canceling).map(|d| (d.status, d.access_until)),
            Some((EntitlementStatus::Canceled, Some(5_000)))
        );
        assert_eq!(
            d(sub(SubStatus::PastDue, 900)).map(|d| (d.status, d.access_until)),
            Some((EntitlementStatus::PastDue, Some(900 + 3 * 86_400)))
        );
        assert_eq!(d(sub(SubStatus::Incomplete, 5_000)), None);
        let mut ended = sub(SubStatus::Ended, 5_000);
        ended.ended_at = Some(900);
        assert_eq!(d(ended).map(|d| d.status), Some(EntitlementStatus::Expired));
        let mut refunded = sub(SubStatus::Active, 5_000);
        refunded.reversed = true;
        assert_eq!(
            d(refunded).map(|d| (d.status, d.access_until)),
            Some((EntitlementStatus::Expired, Some(now)))
        );
    }

    #[test]
    fn lapsed_time_reads_as_expired() {
        let d = derive(&[sub(SubStatus::Active, 100)], RULES, 10_000);
        assert_eq!(d.map(|d| d.status), Some(EntitlementStatus::Expired));
    }

    #[test]
    fn best_subscription_wins() {
        let basic = sub(SubStatus::Active, 5_000);
        let mut pro = sub(SubStatus::Active, 4_000);
        pro.tier_id = 2;
        pro.tier_rank = 1;
        let mut old_vip = sub(SubStatus::Ended, 500);
        old_vip.tier_id = 3;
        old_vip.tier_rank = 2;
        let d = derive(&[basic, old_vip, pro], RULES, 1_000);
        assert_eq!(d.map(|d| d.tier_id), Some(2));
    }

    #[test]
    fn snapshot_keys_order_by_time_then_lifecycle() {
        let key = |at, status| SnapshotKey {
            source: SnapshotSource::Subscription,
            at,
            status,
            period_end: Some(10),
            cancel_at_period_end: false,
            ended_at: None,
            price: None,
        };
        assert!(key(2, SubStatus::Active).supersedes(&key(1, SubStatus::Ended)));
        assert!(key(1, SubStatus::Ended).supersedes(&key(1, SubStatus::Active)));
        assert!(!key(1, SubStatus::Active).supersedes(&key(1, SubStatus::Active)));
        let provisional = SnapshotKey {
            source: SnapshotSource::Checkout,
            ..key(9, SubStatus::Active)
        };
        assert!(key(1, SubStatus::Incomplete).supersedes(&provisional));
    }
}
