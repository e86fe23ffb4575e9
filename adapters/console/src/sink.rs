//! Delivery of outbox effects addressed to `console:` identities: printed in
//! the console session, or logged when the bot runs as a service.

use parking_lot::Mutex;
use std::sync::Arc;

use lyceum_core::domain::Platform;
use lyceum_core::i18n::t_args;
use lyceum_core::outbox::{DeliveryError, Effect, EffectKind, EffectSink};
use lyceum_core::render;

/// Lines delivered but not yet shown, shared with the session printing them.
#[derive(Clone, Default)]
pub struct Delivered(Arc<Mutex<Vec<String>>>);

impl Delivered {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock())
    }

    fn push(&self, line: String) {
        self.0.lock().push(line);
    }
}

pub enum ConsoleSink {
    /// Collect for a console session to print.
    Session(Delivered),
    /// Write to the log, for `lyceum run`.
    Log,
}

pub fn describe(effect: &Effect) -> String {
    let community = effect.community.clone().unwrap_or_default();
    let body = match &effect.kind {
        EffectKind::GrantPerk { perk } => t_args(
            effect.locale,
            "effect-grant-perk",
            &[("perk", perk.as_str().into()), ("community", community.into())],
        ),
        EffectKind::RevokePerk { perk } => t_args(
            effect.locale,
            "effect-revoke-perk",
            &[("perk", perk.as_str().into()), ("community", community.into())],
        ),
        EffectKind::SendMessage { notice } => render::notice(effect.locale, notice),
        EffectKind::PostLesson { card } => render::lessons::card(effect.locale, card),
        EffectKind::EditLesson { card, messages } => format!(
            "{} {}",
            t_args(
                effect.locale,
                "card-edited",
                &[("messages", messages.join(", ").into())]
            ),
            render::lessons::card(effect.locale, card)
        ),
        EffectKind::RemoveLesson { messages, .. } => t_args(
            effect.locale,
            "card-removed",
            &[("messages", messages.join(", ").into())],
        ),
    };
    format!("[→ {}] {body}", effect.recipient)
}

#[async_trait::async_trait]
impl EffectSink for ConsoleSink {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    async fn deliver(&self, effect: &Effect) -> Result<(), DeliveryError> {
        let line = describe(effect);
        match self {
            ConsoleSink::Session(out) => out.push(line),
            ConsoleSink::Log => tracing::info!(effect = effect.id, "{line}"),
        }
        Ok(())
    }

    /// The console's "message id" of a card is the effect that posted it.
    async fn post_card(&self, effect: &Effect) -> Result<String, DeliveryError> {
        self.deliver(effect).await?;
        Ok(format!("card-{}", effect.id))
    }
}
