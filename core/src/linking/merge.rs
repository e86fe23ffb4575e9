//! When `/link` joins two people, everything that names the one merged away
//! moves to the one kept. Every table that holds a member or a person is
//! handled here, so a new such table has one place to be added.
//!
//! Most rows simply change hands; where both had a row for the same thing
//! (a day checked in, a badge, a lesson, a trial) the winner's stands, and
//! scores and activity counts add up.

use std::collections::BTreeSet;

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter, Set};

use crate::entity::kinds::GrantSource;
use crate::entity::{
    activity_day, activity_limit, badge, billing_customer, checkin, completion, entitlement, history,
    identity, ledger, lesson_unlock, link_code, member, payment_event, perk_grant, person, purchase,
    question, redemption, referral, referral_code, reminder, revenue, score, subscription, trial,
};
use crate::error::{CoreError, CoreResult};
use crate::store::access::tier_by_id;
use crate::store::membership::entitlement_of;

/// Points every `column` that names `loser` at `winner`.
async fn reassign<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    column: E::Column,
    winner: i64,
    loser: i64,
) -> CoreResult<()> {
    E::update_many()
        .col_expr(column, Expr::value(winner))
        .filter(column.eq(loser))
        .exec(conn)
        .await?;
    Ok(())
}

/// Like [`reassign`], for a table with one row per owner and `key`: the
/// loser's rows for keys the winner already has are dropped first.
async fn reassign_once<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    owner: E::Column,
    key: E::Column,
    winner: i64,
    loser: i64,
) -> CoreResult<()> {
    let winners_keys = Query::select()
        .column(key)
        .from(E::default())
        .and_where(owner.eq(winner))
        .to_owned();
    E::delete_many()
        .filter(owner.eq(loser))
        .filter(key.in_subquery(winners_keys))
        .exec(conn)
        .await?;
    reassign::<E, C>(conn, owner, winner, loser).await
}

async fn drop_all<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    column: E::Column,
    id: i64,
) -> CoreResult<()> {
    E::delete_many().filter(column.eq(id)).exec(conn).await?;
    Ok(())
}

/// Folds the loser member into the winner member of the same community.
pub(super) async fn members<C: ConnectionTrait>(
    conn: &C,
    winner: &member::Model,
    loser: member::Model,
    now: i64,
) -> CoreResult<()> {
    let (w, l) = (winner.id, loser.id);
    reassign::<ledger::Entity, _>(conn, ledger::Column::MemberId, w, l).await?;
    reassign::<history::Entity, _>(conn, history::Column::MemberId, w, l).await?;
    reassign::<question::Entity, _>(conn, question::Column::MemberId, w, l).await?;
    payment_records(conn, w, l).await?;
    engagement(conn, winner.community_id, w, l).await?;
    reassign_once::<badge::Entity, _>(conn, badge::Column::MemberId, badge::Column::BadgeKey, w, l).await?;
    entitlements(conn, winner, loser, now).await
}

/// Moves a person merged away: their identities, and trials where the
/// winner had none in that community.
pub(super) async fn people<C: ConnectionTrait>(conn: &C, winner: i64, loser: i64) -> CoreResult<()> {
    reassign::<identity::Entity, _>(conn, identity::Column::PersonId, winner, loser).await?;
    drop_all::<link_code::Entity, _>(conn, link_code::Column::PersonId, loser).await?;
    reassign_once::<trial::Entity, _>(
        conn,
        trial::Column::PersonId,
        trial::Column::CommunityId,
        winner,
        loser,
    )
    .await?;
    person::Entity::delete_by_id(loser).exec(conn).await?;
    Ok(())
}

/// Orders entitlements: access first, then the higher tier, then the later end.
async fn standing<C: ConnectionTrait>(
    conn: &C,
    e: &entitlement::Model,
    now: i64,
) -> CoreResult<(bool, i32, i64)> {
    let status = e.status;
    let rank = tier_by_id(conn, e.tier_id).await?.map_or(-1, |t| t.rank);
    Ok((
        status.has_access(e.access_until, now),
        rank,
        e.access_until.unwrap_or(i64::MAX),
    ))
}

/// The better of the two entitlements stays, on the winner's row.
async fn entitlements<C: ConnectionTrait>(
    conn: &C,
    winner: &member::Model,
    loser: member::Model,
    now: i64,
) -> CoreResult<()> {
    let (Some(w), Some(l)) = (
        entitlement_of(conn, winner.id).await?,
        entitlement_of(conn, loser.id).await?,
    ) else {
        return Err(CoreError::Corrupt("member without entitlement row".into()));
    };
    if standing(conn, &l, now).await? > standing(conn, &w, now).await? {
        let mut a: entitlement::ActiveModel = w.into();
        a.tier_id = Set(l.tier_id);
        a.status = Set(l.status);
        a.access_until = Set(l.access_until);
        a.updated_at = Set(now);
        a.update(conn).await?;
    }
    l.delete(conn).await?;
    loser.delete(conn).await?;
    Ok(())
}

