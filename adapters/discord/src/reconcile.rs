//! Roles as they are in each guild against roles as entitlements say they
//! should be, fixed in both directions. Changes are paced with a governor
//! limiter on top of serenity's own rate limiting, so a sync of thousands of
//! members does not run into Discord's global limit.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use lyceum_core::Core;
use serde::Serialize;
use serenity::all::{GuildId, Http, RoleId};

use crate::config::{Bindings, GuildBinding};
use crate::interaction::identity;
use crate::rest::retrying;

/// Role changes per second during reconciliation.
const CHANGES_PER_SECOND: u32 = 5;
/// Discord's page size for listing members.
const PAGE: u64 = 1000;

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    pub members_checked: u64,
    /// (guild, user, role)
    pub added: Vec<(u64, u64, u64)>,
    pub removed: Vec<(u64, u64, u64)>,
    pub failed: Vec<String>,
}

pub fn pacer() -> DefaultDirectRateLimiter {
    RateLimiter::direct(Quota::per_second(
        NonZeroU32::new(CHANGES_PER_SECOND).unwrap_or(NonZeroU32::MIN),
    ))
}

async fn guild(
    http: &Http,
    core: &Core,
    b: &GuildBinding,
    pace: &DefaultDirectRateLimiter,
    report: &mut Report,
) -> Result<(), serenity::Error> {
    let guild = GuildId::new(b.guild_id);
    let mut after = None;
    loop {
        let page = retrying("list members", || {
            http.get_guild_members(guild, Some(PAGE), after)
        })
        .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.user.id.get());
        let full = page.len() as u64 == PAGE;
        for m in page {
            if m.user.bot {
                continue;
            }
            report.members_checked += 1;
            let Some(who) = identity(&m.user) else { continue };
            let perks = match core.perks_of(&b.community, &who).await {
                Ok(p) => p,
                Err(e) => {
                    report.failed.push(format!("{who}: {e}"));
                    continue;
                }
            };
            let want: Vec<u64> = perks.iter().filter_map(|p| b.role_for(p)).collect();
            let has: Vec<u64> = m
                .roles
                .iter()
                .map(|r| r.get())
                .filter(|r| b.manages(*r))
                .collect();
            let user = m.user.id;
            for role in want.iter().filter(|r| !has.contains(r)) {
                pace.until_ready().await;
                let reason = "Lyceum reconciliation: entitled to this role";
                let add = || http.add_member_role(guild, user, RoleId::new(*role), Some(reason));
                match retrying("reconcile grant", add).await {
                    Ok(()) => report.added.push((b.guild_id, user.get(), *role)),
                    Err(e) => report.failed.push(format!("add {role} to {user}: {e}")),
                }
            }
            for role in has.iter().filter(|r| !want.contains(r)) {
                pace.until_ready().await;
                let reason = "Lyceum reconciliation: no longer entitled to this role";
                let remove = || http.remove_member_role(guild, user, RoleId::new(*role), Some(reason));
                match retrying("reconcile revoke", remove).await {
                    Ok(()) => report.removed.push((b.guild_id, user.get(), *role)),
                    Err(e) => report.failed.push(format!("remove {role} from {user}: {e}")),
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(())
}

/// One pass over every bound guild.
pub async fn run(
    http: &Http,
    core: &Arc<Core>,
    bindings: &Bindings,
    pace: &DefaultDirectRateLimiter,
) -> Report {
    let mut report = Report::default();
    for b in &bindings.0 {
        if let Err(e) = guild(http, core, b, pace, &mut report).await {
            report.failed.push(format!("guild {}: {e}", b.guild_id));
        }
    }
    if report.added.is_empty() && report.removed.is_empty() && report.failed.is_empty() {
        tracing::info!(
            members = report.members_checked,
            "discord roles match entitlements"
        );
    } else {
        tracing::warn!(
            members = report.members_checked,
            added = report.added.len(),
            removed = report.removed.len(),
            failed = report.failed.len(),
            "discord role reconciliation changed roles: {report:?}"
        );
    }
    report
}
