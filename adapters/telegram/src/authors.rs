//! Who wrote recent group messages. Telegram's reaction updates name the
//! person who reacted and the message, never its author, so the author of
//! a reacted-to message is looked up here to credit the reaction received.

use parking_lot::Mutex;
use std::num::NonZeroUsize;

use lru::LruCache;

/// Messages remembered; reactions to older ones credit only the reactor.
const REMEMBERED: usize = 100_000;

pub struct Authors(Mutex<LruCache<(i64, i32), i64>>);

impl Default for Authors {
    fn default() -> Self {
        Authors(Mutex::new(LruCache::new(
            NonZeroUsize::new(REMEMBERED).unwrap_or(NonZeroUsize::MIN),
        )))
    }
}

impl Authors {
    pub fn wrote(&self, chat: i64, message: i32, user: i64) {
        self.0.lock().put((chat, message), user);
    }

    pub fn of(&self, chat: i64, message: i32) -> Option<i64> {
        self.0.lock().get(&(chat, message)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_authors_per_chat_and_message() {
        let a = Authors::default();
        a.wrote(-1, 7, 42);
        a.wrote(-2, 7, 43);
        assert_eq!(a.of(-1, 7), Some(42));
        assert_eq!(a.of(-2, 7), Some(43));
        assert_eq!(a.of(-1, 8), None);
    }
}
