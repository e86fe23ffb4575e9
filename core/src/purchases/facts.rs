//! Writing and reading what providers told us. Every write here is a merge
//! that gives the same stored result whatever order it is applied in: first
//! writer wins for links, newest snapshot wins for subscriptions, and
//! amounts and dispute states only grow.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::derive::{SnapshotKey, SnapshotSource};
use super::event::SubscriptionSnapshot;
use crate::entity::kinds::{RevenueKind, ReversalKind, ReversalState};
use crate::entity::{billing_customer, payment_event, purchase, revenue, reversal, subscription};
use crate::error::{CoreError, CoreResult};

/// Records the delivery; `None` if this event id was seen before.
pub async fn record_event<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    event_id: &str,
    event_type: &str,
    created: i64,
    now: i64,
) -> CoreResult<Option<i64>> {
    let row = payment_event::ActiveModel {
        provider: Set(provider.to_owned()),
        event_id: Set(event_id.to_owned()),
        event_type: Set(event_type.to_owned()),
        created: Set(created),
        received_at: Set(now),
        member_id: Set(None),
        outcome: Set(String::new()),
        ..Default::default()
    };
    let inserted = payment_event::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([payment_event::Column::Provider, payment_event::Column::EventId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let row = payment_event::Entity::find()
        .filter(payment_event::Column::Provider.eq(provider))
        .filter(payment_event::Column::EventId.eq(event_id))
        .one(conn)
        .await?
        .ok_or_else(|| CoreError::Corrupt("payment event vanished after insert".into()))?;
    Ok(Some(row.id))
}

pub async fn set_outcome<C: ConnectionTrait>(
    conn: &C,
    event_row: i64,
    member_id: Option<i64>,
    outcome: &str,
) -> CoreResult<()> {
    payment_event::Entity::update_many()
        .col_expr(payment_event::Column::MemberId, Expr::value(member_id))
        .col_expr(payment_event::Column::Outcome, Expr::value(outcome))
        .filter(payment_event::Column::Id.eq(event_row))
        .exec(conn)
        .await?;
    Ok(())
}

/// The member a provider customer belongs to, if known.
pub async fn customer_member<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    customer: &str,
) -> CoreResult<Option<i64>> {
    Ok(billing_customer::Entity::find()
        .filter(billing_customer::Column::Provider.eq(provider))
        .filter(billing_customer::Column::CustomerId.eq(customer))
        .one(conn)
        .await?
        .map(|c| c.member_id))
}

pub async fn customers_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<Vec<String>> {
    Ok(billing_customer::Entity::find()
        .filter(billing_customer::Column::MemberId.eq(member_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.customer_id)
        .collect())
}

/// Ties a customer to a member (the first tie stands) and claims the
/// customer's orphaned subscriptions and purchases for that member.
pub async fn link_customer<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    customer: &str,
    member_id: i64,
    now: i64,
) -> CoreResult<i64> {
    let row = billing_customer::ActiveModel {
        provider: Set(provider.to_owned()),
        customer_id: Set(customer.to_owned()),
        member_id: Set(member_id),
        created_at: Set(now),
        ..Default::default()
    };
    billing_customer::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                billing_customer::Column::Provider,
                billing_customer::Column::CustomerId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    let owner = customer_member(conn, provider, customer)
        .await?
        .unwrap_or(member_id);
    subscription::Entity::update_many()
        .col_expr(subscription::Column::MemberId, Expr::value(owner))
        .filter(subscription::Column::Provider.eq(provider))
        .filter(subscription::Column::CustomerId.eq(customer))
        .filter(subscription::Column::MemberId.is_null())
        .exec(conn)
        .await?;
    purchase::Entity::update_many()
        .col_expr(purchase::Column::MemberId, Expr::value(owner))
        .filter(purchase::Column::Provider.eq(provider))
        .filter(purchase::Column::CustomerId.eq(customer))
        .filter(purchase::Column::MemberId.is_null())
        .exec(conn)
        .await?;
    Ok(owner)
}

pub async fn find_subscription<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    id: &str,
) -> CoreResult<Option<subscription::Model>> {
    Ok(subscription::Entity::find()
        .filter(subscription::Column::Provider.eq(provider))
        .filter(subscription::Column::ExternalId.eq(id))
        .one(conn)
        .await?)
}

fn stored_key(s: &subscription::Model) -> SnapshotKey {
    SnapshotKey {
        source: s.snapshot_source,
        at: s.snapshot_at,
        status: s.status,
        period_end: s.current_period_end,
        cancel_at_period_end: s.cancel_at_period_end,
        ended_at: s.ended_at,
        price: s.price_id.clone(),
    }
}

