//! The Telegram adapter running against a fresh fake Bot API, bound to the
//! demo community's paid and open chats, for tests that drive it end to end.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use lyceum_telegram::sink::TelegramSink;
use lyceum_telegram::{ChatBinding, Chats, Options};
use tokio::sync::watch;

use super::TestDb;
use super::telegram::{FakeBotApi, OPEN_CHAT, PAID_CHAT, TOKEN};

pub fn options(url: &str) -> Options {
    Options {
        token: TOKEN.into(),
        api_url: Some(url::Url::parse(url).unwrap()),
        chats: Arc::new(Chats(vec![
            ChatBinding {
                chat_id: PAID_CHAT,
                community: "demo".into(),
                perk: Some("pro-lounge".into()),
            },
            ChatBinding {
                chat_id: OPEN_CHAT,
                community: "demo".into(),
                perk: None,
            },
        ])),
        poll_timeout: 0,
        reconcile_every: std::time::Duration::from_secs(3600),
    }
}

/// The bot running by long polling against a fresh fake Bot API, on a core
/// with Telegram Stars and the demo community changed by `tweak`.
pub async fn start(
    db: &TestDb,
    tweak: impl FnOnce(&mut lyceum_core::config::Community),
) -> (FakeBotApi, Arc<lyceum_core::Core>, watch::Sender<bool>, String) {
    let fake = FakeBotApi::default();
    let url = fake.start().await;
    let (core, stop) = start_on(db, &url, tweak).await;
    (fake, core, stop, url)
}

/// A bot (a core and its polling loop, as a process would have) polling a
/// fake Bot API already serving at `url`.
pub async fn start_on(
    db: &TestDb,
    url: &str,
    tweak: impl FnOnce(&mut lyceum_core::config::Community),
) -> (Arc<lyceum_core::Core>, watch::Sender<bool>) {
    let opts = options(url);
    let (stop, stopped) = watch::channel(false);
    let tg = lyceum_telegram::Client::new(lyceum_telegram::bot(&opts));
    let sink = TelegramSink {
        tg: tg.clone(),
        chats: opts.chats.clone(),
    };
    let stars = lyceum_telegram::stars::Stars(lyceum_telegram::bot(&opts));
    let with_stars = |c: lyceum_core::Core| c.with_stars(Arc::new(stars));
    let core = super::live_core_configured(db, Arc::new(sink), stopped.clone(), tweak, with_stars).await;
    tokio::spawn(lyceum_telegram::run(core.clone(), opts, tg, stopped));
    (core, stop)
}
