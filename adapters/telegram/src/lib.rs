//! Telegram for Lyceum, on teloxide: the catalogue as bot commands in
//! English and Simplified Chinese, paid chats opened by personal invite
//! links whose join requests the bot approves only for entitled people,
//! removal (without a lasting ban) when access ends, and group messages as
//! activity, by long polling or a webhook; and Telegram Stars as a second
//! payment provider (invoices, pre-checkout, payments, refunds).
//!
//! For group messages to count as activity the bot's privacy mode must be
//! off (BotFather → Bot Settings → Group Privacy), or the bot an admin.

pub mod api;
mod authors;
pub mod cards;
pub mod config;
mod first_contact;
pub mod reconcile;
pub mod runtime;
pub mod sink;
pub mod stars;
pub mod update;

pub use api::Client;
pub use config::{ChatBinding, Chats};
pub use runtime::{Options, Updates, bot, reconcile_loop, run, start_webhook, update_key};
pub use teloxide::types::Update;

/// The bot's username, asked of Telegram until it answers: links to the
/// bot (`t.me/<username>`) need it, and it never changes while we run.
pub fn learn_username(bot: teloxide::Bot) -> std::sync::Arc<parking_lot::RwLock<Option<String>>> {
    use teloxide::prelude::Requester;
    let slot = std::sync::Arc::<parking_lot::RwLock<Option<String>>>::default();
    let kept = slot.clone();
    tokio::spawn(async move {
        loop {
            match bot.get_me().await {
                Ok(me) => {
                    kept.write().clone_from(&me.username);
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the bot's username is not known yet; asking again in 10 s");
                    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
                }
            }
        }
    });
    slot
}
