//! The locales Lyceum speaks, and how a platform's locale tag maps onto them.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// Maps the tags platforms send (Discord `zh-CN`, Telegram `zh-hans`,
    /// POSIX `zh_CN.UTF-8`, `en-US`) onto a supported locale.
    pub fn negotiate(tag: &str) -> Option<Locale> {
        let lower = tag.trim().to_ascii_lowercase().replace('_', "-");
        let lang = lower.split(['-', '.']).next().unwrap_or_default();
        match lang {
            "en" => Some(Locale::En),
            // Traditional-script tags are not Simplified Chinese; we have no
            // zh-TW text yet, so they fall back to the community default.
            "zh" if !(lower.contains("hant") || lower.contains("tw") || lower.contains("hk")) => {
                Some(Locale::ZhCn)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_platform_tags() {
        assert_eq!(Locale::negotiate("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::negotiate("zh-hans"), Some(Locale::ZhCn));
        assert_eq!(Locale::negotiate("zh_CN.UTF-8"), Some(Locale::ZhCn));
        assert_eq!(Locale::negotiate("en-US"), Some(Locale::En));
        assert_eq!(Locale::negotiate("zh-TW"), None);
        assert_eq!(Locale::negotiate("fr"), None);
        assert_eq!(Locale::negotiate(""), None);
    }
}
