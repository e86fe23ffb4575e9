//! Direct-message channels, opened once per person and kept: Discord gives
//! the same channel every time it is asked, so asking again only spends a
//! request against the rate limit.

use std::num::NonZeroUsize;

use parking_lot::Mutex;
use serenity::all::{ChannelId, Http, UserId};

/// How many people's channels are remembered; the least recently written
/// to are asked for again.
const REMEMBERED: usize = 100_000;

/// Discord's code for a channel that no longer exists.
pub const UNKNOWN_CHANNEL: isize = 10003;

pub struct DmChannels(Mutex<lru::LruCache<UserId, ChannelId>>);

impl Default for DmChannels {
    fn default() -> DmChannels {
        DmChannels(Mutex::new(lru::LruCache::new(
            NonZeroUsize::new(REMEMBERED).unwrap_or(NonZeroUsize::MIN),
        )))
    }
}

impl DmChannels {
    /// The person's DM channel, opened through Discord only the first time.
    pub async fn of(&self, http: &Http, user: UserId) -> serenity::Result<ChannelId> {
        if let Some(channel) = self.0.lock().get(&user) {
            return Ok(*channel);
        }
        let channel = user.create_dm_channel(http).await?.id;
        self.0.lock().put(user, channel);
        Ok(channel)
    }

    /// Forgets a channel Discord says is gone, so the next send opens one.
    pub fn forget(&self, user: UserId) {
        self.0.lock().pop(&user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forgotten_channel_is_no_longer_remembered() {
        let dms = DmChannels::default();
        let (user, channel) = (UserId::new(5), ChannelId::new(85));
        dms.0.lock().put(user, channel);
        assert_eq!(dms.0.lock().get(&user), Some(&channel));
        dms.forget(user);
        assert_eq!(dms.0.lock().get(&user), None);
    }
}
