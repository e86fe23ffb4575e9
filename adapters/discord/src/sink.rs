//! Outbox effects for `discord:` accounts: perks become roles in every guild
//! bound to the effect's community (with an audit-log reason), notices
//! become direct messages.

use std::sync::Arc;

use async_trait::async_trait;
use lyceum_core::Core;
use lyceum_core::domain::{IdentityRef, Platform};
use lyceum_core::outbox::{DeliveryError, Effect, EffectKind, EffectSink, Target};
use lyceum_core::render;
use serenity::all::{AddMember, CreateMessage, GuildId, Http, RoleId, UserId};
use serenity::http::HttpError;

use crate::alerts::Alerts;
use crate::config::{Bindings, GuildBinding};
use crate::dms::{DmChannels, UNKNOWN_CHANNEL};
use crate::rest::retrying;

pub struct DiscordSink {
    pub http: Arc<Http>,
    pub bindings: Arc<Bindings>,
    pub alerts: Alerts,
    pub dms: DmChannels,
    /// Holds the tokens buyers lent on the web to be added to a server.
    pub lent: Option<Arc<Core>>,
}

/// Discord's JSON error codes that decide what to do.
const UNKNOWN_GUILD: isize = 10004;
const UNKNOWN_MEMBER: isize = 10007;
const UNKNOWN_ROLE: isize = 10011;
const UNKNOWN_USER: isize = 10013;
const MISSING_ACCESS: isize = 50001;
const CANNOT_DM: isize = 50007;
const MISSING_PERMISSIONS: isize = 50013;
const INVALID_OAUTH_TOKEN: isize = 50025;

/// What an error means for the effect.
enum Verdict {
    Retry(String),
    Permanent(String),
    /// An admin must act; keep retrying so it lands once they have.
    AdminMustAct(String),
}

fn verdict(e: &serenity::Error) -> Verdict {
    let serenity::Error::Http(HttpError::UnsuccessfulRequest(resp)) = e else {
        return Verdict::Retry(e.to_string());
    };
    let status = resp.status_code.as_u16();
    let what = format!("HTTP {status} code {}: {}", resp.error.code, resp.error.message);
    match resp.error.code {
        UNKNOWN_MEMBER | UNKNOWN_USER => Verdict::Permanent(format!(
            "{what} (not in the server; granted again if they rejoin)"
        )),
        CANNOT_DM => Verdict::Permanent(format!("{what} (they do not accept direct messages)")),
        UNKNOWN_ROLE | UNKNOWN_GUILD => Verdict::AdminMustAct(what),
        MISSING_PERMISSIONS | MISSING_ACCESS => Verdict::AdminMustAct(what),
        _ if status == 429 || status >= 500 => Verdict::Retry(what),
        _ => Verdict::Permanent(what),
    }
}

impl DiscordSink {
    async fn role(
        &self,
        b: &GuildBinding,
        user: UserId,
        perk: &str,
        grant: bool,
    ) -> Result<(), DeliveryError> {
        let Some(role) = b.role_for(perk) else {
            return Ok(());
        };
        let (guild, role) = (GuildId::new(b.guild_id), RoleId::new(role));
        let reason = if grant {
            format!("Lyceum: entitlement grants perk {perk}")
        } else {
            format!("Lyceum: entitlement no longer includes perk {perk}")
        };
        let result = retrying("role change", || async {
            if grant {
                self.http.add_member_role(guild, user, role, Some(&reason)).await
            } else {
                self.http
                    .remove_member_role(guild, user, role, Some(&reason))
                    .await
            }
        })
        .await;
        let Err(e) = result else { return Ok(()) };
        if grant && code_of(&e) == Some(UNKNOWN_MEMBER) && self.join(guild, user, role, &reason).await? {
            return Ok(());
        }
        match verdict(&e) {
            Verdict::Retry(why) => Err(DeliveryError::Retry(why)),
            Verdict::Permanent(why) => Err(DeliveryError::Permanent(why)),
            Verdict::AdminMustAct(why) => {
                self.alerts
                    .raise(b, &crate::guidance_after_failure(&self.http, b).await)
                    .await;
                Err(DeliveryError::Retry(why))
            }
        }
    }

