//! The periodic jobs of a running bot: expiry, reminders, timed shop perks
//! and pending shop coupons on a short beat, reconciliation at start and
//! then on a long one. With several instances on one PostgreSQL only the
//! holder of the scheduler lock runs them (leader.rs).

use std::sync::Arc;
use std::time::Duration;

use lyceum_core::Core;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::leader::Leadership;

pub struct Every {
    pub expire: Duration,
    pub reconcile: Duration,
}

pub async fn run(core: Arc<Core>, every: Every, mut stop: watch::Receiver<bool>) {
    let mut next_reconcile = Instant::now();
    let mut leadership = Leadership::new(core.db());
    let mut said_follow = false;
    loop {
        if !leadership.lead().await {
            if !said_follow {
                tracing::info!("another instance runs the periodic jobs; this one waits to take over");
                said_follow = true;
            }
            tokio::select! {
                () = tokio::time::sleep(every.expire) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
            continue;
        }
        said_follow = false;
        match core.expire_due().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "expired access that ran out"),
            Err(e) => tracing::error!(error = %e, "expiry pass failed"),
        }
        match core.send_reminders().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "renewal reminders queued"),
            Err(e) => tracing::error!(error = %e, "reminder pass failed"),
        }
        match core.expire_perk_grants().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(ended = n, "timed perks from the points shop ended"),
            Err(e) => tracing::error!(error = %e, "timed perk pass failed"),
        }
        match core.close_weeks().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(badges = n, "last week closed; weekly-top badges awarded"),
            Err(e) => tracing::error!(error = %e, "closing last week failed"),
        }
        match core.fulfil_pending_redemptions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(ready = n, "pending points-shop coupons created"),
            Err(e) => tracing::error!(error = %e, "pending coupon pass failed"),
        }
        if Instant::now() >= next_reconcile {
            next_reconcile = Instant::now() + every.reconcile;
            match core.reconcile(false).await {
                Ok(r) if r.entitlements_fixed.is_empty() && r.effects_reemitted.is_empty() => {
                    tracing::debug!(members = r.members_checked, "reconciliation found nothing to fix");
                }
                Ok(r) => tracing::warn!(
                    members = r.members_checked,
                    entitlements_fixed = r.entitlements_fixed.len(),
                    effects_reemitted = r.effects_reemitted.len(),
                    "reconciliation fixed drift; `lyceum reconcile --dry-run --json` shows the details"
                ),
                Err(e) => tracing::error!(error = %e, "reconciliation failed"),
            }
        }
        tokio::select! {
            () = tokio::time::sleep(every.expire) => {}
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
    }
}
