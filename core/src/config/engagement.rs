//! What a community writes about points, levels, badges, check-ins,
//! leaderboard periods and the points shop, and the checked form of it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::{ConfigProblem, Offer, OfferKind, Tier, key, perk_list, problem, text, unique};
use crate::domain::{Key, LocalizedText};

/// `[communities.points]`: where points come from and what limits them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PointsConfig {
    /// How long the writer gathers activity after an event before it starts
    /// committing the group: an event is durable within this plus one
    /// commit. The default leaves room under 100 ms for a commit of a
    /// few thousand events.
    pub flush_ms: u64,
    /// Channels that earn nothing, as `platform:channel-id`.
    pub no_points_channels: Vec<String>,
    /// Percent of the usual points a tier earns, by tier key (150 = ×1.5).
    pub multipliers: BTreeMap<String, u32>,
    pub burst: BurstConfig,
    pub message: SourceConfig,
    pub reaction_received: SourceConfig,
    pub lesson_completed: SourceConfig,
    pub checkin: CheckinConfig,
    /// The largest award (or deduction) an admin may make at once.
    pub admin_award_max: i64,
}

impl Default for PointsConfig {
    fn default() -> Self {
        PointsConfig {
            flush_ms: 40,
            no_points_channels: Vec::new(),
            multipliers: BTreeMap::new(),
            burst: BurstConfig::default(),
            message: SourceConfig {
                points: 5,
                min_chars: 8,
                cooldown_secs: 60,
                daily_cap: 100,
            },
            reaction_received: SourceConfig {
                points: 2,
                min_chars: 0,
                cooldown_secs: 10,
                daily_cap: 40,
            },
            lesson_completed: SourceConfig {
                points: 20,
                min_chars: 0,
                cooldown_secs: 0,
                daily_cap: 200,
            },
            checkin: CheckinConfig::default(),
            admin_award_max: 100_000,
        }
    }
}

/// One source of points: how many per event, and the limits on it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    pub points: i64,
    /// Messages shorter than this earn nothing (messages only).
    pub min_chars: u32,
    /// Seconds after an award before the same source pays that person again.
    pub cooldown_secs: u64,
    /// Most points (before the tier multiplier) from this source per local day;
    /// 0 means no cap.
    pub daily_cap: i64,
}

/// Diminishing returns: within `window_secs`, the first `full` awards from a
/// source pay in full, and each later one pays `percent` of the one before.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BurstConfig {
    pub window_secs: u64,
    pub full: u32,
    pub percent: u32,
}

