//! Discord for Lyceum, on serenity's gateway client: the core's catalogue as
//! slash commands in English and Simplified Chinese, roles that follow
//! entitlements through the outbox, admin guidance about permissions, and
//! messages and reactions reported as activity.

pub mod commands;
pub mod config;
pub mod interaction;

pub use config::{Bindings, GuildBinding, ShardRange};
