//! Two `lyceum run` processes on one PostgreSQL: the periodic jobs run on
//! one of them and move to the other when it is killed or loses its lock,
//! the same Stripe events delivered to both at once are applied once, the
//! same Telegram updates posted to both at once count once, and points
//! earned through one show on the other's leaderboard.

#![allow(clippy::unwrap_used)]

mod support;

use parking_lot::Mutex;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use support::stripe::{self as fake, FakeStripe};
use support::{Running, TestDb, lyceum, run_with_input, stdout};

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

fn instance(db_url: &str, api_base: &str) -> Command {
    let mut cmd = lyceum(db_url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", fake::SECRET_KEY)
        .env("LYCEUM__STRIPE__WEBHOOK_SECRET", fake::WEBHOOK_SECRET)
        .env("LYCEUM__STRIPE__API_BASE", api_base)
        .env("LYCEUM__SCHEDULER__EXPIRE_EVERY_SECS", "1");
    cmd
}

fn start(db_url: &str, api_base: &str) -> Running {
    let mut cmd = instance(db_url, api_base);
    cmd.arg("run");
    Running::start(cmd, false)
}

fn log_of(server: &Running) -> Arc<Mutex<String>> {
    server.log.clone()
}

async fn says(log: &Arc<Mutex<String>>, needle: &str) {
    support::eventually(30, needle, || log.lock().contains(needle)).await;
}

const LEADS: &str = "this instance now runs the periodic jobs";
const FOLLOWS: &str = "another instance runs the periodic jobs";
const LOST: &str = "scheduler lock lost";

/// The sessions of this database holding the scheduler's advisory lock.
const HOLDERS: &str = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' \
     AND classid = 0 AND objid = $1 AND granted \
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

async fn lock_holders(conn: &sea_orm::DatabaseConnection) -> Vec<i32> {
    use sea_orm::ConnectionTrait;
    let rows = conn.query_all_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        HOLDERS,
        [lyceum::leader::KEY.into()],
    ));
    rows.await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i32>("", "pid").unwrap())
        .collect()
}

/// Two instances taking Telegram updates by webhook from `bot_api`, with
/// what must outlive them.
struct TelegramPair {
    a: Running,
    b: Running,
    _stripe: FakeStripe,
    _dir: tempfile::TempDir,
}

async fn telegram_pair(db: &TestDb, bot_api: &str) -> TelegramPair {
    limited_telegram_pair(db, bot_api, 0, 0).await
}

/// [`telegram_pair`], with a cooldown and daily cap on message points.
async fn limited_telegram_pair(
    db: &TestDb,
    bot_api: &str,
    cooldown_secs: u64,
    daily_cap: i64,
) -> TelegramPair {
    use support::telegram_hook::{config_limited, with_secrets};
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_limited(dir.path(), bot_api, cooldown_secs, daily_cap);
    let run = || {
        let mut cmd = instance(&db.url, &api_base);
        with_secrets(&mut cmd).args(["--config", config.to_str().unwrap(), "run"]);
        Running::start(cmd, false)
    };
    let (a, b) = (run(), run());
    TelegramPair {
        a,
        b,
        _stripe: stripe,
        _dir: dir,
    }
}

