//! The community part of the configuration: what the operator writes, and the
//! validated form the core works with. Loading files and environment variables
//! is the binary's job; deciding what a valid community is, is ours.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::domain::{IdentityRef, Key, Locale, LocalizedText, Money, MoneyRepr};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityConfig {
    pub slug: String,
    pub name: LocalizedText,
    #[serde(default = "default_locale_tag")]
    pub default_locale: String,
    #[serde(default)]
    pub admins: Vec<String>,
    #[serde(default)]
    pub tiers: Vec<TierConfig>,
    #[serde(default)]
    pub offers: Vec<OfferConfig>,
    #[serde(default)]
    pub badges: Vec<BadgeConfig>,
}

fn default_locale_tag() -> String {
    "en".to_owned()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierConfig {
    pub key: String,
    pub name: LocalizedText,
    #[serde(default)]
    pub perks: Vec<String>,
    pub monthly: Option<MoneyRepr>,
    pub yearly: Option<MoneyRepr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    TierMonthly,
    TierYearly,
    Course,
    Lesson,
}

impl OfferKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferKind::TierMonthly => "tier_monthly",
            OfferKind::TierYearly => "tier_yearly",
            OfferKind::Course => "course",
            OfferKind::Lesson => "lesson",
        }
    }

    pub fn parse(s: &str) -> Option<OfferKind> {
        [
            OfferKind::TierMonthly,
            OfferKind::TierYearly,
            OfferKind::Course,
            OfferKind::Lesson,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A one-off offer (a course or a lesson). Tier prices are written on the tier.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferConfig {
    pub key: String,
    pub kind: OfferKind,
    pub name: LocalizedText,
    pub price: MoneyRepr,
}

/// A badge earned when a member's points balance reaches `points`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeConfig {
    pub key: String,
    pub name: LocalizedText,
    pub points: i64,
}

/// A configuration problem, named by the key that has it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct ConfigProblem {
    pub key: String,
    pub problem: String,
}

fn problem(key: impl Into<String>, problem: impl std::fmt::Display) -> ConfigProblem {
    ConfigProblem {
        key: key.into(),
        problem: problem.to_string(),
    }
}

#[derive(Clone, Debug)]
pub struct Community {
    pub slug: Key,
    pub name: LocalizedText,
    pub default_locale: Locale,
    pub admins: Vec<IdentityRef>,
    pub tiers: Vec<Tier>,
    pub offers: Vec<Offer>,
    pub badges: Vec<Badge>,
}

#[derive(Clone, Debug)]
pub struct Tier {
    pub key: Key,
    pub name: LocalizedText,
    /// Position in the configured order: basic < pro < vip.
    pub rank: i32,
    pub perks: Vec<Key>,
}

#[derive(Clone, Debug)]
pub struct Offer {
    pub key: Key,
    pub kind: OfferKind,
    pub tier: Option<Key>,
    pub name: LocalizedText,
    pub price: Money,
}

#[derive(Clone, Debug)]
pub struct Badge {
    pub key: Key,
    pub name: LocalizedText,
    pub points: i64,
}

fn text(at: &str, t: &LocalizedText) -> Result<LocalizedText, ConfigProblem> {
    match t.problem() {
        Some(p) => Err(problem(at, p)),
        None => Ok(t.clone()),
    }
}

fn key(at: &str, s: &str) -> Result<Key, ConfigProblem> {
    Key::parse(s).map_err(|e| problem(at, e))
}

fn unique(at: &str, seen: &mut BTreeSet<String>, k: &Key) -> Result<(), ConfigProblem> {
    if seen.insert(k.to_string()) {
        Ok(())
    } else {
        Err(problem(at, format!("`{k}` is used twice")))
    }
}

fn money(at: &str, m: &MoneyRepr) -> Result<Money, ConfigProblem> {
    Money::try_from(m).map_err(|e| problem(at, e))
}

