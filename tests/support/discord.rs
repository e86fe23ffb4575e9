//! A local fake of Discord for tests: the REST routes Lyceum uses (reached
//! through serenity's proxy setting) and a gateway at the `ws://` URL its
//! `/gateway` routes return: HELLO, IDENTIFY, READY, heartbeats, and the
//! dispatches a test pushes. Payloads follow Discord's documented shapes.

#![allow(dead_code, clippy::unwrap_used)]

use parking_lot::Mutex;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::spec::{self, Refusal, Refusals};

pub const APP: u64 = 4242;
pub const BOT: u64 = 1000;
pub const GUILD: u64 = 900;
pub const BOT_ROLE: u64 = 10;

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub reason: Option<String>,
    pub body: Value,
    /// Files attached to a multipart request.
    pub files: Vec<super::multipart::File>,
}

#[derive(Default)]
struct Inner {
    seen: Vec<Seen>,
    /// user → roles held in the guild.
    members: HashMap<u64, BTreeSet<u64>>,
    /// (id, name, position, permissions)
    roles: Vec<(u64, String, u16, u64)>,
    /// How to answer the next request whose path contains the string, in
    /// the order they were queued.
    faults: Vec<(String, Fault)>,
    gateway: Option<mpsc::UnboundedSender<Value>>,
    seq: u64,
}

enum Fault {
    Status(u16, Value),
    /// No answer for this long, then a 504, and nothing done.
    Stall(std::time::Duration),
}

#[derive(Clone)]
pub struct FakeDiscord {
    inner: Arc<Mutex<Inner>>,
    pub base: Arc<Mutex<String>>,
    refusals: Arc<Refusals>,
    /// Sign-in with Discord: the consent page, codes and bearer tokens.
    pub oauth: super::discord_oauth::FakeOAuth,
}

impl Default for FakeDiscord {
    fn default() -> FakeDiscord {
        FakeDiscord {
            inner: Arc::default(),
            base: Arc::default(),
            refusals: Refusals::new("Discord"),
            oauth: super::discord_oauth::FakeOAuth::default(),
        }
    }
}

pub fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": name,
           "avatar": null, "bot": bot})
}

fn member(id: u64, roles: &BTreeSet<u64>) -> Value {
    json!({
        "user": user(id, &format!("user{id}"), id == BOT),
        "roles": roles.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "joined_at": "2026-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0,
        "guild_id": GUILD.to_string()
    })
}

fn message(channel: &str, content: &str) -> Value {
    json!({
        "id": "5000", "channel_id": channel, "author": user(BOT, "Lyceum", true), "content": content,
        "timestamp": "2026-11-22T00:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "type": 0, "webhook_id": null, "flags": 0
    })
}

fn error(status: u16, code: u32, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (status, axum::Json(json!({"code": code, "message": message}))).into_response()
}

impl FakeDiscord {
    /// Serves on a free port; returns the base URL for serenity's proxy.
    pub async fn start(&self) -> String {
        {
            let mut inner = self.inner.lock();
            inner.members.insert(BOT, [BOT_ROLE].into());
            inner.roles = vec![
                (GUILD, "@everyone".into(), 0, 0),
                (BOT_ROLE, "Lyceum".into(), 5, 1 << 28),
                (11, "Community".into(), 1, 0),
                (12, "Pro Lounge".into(), 2, 0),
            ];
        }
        let app = Router::new()
            .route("/ws", get(gateway))
            .route(
                "/oauth2/authorize",
                get(super::discord_oauth::authorize).post(super::discord_oauth::consent),
            )
            .route("/api/v10/oauth2/token", post(super::discord_oauth::token))
            .route("/api/v10/{*rest}", any(rest))
            .with_state(self.serving());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        self.base.lock().clone_from(&base);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        base
    }

