//! One provider event, applied in one transaction: record the delivery (a
//! repeat stops here), merge its facts, then recompute the entitlement of
//! every member it touches from all stored facts.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::ConnectionTrait;

use super::Billing;
use super::recompute::{Why, recompute};
use super::referrals;
use crate::config::OfferKind;
use crate::entity::kinds::{RevenueKind, ReversalKind, ReversalState};
use crate::entity::{member, offer};
use crate::error::CoreResult;
use crate::purchases::derive::{SnapshotKey, SnapshotSource};
use crate::purchases::event::{
    CheckoutCompleted, CheckoutMode, InvoicePayment, PaymentEvent, PaymentFact, Refs, SubStatus,
    SubscriptionSnapshot,
};
use crate::purchases::facts::{self, NewPurchase, NewRevenue, NewReversal};
use crate::purchases::lookup::{self, find_offer};
use crate::store::access;
use crate::store::sync::CommunityCtx;

/// What became of one delivery, for the webhook's answer and the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventOutcome {
    /// Seen before; nothing was done.
    Duplicate,
    /// Applied; these members were recomputed.
    Applied { members: Vec<i64> },
    /// Recorded, but no member could be found yet. Kept, so a later event
    /// that names the member makes it count.
    Unmatched { reason: String },
    /// An event type the core does not use.
    Ignored,
}

impl EventOutcome {
    /// The kind of outcome alone, for counting.
    pub fn kind(&self) -> &'static str {
        match self {
            EventOutcome::Duplicate => "duplicate",
            EventOutcome::Applied { .. } => "applied",
            EventOutcome::Unmatched { .. } => "unmatched",
            EventOutcome::Ignored => "ignored",
        }
    }

    pub fn label(&self) -> String {
        match self {
            EventOutcome::Duplicate => "duplicate".into(),
            EventOutcome::Applied { members } => format!(
                "applied to member {}",
                members
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            EventOutcome::Unmatched { reason } => format!("unmatched: {reason}"),
            EventOutcome::Ignored => "ignored".into(),
        }
    }
}

pub(crate) struct Applier<'a, C> {
    pub conn: &'a C,
    pub communities: &'a [CommunityCtx],
    pub ev: &'a PaymentEvent,
    pub now: i64,
    /// For portal links in grace notices.
    pub billing: Option<&'a dyn Billing>,
}

/// Days a provisional snapshot from a checkout is assumed to last until the
/// subscription's own event replaces it.
fn provisional_period(kind: Option<OfferKind>) -> i64 {
    match kind {
        Some(OfferKind::TierYearly) => 366 * 86_400,
        _ => 31 * 86_400,
    }
}

