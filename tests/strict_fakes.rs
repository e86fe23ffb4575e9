//! The fakes refuse what the real platforms refuse: a known-bad request
//! through each of them is answered with the platform's error and named,
//! with its field and rule, in the refusals that would fail its test.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use support::discord::{APP, FakeDiscord, GUILD};
use support::spec::{self, Refusal};
use support::stripe::FakeStripe;
use support::telegram::{FakeBotApi, TOKEN};

/// Runs `send` off the runtime (ureq blocks); the status it got.
async fn blocking(send: impl FnOnce() -> u16 + Send + 'static) -> u16 {
    tokio::task::spawn_blocking(send).await.unwrap()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post_json(url: String, body: Value) -> impl FnOnce() -> u16 {
    move || {
        agent()
            .post(&url)
            .content_type("application/json")
            .send(body.to_string())
            .unwrap()
            .status()
            .as_u16()
    }
}

/// A form posted with `key` as the bearer, as Stripe's clients send it.
fn post_form_as(url: String, form: &'static str, key: Option<&'static str>) -> impl FnOnce() -> u16 {
    move || {
        let mut req = agent()
            .post(&url)
            .content_type("application/x-www-form-urlencoded");
        if let Some(key) = key {
            req = req.header("Authorization", format!("Bearer {key}"));
        }
        req.send(form).unwrap().status().as_u16()
    }
}

/// The one refusal taken, checked to name `field` and a rule containing `rule`.
fn refused(mut taken: Vec<Refusal>, endpoint: &str, field: &str, rule: &str) {
    assert_eq!(taken.len(), 1, "{taken:#?}");
    let r = taken.remove(0);
    assert!(r.endpoint.contains(endpoint), "{r}");
    assert!(
        r.problems
            .iter()
            .any(|p| p.at.contains(field) && p.rule.contains(rule)),
        "expected {field}: …{rule}… in {r}"
    );
}

/// A request the fake answered with a 400 or 404 and refused once.
fn answered_with_refusal(status: u16, what: &str, taken: Vec<Refusal>, field: &str, rule: &str) {
    assert!(status == 400 || status == 404, "{what}: {status}");
    refused(taken, "", field, rule);
}

fn specs_present() -> bool {
    if spec::dir().is_none() {
        println!("skip: no platform specs, nothing to check the fakes against");
        return false;
    }
    true
}

#[tokio::test(flavor = "multi_thread")]
async fn discord_refuses_what_discord_refuses() {
    if !specs_present() {
        return;
    }
    let fake = FakeDiscord::default();
    let base = fake.start().await;

    // The registration Lyceum once sent: an integer bound past 2^53 − 1,
    // through serenity, is refused whole.
    let http = serenity::all::HttpBuilder::new("Bot x")
        .proxy(base.clone())
        .ratelimiter_disabled(true)
        .application_id(serenity::all::ApplicationId::new(APP))
        .build();
    let option =
        serenity::all::CreateCommandOption::new(serenity::all::CommandOptionType::Integer, "n", "A number")
            .max_int_value(u64::MAX >> 1);
    let cmd = serenity::all::CreateCommand::new("answer")
        .description("Answer")
        .add_option(option);
    let err = serenity::all::GuildId::new(GUILD)
        .set_commands(&http, vec![cmd])
        .await;
    assert!(err.is_err(), "the bulk overwrite must fail");
    refused(
        fake.take_refusals(),
        "PUT /applications/{application_id}/guilds/{guild_id}/commands",
        "options[0].max_value",
        "2^53",
    );

    let api = format!("{base}/api/v10");
    let commands = format!("{api}/applications/{APP}/guilds/{GUILD}/commands");
    let cases: Vec<(String, Value, &str, &str)> = vec![
        (
            commands.clone(),
            json!({"name": "Tiers", "description": "x"}),
            "name",
            "lowercase",
        ),
        (
            commands.clone(),
            json!({"name": "tiers", "description": "x", "description_localizations": {"zh": "层级"}}),
            "description_localizations.zh",
            "not a Discord locale",
        ),
        (
            commands.clone(),
            json!({"name": "grant", "description": "x", "options": [
                {"type": 3, "name": "note", "description": "n"},
                {"type": 3, "name": "who", "description": "w", "required": true}]}),
            "options[1]",
            "before every optional",
        ),
        (
            commands.clone(),
            json!({"name": "tiers", "description": "x", "colour": 3}),
            "colour",
            "not a known field",
        ),
        (commands, json!({"description": "x"}), "name", "is required"),
        (
            format!("{api}/channels/700/messages"),
            json!({"content": "x".repeat(2001)}),
            "content",
            "2000",
        ),
        (
            format!("{api}/channels/700/messages"),
            json!({"tts": "yes"}),
            "tts",
            "type",
        ),
        (
            format!("{api}/channels/general/messages"),
            json!({"content": "hi"}),
            "channel_id",
            "must match",
        ),
        (format!("{api}/no/such/route"), json!({}), "", "no such endpoint"),
    ];
    for (url, body, field, rule) in cases {
        answered_with_refusal(
            blocking(post_json(url.clone(), body)).await,
            &url,
            fake.take_refusals(),
            field,
            rule,
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn telegram_refuses_what_the_bot_api_refuses() {
    if !specs_present() {
        return;
    }
    let fake = FakeBotApi::default();
    let url = format!("{}/bot{TOKEN}", fake.start().await);
    let two_actions =
        json!({"inline_keyboard": [[{"text": "Unlock", "callback_data": "u", "url": "https://x.test"}]]});
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "sendMessage",
            json!({"chat_id": 42, "text": ""}),
            "text",
            "1-4096",
        ),
        (
            "sendMessage",
            json!({"chat_id": 42, "text": "x".repeat(4097)}),
            "text",
            "1-4096",
        ),
        ("sendMessage", json!({"text": "hi"}), "chat_id", "is required"),
        (
            "sendMessage",
            json!({"chat_id": 42, "text": "hi", "colour": "red"}),
            "colour",
            "not a known field",
        ),
        (
            "sendMessage",
            json!({"chat_id": 42, "text": "hi", "reply_markup": two_actions}),
            "inline_keyboard[0][0]",
            "exactly one",
        ),
        (
            "sendMessage",
            json!({"chat_id": 42, "text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "y".repeat(65)}]]}}),
            "callback_data",
            "bytes",
        ),
        (
            "createChatInviteLink",
            json!({"chat_id": -1001, "creates_join_request": true, "member_limit": 1}),
            "member_limit",
            "creates_join_request",
        ),
        (
            "createInvoiceLink",
            json!({"title": "Pro", "description": "Pro", "payload": "p", "currency": "USD",
                   "prices": [{"label": "Pro", "amount": 100}], "subscription_period": 2592000}),
            "subscription_period",
            "XTR",
        ),
        (
            "setMyCommands",
            json!({"commands": [{"command": "Help", "description": "help"}]}),
            "command",
            "must match",
        ),
        (
            "sendMessageLater",
            json!({"chat_id": 42, "text": "hi"}),
            "",
            "no such method",
        ),
    ];
    for (method, body, field, rule) in cases {
        answered_with_refusal(
            blocking(post_json(format!("{url}/{method}"), body)).await,
            method,
            fake.take_refusals(),
            field,
            rule,
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn stripe_refuses_what_stripe_refuses() {
    if !specs_present() {
        return;
    }
    let fake = FakeStripe::default();
    let base = fake.start().await;
    // No key, or one Stripe does not know: 401 before anything is looked at.
    for key in [None, Some("sk_test_someone_else")] {
        let status = blocking(post_form_as(format!("{base}v1/coupons"), "duration=once", key)).await;
        assert_eq!(status, 401, "{key:?}");
    }
    let long = format!("metadata[note]={}", "x".repeat(501));
    let long: &'static str = Box::leak(long.into_boxed_str());
    let cases: Vec<(&str, &'static str, &str, &str)> = vec![
        (
            "v1/checkout/sessions",
            "mode=subscription&colour=red",
            "colour",
            "not a known field",
        ),
        ("v1/checkout/sessions", "mode=monthly", "mode", "must be one of"),
        (
            "v1/checkout/sessions",
            "line_items[0][quantity]=two",
            "quantity",
            "integer",
        ),
        ("v1/checkout/sessions", long, "metadata.note", "500"),
        (
            "v1/coupons",
            "duration=forever&percent_off=ten",
            "percent_off",
            "number",
        ),
        ("v1/promotion_codes", "code=SPRING", "promotion", "is required"),
        ("v1/nowhere", "a=b", "", "Unrecognized request URL"),
    ];
    for (path, form, field, rule) in cases {
        answered_with_refusal(
            blocking(post_form_as(
                format!("{base}{path}"),
                form,
                Some(support::stripe::SECRET_KEY),
            ))
            .await,
            path,
            fake.take_refusals(),
            field,
            rule,
        );
    }
}
