//! Lyceum's own products and prices at Stripe: one product per tier or
//! offer under an id Lyceum chooses, and one active price per offer found
//! again by its lookup key, so running the setup twice changes nothing.
//! Stripe prices cannot change their amount: a new amount is a new price
//! that takes the lookup key over, and the old one is archived (its
//! subscriptions go on renewing at it).

use std::collections::HashMap;

use lyceum_core::payments::BillingError;
use stripe::{Client, StripeError};
use stripe_product::price::{
    CreatePrice, CreatePriceRecurring, CreatePriceRecurringInterval, ListPrice, UpdatePrice,
};
use stripe_product::product::{CreateProduct, ListProduct, RetrieveProduct, UpdateProduct};
use stripe_shared::{Price, RecurringInterval};

use crate::client::classify;

/// What a restricted key must be allowed for Lyceum to work.
pub const NEEDS: &str = "write access to Products, Prices, Webhook Endpoints, Checkout Sessions, \
     Customer portal, Subscriptions, Coupons and Promotion Codes, and read access to Charges";

/// A Stripe error, with what to do about a key that is refused or lacks a
/// permission.
pub(crate) fn explain(e: StripeError) -> BillingError {
    match e {
        StripeError::Stripe(api, 401) => BillingError::Refused(format!(
            "Stripe does not accept this key ({}); check LYCEUM__STRIPE__SECRET_KEY",
            api.message.unwrap_or_default()
        )),
        StripeError::Stripe(api, 403) => BillingError::Refused(format!(
            "the key may not do this ({}); a restricted key needs {NEEDS}",
            api.message.unwrap_or_default()
        )),
        other => classify(other),
    }
}

/// How often a subscription price renews.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Month,
    Year,
}

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }
}

/// A price as Lyceum wants it to be at Stripe.
#[derive(Clone, Debug)]
pub struct Wanted {
    pub product_id: String,
    pub product_name: String,
    pub lookup_key: String,
    pub amount_minor: i64,
    /// ISO 4217, any case.
    pub currency: String,
    /// None for a one-off price.
    pub interval: Option<Interval>,
    /// The community and the offer, written on the product (community
    /// only: a tier's product serves two offers) and on the price, so they
    /// can be told apart from Stripe's side.
    pub community: String,
    pub offer_key: String,
}

impl Wanted {
    fn metadata(&self, offer: bool) -> HashMap<String, String> {
        let mut m = HashMap::from([("lyceum_community".to_owned(), self.community.clone())]);
        if offer {
            m.insert("lyceum_offer".to_owned(), self.offer_key.clone());
        }
        m
    }
}

/// What placing a price did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placed {
    Created(String),
    Unchanged(String),
    /// A new amount: the new price, and the old one now archived.
    Replaced {
        new: String,
        old: String,
    },
}

impl Placed {
    /// What was done, in a word, for the audit log.
    pub fn kind(&self) -> &'static str {
        match self {
            Placed::Created(_) => "created",
            Placed::Unchanged(_) => "unchanged",
            Placed::Replaced { .. } => "replaced",
        }
    }

    pub fn price_id(&self) -> &str {
        match self {
            Placed::Created(id) | Placed::Unchanged(id) | Placed::Replaced { new: id, .. } => id,
        }
    }
}

pub struct Catalog {
    pub(crate) client: Client,
}

impl Catalog {
    pub fn new(secret_key: &str, api_base: Option<&str>) -> Result<Catalog, BillingError> {
        Ok(Catalog {
            client: crate::client::build(secret_key, api_base)?,
        })
    }

    /// Whether Stripe takes the key and lets it read what the setup reads,
    /// before anything is made.
    pub async fn check(&self) -> Result<(), BillingError> {
        ListProduct::new()
            .limit(1)
            .send(&self.client)
            .await
            .map_err(explain)?;
        stripe_misc::webhook_endpoint::ListWebhookEndpoint::new()
            .limit(1)
            .send(&self.client)
            .await
            .map_err(explain)?;
        Ok(())
    }

    /// Makes the product and the active price `w` describes exist, once.
    pub async fn place(&self, w: &Wanted) -> Result<Placed, BillingError> {
        self.product(w).await?;
        let found = ListPrice::new()
            .lookup_keys(vec![w.lookup_key.clone()])
            .active(true)
            .limit(1)
            .send(&self.client)
            .await
            .map_err(explain)?;
        let Some(old) = found.data.into_iter().next() else {
            return Ok(Placed::Created(self.create_price(w, false).await?));
        };
        if same(&old, w) {
            return Ok(Placed::Unchanged(old.id.to_string()));
        }
        let new = self.create_price(w, true).await?;
        UpdatePrice::new(old.id.clone())
            .active(false)
            .send(&self.client)
            .await
            .map_err(explain)?;
        Ok(Placed::Replaced {
            new,
            old: old.id.to_string(),
        })
    }

    async fn product(&self, w: &Wanted) -> Result<(), BillingError> {
        match RetrieveProduct::new(w.product_id.as_str())
            .send(&self.client)
            .await
        {
            Ok(p) if p.name == w.product_name && p.active => Ok(()),
            Ok(_) => UpdateProduct::new(w.product_id.as_str())
                .name(w.product_name.clone())
                .active(true)
                .send(&self.client)
                .await
                .map(drop)
                .map_err(explain),
            Err(StripeError::Stripe(_, 404)) => CreateProduct::new(w.product_name.clone())
                .id(w.product_id.clone())
                .metadata(w.metadata(false))
                .send(&self.client)
                .await
                .map(drop)
                .map_err(explain),
            Err(e) => Err(explain(e)),
        }
    }

    async fn create_price(&self, w: &Wanted, take_key_over: bool) -> Result<String, BillingError> {
        let Ok(currency) = w.currency.to_ascii_lowercase().parse::<stripe_types::Currency>();
        let mut create = CreatePrice::new(currency)
            .product(w.product_id.clone())
            .unit_amount(w.amount_minor)
            .lookup_key(w.lookup_key.clone())
            .metadata(w.metadata(true));
        if take_key_over {
            create = create.transfer_lookup_key(true);
        }
        if let Some(i) = w.interval {
            create = create.recurring(CreatePriceRecurring::new(match i {
                Interval::Month => CreatePriceRecurringInterval::Month,
                Interval::Year => CreatePriceRecurringInterval::Year,
            }));
        }
        let price = create.send(&self.client).await.map_err(explain)?;
        Ok(price.id.to_string())
    }
}

/// Whether `p` already sells what `w` wants, so no new price is needed.
fn same(p: &Price, w: &Wanted) -> bool {
    let interval = p.recurring.as_ref().map(|r| {
        let one = r.interval_count == 1;
        match r.interval {
            RecurringInterval::Month if one => Some(Interval::Month),
            RecurringInterval::Year if one => Some(Interval::Year),
            _ => None,
        }
    });
    let interval_same = match (interval, w.interval) {
        (None, None) => true,
        (Some(Some(have)), Some(want)) => have == want,
        _ => false,
    };
    p.unit_amount == Some(w.amount_minor)
        && p.currency.to_string().eq_ignore_ascii_case(&w.currency)
        && p.product.id().as_str() == w.product_id
        && interval_same
}
