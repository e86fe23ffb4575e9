//! What a community's public page shows to someone outside the chat: its
//! prose, tiers with prices, courses and lessons with their teasers, and
//! the counts it chose to show. Lesson bodies are never read into it, so no
//! page, meta tag or JSON built from it can leak one.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use super::Core;
use super::execute::{price_view, tier_views};
use super::reading::unlock_ways;
use crate::config::Shown;
use crate::domain::Locale;
use crate::entity::{lesson, member};
use crate::error::CoreResult;
use crate::lessons::store::Shelf;
use crate::reply::{PriceView, UnlockWay};
use crate::store::sync::CommunityCtx;

#[derive(Clone, Debug)]
pub struct Storefront {
    pub slug: String,
    pub name: String,
    pub tagline: Option<String>,
    /// Paragraphs, as the creator separated them by blank lines.
    pub description: Vec<String>,
    pub creator: Option<String>,
    pub tiers: Vec<TierCard>,
    pub courses: Vec<CourseCard>,
    /// Lessons that belong to no course.
    pub lessons: Vec<Teaser>,
    pub faq: Vec<(String, String)>,
    pub counts: Vec<(Shown, u64)>,
}

#[derive(Clone, Debug)]
pub struct TierCard {
    pub key: String,
    pub name: String,
    /// What each perk means, as the page configuration words it.
    pub perks: Vec<String>,
    pub prices: Vec<PriceView>,
    pub trial_days: u32,
    /// The Telegram Stars price of a month, where one is set.
    pub stars_monthly: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct CourseCard {
    pub key: String,
    pub name: String,
    /// The price of the whole course, where it is sold as a bundle.
    pub price: Option<String>,
    /// The offer that sells it, with that price.
    pub offer: Option<String>,
    pub lessons: Vec<Teaser>,
}

/// A lesson as a stranger may see it: never its body.
#[derive(Clone, Debug)]
pub struct Teaser {
    pub key: String,
    pub title: String,
    pub teaser: Option<String>,
    pub course: Option<String>,
    /// How it is unlocked; empty for a lesson free to every member.
    pub ways: Vec<UnlockWay>,
    /// The day it opens, written for people, for a lesson scheduled later.
    pub opens: Option<String>,
}

impl Storefront {
    /// Every lesson on the page, in courses or not.
    pub fn all_lessons(&self) -> impl Iterator<Item = &Teaser> {
        self.courses
            .iter()
            .flat_map(|c| c.lessons.iter())
            .chain(&self.lessons)
    }
}

impl Core {
    /// The public page of `slug` in `locale`, or None for an unknown slug.
    pub async fn storefront(&self, slug: &str, locale: Locale) -> CoreResult<Option<Storefront>> {
        let Some(ctx) = self.community(slug) else {
            return Ok(None);
        };
        build(self.db(), ctx, locale, self.now()).await.map(Some)
    }
}

async fn build<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    locale: Locale,
    now: i64,
) -> CoreResult<Storefront> {
    let c = &ctx.config;
    let text = |t: &crate::domain::LocalizedText| t.get(locale, c.default_locale).to_owned();
    let shelf = Shelf::of(conn, ctx.id).await?;
    let rows: Vec<lesson::Model> = crate::lessons::store::live(conn, ctx.id).await?;
    let teaser = |l: &lesson::Model| Teaser {
        key: l.key.clone(),
        title: l.title.clone(),
        teaser: l.teaser.clone(),
        course: l
            .course_key
            .as_deref()
            .and_then(|k| c.courses.iter().find(|co| co.key.as_str() == k))
            .map(|co| text(&co.name)),
        ways: unlock_ways(ctx, &shelf, l, locale, 0),
        opens: l
            .opens_at
            .filter(|at| *at > now)
            .map(|at| crate::clock::human_date(at, locale, c.time_zone)),
    };
    let sold = |co: &crate::config::Course| {
        co.offer
            .as_ref()
            .and_then(|k| shelf.offer_by_key(k.as_str()))
            .filter(|o| o.active)
    };
    let courses: Vec<CourseCard> = c
        .courses
        .iter()
        .map(|co| {
            let sold = sold(co);
            CourseCard {
                key: co.key.to_string(),
                name: text(&co.name),
                price: sold.map(|o| price_view(o).display),
                offer: sold.map(|o| o.key.clone()),
                lessons: rows
                    .iter()
                    .filter(|l| l.course_key.as_deref() == Some(co.key.as_str()))
                    .map(teaser)
                    .collect(),
            }
        })
        .collect();
    let lessons = rows
        .iter()
        .filter(|l| {
            l.course_key
                .as_deref()
                .is_none_or(|k| !c.courses.iter().any(|co| co.key.as_str() == k))
        })
        .map(teaser)
        .collect();
    let tiers = tier_views(conn, ctx, locale)
        .await?
        .into_iter()
        .map(|t| {
            let config = c.tiers.iter().find(|ct| ct.key.as_str() == t.key);
            TierCard {
                perks: t
                    .perks
                    .iter()
                    .map(|p| c.page.perks.get(p).map_or_else(|| p.clone(), text))
                    .collect(),
                trial_days: config.map_or(0, |ct| ct.trial_days),
                stars_monthly: c
                    .offers
                    .iter()
                    .find(|o| o.tier.as_ref().is_some_and(|k| k.as_str() == t.key) && o.stars.is_some())
                    .and_then(|o| o.stars),
                key: t.key,
                name: t.name,
                prices: t.prices,
            }
        })
        .collect();
    let mut counts = Vec::new();
    for shown in &c.page.show {
        let n = match shown {
            Shown::Members => {
                member::Entity::find()
                    .filter(member::Column::CommunityId.eq(ctx.id))
                    .select_only()
                    .column(member::Column::Id)
                    .count(conn)
                    .await?
            }
            Shown::Lessons => rows.len() as u64,
            Shown::Courses => courses.iter().filter(|co| !co.lessons.is_empty()).count() as u64,
        };
        counts.push((*shown, n));
    }
    Ok(Storefront {
        slug: ctx.slug().to_owned(),
        name: text(&c.name),
        tagline: c.page.tagline.as_ref().map(text),
        description: c
            .page
            .description
            .as_ref()
            .map(|d| {
                text(d)
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        creator: c.page.creator.clone(),
        tiers,
        courses,
        lessons,
        faq: c.page.faq.iter().map(|(q, a)| (text(q), text(a))).collect(),
        counts,
    })
}
