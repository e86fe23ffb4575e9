//! The bot's HTTP server: health, readiness and Prometheus metrics,
//! webhooks, and the admin dashboard (adapters/web).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use lyceum_core::Core;
use lyceum_stripe::PortalLinks;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::limits::{self, Limits};
use crate::webhook::{self, StripeHook};

#[derive(Clone)]
struct AppState {
    db: DatabaseConnection,
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// Prometheus' scrape: the core's counters, and the depth and age of the
/// outbox and the payment inbox as they are now.
async fn metrics(State(core): State<Arc<Core>>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let m = core.metrics();
    let backlogs = [
        (
            "outbox",
            core.outbox_backlog().await,
            &m.outbox_pending,
            &m.outbox_oldest_secs,
        ),
        (
            "payment inbox",
            core.inbox_backlog().await,
            &m.inbox_pending,
            &m.inbox_oldest_secs,
        ),
    ];
    for (what, backlog, pending_gauge, oldest_gauge) in backlogs {
        match backlog {
            Ok((pending, oldest)) => {
                pending_gauge.set(i64::try_from(pending).unwrap_or(i64::MAX));
                oldest_gauge.set(oldest.map_or(0, |at| (core.now() - at).max(0)));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the {what} for /metrics"),
        }
    }
    let kind = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(axum::http::header::CONTENT_TYPE, kind)], m.render()).into_response()
}

/// What the webhook and link routes need beyond the core.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Stripe endpoint secrets; empty when Stripe is off.
    pub stripe_secrets: Vec<String>,
    /// Shared by the routes that verify Stripe signatures.
    pub kept_secret: Arc<crate::webhook::KeptSecret>,
    pub portal_links: Option<PortalLinks>,
    /// Set in Telegram's webhook mode.
    pub telegram: Option<crate::telegram::TelegramHook>,
    /// The public URL is https: dashboard cookies are marked Secure.
    pub https: bool,
    /// Where people reach this server, for the absolute links of public
    /// pages; empty leaves those links relative.
    pub public_url: String,
    pub limits: Limits,
    pub joins: JoinWiring,
}

/// What joining from the public pages needs beyond the pages themselves.
#[derive(Clone, Default)]
pub struct JoinWiring {
    pub discord: Option<Arc<lyceum_web::join::discord::DiscordSignIn>>,
    pub telegram: Option<Arc<lyceum_web::join::telegram::TelegramSignIn>>,
    /// Each community's Discord server.
    pub servers: std::collections::HashMap<String, u64>,
    /// Where the checkout's payment page is, which the join form may reach.
    pub pay_origin: String,
}

pub fn router(core: Arc<Core>, payments: Hooks) -> Router {
    let limits = payments.limits;
    // Webhook bodies are held to webhook::MAX_BODY by limits::bounded.
    let webhooks = Router::new()
        .route("/webhooks/telegram", post(crate::telegram::webhook))
        .with_state(payments.telegram.clone())
        .merge(
            Router::new()
                .route("/webhooks/stripe", post(webhook::stripe))
                .with_state(stripe_hook(&core, &payments)),
        );
    let pages = Router::new()
        .route("/billing/portal/{member}/{expires}/{tag}", get(webhook::portal))
        .with_state(stripe_hook(&core, &payments))
        .route("/billing/done", get(webhook::billing_done))
        .merge(lyceum_web::router(lyceum_web::Dashboard {
            core: core.clone(),
            secure: payments.https,
        }))
        .layer(DefaultBodyLimit::max(PAGE_BODY));
    let probes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(AppState {
            db: core.db().clone(),
        })
        .merge(
            Router::new()
                .route("/metrics", get(metrics))
                .with_state(core.clone()),
        );
    let store = lyceum_web::storefront::Storefronts {
        core: core.clone(),
        public_url: payments.public_url.trim_end_matches('/').to_owned(),
        cache: Arc::new(lyceum_web::storefront::PageCache::new(STOREFRONT_TTL)),
    };
    let joins = lyceum_web::join::router(lyceum_web::join::Joins {
        store: store.clone(),
        discord: payments.joins.discord.clone(),
        telegram: payments.joins.telegram.clone(),
        secure: payments.https,
        guilds: Arc::new(payments.joins.servers.clone()),
        csp: lyceum_web::join::policy(&payments.joins.pay_origin),
    })
    .layer(DefaultBodyLimit::max(PAGE_BODY));
    let storefronts = lyceum_web::storefront::router(store);
    let public = limits::rate_limited(webhooks, limits.webhooks)
        .merge(limits::rate_limited(pages.merge(joins), limits.pages))
        .merge(limits::rate_limited(storefronts, limits.public));
    limits::bounded(probes.merge(public), &limits)
}

/// Longest a public page is served from memory: how long a new member count
/// or another instance's lesson change takes to show.
const STOREFRONT_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Dashboard forms are a few fields.
const PAGE_BODY: usize = 16 * 1024;

fn stripe_hook(core: &Arc<Core>, payments: &Hooks) -> StripeHook {
    StripeHook {
        core: core.clone(),
        secrets: Arc::new(payments.stripe_secrets.clone()),
        kept: payments.kept_secret.clone(),
        links: payments.portal_links.clone(),
    }
}

/// Binds now (so a port conflict fails start-up) and serves until `stop`.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

pub async fn serve(
    listener: TcpListener,
    core: Arc<Core>,
    payments: Hooks,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    axum::serve(listener, limits::with_peer(router(core, payments)))
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
        .await
}
