//! Daily check-ins (打卡): once per local day, a streak that survives up to
//! `grace_days` missed days, points that grow with the streak, and streak
//! and check-in badges.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::config::{BadgeRule, Points};
use crate::domain::Key;
use crate::engage::rules::settle::{award_badges, crossed, settle, tell};
use crate::entity::kinds::LedgerSource;
use crate::entity::{checkin, member, score};
use crate::error::{CoreResult, UserError};
use crate::periods::Keys;
use crate::store::scores::{Posting, fresh_row, post, score_of};
use crate::store::sync::CommunityCtx;

/// The streak after checking in on `day`, given the last check-in day.
pub fn next_streak(last_day: i32, streak: i32, day: i32, grace_days: u32) -> i32 {
    let gap = day - last_day;
    let grace = i32::try_from(grace_days).unwrap_or(0);
    if last_day > 0 && gap >= 1 && gap <= 1 + grace {
        streak.saturating_add(1)
    } else {
        1
    }
}

/// Points for a check-in that makes a streak of `streak` days.
pub fn points_for(p: &Points, streak: i32) -> i64 {
    let bonus = p
        .streak_bonus
        .saturating_mul(i64::from(streak.max(1) - 1))
        .min(p.streak_bonus_max);
    p.checkin_points + bonus
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedIn {
    pub points: i64,
    pub streak: i32,
    pub best: i32,
    pub balance: i64,
    pub badges: Vec<Key>,
    pub row: score::Model,
}

pub async fn check_in<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    now: i64,
) -> CoreResult<CheckedIn> {
    let c = &ctx.config;
    let keys = Keys::of(c, now);
    let row = checkin::ActiveModel {
        member_id: Set(m.id),
        day: Set(keys.day),
        at: Set(now),
        ..Default::default()
    };
    let inserted = checkin::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([checkin::Column::MemberId, checkin::Column::Day])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    let before = score_of(conn, m.id).await?;
    if inserted != 1 {
        return Err(UserError::AlreadyCheckedIn {
            streak: before.map_or(0, |s| s.streak),
        }
        .into());
    }
    let (last, streak_before) = before.as_ref().map_or((0, 0), |s| (s.last_checkin, s.streak));
    let streak = next_streak(last, streak_before, keys.day, c.points.streak_grace_days);
    let points = points_for(&c.points, streak);
    if points > 0 {
        let posting = Posting {
            member_id: m.id,
            delta: points,
            source: LedgerSource::Checkin,
            reason: format!("check-in, day {streak} of the streak"),
            actor: None,
            at: now,
        };
        let moved = post(conn, ctx.id, &keys, &[posting]).await?;
        settle(conn, ctx, moved, now, true).await?;
    } else if before.is_none() {
        let fresh = score::ActiveModel::from(fresh_row(m.id, ctx.id, &keys));
        score::Entity::insert(fresh).exec_without_returning(conn).await?;
    }
    crate::store::scores::touched(ctx.id, m.id);
    let best = streak.max(before.as_ref().map_or(0, |s| s.best_streak));
    score::Entity::update_many()
        .col_expr(score::Column::Streak, Expr::value(streak))
        .col_expr(score::Column::BestStreak, Expr::value(best))
        .col_expr(score::Column::LastCheckin, Expr::value(keys.day))
        .col_expr(score::Column::Checkins, plus_one(score::Column::Checkins))
        .col_expr(score::Column::Version, plus_one(score::Column::Version))
        .filter(score::Column::MemberId.eq(m.id))
        .exec(conn)
        .await?;
    let row = score_of(conn, m.id)
        .await?
        .ok_or_else(|| crate::error::CoreError::Corrupt(format!("no score row for member {}", m.id)))?;
    let reached = crossed(c, |rule| match rule {
        BadgeRule::Streak(n) => i64::from(n) <= i64::from(streak),
        BadgeRule::Checkins(n) => i64::from(n) <= i64::from(row.checkins),
        _ => false,
    });
    let badges = award_badges(conn, m.id, &reached, now).await?;
    tell(conn, ctx, m, None, &badges, Vec::new(), now).await?;
    Ok(CheckedIn {
        points,
        streak,
        best,
        balance: row.balance,
        badges,
        row,
    })
}

fn plus_one(col: score::Column) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::ExprTrait;
    Expr::col(col).add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaks_continue_within_grace_and_restart_after() {
        assert_eq!(next_streak(0, 0, 100, 0), 1, "first ever");
        assert_eq!(next_streak(99, 4, 100, 0), 5, "yesterday");
        assert_eq!(next_streak(98, 4, 100, 0), 1, "a missed day breaks it");
        assert_eq!(next_streak(98, 4, 100, 1), 5, "one day of grace");
        assert_eq!(next_streak(97, 4, 100, 1), 1, "two missed days exceed it");
        assert_eq!(next_streak(100, 4, 100, 3), 1, "same day never extends");
    }

    #[test]
    fn bonus_grows_with_the_streak_up_to_its_cap() {
        let mut p = crate::periods::tests::community("UTC").points;
        p.checkin_points = 10;
        p.streak_bonus = 2;
        p.streak_bonus_max = 6;
        assert_eq!(points_for(&p, 1), 10);
        assert_eq!(points_for(&p, 3), 14);
        assert_eq!(points_for(&p, 30), 16);
    }
}
