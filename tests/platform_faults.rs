//! Discord and Telegram failing under the running binary: a 5xx, a 429 and
//! a request that gets no answer, one after another. The effect waits in
//! the outbox, saying why, and reaches the platform once it answers again,
//! exactly once.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use lyceum::settings::BUILTIN;
use lyceum_core::entity::outbox;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use support::discord::{APP, FakeDiscord, GUILD};
use support::telegram::{FakeBotApi, PAID_CHAT, TOKEN};
use support::{Running, TestDb, eventually, eventually_async};

const PRO_ROLE: u64 = 12;

/// The binary on `config_text`, with fast retries and `attempt_secs` as the
/// longest wait for one answer.
fn start(
    db: &TestDb,
    dir: &tempfile::TempDir,
    config_text: &str,
    attempt_secs: u64,
    token: (&str, &str),
) -> Running {
    let config = dir.path().join("lyceum.toml");
    std::fs::write(&config, config_text).unwrap();
    let mut cmd = support::lyceum(&db.url);
    cmd.env("LYCEUM__OUTBOX__RETRY_BASE_SECS", "2")
        .env("LYCEUM__OUTBOX__RETRY_MAX_SECS", "2")
        .env("LYCEUM__OUTBOX__ATTEMPT_SECS", attempt_secs.to_string())
        .env(token.0, token.1)
        .args(["--config", config.to_str().unwrap(), "run"]);
    Running::start(cmd, false)
}

fn grant(db: &TestDb, dir: &tempfile::TempDir, who: &str) {
    let out = support::run_with_input(
        support::lyceum(&db.url),
        &[
            "--config",
            dir.path().join("lyceum.toml").to_str().unwrap(),
            "console",
            "--as",
            "admin",
        ],
        &format!("/grant {who} pro 30\n"),
    );
    assert!(out.status.success(), "{}", support::stderr(&out));
}

/// The outbox rows for `platform`.
async fn rows(db: &TestDb, platform: &str) -> Vec<outbox::Model> {
    let conn = lyceum::db::connect(&db.url).await.unwrap();
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Platform.eq(platform))
        .all(&conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows
}

/// Waits until some row of `platform` is pending after a failed attempt
/// whose recorded error contains `why`.
async fn waiting(db: &TestDb, platform: &str, why: &str) {
    eventually_async(
        30,
        &format!("a {platform} effect waits after \"{why}\""),
        || async {
            rows(db, platform)
                .await
                .iter()
                .any(|r| r.status == "pending" && r.last_error.as_deref().is_some_and(|e| e.contains(why)))
        },
    )
    .await;
}

/// Every effect for `platform` is delivered, and the log tells of the
/// silent attempt and of the failures before it.
async fn delivered_once(db: &TestDb, platform: &str, server: &Running) {
    // The notice queued behind the grant may still be on its way.
    eventually_async(30, &format!("every {platform} effect delivered"), || async {
        let rows = rows(db, platform).await;
        !rows.is_empty() && rows.iter().all(|r| r.status == "delivered")
    })
    .await;
    let log = server.log.lock().clone();
    assert!(
        log.contains("the platform did not answer in time; will retry"),
        "{log}"
    );
    assert!(log.contains("effect delivery failed; will retry"), "{log}");
}

async fn discord_recovers(db: TestDb) {
    let fake = FakeDiscord::default();
    let base = fake.start().await;
    fake.join(555, &[]);
    let role_path = format!("/members/555/roles/{PRO_ROLE}");
    fake.stall_next(&role_path, Duration::from_secs(30));
    fake.fail_next(
        &role_path,
        500,
        json!({"code": 0, "message": "500: Internal Server Error"}),
    );
    fake.fail_next(
        &role_path,
        429,
        json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false}),
    );
    let dir = tempfile::tempdir().unwrap();
    let discord = format!("[discord]\napplication_id = {APP}\napi_proxy = \"{base}\"\n");
    let text = format!(
        "{}\n[[discord.guilds]]\nguild_id = {GUILD}\ncommunity = \"demo\"\n\
         roles = {{ community-chat = 11, pro-lounge = {PRO_ROLE} }}\n",
        BUILTIN.replacen("[discord]\n", &discord, 1)
    );
    let server = start(&db, &dir, &text, 2, ("LYCEUM__DISCORD__TOKEN", "fake-token"));
    let f = fake.clone();
    eventually(30, "the bot connects", || f.connected()).await;

    grant(&db, &dir, "discord:555");
    waiting(&db, "discord", "no answer within 2 s").await;
    waiting(&db, "discord", "HTTP 500").await;
    let f = fake.clone();
    eventually(30, "the role reaches Discord", || {
        f.roles_of(555).is_some_and(|r| r.contains(&PRO_ROLE))
    })
    .await;
    assert_eq!(fake.faults_left(), 0, "{}", fake.log());
    // No answer, 500, 429, then the one call that took effect.
    assert_eq!(fake.seen("PUT", &role_path).len(), 4, "{}", fake.log());
    delivered_once(&db, "discord", &server).await;
    assert!(server.stop().success());
}

async fn telegram_recovers(db: TestDb) {
    let fake = FakeBotApi::default();
    let url = fake.start().await;
    let method = "createChatInviteLink";
    fake.fail_next(method, 502);
    fake.stall_next(method, Duration::from_secs(60));
    fake.flood_next(method, 1);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[[telegram.chats]]\nchat_id = {PAID_CHAT}\ncommunity = \"demo\"\nperk = \"pro-lounge\"\n",
        BUILTIN.replacen("[telegram]\n", &format!("[telegram]\napi_url = \"{url}\"\n"), 1)
    );
    // teloxide itself waits 10 s after any 5xx before reading the answer.
    let server = start(&db, &dir, &text, 12, ("LYCEUM__TELEGRAM__TOKEN", TOKEN));

    grant(&db, &dir, "telegram:42");
    waiting(&db, "telegram", "Bad Gateway").await;
    waiting(&db, "telegram", "no answer within 12 s").await;
    let f = fake.clone();
    eventually(60, "the invite reaches the member", || {
        f.calls("sendMessage").iter().any(|c| {
            c.params["chat_id"] == 42
                && c.params["text"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("https://t.me/+fake")
        })
    })
    .await;
    assert_eq!(fake.faults_left(), 0);
    // The failed calls, then the flood-controlled one, then the link made.
    assert_eq!(fake.calls(method).len(), 4);
    let invites: Vec<_> = fake
        .calls("sendMessage")
        .into_iter()
        .filter(|c| {
            c.params["chat_id"] == 42
                && c.params["text"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("https://t.me/+fake")
        })
        .collect();
    assert_eq!(invites.len(), 1, "{invites:?}");
    delivered_once(&db, "telegram", &server).await;
    assert!(server.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_errors_and_silence_delay_a_role_but_never_lose_or_double_it() {
    for db in TestDb::all().await {
        discord_recovers(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_errors_and_silence_delay_an_invite_but_never_lose_or_double_it() {
    for db in TestDb::all().await {
        telegram_recovers(db).await;
    }
}
