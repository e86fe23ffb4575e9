//! The public pages' templates and the words they are filled with.

use askama::Template;
use axum::body::Bytes;
use axum::http::StatusCode;
use lyceum_core::config::OfferKind;
use lyceum_core::config::Shown;
use lyceum_core::domain::Locale;
use lyceum_core::engine::storefront::{CourseCard, Storefront, Teaser};
use lyceum_core::i18n::{t, t_args};
use lyceum_core::reply::{PriceView, UnlockWay};

use super::Storefronts;
use super::cache::{Kind, Rendered};
use crate::views::Tr;

/// What link previews and search engines read from the head of a page.
pub struct Meta {
    pub site: String,
    pub title: String,
    pub description: String,
    pub url: String,
    pub image: String,
    /// The same page in each language: tag and address.
    pub alternates: Vec<(&'static str, String)>,
}

pub struct TierLine {
    pub key: String,
    pub name: String,
    /// Each price, with the offer that sells it at that price (none for
    /// Stars, which are paid in Telegram).
    pub prices: Vec<(String, Option<String>)>,
    pub trial: Option<String>,
    pub perks: Vec<String>,
}

/// What every public page carries besides its own content.
pub struct Frame {
    pub tr: Tr,
    pub meta: Meta,
    /// This page in each language: tag, language name, address, and
    /// whether it is the one shown.
    pub langs: Vec<(&'static str, String, String, bool)>,
    /// The community page's address, and the `?lang=` that keeps the
    /// visitor's choice on the links between pages.
    pub base: String,
    pub lang_query: String,
    /// The community page in the visitor's language.
    pub home: String,
    /// Something another party completes, which the page follows: its
    /// status address and the state the page shows (see assets/follow.js).
    pub follow: Option<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "public/store.html")]
struct StorePage<'a> {
    f: Frame,
    s: &'a Storefront,
    counts: Vec<(u64, String)>,
    tiers: Vec<TierLine>,
}

#[derive(Template)]
#[template(path = "public/course.html")]
struct CoursePage<'a> {
    f: Frame,
    s: &'a Storefront,
    c: &'a CourseCard,
}

#[derive(Template)]
#[template(path = "public/lesson.html")]
struct LessonPage<'a> {
    f: Frame,
    s: &'a Storefront,
    l: &'a Teaser,
    /// Each way to read it, with the offer that sells it where it is bought.
    ways: Vec<(String, Option<String>)>,
}

/// How a lesson is read, in one line for lists.
fn access(tr: Tr, l: &Teaser) -> String {
    let mut parts: Vec<String> = l.ways.iter().map(|w| way(tr, w)).collect();
    if parts.is_empty() {
        parts.push(tr.get("store-free"));
    }
    let line = parts.join(" · ");
    match &l.opens {
        Some(day) => format!("{line} · {}", tr.text("store-opens", "date", day)),
        None => line,
    }
}

fn way(tr: Tr, w: &UnlockWay) -> String {
    let l = tr.0;
    match w {
        UnlockWay::Tier { name, .. } => t_args(l, "store-way-tier", &[("tier", name.as_str().into())]),
        UnlockWay::Buy { price } => t_args(l, "store-way-buy", &[("price", price.as_str().into())]),
        UnlockWay::Course { name, price, .. } => t_args(
            l,
            "store-way-course",
            &[("course", name.as_str().into()), ("price", price.as_str().into())],
        ),
        UnlockWay::Points { cost, .. } => t_args(l, "store-way-points", &[("cost", (*cost).into())]),
    }
}

/// Each way to read lesson `key`, with the offer to buy where it is bought.
pub(crate) fn way_offers(tr: Tr, key: &str, ways: &[UnlockWay]) -> Vec<(String, Option<String>)> {
    ways.iter()
        .map(|w| {
            let offer = match w {
                UnlockWay::Buy { .. } => Some(lyceum_core::engine::lesson_offer_key(key)),
                UnlockWay::Course { offer, .. } => Some(offer.clone()),
                UnlockWay::Tier { .. } | UnlockWay::Points { .. } => None,
            };
            (way(tr, w), offer)
        })
        .collect()
}

macro_rules! teaser_lines {
    ($($page:ident),*) => {$(
        impl $page<'_> {
            fn access(&self, l: &Teaser) -> String {
                access(self.f.tr, l)
            }
        }
    )*};
}
teaser_lines!(StorePage, CoursePage);

pub(crate) fn price(tr: Tr, p: &PriceView) -> String {
    let per = if p.kind == OfferKind::TierMonthly.as_str() {
        "store-per-month"
    } else if p.kind == OfferKind::TierYearly.as_str() {
        "store-per-year"
    } else {
        return p.display.clone();
    };
    tr.text(per, "price", &p.display)
}

