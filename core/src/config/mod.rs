//! The community part of the configuration: what the operator writes, and the
//! validated form the core works with. Loading files and environment variables
//! is the binary's job; deciding what a valid community is, is ours.

use std::collections::BTreeSet;

use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};

mod billing;
mod engagement;
mod lessons;
mod page;

pub use billing::{Billing, BillingConfig, ReferralConfig};
pub use engagement::{
    Badge, BadgeConfig, BadgeRule, Leaderboard, LeaderboardConfig, Levels, LevelsConfig, Points,
    PointsConfig, Reward, RewardConfig, RewardKind, Source,
};
pub use lessons::{Course, CourseConfig, Lessons, LessonsConfig};
pub use page::{FaqConfig, Page, PageConfig, Shown};

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
    #[serde(default)]
    pub billing: BillingConfig,
    /// The IANA time zone that decides check-in days and leaderboard
    /// periods; UTC when unset.
    pub time_zone: Option<String>,
    #[serde(default)]
    pub points: PointsConfig,
    #[serde(default)]
    pub levels: LevelsConfig,
    #[serde(default)]
    pub leaderboard: LeaderboardConfig,
    #[serde(default)]
    pub shop: Vec<RewardConfig>,
    #[serde(default)]
    pub lessons: LessonsConfig,
    #[serde(default)]
    pub courses: Vec<CourseConfig>,
    /// Publish noisy counts at /stats/{slug}; off when unset.
    pub public_stats: Option<PublicStatsConfig>,
    /// What the public page at /c/{slug} says beyond names and prices.
    #[serde(default)]
    pub page: PageConfig,
}

/// Public statistics under differential privacy.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicStatsConfig {
    /// The privacy budget of one day's release: smaller is more private
    /// and noisier.
    pub epsilon: f64,
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
    #[serde(default)]
    pub trial_days: u32,
    /// The payment provider's price ids for the monthly and yearly prices.
    pub stripe_monthly: Option<String>,
    pub stripe_yearly: Option<String>,
    /// A 30-day Telegram Stars subscription price, in Stars.
    pub stars_monthly: Option<u32>,
}

/// What an offer sells; stored in `offers.kind` as the same text.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum OfferKind {
    #[sea_orm(string_value = "tier_monthly")]
    TierMonthly,
    #[sea_orm(string_value = "tier_yearly")]
    TierYearly,
    #[sea_orm(string_value = "course")]
    Course,
    #[sea_orm(string_value = "lesson")]
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
    /// What owning the offer grants, on top of any tier.
    #[serde(default)]
    pub perks: Vec<String>,
    pub stripe_price: Option<String>,
    /// A one-off Telegram Stars price, in Stars.
    pub stars_price: Option<u32>,
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
    pub billing: Billing,
    pub time_zone: chrono_tz::Tz,
    pub points: Points,
    pub levels: Levels,
    pub leaderboard: Leaderboard,
    pub shop: Vec<Reward>,
    pub lessons: Lessons,
    pub courses: Vec<Course>,
    /// Epsilon of the public statistics, if published.
    pub public_stats: Option<f64>,
    pub page: Page,
}

impl Community {
    /// Whether any tier, offer, level reward or shop reward grants `perk`:
    /// what a platform may map to a role or a chat.
    pub fn grants(&self, perk: &str) -> bool {
        let shop = self.shop.iter().filter_map(|r| match &r.kind {
            RewardKind::Perk { perk, .. } => Some(perk),
            _ => None,
        });
        self.tiers
            .iter()
            .flat_map(|t| t.perks.iter())
            .chain(self.offers.iter().flat_map(|o| o.perks.iter()))
            .chain(self.levels.rewards.iter().map(|(_, p)| p))
            .chain(shop)
            .any(|p| p.as_str() == perk)
    }
}

#[derive(Clone, Debug)]
pub struct Tier {
    pub key: Key,
    pub name: LocalizedText,
    /// Position in the configured order: basic < pro < vip.
    pub rank: i32,
    pub perks: Vec<Key>,
    pub trial_days: u32,
}

