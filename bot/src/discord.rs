//! Discord's settings and its wiring into a running bot.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lyceum_core::config::{Community, ConfigProblem};
use lyceum_discord::{Bindings, GuildBinding, Options, ShardRange};
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