/// Customers, subscriptions, purchases, revenue and the payment events
/// applied to them follow the member; the
/// loser's reminders and referral code go, and referrals keep one referrer.
async fn payment_records<C: ConnectionTrait>(conn: &C, w: i64, l: i64) -> CoreResult<()> {
    reassign::<billing_customer::Entity, _>(conn, billing_customer::Column::MemberId, w, l).await?;
    reassign::<subscription::Entity, _>(conn, subscription::Column::MemberId, w, l).await?;
    reassign::<purchase::Entity, _>(conn, purchase::Column::MemberId, w, l).await?;
    reassign::<revenue::Entity, _>(conn, revenue::Column::MemberId, w, l).await?;
    reassign::<payment_event::Entity, _>(conn, payment_event::Column::MemberId, w, l).await?;
    drop_all::<reminder::Entity, _>(conn, reminder::Column::MemberId, l).await?;
    drop_all::<referral_code::Entity, _>(conn, referral_code::Column::MemberId, l).await?;
    // A referral of the loser survives only if the winner has none.
    let winner_referred = referral::Entity::find()
        .filter(referral::Column::ReferredId.eq(w))
        .one(conn)
        .await?
        .is_some();
    if winner_referred {
        drop_all::<referral::Entity, _>(conn, referral::Column::ReferredId, l).await?;
    } else {
        reassign::<referral::Entity, _>(conn, referral::Column::ReferredId, w, l).await?;
    }
    reassign::<referral::Entity, _>(conn, referral::Column::ReferrerId, w, l).await?;
    // Linking a person to themselves must not leave a self-referral behind.
    referral::Entity::delete_many()
        .filter(referral::Column::ReferrerId.eq(w))
        .filter(referral::Column::ReferredId.eq(w))
        .exec(conn)
        .await?;
    Ok(())
}

/// Scores add up, check-ins and activity move (a day both checked in on
/// counts once), granted perks, redemptions, completed and unlocked lessons
/// move.
async fn engagement<C: ConnectionTrait>(conn: &C, community_id: i64, w: i64, l: i64) -> CoreResult<()> {
    crate::store::scores::touched(community_id, w);
    crate::store::scores::touched(community_id, l);
    // The winner's cooldowns and caps carry on; the loser's are dropped
    // rather than added, which errs toward paying less.
    drop_all::<activity_limit::Entity, _>(conn, activity_limit::Column::MemberId, l).await?;
    reassign_once::<checkin::Entity, _>(conn, checkin::Column::MemberId, checkin::Column::Day, w, l).await?;
    let checkins = i32::try_from(days(conn, w).await?.len()).unwrap_or(i32::MAX);
    scores(conn, w, l, checkins).await?;
    activity_days(conn, w, l).await?;
    perk_grants(conn, w, l).await?;
    reassign::<redemption::Entity, _>(conn, redemption::Column::MemberId, w, l).await?;
    reassign_once::<completion::Entity, _>(
        conn,
        completion::Column::MemberId,
        completion::Column::LessonId,
        w,
        l,
    )
    .await?;
    reassign_once::<lesson_unlock::Entity, _>(
        conn,
        lesson_unlock::Column::MemberId,
        lesson_unlock::Column::LessonId,
        w,
        l,
    )
    .await
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

/// A day both were active on adds up into the winner's row.
async fn activity_days<C: ConnectionTrait>(conn: &C, winner: i64, loser: i64) -> CoreResult<()> {
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
    Ok(())
}

/// A perk both were granted from the same source is kept once.
async fn perk_grants<C: ConnectionTrait>(conn: &C, winner: i64, loser: i64) -> CoreResult<()> {
    let held: Vec<(String, GrantSource)> = perk_grant::Entity::find()
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
        if held.contains(&(g.perk.clone(), g.source)) {
            perk_grant::Entity::delete_by_id(g.id).exec(conn).await?;
        } else {
            let mut a: perk_grant::ActiveModel = g.into();
            a.member_id = Set(winner);
            a.update(conn).await?;
        }
    }
    Ok(())
}

async fn scores<C: ConnectionTrait>(conn: &C, winner: i64, loser: i64, checkins: i32) -> CoreResult<()> {
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
