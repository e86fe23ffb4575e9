//! Keys name communities, tiers, offers, perks and badges in config, commands
//! and URLs, so they are kept to a small, unambiguous alphabet.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` must be 1-40 characters of a-z, 0-9 and '-', starting with a letter or digit")]
pub struct BadKey(pub String);

impl Key {
    pub fn parse(s: &str) -> Result<Key, BadKey> {
        let ok = (1..=40).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-');
        if ok {
            Ok(Key(s.to_owned()))
        } else {
            Err(BadKey(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Key::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_to_the_alphabet() {
        assert!(Key::parse("pro-lounge").is_ok());
        assert!(Key::parse("vip2").is_ok());
        for bad in ["", "-x", "Pro", "a b", "über", &"x".repeat(41)] {
            assert!(Key::parse(bad).is_err(), "{bad}");
        }
    }
}
