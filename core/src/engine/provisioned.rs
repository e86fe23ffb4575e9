//! What a setup run made at the payment provider, kept so offers sell at
//! it and webhooks are verified with the endpoint's secret, on every
//! instance and after a restart.

use sea_orm::TransactionTrait;

use super::Core;
use crate::error::{CoreError, CoreResult, UserError};
use crate::store::audit;
use crate::store::provisioned::{self, PriceRecord};

/// A price a setup run placed, and what it did there.
#[derive(Clone, Debug)]
pub struct PricePlaced {
    pub record: PriceRecord,
    /// What was done, for the audit log: created, unchanged, replaced ….
    pub change: String,
}

impl Core {
    /// Keeps the prices placed for community `slug` in one transaction,
    /// each change in the audit log as done by `actor`.
    pub async fn keep_prices(
        &self,
        slug: &str,
        provider: &str,
        actor: &str,
        placed: &[PricePlaced],
    ) -> CoreResult<()> {
        let ctx = self
            .community(slug)
            .ok_or_else(|| CoreError::User(UserError::UnknownCommunity { slug: slug.into() }))?;
        let now = self.now();
        let txn = self.db.begin().await?;
        for p in placed {
            provisioned::keep_price(&txn, ctx.id, provider, &p.record, now).await?;
            if p.change != "unchanged" {
                let detail = format!(
                    "{} {}: {} ({} {})",
                    p.change, p.record.offer_key, p.record.price_id, p.record.amount_minor, p.record.currency
                );
                audit::record_as(&txn, ctx.id, actor, &format!("{provider} setup"), detail, now).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// Keeps the webhook endpoint registered at `provider` with its secret
    /// sealed, in every community's audit log as done by `actor`, since
    /// all their payments arrive through it; refused without a key to seal
    /// it with.
    pub async fn keep_endpoint(
        &self,
        provider: &str,
        actor: &str,
        endpoint_id: &str,
        url: &str,
        secret: &str,
    ) -> CoreResult<()> {
        let sealer = self.sealer.as_ref().ok_or_else(|| {
            CoreError::Unavailable("no key to seal secrets with is configured (LYCEUM__SECRETS__KEY)".into())
        })?;
        let sealed = sealer.seal(endpoint_id, secret);
        let now = self.now();
        let txn = self.db.begin().await?;
        provisioned::keep_endpoint(&txn, provider, endpoint_id, url, &sealed, now).await?;
        for c in &self.communities {
            let detail = format!("webhook endpoint {endpoint_id} for {url}");
            audit::record_as(&txn, c.id, actor, &format!("{provider} setup"), detail, now).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The endpoint registered at `provider` and its secret, when one is
    /// kept and opens under the configured key.
    pub async fn endpoint_secret(&self, provider: &str) -> CoreResult<Option<(String, String)>> {
        let Some(row) = provisioned::endpoint(&self.db, provider).await? else {
            return Ok(None);
        };
        let Some(sealer) = &self.sealer else {
            return Ok(None);
        };
        Ok(sealer
            .open(&row.endpoint_id, &row.sealed_secret)
            .map(|secret| (row.endpoint_id, secret)))
    }
}
