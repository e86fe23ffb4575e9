//! Start-up and the subcommands: each loads settings, opens the database and
//! builds a `Core`, then does its one job.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use lyceum_console::{ConsoleSink, Delivered, Session};
use lyceum_core::clock::SystemClock;
use lyceum_core::domain::{IdentityRef, Locale, Platform};
use lyceum_core::engine::ImportError;
use lyceum_core::inbox::InboxWorker;
use lyceum_core::outbox::{OutboxWorker, RetryPolicy};
use lyceum_core::signin::SignInLinks;
use lyceum_core::{Core, CoreError, Invoker, render};
use tokio::sync::watch;

use crate::cli::{Cli, Cmd, CommunityCmd, ConfigCmd, ImportCmd, MemberCmd, StripeCmd};
use crate::settings::{self, Loaded};
use crate::{db, http, logging};

/// What ended a run: bad usage or config (exit 2), or a runtime failure (exit 1).
enum Failure {
    Usage(String),
    Runtime(String),
}

impl From<db::DbError> for Failure {
    fn from(e: db::DbError) -> Self {
        Failure::Runtime(e.to_string())
    }
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::User(u) => Failure::Usage(render::reply(
                Locale::En,
                chrono_tz::UTC,
                "",
                &lyceum_core::Reply::Refused(u),
            )),
            other => Failure::Runtime(other.to_string()),
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

async fn dispatch(cli: Cli) -> Result<(), Failure> {
    let loaded = settings::load(cli.config.as_deref())
        .map_err(|e| Failure::Usage(format!("invalid configuration: {e}")))?;
    let json = cli.log_json || loaded.json_logs;
    let command = cli.command.unwrap_or(Cmd::Run);
    // The console shares the terminal with the person typing: only warnings.
    let filter = match command {
        Cmd::Run => loaded.settings.log.filter.clone(),
        _ => "warn".to_owned(),
    };
    logging::init(&filter, json);
    match command {
        Cmd::Run => run(loaded).await,
        Cmd::Console {
            name,
            admin,
            community,
            locale,
        } => console(loaded, name, admin, community, locale).await,
        Cmd::Stripe {
            command: StripeCmd::Setup,
        } => {
            let setup = crate::stripe_setup::Setup::new(&loaded).map_err(Failure::Usage)?;
            let core = start_core(&loaded).await?;
            let report = setup
                .apply(&core, &loaded.communities)
                .await
                .map_err(Failure::Runtime)?;
            print!("{report}");
            Ok(())
        }
        Cmd::Migrate => {
            db::open_and_migrate(&loaded.settings.database.url).await?;
            println!("database is up to date");
            Ok(())
        }
        Cmd::Config {
            command: ConfigCmd::Show,
        } => {
            let text = toml_like(&loaded)?;
            println!("{text}");
            Ok(())
        }
        Cmd::Community { command } => community(loaded, command).await,
        Cmd::Member { command } => member(loaded, command).await,
        Cmd::Reconcile { dry_run, json } => {
            let core = start_core(&loaded).await?;
            let report = core.reconcile(dry_run).await?;
            if json {
                return print_json(&report);
            }
            print!("{}", crate::reports::reconcile_text(&report));
            Ok(())
        }
        Cmd::Import {
            command:
                ImportCmd::Levels {
                    community,
                    file,
                    dry_run,
                    json,
                },
        } => {
            let data = std::fs::read(&file)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
            let core = start_core(&loaded).await?;
            let report = match core.import_levels(&community, &data, dry_run).await {
                Ok(report) => report,
                Err(ImportError::Rows(problems)) => {
                    let lines: Vec<String> = problems
                        .iter()
                        .map(|p| format!("{}:{}: {}", file.display(), p.line, p.problem))
                        .collect();
                    return Err(Failure::Usage(format!(
                        "{}\n{} bad rows; nothing was imported",
                        lines.join("\n"),
                        problems.len()
                    )));
                }
                Err(ImportError::Core(e)) => return Err(e.into()),
            };
            if json {
                return print_json(&report);
            }
            print!("{}", crate::reports::import_text(&report));
            Ok(())
        }
        Cmd::Export { community, what } => {
            let kind = lyceum_core::engine::Export::parse(&what).ok_or_else(|| {
                Failure::Usage(format!(
                    "cannot export `{what}`: choose members, payments or points"
                ))
            })?;
            let core = start_core(&loaded).await?;
            print!("{}", core.export_csv(&community, kind).await?);
            Ok(())
        }
        Cmd::DashboardLink { community, identity } => {
            let who: IdentityRef = identity
                .parse()
                .map_err(|e: lyceum_core::domain::BadIdentity| Failure::Usage(e.to_string()))?;
            let core = start_core(&loaded).await?;
            println!("{}", core.dashboard_link(&community, &who).await?);
            Ok(())
        }
        Cmd::PrivacyExport { identity } => {
            let who: IdentityRef = identity
                .parse()
                .map_err(|e: lyceum_core::domain::BadIdentity| Failure::Usage(e.to_string()))?;
            let core = start_core(&loaded).await?;
            let data = core.identity_data(&who).await?;
            print_json(&data)
        }
        Cmd::Audit {
            community,
            limit,
            json,
        } => {
            let core = start_core(&loaded).await?;
            let entries = core.audit_log(&community, limit).await?;
            if json {
                let list: Vec<serde_json::Value> = entries
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "at": lyceum_core::clock::iso(e.at), "actor": e.actor,
                            "platform": e.platform, "command": e.command, "detail": e.detail,
                        })
                    })
                    .collect();
                return print_json(&list);
            }
            for e in entries {
                println!(
                    "{}  {} ({})  /{}  {}",
                    lyceum_core::clock::iso(e.at),
                    e.actor,
                    e.platform,
                    e.command,
                    e.detail
                );
            }
            Ok(())
        }
        Cmd::Revenue {
            community,
            from,
            to,
            json,
        } => {
            let core = start_core(&loaded).await?;
            let (from, to) =
                crate::reports::period(from.as_deref(), to.as_deref(), core.now()).map_err(Failure::Usage)?;
            let report = core.revenue(&community, from, to).await?;
            if json {
                return print_json(&report);
            }
            print!("{}", crate::reports::revenue_text(&report));
            Ok(())
        }
    }
}

