//! Posting, editing and removing lessons, inside the transaction
//! `Core::run` opened. Reading them is in `reading`.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TryIntoModel,
};

use super::execute::Call;
use crate::command::LessonDraft;
use crate::config::{Course, OfferKind};
use crate::domain::{Key, LocalizedText};
use crate::entity::{lesson, offer};
use crate::error::{CoreResult, UserError};
use crate::lessons::cards;
use crate::lessons::draft::{self, Opens};
use crate::lessons::store::readable;
use crate::reply::Reply;
use crate::store::access::unknown_tier;

/// What an active model holds, set or unchanged.
fn current<T: Clone + Into<sea_orm::Value>>(v: &sea_orm::ActiveValue<T>) -> Option<T> {
    match v {
        sea_orm::ActiveValue::Set(t) | sea_orm::ActiveValue::Unchanged(t) => Some(t.clone()),
        sea_orm::ActiveValue::NotSet => None,
    }
}

const LESSON_OFFER: &str = "lesson-";

/// The offer that sells lesson `key` on its own.
pub fn lesson_offer_key(key: &str) -> String {
    format!("{LESSON_OFFER}{key}")
}

/// The lesson an offer key sells, if it is a lesson's offer.
pub fn lesson_of_offer(offer: &str) -> Option<&str> {
    offer.strip_prefix(LESSON_OFFER)
}

/// What an edit does to one way of selling a lesson.
enum Sale<T> {
    /// Not mentioned: stays as it was.
    Keep,
    /// `none`: no longer sold this way.
    Stop,
    At(T),
}

