//! Test support: a fresh database per test on every available backend, and
//! helpers to run the real `lyceum` binary.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub mod discord;
pub mod discord_oauth;
pub mod join_stage;
pub mod multipart;
pub mod points;
pub mod proxy;
pub mod spec;
pub mod stripe;
pub mod stripe_catalog;
pub mod stripe_page;
pub mod telegram;
pub mod telegram_bot;
pub mod telegram_hook;
pub mod visitor;
pub mod world;

use rand::Rng;
use sea_orm::{ConnectionTrait, Database};

pub const PG_ENV: &str = "LYCEUM_TEST_DATABASE_URL";

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lyceum.db");
        TestDb {
            backend: "sqlite",
            url: format!("sqlite://{}?mode=rwc", path.display()),
            _dir: Some(dir),
            pg_drop: None,
        }
    }

    /// A new, empty PostgreSQL database on the server named by
    /// `LYCEUM_TEST_DATABASE_URL`, or `None` (with a note why) if it is unset.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var(PG_ENV) else {
            // Straight to stderr: libtest captures eprintln! of passing tests,
            // and the reason for a skip must be seen.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: PostgreSQL tests skipped because {PG_ENV} is not set; they ran on SQLite only"
                );
            });
            return None;
        };
        let name = format!("lyceum_t_{:016x}", rand::rng().random::<u64>());
        let admin = Database::connect(admin_url.as_str()).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let mut url = url::Url::parse(&admin_url).unwrap();
        url.set_path(&format!("/{name}"));
        Some(TestDb {
            backend: "postgres",
            url: url.to_string(),
            _dir: None,
            pg_drop: Some((admin_url, name)),
        })
    }

    /// SQLite always, and PostgreSQL when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite()];
        dbs.extend(TestDb::postgres().await);
        dbs
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg_drop.take() else {
            return;
        };
        // Drop runs outside any runtime we may block; use a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lyceum"))
}

/// The binary with a clean environment of our own: no stray LYCEUM__ settings.
pub fn lyceum(db_url: &str) -> Command {
    let mut cmd = Command::new(bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("LYCEUM") || k == "RUST_LOG" || k.starts_with("LC_") || k == "LANG" {
            cmd.env_remove(k);
        }
    }
    cmd.env("LYCEUM__DATABASE__URL", db_url);
    cmd
}

/// Runs the binary with `args`, feeding `stdin`, and waits for it.
pub fn run_with_input(mut cmd: Command, args: &[&str], stdin: &str) -> Output {
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the run exited with `code` and said `needle` on stderr; returns
/// stderr for further checks.
pub fn assert_fails(o: &Output, code: i32, needle: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "expected exit {code}: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    err
}

/// The string field `key` of every element of the JSON array `v`.
pub fn field_strs<'a>(v: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap())
        .collect()
}

