//! Every entitlement change goes through `apply`: it writes the new state, a
//! history entry explaining it, and the perk and message effects it implies,
//! all on the caller's transaction.

use std::collections::BTreeSet;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::membership::entitlement_of;
use super::people::{identities_of, identity_locale};
use super::sync::CommunityCtx;
use crate::clock::human_date;
use crate::domain::{EntitlementStatus, Locale, LocalizedText};
use crate::entity::{entitlement, history, identity, member, perk_grant, tier};
use crate::error::{CoreError, CoreResult};
use crate::outbox::{EffectKind, Letters};
use crate::reply::Notice;

pub use crate::entity::kinds::Cause;

pub struct Change {
    pub tier: Option<tier::Model>,
    pub status: EntitlementStatus,
    pub access_until: Option<i64>,
    pub cause: Cause,
    pub actor: Option<String>,
    pub note: Option<String>,
    /// Where the member can fix a failed payment, sent with the grace notice.
    pub portal_url: Option<String>,
}

pub fn tier_perks(t: &tier::Model) -> Vec<String> {
    serde_json::from_str(&t.perks).unwrap_or_default()
}

pub fn tier_name(ctx: &CommunityCtx, t: &tier::Model, locale: Locale) -> String {
    LocalizedText::from_json(&t.name)
        .get(locale, ctx.config.default_locale)
        .to_owned()
}

pub async fn tier_by_id<C: ConnectionTrait>(conn: &C, id: Option<i64>) -> CoreResult<Option<tier::Model>> {
    match id {
        Some(id) => Ok(tier::Entity::find_by_id(id).one(conn).await?),
        None => Ok(None),
    }
}

/// The refusal for a tier key that is not among `tiers`, listing them.
pub fn unknown_tier(key: &crate::domain::Key, tiers: &[tier::Model]) -> crate::error::UserError {
    crate::error::UserError::UnknownTier {
        key: key.to_string(),
        available: tiers
            .iter()
            .map(|t| t.key.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Active tiers of a community in rank order.
pub async fn tiers_of<C: ConnectionTrait>(conn: &C, community_id: i64) -> CoreResult<Vec<tier::Model>> {
    Ok(tier::Entity::find()
        .filter(tier::Column::CommunityId.eq(community_id))
        .filter(tier::Column::Active.eq(true))
        .order_by_asc(tier::Column::Rank)
        .all(conn)
        .await?)
}

/// Perks a state confers. Time is deliberately ignored: a lapsed but not yet
/// expired entitlement still holds its perks on the platforms until the
/// expiry change revokes them. During grace only the community's grace perks
/// that the tier has are held.
pub(crate) fn perks_of(
    ctx: &CommunityCtx,
    status: EntitlementStatus,
    t: Option<&tier::Model>,
) -> BTreeSet<String> {
    let Some(t) = t else { return BTreeSet::new() };
    if !status.may_grant_access() {
        return BTreeSet::new();
    }
    let perks = tier_perks(t).into_iter();
    match (&ctx.config.billing.grace_perks, status) {
        (Some(grace), EntitlementStatus::PastDue) => {
            perks.filter(|p| grace.iter().any(|g| g.as_str() == p)).collect()
        }
        _ => perks.collect(),
    }
}

/// Perks the member holds now: those of their entitlement, of every offer
/// they own, and those granted on their own (level rewards, shop rewards).
///
/// On PostgreSQL the member's row is locked first, until `conn`'s
/// transaction ends: every change that queues grants and revokes compares
/// these perks before and after itself, and two transactions that both
/// read the old perks (a webhook and reconciliation, or two instances)
/// would both queue the same grants. SQLite runs one writer at a time.
pub async fn held_perks<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
) -> CoreResult<BTreeSet<String>> {
    if conn.get_database_backend() == DbBackend::Postgres {
        member::Entity::find_by_id(m.id)
            .lock_exclusive()
            .one(conn)
            .await?;
    }
    perks_now(conn, ctx, m).await
}

/// The perks [`held_perks`] reads, without locking the member: for a look
/// that changes nothing (a page following a purchase).
pub async fn perks_now<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
) -> CoreResult<BTreeSet<String>> {
    let mut perks = match entitlement_of(conn, m.id).await? {
        Some(e) => {
            let status = e.status;
            perks_of(ctx, status, tier_by_id(conn, e.tier_id).await?.as_ref())
        }
        None => BTreeSet::new(),
    };
    perks.extend(perks_beyond_tier(conn, m).await?);
    Ok(perks)
}

/// Perks held whatever the tier: those of owned offers (courses, lessons)
/// and those granted on their own (level rewards, shop rewards).
pub async fn perks_beyond_tier<C: ConnectionTrait>(
    conn: &C,
    m: &member::Model,
) -> CoreResult<BTreeSet<String>> {
    let mut perks = owned_perks(conn, m).await?;
    perks.extend(
        perk_grant::Entity::find()
            .filter(perk_grant::Column::MemberId.eq(m.id))
            .all(conn)
            .await?
            .into_iter()
            .map(|g| g.perk),
    );
    Ok(perks)
}

/// Perks of the offers the member owns (courses, lessons).
pub async fn owned_perks<C: ConnectionTrait>(conn: &C, m: &member::Model) -> CoreResult<BTreeSet<String>> {
    let mut perks = BTreeSet::new();
    for offer in crate::purchases::owned_offers(conn, m).await? {
        perks.extend(serde_json::from_str::<Vec<String>>(&offer.perks).unwrap_or_default());
    }
    Ok(perks)
}

pub async fn apply<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    change: Change,
    now: i64,
) -> CoreResult<entitlement::Model> {
    let before = held_perks(conn, ctx, m).await?;
    apply_since(conn, ctx, m, change, before, now).await
}

