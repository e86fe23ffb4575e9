//! `[communities.page]`: what the community's public page says about it to
//! people who are not in the chat yet. Prices, tiers and lessons come from
//! the rest of the configuration and the database; this is the prose.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ConfigProblem, Tier, problem, text};
use crate::domain::{Key, LocalizedText};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PageConfig {
    /// One line under the name, also the description of link previews.
    pub tagline: Option<LocalizedText>,
    /// Paragraphs separated by blank lines; shown as text, never as HTML.
    pub description: Option<LocalizedText>,
    /// Who runs the community, as the page names them.
    pub creator: Option<String>,
    /// Counts shown on the page: "members", "lessons", "courses".
    pub show: Vec<String>,
    /// What each perk means to a buyer; perks not named here show their key.
    pub perks: BTreeMap<String, LocalizedText>,
    pub faq: Vec<FaqConfig>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqConfig {
    pub q: LocalizedText,
    pub a: LocalizedText,
}

/// A count a community may choose to show on its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::EnumString, strum::AsRefStr)]
#[strum(serialize_all = "snake_case")]
pub enum Shown {
    Members,
    Lessons,
    Courses,
}

#[derive(Clone, Debug, Default)]
pub struct Page {
    pub tagline: Option<LocalizedText>,
    pub description: Option<LocalizedText>,
    pub creator: Option<String>,
    pub show: Vec<Shown>,
    pub perks: BTreeMap<String, LocalizedText>,
    pub faq: Vec<(LocalizedText, LocalizedText)>,
}

/// Longest creator name and FAQ list a page is laid out for.
const CREATOR_CHARS: usize = 80;
const FAQ_ITEMS: usize = 30;

impl PageConfig {
    pub(super) fn validate(&self, at: &str, tiers: &[Tier]) -> Result<Page, ConfigProblem> {
        let optional = |field: &str, t: &Option<LocalizedText>| {
            t.as_ref().map(|t| text(&format!("{at}.{field}"), t)).transpose()
        };
        let creator = match self.creator.as_deref().map(str::trim) {
            Some("") => return Err(problem(format!("{at}.creator"), "must not be empty")),
            Some(c) if c.chars().count() > CREATOR_CHARS => {
                return Err(problem(
                    format!("{at}.creator"),
                    format!("at most {CREATOR_CHARS} characters"),
                ));
            }
            other => other.map(str::to_owned),
        };
        let mut show = Vec::new();
        for (i, s) in self.show.iter().enumerate() {
            let shown: Shown = s.parse().map_err(|_| {
                problem(
                    format!("{at}.show[{i}]"),
                    format!("`{s}` is not a count the page can show (members, lessons or courses)"),
                )
            })?;
            if show.contains(&shown) {
                return Err(problem(
                    format!("{at}.show[{i}]"),
                    format!("`{s}` is listed twice"),
                ));
            }
            show.push(shown);
        }
        let known: Vec<&str> = tiers
            .iter()
            .flat_map(|t| t.perks.iter().map(Key::as_str))
            .collect();
        let mut perks = BTreeMap::new();
        for (perk, name) in &self.perks {
            if !known.contains(&perk.as_str()) {
                return Err(problem(
                    format!("{at}.perks.{perk}"),
                    "no tier has this perk, so the page would never show it",
                ));
            }
            perks.insert(perk.clone(), text(&format!("{at}.perks.{perk}"), name)?);
        }
        if self.faq.len() > FAQ_ITEMS {
            return Err(problem(
                format!("{at}.faq"),
                format!("at most {FAQ_ITEMS} questions"),
            ));
        }
        let faq = self
            .faq
            .iter()
            .enumerate()
            .map(|(i, f)| {
                Ok((
                    text(&format!("{at}.faq[{i}].q"), &f.q)?,
                    text(&format!("{at}.faq[{i}].a"), &f.a)?,
                ))
            })
            .collect::<Result<_, ConfigProblem>>()?;
        Ok(Page {
            tagline: optional("tagline", &self.tagline)?,
            description: optional("description", &self.description)?,
            creator,
            show,
            perks,
            faq,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers() -> Vec<Tier> {
        vec![Tier {
            key: Key::parse("pro").unwrap_or_else(|e| panic!("{e}")),
            name: LocalizedText::Plain("Pro".into()),
            rank: 1,
            perks: vec![Key::parse("lounge").unwrap_or_else(|e| panic!("{e}"))],
            trial_days: 0,
        }]
    }

    fn refused(page: &PageConfig) -> String {
        match page.validate("communities[0].page", &tiers()) {
            Ok(_) => panic!("accepted {page:?}"),
            Err(p) => format!("{}: {}", p.key, p.problem),
        }
    }

    #[test]
    fn counts_perks_and_creator_are_checked_with_where_and_why() {
        let show = PageConfig {
            show: vec!["members".into(), "visitors".into()],
            ..PageConfig::default()
        };
        assert!(refused(&show).starts_with("communities[0].page.show[1]: `visitors` is not a count"));
        let twice = PageConfig {
            show: vec!["lessons".into(), "lessons".into()],
            ..PageConfig::default()
        };
        assert_eq!(
            refused(&twice),
            "communities[0].page.show[1]: `lessons` is listed twice"
        );
        let perk = PageConfig {
            perks: [("vip-room".to_owned(), LocalizedText::Plain("VIP".into()))].into(),
            ..PageConfig::default()
        };
        assert!(refused(&perk).starts_with("communities[0].page.perks.vip-room: no tier has this perk"));
        let blank = PageConfig {
            creator: Some("  ".into()),
            ..PageConfig::default()
        };
        assert_eq!(refused(&blank), "communities[0].page.creator: must not be empty");
        let empty_answer = PageConfig {
            faq: vec![FaqConfig {
                q: LocalizedText::Plain("Why?".into()),
                a: LocalizedText::Plain(String::new()),
            }],
            ..PageConfig::default()
        };
        assert_eq!(
            refused(&empty_answer),
            "communities[0].page.faq[0].a: must not be empty"
        );
    }

    #[test]
    fn a_good_page_keeps_what_was_written() {
        let page = PageConfig {
            show: vec!["courses".into(), "members".into()],
            perks: [("lounge".to_owned(), LocalizedText::Plain("The lounge".into()))].into(),
            creator: Some(" Ada ".into()),
            ..PageConfig::default()
        }
        .validate("p", &tiers())
        .unwrap_or_else(|e| panic!("{}", e.problem));
        assert_eq!(page.show, vec![Shown::Courses, Shown::Members]);
        assert_eq!(page.creator.as_deref(), Some("Ada"));
        assert_eq!(page.perks.len(), 1);
    }
}
