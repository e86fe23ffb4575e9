//! Lyceum's platform-neutral core: communities, people, entitlements and
//! their history, points, badges, the command catalogue, localized replies,
//! and the outbox through which adapters are told what to change.
//!
//! It knows no chat platform, payment provider or HTTP framework; adapters
//! translate to and from the values defined here.

pub mod analytics;
pub mod card;
pub mod catalogue;
pub mod clock;
pub mod command;
pub mod config;
pub mod domain;
pub mod engage;
pub mod engine;
pub mod entity;
pub mod error;
pub mod i18n;
pub mod inbox;
pub mod lessons;
pub mod linking;
pub mod metrics;
pub mod outbox;
pub mod payments;
pub mod periods;
pub mod privacy;
pub mod purchases;
pub mod render;
pub mod reply;
pub mod sealed;
pub mod signin;
pub mod store;

pub use command::Command;
pub use engine::{Core, Invoker, Outcome, ReconcileReport};
pub use error::{CoreError, CoreResult, UserError};
pub use reply::{Notice, Reply};