/// Links a subscription to its member and offer if it was not yet, and
/// replaces its state if `snap` is newer than what is stored.
pub async fn merge_subscription<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    snap: &SubscriptionSnapshot,
    key: SnapshotKey,
    member_id: Option<i64>,
    offer_key: Option<String>,
    now: i64,
) -> CoreResult<subscription::Model> {
    let existing = find_subscription(conn, provider, &snap.id).await?;
    let (mut a, newer) = match existing {
        Some(s) => {
            let newer = key.supersedes(&stored_key(&s));
            (subscription::ActiveModel::from(s), newer)
        }
        None => (
            subscription::ActiveModel {
                provider: Set(provider.to_owned()),
                external_id: Set(snap.id.clone()),
                customer_id: Set(None),
                member_id: Set(None),
                price_id: Set(None),
                offer_key: Set(None),
                started_at: Set(None),
                ..Default::default()
            },
            true,
        ),
    };
    fill(&mut a.customer_id, snap.customer.clone());
    fill(&mut a.member_id, member_id);
    fill(&mut a.offer_key, offer_key);
    fill(&mut a.price_id, snap.price_id.clone());
    // A subscription's start never changes; only the provider's own object
    // knows it, so a checkout's guess must not take its place.
    if key.source == SnapshotSource::Subscription && snap.started_at.is_some() {
        a.started_at = Set(snap.started_at);
    }
    if newer {
        a.status = Set(key.status);
        a.current_period_end = Set(key.period_end);
        a.cancel_at_period_end = Set(key.cancel_at_period_end);
        a.ended_at = Set(key.ended_at);
        a.snapshot_at = Set(key.at);
        a.snapshot_source = Set(key.source);
        // A plan change moves the subscription to another price.
        if key.source == SnapshotSource::Subscription && key.price.is_some() {
            a.price_id = Set(key.price.clone());
        }
    }
    a.updated_at = Set(now);
    Ok(sea_orm::TryIntoModel::try_into_model(a.save(conn).await?)?)
}

/// Sets an optional column only if it is still empty.
fn fill<T: Into<sea_orm::Value> + sea_orm::sea_query::Nullable + Clone>(
    col: &mut sea_orm::ActiveValue<Option<T>>,
    value: Option<T>,
) {
    let empty = match col {
        sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => v.is_none(),
        sea_orm::ActiveValue::NotSet => true,
    };
    if empty && value.is_some() {
        *col = Set(value);
    }
}

pub struct NewPurchase<'a> {
    pub provider: &'a str,
    pub payment_ref: &'a str,
    pub customer: Option<String>,
    pub member_id: Option<i64>,
    pub offer_key: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub paid_at: i64,
}

pub async fn record_purchase<C: ConnectionTrait>(conn: &C, p: NewPurchase<'_>) -> CoreResult<()> {
    let row = purchase::ActiveModel {
        provider: Set(p.provider.to_owned()),
        payment_ref: Set(p.payment_ref.to_owned()),
        customer_id: Set(p.customer),
        member_id: Set(p.member_id),
        offer_key: Set(p.offer_key),
        amount_minor: Set(p.amount_minor),
        currency: Set(p.currency),
        paid_at: Set(p.paid_at),
        ..Default::default()
    };
    purchase::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([purchase::Column::Provider, purchase::Column::PaymentRef])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub struct NewReversal<'a> {
    pub provider: &'a str,
    /// A refund is keyed by its charge, a dispute by the dispute's id.
    pub kind: ReversalKind,
    pub external_id: &'a str,
    pub payment_ref: Option<String>,
    pub charge_id: Option<String>,
    pub charge_created: Option<i64>,
    pub customer: Option<String>,
    pub state: ReversalState,
    pub amount_minor: i64,
    pub currency: String,
    pub at: i64,
}

