//! Telegram Stars as a second payment provider. Stars invoices are made by
//! the Telegram adapter; the core decides what may be sold to whom, and
//! turns a successful payment into the same payment events Stripe's
//! webhooks become, so access and revenue follow one lifecycle.

use super::billing::{Wanted, refuse_repeat_sale};
use super::{Core, Invoker};
use crate::command::Command;
use crate::config::{Offer, OfferKind};
use crate::error::{CoreResult, UserError};
use crate::purchases::event::{
    CheckoutCompleted, CheckoutMode, InvoicePayment, PaymentEvent, PaymentFact, Refs, SubStatus,
    SubscriptionSnapshot,
};

pub const STARS: &str = "XTR";
pub const PROVIDER: &str = "telegram";
/// Telegram's only subscription period.
pub const PERIOD_SECS: i64 = 30 * 86_400;

/// What to put on a Stars invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarsInvoice {
    /// Comes back with the payment: `lyceum:<member>:<offer>`.
    pub payload: String,
    pub title: String,
    pub description: String,
    pub stars: u32,
    pub subscription: bool,
    /// The language to offer it in.
    pub locale: crate::domain::Locale,
}

/// A successful Stars payment as Telegram reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarsPayment {
    pub user: i64,
    pub payload: String,
    pub charge_id: String,
    pub stars: u32,
    pub at: i64,
    /// Set for subscriptions: when the paid period ends.
    pub expires_at: Option<i64>,
}

fn parse_payload(payload: &str) -> Option<(i64, String)> {
    let rest = payload.strip_prefix("lyceum:")?;
    let (member, offer) = rest.split_once(':')?;
    Some((member.parse().ok()?, offer.to_owned()))
}

