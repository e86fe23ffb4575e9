//! Every reply and notice renders in both languages; long replies split.

use super::samples::{member, replies_and_notices};
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

#[test]
fn every_reply_and_notice_renders_with_known_keys_in_both_locales() {
    let (replies, notices) = replies_and_notices();
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
