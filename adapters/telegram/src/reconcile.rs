//! Paid chats against entitlements. The Bot API cannot list a chat's
//! members, so the check runs over everyone the bot has seen join (from
//! chat_member updates): whoever is in without access is removed, and the
//! pass reports what it did.

use lyceum_core::Core;
use lyceum_core::domain::{IdentityRef, Platform};
use serde::Serialize;
use teloxide::Bot;

use crate::config::Chats;

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    pub checked: u64,
    /// (chat, user)
    pub removed: Vec<(i64, i64)>,
    pub failed: Vec<String>,
}

pub async fn run(core: &Core, bot: &Bot, chats: &Chats) -> Report {
    let mut report = Report::default();
    for c in chats.0.iter() {
        let Some(perk) = &c.perk else { continue };
        let present = match core.present_in(Platform::Telegram, &c.chat_id.to_string()).await {
            Ok(p) => p,
            Err(e) => {
                report.failed.push(format!("chat {}: {e}", c.chat_id));
                continue;
            }
        };
        for user in present {
            report.checked += 1;
            let Ok(who) = IdentityRef::new(Platform::Telegram, &user) else {
                continue;
            };
            let entitled = match core.perks_of(&c.community, &who).await {
                Ok(perks) => perks.contains(perk),
                Err(e) => {
                    report.failed.push(format!("{who}: {e}"));
                    continue;
                }
            };
            if entitled {
                continue;
            }
            let id: i64 = user.parse().unwrap_or_default();
            match crate::api::remove(bot, c.chat_id, id).await {
                Ok(()) => {
                    report.removed.push((c.chat_id, id));
                    if let Err(e) = core
                        .set_presence(Platform::Telegram, &c.chat_id.to_string(), &user, false)
                        .await
                    {
                        report.failed.push(format!("{who}: {e}"));
                    }
                }
                Err(e) => report
                    .failed
                    .push(format!("remove {who} from {}: {e}", c.chat_id)),
            }
        }
    }
    if report.removed.is_empty() && report.failed.is_empty() {
        tracing::info!(checked = report.checked, "telegram paid chats match entitlements");
    } else {
        tracing::warn!(
            checked = report.checked,
            removed = report.removed.len(),
            failed = report.failed.len(),
            "telegram reconciliation removed people without access: {report:?}"
        );
    }
    report
}
