//! "Continue with Telegram". The page starts a visit and links to
//! `t.me/<bot>?start=w_<nonce>`; once the bot has seen that `/start` from
//! someone, the page (which keeps the nonce in a cookie and reloads itself)
//! signs them in. Telegram's Login Widget is accepted too, at
//! `/auth/telegram`: its fields are signed with the SHA-256 of the bot
//! token as the HMAC key, and are good for a day.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use lyceum_core::domain::{IdentityRef, Platform};
use lyceum_core::engine::storefront::Storefront;
use lyceum_core::engine::{Invoker, VISIT_PREFIX, VISIT_TTL_SECS, Visit};
use parking_lot::RwLock;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::views::personal;
use super::{
    Back, Joins, Page, PageQuery, Target, member_cookie, offer_page, plain, referral, target_page,
    unavailable,
};
use crate::storefront::views::{Frame, frame};
use crate::views::Tr;

const VISIT_COOKIE: &str = "lyceum_visit";
/// How old Login Widget data may be.
const WIDGET_TTL_SECS: i64 = 86_400;

pub struct TelegramSignIn {
    /// The bot's username, once Telegram has told it.
    username: Arc<RwLock<Option<String>>>,
    /// SHA-256 of the bot token: the key the widget's fields are signed with.
    widget_key: [u8; 32],
}

// Never print the key.
impl std::fmt::Debug for TelegramSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramSignIn")
            .field("username", &self.username.read())
            .finish_non_exhaustive()
    }
}

/// Why Login Widget data was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum WidgetRefusal {
    Forged,
    Expired,
}

impl TelegramSignIn {
    /// `username` is filled in once the bot has asked Telegram who it is.
    pub fn new(bot_token: &str, username: Arc<RwLock<Option<String>>>) -> TelegramSignIn {
        TelegramSignIn {
            username,
            widget_key: Sha256::digest(bot_token.as_bytes()).into(),
        }
    }

    pub fn username(&self) -> Option<String> {
        self.username.read().clone()
    }

    /// The Telegram user id the widget's `fields` vouch for.
    pub fn check_widget(&self, fields: &BTreeMap<String, String>, now: i64) -> Result<u64, WidgetRefusal> {
        let hash = fields.get("hash").ok_or(WidgetRefusal::Forged)?;
        let tag = hex::decode(hash).map_err(|_| WidgetRefusal::Forged)?;
        // Every field but the hash, sorted by name, one `key=value` a line.
        let check = fields
            .iter()
            .filter(|(k, _)| k.as_str() != "hash")
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.widget_key).map_err(|_| WidgetRefusal::Forged)?;
        mac.update(check.as_bytes());
        mac.verify_slice(&tag).map_err(|_| WidgetRefusal::Forged)?;
        let at: i64 = fields
            .get("auth_date")
            .and_then(|d| d.parse().ok())
            .ok_or(WidgetRefusal::Forged)?;
        if now - at > WIDGET_TTL_SECS {
            return Err(WidgetRefusal::Expired);
        }
        fields
            .get("id")
            .and_then(|id| id.parse().ok())
            .ok_or(WidgetRefusal::Forged)
    }
}

#[derive(Template)]
#[template(path = "public/telegram.html")]
struct WaitPage {
    f: Frame,
    link: String,
    back: String,
}

