//! Structured replies. The core decides what to say; each adapter decides how
//! it looks (plain text, an embed, an inline keyboard) via `render` or its own.

use serde::Serialize;

use crate::catalogue::CommandSpec;
use crate::error::UserError;

#[derive(Clone, Debug, Serialize)]
pub struct TierView {
    pub key: String,
    pub name: String,
    pub rank: i32,
    pub perks: Vec<String>,
    pub prices: Vec<PriceView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PriceView {
    pub offer: String,
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    /// Human form such as `19.99 USD`.
    pub display: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct HistoryEntry {
    pub at: String,
    pub from_status: String,
    pub to_status: String,
    pub from_tier: Option<String>,
    pub to_tier: Option<String>,
    pub access_until: Option<String>,
    pub cause: String,
    pub actor: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberView {
    pub id: i64,
    pub community: String,
    pub identities: Vec<String>,
    pub tier: Option<String>,
    pub tier_name: Option<String>,
    pub status: String,
    pub access_until: Option<String>,
    pub has_access: bool,
    pub perks: Vec<String>,
    pub points: i64,
    pub badges: Vec<String>,
    pub history: Vec<HistoryEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LeaderEntry {
    pub rank: u64,
    pub name: String,
    pub points: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BadgeView {
    pub key: String,
    pub name: String,
    pub points: i64,
}

#[derive(Clone, Debug)]
pub enum Reply {
    Help {
        commands: Vec<&'static CommandSpec>,
    },
    Tiers {
        community: String,
        tiers: Vec<TierView>,
    },
    Joined {
        community: String,
        already: bool,
    },
    Me(Box<MemberView>),
    Points {
        balance: i64,
        rank: Option<u64>,
    },
    Leaderboard {
        page: u32,
        pages: u32,
        entries: Vec<LeaderEntry>,
    },
    Badges {
        earned: Vec<BadgeView>,
        open: Vec<BadgeView>,
    },
    LinkCode {
        code: String,
        minutes: i64,
    },
    Linked {
        identities: Vec<String>,
    },
    Granted {
        identity: String,
        tier: String,
        access_until: Option<String>,
    },
    Revoked {
        identity: String,
    },
    Awarded {
        identity: String,
        points: i64,
        balance: i64,
    },
    Member(Box<MemberView>),
    /// A hosted checkout page for `offer`.
    Checkout {
        offer: String,
        price: String,
        trial_days: Option<u32>,
        url: String,
    },
    Portal {
        url: String,
    },
    CancelScheduled {
        tier: String,
        until: Option<String>,
    },
    Invite {
        code: String,
        referred: u64,
    },
    CouponCreated {
        code: String,
        percent: u32,
        months: Option<u32>,
    },
    Refunded {
        identity: String,
        amount: String,
    },
    Refused(UserError),
    /// Something failed on our side; the details are in the log, not the chat.
    Internal,
}

impl Reply {
    /// Personal replies (billing, one's own status, codes, refusals) should
    /// be shown privately where the platform allows it.
    pub fn is_private(&self) -> bool {
        matches!(
            self,
            Reply::Me(_)
                | Reply::Member(_)
                | Reply::LinkCode { .. }
                | Reply::Points { .. }
                | Reply::Checkout { .. }
                | Reply::Portal { .. }
                | Reply::CancelScheduled { .. }
                | Reply::Invite { .. }
                | Reply::CouponCreated { .. }
                | Reply::Refused(_)
        )
    }
}

/// A message the outbox carries to a person, rendered in their locale on delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    AccessGranted {
        community: String,
        tier: String,
        access_until: Option<String>,
    },
    AccessEnded {
        community: String,
        tier: String,
    },
    /// A renewal failed; access continues in grace until `grace_until`.
    PaymentFailed {
        community: String,
        tier: String,
        grace_until: Option<String>,
        /// A link that opens the billing portal; without one, `/billing`.
        #[serde(default)]
        portal_url: Option<String>,
    },
    /// Access ends soon and will not renew.
    RenewalReminder {
        community: String,
        tier: String,
        access_until: String,
        days: u32,
    },
    PointsAwarded {
        community: String,
        points: i64,
        reason: String,
        balance: i64,
    },
    BadgeEarned {
        community: String,
        badge: String,
    },
}
