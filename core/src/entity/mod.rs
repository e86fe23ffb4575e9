//! sea-orm entities, one per table created by `lyceum-migrations`.
//! Columns mirror the migration exactly; meaning lives in the domain modules.

pub mod activity_day;
pub mod badge;
pub mod billing_customer;
pub mod chat_presence;
pub mod checkin;
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
pub mod period_close;
pub mod perk_grant;
pub mod person;
pub mod purchase;
pub mod redemption;
pub mod referral;
pub mod referral_code;
pub mod reminder;
pub mod revenue;
pub mod reversal;
pub mod score;
pub mod score_backlog;
pub mod shop_sale;
pub mod subscription;
pub mod tier;
pub mod trial;
