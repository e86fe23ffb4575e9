//! Which community a person's private chat with a bot speaks for, when one
//! bot serves several: chosen through a deep link, kept with the identity.

use sea_orm::{ActiveModelTrait, Set};

use super::{Core, Invoker};
use crate::domain::IdentityRef;
use crate::error::CoreResult;
use crate::store::people::{ensure_identity, find_identity};

impl Core {
    /// The community the person last chose for their private chat, if it
    /// is still configured.
    pub async fn chosen_community(&self, who: &IdentityRef) -> CoreResult<Option<String>> {
        let chosen = find_identity(&self.db, who)
            .await?
            .and_then(|i| i.chosen_community);
        Ok(chosen.filter(|slug| self.community(slug).is_some()))
    }

    /// Remembers `slug` for the person's private chat. False, with nothing
    /// written, when no community has that slug.
    pub async fn choose_community(&self, invoker: &Invoker, slug: &str) -> CoreResult<bool> {
        if self.community(slug).is_none() {
            return Ok(false);
        }
        let now = self.clock.now();
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
        let found = ensure_identity(
            &txn,
            &invoker.identity,
            invoker.display_name.as_deref(),
            invoker.locale,
            now,
        )
        .await?;
        if found.chosen_community.as_deref() != Some(slug) {
            let mut row: crate::entity::identity::ActiveModel = found.into();
            row.chosen_community = Set(Some(slug.to_owned()));
            row.update(&txn).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}
