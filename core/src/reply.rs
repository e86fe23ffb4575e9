//! Structured replies. The core decides what to say; each adapter decides how
//! it looks (plain text, an embed, an inline keyboard) via `render` or its own.

use serde::Serialize;

use crate::catalogue::CommandSpec;
use crate::config::{BadgeRule, RewardKind};
use crate::error::UserError;
use crate::periods::Board;

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
pub struct LessonView {
    pub key: String,
    pub title: String,
    pub body: String,
    pub attachments: Vec<String>,
    pub course: Option<String>,
    pub completed: bool,
    /// Points just spent to unlock it, and the balance left.
    pub spent: Option<(i64, i64)>,
    /// The same lesson on the community's pages, where members can sign in.
    pub web: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LessonState {
    Open,
    Done,
    Locked,
    /// Entitled, opening on this date.
    Opens {
        date: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct LessonLine {
    pub key: String,
    pub title: String,
    pub course: Option<String>,
    pub state: LessonState,
}

/// What a lesson's card in a channel shows everyone: enough to want it and
/// to know the price, never the lesson itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LessonCard {
    pub lesson: i64,
    pub key: String,
    pub community: String,
    pub title: String,
    pub teaser: Option<String>,
    pub course: Option<String>,
    /// The lowest tier that includes it, by name.
    pub tier: Option<String>,
    pub price: Option<String>,
    pub points: i64,
    /// When it opens, for a lesson that opens on a date.
    pub opens: Option<String>,
    /// Days after joining, for a dripped lesson.
    pub drip_days: Option<i32>,
}

/// One way to unlock a locked lesson, with what to run for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "way", rename_all = "snake_case")]
pub enum UnlockWay {
    /// Subscribe to this tier (or a higher one).
    Tier {
        key: String,
        name: String,
    },
    /// Buy the lesson on its own.
    Buy {
        price: String,
    },
    /// Buy the course it belongs to.
    Course {
        offer: String,
        name: String,
        price: String,
    },
    Points {
        cost: i64,
        balance: i64,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct QuestionLine {
    pub id: i64,
    pub asker: String,
    pub body: String,
    pub asked_at: String,
    pub points: i64,
}

/// One highlight (精华) as `/digest` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DigestItem {
    Lesson {
        id: i64,
        key: String,
        title: String,
        note: Option<String>,
    },
    Question {
        id: i64,
        question: String,
        answer: String,
        note: Option<String>,
    },
    Link {
        id: i64,
        link: String,
        note: Option<String>,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct CourseLine {
    pub key: String,
    pub name: String,
    pub done: u64,
    pub total: u64,
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
    /// Badge keys, as configured.
    pub badges: Vec<String>,
    /// The same badges by name, in the reader's language.
    pub badge_names: Vec<String>,
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
    /// A link to download one's data as JSON.
    PrivacyExport {
        url: String,
        minutes: i64,
    },
    /// What `/privacy delete confirm` would erase.
    PrivacyDeleteAsk {
        memberships: u64,
    },
    PrivacyErased {
        memberships: u64,
        /// Payment records kept without a name.
        kept: u64,
    },
    /// A one-time dashboard sign-in link.
    DashboardLink {
        url: String,
        minutes: i64,
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
    /// A lesson was posted (or edited) and its card queued for `channels`.
    LessonSaved {
        key: String,
        title: String,
        edited: bool,
        channels: usize,
    },
    LessonRemoved {
        title: String,
    },
    /// The whole lesson, for the reader alone.
    Lesson(Box<LessonView>),
    /// The reader may not read it yet; how they can.
    LessonLocked {
        key: String,
        title: String,
        teaser: Option<String>,
        ways: Vec<UnlockWay>,
    },
    Lessons {
        lines: Vec<LessonLine>,
    },
    Courses {
        courses: Vec<CourseLine>,
    },
    Course {
        course: CourseLine,
        lines: Vec<LessonLine>,
        ways: Vec<UnlockWay>,
    },
    Progress {
        courses: Vec<CourseLine>,
        done: u64,
        total: u64,
    },
    Completed {
        title: String,
        points: i64,
        balance: i64,
        badges: Vec<String>,
        course: Option<CourseLine>,
    },
    /// Lessons to read next; `personal` when the member's history chose them.
    Next {
        lines: Vec<LessonLine>,
        personal: bool,
    },
    Asked {
        id: i64,
        points: i64,
        balance: i64,
    },
    Questions {
        open: Vec<QuestionLine>,
    },
    Answered {
        id: i64,
    },
    Digest {
        items: Vec<DigestItem>,
    },
    Highlighted {
        id: i64,
    },
    Unhighlighted {
        id: i64,
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
                | Reply::DashboardLink { .. }
                | Reply::PrivacyExport { .. }
                | Reply::PrivacyDeleteAsk { .. }
                | Reply::PrivacyErased { .. }
                | Reply::CancelScheduled { .. }
                | Reply::Invite { .. }
                | Reply::CouponCreated { .. }
                | Reply::Lesson(_)
                | Reply::LessonLocked { .. }
                | Reply::Progress { .. }
                | Reply::Completed { .. }
                | Reply::Next { .. }
                | Reply::Asked { .. }
                | Reply::Questions { .. }
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
    /// For creators: a member asked something.
    NewQuestion {
        community: String,
        id: i64,
        asker: String,
        question: String,
    },
    QuestionAnswered {
        community: String,
        id: i64,
        question: String,
        answer: String,
    },
}
