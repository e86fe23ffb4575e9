//! One of every reply, notice and refusal, for the rendering tests and
//! the snapshots of their wording in each language.

use super::*;
use crate::error::UserError;
use crate::reply::{CourseLine, DigestItem, LessonLine, LessonState, LessonView, QuestionLine, UnlockWay};

pub(super) fn member() -> MemberView {
    MemberView {
        id: 7,
        community: "demo".into(),
        identities: vec!["console:a".into()],
        tier: Some("pro".into()),
        tier_name: Some("Pro".into()),
        status: "active".into(),
        access_until: Some("2030-01-01T00:00:00Z".into()),
        has_access: true,
        perks: vec!["lounge".into()],
        points: 5,
        badges: vec![],
        badge_names: vec![],
        history: vec![HistoryEntry {
            at: "2029-01-01T00:00:00Z".into(),
            from_status: "none".into(),
            to_status: "active".into(),
            from_tier: None,
            to_tier: Some("pro".into()),
            access_until: None,
            cause: "admin_grant".into(),
            actor: Some("console:admin".into()),
            note: Some("30 days".into()),
        }],
    }
}

fn course() -> CourseLine {
    CourseLine {
        key: "basics".into(),
        name: "Basics".into(),
        done: 1,
        total: 4,
    }
}

fn lesson_lines() -> Vec<LessonLine> {
    let line = |key: &str, state| LessonLine {
        key: key.into(),
        title: key.to_uppercase(),
        course: Some("Basics".into()),
        state,
    };
    vec![
        line("intro", LessonState::Done),
        line("setup", LessonState::Open),
        line("deep", LessonState::Locked),
        line(
            "later",
            LessonState::Opens {
                date: "2030-01-01T00:00:00Z".into(),
            },
        ),
    ]
}

fn ways() -> Vec<UnlockWay> {
    vec![
        UnlockWay::Tier {
            key: "pro".into(),
            name: "Pro".into(),
        },
        UnlockWay::Buy {
            price: "9.99 USD".into(),
        },
        UnlockWay::Course {
            offer: "basics".into(),
            name: "Basics".into(),
            price: "49.00 USD".into(),
        },
        UnlockWay::Points {
            cost: 300,
            balance: 40,
        },
    ]
}

