//! Payment events from a provider's webhook, applied through the core.

use sea_orm::TransactionTrait;

use super::Core;
use crate::error::CoreResult;
use crate::payments::{Applier, EventOutcome, PaymentEvent};

impl Core {
    /// Applies one provider event in one transaction: the record of its id
    /// and everything it causes commit together, so a redelivery is a no-op
    /// and a failure leaves nothing half-done for the provider's retry.
    pub async fn apply_payment(&self, ev: &PaymentEvent) -> CoreResult<EventOutcome> {
        let txn = self.db.begin().await?;
        let outcome = Applier {
            conn: &txn,
            communities: &self.communities,
            ev,
            now: self.clock.now(),
        }
        .run()
        .await?;
        txn.commit().await?;
        if matches!(outcome, EventOutcome::Applied { .. }) {
            self.wake.notify_one();
        }
        tracing::info!(
            provider = %ev.provider,
            event = %ev.id,
            event_type = %ev.event_type,
            outcome = %outcome.label(),
            "payment event"
        );
        Ok(outcome)
    }
}
