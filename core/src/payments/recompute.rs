//! Recomputing a member's entitlement from every stored payment fact: what
//! makes the outcome independent of the order events arrived in.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;

use super::Billing;
use crate::domain::EntitlementStatus;
use crate::entity::member;
use crate::error::CoreResult;
use crate::purchases::derive::{self, Rules, SubFacts};
use crate::purchases::facts;
use crate::purchases::lookup::find_offer;
use crate::store::access::{self, Cause, Change, tier_by_id};
use crate::store::sync::CommunityCtx;

/// Who or what is recomputing, for the history; and the provider, for links.
pub struct Why<'a> {
    pub actor: Option<String>,
    pub note: Option<String>,
    pub billing: Option<&'a dyn Billing>,
}

/// Derives the member's entitlement from every stored fact and applies it
/// if it differs from what they have, or if what they own changed. Returns
/// whether anything was written.
pub async fn recompute<C: ConnectionTrait>(
    conn: &C,
    communities: &[CommunityCtx],
    m: &member::Model,
    perks_before: BTreeSet<String>,
    now: i64,
    why: Why<'_>,
) -> CoreResult<bool> {
    let Some(ctx) = communities.iter().find(|c| c.id == m.community_id) else {
        return Ok(false);
    };
    let found = facts::member_facts(conn, m.id).await?;
    let mut subs = Vec::new();
    for s in &found.subscriptions {
        // The price is the truth after a plan change in the portal; the
        // metadata's offer stays what was first bought.
        let by_price = match &s.price_id {
            Some(p) => find_offer(conn, Some(m.community_id), None, Some(p)).await?,
            None => None,
        };
        let o = match by_price {
            Some(o) => Some(o),
            None => find_offer(conn, Some(m.community_id), s.offer_key.as_deref(), None).await?,
        };
        let Some(o) = o else {
            continue;
        };
        let Some(t) = tier_by_id(conn, o.tier_id).await? else {
            continue;
        };
        let reversed = found.reversals.iter().any(|r| {
            r.state.is_final()
                && r.customer_id.is_some()
                && r.customer_id == s.customer_id
                && match (s.started_at, r.charge_created) {
                    (Some(start), Some(charged)) => start <= charged,
                    _ => true,
                }
        });
        subs.push(SubFacts {
            tier_id: t.id,
            tier_rank: t.rank,
            status: s.status,
            current_period_end: s.current_period_end,
            cancel_at_period_end: s.cancel_at_period_end,
            ended_at: s.ended_at,
            reversed,
            provisional: s.snapshot_source == derive::SnapshotSource::Checkout,
        });
    }
    let rules = Rules {
        grace_secs: i64::from(ctx.config.billing.grace_days) * 86_400,
        renewal_leeway_secs: ctx.config.billing.renewal_leeway_secs,
    };
    let derived = derive::derive(&subs, rules, now);
    let current = crate::store::membership::entitlement_of(conn, m.id).await?;
    let cause = match derived {
        Some(d) if d.provisional => Cause::Checkout,
        _ => Cause::Payment,
    };
    let (tier, status, until) = match (derived, &current) {
        (Some(d), _) => (tier_by_id(conn, Some(d.tier_id)).await?, d.status, d.access_until),
        // Subscriptions that never got paid for (incomplete) give nothing:
        // the member is back where payments found them, unless an admin set
        // the entitlement by hand.
        (None, Some(_)) if !subs.is_empty() && !set_by_admin(conn, m.id).await? => {
            (None, EntitlementStatus::None, None)
        }
        // No subscription to go on: the entitlement stays as it is (an
        // admin grant, say); only owned offers may have changed.
        (None, Some(e)) => (tier_by_id(conn, e.tier_id).await?, e.status, e.access_until),
        (None, None) => return Ok(false),
    };
    let unchanged_state = current.as_ref().is_some_and(|e| {
        e.tier_id == tier.as_ref().map(|t| t.id) && e.status == status && e.access_until == until
    });
    // Only an unchanged state needs the perks compared; a change is applied
    // anyway, and apply_since works the perks out itself.
    if unchanged_state && access::held_perks(conn, ctx, m).await? == perks_before {
        return Ok(false);
    }
    let change = Change {
        tier,
        status,
        access_until: until,
        cause,
        actor: why.actor,
        note: why.note,
        portal_url: why.billing.and_then(|b| b.portal_link(m.id, now)),
    };
    access::apply_since(conn, ctx, m, change, perks_before, now).await?;
    Ok(true)
}

/// Whether the member's entitlement was last set by an admin's hand.
async fn set_by_admin<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<bool> {
    let last = access::last_cause(conn, member_id).await?;
    Ok(last.is_some_and(|c| matches!(c, Cause::AdminGrant | Cause::AdminRevoke)))
}
