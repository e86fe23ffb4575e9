//! sea-orm entities, one per table created by `lyceum-migrations`.
//! Columns mirror the migration exactly; meaning lives in the domain modules.

pub mod activity_day;
pub mod badge;
pub mod billing_customer;
pub mod chat_presence;
pub mod community;
pub mod coupon;
pub mod entitlement;
pub mod history;
pub mod identity;
pub mod ledger;
pub mod link_code;
pub mod member;
pub mod offer;
pub mod outbox;
pub mod payment_event;
pub mod person;
pub mod purchase;
pub mod referral;
pub mod referral_code;
pub mod reminder;
pub mod revenue;
pub mod reversal;
pub mod subscription;
pub mod tier;
pub mod trial;
