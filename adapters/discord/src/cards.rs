//! Lesson cards in Discord channels: a message with an "unlock" button,
//! edited in place when the lesson changes and deleted when it is removed.
//! Pressing the button runs `/unlock` for whoever pressed it, answered only
//! to them.

use lyceum_core::domain::{Channel, Locale};
use lyceum_core::render::lessons::{card, unlock_button};
use lyceum_core::reply::LessonCard;
use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateButton, CreateMessage, EditMessage, Http, MessageId,
};

use crate::rest::retrying;

/// A card button's custom id is this followed by the lesson key.
pub const UNLOCK: &str = "lyceum:unlock:";

/// The lesson key a button press asks to unlock, if it is one of ours.
pub fn unlock_key(custom_id: &str) -> Option<&str> {
    custom_id.strip_prefix(UNLOCK).filter(|k| !k.is_empty())
}

fn button(locale: Locale, c: &LessonCard) -> CreateActionRow {
    CreateActionRow::Buttons(vec![
        CreateButton::new(format!("{UNLOCK}{}", c.key))
            .label(unlock_button(locale))
            .style(ButtonStyle::Primary),
    ])
}

fn channel(c: &Channel) -> Option<ChannelId> {
    c.id()
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .map(ChannelId::new)
}

fn message(id: &str) -> Option<MessageId> {
    id.parse::<u64>().ok().filter(|id| *id > 0).map(MessageId::new)
}

fn not_a_channel(c: &Channel) -> serenity::Error {
    serenity::Error::Other(if c.id().is_empty() {
        "no channel"
    } else {
        "not a Discord channel id"
    })
}

pub async fn post(
    http: &Http,
    c: &Channel,
    locale: Locale,
    lesson: &LessonCard,
) -> Result<String, serenity::Error> {
    let id = channel(c).ok_or_else(|| not_a_channel(c))?;
    let text = card(locale, lesson);
    let sent = retrying("post lesson card", || {
        let msg = CreateMessage::new()
            .content(text.clone())
            .components(vec![button(locale, lesson)]);
        id.send_message(http, msg)
    })
    .await?;
    Ok(sent.id.get().to_string())
}

pub async fn edit(
    http: &Http,
    c: &Channel,
    locale: Locale,
    lesson: &LessonCard,
    messages: &[String],
) -> Result<(), serenity::Error> {
    let id = channel(c).ok_or_else(|| not_a_channel(c))?;
    let text = card(locale, lesson);
    for m in messages.iter().filter_map(|m| message(m)) {
        retrying("edit lesson card", || {
            let edit = EditMessage::new()
                .content(text.clone())
                .components(vec![button(locale, lesson)]);
            id.edit_message(http, m, edit)
        })
        .await?;
    }
    Ok(())
}

pub async fn remove(http: &Http, c: &Channel, messages: &[String]) -> Result<(), serenity::Error> {
    let id = channel(c).ok_or_else(|| not_a_channel(c))?;
    for m in messages.iter().filter_map(|m| message(m)) {
        retrying("delete lesson card", || id.delete_message(http, m)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_buttons_name_a_lesson() {
        assert_eq!(unlock_key("lyceum:unlock:intro"), Some("intro"));
        assert_eq!(unlock_key("lyceum:unlock:"), None);
        assert_eq!(unlock_key("poll:1"), None);
    }
}
