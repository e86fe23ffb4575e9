//! The `lyceum` binary's library: settings, logging, database, HTTP server
//! and the wiring of core, adapters and workers. `main.rs` only calls `main`.

pub mod app;
pub mod cli;
pub mod db;
pub mod http;
pub mod logging;
pub mod settings;

pub use app::main;
