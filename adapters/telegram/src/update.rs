//! An update as the Bot API delivers it, read into what Lyceum does with it.

use lyceum_core::Invoker;
use lyceum_core::domain::{IdentityRef, Locale, Platform};
use teloxide::types::{ChatMemberKind, Update, UpdateKind, User};

use crate::config::Chats;

#[derive(Debug, PartialEq)]
pub enum Event {
    /// A slash command in a bound group; personal answers go to the
    /// person's private chat, which is decided from the reply.
    Command {
        community: String,
        chat: i64,
        user: i64,
        invoker: Invoker,
        line: String,
    },
    /// Something typed in a private chat with the bot, a command or not.
    /// Which community it speaks for is the person's choice, else
    /// `fallback` (the first bound chat's), else the only one configured.
    Private {
        chat: i64,
        invoker: Invoker,
        line: String,
        fallback: Option<String>,
    },
    /// Someone asks to join a paid chat.
    JoinRequest {
        community: String,
        chat: i64,
        user: i64,
        perk: Option<String>,
    },
    /// Someone is now in a bound chat (joined, added or approved).
    Joined {
        community: String,
        chat: i64,
        user: i64,
        perk: Option<String>,
    },
    /// Someone left or was removed from a bound chat.
    Left {
        chat: i64,
        user: i64,
    },
    /// A plain group message, for activity.
    Message {
        community: String,
        chat: i64,
        message: i32,
        user: i64,
        chars: usize,
    },
    /// Someone put a first reaction on a message in a bound chat.
    Reaction {
        community: String,
        chat: i64,
        message: i32,
        user: i64,
    },
    /// Someone pressed a lesson card's unlock button.
    Unlock {
        /// The callback query, which must be answered.
        query: String,
        community: String,
        chat: i64,
        user: i64,
        invoker: Invoker,
        lesson: String,
    },
    /// Telegram asks whether a Stars invoice may still be paid.
    PreCheckout {
        id: String,
        payload: String,
        stars: u32,
    },
    /// A Stars payment went through (a purchase, a subscription, a renewal).
    Paid(lyceum_core::engine::StarsPayment),
    Ignored,
}

pub fn identity(user: &User) -> Option<IdentityRef> {
    identity_of(i64::try_from(user.id.0).ok()?)
}

/// The core's name for the Telegram user with this id.
pub fn identity_of(user: i64) -> Option<IdentityRef> {
    IdentityRef::new(Platform::Telegram, &user.to_string()).ok()
}

fn invoker(user: &User) -> Option<Invoker> {
    Some(Invoker {
        identity: identity(user)?,
        display_name: Some(match &user.username {
            Some(u) => format!("@{u}"),
            None => user.full_name(),
        }),
        locale: user.language_code.as_deref().and_then(Locale::negotiate),
        operator: false,
        creator: false,
        back: None,
    })
}

