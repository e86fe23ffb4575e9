//! When `/link` folds one member into another, their engagement follows:
//! scores add up, check-ins and activity move (a day both checked in on
//! counts once), granted perks, redemptions, completed and unlocked
//! lessons move.

use std::collections::BTreeSet;

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::{activity_day, activity_limit, checkin, perk_grant, redemption, score};
use crate::error::CoreResult;

pub async fn merge_members<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    winner: i64,
    loser: i64,
) -> CoreResult<()> {
    super::touched(community_id, winner);
    super::touched(community_id, loser);
    // The winner's cooldowns and caps carry on; the loser's are dropped
    // rather than added, which errs toward paying less.
    activity_limit::Entity::delete_many()
        .filter(activity_limit::Column::MemberId.eq(loser))
        .exec(conn)
        .await?;
    let kept: BTreeSet<i32> = days(conn, winner).await?;
    checkin::Entity::delete_many()
        .filter(checkin::Column::MemberId.eq(loser))
        .filter(checkin::Column::Day.is_in(kept))
        .exec(conn)
        .await?;
    checkin::Entity::update_many()
        .col_expr(checkin::Column::MemberId, Expr::value(winner))
        .filter(checkin::Column::MemberId.eq(loser))
        .exec(conn)
        .await?;
    let checkins = i32::try_from(days(conn, winner).await?.len()).unwrap_or(i32::MAX);
    merge_scores(conn, winner, loser, checkins).await?;

    for row in activity_day::Entity::find()
        .filter(activity_day::Column::MemberId.eq(loser))
        .all(conn)
        .await?
    {
        let same_day = activity_day::Entity::find()
            .filter(activity_day::Column::MemberId.eq(winner))
            .filter(activity_day::Column::Day.eq(row.day))
            .one(conn)
            .await?;
        match same_day {
            Some(w) => {
                let mut a: activity_day::ActiveModel = w.clone().into();
                a.messages = Set(w.messages + row.messages);
                a.reactions_given = Set(w.reactions_given + row.reactions_given);
                a.reactions_received = Set(w.reactions_received + row.reactions_received);
                a.update(conn).await?;
                activity_day::Entity::delete_by_id(row.id).exec(conn).await?;
            }
            None => {
                let mut a: activity_day::ActiveModel = row.into();
                a.member_id = Set(winner);
                a.update(conn).await?;
            }
        }
    }

    let held: Vec<(String, String)> = perk_grant::Entity::find()
        .filter(perk_grant::Column::MemberId.eq(winner))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| (g.perk, g.source))
        .collect();
    for g in perk_grant::Entity::find()
        .filter(perk_grant::Column::MemberId.eq(loser))
        .all(conn)
        .await?
    {
        if held.contains(&(g.perk.clone(), g.source.clone())) {
            perk_grant::Entity::delete_by_id(g.id).exec(conn).await?;
        } else {
            let mut a: perk_grant::ActiveModel = g.into();
            a.member_id = Set(winner);
            a.update(conn).await?;
        }
    }
    redemption::Entity::update_many()
        .col_expr(redemption::Column::MemberId, Expr::value(winner))
        .filter(redemption::Column::MemberId.eq(loser))
        .exec(conn)
        .await?;
    crate::lessons::store::merge_members(conn, winner, loser).await
}

async fn days<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<BTreeSet<i32>> {
    Ok(checkin::Entity::find()
        .filter(checkin::Column::MemberId.eq(member_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.day)
        .collect())
}

async fn merge_scores<C: ConnectionTrait>(
    conn: &C,
    winner: i64,
    loser: i64,
    checkins: i32,
) -> CoreResult<()> {
    let Some(l) = score::Entity::find_by_id(loser).one(conn).await? else {
        return Ok(());
    };
    score::Entity::delete_by_id(loser).exec(conn).await?;
    let Some(w) = score::Entity::find_by_id(winner).one(conn).await? else {
        let mut moved = l;
        moved.member_id = winner;
        score::Entity::insert(score::ActiveModel::from(moved))
            .exec_without_returning(conn)
            .await?;
        return Ok(());
    };
    // A period total only adds up when both rows are in the same period;
    // otherwise the more recent period's total stands.
    let period = |wk: i32, wp: i64, lk: i32, lp: i64| match wk.cmp(&lk) {
        std::cmp::Ordering::Equal => (wk, wp + lp),
        std::cmp::Ordering::Greater => (wk, wp),
        std::cmp::Ordering::Less => (lk, lp),
    };
    let (week_key, week_points) = period(w.week_key, w.week_points, l.week_key, l.week_points);
    let (last_week_key, last_week_points) = period(
        w.last_week_key,
        w.last_week_points,
        l.last_week_key,
        l.last_week_points,
    );
    let (month_key, month_points) = period(w.month_key, w.month_points, l.month_key, l.month_points);
    let (season_key, season_points) = period(w.season_key, w.season_points, l.season_key, l.season_points);
    let (streak, last_checkin) = if l.last_checkin > w.last_checkin {
        (l.streak, l.last_checkin)
    } else {
        (w.streak, w.last_checkin)
    };
    let merged = score::Model {
        member_id: winner,
        community_id: w.community_id,
        balance: w.balance.saturating_add(l.balance),
        earned: w.earned.saturating_add(l.earned),
        level: w.level.max(l.level),
        week_key,
        week_points,
        last_week_key,
        last_week_points,
        month_key,
        month_points,
        season_key,
        season_points,
        streak,
        best_streak: w.best_streak.max(l.best_streak),
        last_checkin,
        checkins,
        version: w.version.max(l.version) + 1,
        folded: w.folded.max(l.folded),
    };
    score::Entity::delete_by_id(winner).exec(conn).await?;
    score::Entity::insert(score::ActiveModel::from(merged))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
