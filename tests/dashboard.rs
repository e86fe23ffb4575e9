//! The dashboard over HTTP: signing in with one-time links (valid, expired,
//! reused, forged, non-admin), the session cookie, CSRF on forms, and every
//! page rendering with seeded data, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::Reply;
use lyceum_core::clock::Clock;
use lyceum_core::domain::Locale;
use lyceum_core::signin::SignInLinks;
use support::TestDb;
use support::stripe as fake;
use support::world::{DASHBOARD, World};

struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The session cookie's value, from Set-Cookie.
    fn session(&self) -> String {
        let set = self.header("set-cookie").unwrap_or_default();
        let pair = set.split(';').next().unwrap_or_default();
        pair.strip_prefix("lyceum_session=")
            .unwrap_or_default()
            .to_owned()
    }

    /// The CSRF token a page's forms carry.
    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").unwrap() + 19;
        self.body[at..at + 64].to_owned()
    }
}

/// One request, without following redirects.
async fn request(method: &'static str, url: String, cookie: Option<String>, form: Option<String>) -> Got {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let cookie = cookie.map(|c| format!("lyceum_session={c}"));
        let mut res = if method == "POST" {
            let mut req = agent
                .post(&url)
                .header("Content-Type", "application/x-www-form-urlencoded");
            if let Some(c) = &cookie {
                req = req.header("Cookie", c);
            }
            req.send(form.unwrap_or_default().as_bytes()).unwrap()
        } else {
            let mut req = agent.get(&url);
            if let Some(c) = &cookie {
                req = req.header("Cookie", c);
            }
            req.call().unwrap()
        };
        let headers = res
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        Got {
            status: res.status().as_u16(),
            headers,
            body: res.body_mut().read_to_string().unwrap(),
        }
    })
    .await
    .unwrap()
}

async fn get(url: String, cookie: Option<&str>) -> Got {
    request("GET", url, cookie.map(str::to_owned), None).await
}

/// The link an admin's /dashboard gives, moved onto the test server.
async fn link(w: &World, base: &str) -> String {
    let out = w.say("console:admin", "/dashboard").await;
    let Reply::DashboardLink { url, minutes } = out.reply else {
        panic!("no link: {}", out.text());
    };
    assert_eq!(minutes, 10);
    assert!(
        url.starts_with(&format!("{DASHBOARD}/dashboard/sign-in?t=")),
        "{url}"
    );
    url.replace(DASHBOARD, base)
}

async fn seed(w: &World) {
    w.say("console:alice", "/join").await;
    w.say("console:bob", "/join").await;
    w.say("console:admin", "/grant console:alice pro 30").await;
    w.say("console:admin", "/award console:bob 40 great answer").await;
    let bob = w.view("console:bob").await.id;
    let sale = fake::checkout_payment("cs_x", bob, "rust-course", "cus_bob", "pi_x", 9900);
    w.webhook("checkout.session.completed", sale).await;
    w.say(
        "console:admin",
        "/lesson post intro points=5 Getting started | Read me first.",
    )
    .await;
}

