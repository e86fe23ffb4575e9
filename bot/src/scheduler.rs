//! The periodic jobs of a running bot: expiry, reminders, timed shop perks
//! and pending shop coupons on a short beat; reconciliation from start and
//! then on a long one, a little at each beat. With several instances on
//! one PostgreSQL only the holder of the scheduler lock runs them
//! (leader.rs).

use std::sync::Arc;
use std::time::Duration;

use lyceum_core::Core;
use lyceum_core::engine::{ReconcileReport, SweepAt};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::leader::Leadership;

pub struct Every {
    pub expire: Duration,
    pub reconcile: Duration,
}

/// How long a platform update is remembered as taken in: Telegram stops
/// sending an unconfirmed update after a day.
const KEEP_SEEN_UPDATES_SECS: i64 = 2 * 86_400;
/// Members reconciled between looks at the clock.
const SWEEP_PAGE: u64 = 50;
/// The share of each beat a reconciliation may take.
const SWEEP_SHARE: u32 = 10;

/// A reconciliation under way. It goes on for a tenth of each beat, so a
/// million members hold up neither the other jobs nor live traffic; a sweep
/// that outlasts the interval is followed at once by the next.
struct Sweep {
    at: Option<SweepAt>,
    report: ReconcileReport,
    next_start: Instant,
}

impl Sweep {
    async fn step(&mut self, core: &Core, every: &Every) {
        if self.at.is_none() {
            if Instant::now() < self.next_start {
                return;
            }
            self.at = Some(SweepAt::default());
            self.report = ReconcileReport::default();
            self.next_start = Instant::now() + every.reconcile;
        }
        let budget = every.expire / SWEEP_SHARE;
        let started = Instant::now();
        while let Some(from) = self.at {
            match core.reconcile_page(from, SWEEP_PAGE, &mut self.report).await {
                Ok(next) => self.at = next,
                Err(e) => {
                    // Taken up again from the same members at the next beat.
                    tracing::error!(error = %e, "reconciliation failed");
                    return;
                }
            }
            if self.at.is_none() {
                self.finished();
            } else if started.elapsed() >= budget {
                return;
            }
        }
    }

    fn finished(&self) {
        let r = &self.report;
        if r.entitlements_fixed.is_empty() && r.effects_reemitted.is_empty() {
            tracing::debug!(members = r.members_checked, "reconciliation found nothing to fix");
        } else {
            tracing::warn!(
                members = r.members_checked,
                entitlements_fixed = r.entitlements_fixed.len(),
                effects_reemitted = r.effects_reemitted.len(),
                "reconciliation fixed drift; `lyceum reconcile --dry-run --json` shows the details"
            );
        }
    }
}

pub async fn run(core: Arc<Core>, every: Every, mut stop: watch::Receiver<bool>) {
    let mut sweep = Sweep {
        at: None,
        report: ReconcileReport::default(),
        next_start: Instant::now(),
    };
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
        match core.forget_seen_updates(KEEP_SEEN_UPDATES_SECS).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(forgotten = n, "old platform updates forgotten"),
            Err(e) => tracing::error!(error = %e, "forgetting old platform updates failed"),
        }
        match core.sweep_web().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(deleted = n, "lapsed web sessions and lent tokens deleted"),
            Err(e) => tracing::error!(error = %e, "deleting lapsed web sessions failed"),
        }
        sweep.step(&core, &every).await;
        tokio::select! {
            () = tokio::time::sleep(every.expire) => {}
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
    }
}
