//! Telegram's settings and its wiring into a running bot.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use lyceum_core::config::{Community, ConfigProblem};
use lyceum_telegram::{ChatBinding, Chats, Options};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramSettings {
    #[serde(default, serialize_with = "crate::settings::redact")]
    pub token: Option<SecretString>,
    pub token_file: Option<PathBuf>,
    /// Another Bot API server (self-hosted, or a test fake).
    pub api_url: Option<String>,
    #[serde(default = "default_poll")]
    pub poll_timeout_secs: u32,
    /// How often paid chats are checked against entitlements (also at start).
    #[serde(default = "default_reconcile")]
    pub reconcile_every_secs: u64,
    /// `polling` (the default) or `webhook` (updates posted to
    /// {http.public_url}/webhooks/telegram).
    #[serde(default = "default_mode")]
    pub mode: String,
    /// Checked on every webhook request; environment only.
    #[serde(default, serialize_with = "crate::settings::redact")]
    pub secret_token: Option<SecretString>,
    #[serde(default)]
    pub chats: Vec<ChatBinding>,
}

fn default_poll() -> u32 {
    25
}

fn default_reconcile() -> u64 {
    3600
}

fn default_mode() -> String {
    "polling".into()
}

impl Default for TelegramSettings {
    fn default() -> Self {
        TelegramSettings {
            token: None,
            token_file: None,
            api_url: None,
            poll_timeout_secs: default_poll(),
            reconcile_every_secs: default_reconcile(),
            mode: default_mode(),
            secret_token: None,
            chats: Vec::new(),
        }
    }
}

fn problem(key: String, p: impl Into<String>) -> ConfigProblem {
    ConfigProblem {
        key,
        problem: p.into(),
    }
}

impl TelegramSettings {
    pub fn validate(&self, communities: &[Community]) -> Result<(), ConfigProblem> {
        if let Some(u) = &self.api_url
            && !url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(problem(
                "telegram.api_url".into(),
                format!("`{u}` is not an http(s) URL"),
            ));
        }
        match self.mode.as_str() {
            "polling" => {}
            "webhook" => {
                let ok = self
                    .secret_token
                    .as_ref()
                    .map(secrecy::ExposeSecret::expose_secret)
                    .is_some_and(|t| {
                        (1..=256).contains(&t.len())
                            && t.bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    });
                if self.token.is_some() && !ok {
                    return Err(problem(
                        "telegram.secret_token".into(),
                        "webhook mode needs LYCEUM__TELEGRAM__SECRET_TOKEN: 1-256 of A-Z, a-z, 0-9, _ and -",
                    ));
                }
            }
            other => {
                return Err(problem(
                    "telegram.mode".into(),
                    format!("`{other}` is not polling or webhook"),
                ));
            }
        }
        if self.poll_timeout_secs > 50 {
            return Err(problem("telegram.poll_timeout_secs".into(), "at most 50"));
        }
        let mut seen = BTreeSet::new();
        for (i, c) in self.chats.iter().enumerate() {
            let at = format!("telegram.chats[{i}]");
            if !seen.insert(c.chat_id) {
                return Err(problem(
                    format!("{at}.chat_id"),
                    format!("{} is bound twice", c.chat_id),
                ));
            }
            let Some(community) = communities.iter().find(|x| x.slug.as_str() == c.community) else {
                return Err(problem(
                    format!("{at}.community"),
                    format!("there is no community `{}`", c.community),
                ));
            };
            if let Some(perk) = c.perk.as_ref().filter(|p| !community.grants(p)) {
                return Err(problem(
                    format!("{at}.perk"),
                    format!("no tier or offer of `{}` grants `{perk}`", c.community),
                ));
            }
        }
        Ok(())
    }

    pub fn options(&self) -> Option<Options> {
        let token = self.token.as_ref()?.expose_secret().trim().to_owned();
        Some(Options {
            token,
            api_url: self.api_url.as_deref().and_then(|u| url::Url::parse(u).ok()),
            chats: Arc::new(Chats(self.chats.clone())),
            poll_timeout: self.poll_timeout_secs,
            reconcile_every: std::time::Duration::from_secs(self.reconcile_every_secs.max(60)),
        })
    }
}

/// What `POST /webhooks/telegram` needs.
#[derive(Clone)]
pub struct TelegramHook {
    pub updates: lyceum_telegram::Updates,
    pub secret: Arc<String>,
}

/// Starts Telegram in its configured mode: a polling task, or the webhook
/// registration and the hook for the HTTP server.
pub async fn start(
    loaded: &crate::settings::Loaded,
    core: Arc<lyceum_core::Core>,
    opts: Options,
    tg: lyceum_telegram::Client,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> (Option<tokio::task::JoinHandle<()>>, Option<TelegramHook>) {
    let s = &loaded.settings.telegram;
    tokio::spawn(lyceum_telegram::reconcile_loop(
        core.clone(),
        opts.chats.clone(),
        opts.reconcile_every,
        lyceum_telegram::bot(&opts),
        stopped.clone(),
    ));
    let secret = s.secret_token.as_ref().map(|t| t.expose_secret().to_owned());
    match (s.mode.as_str(), secret) {
        ("webhook", Some(secret)) => {
            let url = format!("{}/webhooks/telegram", loaded.public_url);
            match url::Url::parse(&url) {
                Ok(u) => {
                    if let Err(e) = lyceum_telegram::start_webhook(&opts, u, &secret).await {
                        tracing::error!(error = %e, "could not register the Telegram webhook");
                    }
                }
                Err(e) => tracing::error!(%url, error = %e, "the Telegram webhook URL is not valid"),
            }
            let updates = lyceum_telegram::Updates::new(core, tg, opts.chats.clone());
            (
                None,
                Some(TelegramHook {
                    updates,
                    secret: Arc::new(secret),
                }),
            )
        }
        _ => (
            Some(tokio::spawn(lyceum_telegram::run(core, opts, tg, stopped))),
            None,
        ),
    }
}

/// `POST /webhooks/telegram`: the secret token is compared in constant
/// time; a wrong or missing one is 401 and nothing is read.
pub async fn webhook(
    axum::extract::State(hook): axum::extract::State<Option<TelegramHook>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    use subtle::ConstantTimeEq;
    let Some(hook) = hook else {
        return axum::http::StatusCode::NOT_FOUND;
    };
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .map(axum::http::HeaderValue::as_bytes)
        .unwrap_or_default();
    if !bool::from(given.ct_eq(hook.secret.as_bytes())) {
        tracing::warn!("telegram webhook refused: wrong or missing secret token");
        return axum::http::StatusCode::UNAUTHORIZED;
    }
    // From bytes, so the update's keys can be borrowed as teloxide expects.
    match serde_json::from_slice::<lyceum_telegram::Update>(&body) {
        Ok(update) => {
            hook.updates.handle(&update).await;
            // The 200 tells Telegram the update arrived; it is not sent again.
            hook.updates.commit().await;
            axum::http::StatusCode::OK
        }
        Err(e) => {
            tracing::warn!(error = %e, "telegram webhook body is not an update");
            axum::http::StatusCode::BAD_REQUEST
        }
    }
}
