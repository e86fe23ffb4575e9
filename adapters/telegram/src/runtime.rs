//! Long polling: updates in, core calls and Bot API calls out.

use std::sync::Arc;

use lyceum_core::catalogue::CATALOGUE;
use lyceum_core::domain::Locale;
use lyceum_core::engine::Activity;
use lyceum_core::i18n::t;
use lyceum_core::{Core, Invoker};
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, BotCommand};

use crate::authors::Authors;
use tokio::sync::watch;

use crate::api::{Client, retrying};
use crate::config::Chats;
use crate::update::{Event, identity_of, read};

/// Telegram's limit on a message's text.
const MAX_TEXT: usize = 4096;
/// Telegram caps photo captions at 1024 characters.
const MAX_CAPTION: usize = 1024;

pub struct Options {
    pub token: String,
    /// Another Bot API server than api.telegram.org (self-hosted, or a test fake).
    pub api_url: Option<url::Url>,
    pub chats: Arc<Chats>,
    /// Seconds a getUpdates call waits for updates.
    pub poll_timeout: u32,
    /// How often paid chats are reconciled (also at start).
    pub reconcile_every: std::time::Duration,
}

pub fn bot(opts: &Options) -> Bot {
    let bot = Bot::new(&opts.token);
    match &opts.api_url {
        Some(url) => bot.set_api_url(url.clone()),
        None => bot,
    }
}

/// The catalogue as Telegram's command menu; subcommands (`lesson post`)
/// are listed once under their group, and typed in full.
fn commands(locale: Locale) -> Vec<BotCommand> {
    let mut out: Vec<BotCommand> = Vec::new();
    for c in CATALOGUE {
        let (name, key) = match c.group() {
            Some((group, _)) => (group, format!("cmd-{group}")),
            None => (c.name, c.description_key()),
        };
        if out.iter().any(|b| b.command == name) {
            continue;
        }
        let mut d: String = t(locale, &key);
        if d.chars().count() > 256 {
            d = d.chars().take(255).collect();
        }
        out.push(BotCommand::new(name, d));
    }
    out
}

/// A reply, as a photo with the text as its caption when the core drew a
/// card for it (`/rank`), otherwise as text.
async fn answer(
    tg: &Client,
    chat: ChatId,
    outcome: &lyceum_core::Outcome,
) -> Result<(), teloxide::RequestError> {
    let text = outcome.text();
    let card = match &outcome.reply {
        lyceum_core::Reply::Rank(view) => lyceum_core::card::png(outcome.locale, &outcome.community, view)
            .map_err(|e| tracing::warn!(error = %e, "rank card not drawn; sending text"))
            .ok(),
        _ => None,
    };
    match card {
        Some(png) if text.chars().count() <= MAX_CAPTION => {
            tg.pace.wait(chat.0).await;
            retrying("send rank card", || {
                let photo = teloxide::types::InputFile::memory(png.clone()).file_name("rank.png");
                tg.bot.send_photo(chat, photo).caption(text.clone())
            })
            .await?;
            Ok(())
        }
        _ => send(tg, chat, &text).await,
    }
}

pub(crate) async fn send(tg: &Client, chat: ChatId, text: &str) -> Result<(), teloxide::RequestError> {
    for piece in lyceum_core::render::split(text, MAX_TEXT) {
        tg.pace.wait(chat.0).await;
        retrying("send reply", || tg.bot.send_message(chat, piece.clone())).await?;
    }
    Ok(())
}

/// Whether `user` may be in a chat gated by `perk` (anyone may, without one).
pub(crate) async fn entitled(
    core: &Core,
    community: &str,
    user: i64,
    perk: Option<&str>,
) -> lyceum_core::CoreResult<bool> {
    let (Some(perk), Some(who)) = (perk, identity_of(user)) else {
        return Ok(perk.is_none());
    };
    Ok(core.perks_of(community, &who).await?.contains(perk))
}

/// [`entitled`], refusing while the answer cannot be known.
async fn admit(core: &Core, community: &str, user: i64, perk: Option<&str>) -> bool {
    entitled(core, community, user, perk).await.unwrap_or_else(|e| {
        tracing::error!(user, error = %e, "cannot check entitlement; refusing for now");
        false
    })
}

