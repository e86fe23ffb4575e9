//! Every reply and notice renders in both languages; long replies split.

use super::*;
use crate::domain::EntitlementStatus;
use crate::error::UserError;
use crate::i18n::has_own_text;

#[test]
fn long_replies_are_split_not_cut() {
    let text = "line\n".repeat(1000);
    let parts = split(&text, 2000);
    assert!(parts.iter().all(|p| p.chars().count() <= 2000));
    assert_eq!(parts.concat(), text);
    let one = "字".repeat(4500);
    let parts = split(&one, 2000);
    assert_eq!(parts.len(), 3);
    assert_eq!(parts.concat(), one);
    assert_eq!(split("short", 2000), vec!["short"]);
}

#[test]
fn every_status_cause_and_refusal_has_text() {
    for st in EntitlementStatus::ALL {
        assert!(has_own_text(Locale::En, &format!("status-{st}")), "{st}");
    }
    for cause in [
        "join",
        "admin_grant",
        "admin_revoke",
        "expiry",
        "link",
        "payment",
        "checkout",
    ] {
        assert!(has_own_text(Locale::En, &format!("cause-{cause}")), "{cause}");
    }
    let refusals = [
        UserError::NotMember,
        UserError::LinkCodeUsed,
        UserError::UnknownTier {
            key: "gold".into(),
            available: "basic, pro".into(),
        },
    ];
    for e in refusals {
        assert!(has_own_text(Locale::En, e.key()));
        let zh = reply(Locale::ZhCn, chrono_tz::UTC, "演示", &Reply::Refused(e.clone()));
        let en = reply(Locale::En, chrono_tz::UTC, "Demo", &Reply::Refused(e));
        assert!(!zh.is_empty() && zh != en);
        assert!(
            !zh.contains('{') && !en.contains('{'),
            "unfilled placeholder: {en} / {zh}"
        );
    }
}

fn member() -> MemberView {
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

#[test]
fn every_reply_and_notice_renders_with_known_keys_in_both_locales() {
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
        Reply::Leaderboard {
            board: Board::AllTime,
            span: None,
            page: 1,
            pages: 1,
            entries: vec![crate::reply::LeaderEntry {
                rank: 1,
                name: "a".into(),
                points: 3,
            }],
        },
        Reply::Leaderboard {
            board: Board::Season,
            span: Some(("2026-10-01".into(), "2026-12-30".into())),
            page: 1,
            pages: 1,
            entries: vec![crate::reply::LeaderEntry {
                rank: 1,
                name: "a".into(),
                points: 3,
            }],
        },
        Reply::Leaderboard {
            board: Board::Week,
            span: None,
            page: 1,
            pages: 1,
            entries: vec![],
        },
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
        Reply::Internal,
    ];
    let notices = [
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
    ];
    for locale in Locale::ALL {
        let texts = replies
            .iter()
            .map(|r| reply(locale, chrono_tz::UTC, "D", r))
            .chain(notices.iter().map(|n| notice(locale, n)));
        for text in texts {
            assert!(!text.contains("Unknown localization key"), "{locale}: {text}");
            assert!(!text.trim().is_empty());
        }
    }
}

#[test]
fn replies_write_dates_for_people_in_the_communitys_zone() {
    let card = Reply::Member(Box::new(member()));
    let zh = reply(Locale::ZhCn, chrono_tz::Asia::Shanghai, "演示", &card);
    assert!(zh.contains("2030年1月1日"), "{zh}");
    assert!(zh.contains("2029年1月1日 08:00"), "{zh}");
    let en = reply(Locale::En, chrono_tz::America::New_York, "Demo", &card);
    // Midnight UTC is still the evening before in New York.
    assert!(en.contains("31 December 2029"), "{en}");
    assert!(en.contains("31 December 2028, 19:00"), "{en}");
    for text in [&zh, &en] {
        assert!(!text.contains("T00:00:00Z"), "{text}");
    }
}

#[test]
fn counts_take_their_plural_and_refusals_say_what_is_needed() {
    use crate::config::BadgeRule;
    assert_eq!(engage::rule(Locale::En, BadgeRule::Points(1)), "reach 1 point");
    assert_eq!(
        engage::rule(Locale::En, BadgeRule::Points(100)),
        "reach 100 points"
    );
    assert_eq!(
        engage::rule(Locale::En, BadgeRule::Lessons(1)),
        "complete a lesson"
    );
    assert_eq!(engage::rule(Locale::En, BadgeRule::Checkins(1)), "check in once");
    let poor = Reply::Refused(UserError::NotEnoughPoints {
        balance: 1,
        needed: 300,
    });
    let en = reply(Locale::En, chrono_tz::UTC, "Demo", &poor);
    assert!(
        en.starts_with("You have 1 point, which is not enough: this needs 300."),
        "{en}"
    );
    let zh = reply(Locale::ZhCn, chrono_tz::UTC, "演示", &poor);
    assert!(zh.contains("这需要 300 积分"), "{zh}");
}

#[test]
fn me_shows_badges_by_name() {
    let mut m = member();
    m.badges = vec!["first-points".into()];
    m.badge_names = vec!["First points".into()];
    let text = reply(Locale::En, chrono_tz::UTC, "Demo", &Reply::Me(Box::new(m)));
    assert!(
        text.contains("First points") && !text.contains("first-points"),
        "{text}"
    );
}
