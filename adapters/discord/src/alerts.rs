//! Problems only an admin can fix (permissions, the role order, deleted
//! roles): logged, and posted to the guild's alerts channel, at most once an
//! hour per problem so a stuck effect does not flood it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serenity::all::{ChannelId, CreateMessage, Http};

use crate::config::GuildBinding;

const REPEAT_AFTER: Duration = Duration::from_secs(3600);

#[derive(Clone)]
pub struct Alerts {
    http: Arc<Http>,
    said: Arc<Mutex<HashMap<(u64, String), Instant>>>,
}

impl Alerts {
    pub fn new(http: Arc<Http>) -> Alerts {
        Alerts {
            http,
            said: Arc::default(),
        }
    }

    fn fresh(&self, guild: u64, text: &str) -> bool {
        let Ok(mut said) = self.said.lock() else {
            return true;
        };
        let key = (guild, text.to_owned());
        match said.get(&key) {
            Some(at) if at.elapsed() < REPEAT_AFTER => false,
            _ => {
                said.insert(key, Instant::now());
                true
            }
        }
    }

    pub async fn raise(&self, binding: &GuildBinding, text: &str) {
        if !self.fresh(binding.guild_id, text) {
            return;
        }
        tracing::error!(guild = binding.guild_id, community = %binding.community, "admin action needed: {text}");
        if let Some(channel) = binding.alerts_channel {
            let msg = CreateMessage::new().content(text);
            if let Err(e) = ChannelId::new(channel).send_message(&self.http, msg).await {
                tracing::warn!(guild = binding.guild_id, channel, error = %e, "could not post to the alerts channel");
            }
        }
    }
}
