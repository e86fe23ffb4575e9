//! A place on a platform where the bot posts for everyone: a Discord
//! channel, a Telegram chat (whose ids are negative for groups), or a named
//! console channel. Written `platform:id`.

use super::Platform;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Channel {
    platform: Platform,
    id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a channel like discord:123456789, telegram:-1001234567890 or console:lessons")]
pub struct BadChannel {
    pub input: String,
}

impl Channel {
    pub fn new(platform: Platform, id: &str) -> Result<Self, BadChannel> {
        let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
        let valid = match platform {
            Platform::Discord => digits(id) && id.parse::<u64>().is_ok_and(|n| n > 0),
            Platform::Telegram => {
                digits(id.strip_prefix('-').unwrap_or(id)) && id.parse::<i64>().is_ok_and(|n| n != 0)
            }
            Platform::Console => {
                (1..=32).contains(&id.len())
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
            }
        };
        if valid {
            Ok(Channel {
                platform,
                id: id.to_owned(),
            })
        } else {
            Err(BadChannel {
                input: format!("{platform}:{id}"),
            })
        }
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

crate::domain::platform_text!(Channel, BadChannel, id);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_groups_are_negative_and_other_platforms_are_not() {
        for ok in [
            "discord:700",
            "telegram:-1001234567890",
            "telegram:42",
            "console:lessons",
        ] {
            assert_eq!(ok.parse::<Channel>().map(|c| c.to_string()).as_deref(), Ok(ok));
        }
        for bad in [
            "discord:-700",
            "telegram:0",
            "telegram:--1",
            "console:Lessons",
            "slack:1",
            "700",
        ] {
            assert!(bad.parse::<Channel>().is_err(), "{bad}");
        }
    }
}
