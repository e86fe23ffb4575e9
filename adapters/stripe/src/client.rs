//! Calls to Stripe through async-stripe: Checkout Sessions, Customer Portal
//! sessions, cancel-at-period-end, and coupons with promotion codes.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use lyceum_core::domain::Locale;
use lyceum_core::payments::{
    Billing, BillingError, ChargeOwner, CheckoutPrice, CheckoutRequest, CouponRequest,
};
use stripe::{Client, ClientBuilder, StripeError};
use stripe_core::charge::RetrieveCharge;

use crate::links::PortalLinks;
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::subscription::UpdateSubscription;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionCustomerCreation, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionPaymentIntentData,
    CreateCheckoutSessionSubscriptionData, ProductData,
};
use stripe_product::coupon::CreateCoupon;
use stripe_product::promotion_code::{
    CreatePromotionCode, CreatePromotionCodePromotion, CreatePromotionCodePromotionType,
};

/// Where Stripe sends people back to after a checkout or the portal.
#[derive(Clone, Debug)]
pub struct ReturnUrls {
    pub success: String,
    pub cancel: String,
    pub portal: String,
}

pub struct StripeBilling {
    client: Client,
    urls: ReturnUrls,
    links: Option<PortalLinks>,
}

impl StripeBilling {
    /// `api_base` points the client elsewhere than api.stripe.com (a local
    /// fake in tests, a proxy in production).
    pub fn new(secret_key: &str, api_base: Option<&str>, urls: ReturnUrls) -> Result<Self, BillingError> {
        Ok(StripeBilling {
            client: build(secret_key, api_base)?,
            urls,
            links: None,
        })
    }

    /// Grace notices will carry lasting portal links made by `links`.
    pub fn with_portal_links(mut self, links: PortalLinks) -> Self {
        self.links = Some(links);
        self
    }
}

/// A client for `secret_key`; `api_base` points it elsewhere than
/// api.stripe.com (a local fake in tests, a proxy in production).
pub(crate) fn build(secret_key: &str, api_base: Option<&str>) -> Result<Client, BillingError> {
    let mut builder = ClientBuilder::new(secret_key).timeout(Duration::from_secs(15));
    if let Some(base) = api_base {
        builder = builder.url(base);
    }
    builder
        .build()
        .map_err(|e| BillingError::Unavailable(format!("cannot build the Stripe client: {e}")))
}

pub(crate) fn classify(e: StripeError) -> BillingError {
    match e {
        StripeError::Stripe(api, status) if (400..500).contains(&status) && status != 429 => {
            BillingError::Refused(api.message.unwrap_or_else(|| format!("HTTP {status}")))
        }
        other => BillingError::Unavailable(other.to_string()),
    }
}

fn metadata(req: &CheckoutRequest) -> HashMap<String, String> {
    HashMap::from([
        ("lyceum_community".to_owned(), req.community.clone()),
        ("lyceum_member".to_owned(), req.member_id.to_string()),
        ("lyceum_offer".to_owned(), req.offer_key.clone()),
    ])
}

fn checkout_locale(l: Locale) -> stripe_shared::CheckoutSessionLocale {
    match l {
        Locale::En => stripe_shared::CheckoutSessionLocale::En,
        Locale::ZhCn => stripe_shared::CheckoutSessionLocale::Zh,
    }
}

fn portal_locale(l: Locale) -> stripe_billing::BillingPortalSessionLocale {
    match l {
        Locale::En => stripe_billing::BillingPortalSessionLocale::En,
        Locale::ZhCn => stripe_billing::BillingPortalSessionLocale::Zh,
    }
}

