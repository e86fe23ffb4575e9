//! The load harness: the `lyceum` binary and the core under load, each
//! figure beside a baseline measured in the same run.
//!
//! - start to ready and resident memory of `lyceum run`, on an empty
//!   database and on one with a million members;
//! - signed Stripe webhooks over loopback HTTP to that running binary: the
//!   most per second from 16 connections, and p50 / p99 at a steady 500/s,
//!   each with the rate at which the stored events were then applied;
//!   beside a bare handler that reads the body and answers 200 behind the
//!   same HTTP layers (body limit, deadline, rate limiter), and beside raw
//!   inserts of the same bodies into SQLite, one transaction each;
//! - chat commands through the core with a million members, from 8
//!   concurrent callers, beside a plain read of the caller's score row.
//!
//! `cargo bench -p lyceum --bench load` (MEMBERS=… to change the size).

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "percentiles and rates over small counts, not money or ids"
)]
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod fixture;
#[path = "../../tests/support/spec/mod.rs"]
mod spec;
#[path = "../../tests/support/stripe.rs"]
mod stripe;
#[path = "../../tests/support/stripe_catalog.rs"]
mod stripe_catalog;
#[path = "../../tests/support/stripe_page.rs"]
mod stripe_page;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use fixture::traffic::{Binary, Sent, at_rate, ms, on_connections, rates, row, timed, unlimited};
use fixture::{discord_id, pct};
use lyceum::limits::{self, Limits};
use lyceum::{db, settings};
use lyceum_core::Core;
use lyceum_core::clock::SystemClock;
use lyceum_core::{Invoker, entity::score};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, EntityTrait, Statement, TransactionTrait};

/// Client connections for the most-per-second runs.
const CONNECTIONS: usize = 16;
/// Members whose paid start (checkout, subscription, invoice) is sent at
/// full speed; as many again are sent at the steady rate.
const BURST_MEMBERS: i64 = 3_000;
const STEADY_RATE: f64 = 500.0;
const STEADY_SECS: u64 = 10;
const COMMANDS: usize = 40_000;
const CALLERS: usize = 8;

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// One member's events, to be sent in order by one connection.
type Story = Vec<Vec<u8>>;

fn stories(members: std::ops::RangeInclusive<i64>, t: i64) -> Vec<Story> {
    members
        .map(|m| {
            stripe::paid_start(&format!("load{m}"), m, t, true)
                .into_iter()
                .map(|(_, body)| body)
                .collect()
        })
        .collect()
}

fn refused(status: u16, answer: &str) -> Option<String> {
    let stored = status == 200 && answer.contains("queued");
    (!stored).then(|| format!("{status} {answer}"))
}

/// Waits until the binary has applied everything stored in its payment
/// inbox; how long that took.
async fn drained(db: &sea_orm::DatabaseConnection) -> Duration {
    use sea_orm::PaginatorTrait;
    let t = Instant::now();
    while lyceum_core::entity::payment_inbox::Entity::find()
        .count(db)
        .await
        .unwrap()
        > 0
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    t.elapsed()
}

/// Events applied per second, from the first post until the inbox was empty.
fn applied_row(name: &str, sent: &Sent, drain: Duration) {
    let total = sent.took + drain;
    row(
        name,
        format!("{:.0}/s", sent.latencies.len() as f64 / total.as_secs_f64()),
        "-".into(),
        &format!(
            "{} events; inbox empty {} after the last answer",
            sent.latencies.len(),
            ms(drain)
        ),
    );
}

/// Posts `body`; what was wrong with the answer, if anything.
fn post_event(agent: &ureq::Agent, url: &str, body: &[u8]) -> Option<String> {
    let (status, answer) = stripe::post_signed(agent, url, body);
    refused(status, &answer)
}

/// Each connection sends its stories one post after another, as fast as
/// answers come.
fn flat_out(url: &str, stories: &[Story], connections: usize) -> Sent {
    let t = Instant::now();
    let parts = on_connections(connections, |k, agent, seen| {
        for story in stories.iter().skip(k).step_by(connections) {
            for body in story {
                timed(seen, Instant::now(), || post_event(agent, url, body));
            }
        }
    });
    Sent::gathered(t.elapsed(), parts)
}

/// The stories' posts at `rate`, a member's events in order on one
/// connection.
fn steady(url: &str, stories: &[Story], rate: f64) -> Sent {
    let bodies: Vec<(usize, &Vec<u8>)> = stories
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.iter().map(move |b| (i, b)))
        .collect();
    at_rate(
        &bodies,
        rate,
        |(story, _)| *story,
        |agent, (_, body)| post_event(agent, url, body),
    )
}

async fn bare(_body: Bytes) -> &'static str {
    "{\"outcome\":\"queued\"}"
}

