//! What Lyceum made for itself at a payment provider: a price per offer
//! and the webhook endpoint with its signing secret. An offer whose price
//! the configuration does not name sells at the price made for it, so the
//! offer rows carry it as if it had been configured.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::config::Offer;
use crate::entity::{offer, provider_endpoint, provider_price};
use crate::error::CoreResult;

/// A price as the provider holds it for one offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceRecord {
    pub offer_key: String,
    pub price_id: String,
    pub lookup_key: String,
    pub amount_minor: i64,
    pub currency: String,
    /// month or year for a subscription, none for a one-off.
    pub interval: Option<String>,
}

/// The prices made for a community's offers, by offer key.
pub async fn prices<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    provider: &str,
) -> CoreResult<HashMap<String, provider_price::Model>> {
    Ok(provider_price::Entity::find()
        .filter(provider_price::Column::CommunityId.eq(community_id))
        .filter(provider_price::Column::Provider.eq(provider))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.offer_key.clone(), p))
        .collect())
}

/// The price made for `o`, while it still asks what the configuration
/// does: after an amount changes, the offer is not sold at the old price
/// but waits for the setup to make the new one.
pub fn selling(made: &HashMap<String, provider_price::Model>, o: &Offer) -> Option<String> {
    let p = made.get(o.key.as_str())?;
    (p.amount_minor == o.price.amount_minor() && p.currency.eq_ignore_ascii_case(&o.price.currency_code()))
        .then(|| p.price_id.clone())
}

/// Keeps `p` as the price of its offer and lets the offer sell at it; an
/// offer whose configuration names a price is never placed.
pub async fn keep_price<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    provider: &str,
    p: &PriceRecord,
    now: i64,
) -> CoreResult<()> {
    provider_price::Entity::insert(provider_price::ActiveModel {
        community_id: Set(community_id),
        offer_key: Set(p.offer_key.clone()),
        provider: Set(provider.to_owned()),
        price_id: Set(p.price_id.clone()),
        lookup_key: Set(p.lookup_key.clone()),
        amount_minor: Set(p.amount_minor),
        currency: Set(p.currency.clone()),
        interval: Set(p.interval.clone()),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            provider_price::Column::CommunityId,
            provider_price::Column::OfferKey,
            provider_price::Column::Provider,
        ])
        .update_columns([
            provider_price::Column::PriceId,
            provider_price::Column::LookupKey,
            provider_price::Column::AmountMinor,
            provider_price::Column::Currency,
            provider_price::Column::Interval,
            provider_price::Column::CreatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    offer::Entity::update_many()
        .col_expr(
            offer::Column::StripePrice,
            sea_orm::sea_query::Expr::value(p.price_id.clone()),
        )
        .filter(offer::Column::CommunityId.eq(community_id))
        .filter(offer::Column::Key.eq(p.offer_key.as_str()))
        .exec(conn)
        .await?;
    Ok(())
}

/// The endpoint registered at `provider`, its secret still sealed.
pub async fn endpoint<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
) -> CoreResult<Option<provider_endpoint::Model>> {
    Ok(provider_endpoint::Entity::find()
        .filter(provider_endpoint::Column::Provider.eq(provider))
        .one(conn)
        .await?)
}

/// Keeps the endpoint registered at `provider`, replacing any before it.
pub async fn keep_endpoint<C: ConnectionTrait>(
    conn: &C,
    provider: &str,
    endpoint_id: &str,
    url: &str,
    sealed_secret: &str,
    now: i64,
) -> CoreResult<()> {
    provider_endpoint::Entity::insert(provider_endpoint::ActiveModel {
        provider: Set(provider.to_owned()),
        endpoint_id: Set(endpoint_id.to_owned()),
        url: Set(url.to_owned()),
        sealed_secret: Set(sealed_secret.to_owned()),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(provider_endpoint::Column::Provider)
            .update_columns([
                provider_endpoint::Column::EndpointId,
                provider_endpoint::Column::Url,
                provider_endpoint::Column::SealedSecret,
                provider_endpoint::Column::CreatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
