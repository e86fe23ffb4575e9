//! The console, driven end to end through the real `lyceum` binary over
//! stdin, on every database.

#![allow(clippy::unwrap_used)]

mod support;

use support::{TestDb, assert_fails, field_strs, lyceum, run_with_input, stderr, stdout};

fn console(db: &TestDb, args: &[&str], input: &str) -> String {
    let mut all = vec!["console"];
    all.extend_from_slice(args);
    let out = run_with_input(lyceum(&db.url), &all, input);
    assert!(
        out.status.success(),
        "{}: {:?}\n{}",
        db.backend,
        out.status,
        stderr(&out)
    );
    stdout(&out)
}

#[tokio::test]
async fn a_member_and_an_admin_talk_to_the_bot() {
    for db in TestDb::all().await {
        let alice = console(
            &db,
            &["--as", "alice"],
            "/help\n\n/join\n/tiers\n/me\n/dance\n/grant console:alice vip\n/leaderboard all two\n",
        );
        for expected in [
            "/link [code] — Link your accounts",
            "Welcome to Lyceum Demo!",
            "Pro (pro) — perks: community-chat, pro-lounge; 15.00 USD / month, 150.00 USD / year",
            "Status: no membership",
            "There is no command /dance.",
            "Only admins of this community can use /grant.",
            "page must be a whole number, not \"two\".",
        ] {
            assert!(
                alice.contains(expected),
                "{}: missing {expected:?} in\n{alice}",
                db.backend
            );
        }
        assert!(
            !alice.contains("/grant <user>"),
            "members are not shown admin commands"
        );

        let admin = console(
            &db,
            &["--as", "admin"],
            "/grant console:alice pro 30\n/award console:alice 120 wrote the week's best answer\n/member console:alice\n",
        );
        for expected in [
            "console:alice now has Pro until",
            "[→ console:alice] perk granted: pro-lounge (demo)",
            "[→ console:alice] You now have Pro in Lyceum Demo until",
            "Awarded 120 points to console:alice; their balance is 120.",
            "[→ console:alice] New badge in Lyceum Demo: Contributor!",
            "tier pro, until ",
            "granted by an admin, by console:admin",
        ] {
            assert!(
                admin.contains(expected),
                "{}: missing {expected:?} in\n{admin}",
                db.backend
            );
        }

        // `--admin` makes a local operator of anyone.
        let ops = console(&db, &["--as", "ops", "--admin"], "/revoke console:alice\n");
        assert!(ops.contains("Access ended for console:alice."), "{ops}");

        let show = run_with_input(
            lyceum(&db.url),
            &["member", "show", "demo", "console:alice", "--json"],
            "",
        );
        assert!(show.status.success(), "{}", stderr(&show));
        let v: serde_json::Value = serde_json::from_str(&stdout(&show)).unwrap();
        for field in [
            "id",
            "community",
            "identities",
            "tier",
            "status",
            "access_until",
            "perks",
            "points",
            "badges",
            "history",
        ] {
            assert!(v.get(field).is_some(), "member show lacks {field}: {v}");
        }
        assert_eq!(v["community"], "demo");
        assert_eq!(v["identities"], serde_json::json!(["console:alice"]));
        assert_eq!(v["status"], "expired");
        assert_eq!(v["points"], 120);
        assert_eq!(
            field_strs(&v["history"], "cause"),
            vec!["join", "admin_grant", "admin_revoke"]
        );
        assert_eq!(v["history"][2]["actor"], "console:ops");
    }
}

