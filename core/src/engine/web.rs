//! Members on a community's public pages: the session a sign-in with
//! Discord or Telegram opens, a checkout started from the page, how far a
//! purchase has got, and the Discord token a buyer lends so the bot can add
//! them to the server once they have paid. HTTP and OAuth are the adapters';
//! what a session or a token may do is decided here.

use std::collections::BTreeSet;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::{Core, Invoker, Outcome};
use crate::command::Command;
use crate::config::OfferKind;
use crate::domain::{IdentityRef, Key, Locale};
use crate::entity::kinds::OutboxStatus;
use crate::entity::{join_token, member_session, offer, outbox, used_link};
use crate::error::{CoreError, CoreResult, UserError};
use crate::payments::Return;
use crate::reply::Reply;
use crate::sealed::Sealer;
use crate::signin::{digest, random_hex};
use crate::store::access::{perks_now, tier_by_id, tier_perks};
use crate::store::membership::find_member;
use crate::store::people::find_identity;

/// How long a browser stays signed in on a community's pages.
pub const MEMBER_SESSION_TTL_SECS: i64 = 14 * 86_400;
/// How long a sign-in round trip through a platform may take.
pub const WEB_NONCE_TTL_SECS: i64 = 600;
/// Marks web nonces among the used sign-in links they share a table with.
const WEB_NONCE: &str = "web:";
/// The longest a lent token is kept: a buyer who has not paid by then
/// signs in again.
pub const JOIN_TOKEN_TTL_SECS: i64 = 86_400;

/// A browser signed in on one community's public pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberSession {
    pub community: String,
    pub identity: IdentityRef,
    /// The token forms must carry back.
    pub csrf: String,
}

/// How far a purchase made on the web has got, for its success page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// No access yet: the payment has not been applied.
    Waiting,
    /// Access is granted; the roles or invites are still on their way.
    Delivering,
    /// Access is granted and everything the platforms must do is done.
    Ready,
}

impl Core {
    /// Lets Discord tokens be lent, sealed under `sealer`'s key.
    pub fn with_sealer(mut self, sealer: Sealer) -> Self {
        self.sealer = Some(sealer);
        self
    }

