//! The Discord adapter driven through the real serenity client against a
//! local fake Discord (REST via the proxy setting, gateway over ws://):
//! commands answered in both languages, roles granted and revoked through
//! the outbox with an audit-log reason, roles restored on rejoin, a 429
//! retried after retry_after, admin guidance on a broken role order, and a
//! reconciliation that fixes drift both ways.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use lyceum::settings;
use lyceum_core::{Core, Invoker};
use lyceum_discord::{Bindings, GuildBinding, Options};
use serde_json::{Value, json};
use support::discord::{APP, FakeDiscord, GUILD};
use support::{TestDb, eventually};
use tokio::sync::watch;

const COMMUNITY_ROLE: u64 = 11;
const PRO_ROLE: u64 = 12;
const ALERTS: u64 = 701;
const CREATOR_ROLE: u64 = 702;
/// Where lesson cards are posted.
const LESSONS: u64 = 710;

fn bindings() -> Arc<Bindings> {
    Arc::new(Bindings(vec![GuildBinding {
        guild_id: GUILD,
        community: "demo".into(),
        roles: [
            ("community-chat".to_owned(), COMMUNITY_ROLE),
            ("pro-lounge".to_owned(), PRO_ROLE),
        ]
        .into(),
        alerts_channel: Some(ALERTS),
        creator_role: Some(CREATOR_ROLE),
    }]))
}

fn options(base: &str) -> Options {
    Options {
        token: "fake-token".into(),
        application_id: APP,
        api_proxy: Some(base.to_owned()),
        shards: None,
        bindings: bindings(),
        reconcile_every: Duration::from_secs(3600),
        alerts: lyceum_discord::alerts::Memory::default(),
    }
}

struct World {
    core: Arc<Core>,
    fake: FakeDiscord,
    stop: watch::Sender<bool>,
    base: String,
}

impl World {
    async fn start(db: &TestDb, before: impl FnOnce(&FakeDiscord)) -> World {
        let fake = FakeDiscord::default();
        let base = fake.start().await;
        before(&fake);
        let (stop, stopped) = watch::channel(false);
        let opts = options(&base);
        let sink = Arc::new(lyceum_discord::sink(&opts, None));
        let lessons = |c: &mut lyceum_core::config::Community| {
            c.lessons.channels = vec![format!("discord:{LESSONS}").parse().unwrap()];
        };
        let core = support::live_core_configured(db, sink, stopped.clone(), lessons, |c| c).await;
        tokio::spawn(lyceum_discord::run(core.clone(), opts, stopped));
        let f = fake.clone();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !f.connected() || f.seen("PUT", "/commands").is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the bot never connected and registered its commands; the fake saw:\n{}",
                f.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        World {
            core,
            fake,
            stop,
            base,
        }
    }

    /// The content and flags of the interaction callback for `id`.
    fn answer(&self, id: u64) -> Option<Value> {
        self.fake
            .seen("POST", &format!("/interactions/{id}/"))
            .last()
            .map(|s| s.body.clone())
    }

    async fn answered(&self, id: u64) -> Value {
        let f = self.fake.clone();
        eventually(10, "the interaction is answered", || {
            !f.seen("POST", &format!("/interactions/{id}/")).is_empty()
        })
        .await;
        self.answer(id).unwrap()
    }

    async fn admin(&self, line: &str) {
        let admin = Invoker::new("console:admin".parse().unwrap());
        let out = self.core.handle_line("demo", &admin, line).await;
        assert!(!matches!(out.reply, lyceum_core::Reply::Refused(_)), "{out:?}");
    }

    fn roles(&self, user: u64) -> Vec<u64> {
        self.fake.roles_of(user).unwrap_or_default().into_iter().collect()
    }
}