/// Joins the demo community as `console:{who}` through the binary; the
/// member's id.
pub fn joined(db_url: &str, who: &str) -> i64 {
    let out = run_with_input(lyceum(db_url), &["console", "--as", who], "/join\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run_with_input(
        lyceum(db_url),
        &["member", "show", "demo", &format!("console:{who}"), "--json"],
        "",
    );
    serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// A `lyceum run` in the background, ready to serve.
pub struct Running {
    pub child: Child,
    pub addr: String,
    /// The log up to readiness.
    pub seen: String,
    /// The whole log so far, readiness included.
    pub log: std::sync::Arc<parking_lot::Mutex<String>>,
}

impl Running {
    /// Starts `cmd` (already given `run` and its environment) with the HTTP
    /// server on a free port, and waits until it logs where it listens.
    pub fn start(cmd: Command, json: bool) -> Running {
        Running::start_at(cmd, json, "127.0.0.1:0")
    }

    /// As [`Running::start`], listening at `addr`: for tests whose public
    /// URL must be known before start (an OAuth redirect registered with a
    /// fake).
    pub fn start_at(mut cmd: Command, json: bool, addr: &str) -> Running {
        cmd.env("LYCEUM__HTTP__ADDR", addr);
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let mut log = BufReader::new(child.stderr.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = String::new();
        let addr = loop {
            let mut line = String::new();
            if log.read_line(&mut line).unwrap() == 0 || Instant::now() > deadline {
                let _ = child.kill();
                panic!("lyceum run never became ready:\n{seen}");
            }
            seen.push_str(&line);
            if json {
                let v: serde_json::Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
                if let Some(addr) = v["fields"]["addr"].as_str() {
                    break addr.to_owned();
                }
            } else if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        let all = std::sync::Arc::new(parking_lot::Mutex::new(seen.clone()));
        let kept = all.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while log.read_line(&mut line).is_ok_and(|n| n > 0) {
                kept.lock().push_str(&line);
                line.clear();
            }
        });
        Running {
            child,
            addr,
            seen,
            log: all,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGTERM, then the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }
}

/// A loopback address with a port free at the time of asking.
pub fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// A test that fails midway must not leave its server running: the next
/// tests would share its port range, its database and the machine's cores.
impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status a server at `addr` answers a POST to `path` that declares a
/// body of `len` bytes without sending it: an oversized body is refused on
/// its length alone, and a client still writing it could meet a closed
/// connection instead of the answer.
pub fn post_declaring(addr: &str, path: &str, len: usize) -> u16 {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    let head = format!("POST {path} HTTP/1.1\r\nHost: lyceum\r\nContent-Length: {len}\r\n\r\n");
    conn.write_all(head.as_bytes()).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut status = [0u8; 12];
    conn.read_exact(&mut status).unwrap();
    std::str::from_utf8(&status[9..12]).unwrap().parse().unwrap()
}

/// Waits up to `secs` seconds for `check` to hold, polling.
pub async fn eventually(secs: u64, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Like [`eventually`], for a check that has to await.
pub async fn eventually_async<F: std::future::Future<Output = bool>>(
    secs: u64,
    what: &str,
    mut check: impl FnMut() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The demo community on `db` with the system clock, and an outbox worker
/// with quick retries delivering to `sink` until `stopped`.
pub async fn live_core(
    db: &TestDb,
    sink: std::sync::Arc<dyn lyceum_core::outbox::EffectSink>,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> std::sync::Arc<lyceum_core::Core> {
    live_core_with(db, sink, stopped, |c| c).await
}

/// Like [`live_core`], with the core changed by `with` before it starts serving.
pub async fn live_core_with(
    db: &TestDb,
    sink: std::sync::Arc<dyn lyceum_core::outbox::EffectSink>,
    stopped: tokio::sync::watch::Receiver<bool>,
    with: impl FnOnce(lyceum_core::Core) -> lyceum_core::Core,
) -> std::sync::Arc<lyceum_core::Core> {
    live_core_configured(db, sink, stopped, |_| {}, with).await
}

/// Like [`live_core_with`], with the demo community first changed by `tweak`.
pub async fn live_core_configured(
    db: &TestDb,
    sink: std::sync::Arc<dyn lyceum_core::outbox::EffectSink>,
    stopped: tokio::sync::watch::Receiver<bool>,
    tweak: impl FnOnce(&mut lyceum_core::config::Community),
    with: impl FnOnce(lyceum_core::Core) -> lyceum_core::Core,
) -> std::sync::Arc<lyceum_core::Core> {
    use std::sync::Arc;
    let conn = lyceum::db::open_and_migrate(&db.url).await.unwrap();
    let mut communities = lyceum::settings::load(None).unwrap().communities;
    tweak(&mut communities[0]);
    let clock = Arc::new(lyceum_core::clock::SystemClock);
    let started = lyceum_core::Core::start(conn.clone(), &communities, clock.clone())
        .await
        .unwrap();
    let core = Arc::new(with(started));
    let policy = lyceum_core::outbox::RetryPolicy {
        base_secs: 1,
        max_secs: 2,
        max_attempts: 20,
        ..Default::default()
    };
    let mut worker = lyceum_core::outbox::OutboxWorker::new(conn, clock, policy);
    worker.register(sink);
    tokio::spawn(worker.run(core.wake(), stopped));
    core
}

/// Whether the activity rows come to satisfy `done` within five seconds.
pub async fn activity_reaches(
    core: &lyceum_core::Core,
    done: impl Fn(&[lyceum_core::entity::activity_day::Model]) -> bool,
) -> bool {
    use sea_orm::EntityTrait;
    for _ in 0..100 {
        // Counts are written when the writer compacts; a flush makes it.
        core.flush_activity().await;
        let rows = lyceum_core::entity::activity_day::Entity::find()
            .all(core.db())
            .await
            .unwrap();
        if done(&rows) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The bot's whole HTTP router, serving `core` on a free port; its base URL.
pub async fn serve(core: std::sync::Arc<lyceum_core::Core>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Tests click through pages faster than people; the limits have their
    // own test (hardening.rs).
    let unlimited = lyceum::limits::Rate {
        per_second: 100_000,
        burst: 100_000,
    };
    let hooks = lyceum::http::Hooks {
        limits: lyceum::limits::Limits {
            pages: unlimited,
            webhooks: unlimited,
            public: unlimited,
            ..Default::default()
        },
        ..Default::default()
    };
    let app = lyceum::http::router(core, hooks);
    tokio::spawn(async move { axum::serve(listener, lyceum::limits::with_peer(app)).await });
    base
}
