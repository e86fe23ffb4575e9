//! Rendered public pages, kept per community, language and page. An entry
//! is good while no lesson has changed in this process and it is younger
//! than the time to live, which bounds how long another instance's change
//! or a new member count takes to show.
//!
//! An entry that only grew old is still served while one task builds its
//! successor, so visitors never wait on the counts being read again; a
//! page that is missing or changed is built by one visitor while the rest
//! wait for that build instead of each reading the counts at once.

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

    /// The value of an entry of this version, however old.
    fn current(&self, version: u64) -> Option<T> {
        (self.version == version).then(|| self.value.clone())
    }
}

/// Whether a cached page may be served, must be refreshed behind it, or
/// must be built first.
enum Found {
    Fresh(Rendered),
    Old(Rendered),
    Missing,
}

type PageKey = (String, Locale, Kind);
type ViewKey = (String, Locale);

pub struct PageCache {
    ttl: Duration,
    views: Mutex<HashMap<ViewKey, Entry<Arc<Storefront>>>>,
    pages: Mutex<HashMap<PageKey, Entry<Rendered>>>,
    /// One build at a time per community and language: the pages of one
    /// view share its reads.
    builds: Mutex<HashMap<ViewKey, Arc<tokio::sync::Mutex<()>>>>,
}

impl PageCache {
    pub fn new(ttl: Duration) -> Self {
        PageCache {
            ttl,
            views: Mutex::default(),
            pages: Mutex::default(),
            builds: Mutex::default(),
        }
    }

    fn find(&self, key: &PageKey, version: u64) -> Found {
        let pages = self.pages.lock();
        let Some(e) = pages.get(key) else {
            return Found::Missing;
        };
        match (e.fresh(version, self.ttl), e.current(version)) {
            (Some(r), _) => Found::Fresh(r),
            (None, Some(r)) => Found::Old(r),
            (None, None) => Found::Missing,
        }
    }

    fn build_lock(&self, slug: &str, locale: Locale) -> Arc<tokio::sync::Mutex<()>> {
        self.builds
            .lock()
            .entry((slug.to_owned(), locale))
            .or_default()
            .clone()
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
        Ok(self.view_made(s, slug, locale, version).await?.map(|(v, _)| v))
    }

    /// The view and when it was read, which is how old a page built from
    /// it is.
    async fn view_made(
        &self,
        s: &Storefronts,
        slug: &str,
        locale: Locale,
        version: u64,
    ) -> CoreResult<Option<(Arc<Storefront>, Instant)>> {
        let key = (slug.to_owned(), locale);
        if let Some(found) = self
            .views
            .lock()
            .get(&key)
            .and_then(|e| e.fresh(version, self.ttl).map(|v| (v, e.made)))
        {
            return Ok(Some(found));
        }
        let Some(view) = s.core.storefront(slug, locale).await? else {
            return Ok(None);
        };
        let view = Arc::new(view);
        let made = Instant::now();
        self.views.lock().insert(
            key,
            Entry {
                value: view.clone(),
                version,
                made,
            },
        );
        Ok(Some((view, made)))
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
        match self.find(&key, version) {
            Found::Fresh(r) => return Ok(r),
            Found::Old(r) => {
                // Whoever gets the build lock refreshes it behind this
                // answer; the others serve the old page meanwhile.
                if let Ok(guard) = self.build_lock(slug, locale).try_lock_owned() {
                    let (s, key) = (s.clone(), key.clone());
                    tokio::spawn(async move {
                        let _building = guard;
                        let cache = s.cache.clone();
                        if let Err(e) = cache.render_into(&s, key.clone(), version).await {
                            tracing::warn!(community = %key.0, error = %e, "a public page could not be refreshed");
                        }
                    });
                }
                return Ok(r);
            }
            Found::Missing => {}
        }
        // Locks are made only for communities that exist, so made-up
        // addresses cannot fill the memory with them.
        if s.core.community(slug).is_none() {
            return self.render_into(s, key, version).await;
        }
        let lock = self.build_lock(slug, locale);
        let _building = lock.lock().await;
        // Someone else may have built it while this one waited.
        if let Found::Fresh(r) = self.find(&key, version) {
            return Ok(r);
        }
        self.render_into(s, key, version).await
    }

    /// Renders the page `key` names and keeps it if it exists.
    async fn render_into(&self, s: &Storefronts, key: PageKey, version: u64) -> CoreResult<Rendered> {
        let (slug, locale, kind) = key;
        let Some((view, made)) = self.view_made(s, &slug, locale, version).await? else {
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
                    made,
                },
            );
        }
        Ok(rendered)
    }
}
