//! Today's points per member and source, rebuilt from the ledger at start
//! so daily caps survive a restart.

use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use super::periods::{self, Keys};
use super::rules::{Rules, SourceKind};
use crate::entity::ledger;
use crate::error::CoreResult;
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
pub(super) async fn restore(
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
    // Ledger ids start at 1; `hi` is always an id known to qualify, or
    // past every id.
    let (mut lo, mut hi) = (0_i64, i64::MAX);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let row = ledger::Entity::find()
            .select_only()
            .column(ledger::Column::Id)
            .column(ledger::Column::At)
            .filter(ledger::Column::Id.gte(mid))
            .order_by_asc(ledger::Column::Id)
            .limit(1)
            .into_model::<Stamp>()
            .one(db)
            .await?;
        match row {
            // Nothing from `mid` on: the answer lies below it, if anywhere.
            None => hi = mid,
            Some(r) if r.at < since => lo = r.id + 1,
            // No row lies between `mid` and this one.
            Some(r) => hi = r.id,
        }
    }
    Ok(hi)
}