/// Every reply variant (some in more than one shape) and every notice.
pub(super) fn replies_and_notices() -> (Vec<Reply>, Vec<Notice>) {
    use crate::config::{BadgeRule, RewardKind};
    use crate::periods::Board;
    use crate::reply::{BadgeView, Delivered, LedgerLine, RankView, RewardView};
    let rules = [
        BadgeRule::Points(3),
        BadgeRule::Level(2),
        BadgeRule::Streak(7),
        BadgeRule::Checkins(30),
        BadgeRule::Lessons(1),
        BadgeRule::WeeklyTop(10),
        BadgeRule::FirstPayment,
        BadgeRule::EarlySupporter(100),
    ];
    let badges: Vec<BadgeView> = rules
        .into_iter()
        .map(|rule| BadgeView {
            key: "b".into(),
            name: "B".into(),
            rule,
        })
        .collect();
    let rank = |place| RankView {
        name: "王小明".into(),
        board: Board::Week,
        place,
        board_points: 40,
        level: 3,
        into_level: 10,
        level_needs: 255,
        balance: 12,
        streak: 4,
        badges: 2,
    };
    let key = |s: &str| crate::domain::Key::parse(s).unwrap_or_else(|e| panic!("{e}"));
    let rewards = vec![
        RewardView {
            key: "lounge".into(),
            name: "Lounge".into(),
            price: 100,
            left: Some(3),
            kind: RewardKind::Perk {
                perk: key("lounge"),
                days: 7,
            },
        },
        RewardView {
            key: "course".into(),
            name: "Course".into(),
            price: 900,
            left: Some(0),
            kind: RewardKind::Offer { offer: key("course") },
        },
        RewardView {
            key: "off".into(),
            name: "10% off".into(),
            price: 500,
            left: None,
            kind: RewardKind::Coupon {
                percent: 10,
                months: None,
            },
        },
    ];
    let redeemed = |delivered| Reply::Redeemed {
        reward: "R".into(),
        price: 5,
        balance: 1,
        delivered,
    };
    let leaderboard = |board, span, shown: u64| Reply::Leaderboard {
        board,
        span,
        page: 1,
        pages: 1,
        entries: (1..=shown)
            .map(|rank| crate::reply::LeaderEntry {
                rank,
                name: "a".into(),
                points: 3,
            })
            .collect(),
    };
    let replies = vec![
        Reply::Help {
            commands: crate::catalogue::CATALOGUE.iter().collect(),
        },
        Reply::Tiers {
            community: "D".into(),
            tiers: vec![],
        },
        Reply::Joined {
            community: "D".into(),
            already: false,
        },
        Reply::Joined {
            community: "D".into(),
            already: true,
        },
        Reply::Me(Box::new(member())),
        Reply::Member(Box::new(member())),
        Reply::Points {
            balance: 3,
            rank: None,
            level: 0,
            recent: vec![],
        },
        Reply::Points {
            balance: 3,
            rank: Some(2),
            level: 1,
            recent: vec![LedgerLine {
                at: "x".into(),
                delta: -2,
                source: "redeem".into(),
                reason: "r".into(),
            }],
        },
        leaderboard(Board::AllTime, None, 1),
        leaderboard(Board::Season, Some(("2026-10-01".into(), "2026-12-30".into())), 1),
        leaderboard(Board::Week, None, 0),
        Reply::Rank(Box::new(rank(Some((2, 9))))),
        Reply::Rank(Box::new(rank(None))),
        Reply::CheckedIn {
            points: 12,
            streak: 2,
            best: 5,
            balance: 40,
            badges: vec!["Streaker".into()],
        },
        Reply::Shop {
            balance: 40,
            rewards: rewards.clone(),
        },
        Reply::Shop {
            balance: 40,
            rewards: vec![],
        },
        redeemed(Delivered::Perk {
            perk: "lounge".into(),
            until: "x".into(),
        }),
        redeemed(Delivered::Offer {
            name: "Course".into(),
        }),
        redeemed(Delivered::Coupon {
            code: "PTS-ABC".into(),
            percent: 10,
            months: None,
            pending: false,
        }),
        redeemed(Delivered::Coupon {
            code: "PTS-ABC".into(),
            percent: 10,
            months: None,
            pending: true,
        }),
        Reply::Badges {
            earned: badges.clone(),
            open: badges,
        },
        Reply::Badges {
            earned: vec![],
            open: vec![],
        },
        Reply::LinkCode {
            code: "ABCD2345".into(),
            minutes: 10,
        },
        Reply::Linked {
            identities: vec!["console:a".into()],
        },
        Reply::Granted {
            identity: "console:a".into(),
            tier: "Pro".into(),
            access_until: None,
        },
        Reply::Granted {
            identity: "console:a".into(),
            tier: "Pro".into(),
            access_until: Some("x".into()),
        },
        Reply::Revoked {
            identity: "console:a".into(),
        },
        Reply::Awarded {
            identity: "console:a".into(),
            points: 1,
            balance: 2,
        },
        Reply::Checkout {
            offer: "Pro".into(),
            price: "15.00 USD".into(),
            trial_days: None,
            url: "https://checkout.example/x".into(),
        },
        Reply::Checkout {
            offer: "Pro".into(),
            price: "15.00 USD".into(),
            trial_days: Some(7),
            url: "https://checkout.example/x".into(),
        },
        Reply::Portal { url: "u".into() },
        Reply::CancelScheduled {
            tier: "Pro".into(),
            until: Some("x".into()),
        },
        Reply::CancelScheduled {
            tier: "Pro".into(),
            until: None,
        },
        Reply::Invite {
            code: "R1ABC".into(),
            referred: 2,
        },
        Reply::CouponCreated {
            code: "SPRING".into(),
            percent: 20,
            months: None,
        },
        Reply::CouponCreated {
            code: "SPRING".into(),
            percent: 20,
            months: Some(3),
        },
        Reply::Refunded {
            identity: "telegram:1".into(),
            amount: "250 XTR".into(),
        },
        Reply::PrivacyExport {
            url: "https://lyceum.example/privacy/x".into(),
            minutes: 60,
        },
        Reply::PrivacyDeleteAsk { memberships: 2 },
        Reply::PrivacyErased {
            memberships: 2,
            kept: 1,
        },
        Reply::DashboardLink {
            url: "https://lyceum.example/dashboard/x".into(),
            minutes: 15,
        },
        Reply::LessonSaved {
            key: "intro".into(),
            title: "Intro".into(),
            edited: false,
            channels: 1,
        },
        Reply::LessonSaved {
            key: "intro".into(),
            title: "Intro".into(),
            edited: true,
            channels: 0,
        },
        Reply::LessonRemoved {
            title: "Intro".into(),
        },
        Reply::Lesson(Box::new(LessonView {
            key: "intro".into(),
            title: "Intro".into(),
            body: "Welcome.".into(),
            attachments: vec!["https://cdn.example/a.pdf".into()],
            course: Some("Basics".into()),
            completed: false,
            spent: Some((50, 10)),
            web: Some("https://lyceum.example/c/demo/read/intro".into()),
        })),
        Reply::LessonLocked {
            key: "deep".into(),
            title: "Deep dive".into(),
            teaser: Some("What is inside".into()),
            ways: ways(),
        },
        Reply::Lessons {
            lines: lesson_lines(),
        },
        Reply::Lessons { lines: vec![] },
        Reply::Courses {
            courses: vec![course()],
        },
        Reply::Course {
            course: course(),
            lines: lesson_lines(),
            ways: ways(),
        },
        Reply::Progress {
            courses: vec![course()],
            done: 1,
            total: 4,
        },
        Reply::Completed {
            title: "Intro".into(),
            points: 10,
            balance: 60,
            badges: vec!["Reader".into()],
            course: Some(course()),
        },
        Reply::Next {
            lines: lesson_lines(),
            personal: true,
        },
        Reply::Next {
            lines: vec![],
            personal: false,
        },
        Reply::Asked {
            id: 4,
            points: 5,
            balance: 20,
        },
        Reply::Questions {
            open: vec![QuestionLine {
                id: 4,
                asker: "Alice".into(),
                body: "How do I start?".into(),
                asked_at: "2029-01-01T00:00:00Z".into(),
                points: 5,
            }],
        },
        Reply::Questions { open: vec![] },
        Reply::Answered { id: 4 },
        Reply::Digest {
            items: vec![
                DigestItem::Lesson {
                    id: 1,
                    key: "intro".into(),
                    title: "Intro".into(),
                    note: Some("Start here".into()),
                },
                DigestItem::Question {
                    id: 2,
                    question: "How do I start?".into(),
                    answer: "Read the intro.".into(),
                    note: None,
                },
                DigestItem::Link {
                    id: 3,
                    link: "https://example.org/".into(),
                    note: None,
                },
            ],
        },
        Reply::Digest { items: vec![] },
        Reply::Highlighted { id: 3 },
        Reply::Unhighlighted { id: 3 },
        Reply::Internal,
    ];
    let notices = vec![
        Notice::AccessGranted {
            community: "D".into(),
            tier: "Pro".into(),
            access_until: None,
        },
        Notice::AccessGranted {
            community: "D".into(),
            tier: "Pro".into(),
            access_until: Some("x".into()),
        },
        Notice::AccessEnded {
            community: "D".into(),
            tier: "Pro".into(),
        },
        Notice::PointsAwarded {
            community: "D".into(),
            points: 1,
            reason: "r".into(),
            balance: 1,
        },
        Notice::BadgeEarned {
            community: "D".into(),
            badge: "B".into(),
        },
        Notice::LevelUp {
            community: "D".into(),
            level: 3,
        },
        Notice::PaymentFailed {
            community: "D".into(),
            tier: "Pro".into(),
            grace_until: Some("x".into()),
            portal_url: None,
        },
        Notice::PaymentFailed {
            community: "D".into(),
            tier: "Pro".into(),
            grace_until: Some("x".into()),
            portal_url: Some("https://x".into()),
        },
        Notice::RenewalReminder {
            community: "D".into(),
            tier: "Pro".into(),
            access_until: "x".into(),
            days: 3,
        },
        Notice::NewQuestion {
            community: "D".into(),
            id: 4,
            asker: "Alice".into(),
            question: "How do I start?".into(),
        },
        Notice::QuestionAnswered {
            community: "D".into(),
            id: 4,
            question: "How do I start?".into(),
            answer: "Read the intro.".into(),
        },
    ];
    (replies, notices)
}

