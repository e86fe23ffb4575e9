//! A person's own data on request: everything kept about them, as JSON;
//! and erasure of what identifies them across every community, keeping
//! the money records (payments, subscriptions, purchases) under a member
//! number that no longer leads to anyone.

pub mod erase;
pub mod export;
