//! Stars refunds through the Bot API.

use async_trait::async_trait;
use lyceum_core::engine::StarsApi;
use lyceum_core::payments::BillingError;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::TelegramTransactionId;

use crate::api::retrying;

pub struct Stars(pub Bot);

#[async_trait]
impl StarsApi for Stars {
    async fn refund(&self, user: i64, charge: &str) -> Result<(), BillingError> {
        let user = UserId(u64::try_from(user).unwrap_or_default());
        let charge = TelegramTransactionId(charge.to_owned());
        match retrying("refund Stars", || {
            self.0.refund_star_payment(user, charge.clone())
        })
        .await
        {
            Ok(_) => Ok(()),
            Err(RequestError::Api(e)) => Err(BillingError::Refused(e.to_string())),
            Err(e) => Err(BillingError::Unavailable(e.to_string())),
        }
    }
}
