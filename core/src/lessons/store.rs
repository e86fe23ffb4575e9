//! Reading lessons and what a member holds that opens them.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::access::{Gate, Holder};
use crate::domain::EntitlementStatus;
use crate::entity::{completion, lesson, lesson_unlock, member, offer, tier};
use crate::error::{CoreResult, UserError};
use crate::store::membership::entitlement_of;
use crate::store::sync::CommunityCtx;

pub async fn find<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    key: &str,
) -> CoreResult<Option<lesson::Model>> {
    Ok(lesson::Entity::find()
        .filter(lesson::Column::CommunityId.eq(community_id))
        .filter(lesson::Column::Key.eq(key))
        .one(conn)
        .await?)
}

/// Lessons not removed, course by course in course order, then the rest
/// in the order they were posted.
pub async fn live<C: ConnectionTrait>(conn: &C, community_id: i64) -> CoreResult<Vec<lesson::Model>> {
    Ok(lesson::Entity::find()
        .filter(lesson::Column::CommunityId.eq(community_id))
        .filter(lesson::Column::RemovedAt.is_null())
        .order_by_asc(lesson::Column::CourseKey)
        .order_by_asc(lesson::Column::Position)
        .order_by_asc(lesson::Column::Id)
        .all(conn)
        .await?)
}

/// The live lesson with `key`, or a refusal that names the lessons there are
/// (or says it was removed).
pub async fn readable<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    key: &str,
) -> CoreResult<lesson::Model> {
    match find(conn, community_id, key).await? {
        Some(l) if l.removed_at.is_none() => Ok(l),
        Some(l) => Err(UserError::LessonRemoved { title: l.title }.into()),
        None => {
            let keys: Vec<String> = live(conn, community_id)
                .await?
                .into_iter()
                .map(|l| l.key)
                .collect();
            Err(UserError::UnknownLesson {
                key: key.to_owned(),
                available: keys.join(", "),
            }
            .into())
        }
    }
}

/// What the gates of a community's lessons refer to: its tiers and offers.
pub struct Shelf {
    pub tiers: Vec<tier::Model>,
    pub offers: Vec<offer::Model>,
}

impl Shelf {
    pub async fn of<C: ConnectionTrait>(conn: &C, community_id: i64) -> CoreResult<Shelf> {
        Ok(Shelf {
            tiers: tier::Entity::find()
                .filter(tier::Column::CommunityId.eq(community_id))
                .all(conn)
                .await?,
            offers: offer::Entity::find()
                .filter(offer::Column::CommunityId.eq(community_id))
                .all(conn)
                .await?,
        })
    }

    fn rank_of_key(&self, key: &str) -> Option<i32> {
        self.tiers.iter().find(|t| t.key == key).map(|t| t.rank)
    }

    pub fn offer(&self, id: Option<i64>) -> Option<&offer::Model> {
        id.and_then(|id| self.offers.iter().find(|o| o.id == id))
    }

    pub fn offer_by_key(&self, key: &str) -> Option<&offer::Model> {
        self.offers.iter().find(|o| o.key == key)
    }

    pub fn tier(&self, id: Option<i64>) -> Option<&tier::Model> {
        id.and_then(|id| self.tiers.iter().find(|t| t.id == id))
    }

    /// What the lesson sells for on its own, as people read it (money,
    /// Telegram Stars, or both), if it is for sale.
    pub fn sale_price(&self, l: &lesson::Model) -> Option<String> {
        let o = self.offer(l.offer_id).filter(|o| o.active)?;
        let money =
            (o.amount_minor > 0).then(|| crate::domain::money::price_text(o.amount_minor, &o.currency));
        let stars = l.stars.map(|n| format!("{n} ⭐"));
        let parts: Vec<String> = money.into_iter().chain(stars).collect();
        (!parts.is_empty()).then(|| parts.join(" / "))
    }

    pub fn gate(&self, ctx: &CommunityCtx, l: &lesson::Model) -> Gate {
        let course = l
            .course_key
            .as_deref()
            .and_then(|k| ctx.config.courses.iter().find(|c| c.key.as_str() == k));
        Gate {
            tier_rank: self.tier(l.tier_id).map(|t| t.rank),
            offer: self.offer(l.offer_id).map(|o| o.key.clone()),
            for_sale: self.offer(l.offer_id).is_some_and(|o| o.active),
            points: l.points_cost,
            drip_days: l.drip_days,
            opens_at: l.opens_at,
            course_tier_rank: course
                .and_then(|c| c.tier.as_ref())
                .and_then(|k| self.rank_of_key(k.as_str())),
            course_offer: course.and_then(|c| c.offer.as_ref()).map(ToString::to_string),
        }
    }
}

