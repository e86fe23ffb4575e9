//! The binary as a stranger meets it on the web: the strict fakes of
//! Discord (with its OAuth2), Telegram's Bot API and Stripe (with its hosted
//! checkout page sending signed webhooks to the binary), the demo community
//! with a Pro lesson and a member's referral code, and the binary listening
//! at an address known in advance, so the OAuth redirect can be registered.

#![allow(dead_code, clippy::unwrap_used)]

use lyceum::settings::BUILTIN;

use super::discord::{APP, FakeDiscord, GUILD};
use super::discord_oauth::CLIENT_SECRET;
use super::stripe::{self as fake_stripe, FakeStripe};
use super::telegram::{FakeBotApi, PAID_CHAT, TOKEN};
use super::{Running, TestDb, eventually};

pub const TOKEN_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const PRO_ROLE: u64 = 12;
pub const CHAT_ROLE: u64 = 11;
/// A lesson body with Markdown, a marker to look for, and what must not run.
pub const BODY: &str = "**Bold move** SECRET-BODY-MARKER <script>alert(1)</script>";

pub struct Stage {
    pub server: Running,
    /// Bob's referral code.
    pub code: String,
    pub discord: FakeDiscord,
    pub bot_api: FakeBotApi,
    pub stripe: FakeStripe,
    /// Where the binary is reached, without a trailing slash.
    pub public: String,
    _dir: tempfile::TempDir,
}

/// Which platforms the binary connects to.
#[derive(Clone, Copy)]
pub struct Platforms {
    pub discord: bool,
    pub telegram: bool,
}

pub async fn stage(db: &TestDb, on: Platforms) -> Stage {
    let discord = FakeDiscord::default();
    let discord_base = discord.start().await;
    let bot_api = FakeBotApi::default();
    let bot_api_base = bot_api.start().await;
    let stripe = FakeStripe::default();
    let stripe_base = stripe.start().await;
    let addr = super::free_addr();
    let public = format!("http://{addr}");
    discord
        .oauth
        .register(APP, &[&format!("{public}/auth/discord/callback")]);
    stripe.send_webhooks_to(&format!("{public}/webhooks/stripe"));

    let mut text = BUILTIN.to_owned();
    if on.discord {
        let section = format!("[discord]\napplication_id = {APP}\napi_proxy = \"{discord_base}\"\n");
        text = text.replacen("[discord]\n", &section, 1);
        text.push_str(&format!(
            "\n[[discord.guilds]]\nguild_id = {GUILD}\ncommunity = \"demo\"\n\
             roles = {{ community-chat = {CHAT_ROLE}, pro-lounge = {PRO_ROLE} }}\n"
        ));
    }
    if on.telegram {
        let section = format!("[telegram]\napi_url = \"{bot_api_base}\"\npoll_timeout_secs = 1\n");
        text = text.replacen("[telegram]\n", &section, 1);
        text.push_str(&format!(
            "\n[[telegram.chats]]\nchat_id = {PAID_CHAT}\ncommunity = \"demo\"\nperk = \"pro-lounge\"\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lyceum.toml");
    std::fs::write(&config, text).unwrap();
    let config = config.to_str().unwrap().to_owned();
    let console = |who: &str, line: &str| {
        let out = super::run_with_input(
            super::lyceum(&db.url),
            &["--config", &config, "console", "--as", who],
            line,
        );
        assert!(out.status.success(), "{}", super::stderr(&out));
        super::stdout(&out)
    };
    // A lesson for Pro members, whose body must never reach anyone else.
    console(
        "admin",
        &format!("/lesson post intro tier=pro teaser=\"Why async?\" Getting started | {BODY}\n"),
    );
    // A member whose referral code a buyer may arrive with.
    let said = console("bob", "/invite\n");
    let code = said
        .split("/join ")
        .nth(1)
        .and_then(|rest| {
            rest.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .next()
        })
        .unwrap_or_else(|| panic!("no code in {said}"))
        .to_owned();

    let mut cmd = super::lyceum(&db.url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", fake_stripe::SECRET_KEY)
        .env("LYCEUM__STRIPE__WEBHOOK_SECRET", fake_stripe::WEBHOOK_SECRET)
        .env("LYCEUM__STRIPE__API_BASE", &stripe_base)
        .env("LYCEUM__OUTBOX__RETRY_BASE_SECS", "1")
        .env("LYCEUM__OUTBOX__RETRY_MAX_SECS", "1")
        .args(["--config", &config, "run"]);
    if on.discord {
        cmd.env("LYCEUM__DISCORD__TOKEN", "fake-token")
            .env("LYCEUM__DISCORD__OAUTH__CLIENT_SECRET", CLIENT_SECRET)
            .env("LYCEUM__DISCORD__OAUTH__TOKEN_KEY", TOKEN_KEY);
    }
    if on.telegram {
        cmd.env("LYCEUM__TELEGRAM__TOKEN", TOKEN);
    }
    let server = Running::start_at(cmd, false, &addr);
    if on.discord {
        let d = discord.clone();
        eventually(30, "the bot connects", || d.connected()).await;
    }
    Stage {
        server,
        code,
        discord,
        bot_api,
        stripe,
        public,
        _dir: dir,
    }
}
