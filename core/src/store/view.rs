//! The full picture of one member: what `/me`, `/member` and
//! `lyceum member show` print.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::access::{held_perks, perks_beyond_tier, tier_by_id, tier_name};
use super::membership::entitlement_of;
use super::people::{identities_of, identity_string};
use super::scores::balance;
use super::sync::CommunityCtx;
use crate::clock::iso;
use crate::domain::Locale;
use crate::entity::{badge, history, member};
use crate::error::{CoreError, CoreResult};
use crate::reply::{HistoryEntry, MemberView};

pub async fn member_view<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    locale: Locale,
    now: i64,
) -> CoreResult<MemberView> {
    let e = entitlement_of(conn, m.id)
        .await?
        .ok_or_else(|| CoreError::Corrupt(format!("member {} has no entitlement row", m.id)))?;
    let status = e.status;
    let tier = tier_by_id(conn, e.tier_id).await?;
    let has_access = status.has_access(e.access_until, now);
    let perks: Vec<String> = if has_access {
        held_perks(conn, ctx, m).await?
    } else {
        perks_beyond_tier(conn, m).await?
    }
    .into_iter()
    .collect();
    let history = history::Entity::find()
        .filter(history::Column::MemberId.eq(m.id))
        .order_by_asc(history::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|h| HistoryEntry {
            at: iso(h.at),
            from_status: h.from_status.as_str().to_owned(),
            to_status: h.to_status.as_str().to_owned(),
            from_tier: h.from_tier,
            to_tier: h.to_tier,
            access_until: h.access_until.map(iso),
            cause: h.cause.as_ref().to_owned(),
            actor: h.actor,
            note: h.note,
        })
        .collect();
    let badges = badges_of(conn, m.id).await?;
    Ok(MemberView {
        id: m.id,
        community: ctx.slug().to_owned(),
        identities: identities_of(conn, m.person_id)
            .await?
            .iter()
            .map(identity_string)
            .collect(),
        tier: tier.as_ref().map(|t| t.key.clone()),
        tier_name: tier.as_ref().map(|t| tier_name(ctx, t, locale)),
        status: status.as_str().to_owned(),
        access_until: e.access_until.map(iso),
        has_access,
        perks,
        points: balance(conn, m.id).await?,
        badge_names: badges.iter().map(|k| badge_name(ctx, k, locale)).collect(),
        badges,
        history,
    })
}

/// A badge's configured name in `locale`; its key if it is no longer configured.
fn badge_name(ctx: &CommunityCtx, key: &str, locale: Locale) -> String {
    let c = &ctx.config;
    c.badges.iter().find(|b| b.key.as_str() == key).map_or_else(
        || key.to_owned(),
        |b| b.name.get(locale, c.default_locale).to_owned(),
    )
}

/// The keys of the badges a member holds, oldest first.
async fn badges_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<Vec<String>> {
    Ok(badge::Entity::find()
        .filter(badge::Column::MemberId.eq(member_id))
        .order_by_asc(badge::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.badge_key)
        .collect())
}
