//! The platforms' own request descriptions (`../shared/specs`, or the folder
//! named by `LYCEUM_SPECS_DIR`) and what the fakes do with them: every request
//! a fake receives is checked as the real platform checks it, a refused one
//! is answered with the platform's error, and the test that caused it fails
//! when it lets go of the fake.

#![allow(dead_code, clippy::unwrap_used)]

pub mod discord;
pub mod schema;
pub mod stripe;
pub mod telegram;

use parking_lot::Mutex;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

pub use schema::Problem;

pub const DIR_ENV: &str = "LYCEUM_SPECS_DIR";

/// The folder of descriptions, or `None` after one line on stderr saying
/// that the fakes are not checking requests in this run.
pub fn dir() -> Option<&'static PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::var_os(DIR_ENV).map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs"),
            PathBuf::from,
        );
        if dir.join("README.md").is_file() {
            return Some(dir);
        }
        let _ = writeln!(
            std::io::stderr(),
            "note: strict fake checks skipped: no platform specs at {} (set {DIR_ENV})",
            dir.display()
        );
        None
    })
    .as_ref()
}

/// One description, parsed once per test binary.
pub fn load(file: &'static str, cell: &'static OnceLock<Option<Value>>) -> Option<&'static Value> {
    cell.get_or_init(|| {
        let path = dir()?.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    })
    .as_ref()
}

/// How many literal segments of the path `template` (`/a/{id}/b`) `path`
/// matches, or `None` when it does not fall under it; the template with the
/// most wins, so `members/@me` goes before `members/{user_id}`.
pub fn fits_template(template: &str, path: &str) -> Option<usize> {
    let (parts, segments): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    if parts.len() != segments.len() {
        return None;
    }
    let mut literal = 0;
    for (p, s) in parts.iter().zip(&segments) {
        if !p.starts_with('{') {
            if p != s {
                return None;
            }
            literal += 1;
        }
    }
    Some(literal)
}

/// A request the real platform would refuse: which endpoint, and each
/// field with the rule it broke.
#[derive(Clone, Debug)]
pub struct Refusal {
    /// The HTTP status the platform answers with.
    pub status: u16,
    pub endpoint: String,
    pub problems: Vec<Problem>,
}

impl Refusal {
    pub fn new(status: u16, endpoint: impl Into<String>, problems: Vec<Problem>) -> Refusal {
        Refusal {
            status,
            endpoint: endpoint.into(),
            problems,
        }
    }

    /// Ok when there is nothing to refuse.
    pub fn unless_empty(status: u16, endpoint: &str, problems: Vec<Problem>) -> Result<(), Refusal> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Refusal::new(status, endpoint, problems))
        }
    }

    /// The first problem, as a platform's one-line error states it.
    pub fn first(&self) -> String {
        self.problems
            .first()
            .map(|p| format!("{}: {}", p.at, p.rule))
            .unwrap_or_default()
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} refused ({}):", self.endpoint, self.status)?;
        for p in &self.problems {
            write!(f, "\n    {}: {}", p.at, p.rule)?;
        }
        Ok(())
    }
}

/// The refusals one fake has made. The handle a test holds is armed: when
/// the test lets go of its last one, any refusal not taken fails the test.
/// The fake's server holds an unarmed handle to the same list.
pub struct Refusals {
    platform: &'static str,
    list: Arc<Mutex<Vec<Refusal>>>,
    armed: bool,
}

impl Refusals {
    pub fn new(platform: &'static str) -> Arc<Refusals> {
        Arc::new(Refusals {
            platform,
            list: Arc::default(),
            armed: true,
        })
    }

    /// The same list, for the server side, which never fails a test itself.
    pub fn unarmed(&self) -> Arc<Refusals> {
        Arc::new(Refusals {
            platform: self.platform,
            list: self.list.clone(),
            armed: false,
        })
    }

    pub fn record(&self, refusal: &Refusal) {
        let _ = writeln!(std::io::stderr(), "fake {}: {refusal}", self.platform);
        self.list.lock().push(refusal.clone());
    }

    /// The refusals so far, which then no longer fail the test: for tests
    /// that send a bad request on purpose.
    pub fn take(&self) -> Vec<Refusal> {
        std::mem::take(&mut *self.list.lock())
    }
}

impl Drop for Refusals {
    fn drop(&mut self) {
        if !self.armed || std::thread::panicking() {
            return;
        }
        let list = self.take();
        if !list.is_empty() {
            let all: Vec<String> = list.iter().map(ToString::to_string).collect();
            panic!(
                "the fake {} refused {} request(s) that the real platform would refuse:\n  {}",
                self.platform,
                list.len(),
                all.join("\n  ")
            );
        }
    }
}
