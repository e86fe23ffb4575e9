//! The pages of joining from the web: the offer with the way to sign in and
//! pay, and the page that follows a purchase until access is granted.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use lyceum_core::engine::Progress;
use lyceum_core::engine::lesson_offer_key;
use lyceum_core::engine::storefront::Storefront;
use lyceum_core::reply::UnlockWay;

use crate::storefront::views::{Frame, price};
use crate::views::Tr;

/// What is bought, as the join page shows it.
pub struct OfferLine {
    pub key: String,
    pub name: String,
    pub prices: Vec<String>,
    pub trial: Option<String>,
}

/// The signed-in visitor, as the join page greets them.
pub struct Who {
    pub signed_in: String,
    pub csrf: String,
    pub has_access: bool,
}

#[derive(Template)]
#[template(path = "public/join.html")]
pub struct JoinPage {
    pub f: Frame,
    pub offer: OfferLine,
    pub notice: Option<String>,
    pub referral: Option<String>,
    pub who: Option<Who>,
    /// The ways to sign in that are set up: label and address.
    pub sign_in: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "public/welcome.html")]
pub struct WelcomePage {
    pub f: Frame,
    pub headline: String,
    pub steps: Vec<(String, bool)>,
    pub refresh: bool,
    /// Where the member goes now, and the words of the button.
    pub open: Option<(String, String)>,
}

impl WelcomePage {
    /// `status` is the address that tells how far the purchase has got.
    pub fn new(
        mut f: Frame,
        progress: Progress,
        status: String,
        open: Option<(String, &str)>,
    ) -> WelcomePage {
        let tr = f.tr;
        let (headline, done) = match progress {
            Progress::Waiting => ("welcome-waiting", 0),
            Progress::Delivering => ("welcome-delivering", 2),
            Progress::Ready => ("welcome-ready", 3),
        };
        let steps = ["welcome-step-paid", "welcome-step-access", "welcome-step-open"]
            .iter()
            .enumerate()
            .map(|(i, k)| (tr.get(k), i < done))
            .collect();
        let refresh = progress != Progress::Ready;
        f.follow = refresh.then(|| (status, progress_state(progress)));
        WelcomePage {
            f,
            headline: tr.get(headline),
            steps,
            refresh,
            open: open
                .filter(|_| progress == Progress::Ready)
                .map(|(href, label)| (href, tr.get(label))),
        }
    }
}

/// A purchase's progress as its status address says it.
pub fn progress_state(p: Progress) -> &'static str {
    match p {
        Progress::Waiting => "waiting",
        Progress::Delivering => "delivering",
        Progress::Ready => "ready",
    }
}

/// Offer `key` as the community's page lists it: a tier's price, a
/// course's, or a lesson's own.
pub fn offer_line(tr: Tr, view: &Storefront, key: &str) -> Option<OfferLine> {
    let line = |name: &str, prices: Vec<String>, trial| OfferLine {
        key: key.to_owned(),
        name: name.to_owned(),
        prices,
        trial,
    };
    for t in &view.tiers {
        if let Some(p) = t.prices.iter().find(|p| p.offer == key) {
            let trial = (t.trial_days > 0).then(|| tr.with("store-trial", "days", t.trial_days));
            return Some(line(&t.name, vec![price(tr, p)], trial));
        }
    }
    for c in &view.courses {
        if c.offer.as_deref() == Some(key) {
            return Some(line(&c.name, c.price.iter().cloned().collect(), None));
        }
    }
    view.all_lessons()
        .filter(|l| lesson_offer_key(&l.key) == key)
        .find_map(|l| {
            l.ways.iter().find_map(|w| match w {
                UnlockWay::Buy { price } => Some(line(&l.title, vec![price.clone()], None)),
                _ => None,
            })
        })
}

/// A personal page: never cached, never framed, no script, and no
/// address leaked to the sites it links to.
pub fn personal(status: StatusCode, page: &impl Template, csp: &HeaderValue) -> Response {
    let mut res = match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a join page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    };
    let h = res.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    res
}

/// The pages' policy: no script but our own file, nothing loaded from
/// elsewhere, and forms
/// that go only here or, through the checkout's redirect, to the payment
/// page at `pay_origin`.
pub fn policy(pay_origin: &str) -> HeaderValue {
    let csp = format!(
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self' {pay_origin}; base-uri 'none'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&csp).unwrap_or_else(|_| {
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    })
}
