//! Structured replies. The core decides what to say; each adapter decides how
//! it looks (plain text, an embed, an inline keyboard) via `render` or its own.

use serde::Serialize;

use crate::catalogue::CommandSpec;
use crate::config::{BadgeRule, RewardKind};
use crate::engage::periods::Board;
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

#[derive(Clone, Debug)]
pub struct BadgeView {
    pub key: String,
    pub name: String,
    pub rule: BadgeRule,
}

/// One ledger entry as a member sees it.
#[derive(Clone, Debug, Serialize)]
pub struct LedgerLine {
    pub at: String,
    pub delta: i64,
    pub source: String,
    pub reason: String,
}

/// Where someone stands: what `/rank` and the rank card show.
#[derive(Clone, Debug)]
pub struct RankView {
    pub name: String,
    pub board: Board,
    /// Position and board size, if they have points on this board.
    pub place: Option<(u64, u64)>,
    pub board_points: i64,
    pub level: u32,
    pub into_level: i64,
    pub level_needs: i64,
    pub balance: i64,
    pub streak: i32,
    pub badges: usize,
}

#[derive(Clone, Debug)]
pub struct RewardView {
    pub key: String,
    pub name: String,
    pub price: i64,
    /// Left in stock, when stock is limited.
    pub left: Option<u64>,
    pub kind: RewardKind,
}

/// What a redemption delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivered {
    Perk {
        perk: String,
        until: String,
    },
    Offer {
        name: String,
    },
    /// A promotion code; `pending` while the payment provider is unreachable
    /// (it is created and sent as soon as it is back).
    Coupon {
        code: String,
        percent: u32,
        months: Option<u32>,
        pending: bool,
    },
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
        level: u32,
        recent: Vec<LedgerLine>,
    },
    Leaderboard {
        board: Board,
        /// First and last day of the period, for all but the all-time board.
        span: Option<(String, String)>,
        page: u32,
        pages: u32,
        entries: Vec<LeaderEntry>,
    },
    Rank(Box<RankView>),
    CheckedIn {
        points: i64,
        streak: i32,
        best: i32,
        balance: i64,
        badges: Vec<String>,
    },
    Shop {
        balance: i64,
        rewards: Vec<RewardView>,
    },
    Redeemed {
        reward: String,
        price: i64,
        balance: i64,
        delivered: Delivered,
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
                | Reply::Redeemed { .. }
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
    LevelUp {
        community: String,
        level: u32,
    },
}