pub fn read(update: &Update, chats: &Chats) -> Event {
    match &update.kind {
        UpdateKind::CallbackQuery(q) => {
            let (Some(lesson), Some(chat)) = (
                q.data.as_deref().and_then(crate::cards::unlock_key),
                q.message.as_ref().map(|m| m.chat().id.0),
            ) else {
                return Event::Ignored;
            };
            let (Some(b), Some(invoker)) = (chats.for_chat(chat), invoker(&q.from)) else {
                return Event::Ignored;
            };
            Event::Unlock {
                query: q.id.0.clone(),
                community: b.community.clone(),
                chat,
                user: i64::try_from(q.from.id.0).unwrap_or_default(),
                invoker,
                lesson: lesson.to_owned(),
            }
        }
        UpdateKind::PreCheckoutQuery(q) => Event::PreCheckout {
            id: q.id.0.clone(),
            payload: q.invoice_payload.clone(),
            stars: q.total_amount,
        },
        UpdateKind::Message(m) if m.successful_payment().is_some() => {
            let (Some(p), Some(user)) = (m.successful_payment(), m.from.as_ref()) else {
                return Event::Ignored;
            };
            if p.currency != "XTR" {
                return Event::Ignored;
            }
            Event::Paid(lyceum_core::engine::StarsPayment {
                user: i64::try_from(user.id.0).unwrap_or_default(),
                payload: p.invoice_payload.clone(),
                charge_id: p.telegram_payment_charge_id.0.clone(),
                stars: p.total_amount,
                at: m.date.timestamp(),
                expires_at: p.subscription_expiration_date.map(|d| d.timestamp()),
            })
        }
        UpdateKind::MessageReaction(r) => {
            // Only a reaction where there was none counts; changing or
            // removing one does not earn again.
            let (Some(b), Some(user)) = (chats.for_chat(r.chat.id.0), r.user().filter(|u| !u.is_bot)) else {
                return Event::Ignored;
            };
            if !r.old_reaction.is_empty() || r.new_reaction.is_empty() {
                return Event::Ignored;
            }
            Event::Reaction {
                community: b.community.clone(),
                chat: r.chat.id.0,
                message: r.message_id.0,
                user: i64::try_from(user.id.0).unwrap_or_default(),
            }
        }
        UpdateKind::Message(m) => {
            let Some(user) = m.from.as_ref().filter(|u| !u.is_bot) else {
                return Event::Ignored;
            };
            let chat = m.chat.id.0;
            let Some(text) = m.text() else {
                return Event::Ignored;
            };
            if m.chat.is_private() {
                let Some(invoker) = invoker(user) else {
                    return Event::Ignored;
                };
                return Event::Private {
                    chat,
                    invoker,
                    line: text.to_owned(),
                    fallback: chats.default_community().map(str::to_owned),
                };
            }
            let Some(community) = chats.for_chat(chat).map(|b| b.community.clone()) else {
                return Event::Ignored;
            };
            if text.starts_with('/') {
                let Some(invoker) = invoker(user) else {
                    return Event::Ignored;
                };
                return Event::Command {
                    community,
                    chat,
                    user: i64::try_from(user.id.0).unwrap_or_default(),
                    invoker,
                    line: text.to_owned(),
                };
            }
            Event::Message {
                community,
                chat,
                message: m.id.0,
                user: i64::try_from(user.id.0).unwrap_or_default(),
                chars: text.chars().count(),
            }
        }
        UpdateKind::ChatJoinRequest(r) => match chats.for_chat(r.chat.id.0) {
            Some(b) => Event::JoinRequest {
                community: b.community.clone(),
                chat: b.chat_id,
                user: i64::try_from(r.from.id.0).unwrap_or_default(),
                perk: b.perk.clone(),
            },
            None => Event::Ignored,
        },
        UpdateKind::ChatMember(u) => {
            let Some(b) = chats.for_chat(u.chat.id.0) else {
                return Event::Ignored;
            };
            let now_in = matches!(
                u.new_chat_member.kind,
                ChatMemberKind::Member(_) | ChatMemberKind::Restricted(_)
            );
            let was_in = matches!(
                u.old_chat_member.kind,
                ChatMemberKind::Member(_)
                    | ChatMemberKind::Restricted(_)
                    | ChatMemberKind::Administrator(_)
                    | ChatMemberKind::Owner(_)
            );
            let user = i64::try_from(u.new_chat_member.user.id.0).unwrap_or_default();
            if u.new_chat_member.user.is_bot {
                Event::Ignored
            } else if now_in && !was_in {
                Event::Joined {
                    community: b.community.clone(),
                    chat: b.chat_id,
                    user,
                    perk: b.perk.clone(),
                }
            } else if was_in && !now_in {
                Event::Left {
                    chat: b.chat_id,
                    user,
                }
            } else {
                Event::Ignored
            }
        }
        _ => Event::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ChatBinding;
    use serde_json::json;

    fn chats() -> Chats {
        Chats(vec![
            ChatBinding {
                chat_id: -1001,
                community: "demo".into(),
                perk: Some("pro-lounge".into()),
            },
            ChatBinding {
                chat_id: -1002,
                community: "demo".into(),
                perk: None,
            },
        ])
    }

    /// From text, as updates arrive: teloxide reads an update's kind from
    /// borrowed keys, which a `serde_json::Value` cannot lend.
    fn update(v: serde_json::Value) -> Update {
        serde_json::from_str(&v.to_string()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn user(id: u64, lang: &str) -> serde_json::Value {
        json!({"id": id, "is_bot": false, "first_name": "Ada", "username": "ada", "language_code": lang})
    }

    #[test]
    fn commands_in_groups_and_private_chats_carry_the_user_and_language() {
        let group = update(json!({"update_id": 1, "message": {
            "message_id": 5, "date": 1790000000, "text": "/points@LyceumBot",
            "chat": {"id": -1002, "type": "supergroup", "title": "Demo"},
            "from": user(42, "zh-hans"),
            "entities": [{"type": "bot_command", "offset": 0, "length": 17}]
        }}));
        let Event::Command {
            community,
            invoker,
            line,
            ..
        } = read(&group, &chats())
        else {
            panic!("not a command")
        };
        assert_eq!((community.as_str(), line.as_str()), ("demo", "/points@LyceumBot"));
        assert_eq!(invoker.identity.to_string(), "telegram:42");
        assert_eq!(invoker.locale, Some(Locale::ZhCn));
        assert_eq!(
            lyceum_core::Command::parse_line(&line),
            Ok(lyceum_core::Command::Points)
        );

        let private = update(json!({"update_id": 2, "message": {
            "message_id": 6, "date": 1790000000, "text": "/me",
            "chat": {"id": 42, "type": "private", "first_name": "Ada"}, "from": user(42, "en")
        }}));
        assert!(matches!(
            read(&private, &chats()),
            Event::Private { chat: 42, ref line, fallback: Some(ref c), .. } if line == "/me" && c == "demo"
        ));
    }

    #[test]
    fn join_requests_and_joins_in_bound_chats_and_plain_messages() {
        let request = update(json!({"update_id": 3, "chat_join_request": {
            "chat": {"id": -1001, "type": "supergroup", "title": "Pro"},
            "from": user(42, "en"), "user_chat_id": 42, "date": 1790000000
        }}));
        assert_eq!(
            read(&request, &chats()),
            Event::JoinRequest {
                community: "demo".into(),
                chat: -1001,
                user: 42,
                perk: Some("pro-lounge".into())
            }
        );
        let joined = update(json!({"update_id": 4, "chat_member": {
            "chat": {"id": -1001, "type": "supergroup", "title": "Pro"}, "from": user(42, "en"), "date": 1790000000,
            "old_chat_member": {"user": user(42, "en"), "status": "left"},
            "new_chat_member": {"user": user(42, "en"), "status": "member"}
        }}));
        assert!(matches!(read(&joined, &chats()), Event::Joined { user: 42, .. }));
        let left = update(json!({"update_id": 7, "chat_member": {
            "chat": {"id": -1001, "type": "supergroup", "title": "Pro"},
            "from": {"id": 99, "is_bot": true, "first_name": "Lyceum"}, "date": 1790000000,
            "old_chat_member": {"user": user(42, "en"), "status": "member"},
            "new_chat_member": {"user": user(42, "en"), "status": "left"}
        }}));
        assert_eq!(
            read(&left, &chats()),
            Event::Left {
                chat: -1001,
                user: 42
            }
        );
        let message = update(json!({"update_id": 5, "message": {
            "message_id": 7, "date": 1790000000, "text": "hello all",
            "chat": {"id": -1002, "type": "supergroup", "title": "Demo"}, "from": user(42, "en")
        }}));
        assert_eq!(
            read(&message, &chats()),
            Event::Message {
                community: "demo".into(),
                chat: -1002,
                message: 7,
                user: 42,
                chars: 9
            }
        );
        let elsewhere = update(json!({"update_id": 6, "message": {
            "message_id": 8, "date": 1790000000, "text": "/me",
            "chat": {"id": -999, "type": "group", "title": "Other"}, "from": user(42, "en")
        }}));
        assert_eq!(read(&elsewhere, &chats()), Event::Ignored);
    }
}