async fn present(core: &Core, chat: i64, user: i64, is_in: bool) {
    let platform = lyceum_core::domain::Platform::Telegram;
    if let Err(e) = core
        .set_presence(platform, &chat.to_string(), &user.to_string(), is_in)
        .await
    {
        tracing::warn!(chat, user, error = %e, "could not record who is in the chat");
    }
}

fn user_id(id: i64) -> UserId {
    UserId(u64::try_from(id).unwrap_or_default())
}

/// Runs a command line for a person in `chat` and answers it.
async fn command(
    core: &Core,
    tg: &Client,
    community: &str,
    chat: i64,
    private_chat: bool,
    invoker: &Invoker,
    line: &str,
) {
    let user = invoker.identity.external_id().parse::<i64>().unwrap_or_default();
    // `/start` in a group (from its menu) welcomes as it does in private.
    if crate::first_contact::is_start(line) {
        let text = crate::first_contact::welcome(core, community, invoker.locale);
        if let Err(e) = send(tg, ChatId(chat), &text).await {
            tracing::warn!(chat, error = %e, "could not send a welcome");
        }
        return;
    }
    let outcome = match lyceum_core::Command::parse_line(line) {
        Err(e) => core.refusal(community, invoker, e).await,
        Ok(cmd) => match core.stars_invoice(community, invoker, &cmd).await {
            Ok(Some(invoice)) => return stars_invoice(tg, user, invoice).await,
            Ok(None) => core.handle(community, invoker, cmd).await,
            Err(lyceum_core::CoreError::User(e)) => core.refusal(community, invoker, e).await,
            Err(other) => {
                tracing::error!(error = %other, "could not prepare a Stars invoice");
                let down = lyceum_core::UserError::BillingUnavailable;
                core.refusal(community, invoker, down).await
            }
        },
    };
    // Personal answers go to the private chat, never the group.
    let target = if private_chat || !outcome.reply.is_private() {
        chat
    } else {
        user
    };
    if let Err(e) = answer(tg, ChatId(target), &outcome).await {
        tracing::warn!(chat = target, error = %e, "could not send a reply");
        if target != chat {
            let hint = t(outcome.locale, "telegram-start-me");
            let _ = send(tg, ChatId(chat), &hint).await;
        }
    }
}

/// Whether a command in the update `key` is delivered for the first time
/// (Telegram sends an update again until it is confirmed, also after a
/// crash). While that cannot be known the command runs: with the database
/// unreachable it is refused anyway.
async fn first_delivery(core: &Core, key: &str) -> bool {
    core.first_delivery(key).await.unwrap_or_else(|e| {
        tracing::warn!(update = key, error = %e, "cannot tell whether an update was seen before");
        true
    })
}

