//! The public pages a creator shares anywhere: `/c/{slug}` for the
//! community, `/c/{slug}/courses/{key}` and `/c/{slug}/lessons/{key}` for
//! teasers, and `/c/{slug}/card.png` for link previews. They hold nothing a
//! stranger may not see, so they are rendered once per language and served
//! from memory until a lesson changes or they grow old.

mod cache;
pub(crate) mod views;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lyceum_core::Core;
use lyceum_core::domain::Locale;
use serde::Deserialize;

pub use cache::PageCache;
use cache::{Kind, Rendered};

/// What the public routes share.
#[derive(Clone)]
pub struct Storefronts {
    pub core: Arc<Core>,
    /// The address the pages are reached at, for canonical links and the
    /// absolute image address link previews need; no trailing slash.
    pub public_url: String,
    pub cache: Arc<PageCache>,
}

#[derive(Deserialize)]
pub struct Lang {
    lang: Option<String>,
}

/// The language asked for in the address, else the browser's first that we
/// speak, else the community's own.
pub(crate) fn locale(core: &Core, slug: &str, lang: Option<&str>, headers: &HeaderMap) -> Locale {
    let from_query = lang.and_then(Locale::negotiate);
    let from_browser = || {
        let accept = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
        accept_language::parse(accept)
            .iter()
            .find_map(|tag| Locale::negotiate(tag))
    };
    from_query
        .or_else(from_browser)
        .or_else(|| core.community(slug).map(|c| c.config.default_locale))
        .unwrap_or(Locale::En)
}

/// No script runs on these pages and nothing but their own image loads
/// (`connect-src 'self'` only lets crawlers' tools such as Lighthouse read
/// robots.txt from the page);
/// they may be cached briefly by the browser, since they hold nothing
/// personal, and differ by the language the browser asks for.
fn public_headers(res: &mut Response, content_type: &'static str) {
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, "public, max-age=60"),
        (header::VARY, "Accept-Language, Accept-Encoding"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
}

fn takes_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"))
                && !parts.any(|p| p.replace(' ', "") == "q=0")
        })
}

fn served(r: Rendered, headers: &HeaderMap) -> Response {
    let content_type = r.kind.content_type();
    let mut res = match r.gzip {
        Some(gz) if takes_gzip(headers) => {
            let mut res = (r.status, gz).into_response();
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            res
        }
        _ => (r.status, r.body).into_response(),
    };
    public_headers(&mut res, content_type);
    res
}

async fn page(s: &Storefronts, slug: &str, locale: Locale, kind: Kind, headers: &HeaderMap) -> Response {
    match s.cache.get_or_render(s, slug, locale, kind).await {
        Ok(r) => served(r, headers),
        Err(e) => {
            tracing::error!(community = %slug, error = %e, "a public page could not be built");
            let mut res = (
                StatusCode::SERVICE_UNAVAILABLE,
                Bytes::from_static(b"try again in a moment"),
            )
                .into_response();
            public_headers(&mut res, "text/plain; charset=utf-8");
            res
        }
    }
}

async fn show(s: &Storefronts, slug: &str, lang: Option<&str>, headers: &HeaderMap, kind: Kind) -> Response {
    let locale = locale(&s.core, slug, lang, headers);
    page(s, slug, locale, kind, headers).await
}

async fn community(
    State(s): State<Storefronts>,
    Path(slug): Path<String>,
    Query(q): Query<Lang>,
    headers: HeaderMap,
) -> Response {
    show(&s, &slug, q.lang.as_deref(), &headers, Kind::Community).await
}

async fn card(
    State(s): State<Storefronts>,
    Path(slug): Path<String>,
    Query(q): Query<Lang>,
    headers: HeaderMap,
) -> Response {
    show(&s, &slug, q.lang.as_deref(), &headers, Kind::Card).await
}

/// A course's or a lesson's teaser page.
async fn teaser(
    State(s): State<Storefronts>,
    Path((slug, section, key)): Path<(String, String, String)>,
    Query(q): Query<Lang>,
    headers: HeaderMap,
) -> Response {
    let kind = match section.as_str() {
        "courses" => Kind::Course(key),
        "lessons" => Kind::Lesson(key),
        // Neither: answered like any address that names nothing.
        _ => Kind::Lesson(String::new()),
    };
    show(&s, &slug, q.lang.as_deref(), &headers, kind).await
}

/// Crawlers may read the public pages, and nothing else.
async fn robots() -> Response {
    let mut res = "User-agent: *\nAllow: /c/\nDisallow: /\n".into_response();
    public_headers(&mut res, "text/plain; charset=utf-8");
    res
}

/// Browsers ask for an icon on every first visit; an empty answer keeps a
/// 404 out of their consoles and logs.
async fn favicon() -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    public_headers(&mut res, "image/x-icon");
    res
}

pub fn router(s: Storefronts) -> Router {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/favicon.ico", get(favicon))
        .route("/c/{slug}", get(community))
        .route("/c/{slug}/card.png", get(card))
        .route("/c/{slug}/{section}/{key}", get(teaser))
        .with_state(s)
}
