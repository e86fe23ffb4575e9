//! The one set of migrations goes up, down and up again on every database.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use support::TestDb;

const PAYMENT_TABLES: [&str; 35] = [
    "web_visits",
    "join_tokens",
    "member_sessions",
    "activity_limits",
    "seen_updates",
    "payment_inbox",
    "signing_keys",
    "used_links",
    "dashboard_sessions",
    "audit_log",
    "questions",
    "highlights",
    "lessons",
    "lesson_posts",
    "lesson_unlocks",
    "completions",
    "scores",
    "checkins",
    "perk_grants",
    "shop_sales",
    "redemptions",
    "period_closes",
    "chat_presence",
    "activity_days",
    "payment_events",
    "billing_customers",
    "subscriptions",
    "purchases",
    "reversals",
    "revenue",
    "trials",
    "reminders",
    "referral_codes",
    "referrals",
    "coupons",
];

const TABLES: [&str; 12] = [
    "communities",
    "tiers",
    "offers",
    "people",
    "identities",
    "members",
    "entitlements",
    "history",
    "ledger",
    "badges",
    "link_codes",
    "outbox",
];

async fn table_exists(db: &DatabaseConnection, table: &str) -> bool {
    // Selecting from a missing table fails the same way on both backends.
    db.execute_unprepared(&format!("SELECT COUNT(*) FROM {table}"))
        .await
        .is_ok()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    for test_db in TestDb::all().await {
        let db = lyceum::db::connect(&test_db.url).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        for t in TABLES.iter().chain(&PAYMENT_TABLES) {
            assert!(
                table_exists(&db, t).await,
                "{}: {t} missing after up",
                test_db.backend
            );
        }
        assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());
        let all = Migrator::migrations().len();

        // Every step down but the foundation's undoes what came after it
        // (the chosen community, the sweep indexes, the activity limits, …,
        // activity and payments), columns included.
        let after_foundation = u32::try_from(all - 1).unwrap();
        Migrator::down(&db, Some(after_foundation)).await.unwrap();
        for t in PAYMENT_TABLES {
            assert!(!table_exists(&db, t).await, "{}: {t} left", test_db.backend);
        }
        assert!(table_exists(&db, "offers").await);
        assert!(
            db.execute_unprepared("SELECT stripe_price FROM offers")
                .await
                .is_err(),
            "{}: offers.stripe_price left after down",
            test_db.backend
        );
        Migrator::up(&db, None).await.unwrap();

        Migrator::down(&db, None).await.unwrap();
        for t in TABLES.iter().chain(&PAYMENT_TABLES) {
            assert!(
                !table_exists(&db, t).await,
                "{}: {t} left after down",
                test_db.backend
            );
        }
        assert_eq!(Migrator::get_pending_migrations(&db).await.unwrap().len(), all);

        Migrator::up(&db, None).await.unwrap();
        assert!(table_exists(&db, "outbox").await);
        // Running up twice is a no-op, as every start of the binary does it.
        Migrator::up(&db, None).await.unwrap();
        db.close().await.unwrap();
    }
}

/// Commits leave checkpoints to the background task: committed pages must
/// still reach the database file itself, not only the WAL.
#[tokio::test]
async fn committed_pages_reach_the_sqlite_file_without_a_checkpointing_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wal.db");
    let db = lyceum::db::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    db.execute_unprepared("CREATE TABLE filler (body TEXT)")
        .await
        .unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    // About 2 MB in one commit, far past SQLite's own 1,000-page
    // threshold, which is switched off.
    db.execute_unprepared(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
         INSERT INTO filler SELECT printf('%.1000c', 'x') FROM n",
    )
    .await
    .unwrap();
    let mut size = before;
    for _ in 0..40 {
        size = std::fs::metadata(&path).unwrap().len();
        if size > 2_000_000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        size > 2_000_000,
        "database file still {size} bytes (was {before}): nothing checkpointed"
    );
}
