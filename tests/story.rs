//! The story of one community, told once and run on SQLite and PostgreSQL:
//! join → grant → award points → leaderboard → revoke → history explains each
//! step; then expiry, linking accounts, and refusals that change nothing.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use lyceum::{db, settings};
use lyceum_core::clock::ManualClock;
use lyceum_core::entity::kinds::LedgerSource;
use lyceum_core::entity::outbox;
use lyceum_core::{Core, Invoker, Reply, UserError};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::TestDb;
use support::world::{DAY, T0, World};

fn causes(v: &lyceum_core::reply::MemberView) -> Vec<&str> {
    v.history.iter().map(|h| h.cause.as_str()).collect()
}

async fn story(db: TestDb) {
    let w = World::new(&db).await;
    let backend = db.backend;

    // Join.
    let joined = w.say("console:alice", "/join").await;
    assert!(
        matches!(joined.reply, Reply::Joined { already: false, .. }),
        "{backend}: {joined:?}"
    );
    let again = w.say("console:alice", "/join").await;
    assert!(matches!(again.reply, Reply::Joined { already: true, .. }));

    // Grant: perks go out through the outbox to the console adapter.
    let granted = w.say("console:admin", "/grant console:alice pro 30").await;
    assert!(
        matches!(granted.reply, Reply::Granted { .. }),
        "{backend}: {granted:?}"
    );
    let effects = w.deliver().await;
    assert!(
        effects
            .iter()
            .any(|e| e.contains("console:alice") && e.contains("pro-lounge")),
        "{effects:?}"
    );
    assert!(effects.iter().any(|e| e.contains("community-chat")));
    let alice = w.view("console:alice").await;
    assert_eq!(alice.status, "active");
    assert_eq!(alice.tier.as_deref(), Some("pro"));
    assert_eq!(alice.perks, vec!["community-chat", "pro-lounge"]);
    assert_eq!(
        alice.access_until.as_deref(),
        Some(lyceum_core::clock::iso(T0 + 30 * DAY).as_str())
    );

    // Points, badges and the leaderboard.
    w.say("console:bob", "/join").await;
    let awarded = w
        .say(
            "console:admin",
            "/award console:alice 150 answered the hard question",
        )
        .await;
    assert!(
        matches!(awarded.reply, Reply::Awarded { balance: 150, .. }),
        "{awarded:?}"
    );
    w.say("console:admin", "/award console:bob 20 first post").await;
    w.say("console:admin", "/award console:bob 5 kind reply").await;
    let effects = w.deliver().await;
    assert!(effects.iter().any(|e| e.contains("Contributor")), "{effects:?}");
    let board = w.say("console:bob", "/leaderboard").await;
    let Reply::Leaderboard { entries, pages, .. } = &board.reply else {
        panic!("{board:?}")
    };
    assert_eq!(*pages, 1);
    let top: Vec<(&str, i64)> = entries.iter().map(|e| (e.name.as_str(), e.points)).collect();
    assert_eq!(top, vec![("console:alice", 150), ("console:bob", 25)]);
    let bob_points = w.say("console:bob", "/points").await;
    assert!(
        matches!(
            bob_points.reply,
            Reply::Points {
                balance: 25,
                rank: Some(2),
                ..
            }
        ),
        "{bob_points:?}"
    );
    let alice_badges = w.view("console:alice").await.badges;
    assert_eq!(alice_badges, vec!["first-points", "contributor"]);

    // Revoke, and the history explains every step.
    let revoked = w.say("console:admin", "/revoke console:alice").await;
    assert!(matches!(revoked.reply, Reply::Revoked { .. }), "{revoked:?}");
    let effects = w.deliver().await;
    assert!(
        effects.iter().any(|e| e.contains("perk removed: pro-lounge")),
        "{effects:?}"
    );
    let alice = w.view("console:alice").await;
    assert_eq!(alice.status, "expired");
    assert!(alice.perks.is_empty());
    assert_eq!(alice.points, 150, "revoking access keeps points");
    assert_eq!(causes(&alice), vec!["join", "admin_grant", "admin_revoke"]);
    assert_eq!(alice.history[1].actor.as_deref(), Some("console:admin"));
    let member = w.say("console:admin", "/member console:alice").await;
    assert!(member.text().contains("revoked by an admin"), "{}", member.text());
    let again = w.say("console:admin", "/revoke console:alice").await;
    assert!(matches!(
        again.reply,
        Reply::Refused(UserError::NothingToRevoke { .. })
    ));

    // Expiry: time passes, the scheduler ends access and says why.
    w.say("console:admin", "/grant console:bob basic 1").await;
    w.deliver().await;
    w.clock.advance(DAY - 1);
    assert_eq!(w.core.expire_due().await.unwrap(), 0);
    w.clock.advance(1);
    assert_eq!(w.core.expire_due().await.unwrap(), 1);
    let effects = w.deliver().await;
    assert!(
        effects
            .iter()
            .any(|e| e.contains("console:bob") && e.contains("perk removed: community-chat"))
    );
    let bob = w.view("console:bob").await;
    assert_eq!((bob.status.as_str(), bob.has_access), ("expired", false));
    assert_eq!(causes(&bob).last(), Some(&"expiry"));

    // Refusals change nothing.
    let before = w.rows().await;
    for (who, line) in [
        ("console:bob", "/grant console:bob vip"),
        ("console:admin", "/grant console:bob gold"),
        ("console:admin", "/award console:bob -50 more than bob has"),
        ("console:admin", "/award console:bob 0 nothing"),
        (
            "console:admin",
            "/award console:bob 200000 over the community's limit",
        ),
        ("console:admin", "/award console:bob 9999999999999999999999 nope"),
        ("console:admin", "/award console:nobody 5 who"),
        ("console:admin", "/award bob 5 who"),
        ("console:carol", "/me"),
        ("console:carol", "/dance"),
    ] {
        let out = w.say(who, line).await;
        assert!(matches!(out.reply, Reply::Refused(_)), "{line}: {out:?}");
    }
    assert_eq!(
        w.rows().await,
        before,
        "{backend}: a refused command wrote something"
    );

    // Linking: a code from alice's console account, redeemed on Discord.
    let code = w.link_code("console:alice").await;
    let linked = w
        .say("discord:4242", &format!("/link {}", code.to_lowercase()))
        .await;
    assert!(matches!(linked.reply, Reply::Linked { .. }), "{linked:?}");
    let alice = w.view("discord:4242").await;
    assert_eq!(alice.identities, vec!["console:alice", "discord:4242"]);
    assert_eq!(causes(&alice).last(), Some(&"link"));
    let reused = w.say("discord:777", &format!("/link {code}")).await;
    assert!(matches!(reused.reply, Reply::Refused(UserError::LinkCodeUsed)));
    let wrong = w.say("discord:777", "/link NOTACODE").await;
    assert!(matches!(wrong.reply, Reply::Refused(UserError::LinkCodeInvalid)));
    let code = w.link_code("console:bob").await;
    w.clock.advance(601);
    let late = w.say("telegram:99", &format!("/link {code}")).await;
    assert!(matches!(late.reply, Reply::Refused(UserError::LinkCodeExpired)));

    // One payment (here a grant) now reaches both of alice's platforms.
    w.say("console:admin", "/grant discord:4242 vip").await;
    let discord_rows = outbox::Entity::find()
        .filter(outbox::Column::Platform.eq("discord"))
        .filter(outbox::Column::Kind.eq("grant_perk"))
        .count(w.core.db())
        .await
        .unwrap();
    assert_eq!(discord_rows, 3, "vip perks queued for the linked Discord account");
    let console = w.deliver().await;
    assert!(
        console
            .iter()
            .any(|e| e.contains("console:alice") && e.contains("office-hours"))
    );
    let pending_discord = outbox::Entity::find()
        .filter(outbox::Column::Platform.eq("discord"))
        .filter(outbox::Column::Status.eq("pending"))
        .count(w.core.db())
        .await
        .unwrap();
    assert!(
        pending_discord >= 3,
        "effects for a platform with no adapter wait, not fail"
    );
}

