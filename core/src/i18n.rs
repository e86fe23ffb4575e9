//! Every user-facing string goes through here. Text lives in Fluent files
//! under `core/locales/<tag>/`, compiled into the binary.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

use crate::domain::Locale;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks around arguments confuse terminals and chat clients
        // that do not render bidi controls; our texts are all left-to-right.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// An argument for a message: text, or a number Fluent can select plurals on.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

fn langid(locale: Locale) -> LanguageIdentifier {
    locale
        .tag()
        .parse()
        .unwrap_or_else(|_| LanguageIdentifier::default())
}

pub fn t(locale: Locale, key: &str) -> String {
    LOCALES.lookup(&langid(locale), key)
}

pub fn t_args(locale: Locale, key: &str, args: &[(&str, Arg)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| {
            let v = match value {
                Arg::Text(s) => FluentValue::from(s.clone()),
                Arg::Number(n) => FluentValue::from(*n),
            };
            (Cow::Owned((*name).to_owned()), v)
        })
        .collect();
    LOCALES.lookup_with_args(&langid(locale), key, &map)
}

/// Whether `key` has text in exactly this locale, without falling back.
pub fn has_own_text(locale: Locale, key: &str) -> bool {
    let source = match locale {
        Locale::En => include_str!("../locales/en/main.ftl"),
        Locale::ZhCn => include_str!("../locales/zh-CN/main.ftl"),
    };
    message_ids(source).any(|id| id == key)
}

fn message_ids(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|line| {
        let (id, _) = line.split_once('=')?;
        let id = id.trim_end();
        let starts_ok = id.starts_with(|c: char| c.is_ascii_lowercase());
        let all_ok = id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        (starts_ok && all_ok).then_some(id)
    })
}

/// Every message id in the English file, the reference locale.
pub fn english_ids() -> Vec<&'static str> {
    message_ids(include_str!("../locales/en/main.ftl")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_english_message_has_chinese_text_and_back() {
        let en = english_ids();
        assert!(en.len() > 50, "locale file looks truncated: {} ids", en.len());
        let missing: Vec<_> = en.iter().filter(|id| !has_own_text(Locale::ZhCn, id)).collect();
        assert!(missing.is_empty(), "zh-CN lacks {missing:?}");
        let zh = message_ids(include_str!("../locales/zh-CN/main.ftl"));
        let extra: Vec<_> = zh.filter(|id| !en.contains(id)).collect();
        assert!(extra.is_empty(), "zh-CN has ids English lacks: {extra:?}");
    }

    #[test]
    fn every_catalogue_text_exists() {
        for spec in crate::catalogue::CATALOGUE {
            assert!(has_own_text(Locale::En, &spec.description_key()), "{}", spec.name);
            for opt in spec.options {
                assert!(
                    has_own_text(Locale::En, &spec.option_key(opt.name)),
                    "{}",
                    opt.name
                );
            }
        }
    }

    #[test]
    fn arguments_are_substituted() {
        let en = t_args(Locale::En, "err-unknown-command", &[("name", "dance".into())]);
        assert!(en.contains("/dance"), "{en}");
        let zh = t_args(Locale::ZhCn, "err-unknown-command", &[("name", "dance".into())]);
        assert!(zh.contains("/dance") && zh != en, "{zh}");
    }
}
