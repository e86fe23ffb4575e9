//! Platform identities such as `discord:123`, `telegram:456`, `console:alice`.
//! An `IdentityRef` can only hold a well-formed identity.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Console,
    Discord,
    Telegram,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Console, Platform::Discord, Platform::Telegram];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Console => "console",
            Platform::Discord => "discord",
            Platform::Telegram => "telegram",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentityRef {
    platform: Platform,
    external_id: String,
}

// As written (discord:123), so commands logged with `{:?}` in the audit log
// read naturally and an erasure can find the identity in them.
impl fmt::Debug for IdentityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an identity like discord:123, telegram:456 or console:alice")]
pub struct BadIdentity {
    pub input: String,
}

impl IdentityRef {
    pub fn new(platform: Platform, external_id: &str) -> Result<Self, BadIdentity> {
        let bad = || BadIdentity {
            input: format!("{platform}:{external_id}"),
        };
        let valid = match platform {
            // Discord snowflakes and Telegram user ids are positive integers.
            Platform::Discord | Platform::Telegram => {
                !external_id.is_empty()
                    && external_id.len() <= 20
                    && external_id.bytes().all(|b| b.is_ascii_digit())
                    && external_id.parse::<u64>().is_ok_and(|n| n > 0)
            }
            Platform::Console => {
                (1..=32).contains(&external_id.len())
                    && external_id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
            }
        };
        if valid {
            Ok(IdentityRef {
                platform,
                external_id: external_id.to_owned(),
            })
        } else {
            Err(bad())
        }
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    pub fn external_id(&self) -> &str {
        &self.external_id
    }
}

crate::domain::platform_text!(IdentityRef, BadIdentity, external_id);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_each_platform() {
        for ok in [
            "discord:80351110224678912",
            "telegram:42",
            "console:alice",
            "Console:bob_1",
        ] {
            assert!(ok.parse::<IdentityRef>().is_ok(), "{ok}");
        }
        let id: IdentityRef = "console:alice".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.to_string(), "console:alice");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "alice",
            "discord:",
            "discord:abc",
            "discord:0",
            "telegram:-5",
            "slack:1",
            "console:Alice",
            "console:a b",
            "discord:123456789012345678901",
        ] {
            assert!(bad.parse::<IdentityRef>().is_err(), "{bad}");
        }
    }
}
