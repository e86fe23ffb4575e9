//! The whole way in, in Chromium, through the binary and the strict fakes:
//! a stranger opens the public page in Chinese, continues with Discord,
//! pays on the fake Stripe's hosted page, watches the welcome page turn to
//! "access granted" and reads the lesson; another continues with Telegram,
//! presses Start and pays. The buyers end up in the guild with the role and
//! with the invite link; the pages they saw have no serious or critical
//! accessibility violations. Skipped, with a line saying why, where
//! Chromium, Node or tests/browser's packages are missing.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::join_stage::{PRO_ROLE, Platforms, stage};
use support::{TestDb, eventually};

const DISCORD_BUYER: u64 = 555;
const TELEGRAM_BUYER: u64 = 777;

/// Why the test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser");
    if !std::path::Path::new("/usr/bin/chromium").exists() {
        return Some("no Chromium at /usr/bin/chromium; install Debian's chromium package".into());
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node on PATH".into());
    }
    if !dir.join("node_modules/playwright-core").exists() || !dir.join("node_modules/axe-core").exists() {
        return Some("tests/browser has no node_modules; run `npm ci --prefix tests/browser`".into());
    }
    None
}

async fn whole_way_in(db: TestDb) {
    let on = Platforms {
        discord: true,
        telegram: true,
    };
    let s = stage(&db, on).await;
    s.discord.oauth.sign_in_as(DISCORD_BUYER, "zh-CN");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser/journey.mjs");
    let mut node = Command::new("node")
        .arg(script)
        .args([s.public.as_str(), "pro-monthly", "intro"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Node's answers are read on a thread of their own: the fakes serve on
    // this runtime meanwhile.
    let bot_api = s.bot_api.clone();
    let (ok, said) = tokio::task::spawn_blocking(move || {
        let mut stdin = node.stdin.take().unwrap();
        let lines = BufReader::new(node.stdout.take().unwrap()).lines();
        let mut said = Vec::new();
        for line in lines {
            let line = line.unwrap();
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            // The page waits for Start: press it in the fake Telegram.
            if let Some(link) = v["deeplink"].as_str() {
                let payload = link.split("start=").nth(1).unwrap();
                let chat = i64::try_from(TELEGRAM_BUYER).unwrap();
                bot_api.message(chat, TELEGRAM_BUYER, "zh-CN", &format!("/start {payload}"));
                writeln!(stdin, "pressed").unwrap();
            }
            said.push(v);
        }
        (node.wait().unwrap().success(), said)
    })
    .await
    .unwrap();
    assert!(ok, "{said:#?}");
    let all = serde_json::to_string_pretty(&said).unwrap();
    assert!(said.iter().any(|v| v["done"] == true), "{all}");
    let step = |name: &str| {
        said.iter()
            .find(|v| v["step"] == name)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(step("discord: public page")["lang"], "zh-CN", "{all}");
    assert_eq!(
        step("discord: open")["href"],
        "https://discord.com/channels/900",
        "{all}"
    );
    assert_eq!(step("discord: reads")["strong"], "Bold move", "{all}");
    assert_eq!(step("telegram: open")["href"], "https://t.me/LyceumBot", "{all}");
    for page in said.iter().filter(|v| v["axe"].is_string()) {
        for v in page["violations"].as_array().unwrap() {
            assert!(
                !matches!(v["impact"].as_str(), Some("serious" | "critical")),
                "{} at {} px: {} ({}) on {}",
                page["axe"],
                page["width"],
                v["id"],
                v["impact"],
                v["nodes"]
            );
        }
    }
    let axed = said.iter().filter(|v| v["axe"].is_string()).count();
    assert_eq!(axed, 10, "five pages at two widths: {all}");

    // What the platforms now hold.
    let d = s.discord.clone();
    eventually(10, "the Discord buyer holds the role", || {
        d.roles_of(DISCORD_BUYER).is_some_and(|r| r.contains(&PRO_ROLE))
    })
    .await;
    let invited = s.bot_api.invited(TELEGRAM_BUYER);
    assert!(invited, "the Telegram buyer got no invite link");
    assert!(s.discord.take_refusals().is_empty());
    assert!(s.bot_api.take_refusals().is_empty());
    assert!(s.stripe.take_refusals().is_empty());
    assert!(s.server.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_joins_in_chromium() {
    if let Some(why) = missing() {
        println!("SKIP: {why}");
        return;
    }
    for db in TestDb::all().await {
        whole_way_in(db).await;
    }
}