#[tokio::test]
async fn story_on_every_database() {
    for db in TestDb::all().await {
        story(db).await;
    }
}

#[tokio::test]
async fn linking_merges_two_members_of_one_community() {
    for db in TestDb::all().await {
        let w = World::new(&db).await;
        // Both accounts joined separately and earned points; the Telegram
        // one has the better entitlement.
        w.say("console:dana", "/join").await;
        w.say("telegram:55", "/join").await;
        w.say("console:admin", "/award console:dana 30 a").await;
        w.say("console:admin", "/award telegram:55 80 b").await;
        w.say("console:admin", "/grant telegram:55 pro").await;
        w.deliver().await;
        let code = w.link_code("console:dana").await;
        let linked = w.say("telegram:55", &format!("/link {code}")).await;
        assert!(matches!(linked.reply, Reply::Linked { .. }), "{linked:?}");
        let dana = w.view("console:dana").await;
        assert_eq!(dana.identities, vec!["console:dana", "telegram:55"]);
        assert_eq!(dana.points, 110, "ledgers are combined");
        assert_eq!(dana.tier.as_deref(), Some("pro"), "the better entitlement wins");
        let effects = w.deliver().await;
        assert!(
            effects
                .iter()
                .any(|e| e.contains("console:dana") && e.contains("perk granted: pro-lounge")),
            "the console account gains the perks it now shares: {effects:?}"
        );
        let same = w.say("console:dana", "/link").await;
        let Reply::LinkCode { code, .. } = same.reply else {
            panic!()
        };
        let again = w.say("telegram:55", &format!("/link {code}")).await;
        assert!(matches!(again.reply, Reply::Refused(UserError::AlreadyLinked)));
        let code = w.link_code("console:dana").await;
        let second_telegram = w.say("telegram:56", &format!("/link {code}")).await;
        assert!(
            matches!(
                second_telegram.reply,
                Reply::Refused(UserError::PlatformAlreadyLinked { .. })
            ),
            "{second_telegram:?}"
        );
    }
}

