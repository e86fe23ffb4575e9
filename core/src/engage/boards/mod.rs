//! The leaderboards in memory: every member's place on the all-time, week,
//! month and season boards, loaded in bulk at start and moved as scores
//! change.

pub(crate) mod bulk;
pub(crate) mod ladder;
pub mod standings;
