//! What the dashboard's pages read beyond the figures: one member with the
//! why of their points, the revenue ledger, a leaderboard, lesson numbers.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Core;
use super::lessons::lesson_of_offer;
use crate::domain::IdentityRef;
use crate::entity::kinds::RevenueKind;
use crate::entity::{completion, ledger, lesson, lesson_unlock, member, revenue};
use crate::error::CoreResult;
use crate::periods::Board;
use crate::reply::{LeaderEntry, MemberView};
use crate::store::people::{display_name, identities_of, identity_string};
use crate::store::sync::CommunityCtx;
use crate::store::view::member_view;

/// One lesson's reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonStats {
    pub key: String,
    pub title: String,
    pub views: i64,
    /// Unlocked with points.
    pub unlocks: u64,
    /// Bought, less refunds.
    pub sales: i64,
    pub completions: u64,
}

#[derive(sea_orm::FromQueryResult)]
struct PerLesson {
    lesson_id: i64,
    n: i64,
}

/// How many rows of `E` each of lessons `ids` has, in one grouped query.
async fn per_lesson<E, C>(conn: &C, lesson: E::Column, ids: &[i64]) -> CoreResult<HashMap<i64, u64>>
where
    E: EntityTrait,
    C: sea_orm::ConnectionTrait,
{
    let rows = E::find()
        .select_only()
        .column_as(lesson, "lesson_id")
        .column_as(Expr::from(Func::count(Expr::col(lesson))), "n")
        .filter(lesson.is_in(ids.iter().copied()))
        .group_by(lesson)
        .into_model::<PerLesson>()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.lesson_id, u64::try_from(r.n).unwrap_or(0)))
        .collect())
}

impl Core {
    async fn member_in(&self, ctx: &CommunityCtx, member_id: i64) -> CoreResult<Option<member::Model>> {
        Ok(member::Entity::find_by_id(member_id)
            .filter(member::Column::CommunityId.eq(ctx.id))
            .one(self.db())
            .await?)
    }

    /// A member of `slug` by id, with their newest points entries.
    pub async fn member_detail(
        &self,
        slug: &str,
        member_id: i64,
        entries: u64,
    ) -> CoreResult<Option<(MemberView, Vec<ledger::Model>)>> {
        let ctx = self.ctx_for(slug)?;
        let Some(m) = self.member_in(ctx, member_id).await? else {
            return Ok(None);
        };
        self.flush_activity().await;
        let view = member_view(self.db(), ctx, &m, ctx.config.default_locale, self.now()).await?;
        let points = ledger::Entity::find()
            .filter(ledger::Column::CommunityId.eq(m.community_id))
            .filter(ledger::Column::MemberId.eq(m.id))
            .order_by_desc(ledger::Column::Id)
            .limit(entries)
            .all(self.db())
            .await?;
        Ok(Some((view, points)))
    }

    /// The person behind member `member_id` of `slug`: their data, and an
    /// identity to act on them by, if the member exists and is not erased.
    pub async fn member_person(
        &self,
        slug: &str,
        member_id: i64,
    ) -> CoreResult<Option<(serde_json::Value, Option<IdentityRef>)>> {
        let ctx = self.ctx_for(slug)?;
        let Some(m) = self.member_in(ctx, member_id).await? else {
            return Ok(None);
        };
        let who = identities_of(self.db(), m.person_id)
            .await?
            .first()
            .and_then(|i| identity_string(i).parse().ok());
        Ok(Some((self.person_data(m.person_id).await?, who)))
    }

    /// The newest revenue ledger rows of `slug`.
    pub async fn revenue_rows(&self, slug: &str, limit: u64) -> CoreResult<Vec<revenue::Model>> {
        let ctx = self.ctx_for(slug)?;
        Ok(revenue::Entity::find()
            .filter(revenue::Column::CommunityId.eq(ctx.id))
            .order_by_desc(revenue::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// The top `n` of one board, with display names.
    pub async fn leaders(&self, slug: &str, board: Board, n: usize) -> CoreResult<Vec<LeaderEntry>> {
        let ctx = self.ctx_for(slug)?;
        let (rows, _) = self.engagement().page(ctx, board, 0, n);
        let mut out = Vec::with_capacity(rows.len());
        for (i, (member_id, points)) in rows.into_iter().enumerate() {
            let name = match member::Entity::find_by_id(member_id).one(self.db()).await? {
                Some(m) => display_name(&identities_of(self.db(), m.person_id).await?),
                None => "?".to_owned(),
            };
            out.push(LeaderEntry {
                rank: i as u64 + 1,
                name,
                points,
            });
        }
        Ok(out)
    }

    /// Every lesson of `slug` not removed, in posting order.
    pub async fn lesson_stats(&self, slug: &str) -> CoreResult<Vec<LessonStats>> {
        let ctx = self.ctx_for(slug)?;
        let lessons = lesson::Entity::find()
            .filter(lesson::Column::CommunityId.eq(ctx.id))
            .filter(lesson::Column::RemovedAt.is_null())
            .order_by_asc(lesson::Column::Id)
            .all(self.db())
            .await?;
        let mut sales: HashMap<String, i64> = HashMap::new();
        let sold = revenue::Entity::find()
            .filter(revenue::Column::CommunityId.eq(ctx.id))
            .filter(revenue::Column::Kind.is_in([RevenueKind::Payment, RevenueKind::Refund]))
            .filter(revenue::Column::OfferKey.is_not_null())
            .all(self.db())
            .await?;
        for r in sold {
            if let Some(key) = r.offer_key.as_deref().and_then(lesson_of_offer) {
                *sales.entry(key.to_owned()).or_default() +=
                    if r.kind == RevenueKind::Payment { 1 } else { -1 };
            }
        }
        let ids: Vec<i64> = lessons.iter().map(|l| l.id).collect();
        let unlocks =
            per_lesson::<lesson_unlock::Entity, _>(self.db(), lesson_unlock::Column::LessonId, &ids).await?;
        let completions =
            per_lesson::<completion::Entity, _>(self.db(), completion::Column::LessonId, &ids).await?;
        Ok(lessons
            .into_iter()
            .map(|l| LessonStats {
                sales: sales.get(&l.key).copied().unwrap_or(0),
                unlocks: unlocks.get(&l.id).copied().unwrap_or(0),
                completions: completions.get(&l.id).copied().unwrap_or(0),
                key: l.key,
                title: l.title,
                views: l.views,
            })
            .collect())
    }
}
