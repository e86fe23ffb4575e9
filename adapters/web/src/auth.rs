//! Signing in with a one-time link, the session cookie, and the checks
//! every page and form makes.

use axum::Form;
use axum::extract::{FromRequestParts, Query, RawPathParams, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use lyceum_core::engine::Session;
use lyceum_core::signin::{Refusal, SESSION_TTL_SECS, same};
use serde::Deserialize;

use crate::Dashboard;
use crate::views::message;

pub const COOKIE: &str = "lyceum_session";

#[derive(Deserialize)]
pub struct Link {
    #[serde(default)]
    pub t: String,
}

/// Why a link was refused, as the page that says so; `again` is the
/// command that gives a new one.
pub fn refused(r: Refusal, again: &str) -> Response {
    let (status, title, text) = match r {
        Refusal::Forged => (
            StatusCode::FORBIDDEN,
            "This link is not valid",
            format!("It was not made by this server or was changed. Ask for a new one with {again}."),
        ),
        Refusal::Expired => (
            StatusCode::FORBIDDEN,
            "This link has expired",
            format!("Links are good for ten minutes. Ask for a new one with {again}."),
        ),
        Refusal::Used => (
            StatusCode::FORBIDDEN,
            "This link was already used",
            format!("Each link signs in once. Ask for a new one with {again}."),
        ),
        Refusal::NotAdmin => (
            StatusCode::FORBIDDEN,
            "Only admins may open the dashboard",
            "This community's dashboard is for its admins.".to_owned(),
        ),
    };
    message(status, title, &text)
}

pub fn failed(e: lyceum_core::CoreError) -> Response {
    tracing::error!(error = %e, "dashboard request failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The details are in the server's log. Try again in a moment.",
    )
}

pub async fn sign_in(State(d): State<Dashboard>, jar: CookieJar, Query(link): Query<Link>) -> Response {
    match d.core.redeem(&link.t).await {
        Ok(Ok(opened)) => {
            let cookie = Cookie::build((COOKIE, opened.cookie))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(d.secure)
                .path("/dashboard")
                .max_age(cookie::time::Duration::seconds(SESSION_TTL_SECS));
            let to = format!("/dashboard/{}", opened.session.community);
            (jar.add(cookie), Redirect::to(&to)).into_response()
        }
        Ok(Err(r)) => refused(r, "/dashboard"),
        Err(e) => failed(e),
    }
}

/// A signed-in admin of the community in the address; refuses the
/// request (403) otherwise.
pub struct Admin {
    pub session: Session,
    pub cookie: String,
}

impl FromRequestParts<Dashboard> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, d: &Dashboard) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let not_signed_in = || {
            message(
                StatusCode::FORBIDDEN,
                "Please sign in",
                "Send /dashboard in your community's chat to get a sign-in link.",
            )
        };
        let cookie = jar
            .get(COOKIE)
            .map(|c| c.value().to_owned())
            .ok_or_else(not_signed_in)?;
        let session = match d.core.session(&cookie).await {
            Ok(Some(session)) => session,
            Ok(None) => return Err(not_signed_in()),
            Err(e) => return Err(failed(e)),
        };
        // A session opens one community's pages only.
        let params = RawPathParams::from_request_parts(parts, d)
            .await
            .map_err(IntoResponse::into_response)?;
        if params
            .iter()
            .any(|(name, value)| name == "slug" && value != session.community)
        {
            return Err(refused(Refusal::NotAdmin, "/dashboard"));
        }
        Ok(Admin { session, cookie })
    }
}

impl Admin {
    /// The refusal for a form that does not carry this session's CSRF token.
    pub fn bad_form(&self, token: &str) -> Option<Response> {
        (!same(token, &self.session.csrf)).then(|| {
            message(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "Reload the page and try again.",
            )
        })
    }
}

#[derive(Deserialize)]
pub struct Posted {
    #[serde(default)]
    pub csrf: String,
}

pub async fn sign_out(
    State(d): State<Dashboard>,
    admin: Admin,
    jar: CookieJar,
    Form(form): Form<Posted>,
) -> Response {
    if let Some(r) = admin.bad_form(&form.csrf) {
        return r;
    }
    if let Err(e) = d.core.sign_out(&admin.cookie).await {
        return failed(e);
    }
    let gone = Cookie::build((COOKIE, "")).path("/dashboard");
    (
        jar.remove(gone),
        message(StatusCode::OK, "Signed out", "You can close this page."),
    )
        .into_response()
}