impl Core {
    fn stars_offer<'a>(&'a self, slug: &str, cmd: &Command) -> Option<&'a Offer> {
        let ctx = self.community(slug)?;
        let key = match cmd {
            Command::Subscribe {
                tier: Some(t),
                yearly: false,
            } => format!("{t}-monthly"),
            Command::Buy { offer } => offer.to_string(),
            _ => return None,
        };
        ctx.config
            .offers
            .iter()
            .find(|o| o.key.as_str() == key && o.stars.is_some())
    }

    /// A Stars invoice for `/subscribe <tier>` or `/buy <offer>` when the
    /// offer has a Stars price; `None` to sell it another way.
    pub async fn stars_invoice(
        &self,
        slug: &str,
        invoker: &Invoker,
        cmd: &Command,
    ) -> CoreResult<Option<StarsInvoice>> {
        if let Command::Unlock {
            lesson,
            with: Some(crate::command::UnlockWith::Buy),
        } = cmd
        {
            return self.lesson_stars_invoice(slug, invoker, lesson).await;
        }
        let Some(offer) = self.stars_offer(slug, cmd).cloned() else {
            return Ok(None);
        };
        let ctx = self.ctx_for(slug)?;
        let locale = invoker.locale.unwrap_or(ctx.config.default_locale);
        let now = self.clock.now();
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
        let (m, _) = invoker.membership(&txn, ctx.id, now).await?;
        let name = offer.name.get(locale, ctx.config.default_locale).to_owned();
        let subscription = offer.kind == OfferKind::TierMonthly;
        let wanted = Wanted {
            subscription,
            offer_key: offer.key.as_str(),
            name: &name,
        };
        refuse_repeat_sale(&txn, ctx, &m, wanted, locale, now).await?;
        txn.commit().await?;
        Ok(Some(StarsInvoice {
            payload: format!("lyceum:{}:{}", m.id, offer.key),
            title: name.chars().take(32).collect(),
            description: format!(
                "{} — {}",
                ctx.config.name.get(locale, ctx.config.default_locale),
                name
            ),
            stars: offer.stars.unwrap_or(1),
            subscription,
            locale,
        }))
    }

    /// `/unlock <lesson> buy` on Telegram: a Stars invoice when the lesson
    /// has a Stars price; `None` to sell it another way.
    async fn lesson_stars_invoice(
        &self,
        slug: &str,
        invoker: &Invoker,
        key: &crate::domain::Key,
    ) -> CoreResult<Option<StarsInvoice>> {
        let ctx = self.ctx_for(slug)?;
        let locale = invoker.locale.unwrap_or(ctx.config.default_locale);
        let now = self.clock.now();
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
        let l = crate::lessons::store::readable(&txn, ctx.id, key.as_str()).await?;
        let Some(stars) = l.stars.and_then(|n| u32::try_from(n).ok()) else {
            return Ok(None);
        };
        let (m, _) = invoker.membership(&txn, ctx.id, now).await?;
        let o = self.lesson_for_sale(&txn, ctx, &m, key, now).await?;
        let wanted = Wanted {
            subscription: false,
            offer_key: &o.key,
            name: &l.title,
        };
        refuse_repeat_sale(&txn, ctx, &m, wanted, locale, now).await?;
        txn.commit().await?;
        Ok(Some(StarsInvoice {
            payload: format!("lyceum:{}:{}", m.id, o.key),
            title: l.title.chars().take(32).collect(),
            description: format!(
                "{} — {}",
                ctx.config.name.get(locale, ctx.config.default_locale),
                l.title
            ),
            stars,
            subscription: false,
            locale,
        }))
    }

    /// Whether an invoice's payload still names an offer for sale at the
    /// same price (Telegram asks before taking the money): a configured
    /// offer, or a lesson still sold for that many Stars.
    pub async fn stars_still_for_sale(&self, payload: &str, stars: u32) -> bool {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let Some((_, key)) = parse_payload(payload) else {
            return false;
        };
        let configured = self.communities.iter().any(|c| {
            c.config
                .offers
                .iter()
                .any(|o| o.key.as_str() == key && o.stars == Some(stars))
        });
        if configured {
            return true;
        }
        let Some(lesson_key) = super::lessons::lesson_of_offer(&key) else {
            return false;
        };
        let found = crate::entity::lesson::Entity::find()
            .filter(crate::entity::lesson::Column::Key.eq(lesson_key))
            .filter(crate::entity::lesson::Column::RemovedAt.is_null())
            .filter(crate::entity::lesson::Column::Stars.eq(i32::try_from(stars).unwrap_or(-1)))
            .all(&self.db)
            .await;
        match found {
            Ok(lessons) => !lessons.is_empty(),
            Err(e) => {
                tracing::error!(error = %e, "cannot check a lesson's Stars price; refusing the payment for now");
                false
            }
        }
    }

    /// The payment events a successful Stars payment stands for.
    pub fn stars_events(&self, p: &StarsPayment) -> CoreResult<Vec<PaymentEvent>> {
        let (member, offer) = parse_payload(&p.payload).ok_or_else(|| {
            crate::error::CoreError::Corrupt(format!("Stars payment {} has an unknown payload", p.charge_id))
        })?;
        let refs = Refs {
            community: None,
            member: Some(member),
            offer: Some(offer.clone()),
        };
        let customer = Some(format!("tg:{}", p.user));
        let event = |suffix: &str, event_type: &str, fact| PaymentEvent {
            provider: PROVIDER.to_owned(),
            id: format!("{}:{suffix}", p.charge_id),
            event_type: event_type.to_owned(),
            created: p.at,
            fact,
        };
        Ok(match p.expires_at {
            Some(end) => {
                let sub = format!("tgsub:{member}:{offer}");
                vec![
                    event(
                        "subscription",
                        "stars.subscription",
                        PaymentFact::Subscription(SubscriptionSnapshot {
                            id: sub.clone(),
                            customer: customer.clone(),
                            refs: refs.clone(),
                            status: SubStatus::Active,
                            price_id: None,
                            current_period_end: Some(end),
                            cancel_at_period_end: false,
                            ended_at: None,
                            trial_end: None,
                            started_at: None,
                        }),
                    ),
                    event(
                        "payment",
                        "stars.payment",
                        PaymentFact::InvoicePaid(InvoicePayment {
                            invoice: p.charge_id.clone(),
                            customer,
                            subscription: Some(sub),
                            refs,
                            price_id: None,
                            amount_minor: i64::from(p.stars),
                            currency: STARS.to_owned(),
                            payment_ref: Some(p.charge_id.clone()),
                        }),
                    ),
                ]
            }
            None => vec![event(
                "payment",
                "stars.payment",
                PaymentFact::CheckoutCompleted(CheckoutCompleted {
                    session: p.charge_id.clone(),
                    mode: CheckoutMode::Payment,
                    refs,
                    customer,
                    subscription: None,
                    payment_ref: Some(p.charge_id.clone()),
                    price_ids: Vec::new(),
                    paid: true,
                    amount_minor: i64::from(p.stars),
                    currency: STARS.to_owned(),
                }),
            )],
        })
    }
}