fn toml_like(loaded: &Loaded) -> Result<String, Failure> {
    serde_json::to_string_pretty(&loaded.settings).map_err(|e| Failure::Runtime(e.to_string()))
}

async fn start_core(loaded: &Loaded) -> Result<Arc<Core>, Failure> {
    let db = db::open_and_migrate(&loaded.settings.database.url).await?;
    let mut core = Core::start(db, &loaded.communities, Arc::new(SystemClock)).await?;
    if let Some(billing) = crate::payments::billing(loaded).map_err(Failure::Usage)? {
        core = core.with_billing(billing);
    }
    let links = sign_in_links(loaded, core.db()).await?;
    core = core.with_sign_in(links);
    if let Some(sealer) = loaded.sealer() {
        core = core.with_sealer(sealer);
    }
    // Members can sign in on the public pages with either platform.
    if loaded.settings.discord.oauth.client_secret.is_some() || loaded.settings.telegram.token.is_some() {
        core = core.with_web_reading(&loaded.public_url);
    }
    if let Some(opts) = loaded.settings.telegram.options() {
        core = core.with_stars(Arc::new(lyceum_telegram::stars::Stars(lyceum_telegram::bot(
            &opts,
        ))));
    }
    Ok(Arc::new(core))
}

/// Dashboard links are signed with the configured secret, or else with a
/// key kept in the database, so the operator's `dashboard-link` and every
/// instance agree without configuration.
async fn sign_in_links(loaded: &Loaded, db: &sea_orm::DatabaseConnection) -> Result<SignInLinks, Failure> {
    use secrecy::ExposeSecret;
    let key = match &loaded.settings.http.dashboard_secret {
        Some(s) => s.expose_secret().as_bytes().to_vec(),
        None => lyceum_core::store::keys::signing_key(db, "dashboard").await?,
    };
    Ok(SignInLinks::new(&loaded.public_url, &key))
}

fn retry_policy(loaded: &Loaded) -> RetryPolicy {
    let o = &loaded.settings.outbox;
    RetryPolicy {
        base_secs: o.retry_base_secs,
        max_secs: o.retry_max_secs,
        max_attempts: o.max_attempts,
        attempt_secs: o.attempt_secs,
    }
}