pub(crate) fn frame(
    s: &Storefronts,
    view: &Storefront,
    locale: Locale,
    path: &str,
    title: String,
    description: String,
) -> Frame {
    let base = format!("/c/{}", view.slug);
    let url = |l: Locale| format!("{}{base}{path}?lang={}", s.public_url, l.tag());
    Frame {
        tr: Tr(locale, chrono_tz::UTC),
        meta: Meta {
            site: view.name.clone(),
            title,
            description,
            url: url(locale),
            image: format!("{}{base}/card.png?lang={}", s.public_url, locale.tag()),
            alternates: Locale::ALL.iter().map(|l| (l.tag(), url(*l))).collect(),
        },
        langs: Locale::ALL
            .iter()
            .map(|l| {
                let href = format!("{base}{path}?lang={}", l.tag());
                (l.tag(), t(*l, "store-language-name"), href, *l == locale)
            })
            .collect(),
        home: format!("{base}?lang={}", locale.tag()),
        lang_query: format!("?lang={}", locale.tag()),
        base,
        follow: None,
    }
}

fn html(status: StatusCode, kind: Kind, page: &impl Template) -> Rendered {
    match page.render() {
        Ok(body) => Rendered::new(status, Bytes::from(body), kind),
        Err(e) => {
            tracing::error!(error = %e, "a public page failed to render");
            Rendered::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                Bytes::from_static(b"the page could not be rendered"),
                kind,
            )
        }
    }
}

/// The answer for an address that names no community, course or lesson.
pub fn unknown(locale: Locale, kind: Kind) -> Rendered {
    // Our own words only, so nothing here needs escaping.
    let text = t(locale, "store-not-found");
    let body = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>{text}</title><p>{text}</p></html>",
        locale.tag()
    );
    let kind = if kind == Kind::Card { Kind::Community } else { kind };
    Rendered::new(StatusCode::NOT_FOUND, Bytes::from(body), kind)
}

pub fn render(s: &Storefronts, view: &Storefront, locale: Locale, kind: Kind) -> Rendered {
    // Dates reach these pages already written, in the community's zone.
    let tr = Tr(locale, chrono_tz::UTC);
    let summary = view
        .tagline
        .clone()
        .or_else(|| view.description.first().cloned())
        .unwrap_or_else(|| view.name.clone());
    match &kind {
        Kind::Community => {
            let f = frame(s, view, locale, "", view.name.clone(), summary);
            let page = StorePage {
                f,
                s: view,
                counts: view
                    .counts
                    .iter()
                    .map(|(shown, n)| {
                        let key = match shown {
                            Shown::Members => "store-count-members",
                            Shown::Lessons => "store-count-lessons",
                            Shown::Courses => "store-count-courses",
                        };
                        (*n, tr.with(key, "count", *n))
                    })
                    .collect(),
                tiers: view
                    .tiers
                    .iter()
                    .map(|t| TierLine {
                        key: t.key.clone(),
                        name: t.name.clone(),
                        prices: t
                            .prices
                            .iter()
                            .map(|p| (price(tr, p), Some(p.offer.clone())))
                            .chain(
                                t.stars_monthly
                                    .map(|n| (tr.with("store-stars-month", "stars", n), None)),
                            )
                            .collect(),
                        trial: (t.trial_days > 0).then(|| tr.with("store-trial", "days", t.trial_days)),
                        perks: t.perks.clone(),
                    })
                    .collect(),
            };
            html(StatusCode::OK, kind, &page)
        }
        Kind::Course(key) => {
            let Some(c) = view.courses.iter().find(|c| &c.key == key) else {
                return unknown(locale, kind);
            };
            let path = format!("/courses/{key}");
            let title = format!("{} · {}", c.name, view.name);
            let f = frame(s, view, locale, &path, title, summary);
            let page = CoursePage { f, s: view, c };
            html(StatusCode::OK, kind, &page)
        }
        Kind::Lesson(key) => {
            let Some(l) = view.all_lessons().find(|l| &l.key == key) else {
                return unknown(locale, kind);
            };
            let path = format!("/lessons/{key}");
            let title = format!("{} · {}", l.title, view.name);
            let description = l.teaser.clone().unwrap_or(summary);
            let f = frame(s, view, locale, &path, title, description);
            let mut ways = way_offers(tr, &l.key, &l.ways);
            if ways.is_empty() {
                ways.push((tr.get("store-free"), None));
            }
            let page = LessonPage { f, s: view, l, ways };
            html(StatusCode::OK, kind, &page)
        }
        Kind::Card => match lyceum_core::card::storefront_png(locale, &view.name, view.tagline.as_deref()) {
            Ok(png) => Rendered::new(StatusCode::OK, Bytes::from(png), kind),
            Err(e) => {
                tracing::error!(error = %e, "a community card could not be drawn");
                Rendered::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Bytes::from_static(b"the card could not be drawn"),
                    Kind::Community,
                )
            }
        },
    }
}
