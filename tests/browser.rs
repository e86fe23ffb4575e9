//! A real browser signs in to the dashboard: the operator prints a link
//! with `lyceum dashboard-link`, headless Chromium follows it (the sign-in
//! sets the cookie and redirects), and the overview it lands on is read
//! back as DOM and saved as a screenshot in target/dashboard-overview.png.
//! Skipped, with the reason printed, where Chromium is not installed.
//!
//! The public pages are checked there too, by axe-core (tests/browser,
//! installed with npm), as strangers would open them.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Running, TestDb, lyceum, run_with_input, stdout};

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// A fresh sign-in link on the running server.
fn link(db: &TestDb, server: &Running) -> String {
    let out = lyceum(&db.url)
        .args(["dashboard-link", "demo", "console:admin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = stdout(&out);
    let (_, path) = printed.trim().split_once("/dashboard/").unwrap();
    server.url(&format!("/dashboard/{path}"))
}

fn browse(browser: &Path, profile: &Path, what: &str, url: &str) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1400,1900",
            &format!("--user-data-dir={}", profile.display()),
            what,
            url,
        ])
        .output()
        .unwrap()
}

#[test]
fn chromium_signs_in_and_shows_the_overview() {
    let Some(browser) = chromium() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIP: no Chromium at /usr/bin/chromium; install Debian's chromium package to run the browser test"
        );
        return;
    };
    let db = TestDb::sqlite();
    let seed = "/join\n";
    for who in ["alice", "bob", "mei"] {
        run_with_input(lyceum(&db.url), &["console", "--as", who], seed);
    }
    let staff = "/grant console:alice pro 30\n/grant console:bob basic 10\n/award console:mei 25 helpful\n";
    run_with_input(lyceum(&db.url), &["console", "--as", "admin"], staff);
    let mut run = lyceum(&db.url);
    run.arg("run");
    let server = Running::start(run, false);
    let profile = tempfile::tempdir().unwrap();

    // Follows the link: the DOM is the overview, so the cookie set on the
    // sign-in response was kept and sent after the redirect.
    let dom = browse(&browser, profile.path(), "--dump-dom", &link(&db, &server));
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(
        html.contains("<h1>Overview</h1>"),
        "{html}\n{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    for want in ["MRR", "Churn, 30 days", "<svg", "Retention L(k)"] {
        assert!(html.contains(want), "overview lacks {want}");
    }
    assert!(!html.contains("Please sign in"));

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../dashboard-overview.png");
    let _ = std::fs::remove_file(&shot);
    let profile = tempfile::tempdir().unwrap();
    let arg = format!("--screenshot={}", shot.display());
    let out = browse(&browser, profile.path(), &arg, &link(&db, &server));
    let png =
        std::fs::read(&shot).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );

    // A link already used is refused in the browser too.
    let once = link(&db, &server);
    let profile = tempfile::tempdir().unwrap();
    browse(&browser, profile.path(), "--dump-dom", &once);
    let profile = tempfile::tempdir().unwrap();
    let again = browse(&browser, profile.path(), "--dump-dom", &once);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already used"));
    server.stop();
}

/// The accessibility checker's folder, with its packages installed.
fn axe_checker() -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser");
    if Command::new("node").arg("--version").output().is_err() {
        return Err("no Node.js on PATH".into());
    }
    if !dir.join("node_modules/axe-core").exists() || !dir.join("node_modules/playwright-core").exists() {
        return Err(format!(
            "its packages are not installed; run: npm ci --prefix {}",
            dir.display()
        ));
    }
    Ok(dir)
}

/// A stranger's view of the public pages, checked by axe-core in Chromium at
/// a phone's width and a desktop's, in both languages: no serious or
/// critical violation. Lesser ones are printed, to be read and fixed.
#[test]
fn public_pages_have_no_serious_accessibility_violations() {
    let Some(browser) = chromium() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIP: no Chromium at /usr/bin/chromium; install Debian's chromium package to run the accessibility test"
        );
        return;
    };
    let dir = match axe_checker() {
        Ok(dir) => dir,
        Err(why) => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIP: the accessibility test needs axe-core: {why}"
            );
            return;
        }
    };
    let db = TestDb::sqlite();
    let lessons = "/lesson post intro tier=pro price=4.99 teaser=\"Why async?\" Getting started | Body.\n\
                   /lesson post ch1 course=async-rust points=30 Pinning | Body.\n";
    run_with_input(lyceum(&db.url), &["console", "--as", "admin"], lessons);
    let mut run = lyceum(&db.url);
    run.arg("run");
    let server = Running::start(run, false);
    let pages: Vec<String> = [
        "/c/demo?lang=en",
        "/c/demo?lang=zh-CN",
        "/c/demo/lessons/intro?lang=zh-CN",
        "/c/demo/courses/async-rust?lang=en",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let out = Command::new("node")
        .current_dir(&dir)
        .arg("axe.mjs")
        .args(&pages)
        .env("CHROMIUM", &browser)
        .output()
        .unwrap();
    server.stop();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut serious = Vec::new();
    let mut checked = 0;
    for line in report.lines() {
        let page: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(page["status"], 200, "{line}");
        checked += 1;
        for v in page["violations"].as_array().unwrap() {
            let said = format!(
                "{} at {}px: {} ({}) {}",
                page["url"], page["width"], v["id"], v["impact"], v["nodes"]
            );
            let _ = writeln!(std::io::stderr(), "axe: {said}");
            if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                serious.push(said);
            }
        }
    }
    assert_eq!(checked, pages.len() * 2, "{report}");
    assert!(serious.is_empty(), "{serious:#?}");
}
