//! A local fake of the Telegram Bot API: `/bot<token>/<method>`, answering
//! `{"ok": true, "result": …}` as documented; `getUpdates` hands out the
//! updates a test queues, and every call is recorded.

#![allow(dead_code, clippy::unwrap_used)]

use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::spec::{self, Refusal, Refusals};

pub const TOKEN: &str = "123456:TEST-token";
pub const BOT_ID: u64 = 99;
pub const PAID_CHAT: i64 = -1001;
pub const OPEN_CHAT: i64 = -1002;

#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub params: Value,
    pub files: Vec<super::multipart::File>,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    /// The bot is a plain member, not an admin, in these chats.
    powerless_in: Vec<i64>,
    updates: VecDeque<Value>,
    /// Every update ever queued, for a redelivery of all of them.
    sent: Vec<Value>,
    next_update: u64,
    /// The highest update id the bot has confirmed by a poll's offset.
    confirmed: u64,
    /// How to answer the next call of a method, in order.
    faults: Vec<(String, Fault)>,
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Flood control: retry_after this many seconds.
    Flood(u64),
    /// An HTTP error with Telegram's JSON error body.
    Status(u16),
    /// No answer for this long (then a 504).
    Stall(Duration),
}

#[derive(Clone)]
pub struct FakeBotApi {
    inner: Arc<Mutex<Inner>>,
    refusals: Arc<Refusals>,
}

impl Default for FakeBotApi {
    fn default() -> FakeBotApi {
        FakeBotApi {
            inner: Arc::default(),
            refusals: Refusals::new("Telegram Bot API"),
        }
    }
}

pub fn user(id: u64, lang: &str) -> Value {
    json!({"id": id, "is_bot": false, "first_name": format!("User{id}"), "language_code": lang})
}

fn chat(id: i64) -> Value {
    if id > 0 {
        json!({"id": id, "type": "private", "first_name": format!("User{id}")})
    } else {
        json!({"id": id, "type": "supergroup", "title": format!("Chat {id}")})
    }
}

