//! The revenue ledger read back: has a member paid, and the report behind
//! `lyceum revenue` (R = Σ price·members + Σ course price·sales).

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use crate::config::OfferKind;
use crate::entity::kinds::RevenueKind;
use crate::entity::{member, referral, revenue, subscription, tier};
use crate::error::CoreResult;
use crate::purchases::event::SubStatus;
use crate::purchases::lookup::find_offer;

pub async fn has_paid<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<bool> {
    Ok(revenue::Entity::find()
        .filter(revenue::Column::MemberId.eq(member_id))
        .filter(revenue::Column::Kind.eq(crate::entity::kinds::RevenueKind::Payment))
        .one(conn)
        .await?
        .is_some())
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Amounts(pub BTreeMap<String, i64>);

impl Amounts {
    fn add(&mut self, currency: &str, minor: i64) {
        let v = self.0.entry(currency.to_owned()).or_default();
        *v = v.saturating_add(minor);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TierMrr {
    pub tier: String,
    pub subscribers: u64,
    /// Minor units per currency; yearly prices count as a twelfth.
    pub mrr: Amounts,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevenueReport {
    pub community: String,
    pub from: i64,
    pub to: i64,
    pub mrr_by_tier: Vec<TierMrr>,
    pub mrr: Amounts,
    pub subscription_revenue: Amounts,
    pub one_off_revenue: Amounts,
    pub one_off_sales: BTreeMap<String, u64>,
    pub refunds: Amounts,
    pub disputes_lost: Amounts,
    pub net: Amounts,
    /// Commissions owed to referrers for payments in the period, less those
    /// clawed back. Not subtracted from `net`: paying them out is yours.
    pub referral_commissions: Amounts,
}

/// Revenue of one community over `[from, to)`, and MRR as of `now`.
pub async fn report<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    slug: &str,
    from: i64,
    to: i64,
    now: i64,
) -> CoreResult<RevenueReport> {
    let tiers = tier::Entity::find()
        .filter(tier::Column::CommunityId.eq(community_id))
        .all(conn)
        .await?;
    let mut by_tier: BTreeMap<i32, TierMrr> = BTreeMap::new();
    let mut mrr = Amounts::default();
    let member_ids: Vec<i64> = member::Entity::find()
        .filter(member::Column::CommunityId.eq(community_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let paying = [SubStatus::Active, SubStatus::PastDue];
    let subs = subscription::Entity::find()
        .filter(subscription::Column::MemberId.is_in(member_ids))
        .filter(subscription::Column::Status.is_in(paying))
        .all(conn)
        .await?;
    for s in subs
        .iter()
        .filter(|s| s.current_period_end.is_none_or(|e| e > now))
    {
        let o = match &s.offer_key {
            Some(k) => find_offer(conn, Some(community_id), Some(k), None).await?,
            None => find_offer(conn, Some(community_id), None, s.price_id.as_deref()).await?,
        };
        let Some(o) = o else { continue };
        let Some(t) = tiers.iter().find(|t| Some(t.id) == o.tier_id) else {
            continue;
        };
        let monthly = match o.kind {
            OfferKind::TierYearly => o.amount_minor / 12,
            _ => o.amount_minor,
        };
        let entry = by_tier.entry(t.rank).or_insert_with(|| TierMrr {
            tier: t.key.clone(),
            subscribers: 0,
            mrr: Amounts::default(),
        });
        entry.subscribers += 1;
        entry.mrr.add(&o.currency, monthly);
        mrr.add(&o.currency, monthly);
    }

    let rows = revenue::Entity::find()
        .filter(revenue::Column::CommunityId.eq(community_id))
        .filter(revenue::Column::At.gte(from))
        .filter(revenue::Column::At.lt(to))
        .all(conn)
        .await?;
    let mut report = RevenueReport {
        community: slug.to_owned(),
        from,
        to,
        mrr_by_tier: by_tier.into_values().collect(),
        mrr,
        subscription_revenue: Amounts::default(),
        one_off_revenue: Amounts::default(),
        one_off_sales: BTreeMap::new(),
        refunds: Amounts::default(),
        disputes_lost: Amounts::default(),
        net: Amounts::default(),
        referral_commissions: Amounts::default(),
    };
    let credited = referral::Entity::find()
        .filter(referral::Column::CommunityId.eq(community_id))
        .filter(referral::Column::CreditedAt.gte(from))
        .filter(referral::Column::CreditedAt.lt(to))
        .filter(referral::Column::ClawedBackAt.is_null())
        .all(conn)
        .await?;
    for r in credited {
        if let (Some(minor), Some(currency)) = (r.credit_minor, &r.currency) {
            report.referral_commissions.add(currency, minor);
        }
    }
    for r in rows {
        match r.kind {
            RevenueKind::Payment => {
                let o = match &r.offer_key {
                    Some(k) => find_offer(conn, Some(community_id), Some(k), None).await?,
                    None => None,
                };
                let one_off = o
                    .as_ref()
                    .map(|o| o.kind)
                    .is_some_and(|k| matches!(k, OfferKind::Course | OfferKind::Lesson));
                if one_off {
                    report.one_off_revenue.add(&r.currency, r.amount_minor);
                    if let Some(o) = o {
                        *report.one_off_sales.entry(o.key).or_default() += 1;
                    }
                } else {
                    report.subscription_revenue.add(&r.currency, r.amount_minor);
                }
                report.net.add(&r.currency, r.amount_minor);
            }
            RevenueKind::Refund => {
                report.refunds.add(&r.currency, r.amount_minor);
                report.net.add(&r.currency, -r.amount_minor);
            }
            RevenueKind::Dispute => {
                report.disputes_lost.add(&r.currency, r.amount_minor);
                report.net.add(&r.currency, -r.amount_minor);
            }
        }
    }
    Ok(report)
}
