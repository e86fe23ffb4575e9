//! `[communities.billing]`: grace after a failed renewal, reminders before
//! access ends, the expected currency and what a referral earns.

use serde::{Deserialize, Serialize};

use super::{ConfigProblem, perk_list, problem};
use crate::domain::Key;

/// How a community's paid access behaves around the edges of a payment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BillingConfig {
    /// Days a member whose renewal failed keeps the `grace_perks`.
    pub grace_days: u32,
    /// The reduced perk set held during grace; unset keeps the tier's perks.
    pub grace_perks: Option<Vec<String>>,
    /// Reminders before access ends for members who will not renew.
    pub reminder_days: Vec<u32>,
    /// Slack after a renewing period ends before access lapses, so the
    /// renewal's webhook can arrive first.
    pub renewal_leeway_hours: u32,
    /// The currency payments are expected in; others are recorded and flagged.
    pub currency: Option<String>,
    pub referral: ReferralConfig,
}

impl Default for BillingConfig {
    fn default() -> Self {
        BillingConfig {
            grace_days: 3,
            grace_perks: None,
            reminder_days: vec![3, 1],
            renewal_leeway_hours: 24,
            currency: None,
            referral: ReferralConfig::default(),
        }
    }
}

/// What a referrer earns for a referred member's first payment.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReferralConfig {
    pub points: i64,
    pub commission_percent: u32,
}

#[derive(Clone, Debug)]
pub struct Billing {
    pub grace_days: u32,
    pub grace_perks: Option<Vec<Key>>,
    /// Largest first, no repeats.
    pub reminder_days: Vec<u32>,
    pub renewal_leeway_secs: i64,
    pub currency: Option<String>,
    pub referral_points: i64,
    pub referral_commission_percent: u32,
}

impl BillingConfig {
    pub(super) fn validate(&self, at: &str) -> Result<Billing, ConfigProblem> {
        if self.grace_days > 60 {
            return Err(problem(format!("{at}.grace_days"), "at most 60 days"));
        }
        let mut reminder_days = self.reminder_days.clone();
        if let Some(bad) = reminder_days.iter().find(|d| **d == 0 || **d > 60) {
            return Err(problem(
                format!("{at}.reminder_days"),
                format!("{bad} is not between 1 and 60 days"),
            ));
        }
        reminder_days.sort_unstable_by(|a, b| b.cmp(a));
        reminder_days.dedup();
        if self.renewal_leeway_hours > 24 * 7 {
            return Err(problem(
                format!("{at}.renewal_leeway_hours"),
                "at most a week (168 hours)",
            ));
        }
        let currency = match &self.currency {
            Some(c) => {
                let code = c.to_ascii_uppercase();
                if iso_currency::Currency::from_code(&code).is_none() {
                    return Err(problem(
                        format!("{at}.currency"),
                        format!("`{c}` is not an ISO 4217 code"),
                    ));
                }
                Some(code)
            }
            None => None,
        };
        if self.referral.points < 0 || self.referral.points > 1_000_000 {
            return Err(problem(format!("{at}.referral.points"), "between 0 and 1000000"));
        }
        if self.referral.commission_percent > 100 {
            return Err(problem(
                format!("{at}.referral.commission_percent"),
                "at most 100",
            ));
        }
        Ok(Billing {
            grace_days: self.grace_days,
            grace_perks: match &self.grace_perks {
                Some(list) => Some(perk_list(&format!("{at}.grace_perks"), list)?),
                None => None,
            },
            reminder_days,
            renewal_leeway_secs: i64::from(self.renewal_leeway_hours) * 3600,
            currency,
            referral_points: self.referral.points,
            referral_commission_percent: self.referral.commission_percent,
        })
    }
}
