//! Lesson cards in Telegram chats: a message with an inline "unlock"
//! button, edited in place when the lesson changes and deleted when it is
//! removed. Pressing the button runs `/unlock` for whoever pressed it.

use lyceum_core::domain::{Channel, Locale};
use lyceum_core::render::lessons::{card, unlock_button};
use lyceum_core::reply::LessonCard;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};
use teloxide::{ApiError, RequestError};

use crate::api::{Client, retrying};

/// What a card's button sends back, followed by the lesson key.
pub const UNLOCK: &str = "unlock:";

/// The lesson key a button press asks to unlock, if it is one of ours.
pub fn unlock_key(data: &str) -> Option<&str> {
    data.strip_prefix(UNLOCK).filter(|k| !k.is_empty())
}

fn keyboard(locale: Locale, c: &LessonCard) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(
        unlock_button(locale),
        format!("{UNLOCK}{}", c.key),
    )]])
}

fn chat(channel: &Channel) -> Result<ChatId, RequestError> {
    channel
        .id()
        .parse::<i64>()
        .map(ChatId)
        .map_err(|_| RequestError::Api(ApiError::ChatNotFound))
}

/// Posts the card and returns its message id.
pub async fn post(
    tg: &Client,
    channel: &Channel,
    locale: Locale,
    c: &LessonCard,
) -> Result<String, RequestError> {
    let chat = chat(channel)?;
    let text = card(locale, c);
    tg.pace.wait(chat.0).await;
    let sent = retrying("post lesson card", || {
        tg.bot
            .send_message(chat, text.clone())
            .reply_markup(keyboard(locale, c))
    })
    .await?;
    Ok(sent.id.0.to_string())
}

fn message(id: &str) -> Option<MessageId> {
    id.parse::<i32>().ok().map(MessageId)
}

pub async fn edit(
    tg: &Client,
    channel: &Channel,
    locale: Locale,
    c: &LessonCard,
    messages: &[String],
) -> Result<(), RequestError> {
    let chat = chat(channel)?;
    let text = card(locale, c);
    for id in messages.iter().filter_map(|m| message(m)) {
        tg.pace.wait(chat.0).await;
        let edited = retrying("edit lesson card", || {
            tg.bot
                .edit_message_text(chat, id, text.clone())
                .reply_markup(keyboard(locale, c))
        })
        .await;
        match edited {
            // Telegram refuses an edit that changes nothing; it is done.
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub async fn remove(tg: &Client, channel: &Channel, messages: &[String]) -> Result<(), RequestError> {
    let chat = chat(channel)?;
    for id in messages.iter().filter_map(|m| message(m)) {
        tg.pace.wait(chat.0).await;
        match retrying("delete lesson card", || tg.bot.delete_message(chat, id)).await {
            Ok(_) | Err(RequestError::Api(ApiError::MessageToDeleteNotFound)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_buttons_name_a_lesson() {
        assert_eq!(unlock_key("unlock:intro"), Some("intro"));
        assert_eq!(unlock_key("unlock:"), None);
        assert_eq!(unlock_key("vote:3"), None);
    }
}
