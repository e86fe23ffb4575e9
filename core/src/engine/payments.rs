//! Payment events from a provider's webhook, applied through the core.

use sea_orm::{EntityTrait, TransactionTrait};

use super::Core;
use crate::error::{CoreResult, UserError};
use crate::payments::{Applier, EventOutcome, PaymentEvent, facts};
use crate::store::people::{identities_of, identity_locale};

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
            billing: self.billing.as_deref(),
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

    /// A fresh billing portal session for a member, for a link sent earlier.
    pub async fn portal_for_member(&self, member_id: i64) -> CoreResult<String> {
        let billing = self.billing.clone().ok_or(UserError::PaymentsDisabled)?;
        let m = crate::entity::member::Entity::find_by_id(member_id)
            .one(&self.db)
            .await?
            .ok_or(UserError::NoBillingAccount)?;
        let customer = facts::customers_of(&self.db, m.id)
            .await?
            .into_iter()
            .next()
            .ok_or(UserError::NoBillingAccount)?;
        let ident = identities_of(&self.db, m.person_id).await?;
        let locale = ident
            .iter()
            .find_map(identity_locale)
            .or_else(|| {
                self.community_by_id(m.community_id)
                    .map(|c| c.config.default_locale)
            })
            .unwrap_or(crate::domain::Locale::En);
        Ok(billing.portal(&customer, locale).await?)
    }
}
