//! Folding what members are owed (owed.rs) into their score rows, and the
//! backlog rows that make the owed amounts survive a restart.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::engage::rules::settle::settle;
use crate::engage::writing::owed::{Book, Owed, Periods, periods};
use crate::engage::writing::writer::{Counts, add_counts};
use crate::entity::{member, score, score_backlog};
use crate::error::{CoreError, CoreResult};
use crate::periods::Keys;
use crate::store::chunked::rows_in;
use crate::store::scores::{Moved, add, add_unread};
use crate::store::sync::CommunityCtx;

/// One member's part of a backlog row: member id, points, UTC day,
/// messages, reactions given, reactions received.
type Entry = (i64, i64, i32, i32, i32, i32);

/// What a fold writes: the score additions grouped by the periods they
/// were earned in, the activity counts per member and day, and each
/// member's newest backlog row.
struct Plan {
    groups: BTreeMap<Periods, Vec<(i64, Moved)>>,
    counts: BTreeMap<(i64, i32), Counts>,
    last: HashMap<i64, i64>,
}

impl Plan {
    fn of(taken: &[(i64, Owed)], keys: &Keys) -> Plan {
        let mut groups: BTreeMap<Periods, Vec<(i64, Moved)>> = BTreeMap::new();
        let mut counts: BTreeMap<(i64, i32), Counts> = BTreeMap::new();
        for (m, o) in taken {
            // Counts alone still move the row's mark.
            if o.points.is_empty() {
                groups
                    .entry(periods(keys))
                    .or_default()
                    .push((*m, Moved::default()));
            }
            for &(p, n) in &o.points {
                groups.entry(p).or_default().push((
                    *m,
                    Moved {
                        balance: n,
                        earned: n,
                        period: n,
                    },
                ));
            }
            for &(day, c) in &o.counts {
                let sum = counts.entry((*m, day)).or_default();
                sum.messages += c.messages;
                sum.given += c.given;
                sum.received += c.received;
            }
        }
        let last = taken.iter().map(|(m, o)| (*m, o.last)).collect();
        Plan { groups, counts, last }
    }

    /// Older periods first, as the points were earned.
    fn by_period<'a>(&'a self, keys: &'a Keys) -> impl Iterator<Item = (Keys, &'a [(i64, Moved)])> + 'a {
        self.groups.iter().map(|(&(week, month, season), list)| {
            let at = Keys {
                day: keys.day,
                week,
                month,
                season,
            };
            (at, list.as_slice())
        })
    }

    fn mark(&self, member_id: i64) -> i64 {
        self.last.get(&member_id).copied().unwrap_or(0)
    }
}

/// Adds `taken` to the score rows, settles level-ups and badges, and
/// returns the new rows. Each row is marked with the newest backlog row it
/// now holds, so a restart does not count the same amounts twice.
pub(crate) async fn fold<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    taken: &[(i64, Owed)],
    keys: &Keys,
    now: i64,
) -> CoreResult<Vec<score::Model>> {
    let plan = Plan::of(taken, keys);
    let mut rows = Vec::with_capacity(taken.len());
    for (at, list) in plan.by_period(keys) {
        let moved = add(conn, ctx.id, &at, list, |m| plan.mark(m)).await?;
        rows.extend(settle(conn, ctx, moved, now, true).await?);
    }
    add_counts(conn, &plan.counts).await?;
    Ok(rows)
}

/// Folds amounts the writer judged to reach no level or badge (those are
/// settled as they commit), without reading the rows back: the boards
/// already show these points.
pub(crate) async fn fold_unread<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    taken: &[(i64, Owed)],
    keys: &Keys,
) -> CoreResult<()> {
    let plan = Plan::of(taken, keys);
    for (at, list) in plan.by_period(keys) {
        add_unread(conn, community_id, &at, list, |m| plan.mark(m)).await?;
    }
    add_counts(conn, &plan.counts).await
}

/// Records what one commit leaves owed; returns the backlog row's id.
pub(crate) async fn record<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    keys: &Keys,
    owed: &BTreeMap<i64, Owed>,
) -> CoreResult<i64> {
    let mut entries: Vec<Entry> = Vec::with_capacity(owed.len());
    for (m, o) in owed {
        let points = o.earned();
        if o.counts.is_empty() {
            entries.push((*m, points, keys.day, 0, 0, 0));
        }
        for (i, (day, c)) in o.counts.iter().enumerate() {
            // The points ride on the first day's entry.
            let p = if i == 0 { points } else { 0 };
            entries.push((*m, p, *day, c.messages, c.given, c.received));
        }
    }
    let body = serde_json::to_string(&entries).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    let res = score_backlog::Entity::insert(score_backlog::ActiveModel {
        community_id: Set(community_id),
        week_key: Set(keys.week),
        month_key: Set(keys.month),
        season_key: Set(keys.season),
        body: Set(body),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

/// Backlog rows older than anything still owed hold nothing any more.
pub(crate) async fn prune<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    oldest_owed: Option<i64>,
) -> CoreResult<()> {
    let mut q =
        score_backlog::Entity::delete_many().filter(score_backlog::Column::CommunityId.eq(community_id));
    if let Some(oldest) = oldest_owed {
        q = q.filter(score_backlog::Column::Id.lt(oldest));
    }
    q.exec(conn).await?;
    Ok(())
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct Mark {
    member_id: i64,
    folded: i64,
}

/// Rebuilds what was owed when the process stopped: every backlog entry
/// newer than its member's mark.
pub(crate) async fn restore<C: ConnectionTrait>(conn: &C, community_id: i64) -> CoreResult<Book> {
    let rows = score_backlog::Entity::find()
        .filter(score_backlog::Column::CommunityId.eq(community_id))
        .order_by_asc(score_backlog::Column::Id)
        .all(conn)
        .await?;
    let mut parsed = Vec::with_capacity(rows.len());
    let mut members = std::collections::BTreeSet::new();
    for r in rows {
        let entries: Vec<Entry> = serde_json::from_str(&r.body)
            .map_err(|e| CoreError::Corrupt(format!("score backlog {}: {e}", r.id)))?;
        members.extend(entries.iter().map(|e| e.0));
        parsed.push((r.id, (r.week_key, r.month_key, r.season_key), entries));
    }
    let ids: Vec<i64> = members.into_iter().collect();
    let mut marks: HashMap<i64, i64> = HashMap::new();
    for chunk in ids.chunks(1_000) {
        let found: Vec<Mark> = score::Entity::find()
            .select_only()
            .column(score::Column::MemberId)
            .column(score::Column::Folded)
            .filter(score::Column::MemberId.is_in(chunk.iter().copied()))
            .into_model()
            .all(conn)
            .await?;
        marks.extend(found.into_iter().map(|m| (m.member_id, m.folded)));
    }
    // A member without a score row may have been merged away since.
    let unmarked: Vec<i64> = ids.iter().filter(|m| !marks.contains_key(m)).copied().collect();
    let alive: std::collections::HashSet<i64> =
        rows_in(conn, member::Entity::find(), member::Column::Id, &unmarked)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
    let mut book = Book::default();
    for (batch, p, entries) in parsed {
        for (m, points, day, messages, given, received) in entries {
            let fresh = match marks.get(&m) {
                Some(folded) => batch > *folded,
                None => alive.contains(&m),
            };
            if !fresh {
                continue;
            }
            let mut o = Owed::new(batch);
            if points != 0 {
                o.add_points(p, points);
            }
            o.add_counts(
                day,
                Counts {
                    messages,
                    given,
                    received,
                },
            );
            book.add(m, o);
        }
    }
    Ok(book)
}
