//! Gated lessons and courses: what a creator posts, who may read it, and
//! what members completed.

pub mod access;
pub mod cards;
pub mod draft;
pub mod recommend;
pub mod store;