/// Like [`apply`], for a caller that has already changed what the member
/// owns: `old_perks` is what they held before those writes.
pub async fn apply_since<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    change: Change,
    old_perks: BTreeSet<String>,
    now: i64,
) -> CoreResult<entitlement::Model> {
    let current = entitlement_of(conn, m.id)
        .await?
        .ok_or_else(|| CoreError::Corrupt(format!("member {} has no entitlement row", m.id)))?;
    let old_status = current.status;
    let old_tier = tier_by_id(conn, current.tier_id).await?;
    let had_access = old_status.has_access(current.access_until, now);
    let has_access = change.status.has_access(change.access_until, now);

    // One purchase, one notice: a checkout's guessed date is not told, and
    // the provider's date is told once it replaces the guess, even when the
    // two happen to agree.
    let provisional = change.cause == Cause::Checkout;
    let same_terms = old_tier.as_ref().map(|t| t.id) == change.tier.as_ref().map(|t| t.id)
        && current.access_until == change.access_until;
    let guess_confirmed = !provisional
        && had_access
        && has_access
        && same_terms
        && last_cause(conn, m.id).await? == Some(Cause::Checkout);

    let mut a: entitlement::ActiveModel = current.clone().into();
    a.tier_id = Set(change.tier.as_ref().map(|t| t.id));
    a.status = Set(change.status);
    a.access_until = Set(change.access_until);
    a.updated_at = Set(now);
    let updated = a.update(conn).await?;

    history::ActiveModel {
        member_id: Set(m.id),
        at: Set(now),
        from_status: Set(old_status),
        to_status: Set(change.status),
        from_tier: Set(old_tier.as_ref().map(|t| t.key.clone())),
        to_tier: Set(change.tier.as_ref().map(|t| t.key.clone())),
        access_until: Set(change.access_until),
        cause: Set(change.cause),
        actor: Set(change.actor.clone()),
        note: Set(change.note.clone()),
        ..Default::default()
    }
    .insert(conn)
    .await?;

    let new_perks = held_perks(conn, ctx, m).await?;
    let tier_changed = old_tier.as_ref().map(|t| t.id) != change.tier.as_ref().map(|t| t.id);
    let until_changed = current.access_until != change.access_until;
    let perk_effects = perk_diff(&old_perks, &new_perks);
    // Built per recipient, so names reach each person in their own language.
    let effects_in = |locale: Locale| {
        let mut effects = perk_effects.clone();
        let community = ctx.config.name.get(locale, ctx.config.default_locale).to_owned();
        let notice = match (&change.tier, had_access, has_access) {
            (Some(t), _, true) if change.status == EntitlementStatus::PastDue => {
                (old_status != EntitlementStatus::PastDue).then(|| Notice::PaymentFailed {
                    community,
                    tier: tier_name(ctx, t, locale),
                    grace_until: change
                        .access_until
                        .map(|u| human_date(u, locale, ctx.config.time_zone)),
                    portal_url: change.portal_url.clone(),
                })
            }
            (Some(t), _, true)
                if !provisional && (!had_access || tier_changed || until_changed || guess_confirmed) =>
            {
                Some(Notice::AccessGranted {
                    community,
                    tier: tier_name(ctx, t, locale),
                    access_until: change
                        .access_until
                        .map(|u| human_date(u, locale, ctx.config.time_zone)),
                })
            }
            (_, true, false) => Some(Notice::AccessEnded {
                community,
                tier: old_tier
                    .as_ref()
                    .map(|t| tier_name(ctx, t, locale))
                    .unwrap_or_default(),
            }),
            _ => None,
        };
        effects.extend(notice.map(|notice| EffectKind::SendMessage { notice }));
        effects
    };
    notify_person(conn, ctx, m.person_id, effects_in, now).await?;
    Ok(updated)
}

