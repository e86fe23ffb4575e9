//! The pages' templates and the small formatting they share.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use lyceum_core::domain::Money;

/// The bar at the top of a signed-in page.
pub struct Nav {
    pub community: String,
    pub csrf: String,
    /// Which page is open, to mark its link.
    pub here: &'static str,
}

impl Nav {
    pub const PAGES: [(&'static str, &'static str); 7] = [
        ("", "Overview"),
        ("/members", "Members"),
        ("/revenue", "Revenue"),
        ("/leaderboard", "Leaderboard"),
        ("/lessons", "Lessons"),
        ("/audit", "Audit log"),
        ("/exports", "Exports"),
    ];

    pub fn is(&self, page: &str) -> bool {
        self.here == page
    }
}

pub fn money(minor: i64, currency: &str) -> String {
    Money::new(minor, currency).map_or_else(|_| format!("{minor} {currency}"), |m| m.to_string())
}

pub fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

pub fn when(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Renders a page, or says on a page that it could not be.
pub fn page(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a dashboard page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct Message<'a> {
    pub nav: Option<Nav>,
    pub title: &'a str,
    pub text: &'a str,
}

/// A page with a title and one sentence, for refusals and errors.
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    page(
        status,
        &Message {
            nav: None,
            title,
            text,
        },
    )
}

pub struct Figure {
    pub label: &'static str,
    pub value: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct Overview {
    pub nav: Option<Nav>,
    pub title: String,
    pub figures: Vec<Figure>,
    pub by_status: Vec<(String, u64)>,
    pub mrr_chart: String,
    pub flow_chart: String,
    pub retention_chart: String,
    /// Month, size, and L(k) as text.
    pub cohorts: Vec<(String, u64, Vec<String>)>,
    pub activity_chart: String,
}

pub struct MemberLine {
    pub id: i64,
    pub identities: String,
    pub tier: String,
    pub status: String,
    pub access_until: String,
    pub points: i64,
    pub joined: String,
}

#[derive(Template)]
#[template(path = "members.html")]
pub struct Members {
    pub nav: Option<Nav>,
    pub title: String,
    pub query: String,
    pub found: usize,
    pub rows: Vec<MemberLine>,
}

#[derive(Template)]
#[template(path = "member.html")]
pub struct Member {
    pub nav: Option<Nav>,
    pub title: String,
    pub view: lyceum_core::reply::MemberView,
    /// This page's address, for its links and forms.
    pub here: String,
    pub csrf: String,
    /// When, change, why.
    pub points: Vec<(String, i64, String)>,
}

#[derive(Template)]
#[template(path = "table.html")]
pub struct Table {
    pub nav: Option<Nav>,
    pub title: String,
    /// Links shown above the table: text and address.
    pub links: Vec<(String, String)>,
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub empty: &'static str,
}