async fn signing_in(db: TestDb) {
    let w = World::new(&db).await;
    seed(&w).await;
    let base = support::serve(w.core.clone()).await;
    let b = db.backend;

    let url = link(&w, &base).await;
    let first = get(url.clone(), None).await;
    assert_eq!(first.status, 303, "{b}: {}", first.body);
    assert_eq!(first.header("location"), Some("/dashboard/demo"));
    let set = first.header("set-cookie").unwrap().to_owned();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/dashboard", "Max-Age=28800"] {
        assert!(set.contains(part), "{b}: {set}");
    }
    assert!(!set.contains("Secure"), "{b}: plain http must not mark it Secure");
    let cookie = first.session();
    assert_eq!(cookie.len(), 64);

    let again = get(url, None).await;
    assert_eq!(again.status, 403, "{b}");
    assert!(again.body.contains("already used"), "{b}: {}", again.body);
    assert!(again.header("set-cookie").is_none());

    // Every page renders with the seeded data.
    let page = async |path: &str| {
        let got = get(format!("{base}/dashboard/demo{path}"), Some(&cookie)).await;
        assert_eq!(got.status, 200, "{b} {path}: {}", got.body);
        got
    };
    let overview = page("").await;
    for want in [
        "MRR",
        "Churn, 30 days",
        "Trial conversion",
        "<svg",
        "Retention L(k)",
        "A(t)",
    ] {
        assert!(overview.body.contains(want), "{b}: overview lacks {want}");
    }
    assert_eq!(overview.header("cache-control"), Some("no-store"));
    assert_eq!(overview.header("x-frame-options"), Some("DENY"));
    assert!(
        overview
            .header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    let members = page("/members").await;
    assert!(members.body.contains("console:alice") && members.body.contains("console:bob"));
    let found = page("/members?q=alice").await;
    assert!(
        found.body.contains("console:alice") && !found.body.contains("console:bob"),
        "{b}"
    );
    let alice = w.view("console:alice").await.id;
    let detail = page(&format!("/members/{alice}")).await;
    assert!(
        detail.body.contains("admin_grant") || detail.body.contains("grant"),
        "{b}: {}",
        detail.body
    );
    // Dates read as they do in chat, in the community's zone.
    let until = w.view("console:alice").await.access_until.unwrap();
    let until = chrono::DateTime::parse_from_rfc3339(&until).unwrap().timestamp();
    let day = lyceum_core::clock::human_date(until, lyceum_core::domain::Locale::En, chrono_tz::UTC);
    assert!(detail.body.contains(&day), "{b}: no {day} in {}", detail.body);
    assert!(!detail.body.contains(":00Z"), "{b}: an RFC 3339 date on the page");
    let bob = w.view("console:bob").await.id;
    let bobs = page(&format!("/members/{bob}")).await;
    assert!(bobs.body.contains("great answer"), "{b}: bob's points say why");
    let missing = get(format!("{base}/dashboard/demo/members/999999"), Some(&cookie)).await;
    assert_eq!(missing.status, 404, "{b}");
    assert!(page("/revenue").await.body.contains("99.00 USD"), "{b}");
    assert!(page("/leaderboard").await.body.contains("40"), "{b}");
    assert!(page("/leaderboard?board=week").await.body.contains("week"), "{b}");
    w.say("console:bob", "/unlock intro points").await;
    w.say("console:bob", "/unlock intro").await;
    w.say("console:bob", "/complete intro").await;
    let stats = w.core.lesson_stats("demo").await.unwrap();
    let intro = stats.iter().find(|l| l.key == "intro").unwrap();
    // Shown once as the unlock's reply and once read again.
    assert_eq!(
        (intro.views, intro.unlocks, intro.sales, intro.completions),
        (2, 1, 0, 1),
        "{b}"
    );
    let lessons = page("/lessons").await.body;
    assert!(
        lessons.contains("Getting started") && lessons.contains("<td>2</td>"),
        "{b}"
    );
    let audit = page("/audit").await;
    assert!(
        audit.body.contains("/grant") && audit.body.contains("/dashboard"),
        "{b}"
    );
    assert!(page("/exports").await.body.contains("members.csv"), "{b}");
    let csv = page("/export/members").await;
    assert!(csv.body.starts_with("member,identities,tier,status"), "{b}");
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let none = get(format!("{base}/dashboard/demo/export/secrets"), Some(&cookie)).await;
    assert_eq!(none.status, 404, "{b}");

    // Privacy requests from the member page: a download, and erasure
    // behind the CSRF token and a confirmation.
    assert!(
        bobs.body
            .contains(&format!("/dashboard/demo/members/{bob}/erase")),
        "{b}"
    );
    let data = page(&format!("/members/{bob}/data")).await;
    assert!(
        data.body.contains("great answer") && data.body.contains("\"bob\""),
        "{b}"
    );
    let erase = format!("{base}/dashboard/demo/members/{bob}/erase");
    let c = Some(cookie.clone());
    let forged = request("POST", erase.clone(), c.clone(), Some("confirm=yes".into())).await;
    assert_eq!(forged.status, 403, "{b}");
    let token = bobs.csrf();
    let unsure = request("POST", erase.clone(), c.clone(), Some(format!("csrf={token}"))).await;
    assert_eq!(unsure.status, 400, "{b}");
    assert!(
        page("/members").await.body.contains("console:bob"),
        "{b}: nothing erased yet"
    );
    let gone = request("POST", erase, c, Some(format!("csrf={token}&confirm=yes"))).await;
    assert_eq!(gone.status, 200, "{b}: {}", gone.body);
    assert!(gone.body.contains("payment records stay"), "{b}: {}", gone.body);
    assert!(!page("/members").await.body.contains("console:bob"), "{b}");
    let audit = page("/audit").await;
    assert!(
        audit.body.contains("/privacy delete") && !audit.body.contains("console:bob"),
        "{b}"
    );

    // Signed in to one community only; no cookie, no pages.
    let other = get(format!("{base}/dashboard/elsewhere"), Some(&cookie)).await;
    assert_eq!(other.status, 403, "{b}");
    let anonymous = get(format!("{base}/dashboard/demo"), None).await;
    assert_eq!(anonymous.status, 403, "{b}");
    assert!(anonymous.body.contains("Please sign in"), "{b}");
    let made_up = get(format!("{base}/dashboard/demo"), Some(&"0".repeat(64))).await;
    assert_eq!(made_up.status, 403, "{b}");

    // Signing out is a form: without this session's token it is refused.
    let out = format!("{base}/dashboard/sign-out");
    let c = Some(cookie.clone());
    let bare = request("POST", out.clone(), c.clone(), Some(String::new())).await;
    assert_eq!(bare.status, 403, "{b}");
    assert!(bare.body.contains("form has expired"), "{b}");
    let wrong = request(
        "POST",
        out.clone(),
        c.clone(),
        Some(format!("csrf={}", "a".repeat(64))),
    )
    .await;
    assert_eq!(wrong.status, 403, "{b}");
    assert_eq!(page("").await.status, 200, "{b}: still signed in");
    let token = overview.csrf();
    let done = request("POST", out, c, Some(format!("csrf={token}"))).await;
    assert_eq!(done.status, 200, "{b}: {}", done.body);
    let after = get(format!("{base}/dashboard/demo"), Some(&cookie)).await;
    assert_eq!(after.status, 403, "{b}: the session ended");
}

