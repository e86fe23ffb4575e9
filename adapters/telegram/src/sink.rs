//! Outbox effects for `telegram:` accounts. A granted perk that opens paid
//! chats becomes a personal invite link (it creates a join request, which
//! the bot approves because the person is entitled); a revoked one removes
//! the person from those chats without a lasting ban; notices are private
//! messages.

use std::sync::Arc;

use async_trait::async_trait;
use lyceum_core::domain::Platform;
use lyceum_core::i18n::t_args;
use lyceum_core::outbox::{DeliveryError, Effect, EffectKind, EffectSink, Target};
use lyceum_core::render;
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};

use crate::api::{Client, retrying};
use crate::config::Chats;

pub struct TelegramSink {
    pub tg: Client,
    pub chats: Arc<Chats>,
}

fn verdict(e: RequestError) -> DeliveryError {
    match e {
        RequestError::Api(
            ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::CantInitiateConversation,
        ) => DeliveryError::Permanent(format!("{e} (the person has not started or has blocked the bot)")),
        RequestError::Api(ApiError::ChatNotFound) => {
            tracing::error!(error = %e, "a configured Telegram chat does not exist or the bot is not in it");
            DeliveryError::Retry(e.to_string())
        }
        RequestError::Api(ApiError::NotEnoughRightsToRestrict) => {
            tracing::error!(
                "the bot cannot remove members: make it an admin of the paid chat with the \"Ban users\" right"
            );
            DeliveryError::Retry(e.to_string())
        }
        // teloxide keeps a failure's description but not its status code;
        // Telegram's 5xx answers carry the HTTP reason as the description.
        RequestError::Api(ApiError::Unknown(why)) if server_side(&why) => {
            DeliveryError::Retry(format!("Telegram answered: {why}"))
        }
        RequestError::Api(other) => DeliveryError::Permanent(other.to_string()),
        other => DeliveryError::Retry(other.to_string()),
    }
}

fn server_side(description: &str) -> bool {
    const REASONS: [&str; 4] = [
        "Internal Server Error",
        "Bad Gateway",
        "Service Unavailable",
        "Gateway Timeout",
    ];
    REASONS.iter().any(|r| description.contains(r))
}

impl TelegramSink {
    async fn invite(
        &self,
        user: UserId,
        chat: i64,
        effect: &Effect,
        perk: &str,
    ) -> Result<(), DeliveryError> {
        let name = format!("lyceum {}", user.0);
        let link = retrying("create invite link", || {
            self.tg
                .bot
                .create_chat_invite_link(ChatId(chat))
                .name(name.clone())
                .creates_join_request(true)
        })
        .await
        .map_err(verdict)?;
        let text = t_args(
            effect.locale,
            "telegram-invite",
            &[("perk", perk.into()), ("link", link.invite_link.as_str().into())],
        );
        self.tg.pace.wait(i64::try_from(user.0).unwrap_or_default()).await;
        retrying("send invite", || self.tg.bot.send_message(user, text.clone()))
            .await
            .map(|_| ())
            .map_err(verdict)
    }

    async fn remove(&self, user: UserId, chat: i64) -> Result<(), DeliveryError> {
        crate::api::remove(&self.tg.bot, chat, i64::try_from(user.0).unwrap_or_default())
            .await
            .map_err(verdict)
    }
}

#[async_trait]
impl EffectSink for TelegramSink {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    async fn deliver(&self, effect: &Effect) -> Result<(), DeliveryError> {
        if let Target::Channel(channel) = &effect.recipient {
            return match &effect.kind {
                EffectKind::EditLesson { card, messages } => {
                    crate::cards::edit(&self.tg, channel, effect.locale, card, messages).await
                }
                EffectKind::RemoveLesson { messages, .. } => {
                    crate::cards::remove(&self.tg, channel, messages).await
                }
                other => {
                    return Err(DeliveryError::Permanent(format!(
                        "{other:?} is not an effect for a chat"
                    )));
                }
            }
            .map_err(verdict);
        }
        let Ok(id) = effect.recipient.external_id().parse::<u64>() else {
            return Err(DeliveryError::Permanent(format!(
                "{} is not a Telegram user id",
                effect.recipient
            )));
        };
        let user = UserId(id);
        let community = effect.community.clone().unwrap_or_default();
        match &effect.kind {
            EffectKind::GrantPerk { perk } => {
                for c in self.chats.gated_by(&community, perk) {
                    self.invite(user, c.chat_id, effect, perk).await?;
                }
                Ok(())
            }
            EffectKind::RevokePerk { perk } => {
                for c in self.chats.gated_by(&community, perk) {
                    self.remove(user, c.chat_id).await?;
                }
                Ok(())
            }
            EffectKind::SendMessage { notice } => {
                let text = render::notice(effect.locale, notice);
                self.tg.pace.wait(i64::try_from(id).unwrap_or_default()).await;
                retrying("send notice", || self.tg.bot.send_message(user, text.clone()))
                    .await
                    .map(|_| ())
                    .map_err(verdict)
            }
            other => Err(DeliveryError::Permanent(format!(
                "{other:?} is not an effect for a person"
            ))),
        }
    }

    async fn post_card(&self, effect: &Effect) -> Result<String, DeliveryError> {
        match (&effect.recipient, &effect.kind) {
            (Target::Channel(channel), EffectKind::PostLesson { card }) => {
                crate::cards::post(&self.tg, channel, effect.locale, card)
                    .await
                    .map_err(verdict)
            }
            _ => Err(DeliveryError::Permanent(format!(
                "effect {} is not a lesson card for a chat",
                effect.id
            ))),
        }
    }
}
