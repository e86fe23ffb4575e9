//! A Telegram webhook body: whatever parses as an update is read into an
//! event without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lyceum_telegram::{Chats, Update};

fuzz_target!(|data: &[u8]| {
    if let Ok(update) = serde_json::from_slice::<Update>(data) {
        let _ = lyceum_telegram::update::read(&update, &Chats::default());
    }
});
