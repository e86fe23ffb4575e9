//! Joining from a community's public page: `/c/{slug}/join/{offer}` shows
//! the offer and the way to sign in; Discord's OAuth2 round trip goes
//! through `/auth/discord` and back to `/auth/discord/callback`; a signed-in
//! member's form starts a Stripe checkout at `/c/{slug}/checkout`; and
//! `/c/{slug}/welcome/{offer}` follows the purchase until access is granted.
//!
//! Every address these pages send people to is built here from a known
//! community and offer key, never taken from the request, so there is no
//! open redirect.

pub mod discord;
mod oauth;
mod offer;
mod read;
pub mod telegram;
mod views;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use lyceum_core::domain::{IdentityRef, Key, Locale, Platform};
use lyceum_core::engine::{Invoker, MEMBER_SESSION_TTL_SECS, MemberSession, Progress, WEB_NONCE_TTL_SECS};
use lyceum_core::payments::Return;
use lyceum_core::reply::Reply;
use lyceum_core::signin::same;
use serde::Deserialize;

use crate::storefront::Storefronts;
use crate::storefront::views::frame;
use crate::views::Tr;
use discord::DiscordSignIn;
use lyceum_core::engine::storefront::Storefront;
use views::{JoinPage, OfferLine, WelcomePage, Who, offer_line, personal};

pub use views::policy;

const MEMBER_COOKIE: &str = "lyceum_member";
const OAUTH_COOKIE: &str = "lyceum_oauth";

/// What the join routes share.
#[derive(Clone)]
pub struct Joins {
    pub store: Storefronts,
    pub discord: Option<Arc<DiscordSignIn>>,
    pub telegram: Option<Arc<telegram::TelegramSignIn>>,
    /// Mark cookies Secure: the public URL is https.
    pub secure: bool,
    /// Each community's Discord server, for "Open Discord".
    pub guilds: Arc<HashMap<String, u64>>,
    /// The Content-Security-Policy of these pages (see [`policy`]).
    pub csp: HeaderValue,
}

/// What a member page's address carries: the language, a referral code,
/// and what happened on the way back to it.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    lang: Option<String>,
    #[serde(rename = "ref")]
    referral: Option<String>,
    canceled: Option<String>,
    denied: Option<String>,
    expired: Option<String>,
    failed: Option<String>,
    done: Option<String>,
}

impl PageQuery {
    /// The words for what happened, if the address says something did.
    fn notice(&self, tr: Tr) -> Option<String> {
        [
            (&self.done, "read-done"),
            (&self.canceled, "join-canceled"),
            (&self.denied, "join-denied"),
            (&self.expired, "join-expired"),
            (&self.failed, "join-failed"),
        ]
        .into_iter()
        .find(|(flag, _)| flag.is_some())
        .map(|(_, key)| tr.get(key))
    }
}

