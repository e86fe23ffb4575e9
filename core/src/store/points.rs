//! The append-only points ledger, balances, badges and the all-time leaderboard.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::access::notify_person;
use super::sync::CommunityCtx;
use crate::domain::Locale;
use crate::entity::{badge, ledger, member};
use crate::error::{CoreResult, UserError};
use crate::outbox::EffectKind;
use crate::reply::Notice;

// SUM over BIGINT is NUMERIC on PostgreSQL; cast back so both databases
// hand us an i64.
fn points_sum() -> SimpleExpr {
    Func::cast_as(Func::sum(Expr::col(ledger::Column::Delta)), Alias::new("BIGINT")).into()
}

#[derive(Debug, FromQueryResult)]
struct Total {
    member_id: i64,
    points: i64,
}

pub async fn balance<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<i64> {
    let row = ledger::Entity::find()
        .select_only()
        .column_as(Expr::col(ledger::Column::MemberId), "member_id")
        .column_as(points_sum(), "points")
        .filter(ledger::Column::MemberId.eq(member_id))
        .group_by(ledger::Column::MemberId)
        .into_model::<Total>()
        .one(conn)
        .await?;
    Ok(row.map(|t| t.points).unwrap_or(0))
}

/// One ledger entry to append.
pub struct Entry<'a> {
    pub delta: i64,
    /// Where the points came from: `admin_award`, later `message`, `checkin` …
    pub source: &'a str,
    pub reason: &'a str,
    pub actor: Option<String>,
}

#[derive(Debug)]
pub struct Awarded {
    pub balance: i64,
    pub badges: Vec<String>,
}

/// Appends the entry to the ledger, then awards any badge the new balance
/// reaches. Refuses, changing nothing, if the balance would overflow.
pub async fn award<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    entry: Entry<'_>,
    now: i64,
) -> CoreResult<Awarded> {
    let Entry {
        delta,
        source,
        reason,
        actor,
    } = entry;
    let before = balance(conn, m.id).await?;
    let after = before.checked_add(delta).ok_or(UserError::BalanceOverflow)?;
    ledger::ActiveModel {
        community_id: Set(ctx.id),
        member_id: Set(m.id),
        delta: Set(delta),
        source: Set(source.to_owned()),
        reason: Set(reason.to_owned()),
        actor: Set(actor),
        at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;

    let held = badges_of(conn, m.id).await?;
    let mut earned = Vec::new();
    for b in ctx.config.badges.iter().filter(|b| b.points <= after) {
        if held.iter().any(|h| h == b.key.as_str()) {
            continue;
        }
        badge::ActiveModel {
            member_id: Set(m.id),
            badge_key: Set(b.key.to_string()),
            awarded_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        earned.push(b);
    }
    let effects_in = |locale: Locale| {
        let community = ctx.config.name.get(locale, ctx.config.default_locale).to_owned();
        let mut notices = vec![Notice::PointsAwarded {
            community: community.clone(),
            points: delta,
            reason: reason.to_owned(),
            balance: after,
        }];
        notices.extend(earned.iter().map(|b| Notice::BadgeEarned {
            community: community.clone(),
            badge: b.name.get(locale, ctx.config.default_locale).to_owned(),
        }));
        notices
            .into_iter()
            .map(|notice| EffectKind::SendMessage { notice })
            .collect()
    };
    notify_person(conn, ctx, m.person_id, effects_in, now).await?;
    Ok(Awarded {
        balance: after,
        badges: earned.iter().map(|b| b.key.to_string()).collect(),
    })
}

pub async fn badges_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<Vec<String>> {
    Ok(badge::Entity::find()
        .filter(badge::Column::MemberId.eq(member_id))
        .order_by_asc(badge::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.badge_key)
        .collect())
}

pub const PAGE_SIZE: u64 = 10;

/// `(member_id, points)` for one leaderboard page, plus how many members have
/// a positive balance. Ties go to whoever became a member first.
pub async fn leaderboard<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    page: u32,
) -> CoreResult<(Vec<(i64, i64)>, u64)> {
    let ranked = || {
        ledger::Entity::find()
            .select_only()
            .column_as(Expr::col(ledger::Column::MemberId), "member_id")
            .column_as(points_sum(), "points")
            .filter(ledger::Column::CommunityId.eq(community_id))
            .group_by(ledger::Column::MemberId)
            .having(Expr::expr(points_sum()).gt(0))
    };
    let total = ranked().count(conn).await?;
    let rows = ranked()
        .order_by_desc(points_sum())
        .order_by_asc(ledger::Column::MemberId)
        .limit(PAGE_SIZE)
        .offset(u64::from(page.saturating_sub(1)) * PAGE_SIZE)
        .into_model::<Total>()
        .all(conn)
        .await?;
    Ok((rows.into_iter().map(|t| (t.member_id, t.points)).collect(), total))
}

/// The member's position under the leaderboard's order, if they have points.
pub async fn rank<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    member_id: i64,
) -> CoreResult<Option<u64>> {
    let mine = balance(conn, member_id).await?;
    if mine <= 0 {
        return Ok(None);
    }
    let grouped = || {
        ledger::Entity::find()
            .select_only()
            .column(ledger::Column::MemberId)
            .filter(ledger::Column::CommunityId.eq(community_id))
            .group_by(ledger::Column::MemberId)
    };
    let above = grouped()
        .having(Expr::expr(points_sum()).gt(mine))
        .count(conn)
        .await?;
    let tied_before = grouped()
        .filter(ledger::Column::MemberId.lt(member_id))
        .having(Expr::expr(points_sum()).eq(mine))
        .count(conn)
        .await?;
    Ok(Some(above + tied_before + 1))
}