#[tokio::test]
async fn linking_keeps_the_questions_the_merged_account_asked() {
    for db in TestDb::all().await {
        let w = World::new(&db).await;
        w.say("console:ivy", "/join").await;
        w.say("telegram:57", "/join").await;
        w.say("console:admin", "/award telegram:57 30 a").await;
        let asked = w.say("telegram:57", "/ask How do I start?").await;
        assert!(matches!(asked.reply, Reply::Asked { .. }), "{asked:?}");
        let code = w.link_code("console:ivy").await;
        let linked = w.say("telegram:57", &format!("/link {code}")).await;
        assert!(matches!(linked.reply, Reply::Linked { .. }), "{linked:?}");
        let open = w.say("console:teacher", "/questions").await;
        let Reply::Questions { open } = &open.reply else {
            panic!("{open:?}")
        };
        assert_eq!(open.len(), 1, "the question survives the merge: {open:?}");
        assert_eq!(open[0].body, "How do I start?");
    }
}

#[tokio::test]
async fn replies_follow_the_platform_locale_then_the_community_default() {
    let db = TestDb::sqlite();
    let w = World::new(&db).await;
    let mut zh = Invoker::new("console:mei".parse().unwrap());
    zh.locale = Some(lyceum_core::domain::Locale::ZhCn);
    let out = w.core.handle_line("demo", &zh, "/join").await;
    assert!(out.text().contains("欢迎加入"), "{}", out.text());
    // The locale is remembered, so a later command without one still speaks Chinese.
    let plain = Invoker::new("console:mei".parse().unwrap());
    let me = w.core.handle_line("demo", &plain, "/points").await;
    assert!(me.text().contains("积分"), "{}", me.text());
    let en = w.say("console:sam", "/points").await;
    assert!(en.text().contains("not a member"), "{}", en.text());

    // What the outbox carries to her is in her language too, names included.
    w.say("console:admin", "/grant console:mei pro").await;
    w.say("console:admin", "/award console:mei 3 welcome").await;
    let effects = w.deliver().await;
    assert!(
        effects
            .iter()
            .any(|e| e.contains("你在 Lyceum 演示社群 获得了 专业版")),
        "{effects:?}"
    );
    assert!(
        effects.iter().any(|e| e.contains("获得新徽章：初获积分")),
        "{effects:?}"
    );
}

#[tokio::test]
async fn a_balance_that_would_overflow_is_refused_and_nothing_is_written() {
    use lyceum_core::engage::rules::settle::award_points;
    for db in TestDb::all().await {
        let w = World::new(&db).await;
        w.say("console:max", "/join").await;
        w.say("console:admin", "/award console:max 5 start").await;
        let ctx = w.core.community("demo").unwrap();
        let id = lyceum_core::store::people::find_identity(w.core.db(), &"console:max".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let m = lyceum_core::store::membership::find_member(w.core.db(), ctx.id, id.person_id)
            .await
            .unwrap()
            .unwrap();
        let before = w.rows().await;
        let refused = award_points(
            w.core.db(),
            ctx,
            &m,
            i64::MAX,
            LedgerSource::AdminAward,
            "too much",
            T0,
        )
        .await;
        assert!(
            matches!(
                refused,
                Err(lyceum_core::CoreError::User(UserError::BalanceOverflow))
            ),
            "{}: {refused:?}",
            db.backend
        );
        assert_eq!(w.rows().await, before);
        assert_eq!(w.view("console:max").await.points, 5);
    }
}

#[tokio::test]
async fn a_restart_with_changed_config_retires_removed_tiers_but_keeps_history() {
    for db in TestDb::all().await {
        let w = World::new(&db).await;
        w.say("console:admin", "/grant console:vic vip").await;
        drop(w);

        let conn = db::open_and_migrate(&db.url).await.unwrap();
        let mut communities = settings::load(None).unwrap().communities;
        communities[0].tiers.retain(|t| t.key.as_str() != "vip");
        communities[0]
            .offers
            .retain(|o| o.tier.as_ref().is_none_or(|k| k.as_str() != "vip"));
        let core = Core::start(conn, &communities, Arc::new(ManualClock::at(T0)))
            .await
            .unwrap();
        let admin = Invoker::new("console:admin".parse().unwrap());

        let tiers = core.handle_line("demo", &admin, "/tiers").await;
        let Reply::Tiers { tiers, .. } = &tiers.reply else {
            panic!("{tiers:?}")
        };
        let keys: Vec<&str> = tiers.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, vec!["basic", "pro"], "{}", db.backend);
        let grant = core.handle_line("demo", &admin, "/grant console:vic vip").await;
        assert!(
            matches!(&grant.reply, Reply::Refused(UserError::UnknownTier { available, .. }) if available == "basic, pro")
        );
        let view = core
            .member_view("demo", &"console:vic".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(
            view.tier.as_deref(),
            Some("vip"),
            "history and current state still name the retired tier"
        );
        let shown = core.community_view("demo").await.unwrap();
        assert!(shown.offers.iter().all(|o| o.tier.as_deref() != Some("vip")));
    }
}
