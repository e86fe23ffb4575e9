//! What every HTTP route is held to: a deadline for the whole request (body
//! included), a largest body, and, for routes the public can reach, a rate
//! per client address through governor. Health, readiness and metrics are
//! for the operator's own probes and are not rate limited.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Response, StatusCode};
use governor::middleware::NoOpMiddleware;
use serde::{Deserialize, Serialize};
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::PeerIpKeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// How often one client address may call, and how many calls it may make
/// at once before that rate applies.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub per_second: u32,
    pub burst: u32,
}

/// The limits of [`crate::http::router`], from `[http]` in the settings.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub request_timeout: Duration,
    /// Sign-in links, dashboard pages, public statistics, privacy exports
    /// and billing links.
    pub pages: Rate,
    /// Stripe and Telegram webhooks: few senders, in bursts.
    pub webhooks: Rate,
    /// The public pages of each community: anyone with the link, and the
    /// crawlers that unfurl it.
    pub public: Rate,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(10),
            pages: Rate {
                per_second: 5,
                burst: 30,
            },
            webhooks: Rate {
                per_second: 100,
                burst: 500,
            },
            public: Rate {
                per_second: 50,
                burst: 200,
            },
        }
    }
}

type Limiter = GovernorConfig<PeerIpKeyExtractor, NoOpMiddleware>;

/// A per-address limiter at `rate`; none for a rate of zero, which
/// settings validation refuses.
fn limiter(rate: Rate) -> Option<Limiter> {
    if rate.per_second == 0 {
        return None;
    }
    GovernorConfigBuilder::default()
        .period(Duration::from_secs(1) / rate.per_second)
        .burst_size(rate.burst)
        .finish()
}

fn too_many(e: GovernorError) -> Response<Body> {
    let (status, wait) = match e {
        GovernorError::TooManyRequests { wait_time, .. } => (StatusCode::TOO_MANY_REQUESTS, wait_time.max(1)),
        GovernorError::UnableToExtractKey | GovernorError::Other { .. } => {
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::from("internal error"))
                .unwrap_or_default();
        }
    };
    Response::builder()
        .status(status)
        .header("retry-after", wait.to_string())
        .header("content-type", "text/plain; charset=utf-8")
        .body(Body::from(format!(
            "Too many requests from this address; try again in {wait} s.\n请求过于频繁，请 {wait} 秒后再试。\n"
        )))
        .unwrap_or_default()
}

/// `router` behind a per-address rate; the limiter forgets idle addresses
/// every minute so its memory stays bounded.
pub fn rate_limited(router: Router, rate: Rate) -> Router {
    let Some(config) = limiter(rate) else {
        return router;
    };
    let forget = config.limiter().clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            forget.retain_recent();
        }
    });
    router.layer(GovernorLayer::new(config).error_handler(too_many))
}

/// The deadline and body limit around the whole router: no route takes a
/// body bigger than a webhook's.
pub fn bounded(router: Router, limits: &Limits) -> Router {
    router
        .layer(RequestBodyLimitLayer::new(crate::webhook::MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
}

/// What `axum::serve` needs for the limiter to see client addresses.
pub type WithPeer = axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr>;

pub fn with_peer(router: Router) -> WithPeer {
    router.into_make_service_with_connect_info::<SocketAddr>()
}
