//! Payments and the access lifecycle: provider events in, entitlements out.
//! Providers are adapters; this module only sees [`PaymentEvent`]s and asks
//! for checkouts through the [`Billing`] trait.

mod apply;
mod billing;
pub mod derive;
pub mod event;
pub mod facts;
mod lookup;
mod recompute;
pub mod referrals;
pub mod revenue;
pub mod trials;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

pub(crate) use apply::Applier;
pub use apply::EventOutcome;
pub use billing::{Billing, BillingError, ChargeOwner, CheckoutPrice, CheckoutRequest, CouponRequest};
pub use event::{PaymentEvent, PaymentFact};
pub use lookup::find_offer;
pub(crate) use recompute::{Why, recompute};

use crate::entity::{
    billing_customer, member, offer, purchase, referral, referral_code, reminder, subscription,
};
use crate::error::CoreResult;

/// Offers the member owns: bought, and the money not taken back.
pub async fn owned_offers<C: ConnectionTrait>(conn: &C, m: &member::Model) -> CoreResult<Vec<offer::Model>> {
    let found = facts::member_facts(conn, m.id).await?;
    let mut out = Vec::new();
    for p in &found.purchases {
        let reversed = found
            .reversals
            .iter()
            .any(|r| facts::is_final_reversal(r) && r.payment_ref.as_deref() == Some(p.payment_ref.as_str()));
        if reversed {
            continue;
        }
        let Some(key) = &p.offer_key else { continue };
        if let Some(o) = lookup::find_offer(conn, Some(m.community_id), Some(key), None).await?
            && out.iter().all(|x: &offer::Model| x.id != o.id)
        {
            out.push(o);
        }
    }
    Ok(out)
}

/// Moves payment records from a member being merged away to the one kept.
pub(crate) async fn merge_members<C: ConnectionTrait>(
    conn: &C,
    winner: &member::Model,
    loser: &member::Model,
) -> CoreResult<()> {
    billing_customer::Entity::update_many()
        .col_expr(billing_customer::Column::MemberId, Expr::value(winner.id))
        .filter(billing_customer::Column::MemberId.eq(loser.id))
        .exec(conn)
        .await?;
    subscription::Entity::update_many()
        .col_expr(subscription::Column::MemberId, Expr::value(winner.id))
        .filter(subscription::Column::MemberId.eq(loser.id))
        .exec(conn)
        .await?;
    purchase::Entity::update_many()
        .col_expr(purchase::Column::MemberId, Expr::value(winner.id))
        .filter(purchase::Column::MemberId.eq(loser.id))
        .exec(conn)
        .await?;
    crate::entity::revenue::Entity::update_many()
        .col_expr(crate::entity::revenue::Column::MemberId, Expr::value(winner.id))
        .filter(crate::entity::revenue::Column::MemberId.eq(loser.id))
        .exec(conn)
        .await?;
    reminder::Entity::delete_many()
        .filter(reminder::Column::MemberId.eq(loser.id))
        .exec(conn)
        .await?;
    referral_code::Entity::delete_many()
        .filter(referral_code::Column::MemberId.eq(loser.id))
        .exec(conn)
        .await?;
    // A referral of the loser survives only if the winner has none.
    let winner_referred = referral::Entity::find()
        .filter(referral::Column::ReferredId.eq(winner.id))
        .one(conn)
        .await?
        .is_some();
    if winner_referred {
        referral::Entity::delete_many()
            .filter(referral::Column::ReferredId.eq(loser.id))
            .exec(conn)
            .await?;
    } else {
        referral::Entity::update_many()
            .col_expr(referral::Column::ReferredId, Expr::value(winner.id))
            .filter(referral::Column::ReferredId.eq(loser.id))
            .exec(conn)
            .await?;
    }
    referral::Entity::update_many()
        .col_expr(referral::Column::ReferrerId, Expr::value(winner.id))
        .filter(referral::Column::ReferrerId.eq(loser.id))
        .exec(conn)
        .await?;
    // Linking a person to themselves must not leave a self-referral behind.
    referral::Entity::delete_many()
        .filter(referral::Column::ReferrerId.eq(winner.id))
        .filter(referral::Column::ReferredId.eq(winner.id))
        .exec(conn)
        .await?;
    Ok(())
}

pub(crate) async fn merge_trials<C: ConnectionTrait>(conn: &C, winner: i64, loser: i64) -> CoreResult<()> {
    trials::merge(conn, winner, loser).await
}
