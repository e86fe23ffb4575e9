//! Commands that talk to the payment provider. Each reads what it needs in a
//! short transaction, commits, and only then calls the provider, so no
//! database lock is held across a network call. Nothing here changes access:
//! that happens when the provider's webhook arrives.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::execute::price_view;
use super::{Core, Invoker};
use crate::clock::iso;
use crate::command::Command;
use crate::config::OfferKind;
use crate::domain::{Locale, LocalizedText};
use crate::entity::{coupon, member, offer, subscription};
use crate::error::{CoreError, CoreResult, UserError};
use crate::payments::{BillingError, CheckoutPrice, CheckoutRequest, CouponRequest};
use crate::purchases::event::SubStatus;
use crate::purchases::find_offer;
use crate::purchases::{facts, owned_offers, trials};
use crate::reply::Reply;
use crate::store::access::{tier_by_id, tier_name, tiers_of, unknown_tier};
use crate::store::sync::CommunityCtx;

impl From<BillingError> for CoreError {
    fn from(e: BillingError) -> Self {
        match e {
            BillingError::Refused(message) => UserError::BillingRefused { message }.into(),
            BillingError::Unavailable(detail) => {
                tracing::warn!(%detail, "payment provider unavailable");
                UserError::BillingUnavailable.into()
            }
        }
    }
}

fn offer_name(ctx: &CommunityCtx, o: &offer::Model, locale: Locale) -> String {
    LocalizedText::from_json(&o.name)
        .get(locale, ctx.config.default_locale)
        .to_owned()
}

/// Subscriptions of the member that still run: paying, trialing or retrying.
async fn live_subscriptions<C: ConnectionTrait>(
    conn: &C,
    m: &member::Model,
    now: i64,
) -> CoreResult<Vec<subscription::Model>> {
    let found = facts::member_facts(conn, m.id).await?;
    Ok(found
        .subscriptions
        .into_iter()
        .filter(|s| {
            matches!(
                s.status,
                SubStatus::Active | SubStatus::Trialing | SubStatus::PastDue
            ) && s.current_period_end.is_none_or(|e| e > now)
        })
        .collect())
}

/// The localized name of the tier a subscription is for, if it is known.
async fn subscription_tier<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    s: &subscription::Model,
    locale: Locale,
) -> CoreResult<Option<String>> {
    let o = find_offer(conn, Some(ctx.id), None, s.price_id.as_deref()).await?;
    let o = match o {
        Some(o) => Some(o),
        None => find_offer(conn, Some(ctx.id), s.offer_key.as_deref(), None).await?,
    };
    let t = tier_by_id(conn, o.and_then(|o| o.tier_id)).await?;
    Ok(t.map(|t| tier_name(ctx, &t, locale)))
}

/// What a member asks to buy, for [`refuse_repeat_sale`].
pub(super) struct Wanted<'a> {
    pub subscription: bool,
    pub offer_key: &'a str,
    /// Its name in the member's language.
    pub name: &'a str,
}

/// Refuses to sell what the member already has: a second running
/// subscription (plan changes go through the provider's portal) or an offer
/// they own. One rule for every provider, so no one is charged twice.
pub(super) async fn refuse_repeat_sale<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    wanted: Wanted<'_>,
    locale: Locale,
    now: i64,
) -> CoreResult<()> {
    let Wanted {
        subscription,
        offer_key,
        name,
    } = wanted;
    if subscription {
        if let Some(s) = live_subscriptions(conn, m, now).await?.first() {
            let held = subscription_tier(conn, ctx, s, locale)
                .await?
                .unwrap_or_else(|| name.to_owned());
            return Err(UserError::AlreadySubscribed { tier: held }.into());
        }
    } else if owned_offers(conn, m).await?.iter().any(|o| o.key == offer_key) {
        return Err(UserError::AlreadyOwned {
            name: name.to_owned(),
        }
        .into());
    }
    Ok(())
}

/// What a checkout sells.
struct Sale<'a> {
    offer: &'a offer::Model,
    name: String,
    price: CheckoutPrice,
    subscription: bool,
    trial_days: Option<u32>,
}

