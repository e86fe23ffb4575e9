//! The public pages over HTTP, as a stranger with a link sees them: the
//! community page in the browser's language and by choice, the teaser pages
//! of courses and lessons (never a body), the link-preview card, unknown
//! addresses, escaping of creator text, and a lesson change showing at once
//! although pages are served from memory. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::Reply;
use lyceum_core::domain::LocalizedText;
use support::TestDb;
use support::world::World;

const BODY: &str = "The secret is the executor";

struct Got {
    status: u16,
    content_type: String,
    encoding: String,
    csp: String,
    body: Vec<u8>,
}

impl Got {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn get(url: String, language: Option<&'static str>) -> Got {
    get_with(url, language, "identity").await
}

async fn get_with(url: String, language: Option<&'static str>, encoding: &'static str) -> Got {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let mut req = agent.get(&url).header("Accept-Encoding", encoding);
        if let Some(l) = language {
            req = req.header("Accept-Language", l);
        }
        let mut res = req.call().unwrap();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (content_type, csp) = (header("content-type"), header("content-security-policy"));
        let encoding = header("content-encoding");
        Got {
            status: res.status().as_u16(),
            content_type,
            encoding,
            csp,
            body: res.body_mut().read_to_vec().unwrap(),
        }
    })
    .await
    .unwrap()
}

async fn seed(w: &World) {
    let posted = [
        format!("/lesson post intro tier=pro price=4.99 teaser=\"Why async?\" Getting started | {BODY}."),
        "/lesson post ch1 course=async-rust points=30 Pinning | Why a future must not move.".to_owned(),
    ];
    for line in posted {
        let out = w.say("console:admin", &line).await;
        assert!(
            !matches!(out.reply, Reply::Refused(_) | Reply::Internal),
            "{}",
            out.text()
        );
    }
    w.say("console:alice", "/join").await;
}

