//! `lyceum stripe setup`: the products, prices and webhook endpoint a
//! creator would otherwise make by hand in Stripe's dashboard, made from
//! the configuration and kept so checkouts sell at them and webhooks are
//! verified with the endpoint's secret. Running it again changes only what
//! the configuration changed.

use std::fmt::Write;

use lyceum_core::Core;
use lyceum_core::config::{Community, Offer, OfferKind};
use lyceum_core::engine::provisioned::PricePlaced;
use lyceum_core::store::provisioned::PriceRecord;
use lyceum_stripe::{Catalog, Interval, Placed, Registered, Wanted};
use secrecy::ExposeSecret;

use crate::settings::Loaded;

/// Who the audit log says made the changes.
const ACTOR: &str = "operator:stripe-setup";
const PROVIDER: &str = "stripe";

/// A setup that can run: the client, and where the webhooks go.
pub struct Setup {
    catalog: Catalog,
    webhook_url: String,
    /// The operator gives the endpoint's secret in the environment.
    configured_secret: bool,
}

impl Setup {
    /// What is needed before anything is made at Stripe, or what is missing.
    pub fn new(loaded: &Loaded) -> Result<Setup, String> {
        let s = &loaded.settings.stripe;
        let key = s
            .secret_key
            .as_ref()
            .ok_or("set LYCEUM__STRIPE__SECRET_KEY to a secret or restricted key of your Stripe account")?;
        let configured_secret = s.webhook_secret.is_some();
        if !configured_secret && loaded.sealer().is_none() {
            return Err(
                "set LYCEUM__SECRETS__KEY (make one with `openssl rand -base64 32`) so the \
                        webhook endpoint's signing secret can be kept sealed"
                    .into(),
            );
        }
        let catalog =
            Catalog::new(key.expose_secret().trim(), s.api_base.as_deref()).map_err(|e| e.to_string())?;
        Ok(Setup {
            catalog,
            webhook_url: format!("{}/webhooks/stripe", loaded.public_url),
            configured_secret,
        })
    }

    /// Places every priced offer of every community, then the endpoint;
    /// what was done, one line each.
    pub async fn apply(&self, core: &Core, communities: &[Community]) -> Result<String, String> {
        self.catalog.check().await.map_err(|e| e.to_string())?;
        let mut report = String::new();
        for c in communities {
            let mut placed = Vec::new();
            for o in c.offers.iter().filter(|o| o.price.amount_minor() > 0) {
                if let Some(id) = &o.stripe_price {
                    let _ = writeln!(
                        report,
                        "{} {}: configured price {id}, left as it is",
                        c.slug, o.key
                    );
                    continue;
                }
                let wanted = wanted(c, o);
                let done = self
                    .catalog
                    .place(&wanted)
                    .await
                    .map_err(|e| format!("{} {}: {e}", c.slug, o.key))?;
                let change = match &done {
                    Placed::Created(id) => format!("created {id}"),
                    Placed::Unchanged(id) => format!("unchanged {id}"),
                    Placed::Replaced { new, old } => format!("created {new}, archived {old}"),
                };
                let _ = writeln!(report, "{} {}: {} — {change}", c.slug, o.key, o.price);
                placed.push(PricePlaced {
                    record: PriceRecord {
                        offer_key: wanted.offer_key,
                        price_id: done.price_id().to_owned(),
                        lookup_key: wanted.lookup_key,
                        amount_minor: wanted.amount_minor,
                        currency: wanted.currency,
                        interval: wanted.interval.map(|i| i.as_str().to_owned()),
                    },
                    change: done.kind().to_owned(),
                });
            }
            core.keep_prices(c.slug.as_str(), PROVIDER, ACTOR, &placed)
                .await
                .map_err(|e| e.to_string())?;
        }
        report.push_str(&self.endpoint(core).await?);
        Ok(report)
    }

    async fn endpoint(&self, core: &Core) -> Result<String, String> {
        let held = core.endpoint_secret(PROVIDER).await.map_err(|e| e.to_string())?;
        let held_id = held.as_ref().map(|(id, _)| id.as_str());
        let done = self
            .catalog
            .register(&self.webhook_url, held_id, self.configured_secret)
            .await
            .map_err(|e| format!("webhook endpoint: {e}"))?;
        let url = &self.webhook_url;
        let line = match done {
            Registered::Created { id, secret } => {
                self.keep(core, &id, &secret).await?;
                format!("webhook endpoint {url}: created {id}; its secret is kept sealed")
            }
            Registered::Replaced { id, secret, old } => {
                self.keep(core, &id, &secret).await?;
                format!(
                    "webhook endpoint {url}: {old} had a secret Lyceum does not hold; \
                     replaced by {id}, whose secret is kept sealed"
                )
            }
            Registered::Unchanged { id } => format!("webhook endpoint {url}: unchanged {id}"),
            Registered::Updated { id } => {
                format!("webhook endpoint {url}: {id} now receives exactly the events Lyceum handles")
            }
            Registered::Foreign { id, events_differ } => {
                let fix = if events_differ {
                    format!(
                        "; enable exactly these events on it: {}",
                        lyceum_stripe::HANDLED.join(", ")
                    )
                } else {
                    String::new()
                };
                format!(
                    "webhook endpoint {url}: {id} was made by hand and its secret is configured; left as it is{fix}"
                )
            }
        };
        Ok(format!("{line}\n"))
    }

    async fn keep(&self, core: &Core, id: &str, secret: &str) -> Result<(), String> {
        core.keep_endpoint(PROVIDER, ACTOR, id, &self.webhook_url, secret)
            .await
            .map_err(|e| e.to_string())
    }
}

/// The product and price `o` sells at: a product per tier (its monthly and
/// yearly prices share it) or per offer, named in the community's language.
fn wanted(c: &Community, o: &Offer) -> Wanted {
    let lang = c.default_locale;
    let owner = o.tier.as_ref().map_or(o.key.as_str(), |t| t.as_str());
    let interval = match o.kind {
        OfferKind::TierMonthly => Some(Interval::Month),
        OfferKind::TierYearly => Some(Interval::Year),
        _ => None,
    };
    Wanted {
        product_id: format!("lyceum_{}_{owner}", c.slug),
        product_name: format!("{} · {}", c.name.get(lang, lang), o.name.get(lang, lang)),
        lookup_key: format!("lyceum_{}_{}", c.slug, o.key),
        amount_minor: o.price.amount_minor(),
        currency: o.price.currency_code(),
        interval,
        community: c.slug.to_string(),
        offer_key: o.key.to_string(),
    }
}
