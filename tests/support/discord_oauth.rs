//! Discord's OAuth2 in the fake, as strict as Discord: the consent page at
//! `/oauth2/authorize` (only for the registered client, an exactly
//! registered redirect URI, the `code` response type and known scopes), the
//! token endpoint (form-encoded, client authenticated, each code once, the
//! same redirect URI), and the bearer tokens it hands out, which
//! `users/@me` and adding a guild member accept.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use parking_lot::Mutex;
use serde_json::json;

use super::discord::FakeDiscord;

pub const CLIENT_SECRET: &str = "fake-oauth-secret";
const SCOPES: [&str; 4] = ["identify", "email", "guilds", "guilds.join"];

/// What a code or token was given for.
#[derive(Clone, Debug)]
struct Grant {
    user: u64,
    scopes: Vec<String>,
    redirect: String,
}

#[derive(Default)]
struct Inner {
    client_id: String,
    redirects: Vec<String>,
    /// The account signed in to Discord in the test's browser.
    browser_user: Option<u64>,
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, Grant>,
    /// Each person's locale, as users/@me reports it.
    locales: HashMap<u64, String>,
    issued: u64,
    refusals: Vec<String>,
}

#[derive(Clone, Default)]
pub struct FakeOAuth {
    inner: Arc<Mutex<Inner>>,
}

impl FakeOAuth {
    /// Registers the application: its client id and its redirect URIs.
    pub fn register(&self, client_id: u64, redirects: &[&str]) {
        let mut inner = self.inner.lock();
        inner.client_id = client_id.to_string();
        inner.redirects = redirects.iter().map(|r| (*r).to_owned()).collect();
    }

    /// `user` is signed in to Discord in the browser, in `locale`.
    pub fn sign_in_as(&self, user: u64, locale: &str) {
        let mut inner = self.inner.lock();
        inner.browser_user = Some(user);
        inner.locales.insert(user, locale.to_owned());
    }

    /// What the fake refused, as one line each.
    pub fn refusals(&self) -> Vec<String> {
        self.inner.lock().refusals.clone()
    }

    /// Tokens handed out and not revoked.
    pub fn tokens(&self) -> Vec<String> {
        self.inner.lock().tokens.keys().cloned().collect()
    }

    /// The user a bearer token acts for, if it is one and has `scope`.
    pub fn user_of(&self, authorization: Option<&str>, scope: &str) -> Option<u64> {
        let token = authorization?.strip_prefix("Bearer ")?;
        let inner = self.inner.lock();
        let g = inner.tokens.get(token)?;
        g.scopes.iter().any(|s| s == scope).then_some(g.user)
    }

    pub fn locale_of(&self, user: u64) -> String {
        self.inner
            .lock()
            .locales
            .get(&user)
            .cloned()
            .unwrap_or_else(|| "en-US".into())
    }

    fn refuse(&self, status: StatusCode, why: &str) -> Response {
        self.inner.lock().refusals.push(why.to_owned());
        (status, Html(format!("<h1>{why}</h1>"))).into_response()
    }

    /// The authorize request's problems, or the grant it asks for.
    fn check(&self, q: &HashMap<String, String>) -> Result<(Grant, String), String> {
        let inner = self.inner.lock();
        if q.get("client_id") != Some(&inner.client_id) {
            return Err("Unknown client_id".into());
        }
        if q.get("response_type").map(String::as_str) != Some("code") {
            return Err("Unsupported response_type".into());
        }
        let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
        if !inner.redirects.contains(&redirect) {
            return Err(format!("Invalid OAuth2 redirect_uri {redirect}"));
        }
        let scopes: Vec<String> = q
            .get("scope")
            .map(|s| s.split(' ').map(str::to_owned).collect())
            .unwrap_or_default();
        if scopes.is_empty() || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
            return Err(format!("Invalid scope {scopes:?}"));
        }
        let user = inner.browser_user.ok_or("nobody is signed in to Discord")?;
        let state = q.get("state").cloned().unwrap_or_default();
        Ok((
            Grant {
                user,
                scopes,
                redirect,
            },
            state,
        ))
    }
}

