//! What chat adapters ask of the core besides commands: the perks an
//! account should hold, re-granting them when someone rejoins, and activity.

use std::collections::BTreeSet;

use std::time::Instant;

use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};

use super::Core;
use crate::domain::{IdentityRef, Platform};
use crate::engage::rules::{Decision, Event, Refusal, SourceKind};
use crate::engage::writing::writer::{Counts, Pending};
use crate::entity::chat_presence;
use crate::error::{CoreError, CoreResult, UserError};
use crate::outbox::{EffectKind, enqueue};
use crate::periods::Keys;
use crate::store::access::held_perks;
use crate::store::membership::find_member;
use crate::store::people::{find_identity, identity_locale};
use crate::store::seen::{first_seen, forget_before};
use crate::store::sync::CommunityCtx;

/// Something a person did in a community's chat. `channel` is
/// `platform:id` of where it happened, for channels that earn nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activity {
    /// A message of this many characters.
    Message {
        chars: usize,
        channel: Option<String>,
    },
    ReactionGiven {
        channel: Option<String>,
    },
    /// Someone else reacted to this person's message.
    ReactionReceived {
        channel: Option<String>,
    },
    LessonCompleted,
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
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
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

    /// Counts one piece of activity for the member behind `who` and puts it
    /// through the community's points rules. Returns the rules' decision, or
    /// `None` for people who are not members, whose activity is not kept.
    /// The points are committed by the writer within `points.flush_ms`.
    pub async fn activity(
        &self,
        slug: &str,
        who: &IdentityRef,
        what: Activity,
    ) -> CoreResult<Option<Decision>> {
        self.activity_from(slug, who, what, None).await
    }

    /// [`Core::activity`] for activity a platform may deliver again (a
    /// Telegram update): `update` names it, uniquely per platform and per
    /// piece of activity it brought, and is recorded in the transaction
    /// that commits the points, so a second delivery adds nothing.
    pub async fn activity_from(
        &self,
        slug: &str,
        who: &IdentityRef,
        what: Activity,
        update: Option<String>,
    ) -> CoreResult<Option<Decision>> {
        let ctx = self.ctx_for(slug)?;
        let Some(member_id) = self.member_of(ctx, who).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        let keys = Keys::of(&ctx.config, now);
        let (source, chars, channel, counts) = match &what {
            Activity::Message { chars, channel } => (
                Some(SourceKind::Message),
                *chars,
                channel.as_deref(),
                Counts {
                    messages: 1,
                    ..Counts::default()
                },
            ),
            Activity::ReactionGiven { channel } => (
                None,
                0,
                channel.as_deref(),
                Counts {
                    given: 1,
                    ..Counts::default()
                },
            ),
            Activity::ReactionReceived { channel } => (
                Some(SourceKind::ReactionReceived),
                0,
                channel.as_deref(),
                Counts {
                    received: 1,
                    ..Counts::default()
                },
            ),
            Activity::LessonCompleted => (Some(SourceKind::LessonCompleted), 0, None, Counts::default()),
        };
        let live = self
            .engage
            .live(ctx.id)
            .ok_or_else(|| CoreError::Corrupt(format!("no engagement state for {slug}")))?;
        let decision = match source {
            Some(source) => live.rules.decide(&Event {
                member_id,
                source,
                channel,
                chars,
                day: keys.day,
            }),
            None => Decision::Refused(Refusal::Unpaid),
        };
        let award = match &decision {
            Decision::Award { points, why } => source.map(|s| (s, *points, why.clone())),
            Decision::Refused(why) => {
                tracing::debug!(community = %slug, member = member_id, ?why, "no points");
                None
            }
        };
        let pending = Pending {
            community_id: ctx.id,
            member_id,
            at: now,
            counts,
            award,
            update,
            queued: Instant::now(),
        };
        if !self.engage.submit(pending).await {
            tracing::error!(community = %slug, member = member_id, "activity writer stopped; event dropped");
        }
        Ok(Some(decision))
    }

    /// The member id behind `who`, from the cache or the database.
    pub(super) async fn member_of(&self, ctx: &CommunityCtx, who: &IdentityRef) -> CoreResult<Option<i64>> {
        let key = who.to_string();
        if let Some(id) = self.engage.cached_member(ctx.id, &key) {
            return Ok(Some(id));
        }
        let Some(ident) = find_identity(&self.db, who).await? else {
            return Ok(None);
        };
        let Some(m) = find_member(&self.db, ctx.id, ident.person_id).await? else {
            return Ok(None);
        };
        self.engage.remember_member(ctx.id, &key, m.id);
        Ok(Some(m.id))
    }

    /// Records that a platform update (a command a platform may deliver
    /// again) is being taken in; false if it already was, and must not be
    /// acted on twice. Recorded before acting: a crash in between loses the
    /// command, which the person sees unanswered and can repeat, rather than
    /// running it twice (a second redemption, a second purchase link).
    pub async fn first_delivery(&self, update: &str) -> CoreResult<bool> {
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
        let fresh = first_seen(&txn, &[update], self.clock.now()).await?;
        txn.commit().await?;
        Ok(!fresh.is_empty())
    }

    /// Forgets updates taken in more than `keep_secs` ago, by when the
    /// platform has stopped delivering them again; returns how many.
    pub async fn forget_seen_updates(&self, keep_secs: i64) -> CoreResult<u64> {
        let before = self.clock.now().saturating_sub(keep_secs);
        forget_before(&self.db, before).await
    }

    /// Waits until the activity handed in so far is committed (not yet
    /// folded): what a chat adapter waits for before it tells the platform
    /// the updates that brought it were received.
    pub async fn commit_activity(&self) {
        self.engage.flush().await;
    }

    /// Waits until all activity handed in so far is committed and in the
    /// score rows.
    pub async fn flush_activity(&self) {
        self.engage.fold_everything().await;
    }
}
