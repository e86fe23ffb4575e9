//! A stranger with only a link joins through the binary: the public page in
//! Chinese, "Continue with Discord" through the strict fake's OAuth2 consent
//! page, a Stripe checkout paid on the fake's hosted page (which sends the
//! signed webhooks), a success page that follows the purchase, and the bot
//! adding the buyer to the guild with the paid role using the token they
//! lent. Then what must not happen: paying twice, replaying a sign-in,
//! forms without their token, and the lent token outliving its use.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::entity::join_token;
use sea_orm::EntityTrait;
use support::discord::GUILD;
use support::discord_oauth::CLIENT_SECRET;
use support::join_stage::{CHAT_ROLE, PRO_ROLE, Platforms, Stage, TOKEN_KEY, stage};
use support::stripe as fake_stripe;
use support::stripe_page::now;
use support::visitor::{Visitor, field};
use support::{TestDb, eventually};

const BUYER: u64 = 555;
const DISCORD: Platforms = Platforms {
    discord: true,
    telegram: false,
};

/// Signs `v` in with Discord from the join page at `join` (its path and
/// query), through the page's own button, approving or refusing on the
/// consent page; the answer of the callback.
fn sign_in(s: &Stage, v: &mut Visitor, join: &str, approve: bool) -> support::visitor::Answer {
    let page = v.get(&format!("{}{join}", s.public));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("使用 Discord 继续"), "{}", page.body);
    let at = page.body.find("href=\"/auth/discord?").unwrap() + "href=\"".len();
    let href: String = page.body[at..].chars().take_while(|c| *c != '"').collect();
    let start = format!("{}{}", s.public, href.replace("&#38;", "&"));
    let to_discord = v.get(&start);
    assert_eq!(to_discord.status, 303, "{}", to_discord.body);
    let (_, oauth_cookie) = v.cookies.get("lyceum_oauth").cloned().unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/auth/discord"] {
        assert!(oauth_cookie.contains(attribute), "{oauth_cookie}");
    }
    let consent_url = to_discord.location.unwrap();
    assert!(
        consent_url.contains("scope=identify+guilds.join"),
        "{consent_url}"
    );
    let consent = v.get(&consent_url);
    assert_eq!(consent.status, 200, "{}", consent.body);
    let answer = if approve { "yes" } else { "no" };
    let back = v.post(&consent_url, &[("authorize", answer)]);
    assert_eq!(back.status, 303, "{}", back.body);
    let callback = back.location.unwrap();
    assert!(
        callback.starts_with(&format!("{}/auth/discord/callback?", s.public)),
        "{callback}"
    );
    let answered = v.get(&callback);
    assert_eq!(answered.status, 303, "{}", answered.body);
    // The round trip is spent whatever its outcome: replayed, it is refused.
    assert_eq!(v.get(&callback).status, 403);
    answered
}

/// The subscription the hosted page started for checkout `session`, as
/// Stripe sends it once canceled now.
fn ended_subscription(member: &str, session: &str) -> serde_json::Value {
    let (sub_id, customer) = (format!("sub_{session}"), format!("cus_{session}"));
    let t = now();
    fake_stripe::subscription(&fake_stripe::Sub {
        id: &sub_id,
        customer: &customer,
        status: "canceled",
        price: "price_demo_pro_monthly",
        period_end: t,
        cancel_at_period_end: false,
        ended_at: Some(t),
        member: Some(member.parse().unwrap()),
        offer: Some("pro-monthly"),
        start: t - 60,
    })
}