    /// Opens a session on community `slug`'s pages for `who`, who has just
    /// proved who they are to a platform; the cookie that names it.
    pub async fn open_member_session(&self, slug: &str, who: &Invoker) -> CoreResult<String> {
        let ctx = self.ctx_for(slug)?;
        let now = self.now();
        who.account(&self.db, now).await?;
        let cookie = random_hex(32);
        member_session::Entity::insert(member_session::ActiveModel {
            token_hash: Set(digest(&cookie)),
            community_id: Set(ctx.id),
            identity: Set(who.identity.to_string()),
            csrf: Set(random_hex(32)),
            expires_at: Set(now + MEMBER_SESSION_TTL_SECS),
            created_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(&self.db)
        .await?;
        tracing::info!(community = %slug, identity = %who.identity, "member web sign-in");
        Ok(cookie)
    }

    /// The live member session a cookie names, if any.
    pub async fn member_session(&self, cookie: &str) -> CoreResult<Option<MemberSession>> {
        let row = member_session::Entity::find()
            .filter(member_session::Column::TokenHash.eq(digest(cookie)))
            .filter(member_session::Column::ExpiresAt.gt(self.now()))
            .one(&self.db)
            .await?;
        Ok(row.and_then(|r| {
            Some(MemberSession {
                community: self.community_by_id(r.community_id)?.slug().to_owned(),
                identity: r.identity.parse().ok()?,
                csrf: r.csrf,
            })
        }))
    }

    pub async fn end_member_session(&self, cookie: &str) -> CoreResult<()> {
        member_session::Entity::delete_many()
            .filter(member_session::Column::TokenHash.eq(digest(cookie)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Lessons are offered on the web too, at `public_url`, where members
    /// can sign in.
    pub fn with_web_reading(mut self, public_url: &str) -> Self {
        self.web_reading = Some(public_url.trim_end_matches('/').to_owned());
        self
    }

    /// Keeps `token`, sealed, so the bot can act for `who` once (adding
    /// them to a server), until `expires_at` or a day at most. A newer
    /// token replaces an older one.
    pub async fn lend_token(&self, who: &IdentityRef, token: &str, expires_at: i64) -> CoreResult<()> {
        let Some(sealer) = &self.sealer else {
            return Err(CoreError::Unavailable(
                "no key to seal tokens with is configured".into(),
            ));
        };
        let now = self.now();
        let owner = who.to_string();
        join_token::Entity::insert(join_token::ActiveModel {
            identity: Set(owner.clone()),
            sealed: Set(sealer.seal(&owner, token)),
            expires_at: Set(expires_at.min(now + JOIN_TOKEN_TTL_SECS)),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(join_token::Column::Identity)
                .update_columns([
                    join_token::Column::Sealed,
                    join_token::Column::ExpiresAt,
                    join_token::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// The token `who` lent, while it is good.
    pub async fn lent_token(&self, who: &IdentityRef) -> CoreResult<Option<String>> {
        let Some(sealer) = &self.sealer else {
            return Ok(None);
        };
        let owner = who.to_string();
        let row = join_token::Entity::find_by_id(owner.clone())
            .filter(join_token::Column::ExpiresAt.gt(self.now()))
            .one(&self.db)
            .await?;
        Ok(row.and_then(|r| sealer.open(&owner, &r.sealed)))
    }

    /// Forgets the token `who` lent: it has been used.
    pub async fn forget_token(&self, who: &IdentityRef) -> CoreResult<()> {
        join_token::Entity::delete_by_id(who.to_string())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A fresh random value for one round trip through a platform's
    /// sign-in (OAuth's `state`), good once and for [`WEB_NONCE_TTL_SECS`].
    pub async fn issue_web_nonce(&self) -> CoreResult<String> {
        let nonce = random_hex(24);
        used_link::Entity::insert(used_link::ActiveModel {
            nonce: Set(format!("{WEB_NONCE}{nonce}")),
            used_at: Set(self.now()),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(nonce)
    }

    /// Whether `nonce` was issued here, is still young, and was not taken
    /// before; it is gone afterwards.
    pub async fn take_web_nonce(&self, nonce: &str) -> CoreResult<bool> {
        let taken = used_link::Entity::delete_many()
            .filter(used_link::Column::Nonce.eq(format!("{WEB_NONCE}{nonce}")))
            .filter(used_link::Column::UsedAt.gt(self.now() - WEB_NONCE_TTL_SECS))
            .exec(&self.db)
            .await?;
        Ok(taken.rows_affected == 1)
    }

    /// Deletes lent tokens, member sessions and sign-in nonces that have
    /// run out.
    pub async fn sweep_web(&self) -> CoreResult<u64> {
        let now = self.now();
        let nonces = used_link::Entity::delete_many()
            .filter(used_link::Column::Nonce.starts_with(WEB_NONCE))
            .filter(used_link::Column::UsedAt.lte(now - WEB_NONCE_TTL_SECS))
            .exec(&self.db)
            .await?;
        let tokens = join_token::Entity::delete_many()
            .filter(join_token::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?;
        let sessions = member_session::Entity::delete_many()
            .filter(member_session::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?;
        Ok(
            tokens.rows_affected
                + sessions.rows_affected
                + nonces.rows_affected
                + self.sweep_visits().await?,
        )
    }

    /// The active offer `key` of community `slug`, if it is sold.
    async fn web_offer(&self, slug: &str, key: &str) -> CoreResult<Option<offer::Model>> {
        let ctx = self.ctx_for(slug)?;
        Ok(offer::Entity::find()
            .filter(offer::Column::CommunityId.eq(ctx.id))
            .filter(offer::Column::Key.eq(key))
            .filter(offer::Column::Active.eq(true))
            .one(&self.db)
            .await?)
    }

    /// Starts a checkout for the signed-in member: joins them (crediting
    /// `referral` as `/join CODE` does), then asks for the offer exactly as
    /// the chat command would, with the provider sending them back to
    /// `back`. The reply is a checkout link or a refusal, such as already
    /// holding what they ask to buy.
    pub async fn web_checkout(
        &self,
        session: &MemberSession,
        offer_key: &str,
        referral: Option<&str>,
        locale: Locale,
        back: Return,
    ) -> Outcome {
        let slug = session.community.as_str();
        let invoker = Invoker {
            locale: Some(locale),
            back: Some(back),
            ..Invoker::new(session.identity.clone())
        };
        let cmd = match self.web_command(slug, offer_key).await {
            Ok(Some(cmd)) => cmd,
            Ok(None) => {
                let e = UserError::UnknownOffer {
                    key: offer_key.to_owned(),
                    available: String::new(),
                };
                return self.refusal(slug, &invoker, e).await;
            }
            Err(e) => {
                tracing::error!(community = %slug, error = %e, "web checkout failed");
                return Self::outcome(self.community(slug), locale, Reply::Internal);
            }
        };
        // The sale makes the membership itself; `/join CODE` first only
        // credits the code, and one that does not count still lets them buy.
        if let Some(code) = referral.filter(|c| !c.trim().is_empty()) {
            let join = Command::Join {
                code: Some(code.to_owned()),
            };
            if let Reply::Refused(e) = self.handle(slug, &invoker, join).await.reply {
                tracing::info!(community = %slug, identity = %invoker.identity, refusal = e.key(),
                    "referral from the web not credited");
            }
        }
        self.handle(slug, &invoker, cmd).await
    }

    /// The chat command that sells community `slug`'s active offer `key`.
    async fn web_command(&self, slug: &str, key: &str) -> CoreResult<Option<Command>> {
        let Some(o) = self.web_offer(slug, key).await? else {
            return Ok(None);
        };
        let key = |s: &str| Key::parse(s).ok();
        Ok(match o.kind {
            OfferKind::TierMonthly | OfferKind::TierYearly => {
                let tier = tier_by_id(&self.db, o.tier_id).await?;
                tier.and_then(|t| key(&t.key)).map(|tier| Command::Subscribe {
                    tier: Some(tier),
                    yearly: o.kind == OfferKind::TierYearly,
                })
            }
            OfferKind::Course => key(&o.key).map(|offer| Command::Buy { offer }),
            OfferKind::Lesson => super::lessons::lesson_of_offer(&o.key)
                .and_then(key)
                .map(|lesson| Command::Unlock { lesson, with: None }),
        })
    }

    /// How far `who`'s purchase of offer `offer_key` has got.
    pub async fn web_progress(&self, session: &MemberSession, offer_key: &str) -> CoreResult<Progress> {
        let ctx = self.ctx_for(&session.community)?;
        let Some(o) = self.web_offer(&session.community, offer_key).await? else {
            return Ok(Progress::Waiting);
        };
        let Some(ident) = find_identity(&self.db, &session.identity).await? else {
            return Ok(Progress::Waiting);
        };
        let Some(m) = find_member(&self.db, ctx.id, ident.person_id).await? else {
            return Ok(Progress::Waiting);
        };
        let held = perks_now(&self.db, ctx, &m).await?;
        let wanted: BTreeSet<String> = match tier_by_id(&self.db, o.tier_id).await? {
            Some(t) => tier_perks(&t).into_iter().collect(),
            None => serde_json::from_str::<Vec<String>>(&o.perks)
                .unwrap_or_default()
                .into_iter()
                .collect(),
        };
        let granted = if wanted.is_empty() {
            crate::purchases::owned_offers(&self.db, &m)
                .await?
                .iter()
                .any(|owned| owned.key == o.key)
        } else {
            wanted.is_subset(&held)
        };
        if !granted {
            return Ok(Progress::Waiting);
        }
        let pending = outbox::Entity::find()
            .filter(outbox::Column::CommunityId.eq(ctx.id))
            .filter(outbox::Column::Platform.eq(session.identity.platform().to_string()))
            .filter(outbox::Column::Recipient.eq(session.identity.external_id()))
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .count(&self.db)
            .await?;
        Ok(if pending == 0 {
            Progress::Ready
        } else {
            Progress::Delivering
        })
    }
}
