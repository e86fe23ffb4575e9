//! Paid chats against entitlements. The Bot API cannot list a chat's
//! members, so the check runs over everyone the bot has seen join (from
//! chat_member updates): whoever is in without access is removed, and the
//! pass reports what it did.

use lyceum_core::Core;
use lyceum_core::domain::Platform;
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

/// The admin rights the bot lacks in `chat` to run a paid chat.
pub async fn missing_rights(bot: &Bot, chat: i64) -> Result<Vec<&'static str>, teloxide::RequestError> {
    use teloxide::prelude::*;
    use teloxide::types::ChatMemberKind;
    let me = bot.get_me().await?;
    let member = bot.get_chat_member(ChatId(chat), me.id).await?;
    Ok(match &member.kind {
        ChatMemberKind::Owner(_) => Vec::new(),
        ChatMemberKind::Administrator(a) => {
            let mut missing = Vec::new();
            if !a.can_invite_users {
                missing.push("Invite users via link");
            }
            if !a.can_restrict_members {
                missing.push("Ban users");
            }
            missing
        }
        _ => vec!["Admin (with Invite users via link and Ban users)"],
    })
}

/// Tells the community's Telegram admins, privately, what the bot lacks.
async fn tell_admins(core: &Core, bot: &Bot, community: &str, chat: i64, missing: &[&str]) {
    use teloxide::prelude::*;
    let Some(ctx) = core.community(community) else {
        return;
    };
    let args = [
        ("chat", chat.to_string().into()),
        ("rights", missing.join(", ").into()),
    ];
    let text = lyceum_core::i18n::t_args(ctx.config.default_locale, "telegram-guide-rights", &args);
    tracing::error!(chat, community, "admin action needed: {text}");
    for admin in ctx
        .config
        .admins
        .iter()
        .filter(|a| a.platform() == Platform::Telegram)
    {
        let Ok(id) = admin.external_id().parse::<i64>() else {
            continue;
        };
        if let Err(e) = bot.send_message(ChatId(id), text.clone()).await {
            tracing::warn!(%admin, error = %e, "could not tell an admin about missing rights");
        }
    }
}

pub async fn run(core: &Core, bot: &Bot, chats: &Chats) -> Report {
    let mut report = Report::default();
    for c in &chats.0 {
        let Some(perk) = &c.perk else { continue };
        match missing_rights(bot, c.chat_id).await {
            Ok(missing) if !missing.is_empty() => {
                tell_admins(core, bot, &c.community, c.chat_id, &missing).await;
                report.failed.push(format!(
                    "chat {}: the bot lacks {}",
                    c.chat_id,
                    missing.join(", ")
                ));
            }
            Ok(_) => {}
            Err(e) => report
                .failed
                .push(format!("chat {}: cannot check the bot's rights: {e}", c.chat_id)),
        }
        let present = match core.present_in(Platform::Telegram, &c.chat_id.to_string()).await {
            Ok(p) => p,
            Err(e) => {
                report.failed.push(format!("chat {}: {e}", c.chat_id));
                continue;
            }
        };
        for user in present {
            report.checked += 1;
            let id: i64 = user.parse().unwrap_or_default();
            match crate::runtime::entitled(core, &c.community, id, Some(perk)).await {
                Ok(true) => continue,
                Ok(false) => {}
                // Never remove anyone on an answer we could not get.
                Err(e) => {
                    report.failed.push(format!("telegram:{user}: {e}"));
                    continue;
                }
            }
            match crate::api::remove(bot, c.chat_id, id).await {
                Ok(()) => {
                    report.removed.push((c.chat_id, id));
                    if let Err(e) = core
                        .set_presence(Platform::Telegram, &c.chat_id.to_string(), &user, false)
                        .await
                    {
                        report.failed.push(format!("telegram:{user}: {e}"));
                    }
                }
                Err(e) => report
                    .failed
                    .push(format!("remove telegram:{user} from {}: {e}", c.chat_id)),
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
