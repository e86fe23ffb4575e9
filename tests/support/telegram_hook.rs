//! Telegram in webhook mode through the binary: a config binding the open
//! chat with every message worth the same points, and updates posted as
//! Telegram posts them.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use super::telegram::{OPEN_CHAT, TOKEN};

/// The webhook's secret token.
pub const SECRET: &str = "hook-Secret_1";
/// Points of every message: no cooldown, cap or burst decay, so a total
/// says how many times messages were counted.
pub const PER_MESSAGE: i64 = 10;

/// The demo, with Telegram updates posted to the webhook and every
/// message worth the same points.
pub fn config(dir: &Path, bot_api: &str) -> PathBuf {
    config_limited(dir, bot_api, 0, 0)
}

/// [`config`], with messages paying again only after `cooldown_secs` and
/// up to `daily_cap` points a day (0: no limit).
pub fn config_limited(dir: &Path, bot_api: &str, cooldown_secs: u64, daily_cap: i64) -> PathBuf {
    let builtin = lyceum::settings::BUILTIN;
    let text = format!(
        "{}\n[[telegram.chats]]\nchat_id = {OPEN_CHAT}\ncommunity = \"demo\"\n",
        builtin
            .replacen(
                "[telegram]\n",
                &format!("[telegram]\nmode = \"webhook\"\napi_url = \"{bot_api}\"\n"),
                1
            )
            .replacen(
                "message = { points = 5, min_chars = 8, cooldown_secs = 60, daily_cap = 100 }",
                &format!(
                    "message = {{ points = {PER_MESSAGE}, min_chars = 8, cooldown_secs = {cooldown_secs}, daily_cap = {daily_cap} }}"
                ),
                1
            )
            .replacen("burst = { window_secs = 600,", "burst = { window_secs = 0,", 1)
            // Each message's webhook waits for its commit: a short window
            // lets many be answered quickly.
            .replacen(
                "[communities.points]\n",
                "[communities.points]\nflush_ms = 5\n",
                1
            )
    );
    assert!(
        text.contains(&format!(
            "cooldown_secs = {cooldown_secs}, daily_cap = {daily_cap}"
        )) && text.contains("flush_ms = 5")
    );
    let path = dir.join("lyceum.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The bot's token and the webhook's secret, for `cmd`.
pub fn with_secrets(cmd: &mut Command) -> &mut Command {
    cmd.env("LYCEUM__TELEGRAM__TOKEN", TOKEN)
        .env("LYCEUM__TELEGRAM__SECRET_TOKEN", SECRET)
}

/// A Telegram update from `from` in the open chat, with its id.
pub fn update(id: u64, from: u64, text: &str) -> (u64, Vec<u8>) {
    let body = serde_json::json!({"update_id": id, "message": {
        "message_id": id, "date": 1_790_000_000, "text": text,
        "chat": {"id": OPEN_CHAT, "type": "supergroup", "title": "Demo"},
        "from": super::telegram::user(from, "en")}});
    (id, body.to_string().into_bytes())
}

/// The status of posting `body` as Telegram would; `None` if the server
/// is gone.
pub fn post_update(url: &str, body: &[u8]) -> Option<u16> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let sent = agent
        .post(url)
        .header("content-type", "application/json")
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .send(body);
    sent.ok().map(|r| r.status().as_u16())
}

/// The key under which the update `id` is recorded as taken in.
pub fn key_of(id: u64) -> String {
    lyceum_telegram::update_key(TOKEN, u32::try_from(id).unwrap())
}

/// How many message awards the ledger holds for the Telegram user `user`
/// of the demo community, and their sum.
pub async fn message_awards(db_url: &str, user: u64) -> (i64, i64) {
    use lyceum_core::entity::ledger;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let who = format!("telegram:{user}");
    let out = super::run_with_input(
        super::lyceum(db_url),
        &["member", "show", "demo", &who, "--json"],
        "",
    );
    let shown: serde_json::Value = serde_json::from_str(&super::stdout(&out)).unwrap();
    let conn = lyceum::db::connect(db_url).await.unwrap();
    let rows = ledger::Entity::find()
        .filter(ledger::Column::MemberId.eq(shown["id"].as_i64().unwrap()))
        .filter(ledger::Column::Source.eq("message"))
        .all(&conn)
        .await
        .unwrap();
    let count = i64::try_from(rows.len()).unwrap();
    (count, rows.iter().map(|r| r.delta).sum())
}