async fn handle(core: &Core, tg: &Client, authors: &Authors, event: Event, key: &str) {
    let bot = &tg.bot;
    // Commands and button presses act at most once; activity is deduplicated
    // with its points, and joins, leaves and answers are idempotent.
    let acts = matches!(
        event,
        Event::Command { .. } | Event::Private { .. } | Event::Unlock { .. }
    );
    if acts && !first_delivery(core, key).await {
        tracing::info!(update = key, "command delivered again; already taken in");
        return;
    }
    match event {
        Event::Command {
            community,
            chat,
            invoker,
            line,
            ..
        } => command(core, tg, &community, chat, false, &invoker, &line).await,
        Event::Private {
            chat,
            invoker,
            line,
            fallback,
        } => {
            let first = crate::first_contact::private(core, tg, chat, &invoker, &line, fallback).await;
            if let Some(community) = first {
                command(core, tg, &community, chat, true, &invoker, &line).await;
            }
        }
        Event::Unlock {
            query,
            community,
            chat,
            invoker,
            lesson,
            ..
        } => {
            let id = teloxide::types::CallbackQueryId(query);
            if let Err(e) = retrying("answer button", || bot.answer_callback_query(id.clone())).await {
                tracing::debug!(error = %e, "could not answer a button press");
            }
            let line = format!("/unlock {lesson}");
            command(core, tg, &community, chat, false, &invoker, &line).await;
        }
        Event::JoinRequest {
            community,
            chat,
            user,
            perk,
        } => {
            let ok = admit(core, &community, user, perk.as_deref()).await;
            let result = if ok {
                retrying("approve", || {
                    bot.approve_chat_join_request(ChatId(chat), user_id(user))
                })
                .await
                .map(|_| ())
            } else {
                retrying("decline", || {
                    bot.decline_chat_join_request(ChatId(chat), user_id(user))
                })
                .await
                .map(|_| ())
            };
            match result {
                Ok(()) => tracing::info!(chat, user, approved = ok, "join request answered"),
                Err(e) => tracing::error!(
                    chat, user, error = %e,
                    "could not answer a join request; the bot needs the \"Invite users via link\" admin right"
                ),
            }
        }
        Event::Joined {
            community,
            chat,
            user,
            perk,
        } => {
            let stays = admit(core, &community, user, perk.as_deref()).await;
            if !stays {
                tracing::warn!(
                    chat,
                    user,
                    "someone without access got into a paid chat; removing them"
                );
                if let Err(e) = crate::api::remove(bot, chat, user).await {
                    tracing::error!(chat, user, error = %e, "could not remove; the bot needs the \"Ban users\" admin right");
                }
            }
            present(core, chat, user, stays).await;
        }
        Event::Left { chat, user } => present(core, chat, user, false).await,
        Event::Reaction {
            community,
            chat,
            message,
            user,
        } => {
            let channel = Some(format!("telegram:{chat}"));
            let author = authors.of(chat, message).filter(|a| *a != user);
            let given = (
                Some(user),
                Activity::ReactionGiven {
                    channel: channel.clone(),
                },
            );
            let received = (author, Activity::ReactionReceived { channel });
            for ((who, what), part) in [(given, "given"), (received, "received")] {
                let Some(who) = who.and_then(identity_of) else {
                    continue;
                };
                let update = Some(format!("{key}/{part}"));
                if let Err(e) = core.activity_from(&community, &who, what, update).await {
                    tracing::warn!(%who, error = %e, "reaction activity not recorded");
                }
            }
        }
        Event::Message {
            community,
            chat,
            message,
            user,
            chars,
        } => {
            authors.wrote(chat, message, user);
            let Some(who) = identity_of(user) else { return };
            let what = Activity::Message {
                chars,
                channel: Some(format!("telegram:{chat}")),
            };
            if let Err(e) = core
                .activity_from(&community, &who, what, Some(key.to_owned()))
                .await
            {
                tracing::warn!(%who, error = %e, "message activity not recorded");
            }
        }
        Event::PreCheckout { id, payload, stars } => {
            let ok = core.stars_still_for_sale(&payload, stars).await;
            let mut answer = bot.answer_pre_checkout_query(teloxide::types::PreCheckoutQueryId(id), ok);
            if !ok {
                answer = answer.error_message("This offer is no longer available. 此商品已下架。");
            }
            if let Err(e) = answer.await {
                tracing::error!(error = %e, "could not answer a pre-checkout query");
            }
        }
        Event::Paid(payment) => match core.stars_events(&payment) {
            Ok(events) => {
                for ev in events {
                    if let Err(e) = core.apply_payment(&ev).await {
                        tracing::error!(event = %ev.id, error = %e, "a Stars payment could not be applied");
                    }
                }
            }
            Err(e) => {
                tracing::error!(charge = %payment.charge_id, error = %e, "a Stars payment could not be read");
            }
        },
        Event::Ignored => {}
    }
}

/// Makes the Stars invoice link and sends it privately.
async fn stars_invoice(tg: &Client, user: i64, invoice: lyceum_core::engine::StarsInvoice) {
    let price = teloxide::types::LabeledPrice::new(invoice.title.clone(), invoice.stars);
    let mut request = tg.bot.create_invoice_link(
        invoice.title.clone(),
        invoice.description.clone(),
        invoice.payload.clone(),
        "XTR",
        [price],
    );
    if invoice.subscription {
        let period = u32::try_from(lyceum_core::engine::STARS_PERIOD_SECS).unwrap_or(2_592_000);
        request = request.subscription_period(teloxide::types::Seconds::from_seconds(period));
    }
    match request.await {
        Ok(link) => {
            let args = [
                ("title", invoice.title.as_str().into()),
                ("stars", i64::from(invoice.stars).into()),
                ("link", link.as_str().into()),
            ];
            let text = lyceum_core::i18n::t_args(invoice.locale, "stars-invoice", &args);
            if let Err(e) = send(tg, ChatId(user), &text).await {
                tracing::warn!(user, error = %e, "could not send a Stars invoice");
            }
        }
        Err(e) => tracing::error!(user, error = %e, "could not create a Stars invoice"),
    }
}

