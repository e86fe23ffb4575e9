//! A newcomer's first minutes with the Telegram bot, through the binary
//! against the strict fake Bot API, in English and Chinese: `/start` is
//! welcomed, a deep link picks the community of a bot serving several, and
//! a bot with no chat bound still answers private messages.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use support::telegram::{FakeBotApi, TOKEN};
use support::{Running, TestDb, eventually};

/// The demo, polled from the fake Bot API with no chat bound, and with
/// `more` appended (another community, say).
fn config(dir: &Path, bot_api: &str, more: &str) -> String {
    let text = lyceum::settings::BUILTIN.replacen(
        "[telegram]\n",
        &format!("[telegram]\napi_url = \"{bot_api}\"\npoll_timeout_secs = 1\n"),
        1,
    );
    let path = dir.join("lyceum.toml");
    std::fs::write(&path, format!("{text}\n{more}")).unwrap();
    path.to_str().unwrap().to_owned()
}

const SECOND: &str = r#"
[[communities]]
slug = "rustaceans"
name = { en = "Rustaceans Club", zh-CN = "Rust 俱乐部" }
default_locale = "zh-CN"
admins = []

[[communities.tiers]]
key = "crab"
name = { en = "Crab", zh-CN = "螃蟹" }
perks = []
"#;

/// What signs the binary's links, so the test can make a signed payload
/// as a web page would.
const SECRET: &str = "a secret for signed start payloads";

fn start(db: &TestDb, config: &str) -> Running {
    let mut cmd = support::lyceum(&db.url);
    cmd.env("LYCEUM__TELEGRAM__TOKEN", TOKEN)
        .env("LYCEUM__HTTP__DASHBOARD_SECRET", SECRET)
        .args(["--config", config, "run"]);
    Running::start(cmd, false)
}

fn signed(slug: &str, at: i64) -> String {
    let links = lyceum_core::signin::SignInLinks::new("http://unused", SECRET.as_bytes());
    links.start_payload(slug, at).unwrap()
}

/// The texts the bot sent to the private chat of `user`, after waiting for
/// the `n`th.
async fn said_to(fake: &FakeBotApi, user: u64, n: usize) -> Vec<String> {
    let f = fake.clone();
    eventually(20, &format!("answer {n} to {user}"), || {
        f.calls_with("sendMessage", "chat_id", user.into()).len() >= n
    })
    .await;
    fake.calls_with("sendMessage", "chat_id", user.into())
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn one_community(db: &TestDb, dir: &Path) {
    let fake = FakeBotApi::default();
    let api = fake.start().await;
    let server = start(db, &config(dir, &api, ""));
    let i64_of = |u: u64| i64::try_from(u).unwrap();

    fake.message(i64_of(101), 101, "en", "/start");
    let said = said_to(&fake, 101, 1).await;
    assert!(
        said[0].starts_with("Welcome to Lyceum Demo!") && said[0].contains("/tiers"),
        "{said:?}"
    );

    fake.message(i64_of(102), 102, "zh-hans", "/start");
    let said = said_to(&fake, 102, 1).await;
    assert!(
        said[0].starts_with("欢迎来到 Lyceum 演示社群") && said[0].contains("/join"),
        "{said:?}"
    );

    // With no chat bound, private commands are answered for the community.
    fake.message(i64_of(101), 101, "en", "/tiers");
    let said = said_to(&fake, 101, 2).await;
    assert!(said[1].contains("Membership tiers of Lyceum Demo"), "{said:?}");
    // Plain words are never met with silence.
    fake.message(i64_of(102), 102, "zh-hans", "你好");
    let said = said_to(&fake, 102, 2).await;
    assert!(said[1].starts_with("欢迎来到"), "{said:?}");
    assert!(server.stop().success());
}

async fn two_communities(db: &TestDb, dir: &Path) {
    let fake = FakeBotApi::default();
    let api = fake.start().await;
    let server = start(db, &config(dir, &api, SECOND));
    let i64_of = |u: u64| i64::try_from(u).unwrap();

    // Several communities and none chosen: each with its deep link.
    fake.message(i64_of(201), 201, "en", "/tiers");
    let said = said_to(&fake, 201, 1).await;
    assert!(said[0].contains("more than one community"), "{said:?}");
    assert!(
        said[0].contains("Lyceum Demo: https://t.me/LyceumBot?start=demo"),
        "{said:?}"
    );
    assert!(
        said[0].contains("Rustaceans Club: https://t.me/LyceumBot?start=rustaceans"),
        "{said:?}"
    );

    // The deep link picks the community, and it holds for what follows.
    fake.message(i64_of(201), 201, "en", "/start rustaceans");
    let said = said_to(&fake, 201, 2).await;
    assert!(said[1].starts_with("Welcome to Rustaceans Club!"), "{said:?}");
    fake.message(i64_of(201), 201, "en", "/help");
    let said = said_to(&fake, 201, 3).await;
    assert!(said[2].contains("Rustaceans Club"), "{said:?}");

    // An unknown payload says so, in the person's language, and lists them.
    fake.message(i64_of(202), 202, "zh-hans", "/start nowhere");
    let said = said_to(&fake, 202, 1).await;
    assert!(said[0].contains("我不知道名为“nowhere”的社群"), "{said:?}");
    assert!(
        said[0].contains("Rust 俱乐部: https://t.me/LyceumBot?start=rustaceans"),
        "{said:?}"
    );
    fake.message(i64_of(202), 202, "zh-hans", "/start demo");
    let said = said_to(&fake, 202, 2).await;
    assert!(said[1].starts_with("欢迎来到 Lyceum 演示社群"), "{said:?}");

    // A signed payload from a web page picks its community; an old one is
    // refused with the links that work.
    let now = chrono::Utc::now().timestamp();
    fake.message(
        i64_of(203),
        203,
        "en",
        &format!("/start {}", signed("rustaceans", now)),
    );
    let said = said_to(&fake, 203, 1).await;
    assert!(said[0].starts_with("Welcome to Rustaceans Club!"), "{said:?}");
    let old = signed("demo", now - lyceum_core::signin::START_TTL_SECS - 60);
    fake.message(i64_of(204), 204, "en", &format!("/start {old}"));
    let said = said_to(&fake, 204, 1).await;
    assert!(said[0].starts_with("That link has expired"), "{said:?}");
    assert!(said[0].contains("?start=demo"), "{said:?}");
    assert!(server.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_welcomes_and_picks_the_community() {
    // A database each: both fakes number their updates from 1, and a
    // database remembers the updates it has taken in.
    for db in TestDb::all().await {
        one_community(&db, tempfile::tempdir().unwrap().path()).await;
    }
    for db in TestDb::all().await {
        two_communities(&db, tempfile::tempdir().unwrap().path()).await;
    }
}