#[derive(Clone, Debug)]
pub struct Offer {
    pub key: Key,
    pub kind: OfferKind,
    pub tier: Option<Key>,
    pub name: LocalizedText,
    pub price: Money,
    pub perks: Vec<Key>,
    pub stripe_price: Option<String>,
    /// Telegram Stars price; for a tier's monthly offer, a 30-day subscription.
    pub stars: Option<u32>,
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

fn perk_list(at: &str, list: &[String]) -> Result<Vec<Key>, ConfigProblem> {
    let mut perks = Vec::new();
    for (j, p) in list.iter().enumerate() {
        let perk = key(&format!("{at}[{j}]"), p)?;
        if perks.contains(&perk) {
            return Err(problem(format!("{at}[{j}]"), format!("`{perk}` is listed twice")));
        }
        perks.push(perk);
    }
    Ok(perks)
}

fn price_id(
    at: &str,
    seen: &mut BTreeSet<String>,
    id: Option<&String>,
) -> Result<Option<String>, ConfigProblem> {
    let Some(id) = id else { return Ok(None) };
    let id = id.trim();
    if id.is_empty() || id.len() > 255 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(problem(
            at,
            "a price id is letters, digits and `_`, such as price_1PgafmB7",
        ));
    }
    if !seen.insert(id.to_owned()) {
        return Err(problem(at, format!("`{id}` is used twice")));
    }
    Ok(Some(id.to_owned()))
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
        let mut price_ids = BTreeSet::new();
        let mut tier_keys = BTreeSet::new();
        let mut tiers = Vec::new();
        let mut offers = Vec::new();
        for (i, t) in self.tiers.iter().enumerate() {
            let at = format!("{at}.tiers[{i}]");
            let tier_key = key(&format!("{at}.key"), &t.key)?;
            unique(&format!("{at}.key"), &mut tier_keys, &tier_key)?;
            let perks = perk_list(&format!("{at}.perks"), &t.perks)?;
            let name = text(&format!("{at}.name"), &t.name)?;
            for (period, price, stripe, kind) in [
                ("monthly", &t.monthly, &t.stripe_monthly, OfferKind::TierMonthly),
                ("yearly", &t.yearly, &t.stripe_yearly, OfferKind::TierYearly),
            ] {
                let stripe_at = format!("{at}.stripe_{period}");
                let stripe_price = price_id(&stripe_at, &mut price_ids, stripe.as_ref())?;
                match price {
                    Some(price) => {
                        let offer_key = key(&format!("{at}.key"), &format!("{tier_key}-{period}"))?;
                        unique(&format!("{at}.{period}"), &mut offer_keys, &offer_key)?;
                        offers.push(Offer {
                            key: offer_key,
                            kind,
                            tier: Some(tier_key.clone()),
                            name: name.clone(),
                            price: money(&format!("{at}.{period}"), price)?,
                            perks: Vec::new(),
                            stripe_price,
                            stars: if kind == OfferKind::TierMonthly {
                                t.stars_monthly
                            } else {
                                None
                            },
                        });
                    }
                    None if stripe_price.is_some() => {
                        return Err(problem(
                            stripe_at,
                            format!("there is no {period} price to attach it to"),
                        ));
                    }
                    None => {}
                }
            }
            if t.stars_monthly.is_some_and(|s| !(1..=10_000).contains(&s)) {
                return Err(problem(
                    format!("{at}.stars_monthly"),
                    "between 1 and 10000 Stars",
                ));
            }
            if t.trial_days > 730 {
                return Err(problem(format!("{at}.trial_days"), "at most 730 days"));
            }
            tiers.push(Tier {
                key: tier_key,
                name,
                rank: i32::try_from(i).unwrap_or(i32::MAX),
                perks,
                trial_days: t.trial_days,
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
            if o.stars_price.is_some_and(|s| !(1..=100_000).contains(&s)) {
                return Err(problem(format!("{at}.stars_price"), "between 1 and 100000 Stars"));
            }
            offers.push(Offer {
                key: offer_key,
                kind: o.kind,
                tier: None,
                name: text(&format!("{at}.name"), &o.name)?,
                price: money(&format!("{at}.price"), &o.price)?,
                perks: perk_list(&format!("{at}.perks"), &o.perks)?,
                stripe_price: price_id(
                    &format!("{at}.stripe_price"),
                    &mut price_ids,
                    o.stripe_price.as_ref(),
                )?,
                stars: o.stars_price,
            });
        }
        let badges = engagement::badges(&format!("{at}.badges"), &self.badges)?;
        let billing = self.billing.validate(&format!("{at}.billing"))?;
        let zone = self.time_zone.as_deref().unwrap_or("UTC");
        let time_zone = zone.parse::<chrono_tz::Tz>().map_err(|_| {
            problem(
                format!("{at}.time_zone"),
                format!("`{zone}` is not an IANA time zone such as Asia/Shanghai"),
            )
        })?;
        let points = self.points.validate(&format!("{at}.points"), &tiers)?;
        let levels = self.levels.validate(&format!("{at}.levels"))?;
        let leaderboard = self.leaderboard.validate(&format!("{at}.leaderboard"))?;
        let shop = engagement::shop(&format!("{at}.shop"), &self.shop, &offers)?;
        let lessons = self.lessons.validate(&format!("{at}.lessons"))?;
        let courses = lessons::courses(&format!("{at}.courses"), &self.courses, &tiers, &offers)?;
        let public_stats = match &self.public_stats {
            Some(p) if !(p.epsilon > 0.0 && p.epsilon <= 100.0) => {
                return Err(problem(
                    format!("{at}.public_stats.epsilon"),
                    "must be above 0 and at most 100 (1 is a common choice)",
                ));
            }
            Some(p) => Some(p.epsilon),
            None => None,
        };
        let page = self.page.validate(&format!("{at}.page"), &tiers)?;
        Ok(Community {
            slug,
            name,
            default_locale,
            admins,
            tiers,
            offers,
            badges,
            billing,
            time_zone,
            points,
            levels,
            leaderboard,
            shop,
            lessons,
            courses,
            public_stats,
            page,
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
            trial_days: 0,
            stripe_monthly: None,
            stripe_yearly: None,
            stars_monthly: None,
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
    fn billing_settings_are_checked_and_reminders_sorted() {
        let mut c = community();
        c.billing.reminder_days = vec![1, 7, 3, 7];
        let ok = c.validate("c").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.billing.reminder_days, vec![7, 3, 1]);
        let bad = [
            (
                "grace_days",
                BillingConfig {
                    grace_days: 61,
                    ..Default::default()
                },
            ),
            (
                "reminder_days",
                BillingConfig {
                    reminder_days: vec![0],
                    ..Default::default()
                },
            ),
            (
                "currency",
                BillingConfig {
                    currency: Some("DOLLARS".into()),
                    ..Default::default()
                },
            ),
            (
                "referral.commission_percent",
                BillingConfig {
                    referral: ReferralConfig {
                        commission_percent: 101,
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ),
            (
                "grace_perks[0]",
                BillingConfig {
                    grace_perks: Some(vec!["Not A Key".into()]),
                    ..Default::default()
                },
            ),
        ];
        for (key, billing) in bad {
            let mut c = community();
            c.billing = billing;
            let err = c.validate("c").err().map(|e| e.key);
            assert_eq!(err, Some(format!("c.billing.{key}")));
        }
    }

    #[test]
    fn price_ids_are_well_formed_unique_and_attached_to_a_price() {
        let mut c = community();
        c.tiers[0].stripe_monthly = Some("price_1Abc".into());
        c.tiers[1].stripe_monthly = Some("price_1Abc".into());
        let err = c.validate("c").err();
        assert_eq!(err.map(|e| e.key), Some("c.tiers[1].stripe_monthly".to_owned()));
        let mut c = community();
        c.tiers[0].stripe_yearly = Some("price_y".into());
        assert_eq!(
            c.validate("c").err().map(|e| e.key),
            Some("c.tiers[0].stripe_yearly".to_owned()),
            "no yearly price to attach it to"
        );
        let mut c = community();
        c.tiers[0].stripe_monthly = Some("price x; drop".into());
        assert!(c.validate("c").is_err());
    }

    #[test]
    fn slugs_are_unique_across_communities() {
        let err = validate_communities(&[community(), community()]).err();
        assert_eq!(err.map(|e| e.key), Some("communities[1].slug".to_owned()));
    }
}