    /// The handle the server keeps: it shares everything but never fails
    /// a test by itself.
    fn serving(&self) -> FakeDiscord {
        FakeDiscord {
            refusals: self.refusals.unarmed(),
            ..self.clone()
        }
    }

    /// The requests refused so far, which then no longer fail the test.
    pub fn take_refusals(&self) -> Vec<Refusal> {
        self.refusals.take()
    }

    pub fn seen(&self, method: &str, path_contains: &str) -> Vec<Seen> {
        self.inner
            .lock()
            .seen
            .iter()
            .filter(|s| s.method == method && s.path.contains(path_contains))
            .cloned()
            .collect()
    }

    /// Every request seen, for failure messages.
    pub fn log(&self) -> String {
        let inner = self.inner.lock();
        inner
            .seen
            .iter()
            .map(|s| format!("{} {}\n", s.method, s.path))
            .collect()
    }

    pub fn join(&self, user: u64, roles: &[u64]) {
        self.inner
            .lock()
            .members
            .insert(user, roles.iter().copied().collect());
    }

    pub fn leave(&self, user: u64) {
        self.inner.lock().members.remove(&user);
    }

    pub fn roles_of(&self, user: u64) -> Option<BTreeSet<u64>> {
        self.inner.lock().members.get(&user).cloned()
    }

    /// Moves a role's position (to break or fix the hierarchy).
    pub fn set_role_position(&self, role: u64, position: u16) {
        let mut inner = self.inner.lock();
        if let Some(r) = inner.roles.iter_mut().find(|r| r.0 == role) {
            r.2 = position;
        }
    }

    pub fn fail_next(&self, path_contains: &str, status: u16, body: Value) {
        self.fault_next(path_contains, Fault::Status(status, body));
    }

    /// A request whose path contains `path_contains`, after the faults
    /// already queued for it, gets no answer for `wait`.
    pub fn stall_next(&self, path_contains: &str, wait: std::time::Duration) {
        self.fault_next(path_contains, Fault::Stall(wait));
    }

    fn fault_next(&self, path_contains: &str, fault: Fault) {
        self.inner.lock().faults.push((path_contains.to_owned(), fault));
    }

    /// Faults queued but not yet met.
    pub fn faults_left(&self) -> usize {
        self.inner.lock().faults.len()
    }

    pub fn connected(&self) -> bool {
        self.inner.lock().gateway.is_some()
    }

    /// Sends a dispatch (op 0) of type `t` to the connected bot.
    pub fn dispatch(&self, t: &str, d: Value) {
        let mut inner = self.inner.lock();
        inner.seq += 1;
        let frame = json!({"op": 0, "t": t, "s": inner.seq, "d": d});
        if let Some(tx) = &inner.gateway {
            let _ = tx.send(frame);
        }
    }

    /// An INTERACTION_CREATE for a slash command from `user` in the guild.
    pub fn command(&self, id: u64, user_id: u64, locale: &str, name: &str, options: Value) {
        self.interaction(id, 2, GUILD, user_id, locale, name, options);
    }

    /// An INTERACTION_CREATE of `kind` (2 command, 4 autocomplete) in `guild`.
    #[allow(clippy::too_many_arguments)]
    pub fn interaction(
        &self,
        id: u64,
        kind: u8,
        guild: u64,
        user_id: u64,
        locale: &str,
        name: &str,
        options: Value,
    ) {
        let data = json!({"id": "77", "name": name, "type": 1, "options": options});
        self.interaction_with(id, kind, guild, user_id, &[], locale, data);
    }

    /// A slash command from a member holding `roles`.
    pub fn command_with_roles(&self, id: u64, user_id: u64, roles: &[u64], name: &str, options: Value) {
        let data = json!({"id": "77", "name": name, "type": 1, "options": options});
        self.interaction_with(id, 2, GUILD, user_id, roles, "en-US", data);
    }

    /// A MESSAGE_COMPONENT interaction: `user_id` pressed the button `custom_id`.
    pub fn press(&self, id: u64, user_id: u64, custom_id: &str) {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.interaction_with(id, 3, GUILD, user_id, &[], "en-US", data);
    }

