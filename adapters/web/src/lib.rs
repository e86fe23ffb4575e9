//! The admin dashboard, served by the bot's HTTP server under /dashboard.
//!
//! An admin gets a one-time link from `/dashboard` (or the operator from
//! `lyceum dashboard-link`); following it opens a session held in an
//! HttpOnly, SameSite cookie. Pages are askama templates rendered on the
//! server with SVG charts inline, so they work with no script and offline.
//! A member's `/privacy export` link is served here too, and so are the
//! public pages of each community (see `storefront`).

mod auth;
mod charts;
pub mod join;
mod pages;
mod privacy;
pub mod storefront;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use lyceum_core::Core;

/// What every dashboard route needs.
#[derive(Clone)]
pub struct Dashboard {
    pub core: Arc<Core>,
    /// Mark the cookie Secure: the public URL is https.
    pub secure: bool,
}

/// Nothing from the pages may be framed, cached, or load anything else.
async fn harden(mut res: Response) -> Response {
    let h = res.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        ),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    res
}

pub fn router(dashboard: Dashboard) -> Router {
    Router::new()
        .route("/dashboard/sign-in", get(auth::sign_in))
        .route("/dashboard/sign-out", post(auth::sign_out))
        .route("/privacy/export", get(privacy::export))
        .route("/stats/{slug}", get(privacy::stats))
        .route("/dashboard/{slug}", get(pages::overview))
        .route("/dashboard/{slug}/members", get(pages::members))
        .route("/dashboard/{slug}/members/{id}", get(pages::member))
        .route("/dashboard/{slug}/members/{id}/data", get(privacy::member_data))
        .route("/dashboard/{slug}/members/{id}/erase", post(privacy::erase))
        .route("/dashboard/{slug}/revenue", get(pages::revenue))
        .route("/dashboard/{slug}/leaderboard", get(pages::leaderboard))
        .route("/dashboard/{slug}/lessons", get(pages::lessons))
        .route("/dashboard/{slug}/audit", get(pages::audit))
        .route("/dashboard/{slug}/exports", get(pages::exports))
        .route("/dashboard/{slug}/export/{kind}", get(pages::export))
        .layer(axum::middleware::map_response(harden))
        .with_state(dashboard)
}
