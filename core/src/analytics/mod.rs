//! What the admin dashboard shows: a community's members, money, churn,
//! retention and activity, worked out from the records the core already
//! keeps (entitlement history, subscriptions, the revenue ledger, daily
//! activity counts). Pure rules live in the submodules; `snapshot.rs`
//! loads one community's records and puts the figures together.

pub mod access;
pub mod money;
pub mod public;
pub mod snapshot;

pub use snapshot::{Cohort, Snapshot, WeekFlow};

pub const DAY: i64 = 86_400;
pub const WEEK: i64 = 7 * DAY;
/// Retention is read at whole 30-day months after a member's first access.
pub const MONTH: i64 = 30 * DAY;
