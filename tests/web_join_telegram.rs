//! A stranger joins from the public page with Telegram, through the binary
//! and the strict fake Bot API: the page hands out a deep link, the person
//! presses Start, the page signs them in by itself, they pay on the fake
//! Stripe's hosted page, and the bot sends their personal invite link to
//! the paid chat. A deep link works once, for one account.

#![allow(clippy::unwrap_used)]

mod support;

use support::join_stage::{Platforms, Stage, stage};
use support::telegram::FakeBotApi;
use support::visitor::{Visitor, field};
use support::{TestDb, eventually};

const BUYER: u64 = 777;
const INTRUDER: u64 = 888;

/// The texts the bot sent to `user`'s private chat, once there are `n`.
async fn said_to(fake: &FakeBotApi, user: u64, n: usize) -> Vec<String> {
    let f = fake.clone();
    eventually(20, &format!("message {n} to {user}"), || {
        f.calls_with("sendMessage", "chat_id", user.into()).len() >= n
    })
    .await;
    fake.calls_with("sendMessage", "chat_id", user.into())
        .iter()
        .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn joins_with_telegram(db: TestDb) {
    let on = Platforms {
        discord: false,
        telegram: true,
    };
    // Bound whole first: what is not taken out (the config's folder) lives on.
    let staged = stage(&db, on).await;
    let Stage {
        server,
        bot_api,
        stripe,
        public,
        ..
    } = staged;
    let mut v = Visitor::new("zh-CN");
    let join_url = format!("{public}/c/demo/join/pro-monthly?lang=zh-CN");
    // The button shows once the bot has learned its own username.
    let join = v.get_until(&join_url, |b| b.contains("使用 Telegram 继续")).await;
    assert!(join.contains("/c/demo/telegram/pro-monthly?lang=zh-CN"), "{join}");

    // The page hands out a deep link and waits for Start, reloading itself.
    let visit_url = format!("{public}/c/demo/telegram/pro-monthly?lang=zh-CN");
    let waiting = v.get(&visit_url);
    assert_eq!(waiting.status, 200, "{}", waiting.body);
    assert!(waiting.body.contains("data-follow="));
    let marker = "https://t.me/LyceumBot?start=";
    let at = waiting.body.find(marker).unwrap() + marker.len();
    let payload: String = waiting.body[at..].chars().take_while(|c| *c != '"').collect();
    assert!(payload.starts_with("w_") && payload.len() <= 64, "{payload}");
    let (_, cookie) = v.cookies.get("lyceum_visit").cloned().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Path=/c/demo"),
        "{cookie}"
    );
    let still = v.get(&visit_url);
    assert!(still.body.contains(&payload), "a reload keeps the same link");

    // Start in Telegram: the bot says to go back; the page then signs in.
    bot_api.message(
        i64::try_from(BUYER).unwrap(),
        BUYER,
        "zh-CN",
        &format!("/start {payload}"),
    );
    let said = said_to(&bot_api, BUYER, 1).await;
    assert!(said[0].contains("请回到浏览器"), "{said:?}");
    let signed = v.get(&visit_url);
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(
        signed.location.as_deref(),
        Some("/c/demo/join/pro-monthly?lang=zh-CN")
    );
    assert!(v.cookies.contains_key("lyceum_member"));
    assert!(!v.cookies.contains_key("lyceum_visit"));
    let page = v.get(&join_url);
    assert!(page.body.contains("已通过 Telegram 登录"), "{}", page.body);

    // The same link pressed again, by someone else, signs no one in.
    bot_api.message(
        i64::try_from(INTRUDER).unwrap(),
        INTRUDER,
        "en",
        &format!("/start {payload}"),
    );
    let told = said_to(&bot_api, INTRUDER, 1).await;
    assert!(told[0].contains("expired"), "{told:?}");

    let csrf = field(&page.body, "csrf").unwrap();
    let pay = v.post(
        &format!("{public}/c/demo/checkout"),
        &[("csrf", &csrf), ("offer", "pro-monthly"), ("lang", "zh-CN")],
    );
    assert_eq!(pay.status, 303, "{}", pay.body);
    let paid = v.post(&pay.location.unwrap(), &[("action", "pay")]);
    assert_eq!(paid.status, 303, "{}", paid.body);
    let f = bot_api.clone();
    eventually(30, "the invite link reaches the buyer", || f.invited(BUYER)).await;
    let welcome = paid.location.unwrap();
    let ready = v
        .get_until(&welcome, |b| b.contains("role=\"status\">权益已开通。"))
        .await;
    assert!(ready.contains("https://t.me/LyceumBot"), "{ready}");
    assert!(bot_api.take_refusals().is_empty());
    assert!(stripe.take_refusals().is_empty());
    assert!(server.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_joins_with_telegram_and_pays() {
    for db in TestDb::all().await {
        joins_with_telegram(db).await;
    }
}
