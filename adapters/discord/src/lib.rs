//! Discord for Lyceum, on serenity's gateway client: the core's catalogue as
//! slash commands in English and Simplified Chinese, roles that follow
//! entitlements through the outbox, admin guidance about permissions, and
//! messages and reactions reported as activity.
//!
//! Gateway intents: GUILDS (guild and role state), GUILD_MEMBERS (privileged:
//! members joining again get their roles back, and reconciliation lists
//! members), GUILD_MESSAGES and MESSAGE_CONTENT (privileged: a message's
//! length counts for activity rules), GUILD_MESSAGE_REACTIONS (reactions
//! given and received).

pub mod alerts;
pub mod cards;
pub mod commands;
pub mod config;
pub mod dms;
pub mod guidance;
pub mod handler;
pub mod interaction;
pub mod reconcile;
pub mod rest;
pub mod sink;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use lyceum_core::Core;
use lyceum_core::domain::Locale;
use serenity::all::{ApplicationId, ClientBuilder, GatewayIntents, Http, HttpBuilder};
use tokio::sync::watch;

pub use config::{Bindings, GuildBinding, ShardRange};

pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MEMBERS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
        | GatewayIntents::GUILD_MESSAGE_REACTIONS
}

pub struct Options {
    pub token: String,
    pub application_id: u64,
    /// Send REST calls here instead of discord.com (a proxy, or a test fake).
    pub api_proxy: Option<String>,
    pub shards: Option<ShardRange>,
    pub bindings: Arc<Bindings>,
    pub reconcile_every: Duration,
    /// Shared by the sink and the gateway handler, so an alert is posted once.
    pub alerts: alerts::Memory,
}

/// A REST client, through the proxy when one is configured.
pub fn http(opts: &Options) -> Http {
    let mut b = HttpBuilder::new(&opts.token).application_id(ApplicationId::new(opts.application_id.max(1)));
    if let Some(proxy) = &opts.api_proxy {
        // serenity's own limiter sends straight to discord.com; with a proxy,
        // limits are the proxy's job (see `rest`).
        b = b.proxy(proxy.clone()).ratelimiter_disabled(true);
    }
    b.build()
}

/// What an admin must fix after a permission failure, as one message.
pub async fn guidance_after_failure(http: &Http, b: &GuildBinding) -> String {
    let fallback = "Lyceum could not change a role here; check that its role has Manage Roles and sits above the roles it manages.".to_owned();
    let Ok(me) = http.get_current_user().await else {
        return fallback;
    };
    match guidance::check(http, b, me.id, Locale::En).await {
        Ok(problems) if !problems.is_empty() => problems.join("\n"),
        _ => fallback,
    }
}

/// The outbox sink for `discord:` effects, with its own REST client.
/// The outbox sink; `lent` holds the tokens buyers lent on the web, with
/// which someone not yet in a server is added to it.
pub fn sink(opts: &Options, lent: Option<Arc<Core>>) -> sink::DiscordSink {
    let http = Arc::new(http(opts));
    sink::DiscordSink {
        alerts: alerts::Alerts::new(http.clone(), opts.alerts.clone()),
        http,
        bindings: opts.bindings.clone(),
        dms: dms::DmChannels::default(),
        lent,
    }
}

/// Connects to the gateway and serves until `stop`; reconciles roles at start
/// and every `reconcile_every`.
pub async fn run(
    core: Arc<Core>,
    opts: Options,
    mut stop: watch::Receiver<bool>,
) -> Result<(), serenity::Error> {
    let rest = Arc::new(http(&opts));
    let alerts = alerts::Alerts::new(rest.clone(), opts.alerts.clone());
    let handler = handler::Handler {
        core: core.clone(),
        bindings: opts.bindings.clone(),
        alerts,
        started: AtomicBool::new(false),
    };
    let mut client = ClientBuilder::new_with_http(http(&opts), intents())
        .event_handler(handler)
        .await?;
    let shards = client.shard_manager.clone();
    let bindings = opts.bindings.clone();
    let every = opts.reconcile_every;
    let mut reconcile_stop = stop.clone();
    let reconciler = tokio::spawn(async move {
        let pace = reconcile::pacer();
        loop {
            reconcile::run(&rest, &core, &bindings, &pace).await;
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = reconcile_stop.wait_for(|s| *s) => break,
            }
        }
    });
    let gateway = async {
        match opts.shards {
            Some(r) => client.start_shard_range(r.first..r.last + 1, r.total).await,
            None => client.start().await,
        }
    };
    let result = tokio::select! {
        r = gateway => r,
        () = async {
            // The guard wait_for returns must not live across the shutdown.
            let _ = stop.wait_for(|s| *s).await;
        } => {
            shards.shutdown_all().await;
            Ok(())
        }
    };
    reconciler.abort();
    result
}