fn allowed() -> Vec<AllowedUpdate> {
    vec![
        AllowedUpdate::Message,
        AllowedUpdate::MessageReaction,
        AllowedUpdate::ChatMember,
        AllowedUpdate::ChatJoinRequest,
        AllowedUpdate::PreCheckoutQuery,
        AllowedUpdate::CallbackQuery,
    ]
}

/// Handles updates however they arrive (polling or webhook).
#[derive(Clone)]
pub struct Updates {
    core: Arc<Core>,
    tg: Client,
    chats: Arc<Chats>,
    authors: Arc<Authors>,
}

/// The key under which update `id` of the bot with `token` is recorded as
/// taken in. Update ids are counted per bot; a token is `<bot id>:<secret>`
/// and only the id goes into the key.
pub fn update_key(token: &str, id: u32) -> String {
    let bot = token.split(':').next().unwrap_or_default();
    format!("telegram:{bot}:{id}")
}

impl Updates {
    /// Updates answered through `tg`, whose pacer the bot's outbox sink
    /// ([`crate::sink::TelegramSink`]) shares.
    pub fn new(core: Arc<Core>, tg: Client, chats: Arc<Chats>) -> Updates {
        Updates {
            core,
            tg,
            chats,
            authors: Arc::default(),
        }
    }

    pub async fn handle(&self, update: &teloxide::types::Update) {
        let event = read(update, &self.chats);
        let key = update_key(self.tg.bot.token(), update.id.0);
        handle(&self.core, &self.tg, &self.authors, event, &key).await;
    }

    /// Waits until the points of the updates handled so far are committed.
    /// Telegram forgets an update once told it was received (the next
    /// poll's offset, or a webhook's 200), so that waits for this: a crash
    /// then loses no points Telegram will not send again.
    pub async fn commit(&self) {
        self.core.commit_activity().await;
    }
}

async fn register_commands(bot: &Bot) {
    if let Err(e) = bot.set_my_commands(commands(Locale::En)).await {
        tracing::warn!(error = %e, "could not register bot commands");
    }
    let zh = bot.set_my_commands(commands(Locale::ZhCn)).language_code("zh");
    if let Err(e) = zh.await {
        tracing::warn!(error = %e, "could not register Chinese bot commands");
    }
}

/// Webhook mode: registers the commands and the webhook (with its secret
/// token and the update types Lyceum needs). Updates then arrive on the
/// bot's HTTP server.
pub async fn start_webhook(
    opts: &Options,
    url: url::Url,
    secret: &str,
) -> Result<(), teloxide::RequestError> {
    let bot = bot(opts);
    register_commands(&bot).await;
    bot.set_webhook(url)
        .secret_token(secret)
        .allowed_updates(allowed())
        .await
        .map(|_| ())
}

/// Reconciles paid chats at start and every `every`, until `stop`.
pub async fn reconcile_loop(
    core: Arc<Core>,
    chats: Arc<Chats>,
    every: std::time::Duration,
    bot: Bot,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        crate::reconcile::run(&core, &bot, &chats).await;
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = async { let _ = stop.wait_for(|s| *s).await; } => break,
        }
    }
}

/// Polling mode: registers the commands, then polls until `stop`; answers
/// go out through `tg`, paced with the bot's other messages.
pub async fn run(core: Arc<Core>, opts: Options, tg: Client, mut stop: watch::Receiver<bool>) {
    let bot = tg.bot.clone();
    register_commands(&bot).await;
    let updates = Updates::new(core, tg, opts.chats.clone());
    let mut offset: i32 = 0;
    loop {
        let poll = bot
            .get_updates()
            .offset(offset)
            .timeout(opts.poll_timeout)
            .allowed_updates(allowed());
        let batch = tokio::select! {
            r = async { poll.await } => r,
            () = async { let _ = stop.wait_for(|s| *s).await; } => break,
        };
        match batch {
            Ok(batch) => {
                let handled = !batch.is_empty();
                for u in batch {
                    offset = i32::try_from(u.id.0).unwrap_or(i32::MAX).saturating_add(1);
                    updates.handle(&u).await;
                }
                // The next poll's offset confirms this batch.
                if handled {
                    updates.commit().await;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "getUpdates failed; trying again shortly");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}