fn query_map(raw: Option<&str>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The consent page: what the application asks, and two buttons.
pub async fn authorize(State(fake): State<FakeDiscord>, RawQuery(raw): RawQuery) -> Response {
    let q = query_map(raw.as_deref());
    if let Err(why) = fake.oauth.check(&q) {
        return fake.oauth.refuse(StatusCode::BAD_REQUEST, &why);
    }
    let raw = raw.unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"en\"><title>Authorize</title><main><h1>An application wants to access your account</h1>\
         <form method=\"post\" action=\"/oauth2/authorize?{raw}\">\
         <button name=\"authorize\" value=\"yes\">Authorize</button>\
         <button name=\"authorize\" value=\"no\">Cancel</button></form></main></html>"
    ))
    .into_response()
}

#[derive(serde::Deserialize)]
pub struct Consent {
    authorize: String,
}

/// The person's answer: back to the redirect URI with a code, or with
/// `access_denied`.
pub async fn consent(
    State(fake): State<FakeDiscord>,
    RawQuery(raw): RawQuery,
    axum::Form(form): axum::Form<Consent>,
) -> Response {
    let q = query_map(raw.as_deref());
    let (grant, state) = match fake.oauth.check(&q) {
        Ok(found) => found,
        Err(why) => return fake.oauth.refuse(StatusCode::BAD_REQUEST, &why),
    };
    let state = url::form_urlencoded::byte_serialize(state.as_bytes()).collect::<String>();
    if form.authorize != "yes" {
        let to = format!(
            "{}?error=access_denied&error_description=The+resource+owner+denied+the+request&state={state}",
            grant.redirect
        );
        return Redirect::to(&to).into_response();
    }
    let mut inner = fake.oauth.inner.lock();
    inner.issued += 1;
    let code = format!("code{}", inner.issued);
    let to = format!("{}?code={code}&state={state}", grant.redirect);
    inner.codes.insert(code, grant);
    Redirect::to(&to).into_response()
}

fn oauth_error(status: StatusCode, error: &str, fake: &FakeDiscord) -> Response {
    fake.oauth.inner.lock().refusals.push(format!("token: {error}"));
    (status, axum::Json(json!({"error": error}))).into_response()
}

/// POST /api/v10/oauth2/token: a code for a bearer token, once.
pub async fn token(State(fake): State<FakeDiscord>, headers: HeaderMap, body: String) -> Response {
    let form_encoded = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_content_type", &fake);
    }
    let form = query_map(Some(&body));
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let (id, secret) = match basic.as_deref().and_then(|b| b.split_once(':')) {
        Some((id, secret)) => (id.to_owned(), secret.to_owned()),
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        ),
    };
    let client_id = fake.oauth.inner.lock().client_id.clone();
    if id != client_id || secret != CLIENT_SECRET {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &fake);
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &fake);
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let Some(grant) = fake.oauth.inner.lock().codes.remove(&code) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &fake);
    };
    if form.get("redirect_uri") != Some(&grant.redirect) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &fake);
    }
    let mut inner = fake.oauth.inner.lock();
    inner.issued += 1;
    let access = format!("access{}", inner.issued);
    let scope = grant.scopes.join(" ");
    inner.tokens.insert(access.clone(), grant);
    axum::Json(json!({
        "access_token": access, "token_type": "Bearer", "expires_in": 604_800,
        "refresh_token": format!("refresh{}", inner.issued), "scope": scope
    }))
    .into_response()
}

/// The page query of a consent, for tests that answer it directly.
pub fn consent_query(authorize_url: &str) -> String {
    authorize_url
        .split_once('?')
        .map(|(_, q)| q.to_owned())
        .unwrap_or_default()
}
