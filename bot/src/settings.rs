//! Settings: the built-in `config/default.toml` or a file given with
//! `--config`, overlaid with `LYCEUM__SECTION__KEY` environment variables.
//! Secrets are wrapped so they never print, and must not come from a file of
//! settings: only from the environment or a file of their own.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use lyceum_core::config::{Community, CommunityConfig, ConfigProblem, validate_communities};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::limits::{Limits, Rate};

pub const BUILTIN: &str = include_str!("../../config/default.toml");

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub database: DatabaseSettings,
    #[serde(default)]
    pub http: HttpSettings,
    #[serde(default)]
    pub log: LogSettings,
    #[serde(default)]
    pub outbox: OutboxSettings,
    #[serde(default)]
    pub scheduler: SchedulerSettings,
    #[serde(default)]
    pub discord: crate::discord::DiscordSettings,
    #[serde(default)]
    pub telegram: crate::telegram::TelegramSettings,
    #[serde(default)]
    pub stripe: StripeSettings,
    #[serde(default)]
    pub secrets: SecretsSettings,
    #[serde(default)]
    pub communities: Vec<CommunityConfig>,
}

#[derive(Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    #[serde(serialize_with = "redact_url")]
    pub url: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    pub addr: String,
    /// The address people reach this server at, for links back to it
    /// (after a checkout, say). Defaults to `http://{addr}`.
    pub public_url: Option<String>,
    /// Signs dashboard sign-in links (`LYCEUM__HTTP__DASHBOARD_SECRET`).
    /// Without it a key is made and kept in the database.
    #[serde(serialize_with = "redact")]
    pub dashboard_secret: Option<SecretString>,
    /// Longest a request may take, body included, before it is answered
    /// 408.
    pub request_timeout_secs: u64,
    /// Per client address: sign-in links, dashboard pages, public
    /// statistics, privacy exports, billing links.
    pub page_rate: Rate,
    /// Per client address: the Stripe and Telegram webhooks.
    pub webhook_rate: Rate,
    /// Per client address: the communities' public pages under /c/.
    pub public_rate: Rate,
}

impl Default for HttpSettings {
    fn default() -> Self {
        let limits = Limits::default();
        HttpSettings {
            addr: "127.0.0.1:8080".into(),
            public_url: None,
            dashboard_secret: None,
            request_timeout_secs: limits.request_timeout.as_secs(),
            page_rate: limits.pages,
            webhook_rate: limits.webhooks,
            public_rate: limits.public,
        }
    }
}

impl HttpSettings {
    pub fn limits(&self) -> Limits {
        Limits {
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            pages: self.page_rate,
            webhooks: self.webhook_rate,
            public: self.public_rate,
        }
    }
}

/// Stripe. Both secrets come from the environment
/// (`LYCEUM__STRIPE__SECRET_KEY`, `LYCEUM__STRIPE__WEBHOOK_SECRET`), never
/// from a config file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StripeSettings {
    #[serde(serialize_with = "redact")]
    pub secret_key: Option<SecretString>,
    /// One or more endpoint secrets separated by commas, so a new secret can
    /// be added before the old one is removed.
    #[serde(serialize_with = "redact")]
    pub webhook_secret: Option<SecretString>,
    /// Another API base than <https://api.stripe.com/> (a local fake, a proxy).
    pub api_base: Option<String>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub portal_return_url: Option<String>,
}

/// The key secrets Lyceum keeps in its database are sealed under
/// (AES-256-GCM): the signing secret of the Stripe webhook endpoint it
/// registered, and the Discord tokens buyers lend it. Environment only:
/// `LYCEUM__SECRETS__KEY`, 32 bytes in base64 (`openssl rand -base64 32`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsSettings {
    #[serde(serialize_with = "redact")]
    pub key: Option<SecretString>,
}

impl Loaded {
    /// What secrets are sealed under: `secrets.key`, else the key of
    /// Discord sign-in's tokens.
    pub fn sealer(&self) -> Option<lyceum_core::sealed::Sealer> {
        match &self.settings.secrets.key {
            Some(k) => lyceum_core::sealed::Sealer::from_base64(k.expose_secret()).ok(),
            None => self.settings.discord.sealer(),
        }
    }
}

// By hand, so a password in the URL never reaches a `{:?}`.
impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redacted_url(&self.url))
            .finish()
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: "sqlite://lyceum.db?mode=rwc".into(),
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub filter: String,
    pub format: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            filter: "info".into(),
            format: "text".into(),
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxSettings {
    pub retry_base_secs: i64,
    pub retry_max_secs: i64,
    pub max_attempts: i32,
    pub attempt_secs: i64,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        let p = lyceum_core::outbox::RetryPolicy::default();
        OutboxSettings {
            retry_base_secs: p.base_secs,
            retry_max_secs: p.max_secs,
            max_attempts: p.max_attempts,
            attempt_secs: p.attempt_secs,
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerSettings {
    /// How often access that ran out is expired and reminders are sent.
    pub expire_every_secs: u64,
    /// How often entitlements are reconciled against payments (also at start).
    pub reconcile_every_secs: u64,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        SchedulerSettings {
            expire_every_secs: 30,
            reconcile_every_secs: 3600,
        }
    }
}

/// A chat platform's credentials. Its adapter arrives in a later release;
/// the settings exist now so secrets are handled the same way from the start.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSettings {
    #[serde(default, serialize_with = "redact")]
    pub token: Option<SecretString>,
    pub token_file: Option<PathBuf>,
}

