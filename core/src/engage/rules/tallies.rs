//! Today's points per member and source, rebuilt from the ledger at start
//! so daily caps survive a restart.

use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use crate::engage::rules::{Rules, SourceKind};
use crate::entity::ledger;
use crate::error::CoreResult;
use crate::periods::{self, Keys};
use crate::store::sync::CommunityCtx;

/// Rows may reach the ledger a little out of time order (transactions
/// commit in a different order than they began); the search for today's
/// first row starts this much earlier.
const SLACK_SECS: i64 = 3_600;

#[derive(Debug, FromQueryResult)]
struct Today {
    member_id: i64,
    source: String,
    points: i64,
}

#[derive(Debug, FromQueryResult)]
struct Stamp {
    id: i64,
    at: i64,
}

/// Reads today's ledger rows into the rules' tallies. The ledger holds
/// points after the tier multiplier, so a restored cap errs toward paying
/// less, never more.
pub(crate) async fn restore(
    db: &DatabaseConnection,
    ctx: &CommunityCtx,
    rules: &Rules,
    keys: &Keys,
    now: i64,
) -> CoreResult<()> {
    let day_start = periods::day_start(&ctx.config, keys.day).unwrap_or(now - 86_400);
    let first = first_id_since(db, day_start - SLACK_SECS).await?;
    let sources: Vec<&str> = SourceKind::ALL.iter().map(|s| s.as_str()).collect();
    let sum: SimpleExpr =
        Func::cast_as(Func::sum(Expr::col(ledger::Column::Delta)), Alias::new("BIGINT")).into();
    let rows = ledger::Entity::find()
        .select_only()
        .column(ledger::Column::MemberId)
        .column(ledger::Column::Source)
        .column_as(sum, "points")
        .filter(ledger::Column::Id.gte(first))
        .filter(ledger::Column::CommunityId.eq(ctx.id))
        .filter(ledger::Column::Source.is_in(sources))
        .filter(ledger::Column::At.gte(day_start))
        .group_by(ledger::Column::MemberId)
        .group_by(ledger::Column::Source)
        .into_model::<Today>()
        .all(db)
        .await?;
    for t in rows {
        if let Some(source) = SourceKind::parse(&t.source) {
            rules.restore(t.member_id, source, keys.day, t.points);
        }
    }
    Ok(())
}

/// The first ledger id at or after `since`. Ids grow with time, so a binary
/// search over them takes a few dozen primary-key reads where a filter on
/// time alone would walk every row ever written (a migrated community
/// starts with one per member).
async fn first_id_since(db: &DatabaseConnection, since: i64) -> CoreResult<i64> {
    least_id_since(since, |from| async move {
        let row = ledger::Entity::find()
            .select_only()
            .column(ledger::Column::Id)
            .column(ledger::Column::At)
            .filter(ledger::Column::Id.gte(from))
            .order_by_asc(ledger::Column::Id)
            .limit(1)
            .into_model::<Stamp>()
            .one(db)
            .await?;
        Ok(row.map(|r| (r.id, r.at)))
    })
    .await
}

/// The least `x` such that the first row with an id of `x` or more (as
/// `first_from` finds it: id and time) is from `since` on, or there is
/// none; that holds for every id past it too, while times grow with ids.
async fn least_id_since<F, Fut>(since: i64, mut first_from: F) -> CoreResult<i64>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = CoreResult<Option<(i64, i64)>>>,
{
    let (mut lo, mut hi) = (0_i64, i64::MAX);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match first_from(mid).await? {
            // Every `x` up to this row's id leads to it, and it is too old.
            Some((id, at)) if at < since => lo = id + 1,
            _ => hi = mid,
        }
    }
    Ok(lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn search(rows: &[(i64, i64)], since: i64) -> i64 {
        let run = least_id_since(since, |from| {
            let found = rows.iter().find(|(id, _)| *id >= from).copied();
            async move { Ok(found) }
        });
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(run))
            .ok()
            .and_then(Result::ok)
            .unwrap_or(-1)
    }

    proptest! {
        /// Reading from the id found gives exactly the rows from `since` on,
        /// whatever the gaps between ids.
        #[test]
        fn finds_exactly_the_rows_from_since_on(
            gaps in prop::collection::vec((1i64..1_000, 0i64..100), 0..200),
            since in 0i64..12_000,
        ) {
            let (mut id, mut at) = (0, 0);
            let rows: Vec<(i64, i64)> = gaps
                .into_iter()
                .map(|(g, t)| {
                    id += g;
                    at += t;
                    (id, at)
                })
                .collect();
            let first = search(&rows, since);
            let read: Vec<_> = rows.iter().filter(|(i, _)| *i >= first).collect();
            let wanted: Vec<_> = rows.iter().filter(|(_, a)| *a >= since).collect();
            prop_assert_eq!(read, wanted);
        }
    }
}