/// The deep-link page of a visit for an offer.
pub(super) async fn visit_offer(
    State(j): State<Joins>,
    Path((slug, offer)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    match offer_page(&j, &slug, &offer, q.lang.as_deref(), &headers).await {
        Ok((p, view, line)) => {
            let title = Tr(p.locale, chrono_tz::UTC).text("join-title", "offer", &line.name);
            let to = Target::Offer(p.key.clone());
            visit(&j, &p, &view, (title, line.name), to, q.referral.as_deref(), jar).await
        }
        Err(res) => res,
    }
}

/// The deep-link page of a visit for reading a lesson.
pub(super) async fn visit_lesson(
    State(j): State<Joins>,
    Path((slug, lesson)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    match super::read::lesson_page(&j, &slug, &lesson, q.lang.as_deref(), &headers).await {
        Ok((p, view, teaser)) => {
            let to = Target::Lesson(p.key.clone());
            let words = (teaser.title.clone(), teaser.title);
            visit(&j, &p, &view, words, to, None, jar).await
        }
        Err(res) => res,
    }
}

/// A visit's page: starts one, waits for the bot to see it, then signs
/// the visitor in and sends them back to `to`. `words` are the page's
/// title and description.
async fn visit(
    j: &Joins,
    p: &Page,
    view: &Storefront,
    words: (String, String),
    to: Target,
    referral_code: Option<&str>,
    jar: CookieJar,
) -> Response {
    let Some(username) = j.telegram.as_ref().and_then(|t| t.username()) else {
        return plain(StatusCode::NOT_FOUND, "Telegram sign-in is not set up here");
    };
    let code = referral(referral_code);
    let back = to.path(&p.slug, p.locale, code.as_deref(), None);
    let core = &j.store.core;
    let cookie_path = format!("/c/{}", p.slug);
    let here = to.telegram_path();
    let page = |nonce: &str| {
        let (title, description) = words.clone();
        let mut f = frame(&j.store, view, p.locale, &here, title, description);
        f.follow = Some((format!("/c/{}/visit-state", p.slug), "waiting"));
        WaitPage {
            f,
            link: format!("https://t.me/{username}?start={VISIT_PREFIX}{nonce}"),
            back: back.clone(),
        }
    };
    if let Some(nonce) = jar.get(VISIT_COOKIE).map(|c| c.value().to_owned()) {
        match core.visit(&nonce).await {
            Ok(Visit::Opened(cookie)) => {
                let jar = jar
                    .remove(Cookie::build(VISIT_COOKIE).path(cookie_path))
                    .add(member_cookie(j, cookie));
                return (jar, Redirect::to(&back)).into_response();
            }
            Ok(Visit::Waiting) => return personal(StatusCode::OK, &page(&nonce), &j.csp),
            Ok(Visit::Gone) => {}
            Err(e) => return unavailable("a Telegram visit could not be read", &e),
        }
    }
    let nonce = match core.begin_visit(&p.slug).await {
        Ok(n) => n,
        Err(e) => return unavailable("a Telegram visit could not be started", &e),
    };
    let cookie = Cookie::build((VISIT_COOKIE, nonce.clone()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(j.secure)
        .path(cookie_path)
        .max_age(cookie::time::Duration::seconds(VISIT_TTL_SECS));
    (jar.add(cookie), personal(StatusCode::OK, &page(&nonce), &j.csp)).into_response()
}

/// Whether the visit in the browser's cookie still waits for Start, for
/// the page's script: `{"state": "waiting" | "changed"}`.
pub(super) async fn visit_state(
    State(j): State<Joins>,
    Path(_slug): Path<String>,
    jar: CookieJar,
) -> Response {
    let Some(nonce) = jar.get(VISIT_COOKIE).map(|c| c.value().to_owned()) else {
        return super::status_json("changed");
    };
    match j.store.core.visit_waiting(&nonce).await {
        Ok(true) => super::status_json("waiting"),
        Ok(false) => super::status_json("changed"),
        Err(e) => unavailable("a Telegram visit could not be read", &e),
    }
}

#[derive(Deserialize)]
pub(super) struct Widget {
    #[serde(flatten)]
    back: Back,
    /// What Telegram signed: every other field.
    #[serde(flatten)]
    fields: BTreeMap<String, String>,
}

/// The Login Widget's redirect (`data-auth-url`), with the offer's
/// community and key in the address.
pub(super) async fn widget(
    State(j): State<Joins>,
    Query(w): Query<Widget>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let Some(tg) = &j.telegram else {
        return plain(StatusCode::NOT_FOUND, "Telegram sign-in is not set up here");
    };
    let (slug, to, locale) = match target_page(&j, &w.back, &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let code = referral(w.back.referral.as_deref());
    let back = |flag| to.path(&slug, locale, code.as_deref(), flag);
    let core = &j.store.core;
    let id = match tg.check_widget(&w.fields, core.now()) {
        Ok(id) => id,
        Err(WidgetRefusal::Expired) => return Redirect::to(&back(Some("expired"))).into_response(),
        Err(WidgetRefusal::Forged) => {
            return plain(StatusCode::FORBIDDEN, "This sign-in was not made by Telegram.");
        }
    };
    let Ok(identity) = IdentityRef::new(Platform::Telegram, &id.to_string()) else {
        return plain(StatusCode::FORBIDDEN, "This sign-in was not made by Telegram.");
    };
    let name = w
        .fields
        .get("username")
        .map(|u| format!("@{u}"))
        .or_else(|| w.fields.get("first_name").cloned());
    let invoker = Invoker {
        display_name: name,
        ..Invoker::new(identity)
    };
    match core.open_member_session(&slug, &invoker).await {
        Ok(cookie) => (jar.add(member_cookie(&j, cookie)), Redirect::to(&back(None))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a member session could not be opened");
            Redirect::to(&back(Some("failed"))).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(key_token: &str, fields: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let check = map
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n");
        let key = Sha256::digest(key_token.as_bytes());
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(check.as_bytes());
        map.insert("hash".into(), hex::encode(mac.finalize().into_bytes()));
        map
    }

    #[test]
    fn widget_data_is_checked_against_the_bot_token_and_its_age() {
        let tg = TelegramSignIn::new("123:abc", Arc::default());
        let fields = [("id", "42"), ("first_name", "Ada"), ("auth_date", "1000")];
        assert_eq!(tg.check_widget(&signed("123:abc", &fields), 1000 + 60), Ok(42));
        assert_eq!(
            tg.check_widget(&signed("123:abc", &fields), 1000 + 86_401),
            Err(WidgetRefusal::Expired)
        );
        assert_eq!(
            tg.check_widget(&signed("999:other", &fields), 1060),
            Err(WidgetRefusal::Forged)
        );
        let mut changed = signed("123:abc", &fields);
        changed.insert("id".into(), "43".into());
        assert_eq!(tg.check_widget(&changed, 1060), Err(WidgetRefusal::Forged));
        let mut unsigned = signed("123:abc", &fields);
        unsigned.remove("hash");
        assert_eq!(tg.check_widget(&unsigned, 1060), Err(WidgetRefusal::Forged));
    }
}
