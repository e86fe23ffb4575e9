//! One community's dashboard figures as of now.
//!
//! - Churn over the last 30 days: members who lost access in that window
//!   over members who had access at its start.
//! - Trial conversion: trials whose free days are over, and how many of
//!   those members reached `active` after the trial began.
//! - Retention L(k): of the members whose first access fell in a month,
//!   the share with access k×30 days later (only members that far along).
//! - Activity A(d) = (messages + reactions given on day d) / members who
//!   had joined by the end of day d.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use super::access::Timeline;
use super::money::{mrr_at, offer_of, paying, trial_days};
use super::{DAY, MONTH, WEEK};
use crate::domain::EntitlementStatus;
use crate::entity::{activity_day, entitlement, history, member, offer, subscription, tier, trial};
use crate::error::CoreResult;
use crate::payments::revenue;
use crate::store::sync::CommunityCtx;

/// Weeks of MRR and member flow the charts show.
pub const WEEKS: i64 = 12;
/// Days of activity the chart shows.
pub const DAYS: i64 = 30;
/// Signup months with a retention curve, and points on each.
pub const COHORTS: usize = 6;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeekFlow {
    pub start: i64,
    pub new: u64,
    pub churned: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cohort {
    /// `YYYY-MM` of first access, UTC.
    pub month: String,
    pub size: u64,
    /// L(0), L(1), …: `None` where no member is that far along yet.
    pub retained: Vec<Option<f64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub now: i64,
    /// The currency the money figures are in.
    pub currency: String,
    pub members: u64,
    /// Every status with how many members hold it now.
    pub by_status: Vec<(String, u64)>,
    /// Members with access now.
    pub with_access: u64,
    pub mrr: i64,
    pub mrr_30_days_ago: i64,
    /// Net revenue since the first of this month (UTC), minor units.
    pub revenue_this_month: i64,
    pub trials_over: u64,
    pub trials_converted: u64,
    pub churned_30_days: u64,
    pub had_access_30_days_ago: u64,
    /// Members with any activity in the last 7 days (today included).
    pub active_7_days: u64,
    /// MRR at the end of each of the last weeks, oldest first; the last is now.
    pub mrr_weekly: Vec<(i64, i64)>,
    pub flow: Vec<WeekFlow>,
    pub cohorts: Vec<Cohort>,
    /// A(d) for each of the last days, oldest first, by UTC day number.
    pub activity: Vec<(i64, f64)>,
}

impl Snapshot {
    /// Churn rate over the last 30 days, if anyone could churn.
    pub fn churn_rate(&self) -> Option<f64> {
        ratio(self.churned_30_days, self.had_access_30_days_ago)
    }

    pub fn trial_conversion(&self) -> Option<f64> {
        ratio(self.trials_converted, self.trials_over)
    }
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

fn month_start(t: i64) -> i64 {
    let d = DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
    Utc.with_ymd_and_hms(d.year(), d.month(), 1, 0, 0, 0)
        .single()
        .map_or(t, |m| m.timestamp())
}

fn month_label(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y-%m")
        .to_string()
}

pub async fn snapshot<C: ConnectionTrait>(conn: &C, ctx: &CommunityCtx, now: i64) -> CoreResult<Snapshot> {
    let of_community = || {
        Query::select()
            .column(member::Column::Id)
            .from(member::Entity)
            .and_where(member::Column::CommunityId.eq(ctx.id))
            .to_owned()
    };
    let members = member::Entity::find()
        .filter(member::Column::CommunityId.eq(ctx.id))
        .all(conn)
        .await?;
    let entitlements = entitlement::Entity::find()
        .filter(entitlement::Column::MemberId.in_subquery(of_community()))
        .all(conn)
        .await?;
    let rows = history::Entity::find()
        .filter(history::Column::MemberId.in_subquery(of_community()))
        .all(conn)
        .await?;
    let subs = subscription::Entity::find()
        .filter(subscription::Column::MemberId.in_subquery(of_community()))
        .all(conn)
        .await?;
    let offers = offer::Entity::find()
        .filter(offer::Column::CommunityId.eq(ctx.id))
        .all(conn)
        .await?;
    let tiers = tier::Entity::find()
        .filter(tier::Column::CommunityId.eq(ctx.id))
        .all(conn)
        .await?;
    let trials = trial::Entity::find()
        .filter(trial::Column::CommunityId.eq(ctx.id))
        .all(conn)
        .await?;
    let today = now.div_euclid(DAY);
    let first_day = today - (DAYS - 1);
    let days = activity_day::Entity::find()
        .filter(activity_day::Column::MemberId.in_subquery(of_community()))
        .filter(activity_day::Column::Day.gte(i32::try_from(first_day).unwrap_or(i32::MIN)))
        .all(conn)
        .await?;
    let report = revenue::report(conn, ctx.id, ctx.slug(), month_start(now), now + 1, now).await?;

    let currency = ctx
        .config
        .billing
        .currency
        .clone()
        .or_else(|| report.mrr.0.keys().next().cloned())
        .unwrap_or_else(|| "USD".into());
    let in_currency = |sums: &BTreeMap<String, i64>| sums.get(&currency).copied().unwrap_or(0);

    let mut by_member: HashMap<i64, Vec<&history::Model>> = HashMap::new();
    for r in &rows {
        by_member.entry(r.member_id).or_default().push(r);
    }
    let timelines: Vec<Timeline> = members
        .iter()
        .map(|m| Timeline::of(by_member.get(&m.id).map_or(&[][..], |v| v.as_slice())))
        .collect();

    let mut by_status: Vec<(String, u64)> = EntitlementStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect();
    let mut with_access = 0;
    for e in &entitlements {
        let status = e.status;
        if let Some(slot) = by_status.iter_mut().find(|(s, _)| s == status.as_str()) {
            slot.1 += 1;
        }
        if status.has_access(e.access_until, now) {
            with_access += 1;
        }
    }

    let spans = paying(&subs, &offers, &tiers, &trials);
    let mrr_weekly: Vec<(i64, i64)> = (0..=WEEKS)
        .rev()
        .map(|k| {
            let t = now - k * WEEK;
            (t, in_currency(&mrr_at(&spans, t)))
        })
        .collect();

    let window = now - 30 * DAY;
    let mut churned_30_days = 0;
    let mut had_access_30_days_ago = 0;
    let flow_from = now - WEEKS * WEEK;
    let mut flow: Vec<WeekFlow> = (0..WEEKS)
        .map(|k| WeekFlow {
            start: flow_from + k * WEEK,
            new: 0,
            churned: 0,
        })
        .collect();
    let week_of = |t: i64| usize::try_from((t - flow_from) / WEEK).ok();
    for tl in &timelines {
        if tl.has_access(window) {
            had_access_30_days_ago += 1;
        }
        let (_, lost) = tl.changes(window + 1, now + 1);
        if !lost.is_empty() && tl.has_access(window) {
            churned_30_days += 1;
        }
        let (gained, lost) = tl.changes(flow_from, now + 1);
        for (t, is_new) in gained
            .iter()
            .map(|t| (t, true))
            .chain(lost.iter().map(|t| (t, false)))
        {
            if let Some(w) = week_of(*t).and_then(|i| flow.get_mut(i)) {
                if is_new { w.new += 1 } else { w.churned += 1 }
            }
        }
    }

    let mut trials_over = 0;
    let mut trials_converted = 0;
    let person_member: HashMap<i64, usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.person_id, i))
        .collect();
    for t in &trials {
        let days = subs
            .iter()
            .find(|s| s.external_id == t.subscription_id)
            .and_then(|s| offer_of(s, &offers))
            .map_or(0, |o| trial_days(o, &tiers));
        if t.started_at + days * DAY > now {
            continue;
        }
        trials_over += 1;
        let converted = person_member.get(&t.person_id).is_some_and(|&i| {
            by_member.get(&members[i].id).is_some_and(|rows| {
                rows.iter()
                    .any(|r| r.at >= t.started_at && r.to_status == EntitlementStatus::Active)
            })
        });
        if converted {
            trials_converted += 1;
        }
    }

    let cohorts = cohorts(&timelines, now);

    let mut interactions: BTreeMap<i64, i64> = BTreeMap::new();
    let mut recent = std::collections::HashSet::new();
    for d in &days {
        let day = i64::from(d.day);
        *interactions.entry(day).or_default() += i64::from(d.messages) + i64::from(d.reactions_given);
        if day > today - 7 {
            recent.insert(d.member_id);
        }
    }
    let activity = (first_day..=today)
        .map(|day| {
            let joined = members.iter().filter(|m| m.joined_at < (day + 1) * DAY).count();
            let n = interactions.get(&day).copied().unwrap_or(0);
            let rate = if joined == 0 {
                0.0
            } else {
                n as f64 / joined as f64
            };
            (day, rate)
        })
        .collect();

    Ok(Snapshot {
        now,
        currency: currency.clone(),
        members: members.len() as u64,
        by_status,
        with_access,
        mrr: in_currency(&report.mrr.0),
        mrr_30_days_ago: in_currency(&mrr_at(&spans, window)),
        revenue_this_month: in_currency(&report.net.0),
        trials_over,
        trials_converted,
        churned_30_days,
        had_access_30_days_ago,
        active_7_days: recent.len() as u64,
        mrr_weekly,
        flow,
        cohorts,
        activity,
    })
}

/// Retention curves for the last signup months, oldest first.
fn cohorts(timelines: &[Timeline], now: i64) -> Vec<Cohort> {
    let mut by_month: BTreeMap<i64, Vec<(&Timeline, i64)>> = BTreeMap::new();
    for tl in timelines {
        if let Some(first) = tl.first_access() {
            by_month.entry(month_start(first)).or_default().push((tl, first));
        }
    }
    let keep = by_month.len().saturating_sub(COHORTS);
    by_month
        .into_iter()
        .skip(keep)
        .map(|(month, list)| {
            let retained = (0..i64::try_from(COHORTS).unwrap_or(i64::MAX))
                .map(|k| {
                    let along: Vec<_> = list.iter().filter(|(_, f)| f + k * MONTH <= now).collect();
                    let kept = along
                        .iter()
                        .filter(|(tl, f)| tl.has_access(f + k * MONTH))
                        .count();
                    ratio(kept as u64, along.len() as u64)
                })
                .collect();
            Cohort {
                month: month_label(month),
                size: list.len() as u64,
                retained,
            }
        })
        .collect()
}