async fn run(loaded: Loaded) -> Result<(), Failure> {
    let core = start_core(&loaded).await?;
    let stripe_secrets = crate::payments::webhook_secrets(&loaded, &core)
        .await
        .map_err(Failure::Usage)?;
    let listener = http::bind(loaded.http_addr)
        .await
        .map_err(|e| Failure::Runtime(format!("cannot listen on {} (http.addr): {e}", loaded.http_addr)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    let (stop, stopped) = watch::channel(false);

    let discord = loaded.settings.discord.options();
    let mut worker = OutboxWorker::new(core.db().clone(), core.clock(), retry_policy(&loaded))
        .with_metrics(core.metrics().clone());
    worker.register(Arc::new(ConsoleSink::Log));
    if let Some(opts) = &discord {
        worker.register(Arc::new(lyceum_discord::sink(opts, Some(core.clone()))));
    }
    // The outbox sink and the update handler speak through one client, so
    // Telegram's per-bot limits are counted once for both.
    let telegram = loaded.settings.telegram.options().map(|opts| {
        let tg = lyceum_telegram::Client::new(lyceum_telegram::bot(&opts));
        (opts, tg)
    });
    if let Some((opts, tg)) = &telegram {
        worker.register(Arc::new(lyceum_telegram::sink::TelegramSink {
            tg: tg.clone(),
            chats: opts.chats.clone(),
        }));
    }
    let worker_task = tokio::spawn(worker.run(core.wake(), stopped.clone()));
    let mut inbox = InboxWorker::new(core.clone());
    inbox.register(Arc::new(lyceum_stripe::InboxDecoder));
    let inbox_task = tokio::spawn(inbox.run(stopped.clone()));
    let discord_task = discord.map(|opts| {
        let (core, stopped) = (core.clone(), stopped.clone());
        tokio::spawn(async move {
            if let Err(e) = lyceum_discord::run(core, opts, stopped).await {
                tracing::error!(error = %e, "the Discord adapter stopped");
            }
        })
    });

    let scheduler = tokio::spawn(crate::scheduler::run(
        core.clone(),
        crate::scheduler::Every {
            expire: Duration::from_secs(loaded.settings.scheduler.expire_every_secs),
            reconcile: Duration::from_secs(loaded.settings.scheduler.reconcile_every_secs),
        },
        stopped.clone(),
    ));

    let telegram_sign_in = telegram.as_ref().map(|(opts, tg)| {
        let username = lyceum_telegram::learn_username(tg.bot.clone());
        Arc::new(lyceum_web::join::telegram::TelegramSignIn::new(
            &opts.token,
            username,
        ))
    });
    let (telegram_task, telegram_hook) = match telegram {
        Some((opts, tg)) => crate::telegram::start(&loaded, core.clone(), opts, tg, stopped.clone()).await,
        None => (None, None),
    };
    if discord_task.is_none() && loaded.settings.telegram.token.is_none() {
        tracing::info!(
            "no Discord or Telegram token configured; try the local console: \
             cargo run -- console --as alice   (or: lyceum console --as alice)"
        );
    }
    if loaded.settings.stripe.secret_key.is_some() {
        tracing::info!(
            "Stripe is configured; webhooks are received at {}/webhooks/stripe",
            loaded.public_url
        );
    }
    let slugs: Vec<&str> = core
        .communities()
        .iter()
        .map(lyceum_core::store::sync::CommunityCtx::slug)
        .collect();
    tracing::info!(%addr, communities = ?slugs, "lyceum is ready; listening on http://{addr}");

    let payments = http::Hooks {
        stripe_secrets,
        kept_secret: Arc::default(),
        portal_links: crate::payments::link_checker(&loaded),
        telegram: telegram_hook,
        https: loaded.public_url.starts_with("https://"),
        public_url: loaded.public_url.clone(),
        limits: loaded.settings.http.limits(),
        joins: http::JoinWiring {
            discord: loaded
                .settings
                .discord
                .sign_in(&loaded.public_url)
                .map_err(Failure::Usage)?
                .map(Arc::new),
            telegram: telegram_sign_in,
            servers: loaded.settings.discord.servers(),
            pay_origin: crate::payments::checkout_origin(&loaded),
        },
    };
    let server = tokio::spawn(http::serve(listener, core.clone(), payments, stopped));
    shutdown_signal().await;
    tracing::info!("shutting down");
    let _ = stop.send(true);
    let _ = tokio::join!(worker_task, inbox_task, scheduler, server);
    for task in [discord_task, telegram_task].into_iter().flatten() {
        let _ = task.await;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn env_locale() -> Option<Locale> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| Locale::negotiate(&v))
}

async fn console(
    loaded: Loaded,
    name: String,
    admin: bool,
    community: Option<String>,
    locale: Option<String>,
) -> Result<(), Failure> {
    let identity = IdentityRef::new(Platform::Console, &name).map_err(|_| {
        Failure::Usage(format!(
            "--as {name}: a console name is 1-32 characters of a-z, 0-9, '_', '.' and '-'"
        ))
    })?;
    let locale =
        match locale {
            Some(tag) => Some(Locale::negotiate(&tag).ok_or_else(|| {
                Failure::Usage(format!("--locale {tag}: supported locales are en and zh-CN"))
            })?),
            None => env_locale(),
        };
    let core = start_core(&loaded).await?;
    let slug = match community {
        Some(slug) if core.community(&slug).is_some() => slug,
        Some(slug) => return Err(Failure::Usage(format!("--community {slug}: no such community"))),
        None => core
            .communities()
            .first()
            .map(|c| c.slug().to_owned())
            .ok_or_else(|| Failure::Usage("no community is configured".into()))?,
    };
    let delivered = Delivered::default();
    let mut worker = OutboxWorker::new(core.db().clone(), core.clock(), retry_policy(&loaded));
    worker.register(Arc::new(ConsoleSink::Session(delivered.clone())));
    let session = Session {
        core,
        worker,
        delivered,
        community: slug,
        invoker: Invoker {
            identity,
            display_name: Some(name),
            locale,
            operator: admin,
            creator: false,
            back: None,
        },
        interactive: std::io::stdin().is_terminal(),
    };
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    match session.run(stdin, tokio::io::stdout()).await {
        // The reader went away (`lyceum console … | head`): nothing left to say.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Failure::Runtime(format!("console: {e}"))),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::Runtime(e.to_string()))?;
    println!("{text}");
    Ok(())
}

async fn community(loaded: Loaded, cmd: CommunityCmd) -> Result<(), Failure> {
    let core = start_core(&loaded).await?;
    match cmd {
        CommunityCmd::List { json } => {
            let mut views = Vec::new();
            for c in core.communities() {
                views.push(core.community_view(c.slug()).await?);
            }
            if json {
                return print_json(&views);
            }
            for v in views {
                println!("{}\t{}\t{} tiers", v.slug, v.name, v.tiers.len());
            }
            Ok(())
        }
        CommunityCmd::Show { slug, json } => {
            let view = core.community_view(&slug).await?;
            if json {
                return print_json(&view);
            }
            let reply = lyceum_core::Reply::Tiers {
                community: view.name.clone(),
                tiers: view.tiers,
            };
            // A tier list holds no date, so no zone is needed.
            println!(
                "{}",
                render::reply(Locale::En, chrono_tz::UTC, &view.name, &reply)
            );
            Ok(())
        }
    }
}

async fn member(loaded: Loaded, cmd: MemberCmd) -> Result<(), Failure> {
    let MemberCmd::Show {
        community,
        identity,
        json,
    } = cmd;
    let who: IdentityRef = identity
        .parse()
        .map_err(|e: lyceum_core::domain::BadIdentity| Failure::Usage(e.to_string()))?;
    let core = start_core(&loaded).await?;
    let view = core.member_view(&community, &who).await?;
    if json {
        return print_json(&view);
    }
    let (name, zone) = core
        .community(&community)
        .map_or((String::new(), chrono_tz::UTC), |c| {
            (
                c.config.name.get(Locale::En, Locale::En).to_owned(),
                c.config.time_zone,
            )
        });
    println!(
        "{}",
        render::reply(
            Locale::En,
            zone,
            &name,
            &lyceum_core::Reply::Member(Box::new(view))
        )
    );
    Ok(())
}
