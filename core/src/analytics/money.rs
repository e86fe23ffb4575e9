//! Monthly recurring revenue at any instant, from the subscriptions the
//! provider reported. A subscription pays from the end of its trial (if it
//! had one) until it ended or its paid period ran out; yearly prices count
//! as a twelfth. At the present instant this agrees with `lyceum revenue`.

use std::collections::BTreeMap;

use super::DAY;
use crate::config::OfferKind;
use crate::entity::{offer, subscription, tier, trial};
use crate::purchases::event::SubStatus;

/// One subscription's paying span and monthly amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paying {
    pub from: i64,
    pub until: Option<i64>,
    pub monthly: i64,
    pub currency: String,
}

impl Paying {
    fn at(&self, t: i64) -> bool {
        self.from <= t && self.until.is_none_or(|u| t < u)
    }
}

/// The paying spans of `subs`, priced by the community's `offers`.
pub fn paying(
    subs: &[subscription::Model],
    offers: &[offer::Model],
    tiers: &[tier::Model],
    trials: &[trial::Model],
) -> Vec<Paying> {
    let mut out = Vec::new();
    for s in subs {
        // Never paid for yet: no revenue at any instant.
        if matches!(s.status, SubStatus::Incomplete | SubStatus::Trialing) {
            continue;
        }
        let Some(o) = offer_of(s, offers) else { continue };
        let monthly = match o.kind {
            OfferKind::TierMonthly => o.amount_minor,
            OfferKind::TierYearly => o.amount_minor / 12,
            _ => continue,
        };
        let start = s.started_at.unwrap_or(s.snapshot_at);
        let from = trials
            .iter()
            .find(|t| t.subscription_id == s.external_id)
            .map_or(start, |t| t.started_at + trial_days(o, tiers) * DAY);
        let mut until = [s.ended_at, s.current_period_end].into_iter().flatten().min();
        // Retries ran out: it stopped paying when that was reported.
        if s.status == SubStatus::Unpaid {
            until = Some(until.map_or(s.updated_at, |u| u.min(s.updated_at)));
        }
        out.push(Paying {
            from,
            until,
            monthly,
            currency: o.currency.clone(),
        });
    }
    out
}

/// The offer a subscription was bought through: by key, else by price.
pub fn offer_of<'a>(s: &subscription::Model, offers: &'a [offer::Model]) -> Option<&'a offer::Model> {
    offers.iter().find(|o| match &s.offer_key {
        Some(k) => &o.key == k,
        None => s.price_id.is_some() && o.stripe_price == s.price_id,
    })
}

/// Free days of the tier an offer sells.
pub fn trial_days(o: &offer::Model, tiers: &[tier::Model]) -> i64 {
    o.tier_id
        .and_then(|id| tiers.iter().find(|t| t.id == id))
        .map_or(0, |t| i64::from(t.trial_days))
}

/// MRR per currency at instant `t`, in minor units.
pub fn mrr_at(paying: &[Paying], t: i64) -> BTreeMap<String, i64> {
    let mut sums = BTreeMap::new();
    for p in paying.iter().filter(|p| p.at(t)) {
        *sums.entry(p.currency.clone()).or_insert(0) += p.monthly;
    }
    sums
}
