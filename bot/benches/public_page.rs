//! The public page under load: `GET /c/demo` asked as a Chinese browser
//! asks (Accept-Language zh-CN, gzip) from the `lyceum` binary on a
//! database with a million members and a handful of lessons, beside a bare
//! handler that serves the very same bytes and headers behind the same HTTP
//! layers (rate limiter, body limit, deadline), in the same run.
//!
//! - the first visit after start, which builds the page;
//! - the most per second from 16 connections, and p50 / p99 at a steady
//!   1000/s: the median of three rounds of 10 s each, bare and ours taking
//!   turns; the page's 60 s in memory runs out during these as it would in
//!   service;
//! - the honest variants, each after 61 s without a visit so the page has
//!   gone stale: one visit, 16 connections flat out and 1000/s, every one
//!   starting with the rebuild.
//!
//! Both rate limits are lifted through the environment so the harness
//! measures the server, not the limit.
//!
//! `cargo bench -p lyceum --bench public_page` (MEMBERS=… to change the size).

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "rates and percentiles over small counts, not money or ids"
)]
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod fixture;

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::get;
use fixture::pct;
use fixture::traffic::{Binary, Sent, at_rate, for_seconds, ms, row, unlimited};
use lyceum::limits::{self, Limits};
use lyceum::settings;
use lyceum_core::clock::SystemClock;
use lyceum_core::{Core, Invoker};

const CONNECTIONS: usize = 16;
const ROUNDS: usize = 3;
const SECS: u64 = 10;
const RATE: f64 = 1000.0;
/// Ours and bare, one run of each per round.
type Rounds = (Vec<Sent>, Vec<Sent>);

/// Longer than the page is kept in memory, so the next visit rebuilds it.
const STALE: Duration = Duration::from_secs(61);

/// What a visitor's browser sends.
fn visit(agent: &ureq::Agent, url: &str) -> Result<(HeaderMap, Vec<u8>), String> {
    let mut res = agent
        .get(url)
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .header("accept-encoding", "gzip, deflate, br")
        .call()
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res.body_mut().read_to_vec().map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("{status}: {}", String::from_utf8_lossy(&body)));
    }
    Ok((res.headers().clone(), body))
}

/// A visit that must come back as the page first seen, `len` bytes long.
fn checked(agent: &ureq::Agent, url: &str, len: usize) -> Option<String> {
    match visit(agent, url) {
        Ok((_, body)) if body.len() == len => None,
        Ok((_, body)) => Some(format!("{} bytes, not {len}", body.len())),
        Err(e) => Some(e),
    }
}

/// A server answering `/c/{slug}` with `headers` and `body` and nothing
/// else, held to the binary's limits; the page's address on it.
async fn bare_server(headers: HeaderMap, body: Vec<u8>) -> String {
    let limits = Limits {
        public: unlimited(),
        ..Limits::default()
    };
    let body = Bytes::from(body);
    let page = get(move || {
        let (headers, body) = (headers.clone(), body.clone());
        async move { (headers, body) }
    });
    let routes = limits::rate_limited(Router::new().route("/c/{slug}", page), limits.public);
    let app = limits::bounded(routes, &limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, limits::with_peer(app)).await });
    format!("http://{addr}/c/demo")
}

/// Lessons as a creator posts them, so the page lists what a real one
/// does: two for Pro, two of the course, one bought alone, one for points.
async fn lessons(url: &str, community: &lyceum_core::config::Community) {
    let db = lyceum::db::connect(url).await.unwrap();
    let core = Core::start(
        db.clone(),
        std::slice::from_ref(community),
        std::sync::Arc::new(SystemClock),
    )
    .await
    .unwrap();
    let admin = Invoker::new("console:admin".parse().unwrap());
    for line in [
        "/lesson post intro tier=pro teaser=\"Why async?\" Getting started | Futures, tasks and the executor.",
        "/lesson post tokio tier=pro teaser=\"The runtime\" Inside tokio | Workers, the reactor, timers.",
        "/lesson post ch1 course=async-rust Pinning | Why a future must not move.",
        "/lesson post ch2 course=async-rust Streams | Many values, one at a time.",
        "/lesson post cancel price=4.99 teaser=\"Drop it\" Cancellation | What happens at an await.",
        "/lesson post quiz points=30 Quiz | Ten questions on the week.",
    ] {
        let said = core.handle_line("demo", &admin, line).await;
        assert!(
            !matches!(said.reply, lyceum_core::reply::Reply::Refused(_)),
            "{line}: {}",
            said.text()
        );
    }
    drop(core);
    db.close().await.unwrap();
}

/// `CONNECTIONS` visitors calling as fast as answers come for `SECS`,
/// off the runtime that serves the bare handler.
async fn flat_out(url: &str, len: usize) -> Sent {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || for_seconds(CONNECTIONS, SECS, |a| checked(a, &url, len)))
        .await
        .unwrap()
}