/// What `m` holds now that opens lessons.
pub async fn holder<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    staff: bool,
    now: i64,
) -> CoreResult<Holder> {
    let tier_rank = match entitlement_of(conn, m.id).await? {
        Some(e) => {
            let status = e.status;
            // A member in grace with a reduced perk set keeps only that set,
            // so tier lessons wait for the payment like tier perks do.
            let reduced = status == EntitlementStatus::PastDue && ctx.config.billing.grace_perks.is_some();
            if status.has_access(e.access_until, now) && !reduced {
                crate::store::access::tier_by_id(conn, e.tier_id)
                    .await?
                    .map(|t| t.rank)
            } else {
                None
            }
        }
        None => None,
    };
    let offers = crate::purchases::owned_offers(conn, m)
        .await?
        .into_iter()
        .map(|o| o.key)
        .collect();
    let unlocked = lesson_unlock::Entity::find()
        .filter(lesson_unlock::Column::MemberId.eq(m.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| u.lesson_id)
        .collect();
    Ok(Holder {
        tier_rank,
        offers,
        unlocked,
        joined_at: m.joined_at,
        staff,
    })
}

pub async fn completed<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<BTreeSet<i64>> {
    Ok(completion::Entity::find()
        .filter(completion::Column::MemberId.eq(member_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.lesson_id)
        .collect())
}

/// At most this many recent takers of each of a member's lessons inform
/// their recommendations, so `/next` stays quick in a large community.
const PEERS: u64 = 5_000;

/// Who took (completed or unlocked) which lesson, for rows `filter` picks
/// in both tables.
async fn taken<C: ConnectionTrait>(
    conn: &C,
    completions: sea_orm::Select<completion::Entity>,
    unlocks: sea_orm::Select<lesson_unlock::Entity>,
) -> CoreResult<Vec<(i64, i64)>> {
    let mut out: Vec<(i64, i64)> = completions
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.member_id, c.lesson_id))
        .collect();
    out.extend(
        unlocks
            .all(conn)
            .await?
            .into_iter()
            .map(|u| (u.member_id, u.lesson_id)),
    );
    Ok(out)
}

/// What recommendations for `member` need among `lessons` (a community's
/// live lessons): their history and their peers', and how many took each.
pub async fn signals<C: ConnectionTrait>(
    conn: &C,
    member: i64,
    lessons: &[i64],
) -> CoreResult<(super::recommend::History, super::recommend::Popularity)> {
    use sea_orm::{QueryOrder, QuerySelect};
    let mut history = super::recommend::History::new();
    let mine: BTreeSet<i64> = completed(conn, member)
        .await?
        .into_iter()
        .chain(
            lesson_unlock::Entity::find()
                .filter(lesson_unlock::Column::MemberId.eq(member))
                .all(conn)
                .await?
                .into_iter()
                .map(|u| u.lesson_id),
        )
        .collect();
    let mut peers: BTreeSet<i64> = BTreeSet::new();
    for l in &mine {
        let recent = taken(
            conn,
            completion::Entity::find()
                .filter(completion::Column::LessonId.eq(*l))
                .order_by_desc(completion::Column::Id)
                .limit(PEERS),
            lesson_unlock::Entity::find()
                .filter(lesson_unlock::Column::LessonId.eq(*l))
                .order_by_desc(lesson_unlock::Column::Id)
                .limit(PEERS),
        )
        .await?;
        peers.extend(recent.into_iter().map(|(m, _)| m));
    }
    peers.insert(member);
    let peers: Vec<i64> = peers.into_iter().collect();
    let rows = crate::store::chunked::rows_in(
        conn,
        completion::Entity::find(),
        completion::Column::MemberId,
        &peers,
    )
    .await?
    .into_iter()
    .map(|c| (c.member_id, c.lesson_id))
    .chain(
        crate::store::chunked::rows_in(
            conn,
            lesson_unlock::Entity::find(),
            lesson_unlock::Column::MemberId,
            &peers,
        )
        .await?
        .into_iter()
        .map(|u| (u.member_id, u.lesson_id)),
    );
    for (m, l) in rows.filter(|(_, l)| lessons.contains(l)) {
        history.entry(m).or_default().insert(l);
    }
    // Counted in the database: a large community has millions of rows. A
    // member who unlocked a lesson and completed it counts twice, which
    // weighs commitment a little more.
    let mut popularity = super::recommend::Popularity::new();
    let ids: Vec<i64> = lessons.to_vec();
    let completions: Vec<(i64, i64)> = completion::Entity::find()
        .select_only()
        .column(completion::Column::LessonId)
        .column_as(completion::Column::Id.count(), "n")
        .filter(completion::Column::LessonId.is_in(ids.clone()))
        .group_by(completion::Column::LessonId)
        .into_tuple()
        .all(conn)
        .await?;
    let unlocks: Vec<(i64, i64)> = lesson_unlock::Entity::find()
        .select_only()
        .column(lesson_unlock::Column::LessonId)
        .column_as(lesson_unlock::Column::Id.count(), "n")
        .filter(lesson_unlock::Column::LessonId.is_in(ids))
        .group_by(lesson_unlock::Column::LessonId)
        .into_tuple()
        .all(conn)
        .await?;
    for (l, n) in completions.into_iter().chain(unlocks) {
        *popularity.entry(l).or_default() += u32::try_from(n).unwrap_or(u32::MAX);
    }
    Ok((history, popularity))
}

/// Counts one more reading of lesson `id`.
pub async fn count_view<C: ConnectionTrait>(conn: &C, id: i64) -> CoreResult<()> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    lesson::Entity::update_many()
        .col_expr(lesson::Column::Views, Expr::col(lesson::Column::Views).add(1))
        .filter(lesson::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}
