//! Problems only an admin can fix (permissions, the role order, deleted
//! roles): logged, and posted to the guild's alerts channel, at most once an
//! hour per problem so a stuck effect does not flood it.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serenity::all::{ChannelId, CreateMessage, Http};

use crate::config::GuildBinding;

const REPEAT_AFTER: Duration = Duration::from_secs(3600);

/// What was said when. One is shared by the gateway handler and the outbox
/// sink of a bot, which both raise alerts.
#[derive(Clone, Default)]
pub struct Memory(Arc<Mutex<HashMap<(u64, String), Instant>>>);

fn fresh(memory: &Memory, guild: u64, text: &str) -> bool {
    let mut said = memory.0.lock();
    let key = (guild, text.to_owned());
    match said.get(&key) {
        Some(at) if at.elapsed() < REPEAT_AFTER => false,
        _ => {
            said.insert(key, Instant::now());
            true
        }
    }
}

#[derive(Clone)]
pub struct Alerts {
    http: Arc<Http>,
    memory: Memory,
}

impl Alerts {
    pub fn new(http: Arc<Http>, memory: Memory) -> Alerts {
        Alerts { http, memory }
    }

    pub async fn raise(&self, binding: &GuildBinding, text: &str) {
        if !fresh(&self.memory, binding.guild_id, text) {
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
