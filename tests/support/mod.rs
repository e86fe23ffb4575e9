//! Test support: a fresh database per test on every available backend, and
//! helpers to run the real `lyceum` binary.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub mod stripe;

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