async fn refusing(db: TestDb) {
    let w = World::new(&db).await;
    w.say("console:alice", "/join").await;
    let base = support::serve(w.core.clone()).await;
    let b = db.backend;

    // Expired: ten minutes and one second later.
    let url = link(&w, &base).await;
    w.clock.advance(601);
    let late = get(url, None).await;
    assert_eq!(late.status, 403, "{b}");
    assert!(late.body.contains("expired"), "{b}: {}", late.body);

    // Forged: signed with another key, or with a changed payload.
    let other = SignInLinks::new(&base, b"some other secret, not the server's");
    let foreign = other.issue("demo", "console:admin", true, w.clock.now());
    let forged = get(foreign, None).await;
    assert_eq!(forged.status, 403, "{b}");
    assert!(forged.body.contains("not valid"), "{b}");
    let url = link(&w, &base).await;
    let tampered = get(format!("{url}00"), None).await;
    assert_eq!(tampered.status, 403, "{b}");
    let junk = get(format!("{base}/dashboard/sign-in?t=nonsense"), None).await;
    assert_eq!(junk.status, 403, "{b}");
    let empty = get(format!("{base}/dashboard/sign-in"), None).await;
    assert_eq!(empty.status, 403, "{b}");

    // Non-admins: /dashboard is refused in chat, and an operator's link
    // for them opens nothing.
    let said = w.say("console:alice", "/dashboard").await;
    assert!(matches!(said.reply, Reply::Refused(_)), "{b}: {}", said.text());
    let theirs = w
        .core
        .dashboard_link("demo", &"console:alice".parse().unwrap())
        .await
        .unwrap()
        .replace(DASHBOARD, &base);
    let refused = get(theirs, None).await;
    assert_eq!(refused.status, 403, "{b}");
    assert!(refused.body.contains("Only admins"), "{b}");
    assert!(refused.header("set-cookie").is_none(), "{b}");
    // The operator's link for an admin works like the chat's.
    let admins = w
        .core
        .dashboard_link("demo", &"console:admin".parse().unwrap())
        .await
        .unwrap()
        .replace(DASHBOARD, &base);
    assert_eq!(get(admins, None).await.status, 303, "{b}");
}

/// Pages speak the community's language.
async fn chinese(db: TestDb) {
    let w = World::with(&db, |c| c.default_locale = Locale::ZhCn).await;
    seed(&w).await;
    let base = support::serve(w.core.clone()).await;
    let b = db.backend;
    let cookie = get(link(&w, &base).await, None).await.session();
    let overview = get(format!("{base}/dashboard/demo"), Some(&cookie)).await;
    assert_eq!(overview.status, 200, "{b}");
    for want in [
        "lang=\"zh-CN\"",
        "概览",
        "月经常性收入",
        "30 天流失率",
        "按首次获得权限月份的留存",
        "退出登录",
    ] {
        assert!(overview.body.contains(want), "{b}: overview lacks {want}");
    }
    let members = get(format!("{base}/dashboard/demo/members"), Some(&cookie)).await;
    assert!(
        members.body.contains("访问截止") && members.body.contains("找到 2 个"),
        "{b}"
    );
    let audit = get(format!("{base}/dashboard/demo/audit"), Some(&cookie)).await;
    assert!(audit.body.contains("<th>操作人</th>"), "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_speak_the_community_language() {
    for db in TestDb::all().await {
        chinese(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_pages_and_sign_out() {
    for db in TestDb::all().await {
        signing_in(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_forged_and_non_admin_links_are_refused() {
    for db in TestDb::all().await {
        refusing(db).await;
    }
}
