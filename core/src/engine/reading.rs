//! Reading lessons, inside the transaction `Core::run` opened: unlocking
//! (by what one holds, points or a purchase), the lists of lessons and
//! courses, progress, and completion feeding points and badges.

use std::collections::BTreeSet;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::execute::{Call, price_view};
use crate::clock::iso;
use crate::command::UnlockWith;
use crate::config::BadgeRule;
use crate::domain::{Key, Locale};
use crate::engage::rules::settle::{award_badges, crossed, settle, tell};
use crate::engage::rules::{Decision, Event, SourceKind};
use crate::entity::kinds::LedgerSource;
use crate::entity::{completion, lesson, lesson_unlock, member, offer};
use crate::error::{CoreError, CoreResult, UserError};
use crate::lessons::access::{Holder, Standing, opens_for, standing};
use crate::lessons::recommend::recommend;
use crate::lessons::store::{Shelf, completed, count_view, holder, live, readable, signals};
use crate::periods::Keys;
use crate::reply::{CourseLine, LessonLine, LessonState, LessonView, Reply, UnlockWay};
use crate::store::scores::{Posting, balance, post};
use crate::store::sync::CommunityCtx;

/// How many lessons `/next` suggests.
const NEXT: usize = 5;

impl Call<'_> {
    /// The reader's membership, made on first contact, and what they hold.
    async fn reader<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<(member::Model, Holder)> {
        let (m, _) = self.invoker.membership(conn, self.ctx.id, self.now).await?;
        let h = holder(conn, self.ctx, &m, self.creator, self.now).await?;
        Ok((m, h))
    }

    fn view(&self, l: &lesson::Model, completed: bool, spent: Option<(i64, i64)>) -> LessonView {
        LessonView {
            key: l.key.clone(),
            title: l.title.clone(),
            body: l.body.clone(),
            attachments: serde_json::from_str(&l.attachments).unwrap_or_default(),
            course: self.course_name(l.course_key.as_deref()),
            completed,
            spent,
            web: self
                .web
                .map(|base| format!("{base}/c/{}/read/{}", self.ctx.slug(), l.key)),
        }
    }

    pub(super) async fn unlock<C: ConnectionTrait>(
        &self,
        conn: &C,
        key: Key,
        with: Option<UnlockWith>,
    ) -> CoreResult<Reply> {
        let l = readable(conn, self.ctx.id, key.as_str()).await?;
        let (m, h) = self.reader(conn).await?;
        let shelf = Shelf::of(conn, self.ctx.id).await?;
        let gate = shelf.gate(self.ctx, &l);
        let not_yet = |opens: i64| UserError::NotOpenYet {
            title: l.title.clone(),
            opens: iso(opens),
        };
        match (standing(l.id, &gate, &h, self.now), with) {
            (Standing::Open, None) => {
                count_view(conn, l.id).await?;
                let done = completed(conn, m.id).await?.contains(&l.id);
                Ok(Reply::Lesson(Box::new(self.view(&l, done, None))))
            }
            (Standing::Open, Some(_)) => Err(UserError::AlreadyUnlocked {
                title: l.title.clone(),
            }
            .into()),
            (Standing::NotYet { opens }, _) => Err(not_yet(opens).into()),
            (Standing::Locked, None) => Ok(Reply::LessonLocked {
                key: l.key.clone(),
                title: l.title.clone(),
                teaser: l.teaser.clone(),
                ways: unlock_ways(self.ctx, &shelf, &l, self.locale, balance(conn, m.id).await?),
            }),
            (Standing::Locked, Some(UnlockWith::Points)) => {
                if l.points_cost <= 0 {
                    return Err(UserError::NotForPoints {
                        title: l.title.clone(),
                    }
                    .into());
                }
                // Points are not taken for a lesson that could not be read yet.
                if let Some(opens) = opens_for(&gate, &h).filter(|o| *o > self.now) {
                    return Err(not_yet(opens).into());
                }
                let spend = Posting {
                    member_id: m.id,
                    delta: -l.points_cost,
                    source: LedgerSource::Redeem,
                    reason: format!("lesson {}", l.key),
                    actor: None,
                    at: self.now,
                };
                let keys = Keys::of(&self.ctx.config, self.now);
                let after = post(conn, self.ctx.id, &keys, &[spend]).await?;
                let left = after.first().map_or(0, |(row, _)| row.balance);
                lesson_unlock::Entity::insert(lesson_unlock::ActiveModel {
                    member_id: Set(m.id),
                    lesson_id: Set(l.id),
                    points: Set(l.points_cost),
                    at: Set(self.now),
                    ..Default::default()
                })
                .exec_without_returning(conn)
                .await?;
                crate::store::scores::touched(self.ctx.id, m.id);
                count_view(conn, l.id).await?;
                Ok(Reply::Lesson(Box::new(self.view(
                    &l,
                    false,
                    Some((l.points_cost, left)),
                ))))
            }
            (Standing::Locked, Some(UnlockWith::Buy)) => Err(CoreError::Corrupt(
                "/unlock … buy reached the transactional executor; it talks to the payment provider".into(),
            )),
        }
    }

    /// Every live lesson with where this reader stands on it.
    async fn lines<C: ConnectionTrait>(
        &self,
        conn: &C,
        m: &member::Model,
        h: &Holder,
        shelf: &Shelf,
    ) -> CoreResult<Vec<(lesson::Model, LessonLine)>> {
        let done = completed(conn, m.id).await?;
        Ok(live(conn, self.ctx.id)
            .await?
            .into_iter()
            .map(|l| {
                let state = if done.contains(&l.id) {
                    LessonState::Done
                } else {
                    match standing(l.id, &shelf.gate(self.ctx, &l), h, self.now) {
                        Standing::Open => LessonState::Open,
                        Standing::NotYet { opens } => LessonState::Opens { date: iso(opens) },
                        Standing::Locked => LessonState::Locked,
                    }
                };
                let line = LessonLine {
                    key: l.key.clone(),
                    title: l.title.clone(),
                    course: self.course_name(l.course_key.as_deref()),
                    state,
                };
                (l, line)
            })
            .collect())
    }

    pub(super) async fn lessons<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let (m, h) = self.reader(conn).await?;
        let shelf = Shelf::of(conn, self.ctx.id).await?;
        let lines = self.lines(conn, &m, &h, &shelf).await?;
        Ok(Reply::Lessons {
            lines: lines.into_iter().map(|(_, line)| line).collect(),
        })
    }

    fn course_lines(&self, lines: &[(lesson::Model, LessonLine)]) -> Vec<CourseLine> {
        let c = &self.ctx.config;
        c.courses
            .iter()
            .map(|course| {
                let of: Vec<_> = lines
                    .iter()
                    .filter(|(l, _)| l.course_key.as_deref() == Some(course.key.as_str()))
                    .collect();
                CourseLine {
                    key: course.key.to_string(),
                    name: course.name.get(self.locale, c.default_locale).to_owned(),
                    done: of
                        .iter()
                        .filter(|(_, line)| line.state == LessonState::Done)
                        .count() as u64,
                    total: of.len() as u64,
                }
            })
            .collect()
    }

    pub(super) async fn course_cmd<C: ConnectionTrait>(
        &self,
        conn: &C,
        key: Option<Key>,
    ) -> CoreResult<Reply> {
        let (m, h) = self.reader(conn).await?;
        let shelf = Shelf::of(conn, self.ctx.id).await?;
        let lines = self.lines(conn, &m, &h, &shelf).await?;
        let courses = self.course_lines(&lines);
        let Some(key) = key else {
            return Ok(Reply::Courses { courses });
        };
        let course = self.course(&key)?;
        let summary = courses
            .into_iter()
            .find(|c| c.key == course.key.as_str())
            .ok_or_else(|| CoreError::Corrupt(format!("course {key} has no summary")))?;
        let of: Vec<_> = lines
            .into_iter()
            .filter(|(l, _)| l.course_key.as_deref() == Some(course.key.as_str()))
            .collect();
        // How to get the course as a whole: the ways of its first locked lesson,
        // less that lesson's own price and points.
        let ways = match of.iter().find(|(_, line)| line.state == LessonState::Locked) {
            Some((l, _)) => unlock_ways(self.ctx, &shelf, l, self.locale, 0)
                .into_iter()
                .filter(|w| matches!(w, UnlockWay::Tier { .. } | UnlockWay::Course { .. }))
                .collect(),
            None => Vec::new(),
        };
        Ok(Reply::Course {
            course: summary,
            lines: of.into_iter().map(|(_, line)| line).collect(),
            ways,
        })
    }

    /// Up to five lessons to read next, by what people with a similar
    /// history took, or by popularity for someone new.
    pub(super) async fn next<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let (m, h) = self.reader(conn).await?;
        let shelf = Shelf::of(conn, self.ctx.id).await?;
        let lines = self.lines(conn, &m, &h, &shelf).await?;
        let ids: Vec<i64> = lines.iter().map(|(l, _)| l.id).collect();
        let (history, popularity) = signals(conn, m.id, &ids).await?;
        let open: Vec<i64> = lines
            .iter()
            .filter(|(_, line)| line.state != LessonState::Done)
            .map(|(l, _)| l.id)
            .collect();
        let picked = recommend(&history, &popularity, m.id, &open, NEXT);
        Ok(Reply::Next {
            lines: picked
                .iter()
                .filter_map(|id| {
                    lines
                        .iter()
                        .find(|(l, _)| l.id == *id)
                        .map(|(_, line)| line.clone())
                })
                .collect(),
            personal: history.get(&m.id).is_some_and(|taken| !taken.is_empty()),
        })
    }

    pub(super) async fn progress<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let m = self.own_member(conn).await?;
        let h = holder(conn, self.ctx, &m, self.creator, self.now).await?;
        let shelf = Shelf::of(conn, self.ctx.id).await?;
        let lines = self.lines(conn, &m, &h, &shelf).await?;
        Ok(Reply::Progress {
            courses: self
                .course_lines(&lines)
                .into_iter()
                .filter(|c| c.total > 0)
                .collect(),
            done: lines
                .iter()
                .filter(|(_, line)| line.state == LessonState::Done)
                .count() as u64,
            total: lines.len() as u64,
        })
    }

    pub(super) async fn complete<C: ConnectionTrait>(&self, conn: &C, key: Key) -> CoreResult<Reply> {
        let l = readable(conn, self.ctx.id, key.as_str()).await?;
        let (m, h) = self.reader(conn).await?;
        let shelf = Shelf::of(conn, self.ctx.id).await?;
        match standing(l.id, &shelf.gate(self.ctx, &l), &h, self.now) {
            Standing::Open => {}
            Standing::NotYet { opens } => {
                return Err(UserError::NotOpenYet {
                    title: l.title.clone(),
                    opens: iso(opens),
                }
                .into());
            }
            Standing::Locked => {
                return Err(UserError::NotUnlocked {
                    title: l.title.clone(),
                }
                .into());
            }
        }
        let inserted = completion::Entity::insert(completion::ActiveModel {
            member_id: Set(m.id),
            lesson_id: Set(l.id),
            at: Set(self.now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([completion::Column::MemberId, completion::Column::LessonId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
        if inserted != 1 {
            return Err(UserError::AlreadyCompleted {
                title: l.title.clone(),
            }
            .into());
        }
        let points = self.completion_points(conn, &m).await?;
        let c = &self.ctx.config;
        let mut balance_now = balance(conn, m.id).await?;
        if let Some((points, why)) = points.clone() {
            let posting = Posting {
                member_id: m.id,
                delta: points,
                source: LedgerSource::LessonCompleted,
                reason: format!("{why} ({})", l.key),
                actor: None,
                at: self.now,
            };
            let keys = Keys::of(c, self.now);
            let moved = post(conn, self.ctx.id, &keys, &[posting]).await?;
            let rows = settle(conn, self.ctx, moved, self.now, true).await?;
            balance_now = rows.first().map_or(balance_now, |r| r.balance);
            crate::store::scores::touched(self.ctx.id, m.id);
        }
        let count = completion::Entity::find()
            .filter(completion::Column::MemberId.eq(m.id))
            .count(conn)
            .await?;
        let reached = crossed(c, |rule| match rule {
            BadgeRule::Lessons(n) => u64::from(n) <= count,
            _ => false,
        });
        let badges = award_badges(conn, m.id, &reached, self.now).await?;
        tell(conn, self.ctx, &m, None, &badges, Vec::new(), self.now).await?;
        let course = match l.course_key.as_deref() {
            Some(_) => {
                let lines = self.lines(conn, &m, &h, &shelf).await?;
                self.course_lines(&lines)
                    .into_iter()
                    .find(|x| Some(x.key.as_str()) == l.course_key.as_deref())
            }
            None => None,
        };
        let names: BTreeSet<&Key> = badges.iter().collect();
        Ok(Reply::Completed {
            title: l.title.clone(),
            points: points.map_or(0, |(p, _)| p),
            balance: balance_now,
            badges: c
                .badges
                .iter()
                .filter(|b| names.contains(&b.key))
                .map(|b| b.name.get(self.locale, c.default_locale).to_owned())
                .collect(),
            course,
        })
    }

    /// What completing a lesson earns under the community's points rules
    /// (daily cap, bursts, tier multiplier); `None` when it earns nothing.
    async fn completion_points<C: ConnectionTrait>(
        &self,
        conn: &C,
        m: &member::Model,
    ) -> CoreResult<Option<(i64, String)>> {
        let Some(live) = self.engage.live(self.ctx.id) else {
            return Ok(None);
        };
        let keys = Keys::of(&self.ctx.config, self.now);
        let decision = live.rules.decide(&Event {
            member_id: m.id,
            source: SourceKind::LessonCompleted,
            channel: None,
            chars: 0,
            day: keys.day,
        });
        let Decision::Award { points, why } = decision else {
            return Ok(None);
        };
        let tiers =
            crate::engage::writing::writer::tiers_of_members(conn, self.ctx.id, [m.id].into_iter()).await?;
        let tier = tiers.get(&m.id).map(String::as_str);
        let (points, why) = crate::engage::writing::writer::multiplied(self.ctx, tier, points, &why);
        Ok((points > 0).then_some((points, why)))
    }
}

impl super::Core {
    /// The offer that sells lesson `key` to `m` now, or why it cannot be
    /// bought: already readable, not open yet, or not sold on its own.
    pub(super) async fn lesson_for_sale<C: ConnectionTrait>(
        &self,
        conn: &C,
        ctx: &crate::store::sync::CommunityCtx,
        m: &member::Model,
        key: &Key,
        now: i64,
    ) -> CoreResult<offer::Model> {
        let l = readable(conn, ctx.id, key.as_str()).await?;
        let h = holder(conn, ctx, m, false, now).await?;
        let shelf = Shelf::of(conn, ctx.id).await?;
        let gate = shelf.gate(ctx, &l);
        let not_yet = |opens: i64| UserError::NotOpenYet {
            title: l.title.clone(),
            opens: iso(opens),
        };
        match standing(l.id, &gate, &h, now) {
            Standing::Open => {
                return Err(UserError::AlreadyUnlocked {
                    title: l.title.clone(),
                }
                .into());
            }
            Standing::NotYet { opens } => return Err(not_yet(opens).into()),
            Standing::Locked => {}
        }
        // Nobody is charged for a lesson they could not read yet.
        if let Some(opens) = opens_for(&gate, &h).filter(|o| *o > now) {
            return Err(not_yet(opens).into());
        }
        Ok(shelf
            .offer(l.offer_id)
            .filter(|o| o.active)
            .cloned()
            .ok_or_else(|| UserError::NotForSale {
                name: l.title.clone(),
            })?)
    }
}

/// Every way `l` could be unlocked by a reader holding `balance` points,
/// cheapest commitment last.
pub(super) fn unlock_ways(
    ctx: &CommunityCtx,
    shelf: &Shelf,
    l: &lesson::Model,
    locale: Locale,
    balance: i64,
) -> Vec<UnlockWay> {
    let mut ways = Vec::new();
    let course = l
        .course_key
        .as_deref()
        .and_then(|k| ctx.config.courses.iter().find(|c| c.key.as_str() == k));
    let lesson_tier = shelf.tier(l.tier_id);
    let course_tier = course
        .and_then(|c| c.tier.as_ref())
        .and_then(|k| shelf.tiers.iter().find(|t| t.key == k.as_str()));
    // The lower of the two tiers is enough.
    let tier = match (lesson_tier, course_tier) {
        (Some(a), Some(b)) => Some(if a.rank <= b.rank { a } else { b }),
        (a, b) => a.or(b),
    };
    if let Some(t) = tier {
        ways.push(UnlockWay::Tier {
            key: t.key.clone(),
            name: crate::store::access::tier_name(ctx, t, locale),
        });
    }
    if let Some(c) = course
        && let Some(o) = c.offer.as_ref().and_then(|k| shelf.offer_by_key(k.as_str()))
        && o.active
    {
        ways.push(UnlockWay::Course {
            offer: o.key.clone(),
            name: c.name.get(locale, ctx.config.default_locale).to_owned(),
            price: price_view(o).display,
        });
    }
    if let Some(price) = shelf.sale_price(l) {
        ways.push(UnlockWay::Buy { price });
    }
    if l.points_cost > 0 {
        ways.push(UnlockWay::Points {
            cost: l.points_cost,
            balance,
        });
    }
    ways
}
