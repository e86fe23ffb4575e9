//! The `lyceum` binary's library: settings, logging, database, HTTP server
//! and the wiring of core, adapters and workers. `main.rs` only calls `main`.

pub mod app;
pub mod cli;
pub mod db;
pub mod discord;
pub mod http;
pub mod leader;
pub mod limits;
pub mod logging;
pub mod payments;
pub mod reports;
pub mod scheduler;
pub mod settings;
pub mod stripe_setup;
pub mod telegram;
pub mod webhook;

pub use app::main;