/// A referral code as `/join CODE` takes it; anything else is dropped.
fn referral(code: Option<&str>) -> Option<String> {
    let code = code?.trim();
    let ok = (1..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then(|| code.to_ascii_uppercase())
}

/// The member session in the request's cookie, if it is for `slug`.
async fn member(j: &Joins, jar: &CookieJar, slug: &str) -> Option<MemberSession> {
    let cookie = jar.get(MEMBER_COOKIE)?.value().to_owned();
    match j.store.core.member_session(&cookie).await {
        Ok(Some(s)) if s.community == slug => Some(s),
        Ok(_) => None,
        Err(e) => {
            tracing::error!(error = %e, "a member session could not be read");
            None
        }
    }
}

/// The cookie of a member session just opened.
fn member_cookie(j: &Joins, value: String) -> Cookie<'static> {
    Cookie::build((MEMBER_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(j.secure)
        .path("/")
        .max_age(cookie::time::Duration::seconds(MEMBER_SESSION_TTL_SECS))
        .build()
}

/// A state for a page's script to compare with the one it shows; never
/// cached.
fn status_json(state: &str) -> Response {
    let mut res = axum::Json(serde_json::json!({ "state": state })).into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    res
}

/// The script that follows a page's state (assets/follow.js): the only
/// script the pages load, from here, so their policy can forbid the rest.
async fn follow_script() -> Response {
    let mut res = include_str!("../../assets/follow.js").into_response();
    let h = res.headers_mut();
    for (name, value) in [
        (axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
        (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    res
}

/// A 503 for a failure of ours, said in the log with `what` failed.
fn unavailable(what: &str, e: &lyceum_core::CoreError) -> Response {
    tracing::error!(error = %e, "{what}");
    plain(StatusCode::SERVICE_UNAVAILABLE, "try again in a moment")
}

/// The ways to sign in that are set up here, as label and address, each
/// coming back to `to` with the referral code.
fn sign_in_links(
    j: &Joins,
    slug: &str,
    to: &Target,
    tr: Tr,
    referral: Option<&str>,
) -> Vec<(String, String)> {
    let code = referral.map(|c| format!("&ref={c}")).unwrap_or_default();
    let lang = tr.lang();
    let mut links = Vec::new();
    if j.discord.is_some() {
        let which = match to {
            Target::Offer(k) => format!("o={k}"),
            Target::Lesson(k) => format!("l={k}"),
        };
        let href = format!("/auth/discord?c={slug}&{which}&lang={lang}{code}");
        links.push((tr.get("join-with-discord"), href));
    }
    if j.telegram.as_ref().and_then(|t| t.username()).is_some() {
        let href = format!("/c/{slug}{}?lang={lang}{code}", to.telegram_path());
        links.push((tr.get("join-with-telegram"), href));
    }
    links
}

fn plain(status: StatusCode, text: &str) -> Response {
    (status, text.to_owned()).into_response()
}

struct Page {
    slug: String,
    /// The offer (or lesson) the page is for.
    key: Key,
    locale: Locale,
}

/// The page for `key` of `slug` in the visitor's language, with what
/// `find` makes of it; a 404 for a community or key that is not on the
/// public page.
async fn page_of<T>(
    j: &Joins,
    slug: &str,
    key: &str,
    lang: Option<&str>,
    headers: &HeaderMap,
    find: impl FnOnce(Tr, &Storefront, &Key) -> Option<T>,
) -> Result<(Page, Arc<Storefront>, T), Response> {
    let locale = crate::storefront::locale(&j.store.core, slug, lang, headers);
    let not_found = || {
        plain(
            StatusCode::NOT_FOUND,
            &lyceum_core::i18n::t(locale, "store-not-found"),
        )
    };
    let Ok(key) = Key::parse(key) else {
        return Err(not_found());
    };
    let version = j.store.core.catalogue_version();
    let view = match j.store.cache.view(&j.store, slug, locale, version).await {
        Ok(Some(v)) => v,
        Ok(None) => return Err(not_found()),
        Err(e) => return Err(unavailable("a member page could not be built", &e)),
    };
    let Some(found) = find(Tr(locale, chrono_tz::UTC), &view, &key) else {
        return Err(not_found());
    };
    let page = Page {
        slug: slug.to_owned(),
        key,
        locale,
    };
    Ok((page, view, found))
}

/// The join page of `offer`.
async fn offer_page(
    j: &Joins,
    slug: &str,
    offer: &str,
    lang: Option<&str>,
    headers: &HeaderMap,
) -> Result<(Page, Arc<Storefront>, OfferLine), Response> {
    page_of(j, slug, offer, lang, headers, |tr, view, key| {
        offer_line(tr, view, key.as_str())
    })
    .await
}

/// Where a sign-in brings the visitor back to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// An offer's join page.
    Offer(Key),
    /// A lesson's page, to read it.
    Lesson(Key),
}

impl Target {
    /// The page's address, with the referral code it carries on and what
    /// it should say (`flag`, such as `canceled`).
    fn path(&self, slug: &str, locale: Locale, referral: Option<&str>, flag: Option<&str>) -> String {
        let mut path = match self {
            Target::Offer(k) => format!("/c/{slug}/join/{k}"),
            Target::Lesson(k) => format!("/c/{slug}/read/{k}"),
        };
        path.push_str(&format!("?lang={}", locale.tag()));
        if let Some(code) = referral {
            path.push_str(&format!("&ref={code}"));
        }
        if let Some(flag) = flag {
            path.push_str(&format!("&{flag}=1"));
        }
        path
    }

    /// Where the page of a Telegram sign-in for it is, under the community.
    fn telegram_path(&self) -> String {
        match self {
            Target::Offer(k) => format!("/telegram/{k}"),
            Target::Lesson(k) => format!("/telegram/read/{k}"),
        }
    }

    fn encode(&self) -> String {
        match self {
            Target::Offer(k) => format!("o:{k}"),
            Target::Lesson(k) => format!("l:{k}"),
        }
    }

    fn decode(s: &str) -> Option<Target> {
        let (kind, key) = s.split_once(':')?;
        let key = Key::parse(key).ok()?;
        match kind {
            "o" => Some(Target::Offer(key)),
            "l" => Some(Target::Lesson(key)),
            _ => None,
        }
    }
}

/// Where a sign-in started: the community, then the offer (`o`) or else
/// the lesson (`l`) to come back to, in the language and with the
/// referral code of the page.
#[derive(Deserialize)]
pub struct Back {
    c: String,
    o: Option<String>,
    l: Option<String>,
    lang: Option<String>,
    #[serde(rename = "ref")]
    referral: Option<String>,
}

/// The community, page and language a sign-in from `b` returns to, if
/// they are on the public page.
async fn target_page(j: &Joins, b: &Back, headers: &HeaderMap) -> Result<(String, Target, Locale), Response> {
    let lang = b.lang.as_deref();
    if let Some(offer) = &b.o {
        let (p, _, _) = offer_page(j, &b.c, offer, lang, headers).await?;
        return Ok((p.slug, Target::Offer(p.key), p.locale));
    }
    let lesson = b.l.as_deref().unwrap_or_default();
    let (p, _, _) = read::lesson_page(j, &b.c, lesson, lang, headers).await?;
    Ok((p.slug, Target::Lesson(p.key), p.locale))
}

pub fn router(j: Joins) -> Router {
    Router::new()
        .route("/c/{slug}/join/{offer}", get(offer::join))
        .route("/c/{slug}/welcome/{offer}", get(offer::welcome))
        .route("/c/{slug}/progress/{offer}", get(offer::progress))
        .route("/c/{slug}/visit-state", get(telegram::visit_state))
        .route("/assets/follow.js", get(follow_script))
        .route("/c/{slug}/checkout", post(offer::checkout))
        .route("/c/{slug}/sign-out", post(offer::sign_out))
        .route("/c/{slug}/telegram/{offer}", get(telegram::visit_offer))
        .route("/c/{slug}/telegram/read/{lesson}", get(telegram::visit_lesson))
        .route("/c/{slug}/read/{lesson}", get(read::read))
        .route("/c/{slug}/read/{lesson}/complete", post(read::complete))
        .route("/auth/telegram", get(telegram::widget))
        .route("/auth/discord", get(oauth::discord_start))
        .route("/auth/discord/callback", get(oauth::discord_back))
        .with_state(j)
}