#[allow(
    clippy::ref_option,
    reason = "serde's serialize_with lends the field as it is"
)]
pub(crate) fn redact<S: Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str("[redacted]"),
        None => s.serialize_none(),
    }
}

fn redact_url<S: Serializer>(url: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&redacted_url(url))
}

/// The URL with any password replaced, fit for logs and error messages.
pub fn redacted_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("redacted"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Why settings could not be loaded: always names the key and the problem.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("config file {0} cannot be read: {1}")]
    File(PathBuf, String),
    #[error("{0}")]
    Invalid(ConfigProblem),
}

fn invalid(key: &str, problem: impl std::fmt::Display) -> SettingsError {
    SettingsError::Invalid(ConfigProblem {
        key: key.to_owned(),
        problem: problem.to_string(),
    })
}

/// Settings whose every value has been checked.
pub struct Loaded {
    pub settings: Settings,
    /// Where links back to this server start, without a trailing slash.
    pub public_url: String,
    pub communities: Vec<Community>,
    pub http_addr: SocketAddr,
    pub json_logs: bool,
}

pub fn load(file: Option<&Path>) -> Result<Loaded, SettingsError> {
    let base = match file {
        Some(path) => {
            // Figment treats a missing file as empty; a typo'd path must not
            // silently start the demo instead.
            std::fs::metadata(path).map_err(|e| SettingsError::File(path.into(), e.to_string()))?;
            Figment::new().merge(Toml::file_exact(path))
        }
        None => Figment::new().merge(Toml::string(BUILTIN)),
    };
    let figment = base.merge(Env::prefixed("LYCEUM__").split("__"));
    let mut settings: Settings = figment.extract().map_err(|e| {
        let key = if e.path.is_empty() {
            "(top level)".to_owned()
        } else {
            e.path.join(".")
        };
        invalid(&key, e.kind)
    })?;

    let from_env = |key: &str| {
        figment
            .find_metadata(key)
            .is_some_and(|m| m.name.contains("environment"))
    };
    for (key, set) in [
        ("discord.token", settings.discord.token.is_some()),
        ("telegram.token", settings.telegram.token.is_some()),
        ("stripe.secret_key", settings.stripe.secret_key.is_some()),
        ("stripe.webhook_secret", settings.stripe.webhook_secret.is_some()),
        ("telegram.secret_token", settings.telegram.secret_token.is_some()),
        ("http.dashboard_secret", settings.http.dashboard_secret.is_some()),
        (
            "discord.oauth.client_secret",
            settings.discord.oauth.client_secret.is_some(),
        ),
        (
            "discord.oauth.token_key",
            settings.discord.oauth.token_key.is_some(),
        ),
        ("secrets.key", settings.secrets.key.is_some()),
    ] {
        if set && !from_env(key) {
            let var = format!("LYCEUM__{}", key.to_uppercase().replace('.', "__"));
            return Err(invalid(
                key,
                format!("secrets must not be written in a config file; set {var}"),
            ));
        }
    }
    for (key, secret) in [
        ("stripe.secret_key", &settings.stripe.secret_key),
        ("stripe.webhook_secret", &settings.stripe.webhook_secret),
    ] {
        if secret
            .as_ref()
            .is_some_and(|t| t.expose_secret().trim().is_empty())
        {
            return Err(invalid(key, "is empty"));
        }
    }
    if settings
        .http
        .dashboard_secret
        .as_ref()
        .is_some_and(|t| t.expose_secret().len() < 32)
    {
        return Err(invalid("http.dashboard_secret", "must be at least 32 characters"));
    }
    if !(1..=300).contains(&settings.http.request_timeout_secs) {
        return Err(invalid("http.request_timeout_secs", "must be between 1 and 300"));
    }
    for (key, rate) in [
        ("http.page_rate", settings.http.page_rate),
        ("http.webhook_rate", settings.http.webhook_rate),
        ("http.public_rate", settings.http.public_rate),
    ] {
        if rate.per_second == 0 || rate.burst == 0 {
            return Err(invalid(key, "per_second and burst must both be at least 1"));
        }
    }
    // Without a configured webhook secret, `lyceum stripe setup` registers
    // the endpoint and keeps its secret; `run` checks that it did.
    if settings.stripe.webhook_secret.is_some() && settings.stripe.secret_key.is_none() {
        return Err(invalid(
            "stripe",
            "LYCEUM__STRIPE__WEBHOOK_SECRET is set without LYCEUM__STRIPE__SECRET_KEY",
        ));
    }
    if let Some(key) = &settings.secrets.key
        && let Err(e) = lyceum_core::sealed::Sealer::from_base64(key.expose_secret())
    {
        return Err(invalid("secrets.key", e));
    }
    for (key, value) in [
        ("stripe.api_base", &settings.stripe.api_base),
        ("stripe.success_url", &settings.stripe.success_url),
        ("stripe.cancel_url", &settings.stripe.cancel_url),
        ("stripe.portal_return_url", &settings.stripe.portal_return_url),
        ("http.public_url", &settings.http.public_url),
    ] {
        if let Some(v) = value
            && !url::Url::parse(v).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(invalid(key, format!("`{v}` is not an http(s) URL")));
        }
    }
    for (name, token, token_file) in [
        (
            "discord",
            &mut settings.discord.token,
            &settings.discord.token_file,
        ),
        (
            "telegram",
            &mut settings.telegram.token,
            &settings.telegram.token_file,
        ),
    ] {
        let key = format!("{name}.token");
        if let Some(path) = token_file {
            let secret = std::fs::read_to_string(path)
                .map_err(|e| invalid(&format!("{name}.token_file"), format!("{}: {e}", path.display())))?;
            *token = Some(SecretString::from(secret.trim().to_owned()));
        }
        if token
            .as_ref()
            .is_some_and(|t| t.expose_secret().trim().is_empty())
        {
            return Err(invalid(&key, "is empty"));
        }
    }

    let url = settings.database.url.as_str();
    if !["sqlite:", "postgres:", "postgresql:"]
        .iter()
        .any(|p| url.starts_with(p))
    {
        return Err(invalid(
            "database.url",
            format!("`{}` is not a sqlite:// or postgres:// URL", redacted_url(url)),
        ));
    }
    let http_addr: SocketAddr = settings.http.addr.parse().map_err(|_| {
        invalid(
            "http.addr",
            format!("`{}` is not an address like 127.0.0.1:8080", settings.http.addr),
        )
    })?;
    let json_logs = match settings.log.format.as_str() {
        "text" => false,
        "json" => true,
        other => return Err(invalid("log.format", format!("`{other}` is not text or json"))),
    };
    if tracing_subscriber::EnvFilter::try_new(&settings.log.filter).is_err() {
        return Err(invalid(
            "log.filter",
            format!("`{}` is not a log filter", settings.log.filter),
        ));
    }
    let o = &settings.outbox;
    if o.retry_base_secs < 1 || o.retry_max_secs < o.retry_base_secs || o.max_attempts < 1 {
        return Err(invalid(
            "outbox",
            "need retry_base_secs ≥ 1, retry_max_secs ≥ retry_base_secs and max_attempts ≥ 1",
        ));
    }
    let lease = lyceum_core::outbox::LEASE_SECS;
    if !(1..lease).contains(&o.attempt_secs) {
        return Err(invalid(
            "outbox.attempt_secs",
            format!(
                "must be from 1 to {} (below the {lease} s lease on an effect)",
                lease - 1
            ),
        ));
    }
    if settings.scheduler.expire_every_secs == 0 {
        return Err(invalid("scheduler.expire_every_secs", "must be at least 1"));
    }
    if settings.scheduler.reconcile_every_secs < 60 {
        return Err(invalid("scheduler.reconcile_every_secs", "must be at least 60"));
    }
    let communities = validate_communities(&settings.communities).map_err(SettingsError::Invalid)?;
    settings
        .discord
        .validate(&communities)
        .map_err(SettingsError::Invalid)?;
    settings
        .telegram
        .validate(&communities)
        .map_err(SettingsError::Invalid)?;
    let public_url = settings
        .http
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{http_addr}"))
        .trim_end_matches('/')
        .to_owned();
    Ok(Loaded {
        settings,
        public_url,
        communities,
        http_addr,
        json_logs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_config_is_valid() {
        let loaded = load(None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.communities[0].slug.as_str(), "demo");
        assert!(loaded.communities[0].tiers.len() >= 2);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let settings = DatabaseSettings {
            url: "postgres://lyceum:hunter2@db/lyceum".into(),
        };
        let platform = PlatformSettings {
            token: Some(SecretString::from("123:ABC-secret".to_owned())),
            token_file: None,
        };
        let stripe = StripeSettings {
            secret_key: Some(SecretString::from("sk_test_secret".to_owned())),
            webhook_secret: Some(SecretString::from("whsec_secret".to_owned())),
            ..Default::default()
        };
        let shown = format!("{settings:?} {platform:?} {stripe:?}");
        assert!(!shown.contains("sk_test_secret") && !shown.contains("whsec_secret"));
        assert!(
            !shown.contains("hunter2") && !shown.contains("ABC-secret"),
            "{shown}"
        );
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        let shown = redacted_url("postgres://lyceum:hunter2@db:5432/lyceum");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains(":redacted@"), "{shown}");
        assert_eq!(
            redacted_url("sqlite://lyceum.db?mode=rwc"),
            "sqlite://lyceum.db?mode=rwc"
        );
    }
}