#[tokio::test]
async fn the_console_speaks_simplified_chinese() {
    let db = TestDb::sqlite();
    let zh = console(
        &db,
        &["--as", "mei", "--locale", "zh-CN"],
        "/join\n/points\n/award console:mei 5 x\n",
    );
    assert!(zh.contains("欢迎加入 Lyceum 演示社群！"), "{zh}");
    assert!(zh.contains("你有 0 积分。获得积分即可登上排行榜。"), "{zh}");
    assert!(zh.contains("只有本社群的管理员才能使用 /award。"), "{zh}");

    // With no --locale, LANG is the platform locale.
    let mut cmd = lyceum(&db.url);
    cmd.env("LANG", "zh_CN.UTF-8");
    let out = run_with_input(cmd, &["console", "--as", "mei"], "/me\n");
    assert!(
        stdout(&out).contains("你在 Lyceum 演示社群 的会员资格"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn bad_console_arguments_exit_with_a_reason() {
    let db = TestDb::sqlite();
    for (args, says) in [
        (vec!["console", "--as", "Not Valid"], "--as Not Valid"),
        (
            vec!["console", "--as", "a", "--community", "nope"],
            "--community nope",
        ),
        (vec!["console", "--as", "a", "--locale", "fr"], "--locale fr"),
    ] {
        let out = run_with_input(lyceum(&db.url), &args, "");
        assert_fails(&out, 2, says);
    }
}

#[tokio::test]
async fn engagement_from_the_console() {
    for db in TestDb::all().await {
        console(&db, &["--as", "mei"], "/join\n");
        let admin = console(
            &db,
            &["--as", "admin"],
            "/award console:mei 400 helped everyone\n/award console:mei -1000 too much\n",
        );
        assert!(admin.contains("their balance is 400"), "{}: {admin}", db.backend);
        assert!(
            admin.contains("You have 400 points, which is not enough"),
            "{admin}"
        );
        let mei = console(
            &db,
            &["--as", "mei", "--locale", "zh-CN"],
            "/checkin\n/checkin\n/rank week\n/shop\n/redeem lounge-week\n/redeem lounge-week\n/leaderboard week\n/badges\n/points\n",
        );
        for expected in [
            "打卡成功！+10 积分。连续打卡 1 天",
            "你今天已经打卡了（连续 1 天）",
            "本周榜",
            "第 1 名（共 1 人）",
            "lounge-week：专业版休息室一周体验 — 300 积分",
            "已用 300 积分兑换 专业版休息室一周体验：pro-lounge 有效期至",
            "你有 110 积分，不够",
            "本周排行榜（",
            "累计 100 积分",
            "redeem：lounge-week",
        ] {
            assert!(
                mei.contains(expected),
                "{}: missing {expected:?} in\n{mei}",
                db.backend
            );
        }
    }
}

/// A creator runs a small course through the binary's console: posts, a
/// member finds it locked, buys in with points, reads, completes and asks.
#[tokio::test]
async fn a_creator_runs_a_course_in_the_console() {
    for db in TestDb::all().await {
        let teacher = console(
            &db,
            &["--as", "teacher"],
            "/lesson post intro points=30 teaser=\"Start here\" Getting started | Futures do nothing until polled.\n\
             /lesson post ch1 course=async-rust Pinning | Why a future must not move.\n",
        );
        for expected in [
            "Lesson intro posted: \"Getting started\"",
            "[→ #console:lessons] 📘 Getting started",
            "Start here",
            "30 points",
            "Press Unlock, or send /unlock intro.",
        ] {
            assert!(
                teacher.contains(expected),
                "{}: missing {expected:?} in\n{teacher}",
                db.backend
            );
        }
        assert!(
            !teacher.contains("until polled"),
            "the card never shows the lesson"
        );
        console(&db, &["--as", "bea"], "/join\n");
        console(&db, &["--as", "admin"], "/award console:bea 40 welcome\n");
        let bea = console(
            &db,
            &["--as", "bea"],
            "/unlock intro\n/unlock intro points\n/complete intro\n/complete intro\n/course async-rust\n/next\n/ask Why poll?\n",
        );
        for expected in [
            "🔒 \"Getting started\" is locked for you.",
            "spending 30 points (you have 40): /unlock intro points",
            "Unlocked for 30 points. Balance: 10.",
            "Futures do nothing until polled.",
            "✅ \"Getting started\" completed. +20 points, balance 30.",
            "New badges: First lesson done",
            "You already completed \"Getting started\".",
            "Async Rust, start to finish (async-rust): 0/1 done",
            "🔒 Pinning (ch1) — locked",
            "Your question #1 went to the creators",
        ] {
            assert!(
                bea.contains(expected),
                "{}: missing {expected:?} in\n{bea}",
                db.backend
            );
        }
        let answer = console(
            &db,
            &["--as", "teacher"],
            "/questions\n/answer 1 Because nothing else will.\n",
        );
        assert!(answer.contains("#1 bea ("), "{answer}");
        assert!(
            answer.contains("[→ console:bea] Your question #1 in Lyceum Demo was answered."),
            "{answer}"
        );

        // Every staff command is in the audit log, newest first; members'
        // commands are not.
        let out = run_with_input(lyceum(&db.url), &["audit", "demo"], "");
        assert!(out.status.success(), "{}", stderr(&out));
        let log = stdout(&out);
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 5, "{log}");
        assert!(
            lines[0].contains("console:teacher (console)  /answer  Answer { question: 1"),
            "{log}"
        );
        assert!(lines[1].contains("/questions"), "{log}");
        assert!(lines[2].contains("console:admin (console)  /award"), "{log}");
        assert!(
            lines[4].contains("/lesson post  LessonPost { lesson: Key(\"intro\")"),
            "{log}"
        );
        assert!(!log.contains("/unlock") && !log.contains("/ask"), "{log}");
    }
}
