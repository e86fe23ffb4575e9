//! Engagement across restarts and crashes, on every database: daily caps
//! rebuilt from the ledger, points still owed to score rows (SQLite) found
//! again and counted once, and levels stored for many members at once.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::Reply;
use lyceum_core::config::Community;
use lyceum_core::domain::Key;
use lyceum_core::engage::rules::{Decision, Refusal};
use lyceum_core::periods::Board;
use support::TestDb;
use support::points::{act, books_of, capped, msg, score_row, steady};
use support::world::{DAY, World};

/// A second core on the world's database and clock, as a restart starts.
async fn started_again(w: &World, tweak: fn(&mut Community)) -> lyceum_core::Core {
    let mut communities = lyceum::settings::load(None).unwrap().communities;
    tweak(&mut communities[0]);
    lyceum_core::Core::start(
        w.core.db().clone(),
        &communities,
        std::sync::Arc::new(w.clock.clone()),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn daily_caps_survive_a_restart_and_yesterday_does_not_count() {
    for db in TestDb::all().await {
        let w = World::with(&db, capped).await;
        w.say("console:alice", "/join").await;
        for _ in 0..2 {
            act(&w, "console:alice", msg(40)).await;
        }
        w.clock.advance(DAY);
        for _ in 0..2 {
            act(&w, "console:alice", msg(40)).await;
        }
        w.core.flush_activity().await;

        // A second core on the same database finds today's 20 points (and
        // not yesterday's), so only 5 more fit under the cap of 25.
        let again = started_again(&w, capped).await;
        let alice = "console:alice".parse().unwrap();
        let first = again.activity("demo", &alice, msg(40)).await.unwrap();
        assert!(
            matches!(first, Some(Decision::Award { points: 5, .. })),
            "{}: {first:?}",
            db.backend
        );
        let second = again.activity("demo", &alice, msg(40)).await.unwrap();
        assert_eq!(second, Some(Decision::Refused(Refusal::DailyCap { cap: 25 })));
    }
}

/// A process that committed awards and died before they reached the score
/// rows (SQLite keeps them owed for a few seconds): the next start finds
/// them in the backlog, shows them at once and folds them in exactly once.
#[test]
fn owed_points_survive_a_crash_and_count_once() {
    let main = tokio::runtime::Runtime::new().unwrap();
    for db in main.block_on(TestDb::all()) {
        std::thread::scope(|s| {
            s.spawn(|| {
                let doomed = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                doomed.block_on(async {
                    let w = World::with(&db, steady).await;
                    w.say("console:alice", "/join").await;
                    w.say("console:bob", "/join").await;
                    // First points reach a badge, so they are settled at
                    // once; the next ones are owed.
                    for who in ["console:alice", "console:bob"] {
                        act(&w, who, msg(40)).await;
                    }
                    w.core.engagement().flush().await;
                    for who in ["console:alice", "console:alice", "console:bob"] {
                        act(&w, who, msg(40)).await;
                    }
                    // Committed, not folded; then every task stops at once.
                    w.core.engagement().flush().await;
                    std::mem::forget(w);
                });
                doomed.shutdown_background();
            });
        });
        main.block_on(async {
            let w = World::with(&db, steady).await;
            let ctx = w.core.community("demo").unwrap().clone();
            let alice = w.view("console:alice").await.id;
            let place = w.core.engagement().place(&ctx, Board::AllTime, alice);
            assert_eq!(place.map(|p| p.points), Some(30), "{}", db.backend);
            let out = w.say("console:alice", "/points").await;
            let Reply::Points { balance, .. } = out.reply else {
                panic!("{:?}", out.reply)
            };
            assert_eq!(balance, 30, "{}", db.backend);
            w.core.flush_activity().await;
            assert_eq!(
                books_of(&w, "console:alice").await,
                (30, 30, 30),
                "{}",
                db.backend
            );
            assert_eq!(books_of(&w, "console:bob").await, (20, 20, 20), "{}", db.backend);
            // Once folded, a further start owes nothing more.
            let again = World::with(&db, steady).await;
            again.core.flush_activity().await;
            assert_eq!(
                books_of(&again, "console:bob").await,
                (20, 20, 20),
                "{}",
                db.backend
            );
        });
    }
}

/// Several members reaching a level in one batch all have it stored.
#[tokio::test]
async fn levels_reached_together_are_all_stored() {
    for db in TestDb::all().await {
        let w = World::with(&db, |c: &mut Community| {
            steady(c);
            c.levels.rewards = vec![(1, Key::parse("regulars").unwrap())];
        })
        .await;
        let names = ["console:alice", "console:bob", "console:carol"];
        for who in names {
            w.say(who, "/join").await;
        }
        // Bob holds the one-point badge before the batch that crosses it.
        act(&w, "console:bob", msg(40)).await;
        w.core.flush_activity().await;
        w.deliver().await;
        // 100 points each: level 1 on the MEE6 curve, and the 100-point badge.
        for _ in 0..10 {
            for who in names {
                act(&w, who, msg(40)).await;
            }
        }
        w.core.flush_activity().await;
        let told = w.deliver().await;
        let lines = |who: &str, text: &str| {
            told.iter()
                .filter(|l| l.starts_with(&format!("[→ {who}]")) && l.contains(text))
                .count()
        };
        for who in names {
            let row = score_row(&w, who).await;
            let earned = if who == "console:bob" { 110 } else { 100 };
            assert_eq!((row.earned, row.level), (earned, 1), "{who} on {}", db.backend);
            assert_eq!(lines(who, "perk granted: regulars"), 1, "{who}: {told:?}");
            assert_eq!(lines(who, "reached level 1"), 1, "{who}: {told:?}");
            assert_eq!(lines(who, "Contributor"), 1, "{who}: {told:?}");
            let first = usize::from(who != "console:bob");
            assert_eq!(lines(who, "First points"), first, "{who}: {told:?}");
            assert!(w.view(who).await.perks.contains(&"regulars".to_owned()));
        }
    }
}

/// The boards a fresh start reads in bulk from the score rows are the ones
/// the running core built up award by award, period by period.
#[tokio::test]
async fn boards_read_at_start_are_the_boards_that_were_running() {
    for db in TestDb::all().await {
        let w = World::with(&db, steady).await;
        let names = ["console:alice", "console:bob", "console:carol"];
        for who in names {
            w.say(who, "/join").await;
        }
        for (who, n) in [("console:alice", 3), ("console:bob", 1)] {
            for _ in 0..n {
                act(&w, who, msg(40)).await;
            }
        }
        // A later week: earlier points leave the week's board, not the others.
        // The writer stamps an award's periods when it commits it.
        w.core.flush_activity().await;
        w.clock.advance(8 * DAY);
        for (who, n) in [("console:carol", 2), ("console:bob", 1)] {
            for _ in 0..n {
                act(&w, who, msg(40)).await;
            }
        }
        w.core.flush_activity().await;
        w.core.engagement().fold_everything().await;

        let again = started_again(&w, steady).await;
        let ctx = w.core.community("demo").unwrap().clone();
        for board in Board::ALL {
            let running = w.core.engagement().page(&ctx, board, 0, 10);
            let read = again.engagement().page(&ctx, board, 0, 10);
            assert!(!running.0.is_empty(), "{:?} on {}", board, db.backend);
            assert_eq!(read, running, "{:?} on {}", board, db.backend);
        }
        let week = again.engagement().page(&ctx, Board::Week, 0, 10);
        assert_eq!(week.1, 2, "only carol and bob earned this week: {week:?}");
    }
}