/// Every refusal, with placeholder values named after their fields.
pub(super) fn refusals() -> Vec<UserError> {
    vec![
        UserError::UnknownCommand { name: "name".into() },
        UserError::UnknownOption {
            command: "command".into(),
            option: "option".into(),
        },
        UserError::MissingOption {
            command: "command".into(),
            option: "option".into(),
        },
        UserError::TooManyArguments {
            command: "command".into(),
        },
        UserError::NotAnInteger {
            option: "option".into(),
            value: "value".into(),
        },
        UserError::IntegerOutOfRange {
            option: "option".into(),
            min: 3,
            max: 3,
        },
        UserError::TextTooLong {
            option: "option".into(),
            max: 3,
        },
        UserError::BadIdentity {
            input: "input".into(),
        },
        UserError::NotAdmin {
            command: "command".into(),
        },
        UserError::UnknownCommunity { slug: "slug".into() },
        UserError::NotMember,
        UserError::UnknownMember {
            identity: "console:alice".into(),
        },
        UserError::UnknownTier {
            key: "key".into(),
            available: "basic, pro".into(),
        },
        UserError::BalanceOverflow,
        UserError::NothingToRevoke {
            identity: "console:alice".into(),
        },
        UserError::LinkCodeInvalid,
        UserError::LinkCodeExpired,
        UserError::LinkCodeUsed,
        UserError::AlreadyLinked,
        UserError::PlatformAlreadyLinked {
            platform: "discord".into(),
        },
        UserError::BadCode {
            option: "option".into(),
        },
        UserError::BadChoice {
            option: "option".into(),
            value: "value".into(),
            choices: "week, month".into(),
        },
        UserError::UnknownOffer {
            key: "key".into(),
            available: "basic, pro".into(),
        },
        UserError::PaymentsDisabled,
        UserError::NotForSale { name: "name".into() },
        UserError::AlreadySubscribed { tier: "tier".into() },
        UserError::AlreadyOwned { name: "name".into() },
        UserError::NoBillingAccount,
        UserError::DashboardOff,
        UserError::StillSubscribed,
        UserError::NoSubscription,
        UserError::AlreadyCanceling {
            until: "2030-01-01T00:00:00Z".into(),
        },
        UserError::BillingRefused {
            message: "message".into(),
        },
        UserError::BillingUnavailable,
        UserError::ReferralInvalid { code: "code".into() },
        UserError::SelfReferral,
        UserError::ReferralTooLate,
        UserError::UnknownPayment {
            payment: "payment".into(),
        },
        UserError::NotEnoughPoints {
            balance: 3,
            needed: 3,
        },
        UserError::AwardTooLarge { max: 3 },
        UserError::AlreadyCheckedIn { streak: 3 },
        UserError::UnknownReward {
            key: "key".into(),
            available: "basic, pro".into(),
        },
        UserError::OutOfStock { name: "name".into() },
        UserError::UnknownBoard {
            input: "input".into(),
        },
        UserError::NotCreator {
            command: "command".into(),
        },
        UserError::BadLessonKey { key: "key".into() },
        UserError::UnknownLesson {
            key: "key".into(),
            available: "basic, pro".into(),
        },
        UserError::LessonRemoved {
            title: "title".into(),
        },
        UserError::LessonExists { key: "key".into() },
        UserError::UnknownCourse {
            key: "key".into(),
            available: "basic, pro".into(),
        },
        UserError::BadPrice {
            input: "input".into(),
            currency: "USD".into(),
        },
        UserError::BadOpens {
            input: "input".into(),
        },
        UserError::OpensInPast {
            date: "2030-01-01T00:00:00Z".into(),
        },
        UserError::OpensTooLate { max_days: 3 },
        UserError::BadAttachment {
            input: "input".into(),
        },
        UserError::NotOpenYet {
            title: "title".into(),
            opens: "2030-01-01T00:00:00Z".into(),
        },
        UserError::NotForPoints {
            title: "title".into(),
        },
        UserError::AlreadyUnlocked {
            title: "title".into(),
        },
        UserError::NotUnlocked {
            title: "title".into(),
        },
        UserError::AlreadyCompleted {
            title: "title".into(),
        },
        UserError::NothingToEdit,
        UserError::UnknownQuestion { id: 3 },
        UserError::AlreadyAnswered { id: 3 },
        UserError::NotAnswered { id: 3 },
        UserError::UnknownHighlight { id: 3 },
        UserError::BadHighlight { item: "item".into() },
    ]
}
