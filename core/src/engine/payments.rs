//! Payment events from a provider's webhook, applied through the core.

use sea_orm::EntityTrait;

use super::Core;
use crate::error::{CoreError, CoreResult, UserError};
use crate::payments::{Applier, BillingError, EventOutcome, PaymentEvent, PaymentFact};
use crate::purchases::facts;
use crate::store::people::{identities_of, identity_locale};

impl Core {
    /// Applies one provider event in one transaction: the record of its id
    /// and everything it causes commit together, so a redelivery is a no-op
    /// and a failure leaves nothing half-done for the provider's retry.
    pub async fn apply_payment(&self, ev: &PaymentEvent) -> CoreResult<EventOutcome> {
        Ok(self
            .apply_counted(ev, None)
            .await?
            .unwrap_or(EventOutcome::Duplicate))
    }

    /// Applies an event stored in the payment inbox, taking its row in the
    /// same transaction: it is applied, and leaves the inbox, exactly once.
    /// `None` if another worker has the row (or already applied it).
    pub async fn apply_from_inbox(&self, ev: &PaymentEvent, row: i64) -> CoreResult<Option<EventOutcome>> {
        self.apply_counted(ev, Some(row)).await
    }

    async fn apply_counted(
        &self,
        ev: &PaymentEvent,
        inbox_row: Option<i64>,
    ) -> CoreResult<Option<EventOutcome>> {
        let applied = self.apply_payment_once(ev, inbox_row).await;
        match &applied {
            Ok(Some(outcome)) => self.metrics.applied(&ev.provider, outcome.kind()),
            Ok(None) => {}
            Err(_) => self.metrics.applied(&ev.provider, "failed"),
        }
        applied
    }

    async fn apply_payment_once(
        &self,
        ev: &PaymentEvent,
        inbox_row: Option<i64>,
    ) -> CoreResult<Option<EventOutcome>> {
        let enriched = self.enrich(ev).await?;
        let ev = enriched.as_ref().unwrap_or(ev);
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
        if let Some(row) = inbox_row
            && !crate::inbox::take(&txn, row).await?
        {
            return Ok(None);
        }
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
        Ok(Some(outcome))
    }

    /// A dispute names its charge but not who paid it; ask the provider, so
    /// a lost dispute on a subscription payment can end that subscription.
    /// A provider outage fails the delivery, and the provider retries it.
    async fn enrich(&self, ev: &PaymentEvent) -> CoreResult<Option<PaymentEvent>> {
        let (
            PaymentFact::Dispute {
                charge: Some(charge),
                customer: None,
                ..
            },
            Some(billing),
        ) = (&ev.fact, &self.billing)
        else {
            return Ok(None);
        };
        let owner = match billing.charge_owner(charge).await {
            Ok(owner) => owner,
            Err(BillingError::Refused(why)) => {
                tracing::warn!(event = %ev.id, %charge, %why, "the disputed charge cannot be looked up");
                None
            }
            Err(e) => {
                return Err(CoreError::Unavailable(format!(
                    "cannot look up charge {charge} for dispute event {}: {e}",
                    ev.id
                )));
            }
        };
        let Some(owner) = owner else { return Ok(None) };
        let mut ev = ev.clone();
        if let PaymentFact::Dispute {
            customer,
            charge_created,
            ..
        } = &mut ev.fact
        {
            *customer = owner.customer;
            *charge_created = Some(owner.created);
        }
        Ok(Some(ev))
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