    #[allow(clippy::too_many_arguments)]
    fn interaction_with(
        &self,
        id: u64,
        kind: u8,
        guild: u64,
        user_id: u64,
        roles: &[u64],
        locale: &str,
        data: Value,
    ) {
        let u = user(user_id, &format!("user{user_id}"), false);
        let roles: Vec<String> = roles.iter().map(ToString::to_string).collect();
        self.dispatch(
            "INTERACTION_CREATE",
            json!({
                "id": id.to_string(), "application_id": APP.to_string(), "type": kind,
                "token": format!("tok{id}"), "version": 1, "guild_id": guild.to_string(),
                "channel_id": "700", "locale": locale, "guild_locale": "en-US",
                "app_permissions": "2147483647", "entitlements": [], "authorizing_integration_owners": {},
                "context": 0, "attachment_size_limit": 8388608,
                "channel": {"id": "700", "type": 0, "name": "general", "permissions": "0"},
                "member": {"user": u, "roles": roles, "joined_at": "2026-01-01T00:00:00.000000+00:00",
                           "deaf": false, "mute": false, "flags": 0, "permissions": "0"},
                "user": u,
                "message": {"id": "5000", "channel_id": "700", "author": user(BOT, "Lyceum", true),
                            "content": "", "timestamp": "2026-11-22T00:00:00.000000+00:00",
                            "edited_timestamp": null, "tts": false, "mention_everyone": false,
                            "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
                            "pinned": false, "type": 0, "flags": 0},
                "data": data
            }),
        );
    }
}