/// The cause of the member's latest history row.
pub async fn last_cause<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<Option<Cause>> {
    Ok(history::Entity::find()
        .filter(history::Column::MemberId.eq(member_id))
        .order_by_desc(history::Column::Id)
        .one(conn)
        .await?
        .map(|h| h.cause))
}

/// Revokes for perks held only before, grants for perks held only after.
pub fn perk_diff(before: &BTreeSet<String>, after: &BTreeSet<String>) -> Vec<EffectKind> {
    let revokes = before
        .difference(after)
        .map(|p| EffectKind::RevokePerk { perk: p.clone() });
    let grants = after
        .difference(before)
        .map(|p| EffectKind::GrantPerk { perk: p.clone() });
    revokes.chain(grants).collect()
}

/// Queues the effects `effects_in(locale)` gives for every identity of the
/// person, each in that identity's locale.
pub async fn notify_person<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    person_id: i64,
    effects_in: impl Fn(Locale) -> Vec<EffectKind>,
    now: i64,
) -> CoreResult<()> {
    let identities = identities_of(conn, person_id).await?;
    notify_identities(conn, ctx, &identities, effects_in, now).await
}

/// Queues the effects `effects_in(locale)` gives for each of `identities`.
pub async fn notify_identities<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    identities: &[identity::Model],
    effects_in: impl Fn(Locale) -> Vec<EffectKind>,
    now: i64,
) -> CoreResult<()> {
    let mut letters = Letters::default();
    address(&mut letters, ctx, identities, effects_in, now);
    Ok(letters.send(conn).await?)
}

/// Adds to `letters` the effects `effects_in(locale)` gives for each of
/// `identities`, each in that identity's locale.
pub fn address(
    letters: &mut Letters,
    ctx: &CommunityCtx,
    identities: &[identity::Model],
    effects_in: impl Fn(Locale) -> Vec<EffectKind>,
    now: i64,
) {
    for ident in identities {
        let locale = identity_locale(ident).unwrap_or(ctx.config.default_locale);
        for effect in effects_in(locale) {
            letters.add(Some((ctx.id, ctx.slug())), ident, locale, effect, now);
        }
    }
}

/// Entitlements whose paid-for time has run out, oldest first, at most `limit`.
pub async fn due_for_expiry<C: ConnectionTrait>(
    conn: &C,
    now: i64,
    limit: u64,
) -> CoreResult<Vec<entitlement::Model>> {
    Ok(entitlement::Entity::find()
        .filter(entitlement::Column::Status.is_in(EntitlementStatus::granting()))
        .filter(entitlement::Column::AccessUntil.lte(now))
        .order_by_asc(entitlement::Column::AccessUntil)
        .limit(limit)
        .all(conn)
        .await?)
}
