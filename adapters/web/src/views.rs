//! The pages' templates and the small formatting they share.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use lyceum_core::domain::{Locale, Money};
use lyceum_core::i18n::{t, t_args};

/// The pages' words, in the community's language, and its time zone for
/// the dates on them.
#[derive(Clone, Copy)]
pub struct Tr(pub Locale, pub chrono_tz::Tz);

impl Tr {
    pub fn get(self, key: &str) -> String {
        t(self.0, key)
    }

    /// `key` with one number in it.
    pub fn with(self, key: &str, name: &str, n: impl TryInto<i64>) -> String {
        t_args(self.0, key, &[(name, n.try_into().unwrap_or(i64::MAX).into())])
    }

    /// `key` with one text in it.
    pub fn text(self, key: &str, name: &str, value: &str) -> String {
        t_args(self.0, key, &[(name, value.into())])
    }

    pub fn lang(self) -> &'static str {
        self.0.tag()
    }

    /// The locale as OpenGraph writes it, with an underscore.
    pub fn og_locale(self) -> &'static str {
        match self.0 {
            Locale::En => "en_US",
            Locale::ZhCn => "zh_CN",
        }
    }

    /// An instant as chat replies write it: day and time of day.
    pub fn when(self, t: i64) -> String {
        lyceum_core::clock::human_moment(t, self.0, self.1)
    }

    /// A day, as chat replies write access dates.
    pub fn day(self, t: i64) -> String {
        lyceum_core::clock::human_date(t, self.0, self.1)
    }
}

/// The bar at the top of a signed-in page.
pub struct Nav {
    pub community: String,
    pub csrf: String,
    /// The key of the page that is open, to mark its link.
    pub here: &'static str,
}

impl Nav {
    /// Each page's address under the community, and its name's key.
    pub const PAGES: [(&'static str, &'static str); 7] = [
        ("", "dash-overview"),
        ("/members", "dash-members"),
        ("/revenue", "dash-revenue"),
        ("/leaderboard", "dash-leaderboard"),
        ("/lessons", "dash-lessons"),
        ("/audit", "dash-audit"),
        ("/exports", "dash-exports"),
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
    pub tr: Tr,
    pub nav: Option<Nav>,
    pub title: &'a str,
    pub text: &'a str,
}

/// A page with a title and one sentence, for refusals and errors.
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    // Said before anyone is known to be signed in: in English.
    page(
        status,
        &Message {
            tr: Tr(Locale::En, chrono_tz::UTC),
            nav: None,
            title,
            text,
        },
    )
}

pub struct Figure {
    pub label: String,
    pub value: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct Overview {
    pub tr: Tr,
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
    pub tr: Tr,
    pub nav: Option<Nav>,
    pub title: String,
    pub query: String,
    /// How many were found, and how many of those are shown, in words.
    pub found: String,
    pub rows: Vec<MemberLine>,
}

#[derive(Template)]
#[template(path = "member.html")]
pub struct Member {
    pub tr: Tr,
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
    pub tr: Tr,
    pub nav: Option<Nav>,
    pub title: String,
    /// Links shown above the table: text and address.
    pub links: Vec<(String, String)>,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub empty: String,
}