async fn browsing(db: TestDb) {
    let w = World::with(&db, |c| {
        c.page.tagline = Some(LocalizedText::Plain("<script>alert(1)</script> & friends".into()));
    })
    .await;
    seed(&w).await;
    let base = support::serve(w.core.clone()).await;
    let b = db.backend;

    // A Chinese browser gets Chinese, with the switch to English on it.
    let zh = get(format!("{base}/c/demo"), Some("zh-CN,zh;q=0.9,en;q=0.8")).await;
    let page = zh.text();
    assert_eq!(zh.status, 200, "{b}: {page}");
    assert!(zh.content_type.starts_with("text/html"), "{b}");
    assert!(page.contains("<html lang=\"zh-CN\">"), "{b}: {page}");
    assert!(page.contains("Lyceum 演示社群"), "{b}");
    assert!(
        page.contains("专业版") && page.contains("每月 15.00 USD"),
        "{b}: {page}"
    );
    assert!(page.contains("前 7 天免费"), "{b}: {page}");
    assert!(page.contains("或每月 250 Telegram Stars"), "{b}: {page}");
    assert!(page.contains("会员群聊"), "perk named by the page config; {b}");
    assert!(page.contains("付款后怎样进入社群？"), "{b}");
    assert!(page.contains("href=\"/c/demo?lang=en\""), "{b}: {page}");
    assert!(page.contains("<strong>1</strong> 位成员"), "{b}: {page}");
    assert!(page.contains("<strong>2</strong> 节课"), "{b}: {page}");
    // Link previews: title, description and an image.
    assert!(
        page.contains("<meta property=\"og:title\" content=\"Lyceum 演示社群\">"),
        "{b}"
    );
    assert!(
        page.contains("property=\"og:image\" content=\"/c/demo/card.png?lang=zh-CN\""),
        "{b}: {page}"
    );
    assert!(
        page.contains("name=\"twitter:card\" content=\"summary_large_image\""),
        "{b}"
    );

    // Creator text is text: the tagline's markup is escaped everywhere,
    // and no page carries script.
    assert!(!page.contains("<script"), "{b}: {page}");
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; friends"),
        "{b}: {page}"
    );
    assert!(
        zh.csp.contains("default-src 'none'") && !zh.csp.contains("script-src"),
        "{b}"
    );

    // The address's choice wins over the browser's.
    let en = get(format!("{base}/c/demo?lang=en"), Some("zh-CN")).await.text();
    assert!(
        en.contains("<html lang=\"en\">") && en.contains("Lyceum Demo"),
        "{b}"
    );
    assert!(
        en.contains("15.00 USD a month") && en.contains("first 7 days free"),
        "{b}: {en}"
    );
    // The same page, gzipped for a browser that takes it.
    let gz = get_with(format!("{base}/c/demo?lang=en"), None, "br, gzip;q=0.8").await;
    assert_eq!(gz.encoding, "gzip", "{b}");
    let mut unzipped = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz.body[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped, en, "{b}");
    assert!(
        gz.body.len() * 2 < en.len(),
        "{b}: {} of {}",
        gz.body.len(),
        en.len()
    );
    let refused = get_with(format!("{base}/c/demo?lang=en"), None, "gzip;q=0").await;
    assert_eq!(
        (refused.encoding.as_str(), refused.text()),
        ("", en.clone()),
        "{b}"
    );
    let robots = get(format!("{base}/robots.txt"), None).await.text();
    assert!(
        robots.contains("Allow: /c/") && robots.contains("Disallow: /\n"),
        "{b}"
    );
    // No language asked for: the community's own.
    let plain = get(format!("{base}/c/demo"), None).await.text();
    assert!(plain.contains("<html lang=\"en\">"), "{b}");

    // Teasers, never bodies, on every page a stranger can open.
    let lesson = get(format!("{base}/c/demo/lessons/intro?lang=en"), None).await;
    let text = lesson.text();
    assert_eq!(lesson.status, 200, "{b}: {text}");
    assert!(
        text.contains("Getting started") && text.contains("Why async?"),
        "{b}"
    );
    assert!(text.contains("Included in Pro and above"), "{b}: {text}");
    assert!(text.contains("On its own for 4.99 USD"), "{b}: {text}");
    let course = get(format!("{base}/c/demo/courses/async-rust?lang=en"), None)
        .await
        .text();
    assert!(
        course.contains("Pinning") && course.contains("For 30 points earned"),
        "{b}: {course}"
    );
    for page in [&page, &en, &text, &course] {
        assert!(
            !page.contains(BODY) && !page.contains("must not move"),
            "{b}: a body leaked"
        );
    }

    let card = get(format!("{base}/c/demo/card.png"), Some("zh-CN")).await;
    assert_eq!(card.status, 200, "{b}");
    assert_eq!(card.content_type, "image/png", "{b}");
    assert!(card.body.starts_with(b"\x89PNG\r\n\x1a\n"), "{b}");

    for missing in [
        "/c/nowhere",
        "/c/demo/lessons/nope",
        "/c/demo/courses/nope",
        "/c/nowhere/card.png",
    ] {
        let got = get(format!("{base}{missing}"), None).await;
        assert_eq!(got.status, 404, "{b}: {missing}");
        assert!(got.text().contains("There is no such page"), "{b}: {missing}");
    }

    // Served from memory, yet a lesson's change shows on the next visit.
    w.say(
        "console:admin",
        "/lesson edit intro title=\"Getting started, again\"",
    )
    .await;
    let again = get(format!("{base}/c/demo?lang=en"), None).await.text();
    assert!(again.contains("Getting started, again"), "{b}: {again}");
    w.say("console:admin", "/lesson remove intro").await;
    let gone = get(format!("{base}/c/demo/lessons/intro?lang=en"), None).await;
    assert_eq!(gone.status, 404, "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_see_the_offer_in_their_language_and_never_a_body() {
    for db in TestDb::all().await {
        browsing(db).await;
    }
}

/// A page that only grew old is served as it was while one refresh reads
/// the counts again behind it, and the next visits see the new count.
async fn aging(db: TestDb) {
    use lyceum_web::storefront::{PageCache, Storefronts, router};
    use std::sync::Arc;
    use std::time::Duration;

    let w = World::new(&db).await;
    w.say("console:alice", "/join").await;
    let ttl = Duration::from_millis(300);
    let store = Storefronts {
        core: w.core.clone(),
        public_url: "http://lyceum.test".into(),
        cache: Arc::new(PageCache::new(ttl)),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(store)).await });
    let b = db.backend;
    let page = format!("{base}/c/demo?lang=en");
    let members = |n: u32| format!("<strong>{n}</strong> member");

    let first = get(page.clone(), None).await.text();
    assert!(first.contains(&members(1)), "{b}: {first}");
    w.say("console:bob", "/join").await;
    tokio::time::sleep(ttl * 2).await;
    let old = get(page.clone(), None).await.text();
    assert!(
        old.contains(&members(1)),
        "{b}: the old page is served while it is refreshed"
    );
    support::eventually_async(10, "the refreshed count", || {
        let page = page.clone();
        let want = members(2);
        async move { get(page, None).await.text().contains(&want) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_page_is_served_while_it_is_refreshed() {
    for db in TestDb::all().await {
        aging(db).await;
    }
}