pub async fn merge_reversal<C: ConnectionTrait>(conn: &C, r: NewReversal<'_>) -> CoreResult<reversal::Model> {
    let existing = reversal::Entity::find()
        .filter(reversal::Column::Provider.eq(r.provider))
        .filter(reversal::Column::Kind.eq(r.kind))
        .filter(reversal::Column::ExternalId.eq(r.external_id))
        .one(conn)
        .await?;
    let model = match existing {
        None => {
            reversal::ActiveModel {
                provider: Set(r.provider.to_owned()),
                kind: Set(r.kind),
                external_id: Set(r.external_id.to_owned()),
                payment_ref: Set(r.payment_ref),
                charge_id: Set(r.charge_id),
                charge_created: Set(r.charge_created),
                customer_id: Set(r.customer),
                state: Set(r.state),
                amount_minor: Set(r.amount_minor),
                currency: Set(r.currency),
                at: Set(r.at),
                ..Default::default()
            }
            .insert(conn)
            .await?
        }
        Some(old) => {
            let later_state = r.state.rank() > old.state.rank();
            let amount = old.amount_minor.max(r.amount_minor);
            let at = old.at.max(r.at);
            let mut a: reversal::ActiveModel = old.into();
            fill(&mut a.payment_ref, r.payment_ref);
            fill(&mut a.charge_id, r.charge_id);
            fill(&mut a.charge_created, r.charge_created);
            fill(&mut a.customer_id, r.customer);
            if later_state {
                a.state = Set(r.state);
            }
            a.amount_minor = Set(amount);
            a.at = Set(at);
            a.update(conn).await?
        }
    };
    Ok(model)
}

pub struct NewRevenue<'a> {
    pub provider: &'a str,
    pub kind: RevenueKind,
    pub external_id: &'a str,
    pub community_id: Option<i64>,
    pub member_id: Option<i64>,
    pub offer_key: Option<String>,
    /// Positive; refunds and disputes are subtracted when summed.
    pub amount_minor: i64,
    pub currency: String,
    pub at: i64,
}

/// One row per payment, refund (cumulative per charge) or lost dispute.
pub async fn record_revenue<C: ConnectionTrait>(conn: &C, r: NewRevenue<'_>) -> CoreResult<()> {
    let existing = revenue::Entity::find()
        .filter(revenue::Column::Provider.eq(r.provider))
        .filter(revenue::Column::Kind.eq(r.kind))
        .filter(revenue::Column::ExternalId.eq(r.external_id))
        .one(conn)
        .await?;
    match existing {
        None => {
            revenue::ActiveModel {
                provider: Set(r.provider.to_owned()),
                kind: Set(r.kind),
                external_id: Set(r.external_id.to_owned()),
                community_id: Set(r.community_id),
                member_id: Set(r.member_id),
                offer_key: Set(r.offer_key),
                amount_minor: Set(r.amount_minor),
                currency: Set(r.currency),
                at: Set(r.at),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
        Some(old) => {
            let amount = old.amount_minor.max(r.amount_minor);
            let mut a: revenue::ActiveModel = old.into();
            fill(&mut a.community_id, r.community_id);
            fill(&mut a.member_id, r.member_id);
            fill(&mut a.offer_key, r.offer_key);
            a.amount_minor = Set(amount);
            a.update(conn).await?;
        }
    }
    Ok(())
}

/// Everything stored that belongs to a member, directly or through one of
/// their provider customers.
pub struct MemberFacts {
    pub subscriptions: Vec<subscription::Model>,
    pub purchases: Vec<purchase::Model>,
    pub reversals: Vec<reversal::Model>,
}

pub async fn member_facts<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<MemberFacts> {
    let customers = customers_of(conn, member_id).await?;
    let subscriptions = subscription::Entity::find()
        .filter(
            Condition::any()
                .add(subscription::Column::MemberId.eq(member_id))
                .add_option(any_of(subscription::Column::CustomerId, &customers)),
        )
        .all(conn)
        .await?;
    let purchases = purchase::Entity::find()
        .filter(
            Condition::any()
                .add(purchase::Column::MemberId.eq(member_id))
                .add_option(any_of(purchase::Column::CustomerId, &customers)),
        )
        .all(conn)
        .await?;
    let refs: Vec<String> = purchases.iter().map(|p| p.payment_ref.clone()).collect();
    let by_ref = any_of(reversal::Column::PaymentRef, &refs);
    let by_customer = any_of(reversal::Column::CustomerId, &customers);
    let reversals = if by_ref.is_none() && by_customer.is_none() {
        Vec::new()
    } else {
        reversal::Entity::find()
            .filter(Condition::any().add_option(by_ref).add_option(by_customer))
            .all(conn)
            .await?
    };
    Ok(MemberFacts {
        subscriptions,
        purchases,
        reversals,
    })
}

/// `col IN (values)`, or nothing for no values: an empty list becomes a
/// constant that stops SQLite from using indexes for the whole OR.
fn any_of<C: ColumnTrait>(col: C, values: &[String]) -> Option<sea_orm::sea_query::SimpleExpr> {
    (!values.is_empty()).then(|| col.is_in(values.iter().cloned()))
}