/// A one-off sale of `o`: at its provider price if it has one, otherwise
/// at its own amount (lessons posted in chat). A free offer is not sold.
fn one_off(o: &offer::Model, name: String) -> CoreResult<Sale<'_>> {
    let price = match &o.stripe_price {
        Some(id) => CheckoutPrice::Id(id.clone()),
        None if o.amount_minor > 0 => CheckoutPrice::Inline {
            name: name.clone(),
            amount_minor: o.amount_minor,
            currency: o.currency.clone(),
        },
        None => return Err(UserError::NotForSale { name }.into()),
    };
    Ok(Sale {
        offer: o,
        name,
        price,
        subscription: false,
        trial_days: None,
    })
}

/// Who a checkout is for, and where the provider sends them back to.
struct Buyer<'a> {
    m: &'a member::Model,
    /// Their existing provider customer, so history stays in one place.
    customer: Option<String>,
    locale: Locale,
    back: Option<crate::payments::Return>,
}

/// Asks the provider for a checkout page and says where it is.
async fn checkout(
    billing: &dyn crate::payments::Billing,
    ctx: &CommunityCtx,
    buyer: Buyer<'_>,
    sale: Sale<'_>,
) -> CoreResult<Reply> {
    let req = CheckoutRequest {
        community: ctx.slug().to_owned(),
        member_id: buyer.m.id,
        offer_key: sale.offer.key.clone(),
        price: sale.price,
        subscription: sale.subscription,
        trial_days: sale.trial_days,
        customer: buyer.customer,
        locale: buyer.locale,
        back: buyer.back,
    };
    let url = billing.checkout(&req).await?;
    Ok(Reply::Checkout {
        offer: sale.name,
        price: price_view(sale.offer).display,
        trial_days: sale.trial_days,
        url,
    })
}

/// Sells offer `o` once (a course, a lesson) unless the buyer owns it:
/// commits `txn` before calling the provider.
async fn sell_one_off(
    txn: sea_orm::DatabaseTransaction,
    billing: &dyn crate::payments::Billing,
    ctx: &CommunityCtx,
    buyer: Buyer<'_>,
    o: &offer::Model,
    now: i64,
) -> CoreResult<Reply> {
    let name = offer_name(ctx, o, buyer.locale);
    let wanted = Wanted {
        subscription: false,
        offer_key: &o.key,
        name: &name,
    };
    refuse_repeat_sale(&txn, ctx, buyer.m, wanted, buyer.locale, now).await?;
    txn.commit().await?;
    let sale = one_off(o, name)?;
    checkout(billing, ctx, buyer, sale).await
}

