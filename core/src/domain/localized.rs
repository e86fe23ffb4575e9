//! Creator-written text (community, tier, offer and badge names) in one or
//! more locales: a plain string, or a table such as `{ en = "Pro", zh-CN = "专业版" }`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Locale;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LocalizedText {
    Plain(String),
    ByLocale(BTreeMap<String, String>),
}

impl Default for LocalizedText {
    fn default() -> Self {
        LocalizedText::Plain(String::new())
    }
}

impl LocalizedText {
    /// The text for `locale`, else for `fallback`, else English, else any.
    pub fn get(&self, locale: Locale, fallback: Locale) -> &str {
        match self {
            LocalizedText::Plain(s) => s,
            LocalizedText::ByLocale(map) => [locale, fallback, Locale::En]
                .iter()
                .find_map(|l| map.get(l.tag()))
                .or_else(|| map.values().next())
                .map(String::as_str)
                .unwrap_or_default(),
        }
    }

    /// Why this text is unusable, if it is: empty, or keyed by an unknown locale.
    pub fn problem(&self) -> Option<String> {
        match self {
            LocalizedText::Plain(s) if s.trim().is_empty() => Some("must not be empty".into()),
            LocalizedText::Plain(_) => None,
            LocalizedText::ByLocale(map) if map.is_empty() => Some("must not be empty".into()),
            LocalizedText::ByLocale(map) => map.iter().find_map(|(tag, text)| {
                if !Locale::ALL.iter().any(|l| l.tag() == tag) {
                    Some(format!("has unknown locale `{tag}` (use en or zh-CN)"))
                } else if text.trim().is_empty() {
                    Some(format!("has empty text for `{tag}`"))
                } else {
                    None
                }
            }),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads text stored by `to_json`; anything else is taken as plain text.
    pub fn from_json(s: &str) -> LocalizedText {
        serde_json::from_str(s).unwrap_or_else(|_| LocalizedText::Plain(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_locale_then_fallbacks() {
        let t = LocalizedText::ByLocale(BTreeMap::from([
            ("en".to_owned(), "Pro".to_owned()),
            ("zh-CN".to_owned(), "专业版".to_owned()),
        ]));
        assert_eq!(t.get(Locale::ZhCn, Locale::En), "专业版");
        assert_eq!(t.get(Locale::En, Locale::ZhCn), "Pro");
        let only_zh = LocalizedText::ByLocale(BTreeMap::from([("zh-CN".into(), "基础".into())]));
        assert_eq!(only_zh.get(Locale::En, Locale::En), "基础");
        assert_eq!(LocalizedText::from_json(&t.to_json()), t);
    }

    #[test]
    fn reports_problems() {
        assert!(LocalizedText::Plain(" ".into()).problem().is_some());
        let fr = LocalizedText::ByLocale(BTreeMap::from([("fr".into(), "Pro".into())]));
        assert!(fr.problem().is_some_and(|p| p.contains("fr")));
    }
}
