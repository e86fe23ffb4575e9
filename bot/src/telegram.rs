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
    #[serde(default)]
    pub chats: Vec<ChatBinding>,
}

fn default_poll() -> u32 {
    25
}

impl Default for TelegramSettings {
    fn default() -> Self {
        TelegramSettings {
            token: None,
            token_file: None,
            api_url: None,
            poll_timeout_secs: default_poll(),
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
            if let Some(perk) = &c.perk {
                let known = community
                    .tiers
                    .iter()
                    .flat_map(|t| t.perks.iter())
                    .chain(community.offers.iter().flat_map(|o| o.perks.iter()))
                    .any(|p| p.as_str() == perk);
                if !known {
                    return Err(problem(
                        format!("{at}.perk"),
                        format!("no tier or offer of `{}` grants `{perk}`", c.community),
                    ));
                }
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
        })
    }
}