#[async_trait]
impl Billing for StripeBilling {
    fn provider(&self) -> &'static str {
        crate::parse::PROVIDER
    }

    async fn checkout(&self, req: &CheckoutRequest) -> Result<String, BillingError> {
        let meta = metadata(req);
        let item = match &req.price {
            CheckoutPrice::Id(id) => CreateCheckoutSessionLineItems {
                price: Some(id.clone()),
                quantity: Some(1),
                ..CreateCheckoutSessionLineItems::new()
            },
            CheckoutPrice::Inline {
                name,
                amount_minor,
                currency,
            } => {
                let Ok(currency) = currency.to_ascii_lowercase().parse::<stripe_types::Currency>();
                let mut data = CreateCheckoutSessionLineItemsPriceData::new(currency);
                data.product_data = Some(ProductData::new(name.clone()));
                data.unit_amount = Some(*amount_minor);
                CreateCheckoutSessionLineItems {
                    price_data: Some(data),
                    quantity: Some(1),
                    ..CreateCheckoutSessionLineItems::new()
                }
            }
        };
        let mut create = CreateCheckoutSession::new()
            .line_items(vec![item])
            .success_url(
                req.back
                    .as_ref()
                    .map_or(&self.urls.success, |b| &b.success)
                    .clone(),
            )
            .cancel_url(req.back.as_ref().map_or(&self.urls.cancel, |b| &b.cancel).clone())
            .client_reference_id(req.member_id.to_string())
            .metadata(meta.clone())
            .allow_promotion_codes(true)
            .locale(checkout_locale(req.locale));
        create = match &req.customer {
            Some(c) => create.customer(c.clone()),
            None if !req.subscription => {
                create.customer_creation(CreateCheckoutSessionCustomerCreation::Always)
            }
            None => create,
        };
        create = if req.subscription {
            let mut data = CreateCheckoutSessionSubscriptionData::new();
            data.metadata = Some(meta);
            data.trial_period_days = req.trial_days;
            create
                .mode(stripe_shared::CheckoutSessionMode::Subscription)
                .subscription_data(data)
        } else {
            let mut data = CreateCheckoutSessionPaymentIntentData::new();
            data.metadata = Some(meta);
            create
                .mode(stripe_shared::CheckoutSessionMode::Payment)
                .payment_intent_data(data)
        };
        let session = create.send(&self.client).await.map_err(classify)?;
        session.url.ok_or_else(|| {
            BillingError::Unavailable("Stripe returned a checkout session without a URL".into())
        })
    }

    async fn portal(&self, customer: &str, locale: Locale) -> Result<String, BillingError> {
        let session = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(self.urls.portal.clone())
            .locale(portal_locale(locale))
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(session.url)
    }

    async fn cancel_at_period_end(&self, subscription: &str) -> Result<(), BillingError> {
        UpdateSubscription::new(subscription)
            .cancel_at_period_end(true)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn create_coupon(&self, req: &CouponRequest) -> Result<String, BillingError> {
        let mut create = CreateCoupon::new()
            .percent_off(f64::from(req.percent_off))
            .name(format!("{} {}", req.community, req.code))
            .metadata(HashMap::from([
                ("lyceum_community".to_owned(), req.community.clone()),
                ("lyceum_created_by".to_owned(), req.actor.clone()),
            ]));
        create = match req.months {
            Some(m) => create
                .duration(stripe_shared::CouponDuration::Repeating)
                .duration_in_months(i64::from(m)),
            None => create.duration(stripe_shared::CouponDuration::Once),
        };
        let coupon = create.send(&self.client).await.map_err(classify)?;
        let mut promotion = CreatePromotionCodePromotion::new(CreatePromotionCodePromotionType::Coupon);
        promotion.coupon = Some(coupon.id.to_string());
        CreatePromotionCode::new(promotion)
            .code(req.code.clone())
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(coupon.id.to_string())
    }

    async fn charge_owner(&self, charge: &str) -> Result<Option<ChargeOwner>, BillingError> {
        let c = RetrieveCharge::new(charge)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(Some(ChargeOwner {
            customer: c.customer.map(|x| x.id().to_string()),
            created: c.created,
        }))
    }

    fn portal_link(&self, member_id: i64, now: i64) -> Option<String> {
        self.links.as_ref().and_then(|l| l.link(member_id, now))
    }
}
