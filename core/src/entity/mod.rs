//! sea-orm entities, one per table created by `lyceum-migrations`.
//! Columns mirror the migration exactly; meaning lives in the domain modules.

pub mod badge;
pub mod community;
pub mod entitlement;
pub mod history;
pub mod identity;
pub mod ledger;
pub mod link_code;
pub mod member;
pub mod offer;
pub mod outbox;
pub mod person;
pub mod tier;
