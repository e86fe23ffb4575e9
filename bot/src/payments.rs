//! Wiring Stripe into the binary: the client for checkouts, and the secrets
//! the webhook endpoint verifies against.

use std::sync::Arc;

use lyceum_core::Core;
use lyceum_core::payments::Billing;
use lyceum_stripe::{PortalLinks, ReturnUrls, StripeBilling};
use secrecy::ExposeSecret;

use crate::settings::Loaded;

/// The Stripe client, if a secret key is configured.
pub fn billing(loaded: &Loaded) -> Result<Option<Arc<dyn Billing>>, String> {
    let s = &loaded.settings.stripe;
    let Some(key) = &s.secret_key else { return Ok(None) };
    let done = format!("{}/billing/done", loaded.public_url);
    let urls = ReturnUrls {
        success: s.success_url.clone().unwrap_or_else(|| done.clone()),
        cancel: s.cancel_url.clone().unwrap_or_else(|| done.clone()),
        portal: s.portal_return_url.clone().unwrap_or(done),
    };
    let key = key.expose_secret().trim();
    let client = StripeBilling::new(key, s.api_base.as_deref(), urls)
        .map_err(|e| format!("stripe: {e}"))?
        .with_portal_links(portal_links(loaded, key));
    Ok(Some(Arc::new(client)))
}

fn portal_links(loaded: &Loaded, secret_key: &str) -> PortalLinks {
    PortalLinks::new(&loaded.public_url, secret_key)
}

/// The checker for links to `/billing/portal/…`, when Stripe is configured.
pub fn link_checker(loaded: &Loaded) -> Option<PortalLinks> {
    let key = loaded.settings.stripe.secret_key.as_ref()?;
    Some(portal_links(loaded, key.expose_secret().trim()))
}

/// The endpoint secrets: those configured, in the order given, then the
/// one `lyceum stripe setup` kept; empty when Stripe is off. Refused when
/// Stripe is on and there is none, since no webhook could be verified.
pub async fn webhook_secrets(loaded: &Loaded, core: &Core) -> Result<Vec<String>, String> {
    let mut secrets: Vec<String> = loaded
        .settings
        .stripe
        .webhook_secret
        .as_ref()
        .map(|s| {
            s.expose_secret()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if loaded.settings.stripe.secret_key.is_none() {
        return Ok(secrets);
    }
    let kept = core
        .endpoint_secret(lyceum_stripe::PROVIDER)
        .await
        .map_err(|e| e.to_string())?;
    secrets.extend(kept.map(|(_, secret)| secret));
    if secrets.is_empty() {
        return Err(
            "stripe: no webhook secret to verify payments with; run `lyceum stripe setup` \
                    to register the endpoint (it keeps the secret under LYCEUM__SECRETS__KEY), \
                    or set LYCEUM__STRIPE__WEBHOOK_SECRET"
                .into(),
        );
    }
    Ok(secrets)
}

/// The origin of Stripe's hosted payment page, which the join form's
/// redirect goes to. With `stripe.api_base` set (a proxy, or a fake in
/// tests) the page is served from that origin too.
pub fn checkout_origin(loaded: &Loaded) -> String {
    let from_base = loaded
        .settings
        .stripe
        .api_base
        .as_deref()
        .and_then(|b| url::Url::parse(b).ok())
        .map(|u| u.origin().ascii_serialization());
    from_base.unwrap_or_else(|| "https://checkout.stripe.com".to_owned())
}
