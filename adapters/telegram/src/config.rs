//! Which Telegram chats serve which community, and which perk opens a paid
//! chat.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChatBinding {
    /// A group, supergroup or channel id (negative for groups).
    pub chat_id: i64,
    pub community: String,
    /// The perk that admits a member to this chat; none for an open chat
    /// where commands are answered but nobody is checked at the door.
    pub perk: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Chats(pub Vec<ChatBinding>);

impl Chats {
    pub fn for_chat(&self, chat: i64) -> Option<&ChatBinding> {
        self.0.iter().find(|c| c.chat_id == chat)
    }

    /// The community a private chat with the bot speaks for: the first bound.
    pub fn default_community(&self) -> Option<&str> {
        self.0.first().map(|c| c.community.as_str())
    }

    /// The paid chats a perk of `community` admits to.
    pub fn gated_by<'a>(
        &'a self,
        community: &'a str,
        perk: &'a str,
    ) -> impl Iterator<Item = &'a ChatBinding> + 'a {
        self.0
            .iter()
            .filter(move |c| c.community == community && c.perk.as_deref() == Some(perk))
    }
}
