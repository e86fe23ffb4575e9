//! Finding the member and offer a payment belongs to.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::{member, offer, purchase};
use crate::error::CoreResult;

pub async fn member<C: ConnectionTrait>(conn: &C, id: i64) -> CoreResult<Option<member::Model>> {
    Ok(member::Entity::find_by_id(id).one(conn).await?)
}

/// An offer by key or by provider price id, within a community when one is
/// known. Retired offers still match: a renewal of an old price must count.
pub async fn find_offer<C: ConnectionTrait>(
    conn: &C,
    community_id: Option<i64>,
    key: Option<&str>,
    price_id: Option<&str>,
) -> CoreResult<Option<offer::Model>> {
    let mut q = offer::Entity::find();
    if let Some(c) = community_id {
        q = q.filter(offer::Column::CommunityId.eq(c));
    }
    match (key, price_id) {
        (Some(k), _) => {
            // A key is only meaningful inside a community.
            if community_id.is_none() {
                return Ok(None);
            }
            q = q.filter(offer::Column::Key.eq(k));
        }
        (None, Some(p)) => q = q.filter(offer::Column::StripePrice.eq(p)),
        (None, None) => return Ok(None),
    }
    Ok(q.one(conn).await?)
}

pub async fn purchase<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    payment_ref: &str,
) -> CoreResult<Option<purchase::Model>> {
    Ok(purchase::Entity::find()
        .filter(purchase::Column::Provider.eq(provider))
        .filter(purchase::Column::PaymentRef.eq(payment_ref))
        .one(conn)
        .await?)
}

/// The member who bought with this payment, if that purchase is known.
pub async fn purchase_member<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    payment_ref: &str,
) -> CoreResult<Option<member::Model>> {
    let Some(p) = purchase(conn, provider, payment_ref).await? else {
        return Ok(None);
    };
    match p.member_id {
        Some(id) => member(conn, id).await,
        None => Ok(None),
    }
}
