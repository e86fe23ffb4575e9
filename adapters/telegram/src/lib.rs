//! Telegram for Lyceum, on teloxide. This release reads updates into the
//! core's terms (commands, join requests, joins, activity); the polling
//! loop, the outbox sink, Stars payments and webhook mode are still to come.

pub mod config;
pub mod update;

pub use config::{ChatBinding, Chats};