impl Default for BurstConfig {
    fn default() -> Self {
        BurstConfig {
            window_secs: 600,
            full: 5,
            percent: 50,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckinConfig {
    pub points: i64,
    /// Extra points per day of streak, up to `streak_bonus_max`.
    pub streak_bonus: i64,
    pub streak_bonus_max: i64,
    /// Days that may be missed without breaking a streak.
    pub grace_days: u32,
}

impl Default for CheckinConfig {
    fn default() -> Self {
        CheckinConfig {
            points: 10,
            streak_bonus: 2,
            streak_bonus_max: 20,
            grace_days: 0,
        }
    }
}

/// `[communities.levels]`: points needed to go from level n to n+1 are
/// `square·n² + linear·n + base` (MEE6's curve by default).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LevelsConfig {
    pub square: i64,
    pub linear: i64,
    pub base: i64,
    /// Whether members are told when they reach a new level.
    pub announce: bool,
    /// Keep every reward perk reached (true) or only the highest (false).
    pub stack_rewards: bool,
    pub rewards: Vec<LevelRewardConfig>,
}

impl Default for LevelsConfig {
    fn default() -> Self {
        LevelsConfig {
            square: 5,
            linear: 50,
            base: 100,
            announce: true,
            stack_rewards: true,
            rewards: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRewardConfig {
    pub level: u32,
    pub perk: String,
}

/// `[communities.leaderboard]`: when weeks start and how seasons run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LeaderboardConfig {
    pub week_starts: String,
    /// The first day of season 1 (YYYY-MM-DD, community time).
    pub season_start: String,
    pub season_days: u32,
    /// How many of a week's best a closed week honours (weekly_top badges).
    pub weekly_top: u32,
}

impl Default for LeaderboardConfig {
    fn default() -> Self {
        LeaderboardConfig {
            week_starts: "monday".into(),
            season_start: "2026-01-01".into(),
            season_days: 91,
            weekly_top: 10,
        }
    }
}

/// A badge and the one rule that earns it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeConfig {
    pub key: String,
    pub name: LocalizedText,
    pub points: Option<i64>,
    pub level: Option<u32>,
    pub streak: Option<u32>,
    pub checkins: Option<u32>,
    pub lessons: Option<u32>,
    pub weekly_top: Option<u32>,
    #[serde(default)]
    pub first_payment: bool,
    pub early_supporter: Option<u32>,
}

/// `[[communities.shop]]`: something members buy with points.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardConfig {
    pub key: String,
    pub name: LocalizedText,
    pub price: i64,
    /// How many can ever be redeemed; unset for no limit.
    pub stock: Option<u32>,
    /// A payment coupon: percent off, for this many months of a subscription.
    pub coupon_percent: Option<u32>,
    pub coupon_months: Option<u32>,
    /// A perk held for `days`.
    pub perk: Option<String>,
    pub days: Option<u32>,
    /// A course or lesson offer, owned for good.
    pub offer: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadgeRule {
    Points(i64),
    Level(u32),
    Streak(u32),
    Checkins(u32),
    Lessons(u32),
    /// Among the best N of a closed week.
    WeeklyTop(u32),
    FirstPayment,
    /// Among the first N members to pay.
    EarlySupporter(u32),
}

#[derive(Clone, Debug)]
pub struct Badge {
    pub key: Key,
    pub name: LocalizedText,
    pub rule: BadgeRule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    pub points: i64,
    pub min_chars: u32,
    pub cooldown_secs: u64,
    pub daily_cap: i64,
}

#[derive(Clone, Debug)]
pub struct Points {
    pub flush_ms: u64,
    pub no_points_channels: BTreeSet<String>,
    pub multipliers: BTreeMap<String, u32>,
    pub burst_window_secs: u64,
    pub burst_full: u32,
    pub burst_percent: u32,
    pub message: Source,
    pub reaction_received: Source,
    pub lesson_completed: Source,
    pub checkin_points: i64,
    pub streak_bonus: i64,
    pub streak_bonus_max: i64,
    pub streak_grace_days: u32,
    pub admin_award_max: i64,
}

#[derive(Clone, Debug)]
pub struct Levels {
    pub square: i64,
    pub linear: i64,
    pub base: i64,
    pub announce: bool,
    pub stack_rewards: bool,
    /// Lowest level first.
    pub rewards: Vec<(u32, Key)>,
}

#[derive(Clone, Debug)]
pub struct Leaderboard {
    pub week_starts: Weekday,
    pub season_start: NaiveDate,
    pub season_days: u32,
    pub weekly_top: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RewardKind {
    Coupon { percent: u32, months: Option<u32> },
    Perk { perk: Key, days: u32 },
    Offer { offer: Key },
}

#[derive(Clone, Debug)]
pub struct Reward {
    pub key: Key,
    pub name: LocalizedText,
    pub price: i64,
    pub stock: Option<u32>,
    pub kind: RewardKind,
}

const MAX_POINTS: i64 = 1_000_000;

fn amount(at: &str, n: i64, min: i64) -> Result<i64, ConfigProblem> {
    if (min..=MAX_POINTS).contains(&n) {
        Ok(n)
    } else {
        Err(problem(at, format!("between {min} and {MAX_POINTS}")))
    }
}

impl SourceConfig {
    fn validate(&self, at: &str) -> Result<Source, ConfigProblem> {
        if self.cooldown_secs > 86_400 {
            return Err(problem(format!("{at}.cooldown_secs"), "at most a day (86400)"));
        }
        if self.min_chars > 4_000 {
            return Err(problem(format!("{at}.min_chars"), "at most 4000"));
        }
        Ok(Source {
            points: amount(&format!("{at}.points"), self.points, 0)?,
            min_chars: self.min_chars,
            cooldown_secs: self.cooldown_secs,
            daily_cap: amount(&format!("{at}.daily_cap"), self.daily_cap, 0)?,
        })
    }
}

impl PointsConfig {
    pub(super) fn validate(&self, at: &str, tiers: &[Tier]) -> Result<Points, ConfigProblem> {
        if !(1..=1_000).contains(&self.flush_ms) {
            return Err(problem(format!("{at}.flush_ms"), "between 1 and 1000 ms"));
        }
        let mut channels = BTreeSet::new();
        for (i, c) in self.no_points_channels.iter().enumerate() {
            if c.parse::<crate::domain::Channel>().is_err() {
                return Err(problem(
                    format!("{at}.no_points_channels[{i}]"),
                    "write a channel as platform:id, such as discord:123456789",
                ));
            }
            channels.insert(c.clone());
        }
        for (tier, percent) in &self.multipliers {
            if !tiers.iter().any(|t| t.key.as_str() == tier) {
                return Err(problem(
                    format!("{at}.multipliers.{tier}"),
                    "there is no tier with this key",
                ));
            }
            if !(1..=1_000).contains(percent) {
                return Err(problem(
                    format!("{at}.multipliers.{tier}"),
                    "a percent between 1 and 1000",
                ));
            }
        }
        let b = &self.burst;
        if b.percent > 100 || b.full == 0 || b.window_secs > 86_400 {
            return Err(problem(
                format!("{at}.burst"),
                "full at least 1, percent at most 100, window_secs at most 86400",
            ));
        }
        let c = &self.checkin;
        if c.grace_days > 30 {
            return Err(problem(format!("{at}.checkin.grace_days"), "at most 30"));
        }
        Ok(Points {
            flush_ms: self.flush_ms,
            no_points_channels: channels,
            multipliers: self.multipliers.clone(),
            burst_window_secs: b.window_secs,
            burst_full: b.full,
            burst_percent: b.percent,
            message: self.message.validate(&format!("{at}.message"))?,
            reaction_received: self
                .reaction_received
                .validate(&format!("{at}.reaction_received"))?,
            lesson_completed: self
                .lesson_completed
                .validate(&format!("{at}.lesson_completed"))?,
            checkin_points: amount(&format!("{at}.checkin.points"), c.points, 0)?,
            streak_bonus: amount(&format!("{at}.checkin.streak_bonus"), c.streak_bonus, 0)?,
            streak_bonus_max: amount(&format!("{at}.checkin.streak_bonus_max"), c.streak_bonus_max, 0)?,
            streak_grace_days: c.grace_days,
            admin_award_max: amount(&format!("{at}.admin_award_max"), self.admin_award_max, 1)?,
        })
    }
}

impl LevelsConfig {
    pub(super) fn validate(&self, at: &str) -> Result<Levels, ConfigProblem> {
        for (name, v) in [
            ("square", self.square),
            ("linear", self.linear),
            ("base", self.base),
        ] {
            if !(0..=100_000).contains(&v) {
                return Err(problem(format!("{at}.{name}"), "between 0 and 100000"));
            }
        }
        if self.base == 0 {
            return Err(problem(
                format!("{at}.base"),
                "at least 1, or level 1 costs nothing",
            ));
        }
        let mut rewards = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, r) in self.rewards.iter().enumerate() {
            let at = format!("{at}.rewards[{i}]");
            if !(1..=1_000).contains(&r.level) {
                return Err(problem(format!("{at}.level"), "between 1 and 1000"));
            }
            if !seen.insert(r.level) {
                return Err(problem(format!("{at}.level"), "two rewards for one level"));
            }
            rewards.push((r.level, key(&format!("{at}.perk"), &r.perk)?));
        }
        rewards.sort_by_key(|(level, _)| *level);
        Ok(Levels {
            square: self.square,
            linear: self.linear,
            base: self.base,
            announce: self.announce,
            stack_rewards: self.stack_rewards,
            rewards,
        })
    }
}

impl LeaderboardConfig {
    pub(super) fn validate(&self, at: &str) -> Result<Leaderboard, ConfigProblem> {
        let week_starts = self
            .week_starts
            .parse::<Weekday>()
            .map_err(|_| problem(format!("{at}.week_starts"), "a day of the week, such as monday"))?;
        let season_start = NaiveDate::parse_from_str(&self.season_start, "%Y-%m-%d")
            .map_err(|_| problem(format!("{at}.season_start"), "a date as YYYY-MM-DD"))?;
        if !(7..=366).contains(&self.season_days) {
            return Err(problem(format!("{at}.season_days"), "between 7 and 366 days"));
        }
        if !(1..=100).contains(&self.weekly_top) {
            return Err(problem(format!("{at}.weekly_top"), "between 1 and 100"));
        }
        Ok(Leaderboard {
            week_starts,
            season_start,
            season_days: self.season_days,
            weekly_top: self.weekly_top,
        })
    }
}

impl BadgeConfig {
    fn rule(&self, at: &str) -> Result<BadgeRule, ConfigProblem> {
        let positive = |name: &str, n: u32| {
            if (1..=100_000).contains(&n) {
                Ok(n)
            } else {
                Err(problem(format!("{at}.{name}"), "between 1 and 100000"))
            }
        };
        let mut rules = Vec::new();
        if let Some(p) = self.points {
            rules.push(BadgeRule::Points(amount(&format!("{at}.points"), p, 1)?));
        }
        for (name, value, make) in [
            ("level", self.level, BadgeRule::Level as fn(u32) -> BadgeRule),
            ("streak", self.streak, BadgeRule::Streak),
            ("checkins", self.checkins, BadgeRule::Checkins),
            ("lessons", self.lessons, BadgeRule::Lessons),
            ("weekly_top", self.weekly_top, BadgeRule::WeeklyTop),
            ("early_supporter", self.early_supporter, BadgeRule::EarlySupporter),
        ] {
            if let Some(n) = value {
                rules.push(make(positive(name, n)?));
            }
        }
        if self.first_payment {
            rules.push(BadgeRule::FirstPayment);
        }
        match rules.as_slice() {
            [one] => Ok(*one),
            [] => Err(problem(
                at,
                "give the badge one rule: points, level, streak, checkins, lessons, weekly_top, first_payment or early_supporter",
            )),
            _ => Err(problem(at, "a badge has exactly one rule")),
        }
    }
}

pub(super) fn badges(at: &str, list: &[BadgeConfig]) -> Result<Vec<Badge>, ConfigProblem> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, b) in list.iter().enumerate() {
        let at = format!("{at}[{i}]");
        let badge_key = key(&format!("{at}.key"), &b.key)?;
        unique(&format!("{at}.key"), &mut seen, &badge_key)?;
        out.push(Badge {
            key: badge_key,
            name: text(&format!("{at}.name"), &b.name)?,
            rule: b.rule(&at)?,
        });
    }
    Ok(out)
}

impl RewardConfig {
    fn kind(&self, at: &str, offers: &[Offer]) -> Result<RewardKind, ConfigProblem> {
        let one = "a reward is exactly one of: coupon_percent, perk (with days) or offer";
        match (self.coupon_percent, &self.perk, &self.offer) {
            (Some(percent), None, None) => {
                if !(1..=100).contains(&percent) {
                    return Err(problem(format!("{at}.coupon_percent"), "between 1 and 100"));
                }
                if self.coupon_months.is_some_and(|m| !(1..=36).contains(&m)) {
                    return Err(problem(format!("{at}.coupon_months"), "between 1 and 36"));
                }
                Ok(RewardKind::Coupon {
                    percent,
                    months: self.coupon_months,
                })
            }
            (None, Some(perk), None) => {
                let days = self
                    .days
                    .filter(|d| (1..=3_650).contains(d))
                    .ok_or_else(|| problem(format!("{at}.days"), "a perk reward needs days, 1 to 3650"))?;
                let perk = perk_list(&format!("{at}.perk"), std::slice::from_ref(perk))?.remove(0);
                Ok(RewardKind::Perk { perk, days })
            }
            (None, None, Some(offer)) => {
                let k = key(&format!("{at}.offer"), offer)?;
                let sellable = offers
                    .iter()
                    .any(|o| o.key == k && matches!(o.kind, OfferKind::Course | OfferKind::Lesson));
                if !sellable {
                    return Err(problem(
                        format!("{at}.offer"),
                        "no course or lesson offer has this key",
                    ));
                }
                Ok(RewardKind::Offer { offer: k })
            }
            _ => Err(problem(at, one)),
        }
    }
}

pub(super) fn shop(at: &str, list: &[RewardConfig], offers: &[Offer]) -> Result<Vec<Reward>, ConfigProblem> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let at = format!("{at}[{i}]");
        let reward_key = key(&format!("{at}.key"), &r.key)?;
        unique(&format!("{at}.key"), &mut seen, &reward_key)?;
        out.push(Reward {
            key: reward_key,
            name: text(&format!("{at}.name"), &r.name)?,
            price: amount(&format!("{at}.price"), r.price, 1)?,
            stock: r.stock,
            kind: r.kind(&at, offers)?,
        });
    }
    Ok(out)
}