async fn commands_and_roles(db: TestDb) {
    let w = World::start(&db, |f| f.join(555, &[])).await;

    // Registration: every command, with Chinese localizations.
    let registered = w.fake.seen("PUT", &format!("/guilds/{GUILD}/commands"));
    let cmds = registered[0].body.as_array().unwrap().clone();
    let tops: std::collections::BTreeSet<&str> = lyceum_core::catalogue::CATALOGUE
        .iter()
        .map(|c| c.group().map_or(c.name, |(g, _)| g))
        .collect();
    assert_eq!(cmds.len(), tops.len());
    assert!(
        cmds.iter()
            .all(|c| c["description_localizations"]["zh-CN"].is_string())
    );

    // Commands answered; personal ones privately; in the user's language.
    w.fake.command(1, 555, "en-US", "me", json!([]));
    let a = w.answered(1).await;
    assert_eq!(a["type"], 4);
    assert!(
        a["data"]["content"].as_str().unwrap().contains("not a member"),
        "{a}"
    );
    assert_eq!(a["data"]["flags"], 64, "refusals are ephemeral");
    w.fake.command(2, 555, "zh-CN", "join", json!([]));
    let a = w.answered(2).await;
    assert!(a["data"]["content"].as_str().unwrap().contains("欢迎"), "{a}");
    w.fake.command(
        3,
        555,
        "en-US",
        "leaderboard",
        json!([{"name": "page", "type": 4, "value": 0}]),
    );
    let a = w.answered(3).await;
    assert!(
        a["data"]["content"].as_str().unwrap().contains("between 1 and"),
        "{a}"
    );
    // /rank answers with its text and the rank card attached as a PNG.
    w.fake.command(
        40,
        555,
        "zh-CN",
        "rank",
        json!([{"name": "board", "type": 3, "value": "week"}]),
    );
    let a = w.answered(40).await;
    assert!(a["data"]["content"].as_str().unwrap().contains("本周榜"), "{a}");
    assert_eq!(a["data"]["attachments"][0]["filename"], "rank.png", "{a}");
    let sent = w.fake.seen("POST", "/interactions/40/");
    let file = &sent.last().unwrap().files[0];
    assert_eq!((file.name.as_str(), &file.bytes[1..4]), ("rank.png", &b"PNG"[..]));

    // Autocomplete offers the community's tiers.
    let focused = json!([{"name": "tier", "type": 3, "value": "pr", "focused": true}]);
    w.fake
        .interaction(5, 4, GUILD, 555, "en-US", "subscribe", focused);
    let a = w.answered(5).await;
    assert_eq!(a["type"], 8, "{a}");
    let choices: Vec<&str> = a["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(choices, vec!["pro"], "{a}");
    // A guild bound to no community gets a clear private answer.
    w.fake.interaction(6, 2, 999, 555, "en-US", "me", json!([]));
    let a = w.answered(6).await;
    assert!(
        a["data"]["content"].as_str().unwrap().contains("not connected"),
        "{a}"
    );
    assert_eq!(a["data"]["flags"], 64);

    // A command that calls the payment provider is deferred, then edited.
    w.fake.command(
        4,
        555,
        "en-US",
        "subscribe",
        json!([{"name": "tier", "type": 3, "value": "pro"}]),
    );
    let a = w.answered(4).await;
    assert_eq!(a["type"], 5, "deferred: {a}");
    let f = w.fake.clone();
    eventually(10, "the deferred answer is edited in", || {
        !f.seen("PATCH", "/messages/@original").is_empty()
    })
    .await;
    let edit = &w.fake.seen("PATCH", "/messages/@original")[0].body;
    assert!(
        edit["content"]
            .as_str()
            .unwrap()
            .contains("Payments are not set up"),
        "{edit}"
    );

    // An entitlement grants roles through the outbox, with a reason.
    w.admin("/grant discord:555 pro 30").await;
    let f = w.fake.clone();
    eventually(10, "both roles are granted", || {
        f.roles_of(555)
            .is_some_and(|r| r.contains(&COMMUNITY_ROLE) && r.contains(&PRO_ROLE))
    })
    .await;
    let put = w.fake.seen("PUT", &format!("/members/555/roles/{PRO_ROLE}"));
    assert!(
        put[0].reason.as_deref().unwrap_or_default().contains("Lyceum"),
        "{put:?}"
    );
    let f = w.fake.clone();
    eventually(10, "the access notice is sent as a DM", || {
        !f.seen("POST", "/channels/8555/messages").is_empty()
    })
    .await;

    // Leaving drops the roles; rejoining brings them back.
    w.fake.leave(555);
    w.fake.join(555, &[]);
    w.fake.dispatch(
        "GUILD_MEMBER_ADD",
        json!({"guild_id": GUILD.to_string(), "user": support::discord::user(555, "user555", false),
               "roles": [], "joined_at": "2026-11-22T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0}),
    );
    let f = w.fake.clone();
    eventually(10, "roles come back after a rejoin", || {
        f.roles_of(555)
            .is_some_and(|r| r.contains(&COMMUNITY_ROLE) && r.contains(&PRO_ROLE))
    })
    .await;

    // A 429 is retried after retry_after, by serenity's rate limiter.
    w.fake.join(556, &[]);
    w.fake.fail_next(
        &format!("/members/556/roles/{COMMUNITY_ROLE}"),
        429,
        json!({"message": "You are being rate limited.", "retry_after": 0.3, "global": false}),
    );
    w.admin("/grant discord:556 basic 30").await;
    let f = w.fake.clone();
    eventually(15, "the rate-limited grant lands", || {
        f.roles_of(556).is_some_and(|r| r.contains(&COMMUNITY_ROLE))
    })
    .await;
    assert_eq!(
        w.fake
            .seen("PUT", &format!("/members/556/roles/{COMMUNITY_ROLE}"))
            .len(),
        2
    );

    // Revoking takes the roles away.
    w.admin("/revoke discord:555").await;
    let f = w.fake.clone();
    eventually(10, "roles are removed", || {
        f.roles_of(555).is_some_and(|r| r.is_empty())
    })
    .await;
    assert_eq!(w.roles(555), Vec::<u64>::new());

    // Activity: messages and reactions from members are counted.
    let msg = json!({"id": "6000", "channel_id": "700", "guild_id": GUILD.to_string(),
        "author": support::discord::user(555, "user555", false), "content": "hello there",
        "timestamp": "2026-11-22T00:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "type": 0});
    w.fake.dispatch("MESSAGE_CREATE", msg);
    let counted = support::activity_reaches(&w.core, |rows| rows.iter().any(|r| r.messages == 1)).await;
    assert!(counted, "the message was counted as activity");
    w.fake.dispatch(
        "MESSAGE_REACTION_ADD",
        json!({"user_id": "556", "channel_id": "700", "message_id": "6000", "guild_id": GUILD.to_string(),
               "message_author_id": "555", "emoji": {"id": null, "name": "👍"}, "burst": false, "type": 0}),
    );
    let both = support::activity_reaches(&w.core, |rows| {
        rows.iter().any(|r| r.reactions_received == 1) && rows.iter().any(|r| r.reactions_given == 1)
    })
    .await;
    assert!(
        both,
        "a reaction counts for the one who gave it and the author who received it"
    );
    let _ = w.stop.send(true);
}

/// The content of the last message posted in `channel`, once there is one
/// containing `needle`.
async fn posted(w: &World, method: &str, channel: u64, needle: &str) -> Value {
    let f = w.fake.clone();
    let path = format!("/channels/{channel}/messages");
    let found = move || {
        f.seen(method, &path)
            .into_iter()
            .rev()
            .find(|s| s.body.to_string().contains(needle))
    };
    let probe = found.clone();
    eventually(10, "the lesson card reaches the channel", move || {
        probe().is_some()
    })
    .await;
    found().unwrap().body
}

async fn lesson_cards_and_buttons(db: TestDb) {
    let w = World::start(&db, |f| f.join(555, &[])).await;
    let post = json!([{"name": "post", "type": 1, "options": [
        {"name": "lesson", "type": 3, "value": "intro"},
        {"name": "title", "type": 3, "value": "Getting started"},
        {"name": "body", "type": 3, "value": "The secret is the executor."},
        {"name": "tier", "type": 3, "value": "pro"},
        {"name": "points", "type": 4, "value": 50}
    ]}]);
    // Without the creator role the command is refused, privately.
    w.fake.command_with_roles(60, 555, &[], "lesson", post.clone());
    let a = w.answered(60).await;
    assert!(
        a["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only the community's creators"),
        "{a}"
    );
    assert_eq!(a["data"]["flags"], 64);
    // With it, the lesson is posted and its card lands in the lesson channel
    // with an Unlock button, never the lesson itself.
    w.fake
        .command_with_roles(61, 600, &[CREATOR_ROLE], "lesson", post);
    let a = w.answered(61).await;
    assert!(a["data"]["content"].as_str().unwrap().contains("posted"), "{a}");
    let card = posted(&w, "POST", LESSONS, "Getting started").await;
    assert_eq!(
        card["components"][0]["components"][0]["custom_id"], "lyceum:unlock:intro",
        "{card}"
    );
    assert_eq!(card["components"][0]["components"][0]["label"], "Unlock");
    assert!(!card.to_string().contains("executor"), "{card}");

    // The button answers whoever pressed it, privately: how to unlock, then
    // the lesson once they may read it.
    w.fake.press(62, 555, "lyceum:unlock:intro");
    let a = w.answered(62).await;
    assert_eq!(a["data"]["flags"], 64, "{a}");
    let text = a["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("locked") && text.contains("/unlock intro points"),
        "{text}"
    );
    w.admin("/grant discord:555 pro 30").await;
    w.fake.press(63, 555, "lyceum:unlock:intro");
    let a = w.answered(63).await;
    assert_eq!(a["data"]["flags"], 64, "{a}");
    assert!(
        a["data"]["content"]
            .as_str()
            .unwrap()
            .contains("The secret is the executor."),
        "{a}"
    );

    // A lesson longer than a Discord message arrives whole, in pieces.
    let long: String = (0..450).map(|i| format!("line {i:04}\n")).collect();
    let post = json!([{"name": "post", "type": 1, "options": [
        {"name": "lesson", "type": 3, "value": "long"},
        {"name": "title", "type": 3, "value": "A long one"},
        {"name": "body", "type": 3, "value": long}
    ]}]);
    w.fake
        .command_with_roles(66, 600, &[CREATOR_ROLE], "lesson", post);
    w.answered(66).await;
    w.fake.press(67, 555, "lyceum:unlock:long");
    let first = w.answered(67).await;
    let f = w.fake.clone();
    eventually(10, "the rest of the lesson follows", || {
        f.seen("POST", &format!("/webhooks/{APP}/tok67"))
            .iter()
            .any(|s| s.body.to_string().contains("line 0449"))
    })
    .await;
    let mut whole = first["data"]["content"].as_str().unwrap().to_owned();
    for part in w.fake.seen("POST", &format!("/webhooks/{APP}/tok67")) {
        assert!(part.body["content"].as_str().unwrap().chars().count() <= 2000);
        assert_eq!(part.body["flags"], 64, "the rest is private too");
        whole.push_str(part.body["content"].as_str().unwrap());
    }
    assert!(first["data"]["content"].as_str().unwrap().chars().count() <= 2000);
    assert!(whole.contains(&long), "nothing is cut");

    // Edits rewrite the posted card; removal deletes it.
    let edit = json!([{"name": "edit", "type": 1, "options": [
        {"name": "lesson", "type": 3, "value": "intro"},
        {"name": "title", "type": 3, "value": "Getting started, v2"}
    ]}]);
    w.fake
        .command_with_roles(64, 600, &[CREATOR_ROLE], "lesson", edit);
    w.answered(64).await;
    posted(&w, "PATCH", LESSONS, "Getting started, v2").await;
    let remove =
        json!([{"name": "remove", "type": 1, "options": [{"name": "lesson", "type": 3, "value": "intro"}]}]);
    w.fake
        .command_with_roles(65, 600, &[CREATOR_ROLE], "lesson", remove);
    w.answered(65).await;
    let f = w.fake.clone();
    eventually(10, "the card is deleted", || {
        !f.seen("DELETE", &format!("/channels/{LESSONS}/messages/5000"))
            .is_empty()
    })
    .await;
    let _ = w.stop.send(true);
}

async fn guidance_and_reconciliation(db: TestDb) {
    // Start with the Pro Lounge role above the bot's own role.
    let w = World::start(&db, |f| {
        f.set_role_position(PRO_ROLE, 6);
        f.join(600, &[]);
        f.join(601, &[PRO_ROLE]);
    })
    .await;
    let f = w.fake.clone();
    eventually(10, "the admin is told at start", || {
        !f.seen("POST", &format!("/channels/{ALERTS}/messages")).is_empty()
    })
    .await;
    let alert = &w.fake.seen("POST", &format!("/channels/{ALERTS}/messages"))[0].body;
    let text = alert["content"].as_str().unwrap();
    assert!(text.contains("\"Lyceum\" above \"Pro Lounge\""), "{text}");

    // A grant that hits the broken hierarchy keeps waiting in the outbox.
    w.admin("/grant discord:600 pro 30").await;
    let f = w.fake.clone();
    eventually(10, "the forbidden grant is tried", || {
        !f.seen("PUT", &format!("/members/600/roles/{PRO_ROLE}"))
            .is_empty()
    })
    .await;
    assert!(!w.roles(600).contains(&PRO_ROLE));
    assert_eq!(
        w.fake.seen("POST", &format!("/channels/{ALERTS}/messages")).len(),
        1,
        "the same problem is not posted again within the hour"
    );
    // Once the admin moves the role, the retry lands.
    w.fake.set_role_position(PRO_ROLE, 2);
    let f = w.fake.clone();
    eventually(15, "the retried grant lands", || {
        f.roles_of(600).is_some_and(|r| r.contains(&PRO_ROLE))
    })
    .await;

    // Reconciliation: 601 holds Pro Lounge without paying; 600 lost a role by hand.
    w.fake.join(600, &[PRO_ROLE]);
    let http = lyceum_discord::http(&options(&w.base));
    let report =
        lyceum_discord::reconcile::run(&http, &w.core, &bindings(), &lyceum_discord::reconcile::pacer())
            .await;
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(report.added, vec![(GUILD, 600, COMMUNITY_ROLE)]);
    assert_eq!(report.removed, vec![(GUILD, 601, PRO_ROLE)]);
    assert_eq!(w.roles(601), Vec::<u64>::new());
    assert_eq!(w.roles(600), vec![COMMUNITY_ROLE, PRO_ROLE]);
    let again =
        lyceum_discord::reconcile::run(&http, &w.core, &bindings(), &lyceum_discord::reconcile::pacer())
            .await;
    assert!(again.added.is_empty() && again.removed.is_empty(), "{again:?}");
    let _ = w.stop.send(true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_roles_rejoin_and_rate_limits() {
    for db in TestDb::all().await {
        commands_and_roles(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_guidance_and_role_reconciliation() {
    for db in TestDb::all().await {
        guidance_and_reconciliation(db).await;
    }
}

/// `lyceum run` with a Discord token serves the catalogue and moves roles.
async fn through_the_binary(db: TestDb) {
    let fake = FakeDiscord::default();
    let base = fake.start().await;
    fake.join(555, &[]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lyceum.toml");
    let discord = format!("[discord]\napplication_id = {APP}\napi_proxy = \"{base}\"\n");
    let text = format!(
        "{}\n[[discord.guilds]]\nguild_id = {GUILD}\ncommunity = \"demo\"\n\
         roles = {{ community-chat = {COMMUNITY_ROLE}, pro-lounge = {PRO_ROLE} }}\n",
        settings::BUILTIN.replacen("[discord]\n", &discord, 1)
    );
    std::fs::write(&config, text).unwrap();
    let config = config.to_str().unwrap().to_owned();
    let mut cmd = support::lyceum(&db.url);
    cmd.env("LYCEUM__DISCORD__TOKEN", "fake-token")
        .args(["--config", &config, "run"]);
    let server = support::Running::start(cmd, false);
    let f = fake.clone();
    eventually(30, "the binary connects and registers commands", || {
        f.connected() && !f.seen("PUT", "/commands").is_empty()
    })
    .await;
    fake.command(9, 555, "zh-CN", "tiers", json!([]));
    let f = fake.clone();
    eventually(10, "the binary answers the interaction", || {
        !f.seen("POST", "/interactions/9/").is_empty()
    })
    .await;
    let answer = &fake.seen("POST", "/interactions/9/")[0].body;
    assert!(
        answer["data"]["content"].as_str().unwrap().contains("专业版"),
        "{answer}"
    );

    // An admin grant from the console reaches Discord through the running bot.
    let out = support::run_with_input(
        support::lyceum(&db.url),
        &["--config", &config, "console", "--as", "admin"],
        "/grant discord:555 pro 30\n",
    );
    assert!(out.status.success(), "{}", support::stderr(&out));
    let f = fake.clone();
    eventually(20, "the role reaches Discord", || {
        f.roles_of(555).is_some_and(|r| r.contains(&PRO_ROLE))
    })
    .await;
    let status = server.stop();
    assert!(status.success(), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lesson_cards_post_edit_remove_and_unlock_by_button() {
    for db in TestDb::all().await {
        lesson_cards_and_buttons(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lyceum_run_serves_discord() {
    for db in TestDb::all().await {
        through_the_binary(db).await;
    }
}
