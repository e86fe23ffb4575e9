//! Schema migrations for Lyceum. One set serves SQLite and PostgreSQL: every
//! table is described with sea-query's builder, never with backend SQL.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_foundation;
mod m20261122_000002_payments;
mod m20261122_000003_activity;
mod m20261122_000004_presence;
mod m20261122_000005_engagement;
mod m20261122_000006_score_backlog;
mod m20261122_000007_lessons;
mod m20261122_000008_audit;
mod m20261122_000009_dashboard;
mod m20261123_000010_lookup_indexes;
mod m20261123_000011_payment_inbox;
mod m20261204_000012_seen_updates;
mod m20261204_000013_score_notices;
mod m20261204_000014_activity_limits;
mod m20261204_000015_sweep_indexes;
mod m20261207_000016_chosen_community;
mod m20261207_000017_web_members;
mod m20261208_000018_provisioned;
mod shape;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_payments::Migration),
            Box::new(m20261122_000003_activity::Migration),
            Box::new(m20261122_000004_presence::Migration),
            Box::new(m20261122_000005_engagement::Migration),
            Box::new(m20261122_000006_score_backlog::Migration),
            Box::new(m20261122_000007_lessons::Migration),
            Box::new(m20261122_000008_audit::Migration),
            Box::new(m20261122_000009_dashboard::Migration),
            Box::new(m20261123_000010_lookup_indexes::Migration),
            Box::new(m20261123_000011_payment_inbox::Migration),
            Box::new(m20261204_000012_seen_updates::Migration),
            Box::new(m20261204_000013_score_notices::Migration),
            Box::new(m20261204_000014_activity_limits::Migration),
            Box::new(m20261204_000015_sweep_indexes::Migration),
            Box::new(m20261207_000016_chosen_community::Migration),
            Box::new(m20261207_000017_web_members::Migration),
            Box::new(m20261208_000018_provisioned::Migration),
        ]
    }
}