/// What the core asks of Telegram for Stars: refunds.
#[async_trait::async_trait]
pub trait StarsApi: Send + Sync {
    async fn refund(&self, user: i64, charge: &str) -> Result<(), crate::payments::BillingError>;
}

impl Core {
    /// Admin `/refund <user> <payment>` for a Stars payment: refunded at
    /// Telegram, then applied like any refund (access it paid for ends).
    pub(super) async fn run_refund(
        &self,
        ctx: &crate::store::sync::CommunityCtx,
        who: &crate::domain::IdentityRef,
        payment: &str,
    ) -> CoreResult<crate::reply::Reply> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let stars = self.stars.clone().ok_or(UserError::PaymentsDisabled)?;
        let unknown = || UserError::UnknownMember {
            identity: who.to_string(),
        };
        let ident = crate::store::people::find_identity(&self.db, who)
            .await?
            .ok_or_else(unknown)?;
        let m = crate::store::membership::find_member(&self.db, ctx.id, ident.person_id)
            .await?
            .ok_or_else(unknown)?;
        let paid = crate::entity::revenue::Entity::find()
            .filter(crate::entity::revenue::Column::Provider.eq(PROVIDER))
            .filter(crate::entity::revenue::Column::Kind.eq(crate::entity::kinds::RevenueKind::Payment))
            .filter(crate::entity::revenue::Column::ExternalId.eq(payment))
            .filter(crate::entity::revenue::Column::MemberId.eq(m.id))
            .one(&self.db)
            .await?
            .ok_or_else(|| UserError::UnknownPayment {
                payment: payment.to_owned(),
            })?;
        let telegram = crate::store::people::identities_of(&self.db, m.person_id)
            .await?
            .into_iter()
            .find(|i| i.platform == crate::domain::Platform::Telegram.as_str())
            .and_then(|i| i.external_id.parse::<i64>().ok())
            .ok_or_else(|| UserError::UnknownPayment {
                payment: payment.to_owned(),
            })?;
        stars.refund(telegram, payment).await?;
        let ev = PaymentEvent {
            provider: PROVIDER.to_owned(),
            id: format!("refund:{payment}"),
            event_type: "stars.refund".to_owned(),
            created: self.clock.now(),
            fact: PaymentFact::Refund {
                charge: payment.to_owned(),
                charge_created: None,
                payment_ref: Some(payment.to_owned()),
                customer: Some(format!("tg:{telegram}")),
                refunded_minor: paid.amount_minor,
                currency: STARS.to_owned(),
                full: true,
            },
        };
        self.apply_payment(&ev).await?;
        Ok(crate::reply::Reply::Refunded {
            identity: who.to_string(),
            amount: format!("{} {}", paid.amount_minor, paid.currency),
        })
    }
}