    /// Adds `user`, who is not in the server, with the token they lent when
    /// they bought on the web, holding `role` from the start. False when
    /// they lent none: they will get the role if they join themselves.
    async fn join(
        &self,
        guild: GuildId,
        user: UserId,
        role: RoleId,
        reason: &str,
    ) -> Result<bool, DeliveryError> {
        let Some(core) = &self.lent else { return Ok(false) };
        let Ok(who) = IdentityRef::new(Platform::Discord, &user.get().to_string()) else {
            return Ok(false);
        };
        let token = match core.lent_token(&who).await {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(false),
            Err(e) => return Err(DeliveryError::Retry(format!("cannot read the lent token: {e}"))),
        };
        let add = AddMember::new(token).roles(vec![role]);
        let added = retrying("adding to the server", || async {
            self.http.add_guild_member(guild, user, &add).await
        })
        .await;
        let done = match added {
            Ok(Some(_)) => Ok(()),
            // Already in (they joined meanwhile): the role is given as usual.
            Ok(None) => retrying("role change", || async {
                self.http.add_member_role(guild, user, role, Some(reason)).await
            })
            .await
            .map_err(|e| delivery(&e)),
            Err(e) if code_of(&e) == Some(INVALID_OAUTH_TOKEN) => Err(DeliveryError::Permanent(format!(
                "{e} (the token lent on the web no longer works; they get the role if they join)"
            ))),
            Err(e) => return Err(delivery(&e)),
        };
        if let Err(e) = core.forget_token(&who).await {
            tracing::warn!(error = %e, "a used token could not be deleted; it lapses within a day");
        }
        done?;
        tracing::info!(
            guild = guild.get(),
            user = user.get(),
            "buyer added to the server with their lent token"
        );
        Ok(true)
    }

    async fn dm(&self, user: UserId, text: String) -> Result<(), DeliveryError> {
        let sent = retrying("direct message", || async {
            let channel = self.dms.of(&self.http, user).await?;
            let msg = CreateMessage::new().content(text.clone());
            let sent = channel.send_message(&self.http, msg).await;
            if let Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(r))) = &sent
                && r.error.code == UNKNOWN_CHANNEL
            {
                self.dms.forget(user);
            }
            sent
        })
        .await;
        sent.map(|_| ()).map_err(|e| delivery(&e))
    }
}

#[async_trait]
impl EffectSink for DiscordSink {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    async fn deliver(&self, effect: &Effect) -> Result<(), DeliveryError> {
        if let Target::Channel(channel) = &effect.recipient {
            let done = match &effect.kind {
                EffectKind::EditLesson { card, messages } => {
                    crate::cards::edit(&self.http, channel, effect.locale, card, messages).await
                }
                EffectKind::RemoveLesson { messages, .. } => {
                    crate::cards::remove(&self.http, channel, messages).await
                }
                other => {
                    return Err(DeliveryError::Permanent(format!(
                        "{other:?} is not an effect for a channel"
                    )));
                }
            };
            return done.map_err(|e| delivery(&e));
        }
        let Ok(id) = effect.recipient.external_id().parse::<u64>() else {
            return Err(DeliveryError::Permanent(format!(
                "{} is not a Discord user id",
                effect.recipient
            )));
        };
        let user = UserId::new(id.max(1));
        let community = effect.community.clone().unwrap_or_default();
        match &effect.kind {
            EffectKind::GrantPerk { perk } | EffectKind::RevokePerk { perk } => {
                let grant = matches!(effect.kind, EffectKind::GrantPerk { .. });
                for b in self.bindings.for_community(&community) {
                    self.role(b, user, perk, grant).await?;
                }
                Ok(())
            }
            EffectKind::SendMessage { notice } => self.dm(user, render::notice(effect.locale, notice)).await,
            other => Err(DeliveryError::Permanent(format!(
                "{other:?} is not an effect for a person"
            ))),
        }
    }

    async fn post_card(&self, effect: &Effect) -> Result<String, DeliveryError> {
        match (&effect.recipient, &effect.kind) {
            (Target::Channel(channel), EffectKind::PostLesson { card }) => {
                crate::cards::post(&self.http, channel, effect.locale, card)
                    .await
                    .map_err(|e| delivery(&e))
            }
            _ => Err(DeliveryError::Permanent(format!(
                "effect {} is not a lesson card for a channel",
                effect.id
            ))),
        }
    }
}

/// Discord's JSON error code in a refusal, if the error is one.
fn code_of(e: &serenity::Error) -> Option<isize> {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.error.code),
        _ => None,
    }
}

/// A failed channel call as the outbox sees it: a missing permission waits
/// for an admin, like a role the bot cannot assign.
fn delivery(e: &serenity::Error) -> DeliveryError {
    match verdict(e) {
        Verdict::Retry(why) | Verdict::AdminMustAct(why) => DeliveryError::Retry(why),
        Verdict::Permanent(why) => DeliveryError::Permanent(why),
    }
}