/// Discord's answer to a request it refuses: Invalid Form Body with the
/// broken fields, or its 404 and 405.
fn refuse(refusal: &Refusal) -> Response {
    if refusal.status != 400 {
        return error(
            refusal.status,
            0,
            &format!("{}: {}", refusal.status, refusal.first()),
        );
    }
    let errors: serde_json::Map<String, Value> = refusal
        .problems
        .iter()
        .map(|p| {
            (
                p.at.clone(),
                json!({"_errors": [{"code": "BASE_TYPE_INVALID", "message": p.rule}]}),
            )
        })
        .collect();
    let body = json!({"code": 50035, "message": "Invalid Form Body", "errors": errors});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

async fn gateway(ws: WebSocketUpgrade, State(fake): State<FakeDiscord>) -> Response {
    ws.on_upgrade(move |socket| session(socket, fake))
}

async fn session(mut socket: WebSocket, fake: FakeDiscord) {
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}});
    if socket
        .send(WsMessage::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(WsMessage::Text(text))) = incoming else { break };
                let v: Value = serde_json::from_str(&text).unwrap_or_default();
                match v["op"].as_u64() {
                    // IDENTIFY: READY, then the guild.
                    Some(2) => {
                        let base = fake.base.lock().replace("http", "ws");
                        let ready = json!({"op": 0, "t": "READY", "s": 1, "d": {
                            "v": 10, "user": user(BOT, "Lyceum", true),
                            "guilds": [{"id": GUILD.to_string(), "unavailable": true}],
                            "session_id": "session-1", "resume_gateway_url": format!("{base}/ws"),
                            "shard": [0, 1], "application": {"id": APP.to_string(), "flags": 0}
                        }});
                        let _ = socket.send(WsMessage::Text(ready.to_string().into())).await;
                        let mut inner = fake.inner.lock();
                        inner.seq = 1;
                        inner.gateway = Some(tx.clone());
                    }
                    // Heartbeat: acknowledge.
                    Some(1) => {
                        let ack = json!({"op": 11});
                        let _ = socket.send(WsMessage::Text(ack.to_string().into())).await;
                    }
                    _ => {}
                }
            }
            Some(frame) = rx.recv() => {
                if socket.send(WsMessage::Text(frame.to_string().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    fake.inner.lock().gateway = None;
}

async fn rest(
    State(fake): State<FakeDiscord>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let path = uri.path().trim_start_matches("/api/v10").to_owned();
    let form = super::multipart::parse(headers.get("content-type").and_then(|v| v.to_str().ok()), &body);
    let reason = headers
        .get("x-audit-log-reason")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (body, files) = match form {
        Some(f) => (
            f.fields.get("payload_json").cloned().unwrap_or(Value::Null),
            f.files,
        ),
        None => (serde_json::from_slice(&body).unwrap_or(Value::Null), Vec::new()),
    };
    let base = fake.base.lock().clone();
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    if authorization.is_some_and(|a| a.starts_with("Bearer ")) {
        // A person's token opens only what its scopes name.
        return match (method.as_str(), path.as_str()) {
            ("GET", "/users/@me") => match fake.oauth.user_of(authorization, "identify") {
                Some(u) => {
                    let mut me = user(u, &format!("user{u}"), false);
                    me["locale"] = json!(fake.oauth.locale_of(u));
                    axum::Json(me).into_response()
                }
                None => error(401, 0, "401: Unauthorized"),
            },
            _ => error(401, 0, "401: Unauthorized"),
        };
    }
    if let Err(refusal) = spec::discord::check(method.as_str(), &path, uri.query(), reason.as_deref(), &body)
    {
        fake.refusals.record(&refusal);
        return refuse(&refusal);
    }
    let fault = {
        let mut inner = fake.inner.lock();
        inner.seen.push(Seen {
            method: method.to_string(),
            path: path.clone(),
            reason,
            body: body.clone(),
            files,
        });
        let i = inner.faults.iter().position(|(p, _)| path.contains(p.as_str()));
        i.map(|i| inner.faults.remove(i).1)
    };
    if let Some(fault) = fault {
        let (status, body) = match fault {
            Fault::Status(status, body) => (status, body),
            Fault::Stall(wait) => {
                tokio::time::sleep(wait).await;
                return error(504, 0, "gateway timeout");
            }
        };
        let mut resp = (StatusCode::from_u16(status).unwrap(), axum::Json(body.clone())).into_response();
        if status == 429 {
            let after = body["retry_after"].as_f64().unwrap_or(0.1).to_string();
            let h = resp.headers_mut();
            h.insert("retry-after", after.parse().unwrap());
            h.insert("x-ratelimit-global", "false".parse().unwrap());
            h.insert("x-ratelimit-scope", "user".parse().unwrap());
        }
        return resp;
    }
    let mut inner = fake.inner.lock();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let no_content = || StatusCode::NO_CONTENT.into_response();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"] | ["gateway", "bot"]) => axum::Json(json!({
            "url": format!("{}/ws", base.replace("http", "ws")), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        }))
        .into_response(),
        ("GET", ["users", "@me"]) => axum::Json(user(BOT, "Lyceum", true)).into_response(),
        ("PUT", ["applications", _, "guilds", g, "commands"]) => {
            let cmds: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, mut c)| {
                    c["id"] = json!((3000 + i).to_string());
                    c["application_id"] = json!(APP.to_string());
                    c["guild_id"] = json!(g.to_string());
                    c["version"] = json!("1");
                    c["default_member_permissions"] = Value::Null;
                    if c.get("type").is_none() {
                        c["type"] = json!(1);
                    }
                    c
                })
                .collect();
            axum::Json(Value::Array(cmds)).into_response()
        }
        ("POST", ["interactions", _, _, "callback"]) => no_content(),
        ("PATCH", ["webhooks", _, _, "messages", "@original"]) | ("POST", ["webhooks", _, _]) => {
            axum::Json(message("700", body["content"].as_str().unwrap_or_default())).into_response()
        }
        ("GET", ["guilds", _, "roles"]) => {
            let roles: Vec<Value> = inner
                .roles
                .iter()
                .map(|(id, name, position, perms)| {
                    json!({"id": id.to_string(), "name": name, "color": 0, "hoist": false, "icon": null,
                           "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
                           "unicode_emoji": null, "position": position, "permissions": perms.to_string(),
                           "managed": false, "mentionable": false, "flags": 0})
                })
                .collect();
            axum::Json(Value::Array(roles)).into_response()
        }
        ("GET", ["guilds", _, "members"]) => {
            let after: u64 = uri
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("after=")))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut ids: Vec<u64> = inner.members.keys().copied().filter(|id| *id > after).collect();
            ids.sort_unstable();
            let list: Vec<Value> = ids.iter().map(|id| member(*id, &inner.members[id])).collect();
            axum::Json(Value::Array(list)).into_response()
        }
        ("PUT", ["guilds", _, "members", u]) => {
            let u: u64 = u.parse().unwrap_or(0);
            let lent = body["access_token"].as_str().map(|t| format!("Bearer {t}"));
            if fake.oauth.user_of(lent.as_deref(), "guilds.join") != Some(u) {
                return error(403, 50025, "Invalid OAuth2 access token");
            }
            if inner.members.contains_key(&u) {
                return no_content();
            }
            let bot_top = inner.roles.iter().find(|x| x.0 == BOT_ROLE).map_or(0, |x| x.2);
            let mut roles = BTreeSet::new();
            for r in body["roles"].as_array().cloned().unwrap_or_default() {
                let r: u64 = r.as_str().and_then(|r| r.parse().ok()).unwrap_or(0);
                match inner.roles.iter().find(|x| x.0 == r) {
                    None => return error(400, 50035, "Invalid Form Body"),
                    Some(role) if role.2 >= bot_top => return error(403, 50013, "Missing Permissions"),
                    Some(_) => roles.insert(r),
                };
            }
            let added = member(u, &roles);
            inner.members.insert(u, roles);
            (StatusCode::CREATED, axum::Json(added)).into_response()
        }
        ("GET", ["guilds", _, "members", u]) => match u
            .parse::<u64>()
            .ok()
            .and_then(|u| inner.members.get(&u).map(|r| (u, r)))
        {
            Some((u, roles)) => axum::Json(member(u, roles)).into_response(),
            None => error(404, 10007, "Unknown Member"),
        },
        ("PUT" | "DELETE", ["guilds", _, "members", u, "roles", r]) => {
            let (u, r): (u64, u64) = (u.parse().unwrap_or(0), r.parse().unwrap_or(0));
            let bot_top = inner.roles.iter().find(|x| x.0 == BOT_ROLE).map_or(0, |x| x.2);
            let Some(role) = inner.roles.iter().find(|x| x.0 == r).cloned() else {
                return error(404, 10011, "Unknown Role");
            };
            if role.2 >= bot_top {
                return error(403, 50013, "Missing Permissions");
            }
            let put = method == Method::PUT;
            let Some(held) = inner.members.get_mut(&u) else {
                return error(404, 10007, "Unknown Member");
            };
            if put {
                held.insert(r);
            } else {
                held.remove(&r);
            }
            no_content()
        }
        ("POST", ["users", "@me", "channels"]) => {
            let recipient = body["recipient_id"].as_str().unwrap_or("0").to_owned();
            let id: u64 = recipient.parse().unwrap_or(0);
            axum::Json(
                json!({"id": format!("8{recipient}"), "type": 1, "last_message_id": null,
                              "recipients": [user(id, &format!("user{id}"), false)]}),
            )
            .into_response()
        }
        ("POST", ["channels", c, "messages"]) | ("PATCH", ["channels", c, "messages", _]) => {
            axum::Json(message(c, body["content"].as_str().unwrap_or_default())).into_response()
        }
        ("DELETE", ["channels", _, "messages", _]) => no_content(),
        _ => error(404, 0, "not in the fake"),
    }
}