impl Core {
    pub(super) async fn run_billing(
        &self,
        ctx: &CommunityCtx,
        invoker: &Invoker,
        cmd: Command,
        locale: Locale,
    ) -> CoreResult<Reply> {
        if let Command::Subscribe { tier: None, .. } = cmd {
            return Ok(Reply::Tiers {
                community: ctx.config.name.get(locale, ctx.config.default_locale).to_owned(),
                tiers: super::execute::tier_views(&self.db, ctx, locale).await?,
            });
        }
        if let Command::Refund { user, payment } = &cmd {
            return self.run_refund(ctx, user, payment).await;
        }
        let Some(billing) = self.billing.clone() else {
            return Err(UserError::PaymentsDisabled.into());
        };
        let now = self.clock.now();
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
        let (m, _) = invoker.membership(&txn, ctx.id, now).await?;
        let customer = facts::customers_of(&txn, m.id).await?.into_iter().next();
        let buyer = |customer| Buyer {
            m: &m,
            customer,
            locale,
            back: invoker.back.clone(),
        };

        match cmd {
            Command::Subscribe {
                tier: Some(tier),
                yearly,
            } => {
                let tiers = tiers_of(&txn, ctx.id).await?;
                let Some(t) = tiers.iter().find(|t| t.key == tier.as_str()) else {
                    return Err(unknown_tier(&tier, &tiers).into());
                };
                let name = tier_name(ctx, t, locale);
                let wanted = Wanted {
                    subscription: true,
                    offer_key: "",
                    name: &name,
                };
                refuse_repeat_sale(&txn, ctx, &m, wanted, locale, now).await?;
                let kind = if yearly {
                    OfferKind::TierYearly
                } else {
                    OfferKind::TierMonthly
                };
                let o = offer::Entity::find()
                    .filter(offer::Column::CommunityId.eq(ctx.id))
                    .filter(offer::Column::TierId.eq(t.id))
                    .filter(offer::Column::Kind.eq(kind.as_str()))
                    .filter(offer::Column::Active.eq(true))
                    .one(&txn)
                    .await?;
                let Some((o, price)) =
                    o.and_then(|o| o.stripe_price.clone().map(|p| (o, CheckoutPrice::Id(p))))
                else {
                    return Err(UserError::NotForSale { name }.into());
                };
                let had_subscription = !facts::member_facts(&txn, m.id).await?.subscriptions.is_empty();
                let trial = (t.trial_days > 0 && !had_subscription && !trials::used(&txn, &m).await?)
                    .then(|| u32::try_from(t.trial_days).unwrap_or(0));
                txn.commit().await?;
                let sale = Sale {
                    offer: &o,
                    name,
                    price,
                    subscription: true,
                    trial_days: trial,
                };
                checkout(billing.as_ref(), ctx, buyer(customer), sale).await
            }
            Command::Buy { offer: key } => {
                let for_sale = offer::Entity::find()
                    .filter(offer::Column::CommunityId.eq(ctx.id))
                    .filter(offer::Column::Active.eq(true))
                    .filter(
                        offer::Column::Kind.is_in([OfferKind::Course.as_str(), OfferKind::Lesson.as_str()]),
                    )
                    .all(&txn)
                    .await?;
                let Some(o) = for_sale.iter().find(|o| o.key == key.as_str()).cloned() else {
                    return Err(UserError::UnknownOffer {
                        key: key.to_string(),
                        available: for_sale
                            .iter()
                            .map(|o| o.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    }
                    .into());
                };
                sell_one_off(txn, billing.as_ref(), ctx, buyer(customer), &o, now).await
            }
            Command::Unlock { lesson, .. } => {
                let o = self.lesson_for_sale(&txn, ctx, &m, &lesson, now).await?;
                sell_one_off(txn, billing.as_ref(), ctx, buyer(customer), &o, now).await
            }
            Command::Billing => {
                txn.commit().await?;
                let customer = customer.ok_or(UserError::NoBillingAccount)?;
                Ok(Reply::Portal {
                    url: billing.portal(&customer, locale).await?,
                })
            }
            Command::Cancel => {
                let live = live_subscriptions(&txn, &m, now).await?;
                let Some(s) = live.iter().find(|s| !s.cancel_at_period_end) else {
                    return Err(match live.first() {
                        Some(s) => UserError::AlreadyCanceling {
                            until: s.current_period_end.map(iso).unwrap_or_default(),
                        },
                        None => UserError::NoSubscription,
                    }
                    .into());
                };
                let tier = subscription_tier(&txn, ctx, s, locale).await?.unwrap_or_default();
                txn.commit().await?;
                billing.cancel_at_period_end(&s.external_id).await?;
                Ok(Reply::CancelScheduled {
                    tier,
                    until: s.current_period_end.map(iso),
                })
            }
            Command::Coupon {
                code,
                percent,
                months,
            } => {
                txn.commit().await?;
                let code = code.to_ascii_uppercase();
                let req = CouponRequest {
                    community: ctx.slug().to_owned(),
                    code: code.clone(),
                    percent_off: percent,
                    months,
                    actor: invoker.identity.to_string(),
                };
                let coupon_id = billing.create_coupon(&req).await?;
                coupon::Entity::insert(coupon::ActiveModel {
                    community_id: Set(ctx.id),
                    provider: Set(billing.provider().to_owned()),
                    coupon_id: Set(coupon_id),
                    code: Set(code.clone()),
                    percent_off: Set(i32::try_from(percent).unwrap_or(0)),
                    created_by: Set(invoker.identity.to_string()),
                    created_at: Set(now),
                    ..Default::default()
                })
                .exec(&self.db)
                .await?;
                Ok(Reply::CouponCreated {
                    code,
                    percent,
                    months,
                })
            }
            other => Err(CoreError::Corrupt(format!(
                "/{} is not a billing command",
                other.name()
            ))),
        }
    }
}
