//! Which community a person's private chat with a bot speaks for, when one
//! bot serves several: chosen through a deep link, kept with the identity.

use sea_orm::{ActiveModelTrait, Set};

use super::{Core, Invoker};
use crate::domain::IdentityRef;
use crate::error::CoreResult;
use crate::signin::{Refusal, START_PREFIX};
use crate::store::people::{ensure_identity, find_identity};

/// What a `/start` payload picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    /// This community, now remembered for the person's private chat.
    Chosen(String),
    /// No community by that name, or a signed payload we did not make.
    Unknown,
    /// A signed payload past its time.
    Expired,
    /// A visit to this community's public page, now signed in there.
    Visit(String),
}

impl Core {
    /// The community the person last chose for their private chat, if it
    /// is still configured.
    pub async fn chosen_community(&self, who: &IdentityRef) -> CoreResult<Option<String>> {
        let chosen = find_identity(&self.db, who)
            .await?
            .and_then(|i| i.chosen_community);
        Ok(chosen.filter(|slug| self.community(slug).is_some()))
    }

    /// A signed `/start` payload naming `slug`, for a page to hand out.
    pub fn start_payload(&self, slug: &str) -> Option<String> {
        self.sign_in.as_ref()?.start_payload(slug, self.clock.now())
    }

    /// Remembers the community a `/start` payload names (a slug, or a
    /// signed payload) for the person's private chat; nothing is written
    /// when it names none.
    pub async fn choose_community(&self, invoker: &Invoker, payload: &str) -> CoreResult<Pick> {
        if let Some(nonce) = payload.strip_prefix(super::VISIT_PREFIX) {
            let Some(slug) = self.claim_visit(nonce, invoker).await? else {
                return Ok(Pick::Expired);
            };
            self.remember(invoker, &slug).await?;
            return Ok(Pick::Visit(slug));
        }
        let now = self.clock.now();
        let slug = match &self.sign_in {
            Some(links) if payload.starts_with(START_PREFIX) => match links.verify_start(payload, now) {
                Ok(slug) => slug,
                Err(Refusal::Expired) => return Ok(Pick::Expired),
                Err(_) => return Ok(Pick::Unknown),
            },
            _ => payload.to_owned(),
        };
        if self.community(&slug).is_none() {
            return Ok(Pick::Unknown);
        }
        self.remember(invoker, &slug).await?;
        Ok(Pick::Chosen(slug))
    }

    /// Keeps `slug` as the community the person's private chat speaks for.
    async fn remember(&self, invoker: &Invoker, slug: &str) -> CoreResult<()> {
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
        Ok(())
    }
}
