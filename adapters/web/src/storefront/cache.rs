//! Rendered public pages, kept per community, language and page. An entry
//! is good while no lesson has changed in this process and it is younger
//! than the time to live, which bounds how long another instance's change
//! or a new member count takes to show.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;
use lyceum_core::domain::Locale;
use lyceum_core::engine::storefront::Storefront;
use lyceum_core::error::CoreResult;
use parking_lot::Mutex;

use super::Storefronts;

/// Which public page of a community.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Community,
    Course(String),
    Lesson(String),
    Card,
}

impl Kind {
    pub fn content_type(&self) -> &'static str {
        match self {
            Kind::Card => "image/png",
            _ => "text/html; charset=utf-8",
        }
    }
}

#[derive(Clone)]
pub struct Rendered {
    pub status: StatusCode,
    pub body: Bytes,
    /// The body gzipped once, for the browsers that take it; pages only.
    pub gzip: Option<Bytes>,
    pub kind: Kind,
}

impl Rendered {
    pub fn new(status: StatusCode, body: Bytes, kind: Kind) -> Rendered {
        let gzip = (kind != Kind::Card).then(|| gzip(&body)).flatten();
        Rendered {
            status,
            body,
            gzip,
            kind,
        }
    }
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    out.write_all(body).ok()?;
    out.finish().ok().map(Bytes::from)
}

struct Entry<T> {
    value: T,
    version: u64,
    made: Instant,
}

impl<T: Clone> Entry<T> {
    fn fresh(&self, version: u64, ttl: Duration) -> Option<T> {
        (self.version == version && self.made.elapsed() < ttl).then(|| self.value.clone())
    }
}

type PageKey = (String, Locale, Kind);
type ViewKey = (String, Locale);

pub struct PageCache {
    ttl: Duration,
    views: Mutex<HashMap<ViewKey, Entry<Arc<Storefront>>>>,
    pages: Mutex<HashMap<PageKey, Entry<Rendered>>>,
}

impl PageCache {
    pub fn new(ttl: Duration) -> Self {
        PageCache {
            ttl,
            views: Mutex::default(),
            pages: Mutex::default(),
        }
    }

    /// The community as its pages show it, read from the database at most
    /// once per time to live; None for a community that does not exist.
    pub(crate) async fn view(
        &self,
        s: &Storefronts,
        slug: &str,
        locale: Locale,
        version: u64,
    ) -> CoreResult<Option<Arc<Storefront>>> {
        let key = (slug.to_owned(), locale);
        if let Some(v) = self
            .views
            .lock()
            .get(&key)
            .and_then(|e| e.fresh(version, self.ttl))
        {
            return Ok(Some(v));
        }
        let Some(view) = s.core.storefront(slug, locale).await? else {
            return Ok(None);
        };
        let view = Arc::new(view);
        self.views.lock().insert(
            key,
            Entry {
                value: view.clone(),
                version,
                made: Instant::now(),
            },
        );
        Ok(Some(view))
    }

    pub(super) async fn get_or_render(
        &self,
        s: &Storefronts,
        slug: &str,
        locale: Locale,
        kind: Kind,
    ) -> CoreResult<Rendered> {
        // Read before the view is: a change landing while it is built makes
        // the entry stale at once instead of living out its time.
        let version = s.core.catalogue_version();
        let key = (slug.to_owned(), locale, kind);
        if let Some(r) = self
            .pages
            .lock()
            .get(&key)
            .and_then(|e| e.fresh(version, self.ttl))
        {
            return Ok(r);
        }
        let (slug, locale, kind) = key;
        let Some(view) = self.view(s, &slug, locale, version).await? else {
            return Ok(super::views::unknown(locale, kind));
        };
        let rendered = super::views::render(s, &view, locale, kind.clone());
        // Only pages that exist are kept, so made-up addresses cannot fill
        // the memory.
        if rendered.status == StatusCode::OK {
            self.pages.lock().insert(
                (slug, locale, kind),
                Entry {
                    value: rendered.clone(),
                    version,
                    made: Instant::now(),
                },
            );
        }
        Ok(rendered)
    }
}