impl FakeBotApi {
    /// Serves on a free port; returns the Bot API URL for `telegram.api_url`.
    pub async fn start(&self) -> String {
        let app = Router::new()
            .route("/{bot}/{method}", post(method))
            .with_state(FakeBotApi {
                refusals: self.refusals.unarmed(),
                ..self.clone()
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        url
    }

    /// The calls refused so far, which then no longer fail the test.
    pub fn take_refusals(&self) -> Vec<Refusal> {
        self.refusals.take()
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.inner
            .lock()
            .calls
            .iter()
            .filter(|c| c.method.eq_ignore_ascii_case(method))
            .cloned()
            .collect()
    }

    /// The parameters of calls of `method` whose `key` equals `value`.
    pub fn calls_with(&self, method: &str, key: &str, value: Value) -> Vec<Value> {
        self.calls(method)
            .into_iter()
            .map(|c| c.params)
            .filter(|p| p[key] == value)
            .collect()
    }

    /// Whether the bot sent `user` an invite link to a paid chat.
    pub fn invited(&self, user: u64) -> bool {
        self.calls_with("sendMessage", "chat_id", user.into())
            .iter()
            .any(|p| {
                p["text"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("https://t.me/+fake")
            })
    }

    /// Updates queued and not yet confirmed by the bot's next poll.
    pub fn pending(&self) -> usize {
        self.inner.lock().updates.len()
    }

    pub fn demote_bot_in(&self, chat: i64) {
        self.inner.lock().powerless_in.push(chat);
    }

    fn fault_next(&self, method: &str, fault: Fault) {
        self.inner.lock().faults.push((method.to_owned(), fault));
    }

    pub fn flood_next(&self, method: &str, secs: u64) {
        self.fault_next(method, Fault::Flood(secs));
    }

    /// The next call of `method` fails with `status` (a 5xx, say).
    pub fn fail_next(&self, method: &str, status: u16) {
        self.fault_next(method, Fault::Status(status));
    }

    /// The next call of `method` gets no answer for `wait`.
    pub fn stall_next(&self, method: &str, wait: Duration) {
        self.fault_next(method, Fault::Stall(wait));
    }

    /// Faults queued but not yet met.
    pub fn faults_left(&self) -> usize {
        self.inner.lock().faults.len()
    }

    /// The id of the update queued last.
    pub fn last_update(&self) -> u64 {
        self.inner.lock().next_update
    }

    /// Forgets every confirmation, so every update ever queued is sent
    /// again: what a bot meets when it was killed after acting on updates
    /// and before its confirmation arrived, and more.
    pub fn unconfirm_all(&self) {
        let mut inner = self.inner.lock();
        inner.updates = inner.sent.iter().cloned().collect();
        inner.confirmed = 0;
    }

    /// The highest update id the bot has confirmed receiving.
    pub fn confirmed(&self) -> u64 {
        self.inner.lock().confirmed
    }

    fn push(&self, body: Value) {
        let mut inner = self.inner.lock();
        inner.next_update += 1;
        let mut update = body;
        update["update_id"] = json!(inner.next_update);
        inner.sent.push(update.clone());
        inner.updates.push_back(update);
    }

    pub fn message(&self, chat_id: i64, from: u64, lang: &str, text: &str) {
        self.push(json!({"message": {
            "message_id": 1, "date": 1_790_000_000, "text": text,
            "chat": chat(chat_id), "from": user(from, lang)
        }}));
    }

    /// A first reaction by `from` on message `message_id` (an emoji).
    pub fn reaction(&self, chat_id: i64, message_id: i32, from: u64) {
        self.push(json!({"message_reaction": {
            "chat": chat(chat_id), "message_id": message_id, "user": user(from, "en"),
            "date": 1_790_000_000, "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}]
        }}));
    }

    /// `from` pressed an inline button carrying `data` under message 77.
    pub fn press(&self, chat_id: i64, from: u64, data: &str) {
        self.push(json!({"callback_query": {
            "id": format!("cb{from}"), "from": user(from, "en"), "chat_instance": "ci", "data": data,
            "message": {"message_id": 77, "date": 1_790_000_000, "chat": chat(chat_id),
                        "from": {"id": BOT_ID, "is_bot": true, "first_name": "Lyceum"}, "text": "card"}
        }}));
    }

    pub fn join_request(&self, chat_id: i64, from: u64) {
        self.push(json!({"chat_join_request": {
            "chat": chat(chat_id), "from": user(from, "en"), "user_chat_id": from, "date": 1_790_000_000
        }}));
    }

    pub fn pre_checkout(&self, id: &str, from: u64, payload: &str, stars: u32) {
        self.push(json!({"pre_checkout_query": {
            "id": id, "from": user(from, "en"), "currency": "XTR", "total_amount": stars,
            "invoice_payload": payload
        }}));
    }

    /// A `successful_payment` service message in the private chat.
    pub fn paid(&self, from: u64, payload: &str, stars: u32, charge: &str, expires: Option<i64>) {
        let mut payment = json!({
            "currency": "XTR", "total_amount": stars, "invoice_payload": payload,
            "telegram_payment_charge_id": charge, "provider_payment_charge_id": ""
        });
        if let Some(e) = expires {
            payment["subscription_expiration_date"] = json!(e);
            payment["is_recurring"] = json!(true);
            payment["is_first_recurring"] = json!(true);
        }
        self.push(json!({"message": {
            "message_id": 9, "date": 1_790_000_000, "chat": chat(i64::try_from(from).unwrap()), "from": user(from, "en"),
            "successful_payment": payment
        }}));
    }

    /// The chat_member update Telegram sends when someone is removed.
    pub fn left(&self, chat_id: i64, who: u64) {
        self.push(json!({"chat_member": {
            "chat": chat(chat_id), "from": user(BOT_ID, "en"), "date": 1_790_000_000,
            "old_chat_member": {"user": user(who, "en"), "status": "member"},
            "new_chat_member": {"user": user(who, "en"), "status": "left"}
        }}));
    }

    pub fn joined(&self, chat_id: i64, who: u64) {
        self.push(json!({"chat_member": {
            "chat": chat(chat_id), "from": user(who, "en"), "date": 1_790_000_000,
            "old_chat_member": {"user": user(who, "en"), "status": "left"},
            "new_chat_member": {"user": user(who, "en"), "status": "member"}
        }}));
    }
}

async fn answer_fault(fault: Fault) -> Response {
    let (status, body) = match fault {
        Fault::Flood(secs) => (
            StatusCode::OK,
            json!({"ok": false, "error_code": 429,
                "description": format!("Too Many Requests: retry after {secs}"),
                "parameters": {"retry_after": secs}}),
        ),
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap();
            let reason = status.canonical_reason().unwrap_or("Error");
            (
                status,
                json!({"ok": false, "error_code": code, "description": reason}),
            )
        }
        Fault::Stall(wait) => {
            tokio::time::sleep(wait).await;
            (
                StatusCode::GATEWAY_TIMEOUT,
                json!({"ok": false, "error_code": 504, "description": "Gateway Timeout"}),
            )
        }
    };
    (status, axum::Json(body)).into_response()
}

fn ok(result: Value) -> Response {
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

async fn method(
    State(fake): State<FakeBotApi>,
    Path((_bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // Methods that may carry files (sendPhoto, setWebhook) come as multipart.
    let form = super::multipart::parse(headers.get("content-type").and_then(|v| v.to_str().ok()), &body);
    let (params, files) = match form {
        Some(f) => (Value::Object(f.fields), f.files),
        None => (serde_json::from_slice(&body).unwrap_or(Value::Null), Vec::new()),
    };
    let file_fields: Vec<String> = files.iter().map(|f| f.field.clone()).collect();
    if let Err(refusal) = spec::telegram::check(&method, &params, &file_fields) {
        fake.refusals.record(&refusal);
        let (status, description) = match refusal.status {
            404 => (StatusCode::NOT_FOUND, "Not Found".to_owned()),
            _ => (
                StatusCode::BAD_REQUEST,
                format!("Bad Request: {}", refusal.first()),
            ),
        };
        let body = json!({"ok": false, "error_code": status.as_u16(), "description": description});
        return (status, axum::Json(body)).into_response();
    }
    // Bot API method names are case-insensitive; teloxide sends "GetUpdates".
    let method = method.to_ascii_lowercase();
    if method == "getupdates" {
        // As documented: an offset confirms every update below it, which is
        // then never sent again; the others are sent until confirmed.
        let offset = params["offset"].as_u64().unwrap_or(0);
        for _ in 0..10 {
            let update = {
                let mut inner = fake.inner.lock();
                inner.confirmed = inner.confirmed.max(offset.saturating_sub(1));
                let confirmed = inner.confirmed;
                inner
                    .updates
                    .retain(|u| u["update_id"].as_u64().unwrap_or(0) > confirmed);
                inner.updates.front().cloned()
            };
            if let Some(u) = update {
                return ok(json!([u]));
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        return ok(json!([]));
    }
    let fault = {
        let mut inner = fake.inner.lock();
        inner.calls.push(Call {
            method: method.clone(),
            params: params.clone(),
            files,
        });
        let i = inner
            .faults
            .iter()
            .position(|(m, _)| m.eq_ignore_ascii_case(&method));
        i.map(|i| inner.faults.remove(i).1)
    };
    if let Some(fault) = fault {
        return answer_fault(fault).await;
    }
    let inner = fake.inner.lock();
    match method.as_str() {
        "getme" => ok(
            json!({"id": BOT_ID, "is_bot": true, "first_name": "Lyceum", "username": "LyceumBot",
            "can_join_groups": true, "can_read_all_group_messages": true, "supports_inline_queries": false, "has_main_web_app": false}),
        ),
        "sendmessage" | "editmessagetext" => {
            let chat_id = params["chat_id"].as_i64().unwrap_or(0);
            ok(
                json!({"message_id": 77, "date": 1_790_000_000, "chat": chat(chat_id),
                      "from": {"id": BOT_ID, "is_bot": true, "first_name": "Lyceum"},
                      "text": params["text"]}),
            )
        }
        "createchatinvitelink" => ok(json!({
            "invite_link": format!("https://t.me/+fake{}", inner.calls.len()),
            "creator": {"id": BOT_ID, "is_bot": true, "first_name": "Lyceum"},
            "creates_join_request": params["creates_join_request"].as_bool().unwrap_or(false),
            "is_primary": false, "is_revoked": false, "name": params["name"]
        })),
        "getchatmember" => {
            let chat = params["chat_id"].as_i64().unwrap_or(0);
            let bot = json!({"id": BOT_ID, "is_bot": true, "first_name": "Lyceum"});
            if inner.powerless_in.contains(&chat) {
                ok(json!({"status": "member", "user": bot}))
            } else {
                ok(
                    json!({"status": "administrator", "user": bot, "can_be_edited": false,
                    "is_anonymous": false, "can_manage_chat": true, "can_delete_messages": true,
                    "can_manage_video_chats": true, "can_restrict_members": true, "can_promote_members": false,
                    "can_change_info": true, "can_invite_users": true, "can_post_stories": false,
                    "can_edit_stories": false, "can_delete_stories": false}),
                )
            }
        }
        "sendphoto" => {
            let chat_id = params["chat_id"].as_i64().unwrap_or(0);
            ok(
                json!({"message_id": 78, "date": 1_790_000_000, "chat": chat(chat_id),
                      "from": {"id": BOT_ID, "is_bot": true, "first_name": "Lyceum"},
                      "photo": [{"file_id": "card", "file_unique_id": "card1", "width": 800, "height": 260}],
                      "caption": params["caption"]}),
            )
        }
        "createinvoicelink" => ok(json!(format!("https://t.me/$invoice{}", inner.calls.len()))),
        _ => ok(json!(true)),
    }
}