/// The leader's lock session ends under it (a failover, an idle-session
/// timeout, an administrator): it notices at its next beat and stops
/// running the jobs, and from then on exactly one instance holds the lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_that_loses_its_lock_stops_and_one_instance_takes_over() {
    use sea_orm::ConnectionTrait;
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let first = start(&db.url, &api_base);
    let first_log = log_of(&first);
    says(&first_log, LEADS).await;
    let second = start(&db.url, &api_base);
    let second_log = log_of(&second);
    says(&second_log, FOLLOWS).await;

    let conn = lyceum::db::connect(&db.url).await.unwrap();
    let holders = lock_holders(&conn).await;
    assert_eq!(holders.len(), 1, "{holders:?}");
    conn.execute_unprepared(&format!("SELECT pg_terminate_backend({})", holders[0]))
        .await
        .unwrap();
    says(&first_log, LOST).await;
    support::eventually_async(30, "one instance holds the lock again", || async {
        lock_holders(&conn).await.len() == 1
    })
    .await;
    // Whichever took it says so; the other says it follows, and several
    // beats later still only one session holds it.
    let leads_after = |log: &Arc<Mutex<String>>| {
        let log = log.lock();
        let lost = log.find(LOST).unwrap_or(0);
        log[lost..].contains(LEADS)
    };
    support::eventually(30, "the new leader says so", || {
        leads_after(&first_log) || second_log.lock().contains(LEADS)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(lock_holders(&conn).await.len(), 1);
    assert!(
        !(leads_after(&first_log) && second_log.lock().contains(LEADS)),
        "both instances lead:\n{}\n---\n{}",
        first_log.lock(),
        second_log.lock()
    );
    assert!(first.stop().success());
    assert!(second.stop().success());
}

/// Telegram posts each update to one instance behind a load balancer, and
/// again after a slow answer, maybe to the other: every message here goes
/// to both at once, and each counts once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_telegram_updates_sent_to_two_instances_count_once() {
    use support::telegram_hook::{PER_MESSAGE, message_awards, post_update, update};
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let bot_api = support::telegram::FakeBotApi::default().start().await;
    let TelegramPair { a, b, .. } = telegram_pair(&db, &bot_api).await;
    let urls = [a.url("/webhooks/telegram"), b.url("/webhooks/telegram")];
    const PEOPLE: u64 = 3;
    const EACH: u64 = 40;
    for u in 1..=PEOPLE {
        let (_, body) = update(u, 600 + u, "/join");
        let status = tokio::task::block_in_place(|| post_update(&urls[0], &body));
        assert_eq!(status, Some(200));
    }
    let messages: Vec<Vec<u8>> = (1..=PEOPLE * EACH)
        .map(|i| update(PEOPLE + i, 601 + i % PEOPLE, "a message worth points").1)
        .collect();
    // Four senders: two take every message to one instance each, two to the
    // other, so each update arrives twice at each instance, concurrently.
    let senders: Vec<_> = (0..4)
        .map(|k| {
            let (url, messages) = (urls[k % 2].clone(), messages.clone());
            std::thread::spawn(move || {
                for body in &messages {
                    assert_eq!(post_update(&url, body), Some(200));
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    for u in 1..=PEOPLE {
        let each = i64::try_from(EACH).unwrap();
        assert_eq!(
            message_awards(&db.url, 600 + u).await,
            (each, each * PER_MESSAGE),
            "telegram:{}: each message counted once",
            600 + u
        );
    }
    assert!(a.stop().success());
    assert!(b.stop().success());
}

/// Each instance keeps the leaderboards in memory. Points a member earns
/// through one instance show on the other's leaderboard within moments,
/// without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_earned_through_one_instance_show_on_the_others_leaderboard() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let fake = support::telegram::FakeBotApi::default();
    let bot_api = fake.start().await;
    // Both have loaded their boards before anyone earns a point.
    let TelegramPair { a, b, .. } = telegram_pair(&db, &bot_api).await;
    const PERSON: u64 = 711;
    tokio::task::block_in_place(|| messages_to(&b.url("/webhooks/telegram"), PERSON, 1, 5));
    let (line, seen) = leaderboard_until(&fake, &a, PERSON, 5).await;
    assert!(
        seen.iter().any(|t| t.contains(&line)),
        "the first instance's leaderboard lists the {line} earned through the second: {seen:?}"
    );
    assert!(a.stop().success());
    assert!(b.stop().success());
}

/// The connection an instance hears score changes on is cut while the
/// instance is paused, and points are earned on the other meanwhile: once
/// it runs again it re-reads the score rows, and its leaderboard has them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_missed_score_changes_reads_them_again() {
    use sea_orm::ConnectionTrait;
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let fake = support::telegram::FakeBotApi::default();
    let bot_api = fake.start().await;
    let TelegramPair { a, b, .. } = telegram_pair(&db, &bot_api).await;
    const PERSON: u64 = 712;
    let hook_b = b.url("/webhooks/telegram");
    tokio::task::block_in_place(|| messages_to(&hook_b, PERSON, 1, 0));
    let signal = |sig: &str| {
        let pid = a.child.id().to_string();
        assert!(Command::new("kill").args([sig, &pid]).status().unwrap().success());
    };
    signal("-STOP");
    let conn = lyceum::db::connect(&db.url).await.unwrap();
    let cut = conn
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%lyceum_scores%'",
        )
        .await
        .unwrap();
    assert!(cut.rows_affected() >= 2, "both instances' listeners were cut");
    tokio::task::block_in_place(|| messages_to(&hook_b, PERSON, 2, 5));
    signal("-CONT");
    let (line, seen) = leaderboard_until(&fake, &a, PERSON, 5).await;
    assert!(
        seen.iter().any(|t| t.contains(&line)),
        "after its listener was cut, the first instance's leaderboard still lists the {line}: {seen:?}"
    );
    assert!(a.stop().success());
    assert!(b.stop().success());
}

/// Asks `on` for the group's leaderboard as `person`, up to five times a
/// second apart (a group gets five answers before Telegram's pace applies),
/// until an answer lists `messages` messages' points; returns that line
/// and every answer in the group.
async fn leaderboard_until(
    fake: &support::telegram::FakeBotApi,
    on: &Running,
    person: u64,
    messages: i64,
) -> (String, Vec<String>) {
    use support::telegram_hook::{PER_MESSAGE, post_update, update};
    let line = format!("— {} points", messages * PER_MESSAGE);
    let answers = || {
        let group = serde_json::json!(support::telegram::OPEN_CHAT);
        fake.calls_with("sendMessage", "chat_id", group)
            .iter()
            .filter_map(|p| p["text"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let url = on.url("/webhooks/telegram");
    for ask in 0..5 {
        let (_, body) = update(200 + ask, person, "/leaderboard");
        assert_eq!(
            tokio::task::block_in_place(|| post_update(&url, &body)),
            Some(200)
        );
        if answers().iter().any(|t| t.contains(&line)) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    (line, answers())
}

/// Posts `n` messages from `person` to `url`, updates `first_id` on, and
/// waits for each to be taken in; `person` joins first (update 100) when
/// `first_id` is 1.
fn messages_to(url: &str, person: u64, first_id: u64, n: u64) {
    use support::telegram_hook::{post_update, update};
    if first_id == 1 {
        assert_eq!(post_update(url, &update(100, person, "/join").1), Some(200));
    }
    for i in 0..n {
        let (_, body) = update(first_id + i, person, "a message worth points");
        assert_eq!(post_update(url, &body), Some(200));
    }
}

/// Sends `person`'s messages as a load balancer might: two to the first
/// instance, three to the second, two more to the first; returns how many
/// message awards the ledger holds for them, and their sum.
async fn spread_messages(db: &TestDb, cooldown_secs: u64, daily_cap: i64, person: u64) -> (i64, i64) {
    let bot_api = support::telegram::FakeBotApi::default().start().await;
    let TelegramPair { a, b, .. } = limited_telegram_pair(db, &bot_api, cooldown_secs, daily_cap).await;
    tokio::task::block_in_place(|| {
        messages_to(&a.url("/webhooks/telegram"), person, 1, 2);
        messages_to(&b.url("/webhooks/telegram"), person, 3, 3);
        messages_to(&a.url("/webhooks/telegram"), person, 6, 2);
    });
    let awards = support::telegram_hook::message_awards(&db.url, person).await;
    assert!(a.stop().success());
    assert!(b.stop().success());
    awards
}

/// Each instance's rules see only its share of a member's messages, but
/// the cooldown holds across both: after one instance paid, neither pays
/// again within the hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cooldown_holds_across_instances() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let per = support::telegram_hook::PER_MESSAGE;
    assert_eq!(
        spread_messages(&db, 3_600, 0, 721).await,
        (1, per),
        "one award in the hour"
    );
}

/// The same for the daily cap: both instances together pay up to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_cap_holds_across_instances() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let cap = 3 * support::telegram_hook::PER_MESSAGE;
    assert_eq!(
        spread_messages(&db, 0, cap, 722).await,
        (3, cap),
        "up to the cap, all told"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_periodic_jobs_run_on_one_instance_and_move_when_it_is_killed() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let mut first = start(&db.url, &api_base);
    let first_log = log_of(&first);
    says(&first_log, LEADS).await;
    let second = start(&db.url, &api_base);
    let second_log = log_of(&second);
    says(&second_log, FOLLOWS).await;
    // Several beats later, still only the first.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!second_log.lock().contains(LEADS));

    first.child.kill().unwrap();
    first.child.wait().unwrap();
    says(&second_log, LEADS).await;
    assert!(second.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_events_sent_to_two_instances_at_once_apply_once() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let a = start(&db.url, &api_base);
    let b = start(&db.url, &api_base);
    let t = now();
    let (ids, events): (Vec<String>, Vec<Vec<u8>>) = (0..6)
        .flat_map(|i| {
            fake::paid_start(
                &format!("m{i}"),
                support::joined(&db.url, &format!("m{i}")),
                t,
                false,
            )
        })
        .unzip();
    // Each event four times at once, two to each instance, as Stripe's
    // retries after a slow answer might.
    let urls = [a.url("/webhooks/stripe"), b.url("/webhooks/stripe")];
    let mut outcomes: Vec<Vec<(u16, String)>> = Vec::new();
    for body in &events {
        let handles: Vec<_> = (0..4)
            .map(|k| {
                let (url, body) = (urls[k % 2].clone(), body.clone());
                std::thread::spawn(move || fake::deliver(&url, &body))
            })
            .collect();
        outcomes.push(handles.into_iter().map(|h| h.join().unwrap()).collect());
    }
    for (body, got) in events.iter().zip(&outcomes) {
        let queued = got.iter().filter(|(_, o)| o == "queued").count();
        let duplicate = got.iter().filter(|(_, o)| o == "duplicate").count();
        assert!(got.iter().all(|(s, _)| *s == 200), "{got:?}");
        assert_eq!(
            (queued, duplicate),
            (1, 3),
            "{}: {got:?}",
            String::from_utf8_lossy(body)
        );
    }
    // Both instances' inbox workers take rows; each event is applied once.
    for id in &ids {
        let outcome = fake::outcome_of(&db.url, id).await;
        assert!(outcome.starts_with("applied"), "{id}: {outcome}");
    }
    for i in 0..6 {
        let out = run_with_input(
            lyceum(&db.url),
            &["member", "show", "demo", &format!("console:m{i}"), "--json"],
            "",
        );
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["status"], "active", "{v}");
    }
    assert!(a.stop().success());
    assert!(b.stop().success());
}