/// A server with nothing behind the webhook route but reading the body,
/// held to the binary's limits; its address.
async fn bare_server() -> String {
    let limits = Limits {
        webhooks: unlimited(),
        ..Limits::default()
    };
    let routes = limits::rate_limited(
        Router::new().route("/webhooks/stripe", post(bare)),
        limits.webhooks,
    );
    let app = limits::bounded(routes, &limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, limits::with_peer(app)).await });
    format!("http://{addr}/webhooks/stripe")
}

/// The same bodies inserted into SQLite on one connection, each in a
/// transaction of its own, with the pragmas Lyceum uses.
async fn raw_inserts(url: &str, stories: &[Story]) -> Sent {
    let db = db::connect(url).await.unwrap();
    let own = lyceum_core::store::own::own_connection(&db);
    own.execute_unprepared("CREATE TABLE raw_events (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .await
        .unwrap();
    let backend = own.get_database_backend();
    let mut latencies = Vec::new();
    let t = Instant::now();
    for body in stories.iter().flatten() {
        let sent = Instant::now();
        let txn = own.begin().await.unwrap();
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO raw_events (body) VALUES (?)",
            [String::from_utf8_lossy(body).into_owned().into()],
        ))
        .await
        .unwrap();
        txn.commit().await.unwrap();
        latencies.push(sent.elapsed());
    }
    Sent {
        took: t.elapsed(),
        latencies,
        refused: Vec::new(),
        by_kind: Vec::new(),
    }
}

/// A mix of members' commands: mostly reads of standings and balances,
/// some check-ins, which write.
fn command_for(rng: &mut StdRng) -> &'static str {
    match rng.random_range(0..10) {
        0..=2 => "/rank",
        3..=4 => "/points",
        5 => "/leaderboard",
        6 => "/leaderboard week 3",
        7 => "/badges",
        8 => "/me",
        _ => "/checkin",
    }
}

/// `CALLERS` tasks share `COMMANDS` calls of `call`; the time taken and
/// each call's latency.
async fn callers<F, Fut>(members: i64, call: F) -> Sent
where
    F: Fn(i64, &'static str) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let t = Instant::now();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|k| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(k as u64);
                let mut latencies = Vec::with_capacity(COMMANDS / CALLERS);
                for _ in 0..COMMANDS / CALLERS {
                    let member = rng.random_range(1..=members);
                    let line = command_for(&mut rng);
                    let sent = Instant::now();
                    call(member, line).await;
                    latencies.push((line, sent.elapsed()));
                }
                latencies
            })
        })
        .collect();
    let mut by_kind = Vec::new();
    for task in tasks {
        by_kind.extend(task.await.unwrap());
    }
    Sent {
        took: t.elapsed(),
        latencies: by_kind.iter().map(|(_, d)| *d).collect(),
        refused: Vec::new(),
        by_kind,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let members = fixture::members();
    let (_temp, dir) = match std::env::var("BENCH_DIR") {
        Ok(d) => {
            std::fs::create_dir_all(&d).unwrap();
            (None, std::path::PathBuf::from(d))
        }
        Err(_) => {
            let temp = tempfile::tempdir().unwrap();
            let dir = temp.path().to_owned();
            (Some(temp), dir)
        }
    };
    let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", dir.join(name).display());
    let (empty, big, raw) = (sqlite("empty.db"), sqlite("big.db"), sqlite("raw.db"));

    // The million-member community, written straight into the tables.
    let community = settings::load(None).unwrap().communities.remove(0);
    let (db, _) = fixture::filled(&big, &community, members, (46, 20)).await;
    db.close().await.unwrap();

    if wants("server") {
        server(&dir, &empty, &big, &raw, members).await;
    }
    if wants("commands") {
        commands(&big, &community, members).await;
    }
}

/// Parts of the run to do: all, or those named in ONLY (comma-separated:
/// server, commands).
fn wants(part: &str) -> bool {
    std::env::var("ONLY").map_or(true, |only| only.split(',').any(|p| p.trim() == part))
}