impl CommunityConfig {
    /// Checks everything about one community; `at` is its key path, such as
    /// `communities[0]`.
    pub fn validate(&self, at: &str) -> Result<Community, ConfigProblem> {
        let slug = key(&format!("{at}.slug"), &self.slug)?;
        let name = text(&format!("{at}.name"), &self.name)?;
        let default_locale = Locale::negotiate(&self.default_locale).ok_or_else(|| {
            problem(
                format!("{at}.default_locale"),
                format!(
                    "`{}` is not a supported locale (use en or zh-CN)",
                    self.default_locale
                ),
            )
        })?;
        let admins = self
            .admins
            .iter()
            .enumerate()
            .map(|(i, a)| a.parse().map_err(|e| problem(format!("{at}.admins[{i}]"), e)))
            .collect::<Result<Vec<IdentityRef>, _>>()?;
        if self.tiers.is_empty() {
            return Err(problem(
                format!("{at}.tiers"),
                "a community needs at least one tier",
            ));
        }

        let mut offer_keys = BTreeSet::new();
        let mut tier_keys = BTreeSet::new();
        let mut tiers = Vec::new();
        let mut offers = Vec::new();
        for (i, t) in self.tiers.iter().enumerate() {
            let at = format!("{at}.tiers[{i}]");
            let tier_key = key(&format!("{at}.key"), &t.key)?;
            unique(&format!("{at}.key"), &mut tier_keys, &tier_key)?;
            let mut perks = Vec::new();
            for (j, p) in t.perks.iter().enumerate() {
                let perk = key(&format!("{at}.perks[{j}]"), p)?;
                if perks.contains(&perk) {
                    return Err(problem(
                        format!("{at}.perks[{j}]"),
                        format!("`{perk}` is listed twice"),
                    ));
                }
                perks.push(perk);
            }
            let name = text(&format!("{at}.name"), &t.name)?;
            for (period, price, kind) in [
                ("monthly", &t.monthly, OfferKind::TierMonthly),
                ("yearly", &t.yearly, OfferKind::TierYearly),
            ] {
                if let Some(price) = price {
                    let offer_key = key(&format!("{at}.key"), &format!("{tier_key}-{period}"))?;
                    unique(&format!("{at}.{period}"), &mut offer_keys, &offer_key)?;
                    offers.push(Offer {
                        key: offer_key,
                        kind,
                        tier: Some(tier_key.clone()),
                        name: name.clone(),
                        price: money(&format!("{at}.{period}"), price)?,
                    });
                }
            }
            tiers.push(Tier {
                key: tier_key,
                name,
                rank: i32::try_from(i).unwrap_or(i32::MAX),
                perks,
            });
        }
        for (i, o) in self.offers.iter().enumerate() {
            let at = format!("{at}.offers[{i}]");
            if matches!(o.kind, OfferKind::TierMonthly | OfferKind::TierYearly) {
                return Err(problem(
                    format!("{at}.kind"),
                    "tier prices are set on the tier (monthly/yearly), not as offers",
                ));
            }
            let offer_key = key(&format!("{at}.key"), &o.key)?;
            unique(&format!("{at}.key"), &mut offer_keys, &offer_key)?;
            offers.push(Offer {
                key: offer_key,
                kind: o.kind,
                tier: None,
                name: text(&format!("{at}.name"), &o.name)?,
                price: money(&format!("{at}.price"), &o.price)?,
            });
        }
        let mut badge_keys = BTreeSet::new();
        let mut badges = Vec::new();
        for (i, b) in self.badges.iter().enumerate() {
            let at = format!("{at}.badges[{i}]");
            let badge_key = key(&format!("{at}.key"), &b.key)?;
            unique(&format!("{at}.key"), &mut badge_keys, &badge_key)?;
            if b.points <= 0 {
                return Err(problem(
                    format!("{at}.points"),
                    "must be a positive number of points",
                ));
            }
            badges.push(Badge {
                key: badge_key,
                name: text(&format!("{at}.name"), &b.name)?,
                points: b.points,
            });
        }
        Ok(Community {
            slug,
            name,
            default_locale,
            admins,
            tiers,
            offers,
            badges,
        })
    }
}

/// Validates every community and checks slugs are unique across them.
pub fn validate_communities(list: &[CommunityConfig]) -> Result<Vec<Community>, ConfigProblem> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let community = c.validate(&format!("communities[{i}]"))?;
        unique(&format!("communities[{i}].slug"), &mut seen, &community.slug)?;
        out.push(community);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(key: &str) -> TierConfig {
        TierConfig {
            key: key.into(),
            name: LocalizedText::Plain(key.to_uppercase()),
            perks: vec!["chat".into()],
            monthly: Some(MoneyRepr {
                amount: 900,
                currency: "USD".into(),
            }),
            yearly: None,
        }
    }

    fn community() -> CommunityConfig {
        CommunityConfig {
            slug: "demo".into(),
            name: LocalizedText::Plain("Demo".into()),
            default_locale: "zh-CN".into(),
            admins: vec!["console:admin".into()],
            tiers: vec![tier("basic"), tier("pro")],
            ..Default::default()
        }
    }

    #[test]
    fn valid_community_orders_tiers_and_derives_offers() {
        let c = community()
            .validate("communities[0]")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.tiers[1].rank, 1);
        assert_eq!(c.offers[0].key.as_str(), "basic-monthly");
        assert_eq!(c.default_locale, Locale::ZhCn);
    }

    #[test]
    fn names_the_key_of_each_problem() {
        let mut c = community();
        c.tiers[1].key = "basic".into();
        let err = c.validate("communities[0]").err();
        assert_eq!(err.map(|e| e.key), Some("communities[0].tiers[1].key".to_owned()));

        let mut c = community();
        c.admins.push("alice".into());
        let err = c.validate("communities[0]").err();
        assert_eq!(err.map(|e| e.key), Some("communities[0].admins[1]".to_owned()));

        let mut c = community();
        c.tiers[0].monthly = Some(MoneyRepr {
            amount: 5,
            currency: "DOLLARS".into(),
        });
        let err = c.validate("communities[0]").err();
        assert_eq!(
            err.map(|e| e.key),
            Some("communities[0].tiers[0].monthly".to_owned())
        );

        let mut c = community();
        c.tiers.clear();
        assert!(c.validate("c").is_err());
    }

    #[test]
    fn slugs_are_unique_across_communities() {
        let err = validate_communities(&[community(), community()]).err();
        assert_eq!(err.map(|e| e.key), Some("communities[1].slug".to_owned()));
    }
}
