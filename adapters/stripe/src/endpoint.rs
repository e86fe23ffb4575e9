//! Lyceum's webhook endpoint at Stripe, registered for exactly the events
//! it handles. Stripe shows an endpoint's signing secret once, in the
//! answer that makes it, so an endpoint for our address whose secret we do
//! not hold can only be replaced, unless the operator keeps its secret in
//! the environment.

use lyceum_core::payments::BillingError;
use stripe_misc::webhook_endpoint::{
    CreateWebhookEndpoint, CreateWebhookEndpointEnabledEvents, DeleteWebhookEndpoint, ListWebhookEndpoint,
    UpdateWebhookEndpoint, UpdateWebhookEndpointEnabledEvents,
};

use crate::catalog::{Catalog, explain};
use crate::parse::HANDLED;

/// What registering the endpoint did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registered {
    /// Made now; its secret is to be kept.
    Created {
        id: String,
        secret: String,
    },
    /// An endpoint for the address whose secret was not held was deleted
    /// and this one made in its place.
    Replaced {
        id: String,
        secret: String,
        old: String,
    },
    Unchanged {
        id: String,
    },
    /// Its events were put right, or it was enabled again.
    Updated {
        id: String,
    },
    /// Made by hand, its secret configured; left as it is.
    Foreign {
        id: String,
        events_differ: bool,
    },
}

impl Catalog {
    /// Makes sure Stripe sends the handled events to `url`. `held` is the
    /// endpoint whose secret Lyceum keeps; `configured` says the operator
    /// gives a secret in the environment, so an endpoint made by hand is
    /// theirs and is not touched.
    pub async fn register(
        &self,
        url: &str,
        held: Option<&str>,
        configured: bool,
    ) -> Result<Registered, BillingError> {
        let listed = ListWebhookEndpoint::new()
            .limit(100)
            .send(&self.client)
            .await
            .map_err(explain)?;
        let Some(found) = listed.data.into_iter().find(|e| e.url == url) else {
            let (id, secret) = self.create_endpoint(url).await?;
            return Ok(Registered::Created { id, secret });
        };
        let id = found.id.to_string();
        let mut have: Vec<&str> = found.enabled_events.iter().map(String::as_str).collect();
        have.sort_unstable();
        let mut want = HANDLED.to_vec();
        want.sort_unstable();
        let right = have == want && found.status == "enabled";
        if held == Some(id.as_str()) {
            if right {
                return Ok(Registered::Unchanged { id });
            }
            UpdateWebhookEndpoint::new(found.id)
                .enabled_events(handled::<UpdateWebhookEndpointEnabledEvents>())
                .disabled(false)
                .send(&self.client)
                .await
                .map_err(explain)?;
            return Ok(Registered::Updated { id });
        }
        if configured {
            return Ok(Registered::Foreign {
                id,
                events_differ: !right,
            });
        }
        DeleteWebhookEndpoint::new(found.id)
            .send(&self.client)
            .await
            .map_err(explain)?;
        let (new, secret) = self.create_endpoint(url).await?;
        Ok(Registered::Replaced {
            id: new,
            secret,
            old: id,
        })
    }

    async fn create_endpoint(&self, url: &str) -> Result<(String, String), BillingError> {
        let made = CreateWebhookEndpoint::new(handled::<CreateWebhookEndpointEnabledEvents>(), url)
            .description("Lyceum: payments, renewals, refunds and disputes")
            .send(&self.client)
            .await
            .map_err(explain)?;
        let secret = made.secret.ok_or_else(|| {
            BillingError::Unavailable("Stripe made the endpoint but showed no signing secret".into())
        })?;
        Ok((made.id.to_string(), secret))
    }
}

/// The handled events as the request type of `E` names them.
fn handled<E: std::str::FromStr<Err = std::convert::Infallible>>() -> Vec<E> {
    HANDLED
        .iter()
        .map(|e| {
            let Ok(event) = e.parse::<E>();
            event
        })
        .collect()
}
