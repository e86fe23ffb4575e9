//! Reads and writes of the domain, each taking the caller's connection or
//! transaction so a command's writes commit together or not at all.

pub mod access;
pub mod audit;
pub mod chunked;
pub mod keys;
pub mod membership;
pub mod own;
pub mod people;
pub mod provisioned;
pub mod scores;
pub mod seen;
pub mod sync;
pub mod view;
