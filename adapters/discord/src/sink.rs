//! Outbox effects for `discord:` accounts: perks become roles in every guild
//! bound to the effect's community (with an audit-log reason), notices
//! become direct messages.

use std::sync::Arc;

use async_trait::async_trait;
use lyceum_core::domain::Platform;
use lyceum_core::outbox::{DeliveryError, Effect, EffectKind, EffectSink, Target};
use lyceum_core::render;
use serenity::all::{CreateMessage, GuildId, Http, RoleId, UserId};
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
}

/// Discord's JSON error codes that decide what to do.
const UNKNOWN_GUILD: isize = 10004;
const UNKNOWN_MEMBER: isize = 10007;
const UNKNOWN_ROLE: isize = 10011;
const UNKNOWN_USER: isize = 10013;
const MISSING_ACCESS: isize = 50001;
const CANNOT_DM: isize = 50007;
const MISSING_PERMISSIONS: isize = 50013;

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

/// A failed channel call as the outbox sees it: a missing permission waits
/// for an admin, like a role the bot cannot assign.
fn delivery(e: &serenity::Error) -> DeliveryError {
    match verdict(e) {
        Verdict::Retry(why) | Verdict::AdminMustAct(why) => DeliveryError::Retry(why),
        Verdict::Permanent(why) => DeliveryError::Permanent(why),
    }
}
