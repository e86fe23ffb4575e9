//! Bot API calls with Telegram's flood control honoured: a `retry_after`
//! answer waits exactly that long and tries again.

use std::future::IntoFuture;
use std::time::Duration;

use teloxide::RequestError;

const ATTEMPTS: u32 = 4;

pub async fn retrying<T, F, Fut>(what: &str, mut call: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: IntoFuture<Output = Result<T, RequestError>>,
{
    for _ in 1..ATTEMPTS {
        match call().await {
            Err(RequestError::RetryAfter(secs)) => {
                let wait: Duration = secs.duration();
                tracing::warn!(
                    what,
                    wait_secs = wait.as_secs(),
                    "Telegram flood control; waiting retry_after"
                );
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
    call().await
}

/// Removes `user` from `chat` without a lasting ban: banned, then the ban
/// lifted at once, so they can come back through a new invite.
pub async fn remove(bot: &teloxide::Bot, chat: i64, user: i64) -> Result<(), RequestError> {
    use teloxide::prelude::*;
    let (chat, user) = (ChatId(chat), UserId(u64::try_from(user).unwrap_or_default()));
    retrying("remove member", || bot.ban_chat_member(chat, user)).await?;
    retrying("lift ban", || {
        bot.unban_chat_member(chat, user).only_if_banned(true)
    })
    .await?;
    Ok(())
}

/// Telegram's published limits: about one message a second to a chat, and
/// twenty a minute to a group. Sending waits for its chat's turn.
pub struct Pace {
    private: governor::DefaultKeyedRateLimiter<i64>,
    groups: governor::DefaultKeyedRateLimiter<i64>,
}

impl Default for Pace {
    fn default() -> Self {
        use governor::{Quota, RateLimiter};
        use std::num::NonZeroU32;
        let per = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Pace {
            private: RateLimiter::keyed(Quota::per_second(per(1)).allow_burst(per(3))),
            groups: RateLimiter::keyed(Quota::per_minute(per(20)).allow_burst(per(5))),
        }
    }
}

impl Pace {
    pub async fn wait(&self, chat: i64) {
        if chat < 0 {
            self.groups.until_key_ready(&chat).await;
        } else {
            self.private.until_key_ready(&chat).await;
        }
    }
}

/// A bot and the pacer of its messages. Telegram counts the limits per
/// bot, so replies, notices and lesson cards of one bot share one pacer,
/// and a second bot (or a test's) has its own.
#[derive(Clone)]
pub struct Client {
    pub bot: teloxide::Bot,
    pub pace: std::sync::Arc<Pace>,
}

impl Client {
    pub fn new(bot: teloxide::Bot) -> Client {
        Client {
            bot,
            pace: std::sync::Arc::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_gets_a_short_burst_then_waits_its_turn_while_others_do_not() {
        let pace = Pace::default();
        for _ in 0..3 {
            assert!(pace.private.check_key(&42).is_ok());
        }
        assert!(
            pace.private.check_key(&42).is_err(),
            "the fourth message to one chat must wait"
        );
        assert!(pace.private.check_key(&43).is_ok(), "another chat is not held up");
        for _ in 0..5 {
            assert!(pace.groups.check_key(&-1001).is_ok());
        }
        assert!(pace.groups.check_key(&-1001).is_err());
    }

    #[test]
    fn each_bot_counts_its_own_messages_and_its_clones_share_the_count() {
        let one = Client::new(teloxide::Bot::new("1:one"));
        let same = one.clone();
        let other = Client::new(teloxide::Bot::new("2:other"));
        for _ in 0..5 {
            assert!(one.pace.groups.check_key(&-1001).is_ok());
        }
        assert!(
            same.pace.groups.check_key(&-1001).is_err(),
            "a clone is the same bot"
        );
        assert!(
            other.pace.groups.check_key(&-1001).is_ok(),
            "another bot's budget for the group is untouched"
        );
    }
}
