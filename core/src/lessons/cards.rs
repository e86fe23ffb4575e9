//! The teaser cards the bot keeps in a community's lesson channels: one
//! posted per channel when a lesson is posted, rewritten on every edit, and
//! taken down when the lesson is removed. All through the outbox, so a
//! platform outage only delays them.

use sea_orm::ConnectionTrait;

use super::store::Shelf;
use crate::clock::human_date;
use crate::entity::lesson;
use crate::error::CoreResult;
use crate::outbox::{EffectKind, Letters};
use crate::reply::LessonCard;
use crate::store::access::tier_name;
use crate::store::sync::CommunityCtx;

/// The card for `l`, in the community's own language (a channel has many
/// readers).
pub async fn card<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    l: &lesson::Model,
) -> CoreResult<LessonCard> {
    let c = &ctx.config;
    let locale = c.default_locale;
    let shelf = Shelf::of(conn, ctx.id).await?;
    let course = l
        .course_key
        .as_deref()
        .and_then(|k| c.courses.iter().find(|x| x.key.as_str() == k));
    Ok(LessonCard {
        lesson: l.id,
        key: l.key.clone(),
        community: c.name.get(locale, locale).to_owned(),
        title: l.title.clone(),
        teaser: l.teaser.clone(),
        course: course.map(|x| x.name.get(locale, locale).to_owned()),
        tier: shelf.tier(l.tier_id).map(|t| tier_name(ctx, t, locale)),
        price: shelf.sale_price(l),
        points: l.points_cost,
        opens: l.opens_at.map(|t| human_date(t, locale, c.time_zone)),
        drip_days: l.drip_days,
    })
}

/// What happens to a lesson's cards.
pub enum Change {
    Post,
    Edit,
    Remove,
}

/// Queues the change to the card in every lesson channel; returns how many.
pub async fn queue<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    l: &lesson::Model,
    change: Change,
    now: i64,
) -> CoreResult<usize> {
    let kind = match change {
        Change::Remove => EffectKind::RemoveLesson {
            lesson: l.id,
            messages: Vec::new(),
        },
        Change::Post => EffectKind::PostLesson {
            card: card(conn, ctx, l).await?,
        },
        Change::Edit => EffectKind::EditLesson {
            card: card(conn, ctx, l).await?,
            messages: Vec::new(),
        },
    };
    let channels = &ctx.config.lessons.channels;
    let mut letters = Letters::default();
    for channel in channels {
        letters.add_to_channel(
            Some((ctx.id, ctx.slug())),
            channel,
            ctx.config.default_locale,
            kind.clone(),
            now,
        );
    }
    letters.send(conn).await?;
    Ok(channels.len())
}
