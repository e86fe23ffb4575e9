//! What admins do to points in bulk.

pub mod import;