/// Start-up, memory and webhooks of the binary.
async fn server(dir: &Path, empty: &str, big: &str, raw: &str, members: i64) {
    // Start-up and memory of the binary.
    let idle = Binary::start(empty, dir, "empty", &[]);
    std::thread::sleep(Duration::from_secs(2));
    let idle_rss = idle.rss_mib();
    let idle_ready = idle.ready_in;
    idle.stop();
    let fake = stripe::FakeStripe::default();
    let api_base = fake.start().await;
    let env = [
        ("LYCEUM__STRIPE__SECRET_KEY", stripe::SECRET_KEY.to_owned()),
        (
            "LYCEUM__STRIPE__WEBHOOK_SECRET",
            stripe::WEBHOOK_SECRET.to_owned(),
        ),
        ("LYCEUM__STRIPE__API_BASE", api_base),
        (
            "LYCEUM__HTTP__WEBHOOK_RATE__PER_SECOND",
            unlimited().per_second.to_string(),
        ),
        ("LYCEUM__HTTP__WEBHOOK_RATE__BURST", unlimited().burst.to_string()),
    ];
    let server = Binary::start(big, dir, "big", &env);
    std::thread::sleep(Duration::from_secs(2));
    let loaded_rss = server.rss_mib();
    row(
        "start to ready, empty database",
        ms(idle_ready),
        "-".into(),
        "spawn to \"listening\" (migrations, boards)",
    );
    row(
        &format!("start to ready, {members} members"),
        ms(server.ready_in),
        "target < 2000 ms".into(),
        "",
    );
    row(
        "memory idle, empty database",
        format!("{idle_rss} MiB"),
        "target < 40 MiB".into(),
        "RSS 2 s after ready",
    );
    row(
        &format!("memory idle, {members} members"),
        format!("{loaded_rss} MiB"),
        "-".into(),
        "RSS 2 s after ready",
    );

    // Webhooks.
    let url = format!("http://{}/webhooks/stripe", server.addr);
    let bare_url = bare_server().await;
    let t = now();
    let burst = stories(1..=BURST_MEMBERS, t);
    let calm = stories(BURST_MEMBERS + 1..=2 * BURST_MEMBERS, t);
    let (ours, theirs) = tokio::task::spawn_blocking({
        let (url, bare_url, burst) = (url.clone(), bare_url.clone(), burst.clone());
        move || {
            let theirs = flat_out(&bare_url, &burst, CONNECTIONS);
            (flat_out(&url, &burst, CONNECTIONS), theirs)
        }
    })
    .await
    .unwrap();
    let inbox = db::connect(big).await.unwrap();
    let drain = drained(&inbox).await;
    let stored = raw_inserts(raw, &burst).await;
    rates(
        &format!("signed webhooks, {CONNECTIONS} connections"),
        &ours,
        &theirs,
        "bare handler, same HTTP layers",
    );
    applied_row("  of which applied from the inbox", &ours, drain);
    row(
        "  raw SQLite inserts, one transaction each",
        "-".into(),
        format!("{:.0}/s", stored.per_second()),
        &format!(
            "p50 / p99 {} / {}",
            ms(pct(stored.latencies.clone(), 0.5)),
            ms(pct(stored.latencies, 0.99))
        ),
    );
    let (ours, theirs) = tokio::task::spawn_blocking(move || {
        let bodies: usize = calm.iter().map(Vec::len).sum();
        let want = (STEADY_RATE * STEADY_SECS as f64) as usize;
        let mut n = 0;
        let calm: Vec<Story> = calm
            .into_iter()
            .take_while(|s| {
                n += s.len();
                n <= want.min(bodies)
            })
            .collect();
        let theirs = steady(&bare_url, &calm, STEADY_RATE);
        (steady(&url, &calm, STEADY_RATE), theirs)
    })
    .await
    .unwrap();
    let drain = drained(&inbox).await;
    rates(
        &format!("signed webhooks at {STEADY_RATE:.0}/s offered"),
        &ours,
        &theirs,
        "bare handler",
    );
    applied_row("  of which applied from the inbox", &ours, drain);
    for line in server.errors() {
        println!("  binary log: {line}");
    }
    server.stop();
}

/// Chat commands through the core, in this process.
async fn commands(big: &str, community: &lyceum_core::config::Community, members: i64) {
    // Commands through the core.
    let db = db::connect(big).await.unwrap();
    let core = Arc::new(
        Core::start(db.clone(), std::slice::from_ref(community), Arc::new(SystemClock))
            .await
            .unwrap(),
    );
    let ours = callers(members, {
        let core = core.clone();
        move |m, line| {
            let core = core.clone();
            async move {
                let invoker = Invoker::new(format!("discord:{}", discord_id(m)).parse().unwrap());
                std::hint::black_box(core.handle_line("demo", &invoker, line).await);
            }
        }
    })
    .await;
    let theirs = callers(members, move |m, _| {
        let db = db.clone();
        async move {
            std::hint::black_box(score::Entity::find_by_id(m).one(&db).await.unwrap());
        }
    })
    .await;
    rates(
        &format!("commands, {CALLERS} callers, {members} members"),
        &ours,
        &theirs,
        "the caller's score row read",
    );
    let mut kinds: Vec<&str> = ours.by_kind.iter().map(|(k, _)| *k).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let of: Vec<Duration> = ours
            .by_kind
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, d)| *d)
            .collect();
        row(
            &format!("  {kind}, p50 / p99"),
            format!("{} / {}", ms(pct(of.clone(), 0.5)), ms(pct(of, 0.99))),
            "-".into(),
            "",
        );
    }
}
