//! Discord's settings and its wiring into a running bot.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lyceum_core::config::{Community, ConfigProblem};
use lyceum_core::sealed::Sealer;
use lyceum_discord::{Bindings, GuildBinding, Options, ShardRange};
use lyceum_web::join::discord::{DiscordSignIn, DiscordUrls};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSettings {
    #[serde(default, serialize_with = "crate::settings::redact")]
    pub token: Option<SecretString>,
    pub token_file: Option<PathBuf>,
    pub application_id: Option<u64>,
    /// REST calls go here instead of discord.com (serenity's `proxy`).
    pub api_proxy: Option<String>,
    pub shards: Option<ShardRange>,
    /// How often roles are reconciled against entitlements (also at start).
    #[serde(default = "default_reconcile")]
    pub reconcile_every_secs: u64,
    #[serde(default)]
    pub guilds: Vec<GuildBinding>,
    /// "Join with Discord" on the communities' public pages.
    #[serde(default)]
    pub oauth: OAuthSettings,
}

/// Discord's OAuth2 for the public pages. The client id is the application
/// id; the redirect URI to register is {http.public_url}/auth/discord/callback.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthSettings {
    /// The application's OAuth2 client secret; sign-in is on when it is set.
    #[serde(default, serialize_with = "crate::settings::redact")]
    pub client_secret: Option<SecretString>,
    /// 32 bytes in base64 (`openssl rand -base64 32`): the AES-256-GCM key
    /// the tokens buyers lend are stored under until they are used.
    #[serde(default, serialize_with = "crate::settings::redact")]
    pub token_key: Option<SecretString>,
}

fn default_reconcile() -> u64 {
    3600
}

impl Default for DiscordSettings {
    fn default() -> Self {
        DiscordSettings {
            token: None,
            token_file: None,
            application_id: None,
            api_proxy: None,
            shards: None,
            reconcile_every_secs: default_reconcile(),
            guilds: Vec::new(),
            oauth: OAuthSettings::default(),
        }
    }
}

fn problem(key: String, p: impl Into<String>) -> ConfigProblem {
    ConfigProblem {
        key,
        problem: p.into(),
    }
}

impl DiscordSettings {
    pub fn validate(&self, communities: &[Community]) -> Result<(), ConfigProblem> {
        if self.token.is_some() && self.application_id.is_none() {
            return Err(problem(
                "discord.application_id".into(),
                "is needed with a token (the Application ID in the Discord developer portal)",
            ));
        }
        if let Some(p) = &self.api_proxy
            && !url::Url::parse(p).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(problem(
                "discord.api_proxy".into(),
                format!("`{p}` is not an http(s) URL"),
            ));
        }
        if let Some(r) = self.shards
            && (r.first > r.last || r.last >= r.total)
        {
            return Err(problem(
                "discord.shards".into(),
                "need first ≤ last < total, e.g. { first = 0, last = 1, total = 4 }",
            ));
        }
        if self.reconcile_every_secs < 60 {
            return Err(problem(
                "discord.reconcile_every_secs".into(),
                "must be at least 60",
            ));
        }
        if self.oauth.client_secret.is_some() {
            if self.application_id.is_none() {
                return Err(problem(
                    "discord.application_id".into(),
                    "is needed for sign-in with Discord (it is the OAuth2 client id)",
                ));
            }
            match &self.oauth.token_key {
                None => {
                    return Err(problem(
                        "discord.oauth.token_key".into(),
                        "is needed with a client secret: set LYCEUM__DISCORD__OAUTH__TOKEN_KEY to the \
                         output of `openssl rand -base64 32`",
                    ));
                }
                Some(key) => {
                    if let Err(e) = Sealer::from_base64(key.expose_secret()) {
                        return Err(problem("discord.oauth.token_key".into(), e.to_string()));
                    }
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (i, g) in self.guilds.iter().enumerate() {
            let at = format!("discord.guilds[{i}]");
            if !seen.insert(g.guild_id) {
                return Err(problem(
                    format!("{at}.guild_id"),
                    format!("{} is bound twice", g.guild_id),
                ));
            }
            let Some(c) = communities.iter().find(|c| c.slug.as_str() == g.community) else {
                return Err(problem(
                    format!("{at}.community"),
                    format!("there is no community `{}`", g.community),
                ));
            };
            if let Some(perk) = g.roles.keys().find(|p| !c.grants(p)) {
                return Err(problem(
                    format!("{at}.roles.{perk}"),
                    format!("no tier or offer of `{}` grants this perk", g.community),
                ));
            }
        }
        Ok(())
    }

    /// The key lent tokens are sealed under, when sign-in is on.
    pub fn sealer(&self) -> Option<Sealer> {
        self.oauth.client_secret.as_ref()?;
        Sealer::from_base64(self.oauth.token_key.as_ref()?.expose_secret()).ok()
    }

    /// Sign-in with Discord for the public pages, when it is configured;
    /// Discord sends people back to `public_url`'s callback.
    pub fn sign_in(&self, public_url: &str) -> Result<Option<DiscordSignIn>, String> {
        let Some(secret) = &self.oauth.client_secret else {
            return Ok(None);
        };
        let urls = DiscordUrls::new(self.api_proxy.as_deref());
        let redirect = format!("{public_url}/auth/discord/callback");
        DiscordSignIn::new(
            self.application_id.unwrap_or_default(),
            secret.expose_secret(),
            &urls,
            &redirect,
        )
        .map(Some)
    }

    /// Each community's first bound server, for "Open Discord" links.
    pub fn servers(&self) -> HashMap<String, u64> {
        let mut servers = HashMap::new();
        for g in &self.guilds {
            servers.entry(g.community.clone()).or_insert(g.guild_id);
        }
        servers
    }

    /// The adapter's options, when a token is configured.
    pub fn options(&self) -> Option<Options> {
        let token = self.token.as_ref()?.expose_secret().trim().to_owned();
        Some(Options {
            token,
            application_id: self.application_id.unwrap_or_default(),
            api_proxy: self.api_proxy.clone(),
            shards: self.shards,
            bindings: Arc::new(Bindings(self.guilds.clone())),
            reconcile_every: Duration::from_secs(self.reconcile_every_secs),
            alerts: lyceum_discord::alerts::Memory::default(),
        })
    }
}