impl<C: ConnectionTrait> Applier<'_, C> {
    fn provider(&self) -> &str {
        &self.ev.provider
    }

    fn ctx(&self, community_id: i64) -> Option<&CommunityCtx> {
        self.communities.iter().find(|c| c.id == community_id)
    }

    pub async fn run(&self) -> CoreResult<EventOutcome> {
        let ev = self.ev;
        let Some(row) = facts::record_event(
            self.conn,
            self.provider(),
            &ev.id,
            &ev.event_type,
            ev.created,
            self.now,
        )
        .await?
        else {
            return Ok(EventOutcome::Duplicate);
        };
        let outcome = match &ev.fact {
            PaymentFact::Ignored => EventOutcome::Ignored,
            PaymentFact::CheckoutCompleted(c) => self.checkout(c).await?,
            PaymentFact::Subscription(s) => self.subscription(s).await?,
            PaymentFact::InvoicePaid(i) => self.invoice_paid(i).await?,
            PaymentFact::InvoiceFailed(i) => self.invoice_failed(i).await?,
            PaymentFact::Refund {
                charge,
                charge_created,
                payment_ref,
                customer,
                refunded_minor,
                currency,
                full,
            } => {
                let r = NewReversal {
                    provider: self.provider(),
                    kind: ReversalKind::Refund,
                    external_id: charge,
                    payment_ref: payment_ref.clone(),
                    charge_id: Some(charge.clone()),
                    charge_created: *charge_created,
                    customer: customer.clone(),
                    state: if *full {
                        ReversalState::Refunded
                    } else {
                        ReversalState::Partial
                    },
                    amount_minor: *refunded_minor,
                    currency: currency.to_ascii_uppercase(),
                    at: ev.created,
                };
                // Refunds count as they come (cumulatively per charge).
                self.reverse(r, true).await?
            }
            PaymentFact::Dispute {
                id,
                charge,
                charge_created,
                payment_ref,
                customer,
                state,
                amount_minor,
                currency,
            } => {
                let r = NewReversal {
                    provider: self.provider(),
                    kind: ReversalKind::Dispute,
                    external_id: id,
                    payment_ref: payment_ref.clone(),
                    charge_id: charge.clone(),
                    charge_created: *charge_created,
                    customer: customer.clone(),
                    state: state.reversal_state(),
                    amount_minor: *amount_minor,
                    currency: currency.to_ascii_uppercase(),
                    at: ev.created,
                };
                // A dispute costs money only once it is lost.
                self.reverse(r, false).await?
            }
        };
        let member = match &outcome {
            EventOutcome::Applied { members } => members.first().copied(),
            _ => None,
        };
        facts::set_outcome(self.conn, row, member, &outcome.label()).await?;
        Ok(outcome)
    }

    /// The member named by the metadata contract, if it exists and belongs to
    /// the community the metadata names.
    async fn member_from_refs(&self, refs: &Refs) -> CoreResult<Option<member::Model>> {
        let Some(id) = refs.member else { return Ok(None) };
        let Some(m) = lookup::member(self.conn, id).await? else {
            return Ok(None);
        };
        let community_matches = match &refs.community {
            Some(slug) => self.ctx(m.community_id).is_some_and(|c| c.slug() == slug),
            None => true,
        };
        Ok(community_matches.then_some(m))
    }

    async fn member_from_customer(&self, customer: Option<&str>) -> CoreResult<Option<member::Model>> {
        let Some(customer) = customer else { return Ok(None) };
        match facts::customer_member(self.conn, self.provider(), customer).await? {
            Some(id) => lookup::member(self.conn, id).await,
            None => Ok(None),
        }
    }

    async fn member_from_subscription(&self, sub: Option<&str>) -> CoreResult<Option<member::Model>> {
        let Some(sub) = sub else { return Ok(None) };
        match facts::find_subscription(self.conn, self.provider(), sub)
            .await?
            .and_then(|s| s.member_id)
        {
            Some(id) => lookup::member(self.conn, id).await,
            None => Ok(None),
        }
    }

    /// Metadata first, then what earlier events taught us.
    async fn resolve(
        &self,
        refs: &Refs,
        customer: Option<&str>,
        subscription: Option<&str>,
    ) -> CoreResult<Option<member::Model>> {
        if let Some(m) = self.member_from_refs(refs).await? {
            return Ok(Some(m));
        }
        if let Some(m) = self.member_from_subscription(subscription).await? {
            return Ok(Some(m));
        }
        self.member_from_customer(customer).await
    }

    async fn offer_for(
        &self,
        community_id: Option<i64>,
        refs: &Refs,
        price_ids: &[String],
    ) -> CoreResult<Option<offer::Model>> {
        offer_for(self.conn, community_id, refs, price_ids).await
    }

    async fn held(
        &self,
        members: &[member::Model],
    ) -> CoreResult<BTreeMap<i64, (member::Model, BTreeSet<String>)>> {
        let mut out = BTreeMap::new();
        for m in members {
            if let Some(ctx) = self.ctx(m.community_id) {
                out.insert(m.id, (m.clone(), access::held_perks(self.conn, ctx, m).await?));
            }
        }
        Ok(out)
    }

    async fn recompute_all(
        &self,
        before: BTreeMap<i64, (member::Model, BTreeSet<String>)>,
    ) -> CoreResult<EventOutcome> {
        if before.is_empty() {
            return Ok(EventOutcome::Unmatched {
                reason: "no member is known for this payment yet".into(),
            });
        }
        let mut members = Vec::new();
        for (id, (m, perks)) in before {
            self.recompute(&m, perks).await?;
            members.push(id);
        }
        Ok(EventOutcome::Applied { members })
    }

    async fn recompute(&self, m: &member::Model, perks_before: BTreeSet<String>) -> CoreResult<()> {
        let why = Why {
            actor: Some(format!("{}:{}", self.ev.provider, self.ev.id)),
            note: Some(self.ev.event_type.clone()),
            billing: self.billing,
        };
        recompute(self.conn, self.communities, m, perks_before, self.now, why)
            .await
            .map(|_| ())
    }

    async fn checkout(&self, c: &CheckoutCompleted) -> CoreResult<EventOutcome> {
        let Some(m) = self
            .resolve(&c.refs, c.customer.as_deref(), c.subscription.as_deref())
            .await?
        else {
            return Ok(unmatched(&c.refs));
        };
        let before = self.held(std::slice::from_ref(&m)).await?;
        if let Some(customer) = &c.customer {
            facts::link_customer(self.conn, self.provider(), customer, m.id, self.now).await?;
        }
        let o = self
            .offer_for(Some(m.community_id), &c.refs, &c.price_ids)
            .await?;
        match (c.mode, &c.subscription) {
            (CheckoutMode::Subscription, Some(sub)) => {
                let kind = o.as_ref().map(|o| o.kind);
                let status = if c.paid {
                    SubStatus::Active
                } else {
                    SubStatus::Incomplete
                };
                let period_end = self.ev.created.saturating_add(provisional_period(kind));
                let snap = SubscriptionSnapshot {
                    id: sub.clone(),
                    customer: c.customer.clone(),
                    refs: c.refs.clone(),
                    status,
                    price_id: o.as_ref().and_then(|o| o.stripe_price.clone()),
                    current_period_end: Some(period_end),
                    cancel_at_period_end: false,
                    ended_at: None,
                    trial_end: None,
                    started_at: None,
                };
                let key = SnapshotKey {
                    source: SnapshotSource::Checkout,
                    at: self.ev.created,
                    status,
                    period_end: Some(period_end),
                    cancel_at_period_end: false,
                    ended_at: None,
                    price: snap.price_id.clone(),
                };
                facts::merge_subscription(
                    self.conn,
                    self.provider(),
                    &snap,
                    key,
                    Some(m.id),
                    o.as_ref().map(|o| o.key.clone()),
                    self.now,
                )
                .await?;
            }
            (CheckoutMode::Payment, _) if c.paid => {
                let payment_ref = c.payment_ref.clone().unwrap_or_else(|| c.session.clone());
                facts::record_purchase(
                    self.conn,
                    NewPurchase {
                        provider: self.provider(),
                        payment_ref: &payment_ref,
                        customer: c.customer.clone(),
                        member_id: Some(m.id),
                        offer_key: o.as_ref().map(|o| o.key.clone()),
                        amount_minor: c.amount_minor,
                        currency: c.currency.to_ascii_uppercase(),
                        paid_at: self.ev.created,
                    },
                )
                .await?;
                self.payment_revenue(&m, &payment_ref, o.as_ref(), c.amount_minor, &c.currency)
                    .await?;
            }
            _ => {}
        }
        self.recompute_all(before).await
    }

    async fn subscription(&self, s: &SubscriptionSnapshot) -> CoreResult<EventOutcome> {
        let m = self.resolve(&s.refs, s.customer.as_deref(), Some(&s.id)).await?;
        let community = m.as_ref().map(|m| m.community_id);
        let prices: Vec<String> = s.price_id.iter().cloned().collect();
        let o = self.offer_for(community, &s.refs, &prices).await?;
        let before = match &m {
            Some(m) => self.held(std::slice::from_ref(m)).await?,
            None => BTreeMap::new(),
        };
        let key = SnapshotKey {
            source: SnapshotSource::Subscription,
            at: self.ev.created,
            status: s.status,
            period_end: s.current_period_end,
            cancel_at_period_end: s.cancel_at_period_end,
            ended_at: s.ended_at,
            price: s.price_id.clone(),
        };
        facts::merge_subscription(
            self.conn,
            self.provider(),
            s,
            key,
            m.as_ref().map(|m| m.id),
            o.as_ref().map(|o| o.key.clone()),
            self.now,
        )
        .await?;
        if let (Some(m), Some(customer)) = (&m, &s.customer) {
            facts::link_customer(self.conn, self.provider(), customer, m.id, self.now).await?;
        }
        if let Some(m) = &m
            && (s.status == SubStatus::Trialing || s.trial_end.is_some())
        {
            crate::purchases::trials::record(self.conn, m, &s.id, self.ev.created).await?;
        }
        if m.is_none() {
            return Ok(unmatched(&s.refs));
        }
        self.recompute_all(before).await
    }

    async fn invoice_paid(&self, i: &InvoicePayment) -> CoreResult<EventOutcome> {
        let Some(m) = self
            .resolve(&i.refs, i.customer.as_deref(), i.subscription.as_deref())
            .await?
        else {
            return Ok(unmatched(&i.refs));
        };
        let sub = match &i.subscription {
            Some(id) => facts::find_subscription(self.conn, self.provider(), id).await?,
            None => None,
        };
        let refs = Refs {
            offer: i
                .refs
                .offer
                .clone()
                .or(sub.as_ref().and_then(|s| s.offer_key.clone())),
            ..i.refs.clone()
        };
        let prices: Vec<String> = i.price_id.iter().cloned().collect();
        let o = self.offer_for(Some(m.community_id), &refs, &prices).await?;
        if i.amount_minor > 0 {
            self.payment_revenue(&m, &i.invoice, o.as_ref(), i.amount_minor, &i.currency)
                .await?;
        }
        Ok(EventOutcome::Applied { members: vec![m.id] })
    }

    async fn invoice_failed(&self, i: &InvoicePayment) -> CoreResult<EventOutcome> {
        // The subscription's own update to past_due moves access; the
        // failed invoice is kept in the event record for the "why".
        match self
            .resolve(&i.refs, i.customer.as_deref(), i.subscription.as_deref())
            .await?
        {
            Some(m) => Ok(EventOutcome::Applied { members: vec![m.id] }),
            None => Ok(unmatched(&i.refs)),
        }
    }

    async fn payment_revenue(
        &self,
        m: &member::Model,
        external_id: &str,
        o: Option<&offer::Model>,
        amount_minor: i64,
        currency: &str,
    ) -> CoreResult<()> {
        let currency = currency.to_ascii_uppercase();
        if let Some(ctx) = self.ctx(m.community_id)
            && let Some(expected) = &ctx.config.billing.currency
            && *expected != currency
            && currency != "XTR"
        {
            tracing::warn!(
                event = %self.ev.id,
                member = m.id,
                %currency,
                %expected,
                "payment in an unexpected currency; recorded as paid"
            );
        }
        facts::record_revenue(
            self.conn,
            NewRevenue {
                provider: self.provider(),
                kind: RevenueKind::Payment,
                external_id,
                community_id: Some(m.community_id),
                member_id: Some(m.id),
                offer_key: o.map(|o| o.key.clone()),
                amount_minor,
                currency: currency.clone(),
                at: self.ev.created,
            },
        )
        .await?;
        if let Some(ctx) = self.ctx(m.community_id) {
            crate::engage::rules::honours::after_payment(self.conn, ctx, m, self.now).await?;
        }
        referrals::credit_first_payment(
            self.conn,
            self.communities,
            m,
            external_id,
            amount_minor,
            &currency,
            self.now,
        )
        .await
    }

    async fn reversal_targets(
        &self,
        payment_ref: Option<&str>,
        customer: Option<&str>,
    ) -> CoreResult<Vec<member::Model>> {
        let mut out: Vec<member::Model> = Vec::new();
        if let Some(r) = payment_ref
            && let Some(m) = lookup::purchase_member(self.conn, self.provider(), r).await?
        {
            out.push(m);
        }
        if let Some(m) = self.member_from_customer(customer).await?
            && out.iter().all(|o| o.id != m.id)
        {
            out.push(m);
        }
        Ok(out)
    }

    async fn reversal_revenue(
        &self,
        kind: RevenueKind,
        external_id: &str,
        targets: &[member::Model],
        amount_minor: i64,
        currency: &str,
        payment_ref: Option<&str>,
    ) -> CoreResult<()> {
        let m = targets.first();
        let offer_key = match payment_ref {
            Some(r) => lookup::purchase(self.conn, self.provider(), r)
                .await?
                .and_then(|p| p.offer_key),
            None => None,
        };
        facts::record_revenue(
            self.conn,
            NewRevenue {
                provider: self.provider(),
                kind,
                external_id,
                community_id: m.map(|m| m.community_id),
                member_id: m.map(|m| m.id),
                offer_key,
                amount_minor,
                currency: currency.to_ascii_uppercase(),
                at: self.ev.created,
            },
        )
        .await?;
        Ok(())
    }

    /// Money given back or taken back: recorded, the revenue ledger and any
    /// referral credit adjusted, and the owners' access recomputed.
    async fn reverse(&self, r: NewReversal<'_>, count_at_once: bool) -> CoreResult<EventOutcome> {
        let targets = self
            .reversal_targets(r.payment_ref.as_deref(), r.customer.as_deref())
            .await?;
        let before = self.held(&targets).await?;
        let (kind, external, amount) = (r.kind, r.external_id.to_owned(), r.amount_minor);
        let (currency, payment_ref) = (r.currency.clone(), r.payment_ref.clone());
        let stored = facts::merge_reversal(self.conn, r).await?;
        let settled = stored.state.is_final();
        if count_at_once || settled {
            self.reversal_revenue(
                kind.into(),
                &external,
                &targets,
                amount,
                &currency,
                payment_ref.as_deref(),
            )
            .await?;
        }
        if settled {
            self.claw_back(&targets).await?;
        }
        self.recompute_all(before).await
    }

    async fn claw_back(&self, targets: &[member::Model]) -> CoreResult<()> {
        for m in targets {
            referrals::claw_back(self.conn, self.communities, m, self.now).await?;
        }
        Ok(())
    }
}

/// The offer named by the metadata, else the first price that is known.
async fn offer_for<C: ConnectionTrait>(
    conn: &C,
    community_id: Option<i64>,
    refs: &Refs,
    price_ids: &[String],
) -> CoreResult<Option<offer::Model>> {
    if let Some(key) = &refs.offer
        && let Some(o) = find_offer(conn, community_id, Some(key), None).await?
    {
        return Ok(Some(o));
    }
    for price in price_ids {
        if let Some(o) = find_offer(conn, community_id, None, Some(price)).await? {
            return Ok(Some(o));
        }
    }
    Ok(None)
}

fn unmatched(refs: &Refs) -> EventOutcome {
    let reason = if refs.is_empty() {
        "no lyceum metadata and no known customer or subscription".to_owned()
    } else {
        format!(
            "metadata names community {:?}, member {:?}, which do not match a member",
            refs.community, refs.member
        )
    };
    EventOutcome::Unmatched { reason }
}
