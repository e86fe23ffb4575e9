//! Badges that are not about a running total: a member's first payment,
//! being among the first paying members, and finishing a closed week near
//! the top of its board.

use sea_orm::sea_query::{Expr, Func, OnConflict, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::config::BadgeRule;
use crate::engage::rules::settle::{award_badges, crossed, tell};
use crate::entity::{member, period_close, revenue, score};
use crate::error::CoreResult;
use crate::periods::{Board, Keys};
use crate::store::sync::CommunityCtx;

/// After a payment by `m` is recorded: the first-payment badge, and the
/// early-supporter badge while fewer than N others paid before them.
pub async fn after_payment<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    now: i64,
) -> CoreResult<()> {
    let c = &ctx.config;
    let mut due = crossed(c, |rule| rule == BadgeRule::FirstPayment);
    let early: Vec<(u32, crate::domain::Key)> = c
        .badges
        .iter()
        .filter_map(|b| match b.rule {
            BadgeRule::EarlySupporter(n) => Some((n, b.key.clone())),
            _ => None,
        })
        .collect();
    if !early.is_empty() {
        let payments = || {
            revenue::Entity::find()
                .filter(revenue::Column::CommunityId.eq(ctx.id))
                .filter(revenue::Column::Kind.eq(crate::entity::kinds::RevenueKind::Payment))
        };
        let first_min: SimpleExpr = Func::min(Expr::col(revenue::Column::At)).into();
        let mine: Option<i64> = payments()
            .select_only()
            .column_as(first_min, "first")
            .filter(revenue::Column::MemberId.eq(m.id))
            .into_tuple()
            .one(conn)
            .await?
            .flatten();
        if let Some(mine) = mine {
            // Whoever paid before `mine` first paid before it too. Only
            // as many as the largest N are counted: the index on the
            // community's payments by time stops the scan there.
            let most = early.iter().map(|(n, _)| u64::from(*n)).max().unwrap_or(0);
            let before = payments()
                .select_only()
                .distinct()
                .column(revenue::Column::MemberId)
                .filter(revenue::Column::MemberId.ne(m.id))
                .filter(revenue::Column::At.lt(mine))
                .limit(most)
                .into_tuple::<Option<i64>>()
                .all(conn)
                .await?
                .len() as u64;
            due.extend(
                early
                    .into_iter()
                    .filter(|(n, _)| before < u64::from(*n))
                    .map(|(_, k)| k),
            );
        }
    }
    if due.is_empty() {
        return Ok(());
    }
    let earned = award_badges(conn, m.id, &due, now).await?;
    tell(conn, ctx, m, None, &earned, Vec::new(), now).await
}

/// The best `n` of a week that has ended, as `(member_id, points)`. Rows
/// already written in the following week keep the closed week's total in
/// their `last_week` columns.
async fn week_top<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    week: i32,
    n: u64,
) -> CoreResult<Vec<(i64, i64)>> {
    let mut top: Vec<(i64, i64)> = score::Entity::find()
        .filter(score::Column::CommunityId.eq(community_id))
        .filter(score::Column::WeekKey.eq(week))
        .filter(score::Column::WeekPoints.gt(0))
        .order_by_desc(score::Column::WeekPoints)
        .order_by_asc(score::Column::MemberId)
        .limit(n)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.member_id, s.week_points))
        .collect();
    top.extend(
        score::Entity::find()
            .filter(score::Column::CommunityId.eq(community_id))
            .filter(score::Column::LastWeekKey.eq(week))
            .filter(score::Column::LastWeekPoints.gt(0))
            .order_by_desc(score::Column::LastWeekPoints)
            .order_by_asc(score::Column::MemberId)
            .limit(n)
            .all(conn)
            .await?
            .into_iter()
            .map(|s| (s.member_id, s.last_week_points)),
    );
    top.sort_by_key(|&(id, points)| (std::cmp::Reverse(points), id));
    top.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    Ok(top)
}

/// Whether last week still waits to be closed (and any badge goes to its
/// best), so its totals must first be complete.
pub async fn week_to_close<C: ConnectionTrait>(conn: &C, ctx: &CommunityCtx, now: i64) -> CoreResult<bool> {
    if !ctx
        .config
        .badges
        .iter()
        .any(|b| matches!(b.rule, BadgeRule::WeeklyTop(_)))
    {
        return Ok(false);
    }
    let week = Keys::of(&ctx.config, now).get(Board::Week) - 7;
    let closed = period_close::Entity::find()
        .filter(period_close::Column::CommunityId.eq(ctx.id))
        .filter(period_close::Column::Board.eq(Board::Week.as_str()))
        .filter(period_close::Column::Key.eq(week))
        .one(conn)
        .await?;
    Ok(closed.is_none())
}

/// Closes the week before the current one, once per community: its best
/// members get the weekly-top badges they placed for. Returns how many
/// badges were awarded.
pub async fn close_last_week<C: ConnectionTrait>(conn: &C, ctx: &CommunityCtx, now: i64) -> CoreResult<u32> {
    let c = &ctx.config;
    let tops: Vec<(u32, crate::domain::Key)> = c
        .badges
        .iter()
        .filter_map(|b| match b.rule {
            BadgeRule::WeeklyTop(n) => Some((n, b.key.clone())),
            _ => None,
        })
        .collect();
    let week = Keys::of(c, now).get(Board::Week) - 7;
    let closed = period_close::Entity::insert(period_close::ActiveModel {
        community_id: Set(ctx.id),
        board: Set(Board::Week.as_str().to_owned()),
        key: Set(week),
        closed_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            period_close::Column::CommunityId,
            period_close::Column::Board,
            period_close::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    if closed != 1 || tops.is_empty() {
        return Ok(0);
    }
    let widest = tops.iter().map(|(n, _)| u64::from(*n)).max().unwrap_or(0);
    let mut awarded = 0;
    for (place, (member_id, _)) in week_top(conn, ctx.id, week, widest)
        .await?
        .into_iter()
        .enumerate()
    {
        let due: Vec<crate::domain::Key> = tops
            .iter()
            .filter(|(n, _)| place < *n as usize)
            .map(|(_, k)| k.clone())
            .collect();
        let earned = award_badges(conn, member_id, &due, now).await?;
        if let Some(m) = member::Entity::find_by_id(member_id).one(conn).await? {
            tell(conn, ctx, &m, None, &earned, Vec::new(), now).await?;
        }
        awarded += u32::try_from(earned.len()).unwrap_or(0);
    }
    Ok(awarded)
}
