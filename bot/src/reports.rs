//! Plain-text forms of the operator reports, and the period arguments.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use lyceum_core::ReconcileReport;
use lyceum_core::engage::admin::import::ImportReport;
use lyceum_core::payments::revenue::{Amounts, RevenueReport};

fn day_start(s: &str, flag: &str) -> Result<i64, String> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{flag} {s}: use YYYY-MM-DD"))?;
    Ok(d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp()))
}

/// `[from, to)` in Unix seconds; `from` defaults to the first of this month
/// (UTC) and `to` to now.
pub fn period(from: Option<&str>, to: Option<&str>, now: i64) -> Result<(i64, i64), String> {
    let from = match from {
        Some(s) => day_start(s, "--from")?,
        None => {
            let today = DateTime::<Utc>::from_timestamp(now, 0).unwrap_or_default();
            Utc.with_ymd_and_hms(today.year(), today.month(), 1, 0, 0, 0)
                .single()
                .map_or(0, |t| t.timestamp())
        }
    };
    let to = match to {
        Some(s) => day_start(s, "--to")?,
        None => now + 1,
    };
    if to <= from {
        return Err("--to must be after --from".into());
    }
    Ok((from, to))
}

pub fn import_text(r: &ImportReport) -> String {
    let mut out = String::new();
    let verb = if r.dry_run { "Would import" } else { "Imported" };
    let _ = writeln!(out, "{verb} {} rows:", r.rows);
    let _ = writeln!(out, "  new members: {}", r.new_members);
    let _ = writeln!(out, "  raised to the file's XP: {}", r.raised);
    let _ = writeln!(out, "  already at or above it: {}", r.unchanged);
    let _ = writeln!(out, "  points added: {}", r.points_added);
    if r.dry_run {
        let _ = writeln!(out, "Dry run: nothing was changed.");
    }
    out
}

fn money(a: &Amounts) -> String {
    if a.0.is_empty() {
        return "0".into();
    }
    a.0.iter()
        .map(
            |(cur, minor)| match lyceum_core::domain::Money::new(*minor, cur) {
                Ok(m) => m.to_string(),
                Err(_) => format!("{minor} {cur} (minor units)"),
            },
        )
        .collect::<Vec<_>>()
        .join(" + ")
}

pub fn revenue_text(r: &RevenueReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Revenue of {}", r.community);
    let _ = writeln!(out, "MRR now: {}", money(&r.mrr));
    for t in &r.mrr_by_tier {
        let _ = writeln!(
            out,
            "  {}: {} subscribers, {}",
            t.tier,
            t.subscribers,
            money(&t.mrr)
        );
    }
    let _ = writeln!(
        out,
        "Subscription payments in the period: {}",
        money(&r.subscription_revenue)
    );
    let _ = writeln!(out, "One-off sales in the period: {}", money(&r.one_off_revenue));
    for (offer, n) in &r.one_off_sales {
        let _ = writeln!(out, "  {offer}: {n} sold");
    }
    let _ = writeln!(out, "Refunds: {}", money(&r.refunds));
    let _ = writeln!(out, "Disputes lost: {}", money(&r.disputes_lost));
    let _ = writeln!(out, "Net: {}", money(&r.net));
    let _ = writeln!(
        out,
        "Referral commissions owed: {}",
        money(&r.referral_commissions)
    );
    out
}

pub fn reconcile_text(r: &ReconcileReport) -> String {
    let mut out = String::new();
    let verb = if r.dry_run { "would fix" } else { "fixed" };
    let _ = writeln!(out, "checked {} members", r.members_checked);
    for f in &r.entitlements_fixed {
        let _ = writeln!(out, "{verb} member {}: {} -> {}", f.member, f.from, f.to);
    }
    for e in &r.effects_reemitted {
        let _ = writeln!(
            out,
            "{verb} member {}: {} {} for {}",
            e.member, e.effect, e.perk, e.recipient
        );
    }
    if r.entitlements_fixed.is_empty() && r.effects_reemitted.is_empty() {
        let _ = writeln!(out, "nothing to fix");
    }
    out
}