/// Visits at `RATE` for `SECS`, spread over the connections.
async fn paced(url: &str, len: usize) -> Sent {
    let url = url.to_owned();
    let calls: Vec<usize> = (0..(RATE * SECS as f64) as usize).collect();
    tokio::task::spawn_blocking(move || at_rate(&calls, RATE, |i| *i, |a, _| checked(a, &url, len)))
        .await
        .unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn p(s: &Sent, q: f64) -> f64 {
    pct(s.latencies.clone(), q).as_secs_f64() * 1e3
}

fn max(s: &Sent) -> f64 {
    p(s, 1.0)
}

fn list(v: &[f64], unit: &str) -> String {
    v.iter()
        .map(|x| format!("{x:.2}{unit}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// A measure's rounds, ours and bare, as one row at the median with each
/// round in the note.
fn rounds_row(
    name: &str,
    ours: &[Sent],
    bare: &[Sent],
    figure: impl Fn(&Sent) -> f64,
    unit: &str,
    target: &str,
) {
    let (o, b): (Vec<f64>, Vec<f64>) = (
        ours.iter().map(&figure).collect(),
        bare.iter().map(&figure).collect(),
    );
    let refused: usize = ours.iter().chain(bare).map(|s| s.refused.len()).sum();
    let first = ours.iter().chain(bare).find_map(|s| s.refused.first());
    let refused = first.map_or(String::new(), |f| format!("; {refused} refused, first: {f}"));
    row(
        name,
        format!("{:.2}{unit}", median(o.clone())),
        format!("{:.2}{unit}", median(b.clone())),
        &format!("rounds {} | bare {}{target}{refused}", list(&o, ""), list(&b, "")),
    );
}

/// One stale-page variant of `ours` beside the same of `bare`.
fn stale_row(name: &str, ours: &Sent, bare: &Sent) {
    row(
        name,
        format!("{:.2} / {:.2} ms", p(ours, 0.99), max(ours)),
        format!("{:.2} / {:.2} ms", p(bare, 0.99), max(bare)),
        &format!(
            "p99 / max; {:.0}/s, p50 {:.2} ms; {} refused",
            ours.per_second(),
            p(ours, 0.5),
            ours.refused.len()
        ),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let members = fixture::members();
    let temp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", temp.path().join("big.db").display());
    let community = settings::load(None).unwrap().communities.remove(0);
    let (db, _) = fixture::filled(&url, &community, members, (46, 20)).await;
    db.close().await.unwrap();
    lessons(&url, &community).await;

    let lifted = unlimited();
    let env = [
        (
            "LYCEUM__HTTP__PUBLIC_RATE__PER_SECOND",
            lifted.per_second.to_string(),
        ),
        ("LYCEUM__HTTP__PUBLIC_RATE__BURST", lifted.burst.to_string()),
    ];
    let server = Binary::start(&url, temp.path(), "storefront", &env);
    let ours = format!("http://{}/c/demo", server.addr);
    let agent = fixture::traffic::agent();
    let t = Instant::now();
    let (headers, body) = visit(&agent, &ours).unwrap();
    let first = t.elapsed();
    assert_eq!(
        headers.get("content-encoding").map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
    let len = body.len();
    let bare = bare_server(headers, body).await;
    let t = Instant::now();
    assert!(checked(&agent, &bare, len).is_none());
    row(
        &format!("first visit after start, {members} members"),
        ms(first),
        ms(t.elapsed()),
        &format!("builds the page; {len} bytes gzipped"),
    );

    // Bare and ours take turns, so a slow spell of the machine falls on
    // both.
    let (mut flat, mut calm) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        flat.push((flat_out(&ours, len).await, flat_out(&bare, len).await));
    }
    for _ in 0..ROUNDS {
        calm.push((paced(&ours, len).await, paced(&bare, len).await));
    }
    let (flat, calm): (Rounds, Rounds) = (flat.into_iter().unzip(), calm.into_iter().unzip());
    rounds_row(
        &format!("GET /c/demo, {CONNECTIONS} connections"),
        &flat.0,
        &flat.1,
        Sent::per_second,
        "/s",
        "; target: at least half the bare handler's",
    );
    rounds_row(
        &format!("  p99 at {CONNECTIONS} connections"),
        &flat.0,
        &flat.1,
        |s| p(s, 0.99),
        " ms",
        "",
    );
    rounds_row(
        &format!("GET /c/demo at {RATE:.0}/s, p50"),
        &calm.0,
        &calm.1,
        |s| p(s, 0.5),
        " ms",
        "",
    );
    rounds_row(
        &format!("GET /c/demo at {RATE:.0}/s, p99"),
        &calm.0,
        &calm.1,
        |s| p(s, 0.99),
        " ms",
        "; target < 10 ms",
    );

    // The honest variants: the page has gone stale and is built again by
    // the first visit, as it is once a minute in service.
    tokio::time::sleep(STALE).await;
    let t = Instant::now();
    assert!(checked(&agent, &ours, len).is_none());
    row(
        "first visit once the page went stale",
        ms(t.elapsed()),
        "-".into(),
        "served as it was while one task builds it again",
    );
    tokio::time::sleep(STALE).await;
    let herd = flat_out(&ours, len).await;
    let herd_bare = flat_out(&bare, len).await;
    stale_row(
        &format!("  stale, then {CONNECTIONS} connections"),
        &herd,
        &herd_bare,
    );
    tokio::time::sleep(STALE).await;
    let steady = paced(&ours, len).await;
    let steady_bare = paced(&bare, len).await;
    stale_row(&format!("  stale, then {RATE:.0}/s"), &steady, &steady_bare);
    for line in server.errors() {
        println!("  binary log: {line}");
    }
    server.stop();
}
