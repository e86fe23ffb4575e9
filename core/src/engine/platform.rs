//! What chat adapters ask of the core besides commands: the perks an
//! account should hold, re-granting them when someone rejoins, and activity.

use std::collections::BTreeSet;

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{EntityTrait, Set, TransactionTrait};

use super::Core;
use crate::domain::{IdentityRef, Platform};
use crate::entity::{activity_day, chat_presence};
use crate::error::{CoreResult, UserError};
use crate::outbox::{EffectKind, enqueue};
use crate::store::access::held_perks;
use crate::store::membership::find_member;
use crate::store::people::{find_identity, identity_locale};
use crate::store::sync::CommunityCtx;

/// Something a person did in a community's chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// A message of this many characters.
    Message {
        chars: usize,
    },
    ReactionGiven,
    ReactionReceived,
}

impl Core {
    /// Records that `user` is (or is no longer) in `chat` on `platform`.
    pub async fn set_presence(
        &self,
        platform: Platform,
        chat: &str,
        user: &str,
        present: bool,
    ) -> CoreResult<()> {
        let row = chat_presence::ActiveModel {
            platform: Set(platform.as_str().to_owned()),
            chat: Set(chat.to_owned()),
            external_id: Set(user.to_owned()),
            present: Set(present),
            updated_at: Set(self.clock.now()),
            ..Default::default()
        };
        chat_presence::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    chat_presence::Column::Platform,
                    chat_presence::Column::Chat,
                    chat_presence::Column::ExternalId,
                ])
                .update_columns([chat_presence::Column::Present, chat_presence::Column::UpdatedAt])
                .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Everyone last seen in `chat` on `platform`.
    pub async fn present_in(&self, platform: Platform, chat: &str) -> CoreResult<Vec<String>> {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        Ok(chat_presence::Entity::find()
            .filter(chat_presence::Column::Platform.eq(platform.as_str()))
            .filter(chat_presence::Column::Chat.eq(chat))
            .filter(chat_presence::Column::Present.eq(true))
            .order_by_asc(chat_presence::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| p.external_id)
            .collect())
    }

    pub(super) fn ctx_for(&self, slug: &str) -> CoreResult<&CommunityCtx> {
        Ok(self
            .community(slug)
            .ok_or_else(|| UserError::UnknownCommunity { slug: slug.into() })?)
    }

    /// The perks `who` should hold in community `slug` now (empty for people
    /// who are not members).
    pub async fn perks_of(&self, slug: &str, who: &IdentityRef) -> CoreResult<BTreeSet<String>> {
        let ctx = self.ctx_for(slug)?;
        let Some(ident) = find_identity(&self.db, who).await? else {
            return Ok(BTreeSet::new());
        };
        match find_member(&self.db, ctx.id, ident.person_id).await? {
            Some(m) => held_perks(&self.db, ctx, &m).await,
            None => Ok(BTreeSet::new()),
        }
    }

    /// Someone came back to a platform space (rejoined a server): queue the
    /// grants of everything they hold, for that account only. Returns how
    /// many were queued.
    pub async fn rejoined(&self, slug: &str, who: &IdentityRef) -> CoreResult<usize> {
        let ctx = self.ctx_for(slug)?;
        let txn = self.db.begin().await?;
        let Some(ident) = find_identity(&txn, who).await? else {
            return Ok(0);
        };
        let Some(m) = find_member(&txn, ctx.id, ident.person_id).await? else {
            return Ok(0);
        };
        let perks = held_perks(&txn, ctx, &m).await?;
        let locale = identity_locale(&ident).unwrap_or(ctx.config.default_locale);
        let now = self.clock.now();
        for perk in &perks {
            let grant = EffectKind::GrantPerk { perk: perk.clone() };
            enqueue(&txn, Some((ctx.id, ctx.slug())), &ident, locale, grant, now).await?;
        }
        txn.commit().await?;
        if !perks.is_empty() {
            self.wake.notify_one();
        }
        Ok(perks.len())
    }

    /// Counts one piece of activity for the member behind `who` on today's
    /// (UTC) row. Returns false for people who are not members, whose
    /// activity is not kept.
    pub async fn activity(&self, slug: &str, who: &IdentityRef, what: Activity) -> CoreResult<bool> {
        let ctx = self.ctx_for(slug)?;
        let Some(ident) = find_identity(&self.db, who).await? else {
            return Ok(false);
        };
        let Some(m) = find_member(&self.db, ctx.id, ident.person_id).await? else {
            return Ok(false);
        };
        let day = i32::try_from(self.clock.now().div_euclid(86_400)).unwrap_or(i32::MAX);
        let (messages, given, received) = match what {
            Activity::Message { .. } => (1, 0, 0),
            Activity::ReactionGiven => (0, 1, 0),
            Activity::ReactionReceived => (0, 0, 1),
        };
        let row = activity_day::ActiveModel {
            member_id: Set(m.id),
            day: Set(day),
            messages: Set(messages),
            reactions_given: Set(given),
            reactions_received: Set(received),
            ..Default::default()
        };
        let add = |col: activity_day::Column, n: i32| (col, Expr::col((activity_day::Entity, col)).add(n));
        activity_day::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([activity_day::Column::MemberId, activity_day::Column::Day])
                    .values([
                        add(activity_day::Column::Messages, messages),
                        add(activity_day::Column::ReactionsGiven, given),
                        add(activity_day::Column::ReactionsReceived, received),
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(true)
    }
}