/// Points credited for referrals, in all.
async fn referral_points(db: &TestDb) -> i64 {
    use lyceum_core::entity::kinds::LedgerSource;
    use lyceum_core::entity::ledger;
    use sea_orm::{ColumnTrait, QueryFilter};
    let conn = lyceum::db::connect(&db.url).await.unwrap();
    let rows = ledger::Entity::find()
        .filter(ledger::Column::Source.eq(LedgerSource::Referral))
        .all(&conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows.iter().map(|r| r.delta).sum()
}

async fn lent_tokens(db: &TestDb) -> Vec<join_token::Model> {
    let conn = lyceum::db::connect(&db.url).await.unwrap();
    let rows = join_token::Entity::find().all(&conn).await.unwrap();
    conn.close().await.unwrap();
    rows
}

async fn stranger_joins_with_discord_and_pays(db: TestDb) {
    let s = stage(&db, DISCORD).await;
    s.discord.oauth.sign_in_as(BUYER, "zh-CN");
    let mut v = Visitor::new("zh-CN,zh;q=0.9,en;q=0.5");

    // The page in Chinese links each price to its join page.
    let home = v.get(&format!("{}/c/demo", s.public));
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("/c/demo/join/pro-monthly?lang=zh-CN"),
        "{}",
        home.body
    );

    // Signing in opens a session for the page and comes back to the offer.
    // Bob's invitation link: the code rides through the sign-in.
    let invited = format!("/c/demo/join/pro-monthly?lang=zh-CN&ref={}", s.code);
    let signed = sign_in(&s, &mut v, &invited, true);
    assert_eq!(signed.location.as_deref(), Some(invited.as_str()));
    let (_, member_cookie) = v.cookies.get("lyceum_member").cloned().unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(member_cookie.contains(attribute), "{member_cookie}");
    }
    let lent = lent_tokens(&db).await;
    assert_eq!(lent.len(), 1, "the token is kept until it is used");
    assert!(!lent[0].sealed.contains("access"), "the token is sealed at rest");

    let page = v.get(&format!("{}{invited}", s.public));
    assert!(page.body.contains("已通过 Discord 登录"), "{}", page.body);
    assert_eq!(field(&page.body, "ref").as_deref(), Some(s.code.as_str()));
    assert_eq!(
        page.headers.get("cache-control").map(String::as_str),
        Some("no-store")
    );
    let csrf = field(&page.body, "csrf").unwrap();

    // Before paying: the lesson page shows the ways in, never the body.
    let locked = v.get(&format!("{}/c/demo/read/intro?lang=zh-CN", s.public));
    assert_eq!(locked.status, 200, "{}", locked.body);
    assert!(!locked.body.contains("SECRET-BODY-MARKER"), "{}", locked.body);
    assert!(
        locked.body.contains("专业版"),
        "the way in names the tier: {}",
        locked.body
    );
    let mut stranger = Visitor::new("zh-CN");
    let unsigned = stranger.get(&format!("{}/c/demo/read/intro?lang=zh-CN", s.public));
    assert!(!unsigned.body.contains("SECRET-BODY-MARKER"));
    assert!(
        unsigned.body.contains("/auth/discord?c=demo&#38;l=intro"),
        "{}",
        unsigned.body
    );

    // A form without its token changes nothing.
    let forged = v.post(
        &format!("{}/c/demo/checkout", s.public),
        &[("csrf", "0"), ("offer", "pro-monthly"), ("lang", "zh-CN")],
    );
    assert_eq!(forged.status, 403);
    assert!(s.stripe.requests("/v1/checkout/sessions").is_empty());

    // Paying goes to Stripe with the chat checkout's metadata contract and
    // the web's way back.
    let pay = v.post(
        &format!("{}/c/demo/checkout", s.public),
        &[
            ("csrf", &csrf),
            ("offer", "pro-monthly"),
            ("lang", "zh-CN"),
            ("ref", &s.code),
        ],
    );
    assert_eq!(pay.status, 303, "{}", pay.body);
    let pay_page = pay.location.unwrap();
    let sessions = s.stripe.requests("/v1/checkout/sessions");
    assert_eq!(sessions.len(), 1);
    let form = &sessions[0].form;
    assert_eq!(form["metadata[lyceum_community]"], "demo");
    assert_eq!(form["metadata[lyceum_offer]"], "pro-monthly");
    assert_eq!(form["mode"], "subscription");
    assert_eq!(form["locale"], "zh");
    assert_eq!(
        form["success_url"],
        format!("{}/c/demo/welcome/pro-monthly?lang=zh-CN", s.public)
    );
    assert!(form["cancel_url"].ends_with(&format!(
        "/c/demo/join/pro-monthly?lang=zh-CN&ref={}&canceled=1",
        s.code
    )));

    // Before the payment the success page waits, and says so.
    let waiting = v.get(&form["success_url"]);
    assert!(waiting.body.contains("正在等待付款确认"), "{}", waiting.body);
    assert!(waiting.body.contains("data-follow="));

    // Paid on Stripe's page: the webhooks reach the bot, the buyer lands on
    // the success page, and the bot adds them to the guild with the role.
    assert_eq!(v.get(&pay_page).status, 200);
    let paid = v.post(&pay_page, &[("action", "pay")]);
    assert_eq!(paid.status, 303, "{}", paid.body);
    assert_eq!(paid.location.as_deref(), Some(form["success_url"].as_str()));
    let d = s.discord.clone();
    eventually(30, "the buyer is in the guild with the paid role", || {
        d.roles_of(BUYER)
            .is_some_and(|r| r.contains(&PRO_ROLE) && r.contains(&CHAT_ROLE))
    })
    .await;
    let added = s.discord.seen("PUT", &format!("/guilds/{GUILD}/members/{BUYER}"));
    let joins: Vec<_> = added.iter().filter(|r| !r.path.contains("/roles/")).collect();
    assert_eq!(joins.len(), 1, "{}", s.discord.log());
    assert!(
        joins[0].body["access_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("access"))
    );

    let url = form["success_url"].clone();
    let ready = v
        .get_until(&url, |b| b.contains("role=\"status\">权益已开通。"))
        .await;
    assert!(ready.contains("role=\"status\">权益已开通。"), "{ready}");
    assert!(
        ready.contains(&format!("https://discord.com/channels/{GUILD}")),
        "{ready}"
    );
    assert!(!ready.contains("data-follow="), "a finished page stops reloading");
    assert!(lent_tokens(&db).await.is_empty(), "a used token is deleted");
    // Bob is credited for the buyer's first payment, as after /join CODE.
    assert_eq!(referral_points(&db).await, 100);

    // Paid up: the lesson reads on the web, rendered and sanitized, and
    // completing it there counts as in chat.
    let read_url = format!("{}/c/demo/read/intro?lang=zh-CN", s.public);
    let lesson = v.get(&read_url);
    assert!(
        lesson
            .body
            .contains("<strong>Bold move</strong> SECRET-BODY-MARKER"),
        "{}",
        lesson.body
    );
    assert!(!lesson.body.contains("<script>alert"), "{}", lesson.body);
    let csrf_read = field(&lesson.body, "csrf").unwrap();
    let done = v.post(
        &format!("{}/c/demo/read/intro/complete", s.public),
        &[("csrf", &csrf_read), ("lang", "zh-CN")],
    );
    assert_eq!(
        done.location.as_deref(),
        Some("/c/demo/read/intro?lang=zh-CN&done=1")
    );
    let after = v.get(&read_url);
    assert!(after.body.contains("你已完成本课"), "{}", after.body);

    // In the server, /unlock offers the same lesson on the web.
    s.discord.command(
        41,
        BUYER,
        "zh-CN",
        "unlock",
        serde_json::json!([{"name": "lesson", "type": 3, "value": "intro"}]),
    );
    let d = s.discord.clone();
    let link = format!("{}/c/demo/read/intro", s.public);
    eventually(10, "/unlock answers with the web link", || {
        d.seen("POST", "/interactions/41/")
            .iter()
            .chain(d.seen("PATCH", "/messages/@original").iter())
            .any(|r| r.body.to_string().contains(&link))
    })
    .await;

    // Asking again: told they have it, and never sent to pay twice.
    let again = v.get(&format!("{}/c/demo/join/pro-monthly?lang=zh-CN", s.public));
    assert!(again.body.contains("你已经拥有这项权益"), "{}", again.body);
    let twice = v.post(
        &format!("{}/c/demo/checkout", s.public),
        &[("csrf", &csrf), ("offer", "pro-monthly"), ("lang", "zh-CN")],
    );
    assert_eq!(twice.status, 200, "{:?}", twice.location);
    assert_eq!(s.stripe.requests("/v1/checkout/sessions").len(), 1);

    // The subscription ends: reading on the web stops at once.
    let session_id = pay_page.rsplit('/').next().unwrap().to_owned();
    let sub = ended_subscription(&form["metadata[lyceum_member]"], &session_id);
    // Stripe dates the hosted page's events a second apart; this one follows.
    let ended = fake_stripe::event("evt_end", "customer.subscription.deleted", now() + 10, sub);
    assert_eq!(
        fake_stripe::deliver(&format!("{}/webhooks/stripe", s.public), &ended).0,
        200
    );
    assert!(
        fake_stripe::outcome_of(&db.url, "evt_end")
            .await
            .starts_with("applied")
    );
    let gone = v
        .get_until(&read_url, |b| !b.contains("SECRET-BODY-MARKER"))
        .await;
    assert!(!gone.contains("SECRET-BODY-MARKER"), "{gone}");

    assert!(s.discord.take_refusals().is_empty());
    assert!(
        s.discord.oauth.refusals().is_empty(),
        "{:?}",
        s.discord.oauth.refusals()
    );
    assert!(s.stripe.take_refusals().is_empty());
    let log = s.server.log.lock().clone();
    for secret in [CLIENT_SECRET, TOKEN_KEY, "access1", "access2", "code1"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    assert!(s.server.stop().success());
}

async fn refusing_consent_or_replaying_a_sign_in_changes_nothing(db: TestDb) {
    let s = stage(&db, DISCORD).await;
    s.discord.oauth.sign_in_as(BUYER, "en-US");
    let mut v = Visitor::new("en");
    let denied = sign_in(&s, &mut v, "/c/demo/join/pro-monthly?lang=zh-CN", false);
    assert_eq!(
        denied.location.as_deref(),
        Some("/c/demo/join/pro-monthly?lang=zh-CN&denied=1")
    );
    assert!(!v.cookies.contains_key("lyceum_member"));
    assert!(lent_tokens(&db).await.is_empty());

    // A callback this browser did not start is refused outright.
    let mut stranger = Visitor::new("en");
    let forged = stranger.get(&format!(
        "{}/auth/discord/callback?code=code1&state=abc",
        s.public
    ));
    assert_eq!(forged.status, 403);

    // A state that does not match the browser's round trip is spent and
    // sends the visitor back to start again.
    let start = v.get(&format!("{}/auth/discord?c=demo&o=pro-monthly&lang=en", s.public));
    let consent_url = start.location.unwrap();
    let back = v.post(&consent_url, &[("authorize", "yes")]);
    let callback = back.location.unwrap();
    let tampered = callback.replace("state=", "state=x");
    let answer = v.get(&tampered);
    assert_eq!(
        answer.location.as_deref(),
        Some("/c/demo/join/pro-monthly?lang=en&expired=1")
    );
    assert!(!v.cookies.contains_key("lyceum_member"));
    assert!(s.server.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_joins_with_discord_and_pays() {
    for db in TestDb::all().await {
        stranger_joins_with_discord_and_pays(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_and_replayed_sign_ins_change_nothing() {
    for db in TestDb::all().await {
        refusing_consent_or_replaying_a_sign_in_changes_nothing(db).await;
    }
}
