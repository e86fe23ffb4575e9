//! Cooldowns and daily caps across instances. Each instance's rules judge
//! activity by what that instance has seen, so on PostgreSQL, where a load
//! balancer may hand one member's messages to several instances, the writer
//! judges its batch's awards again against `activity_limits` rows: it
//! locks them (creating missing ones) in its transaction, in one order
//! everywhere, drops awards inside another instance's cooldown, trims them
//! to what is left of the daily cap, and stores the new state with the
//! points. For traffic that reaches one instance this agrees with its rules
//! exactly; diminishing returns within a burst stay per instance.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::engage::rules::SourceKind;
use crate::engage::writing::writer::Pending;
use crate::entity::activity_limit::{Column, Entity};
use crate::error::{CoreError, CoreResult};
use crate::periods::Keys;
use crate::store::sync::CommunityCtx;

/// Rows per statement: five values each, well under PostgreSQL's limit.
const CHUNK: usize = 1_000;
const COLUMNS: [Column; 5] = [
    Column::MemberId,
    Column::Source,
    Column::Day,
    Column::Today,
    Column::LastAt,
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Limit {
    day: i32,
    today: i64,
    last_at: i64,
}

type Key = (i64, &'static str);

/// The batch with awards judged against every instance's record, or `None`
/// when it holds no award.
pub(crate) async fn judge(
    txn: &DatabaseTransaction,
    ctx: &CommunityCtx,
    batch: &[Pending],
) -> CoreResult<Option<Vec<Pending>>> {
    let mut keys: Vec<Key> = batch
        .iter()
        .filter_map(|p| p.award.as_ref().map(|(s, ..)| (p.member_id, s.as_str())))
        .collect();
    if keys.is_empty() {
        return Ok(None);
    }
    keys.sort_unstable();
    keys.dedup();
    let mut limits = lock(txn, &keys).await?;
    let before = limits.clone();
    let mut days: HashMap<i64, i32> = HashMap::new();
    let mut out = batch.to_vec();
    for p in &mut out {
        let Some((source, points, why)) = p.award.as_mut() else {
            continue;
        };
        let day = *days
            .entry(p.at)
            .or_insert_with(|| Keys::of(&ctx.config, p.at).day);
        let limit = limits.entry((p.member_id, source.as_str())).or_default();
        match verdict(ctx, *source, limit, day, p.at, *points) {
            Some(paid) => {
                if paid < *points {
                    why.push_str(&format!(
                        " → {paid} (daily cap {}, counted on every instance)",
                        source.of(&ctx.config.points).daily_cap
                    ));
                    *points = paid;
                }
            }
            None => {
                tracing::info!(
                    community = %ctx.slug(), member = p.member_id, source = source.as_str(),
                    "no points: another instance already paid within the cooldown or up to the daily cap"
                );
                p.award = None;
            }
        }
    }
    let changed: Vec<(Key, Limit)> = limits
        .into_iter()
        .filter(|(k, l)| before.get(k) != Some(l))
        .collect();
    store(txn, &changed).await?;
    Ok(Some(out))
}

/// What an award of `points` at `at` pays given the source's record, which
/// it updates; `None` when it pays nothing.
fn verdict(
    ctx: &CommunityCtx,
    source: SourceKind,
    limit: &mut Limit,
    day: i32,
    at: i64,
    points: i64,
) -> Option<i64> {
    let rule = source.of(&ctx.config.points);
    if limit.day != day {
        limit.day = day;
        limit.today = 0;
    }
    let cooldown = i64::try_from(rule.cooldown_secs).unwrap_or(i64::MAX);
    if cooldown > 0 && limit.last_at > 0 && at.saturating_sub(limit.last_at) < cooldown {
        return None;
    }
    let paid = if rule.daily_cap > 0 {
        points.min(rule.daily_cap - limit.today)
    } else {
        points
    };
    if paid <= 0 {
        return None;
    }
    limit.today += paid;
    limit.last_at = at;
    Some(paid)
}

fn corrupt(e: impl std::fmt::Display) -> CoreError {
    CoreError::Corrupt(e.to_string())
}

/// Reads the rows of `keys`, creating missing ones, each locked until the
/// transaction ends: another instance's writer waits here for this one's
/// commit, and then reads what it stored.
async fn lock(txn: &DatabaseTransaction, keys: &[Key]) -> CoreResult<BTreeMap<Key, Limit>> {
    let mut out = BTreeMap::new();
    for chunk in keys.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert
            .into_table(Entity)
            .columns(COLUMNS)
            // Rewriting the member id changes nothing and locks the row.
            .on_conflict(
                OnConflict::columns([Column::MemberId, Column::Source])
                    .update_column(Column::MemberId)
                    .to_owned(),
            )
            .returning(Query::returning().columns(COLUMNS));
        for (member, source) in chunk {
            insert
                .values([
                    (*member).into(),
                    (*source).into(),
                    0.into(),
                    0i64.into(),
                    0i64.into(),
                ])
                .map_err(corrupt)?;
        }
        for row in txn.query_all(&insert).await? {
            let member: i64 = row.try_get("", "member_id")?;
            let source: String = row.try_get("", "source")?;
            let Some(kind) = SourceKind::parse(&source) else {
                continue;
            };
            let limit = Limit {
                day: row.try_get("", "day")?,
                today: row.try_get("", "today")?,
                last_at: row.try_get("", "last_at")?,
            };
            out.insert((member, kind.as_str()), limit);
        }
    }
    Ok(out)
}

async fn store(txn: &DatabaseTransaction, changed: &[(Key, Limit)]) -> CoreResult<()> {
    for chunk in changed.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(Entity).columns(COLUMNS).on_conflict(
            OnConflict::columns([Column::MemberId, Column::Source])
                .update_columns([Column::Day, Column::Today, Column::LastAt])
                .to_owned(),
        );
        for ((member, source), l) in chunk {
            insert
                .values([
                    (*member).into(),
                    (*source).into(),
                    l.day.into(),
                    l.today.into(),
                    l.last_at.into(),
                ])
                .map_err(corrupt)?;
        }
        txn.execute(&insert).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::periods::tests::community;

    fn ctx(cooldown_secs: u64, daily_cap: i64) -> CommunityCtx {
        let mut config = community("UTC");
        config.points.message.cooldown_secs = cooldown_secs;
        config.points.message.daily_cap = daily_cap;
        CommunityCtx { id: 1, config }
    }

    #[test]
    fn an_award_inside_anothers_cooldown_pays_nothing_and_one_after_it_pays() {
        let c = ctx(60, 0);
        let mut l = Limit::default();
        assert_eq!(verdict(&c, SourceKind::Message, &mut l, 5, 1_000, 5), Some(5));
        assert_eq!(verdict(&c, SourceKind::Message, &mut l, 5, 1_059, 5), None);
        assert_eq!(l.last_at, 1_000, "a refusal leaves the record as it was");
        assert_eq!(verdict(&c, SourceKind::Message, &mut l, 5, 1_060, 5), Some(5));
    }

    #[test]
    fn the_daily_cap_counts_every_instances_awards_and_a_new_day_starts_afresh() {
        let c = ctx(0, 12);
        let mut l = Limit {
            day: 5,
            today: 10,
            last_at: 900,
        };
        assert_eq!(
            verdict(&c, SourceKind::Message, &mut l, 5, 1_000, 5),
            Some(2),
            "trimmed to the cap"
        );
        assert_eq!(verdict(&c, SourceKind::Message, &mut l, 5, 1_001, 5), None);
        assert_eq!(verdict(&c, SourceKind::Message, &mut l, 6, 90_000, 5), Some(5));
        assert_eq!((l.day, l.today), (6, 5));
    }
}
