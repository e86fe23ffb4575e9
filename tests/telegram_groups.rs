//! Telegram group chats through the real teloxide client and a fake Bot
//! API: lesson cards with their Unlock button, activity whose points are
//! committed before the update that brought them is confirmed, and updates
//! sent again after a crash that change nothing.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use support::telegram::OPEN_CHAT;
use support::telegram_bot::start;
use support::{TestDb, eventually};

/// Lesson cards in a Telegram group: posted with an inline Unlock button,
/// pressed (answered privately), edited in place and deleted.
async fn lesson_cards(db: TestDb) {
    let lessons = |c: &mut lyceum_core::config::Community| {
        c.lessons.channels = vec![format!("telegram:{OPEN_CHAT}").parse().unwrap()];
        c.lessons.creators = vec!["telegram:900".parse().unwrap()];
    };
    let (fake, _core, stop, _) = start(&db, lessons).await;
    let f = fake.clone();
    eventually(10, "the bot is up", || !f.calls("setMyCommands").is_empty()).await;
    let menu = &fake.calls("setMyCommands")[0].params["commands"];
    let names: Vec<&str> = menu
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(names.iter().filter(|n| **n == "lesson").count(), 1, "{names:?}");

    fake.message(OPEN_CHAT, 42, "en", "/lesson post intro Nope | Nope");
    fake.message(
        OPEN_CHAT,
        900,
        "en",
        "/lesson post intro tier=pro stars=50 Getting started | The secret is the executor.",
    );
    let f = fake.clone();
    let card = move || {
        f.calls_with("sendMessage", "chat_id", OPEN_CHAT.into())
            .into_iter()
            .find(|m| m["text"].as_str().unwrap_or_default().contains("Press Unlock"))
    };
    let probe = card.clone();
    eventually(10, "the card is posted in the group", move || probe().is_some()).await;
    let card = card().unwrap();
    assert!(
        card["text"].as_str().unwrap().starts_with("📘 Getting started"),
        "{card}"
    );
    assert!(!card.to_string().contains("executor"), "{card}");
    assert_eq!(
        card["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "unlock:intro"
    );
    let refusal = fake.calls_with("sendMessage", "chat_id", 42.into());
    assert!(
        refusal.iter().any(|m| m["text"]
            .as_str()
            .unwrap()
            .contains("Only the community's creators")),
        "refused privately: {refusal:?}"
    );

    // Pressing Unlock: the button is answered and the reader told privately.
    fake.press(OPEN_CHAT, 43, "unlock:intro");
    let f = fake.clone();
    eventually(10, "the presser is answered privately", || {
        f.calls_with("sendMessage", "chat_id", 43.into())
            .iter()
            .any(|m| m["text"].as_str().unwrap_or_default().contains("locked"))
    })
    .await;
    assert_eq!(
        fake.calls_with("answerCallbackQuery", "callback_query_id", "cb43".into())
            .len(),
        1
    );

    // Buying it with Stars: a private invoice at the lesson's Stars price,
    // checked again before the money moves, then the lesson is theirs.
    fake.message(OPEN_CHAT, 43, "en", "/unlock intro buy");
    let f = fake.clone();
    eventually(10, "a Stars invoice is made", || {
        !f.calls("createInvoiceLink").is_empty()
    })
    .await;
    let invoice = fake.calls("createInvoiceLink")[0].params.clone();
    assert_eq!(
        (
            invoice["currency"].as_str(),
            invoice["prices"][0]["amount"].as_i64()
        ),
        (Some("XTR"), Some(50))
    );
    let payload = invoice["payload"].as_str().unwrap().to_owned();
    assert!(payload.ends_with(":lesson-intro"), "{payload}");
    fake.pre_checkout("lq1", 43, &payload, 50);
    fake.pre_checkout("lq2", 43, &payload, 5);
    let f = fake.clone();
    eventually(10, "the pre-checkouts are answered", || {
        f.calls("answerPreCheckoutQuery").len() == 2
    })
    .await;
    let answers = fake.calls("answerPreCheckoutQuery");
    let oks: Vec<&Value> = answers.iter().map(|a| &a.params["ok"]).collect();
    assert_eq!(
        oks,
        vec![&Value::Bool(true), &Value::Bool(false)],
        "only the lesson's own price"
    );
    fake.paid(43, &payload, 50, "stars_ch_1", None);
    fake.message(OPEN_CHAT, 43, "en", "/unlock intro");
    let f = fake.clone();
    eventually(10, "the buyer reads the lesson privately", || {
        f.calls_with("sendMessage", "chat_id", 43.into()).iter().any(|m| {
            m["text"]
                .as_str()
                .unwrap_or_default()
                .contains("The secret is the executor.")
        })
    })
    .await;

    // Edits rewrite the card in place; removal deletes it.
    fake.message(
        OPEN_CHAT,
        900,
        "en",
        "/lesson edit intro title=\"Getting started, v2\"",
    );
    let f = fake.clone();
    eventually(10, "the card is edited", || {
        f.calls_with("editMessageText", "chat_id", OPEN_CHAT.into())
            .iter()
            .any(|m| m["message_id"] == 77 && m["text"].as_str().unwrap_or_default().contains("v2"))
    })
    .await;
    fake.message(OPEN_CHAT, 900, "en", "/lesson remove intro");
    let f = fake.clone();
    eventually(10, "the card is deleted", || {
        f.calls_with("deleteMessage", "chat_id", OPEN_CHAT.into())
            .iter()
            .any(|m| m["message_id"] == 77)
    })
    .await;
    let _ = stop.send(true);
}

/// Telegram forgets an update once the next poll's offset confirms it, so
/// the points it brought must be committed by then, or a crash after the
/// confirmation loses them. The writer here waits a whole second before
/// committing of its own accord, so only the adapter waiting for the commit
/// can put them on disk before the confirmation.
async fn points_committed_before_confirmed(db: TestDb) {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let (fake, core, stop, _) = start(&db, |c| c.points.flush_ms = 1_000).await;
    fake.message(OPEN_CHAT, 42, "en", "/join");
    let f = fake.clone();
    eventually(10, "the join is read", || f.pending() == 0).await;
    let member = core
        .member_view("demo", &"telegram:42".parse().unwrap())
        .await
        .unwrap()
        .id;
    fake.message(OPEN_CHAT, 42, "en", "a message long enough to earn points");
    let (f, id) = (fake.clone(), fake.last_update());
    eventually(10, "the message is confirmed", || f.confirmed() >= id).await;
    let stored = lyceum_core::entity::ledger::Entity::find()
        .filter(lyceum_core::entity::ledger::Column::MemberId.eq(member))
        .filter(lyceum_core::entity::ledger::Column::Source.eq("message"))
        .count(core.db())
        .await
        .unwrap();
    assert_eq!(
        stored, 1,
        "{}: points committed when Telegram is told",
        db.backend
    );
    let _ = stop.send(true);
}

/// Telegram sends an update again until it hears the update arrived, so a
/// bot killed after committing what an update brought, but before
/// confirming it, meets the update again when it comes back. Here the next
/// process is sent every update again: nothing counts twice, not a
/// message's points, not a reaction's, and no command runs again.
async fn redelivered_updates_count_once(db: TestDb) {
    use lyceum_core::entity::ledger;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (fake, first, stop, url) = start(&db, support::points::steady).await;
    // People of their own, commands in their private chats: replies are
    // paced per chat for the whole process, which other tests share.
    fake.message(142, 142, "en", "/join");
    fake.message(143, 143, "en", "/join");
    fake.message(OPEN_CHAT, 142, "en", "a message long enough to earn points");
    fake.reaction(OPEN_CHAT, 1, 143);
    fake.message(142, 142, "en", "/checkin");
    let (f, last) = (fake.clone(), fake.last_update());
    eventually(10, "every update confirmed", || f.confirmed() >= last).await;
    first.flush_activity().await;
    let member = first
        .member_view("demo", &"telegram:142".parse().unwrap())
        .await
        .unwrap()
        .id;
    let books = || async {
        let rows = ledger::Entity::find()
            .filter(ledger::Column::MemberId.eq(member))
            .all(first.db())
            .await
            .unwrap();
        let mut sources: Vec<String> = rows.iter().map(|r| r.source.as_str().to_owned()).collect();
        sources.sort();
        (sources, rows.iter().map(|r| r.delta).sum::<i64>())
    };
    let before = books().await;
    assert_eq!(
        before.0,
        ["checkin", "message", "reaction_received"],
        "{}: every update counted once in the first life",
        db.backend
    );
    // The badge notice goes out through the outbox, after the replies; a
    // count taken before it went out saw it as a second answer later.
    support::eventually_async(10, "the first life's notices sent", || async {
        first.outbox_backlog().await.unwrap().0 == 0
    })
    .await;
    let replies = fake.calls("sendMessage").len();

    let _ = stop.send(true);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    fake.unconfirm_all();
    let (second, stop) = support::telegram_bot::start_on(&db, &url, support::points::steady).await;
    let f = fake.clone();
    eventually(10, "every update confirmed again", || {
        f.pending() == 0 && f.confirmed() >= last
    })
    .await;
    second.flush_activity().await;
    assert_eq!(books().await, before, "{}: nothing counted twice", db.backend);
    let sent: Vec<String> = fake
        .calls("sendMessage")
        .iter()
        .map(|c| format!("{} {}", c.params["chat_id"], c.params["text"]))
        .collect();
    assert_eq!(
        sent.len(),
        replies,
        "{}: no command answered twice: {sent:#?}",
        db.backend
    );
    let view = second
        .member_view("demo", &"telegram:142".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        view.points, before.1,
        "{}: the balance is the ledger's",
        db.backend
    );
    // Kept past Telegram's day of resending, then forgotten.
    assert_eq!(second.forget_seen_updates(86_400).await.unwrap(), 0);
    // One record an update, and the reaction's two: given and received.
    assert_eq!(
        second.forget_seen_updates(-60).await.unwrap(),
        last + 1,
        "{}",
        db.backend
    );
    let _ = stop.send(true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_sent_again_after_a_crash_count_once() {
    for db in TestDb::all().await {
        redelivered_updates_count_once(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_confirmed_only_once_its_points_are_committed() {
    for db in TestDb::all().await {
        points_committed_before_confirmed(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lesson_cards_in_a_group_and_the_unlock_button() {
    for db in TestDb::all().await {
        lesson_cards(db).await;
    }
}
