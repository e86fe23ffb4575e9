//! The Telegram adapter driven through the real teloxide client against a
//! local fake Bot API (the Bot API URL setting): commands in both languages
//! with personal replies in private, invite links after payment, join
//! requests approved only for entitled people, removal without a lasting
//! ban, flood control, and activity.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use lyceum_core::Invoker;
use serde_json::Value;
use support::telegram::{FakeBotApi, OPEN_CHAT, PAID_CHAT, TOKEN};
use support::telegram_bot::{options, start};
use support::{TestDb, eventually};

async fn scenario(db: TestDb) {
    let (fake, core, stop, url) = start(&db, |_| {}).await;

    let f = fake.clone();
    eventually(10, "commands are registered in both languages", || {
        f.calls("setMyCommands").len() == 2
    })
    .await;
    let zh = fake
        .calls("setMyCommands")
        .into_iter()
        .find(|c| c.params["language_code"] == "zh")
        .unwrap();
    assert_eq!(zh.params["commands"][0]["command"], "help");
    assert_ne!(
        zh.params["commands"][0]["description"],
        fake.calls("setMyCommands")[0].params["commands"][0]["description"]
    );

    // A command in the group is answered there, in the sender's language.
    fake.message(OPEN_CHAT, 42, "zh-hans", "/join");
    let f = fake.clone();
    eventually(10, "the group gets the answer", || {
        !f.calls_with("sendMessage", "chat_id", OPEN_CHAT.into())
            .is_empty()
    })
    .await;
    let text = fake.calls_with("sendMessage", "chat_id", OPEN_CHAT.into())[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("欢迎"), "{text}");
    // A personal answer goes to the private chat, not the group.
    fake.message(OPEN_CHAT, 42, "en", "/me");
    let f = fake.clone();
    eventually(10, "the private chat gets /me", || {
        !f.calls_with("sendMessage", "chat_id", 42.into()).is_empty()
    })
    .await;
    assert_eq!(
        fake.calls_with("sendMessage", "chat_id", OPEN_CHAT.into()).len(),
        1
    );

    // /rank in the group comes back as the rank card with the text as caption.
    fake.message(OPEN_CHAT, 42, "zh-hans", "/rank");
    let f = fake.clone();
    eventually(10, "the rank card is sent", || !f.calls("sendPhoto").is_empty()).await;
    let photo = fake.calls("sendPhoto").remove(0);
    assert_eq!(photo.params["chat_id"], OPEN_CHAT);
    assert!(
        photo.params["caption"].as_str().unwrap().contains("总榜"),
        "{:?}",
        photo.params
    );
    assert_eq!(photo.files[0].name, "rank.png");
    assert_eq!(&photo.files[0].bytes[1..4], b"PNG");

    // A reaction credits its author, whom Telegram's update does not name:
    // the adapter remembers who wrote the message.
    fake.message(OPEN_CHAT, 42, "en", "here is how I solved it");
    fake.reaction(OPEN_CHAT, 1, 43);
    let member = core
        .member_view("demo", &"telegram:42".parse().unwrap())
        .await
        .unwrap()
        .id;
    let conn = core.db().clone();
    let c = core.clone();
    support::eventually_async(10, "the author earns for the reaction", || {
        let (conn, c) = (conn.clone(), c.clone());
        async move {
            c.flush_activity().await;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            !lyceum_core::entity::ledger::Entity::find()
                .filter(lyceum_core::entity::ledger::Column::MemberId.eq(member))
                .filter(lyceum_core::entity::ledger::Column::Source.eq("reaction_received"))
                .all(&conn)
                .await
                .unwrap()
                .is_empty()
        }
    })
    .await;

    // Payment (here an admin grant): a personal invite link that creates a join request.
    let admin = Invoker::new("console:admin".parse().unwrap());
    let granted = core
        .handle_line("demo", &admin, "/grant telegram:42 pro 30")
        .await;
    assert!(
        matches!(granted.reply, lyceum_core::Reply::Granted { .. }),
        "{granted:?}"
    );
    let f = fake.clone();
    eventually(10, "an invite link is made and sent", || {
        !f.calls("createChatInviteLink").is_empty()
    })
    .await;
    let link = &fake.calls("createChatInviteLink")[0].params;
    assert_eq!(
        (link["chat_id"].as_i64(), link["creates_join_request"].as_bool()),
        (Some(PAID_CHAT), Some(true))
    );
    let f = fake.clone();
    eventually(10, "the link reaches the member", || {
        f.calls_with("sendMessage", "chat_id", 42.into()).iter().any(|m| {
            m["text"]
                .as_str()
                .unwrap_or_default()
                .contains("https://t.me/+fake")
        })
    })
    .await;

    // Join requests: the entitled person is approved, anyone else declined.
    fake.join_request(PAID_CHAT, 42);
    fake.join_request(PAID_CHAT, 43);
    let f = fake.clone();
    eventually(10, "both requests are answered", || {
        !f.calls("approveChatJoinRequest").is_empty() && !f.calls("declineChatJoinRequest").is_empty()
    })
    .await;
    assert_eq!(fake.calls("approveChatJoinRequest")[0].params["user_id"], 42);
    assert_eq!(fake.calls("declineChatJoinRequest")[0].params["user_id"], 43);

    // Someone without access who got in anyway is removed, not banned for good.
    fake.joined(PAID_CHAT, 44);
    let f = fake.clone();
    eventually(10, "the intruder is removed", || {
        !f.calls_with("unbanChatMember", "user_id", 44.into()).is_empty()
    })
    .await;
    assert_eq!(fake.calls_with("banChatMember", "user_id", 44.into()).len(), 1);
    assert_eq!(
        fake.calls_with("unbanChatMember", "user_id", 44.into())[0]["only_if_banned"],
        true
    );
    // An entitled member's join is left alone.
    fake.joined(PAID_CHAT, 42);
    let f = fake.clone();
    eventually(10, "the join is read", || f.pending() == 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(fake.calls_with("banChatMember", "user_id", 42.into()).is_empty());

    // Access ends: removed from the paid chat, free to come back later.
    core.handle_line("demo", &admin, "/revoke telegram:42").await;
    let f = fake.clone();
    eventually(10, "the lapsed member is removed", || {
        !f.calls_with("unbanChatMember", "user_id", 42.into()).is_empty()
    })
    .await;
    assert_eq!(
        fake.calls_with("banChatMember", "user_id", 42.into()).len(),
        1,
        "removed once, and never for joining while entitled"
    );

    // Flood control: a 429 with retry_after is waited out, then the reply lands.
    let before = fake.calls("sendMessage").len();
    fake.flood_next("sendMessage", 1);
    fake.message(OPEN_CHAT, 45, "en", "/help");
    let f = fake.clone();
    eventually(10, "the rate-limited reply is retried", || {
        f.calls("sendMessage").len() >= before + 2
    })
    .await;

    // Telegram Stars: /subscribe on Telegram offers a 30-day Stars subscription.
    fake.message(46, 46, "en", "/subscribe pro");
    let f = fake.clone();
    eventually(10, "a Stars invoice link is made", || {
        !f.calls("createInvoiceLink").is_empty()
    })
    .await;
    let invoice = fake.calls("createInvoiceLink")[0].params.clone();
    assert_eq!(invoice["currency"], "XTR");
    assert_eq!(invoice["subscription_period"], 2_592_000);
    assert_eq!(invoice["prices"][0]["amount"], 250);
    let payload = invoice["payload"].as_str().unwrap().to_owned();
    assert!(payload.ends_with(":pro-monthly"), "{payload}");
    let f = fake.clone();
    eventually(10, "the invoice reaches the member privately", || {
        f.calls_with("sendMessage", "chat_id", 46.into())
            .iter()
            .any(|m| m["text"].as_str().unwrap_or_default().contains("t.me/$invoice"))
    })
    .await;
    // Pre-checkout: yes for a live offer at its price, no otherwise.
    fake.pre_checkout("q1", 46, &payload, 250);
    fake.pre_checkout("q2", 46, &payload, 1);
    let f = fake.clone();
    eventually(10, "both pre-checkout queries are answered", || {
        f.calls("answerPreCheckoutQuery").len() == 2
    })
    .await;
    let answers = fake.calls("answerPreCheckoutQuery");
    let ok_of = |id: &str| {
        answers
            .iter()
            .find(|a| a.params["pre_checkout_query_id"] == id)
            .unwrap()
            .params["ok"]
            .clone()
    };
    assert_eq!(
        (ok_of("q1"), ok_of("q2")),
        (Value::Bool(true), Value::Bool(false))
    );
    // The payment goes through the same lifecycle: access, perks, revenue.
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let expires = now + 30 * 86_400;
    fake.paid(46, &payload, 250, "tgcharge-1", Some(expires));
    let who: lyceum_core::domain::IdentityRef = "telegram:46".parse().unwrap();
    let mut has = false;
    for _ in 0..100 {
        if core.perks_of("demo", &who).await.unwrap().contains("pro-lounge") {
            has = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(has, "a Stars subscription grants the tier");
    let f = fake.clone();
    eventually(10, "the paid chat's invite follows", || {
        !f.calls_with("sendMessage", "chat_id", 46.into())
            .iter()
            .all(|m| !m["text"].as_str().unwrap_or_default().contains("t.me/+fake"))
    })
    .await;
    let report = core.revenue("demo", 0, i64::MAX).await.unwrap();
    assert_eq!(report.subscription_revenue.0.get("XTR"), Some(&250));
    // A repeat of the same payment changes nothing.
    fake.paid(46, &payload, 250, "tgcharge-1", Some(expires));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let report = core.revenue("demo", 0, i64::MAX).await.unwrap();
    assert_eq!(report.subscription_revenue.0.get("XTR"), Some(&250));

    // A renewal (the next month's payment) extends the same subscription.
    let renewed = expires + 30 * 86_400;
    fake.paid(46, &payload, 250, "tgcharge-2", Some(renewed));
    let until = lyceum_core::clock::iso(renewed + 86_400);
    let mut extended = false;
    for _ in 0..100 {
        if core
            .member_view("demo", &who)
            .await
            .unwrap()
            .access_until
            .as_deref()
            == Some(until.as_str())
        {
            extended = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        extended,
        "the renewal moves access to the new period's end (plus leeway)"
    );
    let report = core.revenue("demo", 0, i64::MAX).await.unwrap();
    assert_eq!(report.subscription_revenue.0.get("XTR"), Some(&500));

    // A one-off Stars purchase: no subscription period, the offer's perk.
    fake.message(49, 49, "en", "/buy rust-course");
    let f = fake.clone();
    eventually(10, "a one-off Stars invoice", || {
        f.calls("createInvoiceLink").len() == 2
    })
    .await;
    let one_off = fake.calls("createInvoiceLink")[1].params.clone();
    assert!(one_off.get("subscription_period").is_none(), "{one_off}");
    assert_eq!(one_off["prices"][0]["amount"], 500);
    fake.paid(
        49,
        one_off["payload"].as_str().unwrap(),
        500,
        "tgcharge-course",
        None,
    );
    let buyer: lyceum_core::domain::IdentityRef = "telegram:49".parse().unwrap();
    let mut owns = false;
    for _ in 0..100 {
        if core
            .perks_of("demo", &buyer)
            .await
            .unwrap()
            .contains("course-async-rust")
        {
            owns = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(owns, "a Stars purchase grants the course");
    let report = core.revenue("demo", 0, i64::MAX).await.unwrap();
    assert_eq!(report.one_off_revenue.0.get("XTR"), Some(&500));

    // An admin refunds the Stars payment: Telegram is asked, access ends.
    let refunded = core
        .handle_line("demo", &admin, "/refund telegram:46 tgcharge-1")
        .await;
    assert!(
        matches!(refunded.reply, lyceum_core::Reply::Refunded { .. }),
        "{refunded:?}"
    );
    let call = &fake.calls("refundStarPayment")[0].params;
    assert_eq!(
        (
            call["user_id"].as_i64(),
            call["telegram_payment_charge_id"].as_str()
        ),
        (Some(46), Some("tgcharge-1"))
    );
    assert!(!core.perks_of("demo", &who).await.unwrap().contains("pro-lounge"));
    let f = fake.clone();
    eventually(10, "the refunded member leaves the paid chat", || {
        !f.calls_with("banChatMember", "user_id", 46.into()).is_empty()
    })
    .await;
    let report = core.revenue("demo", 0, i64::MAX).await.unwrap();
    assert_eq!(report.refunds.0.get("XTR"), Some(&250));
    let unknown = core.handle_line("demo", &admin, "/refund telegram:46 nope").await;
    assert!(matches!(
        unknown.reply,
        lyceum_core::Reply::Refused(lyceum_core::UserError::UnknownPayment { .. })
    ));

    // Reconciliation: someone seen in the paid chat without access (say,
    // while the bot was down) is removed; an entitled member stays.
    core.handle_line("demo", &admin, "/grant telegram:47 pro 30")
        .await;
    // Telegram reports the earlier removal of 42 as a chat_member update.
    fake.left(PAID_CHAT, 42);
    fake.joined(PAID_CHAT, 47);
    core.set_presence(
        lyceum_core::domain::Platform::Telegram,
        &PAID_CHAT.to_string(),
        "48",
        true,
    )
    .await
    .unwrap();
    let f = fake.clone();
    eventually(10, "the join is read", || f.pending() == 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let report =
        lyceum_telegram::reconcile::run(&core, &lyceum_telegram::bot(&options(&url)), &options(&url).chats)
            .await;
    assert_eq!(report.removed, vec![(PAID_CHAT, 48)], "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    let again =
        lyceum_telegram::reconcile::run(&core, &lyceum_telegram::bot(&options(&url)), &options(&url).chats)
            .await;
    assert!(again.removed.is_empty(), "{again:?}");
    assert!(fake.calls_with("banChatMember", "user_id", 47.into()).is_empty());

    // Plain group messages from members count as activity.
    fake.message(OPEN_CHAT, 42, "en", "thanks everyone");
    let counted = support::activity_reaches(&core, |rows| rows.iter().any(|r| r.messages >= 1)).await;
    assert!(counted, "{}", db.backend);
    let _ = stop.send(true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_commands_invites_join_requests_removal_and_flood_control() {
    for db in TestDb::all().await {
        scenario(db).await;
    }
}

/// Webhook mode through the binary: setWebhook with the secret and the
/// update types; right secret answered, wrong or missing secret 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_checks_the_secret_token() {
    let db = TestDb::sqlite();
    let fake = FakeBotApi::default();
    let url = fake.start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lyceum.toml");
    let text = format!(
        "{}\n[[telegram.chats]]\nchat_id = {OPEN_CHAT}\ncommunity = \"demo\"\n",
        lyceum::settings::BUILTIN.replacen(
            "[telegram]\n",
            &format!("[telegram]\nmode = \"webhook\"\napi_url = \"{url}\"\n"),
            1
        )
    );
    std::fs::write(&config, text).unwrap();
    let mut cmd = support::lyceum(&db.url);
    cmd.env("LYCEUM__TELEGRAM__TOKEN", TOKEN)
        .env("LYCEUM__TELEGRAM__SECRET_TOKEN", "s3cret-Token_1")
        .args(["--config", config.to_str().unwrap(), "run"]);
    let server = support::Running::start(cmd, false);
    let f = fake.clone();
    eventually(10, "the webhook is registered", || {
        !f.calls("setWebhook").is_empty()
    })
    .await;
    let set = &fake.calls("setWebhook")[0].params;
    assert_eq!(set["secret_token"], "s3cret-Token_1");
    assert!(
        set["url"].as_str().unwrap().ends_with("/webhooks/telegram"),
        "{set}"
    );
    assert!(
        set["allowed_updates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "chat_join_request"),
        "{set}"
    );

    let update = serde_json::json!({"update_id": 1, "message": {
        "message_id": 1, "date": 1_790_000_000, "text": "/tiers",
        "chat": {"id": OPEN_CHAT, "type": "supergroup", "title": "Demo"},
        "from": support::telegram::user(42, "en")}})
    .to_string();
    let post = |secret: Option<&str>| {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = agent
            .post(&server.url("/webhooks/telegram"))
            .header("content-type", "application/json");
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        req.send(update.as_str()).unwrap().status().as_u16()
    };
    let (wrong, missing) = tokio::task::block_in_place(|| (post(Some("nope")), post(None)));
    assert_eq!((wrong, missing), (401, 401));
    assert!(
        fake.calls("sendMessage").is_empty(),
        "nothing is read without the secret"
    );
    let right = tokio::task::block_in_place(|| post(Some("s3cret-Token_1")));
    assert_eq!(right, 200);
    let f = fake.clone();
    eventually(10, "the update is handled", || !f.calls("sendMessage").is_empty()).await;
    assert!(fake.calls("getUpdates").is_empty(), "no polling in webhook mode");
    assert!(server.stop().success());
}

/// A bot that is not an admin of a paid chat says exactly what it lacks,
/// privately, to the community's Telegram admins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_admin_rights_are_explained_to_the_admin() {
    let db = TestDb::sqlite();
    let fake = FakeBotApi::default();
    let url = fake.start().await;
    fake.demote_bot_in(PAID_CHAT);
    let conn = lyceum::db::open_and_migrate(&db.url).await.unwrap();
    let mut communities = lyceum::settings::load(None).unwrap().communities;
    communities[0].admins.push("telegram:7".parse().unwrap());
    let core = lyceum_core::Core::start(conn, &communities, Arc::new(lyceum_core::clock::SystemClock))
        .await
        .unwrap();
    let report =
        lyceum_telegram::reconcile::run(&core, &lyceum_telegram::bot(&options(&url)), &options(&url).chats)
            .await;
    assert!(
        report.failed.iter().any(|f| f.contains("Ban users")),
        "{report:?}"
    );
    let told = fake.calls_with("sendMessage", "chat_id", 7.into());
    let text = told[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Invite users via link") && text.contains(&PAID_CHAT.to_string()),
        "{text}"
    );
}