impl Call<'_> {
    fn currency(&self) -> String {
        let c = &self.ctx.config;
        c.billing
            .currency
            .clone()
            .or_else(|| c.offers.first().map(|o| o.price.currency_code()))
            .unwrap_or_else(|| "USD".to_owned())
    }

    pub(super) fn course(&self, key: &Key) -> CoreResult<&Course> {
        let courses = &self.ctx.config.courses;
        Ok(courses
            .iter()
            .find(|c| &c.key == key)
            .ok_or_else(|| UserError::UnknownCourse {
                key: key.to_string(),
                available: courses
                    .iter()
                    .map(|c| c.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?)
    }

    pub(super) fn course_name(&self, key: Option<&str>) -> Option<String> {
        let c = &self.ctx.config;
        let course = c.courses.iter().find(|x| Some(x.key.as_str()) == key)?;
        Some(course.name.get(self.locale, c.default_locale).to_owned())
    }

    /// Applies what a creator wrote to a lesson row (new or stored),
    /// refusing anything that does not read.
    async fn fill<C: ConnectionTrait>(
        &self,
        conn: &C,
        row: &mut lesson::ActiveModel,
        key: &str,
        d: LessonDraft,
    ) -> CoreResult<()> {
        let ctx = self.ctx;
        if let Some(title) = d.title {
            row.title = Set(title);
        }
        if let Some(body) = d.body {
            row.body = Set(body);
        }
        if let Some(teaser) = d.teaser {
            row.teaser = Set((!teaser.eq_ignore_ascii_case("none")).then_some(teaser));
        }
        if let Some(tier) = d.tier {
            let tier_id = if tier.as_str() == "none" {
                None
            } else {
                let tiers = crate::store::access::tiers_of(conn, ctx.id).await?;
                let t = tiers.iter().find(|t| t.key == tier.as_str());
                Some(t.ok_or_else(|| unknown_tier(&tier, &tiers))?.id)
            };
            row.tier_id = Set(tier_id);
        }
        if let Some(points) = d.points {
            row.points_cost = Set(points);
        }
        if let Some(opens) = d.opens {
            let (days, at) = match draft::opens(&opens, ctx.config.time_zone, self.now)? {
                Some(Opens::AfterJoining(days)) => (Some(days), None),
                Some(Opens::At(at)) => (None, Some(at)),
                None => (None, None),
            };
            row.drip_days = Set(days);
            row.opens_at = Set(at);
        }
        if let Some(course) = d.course {
            let course_key = if course.as_str() == "none" {
                None
            } else {
                Some(self.course(&course)?.key.to_string())
            };
            if row.course_key.as_ref() != &course_key {
                let last: Option<i32> = match &course_key {
                    Some(k) => lesson::Entity::find()
                        .select_only()
                        .column_as(lesson::Column::Position.max(), "last")
                        .filter(lesson::Column::CommunityId.eq(ctx.id))
                        .filter(lesson::Column::CourseKey.eq(k.as_str()))
                        .filter(lesson::Column::RemovedAt.is_null())
                        .into_tuple()
                        .one(conn)
                        .await?
                        .flatten(),
                    None => None,
                };
                let last = last.unwrap_or(0);
                row.position = Set(last + 1);
                row.course_key = Set(course_key);
            }
        }
        if let Some(link) = d.attachment {
            let links: Vec<String> = if link.eq_ignore_ascii_case("none") {
                Vec::new()
            } else {
                vec![draft::attachment(&link)?]
            };
            row.attachments = Set(serde_json::to_string(&links).unwrap_or_else(|_| "[]".into()));
        }
        if d.price.is_some() || d.stars.is_some() {
            let money = match d.price {
                Some(price) => draft::price(&price, &self.currency())?.map_or(Sale::Stop, Sale::At),
                None => Sale::Keep,
            };
            let stars = match d.stars {
                Some(n) => i32::try_from(n)
                    .ok()
                    .filter(|n| *n > 0)
                    .map_or(Sale::Stop, Sale::At),
                None => Sale::Keep,
            };
            self.sell(conn, row, key, money, stars).await?;
        }
        Ok(())
    }

    /// Sets what the lesson sells for on its own, in money and in Stars.
    /// The sale goes through an offer of kind lesson, kept inactive (buyers
    /// still own it) once nothing sells it.
    async fn sell<C: ConnectionTrait>(
        &self,
        conn: &C,
        row: &mut lesson::ActiveModel,
        key: &str,
        money: Sale<crate::domain::Money>,
        stars: Sale<i32>,
    ) -> CoreResult<()> {
        let ctx = self.ctx;
        let title: String = current(&row.title).unwrap_or_else(|| key.to_owned());
        let stars = match stars {
            Sale::Keep => current(&row.stars).flatten(),
            Sale::Stop => None,
            Sale::At(n) => Some(n),
        };
        let offer_key = lesson_offer_key(key);
        let existing = offer::Entity::find()
            .filter(offer::Column::CommunityId.eq(ctx.id))
            .filter(offer::Column::Key.eq(&offer_key))
            .one(conn)
            .await?;
        if existing.as_ref().is_some_and(|o| o.kind != OfferKind::Lesson)
            || ctx.config.offers.iter().any(|o| o.key.as_str() == offer_key)
        {
            return Err(UserError::LessonExists { key: key.to_owned() }.into());
        }
        let amount = match money {
            Sale::At(m) => m.amount_minor(),
            Sale::Stop => 0,
            Sale::Keep => existing.as_ref().map_or(0, |o| o.amount_minor),
        };
        let mut o: offer::ActiveModel = match existing {
            Some(o) => o.into(),
            None => offer::ActiveModel {
                community_id: Set(ctx.id),
                key: Set(offer_key),
                kind: Set(OfferKind::Lesson),
                tier_id: Set(None),
                stripe_price: Set(None),
                perks: Set("[]".to_owned()),
                ..Default::default()
            },
        };
        o.name = Set(LocalizedText::Plain(title).to_json());
        o.amount_minor = Set(amount);
        o.currency = Set(self.currency());
        o.active = Set(amount > 0 || stars.is_some());
        let saved = o.save(conn).await?.try_into_model()?;
        row.offer_id = Set(Some(saved.id));
        row.stars = Set(stars);
        Ok(())
    }

    pub(super) async fn lesson_post<C: ConnectionTrait>(
        &self,
        conn: &C,
        key: Key,
        d: LessonDraft,
    ) -> CoreResult<Reply> {
        if crate::lessons::store::find(conn, self.ctx.id, key.as_str())
            .await?
            .is_some()
        {
            return Err(UserError::LessonExists { key: key.to_string() }.into());
        }
        let mut row = lesson::ActiveModel {
            community_id: Set(self.ctx.id),
            key: Set(key.to_string()),
            teaser: Set(None),
            attachments: Set("[]".to_owned()),
            tier_id: Set(None),
            offer_id: Set(None),
            points_cost: Set(0),
            stars: Set(None),
            drip_days: Set(None),
            opens_at: Set(None),
            course_key: Set(None),
            position: Set(0),
            author: Set(self.invoker.identity.to_string()),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            removed_at: Set(None),
            ..Default::default()
        };
        self.fill(conn, &mut row, key.as_str(), d).await?;
        let saved = row.insert(conn).await?;
        let channels = cards::queue(conn, self.ctx, &saved, cards::Change::Post, self.now).await?;
        Ok(Reply::LessonSaved {
            key: saved.key,
            title: saved.title,
            edited: false,
            channels,
        })
    }

    pub(super) async fn lesson_edit<C: ConnectionTrait>(
        &self,
        conn: &C,
        key: Key,
        d: LessonDraft,
    ) -> CoreResult<Reply> {
        if d == LessonDraft::default() {
            return Err(UserError::NothingToEdit.into());
        }
        let stored = readable(conn, self.ctx.id, key.as_str()).await?;
        let title_changed = d.title.is_some();
        let mut row: lesson::ActiveModel = stored.clone().into();
        self.fill(conn, &mut row, key.as_str(), d).await?;
        row.updated_at = Set(self.now);
        let saved = row.update(conn).await?;
        // The offer carries the lesson's name to checkout pages.
        if title_changed && let Some(id) = saved.offer_id {
            offer::Entity::update_many()
                .col_expr(
                    offer::Column::Name,
                    Expr::value(LocalizedText::Plain(saved.title.clone()).to_json()),
                )
                .filter(offer::Column::Id.eq(id))
                .exec(conn)
                .await?;
        }
        let channels = cards::queue(conn, self.ctx, &saved, cards::Change::Edit, self.now).await?;
        Ok(Reply::LessonSaved {
            key: saved.key,
            title: saved.title,
            edited: true,
            channels,
        })
    }

    pub(super) async fn lesson_remove<C: ConnectionTrait>(&self, conn: &C, key: Key) -> CoreResult<Reply> {
        let stored = readable(conn, self.ctx.id, key.as_str()).await?;
        lesson::Entity::update_many()
            .col_expr(lesson::Column::RemovedAt, Expr::value(self.now))
            .filter(lesson::Column::Id.eq(stored.id))
            .exec(conn)
            .await?;
        if let Some(id) = stored.offer_id {
            offer::Entity::update_many()
                .col_expr(offer::Column::Active, Expr::value(false))
                .filter(offer::Column::Id.eq(id))
                .exec(conn)
                .await?;
        }
        cards::queue(conn, self.ctx, &stored, cards::Change::Remove, self.now).await?;
        Ok(Reply::LessonRemoved { title: stored.title })
    }
}
