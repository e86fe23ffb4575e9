//! Gateway events in, core calls out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lyceum_core::Core;
use lyceum_core::engine::Activity;
use serenity::all::{
    CommandInteraction, ComponentInteraction, Context, CreateAttachment, CreateAutocompleteResponse,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    EditInteractionResponse, EventHandler, GuildId, Interaction, Member, Message, Reaction, Ready,
};

use crate::alerts::Alerts;
use crate::config::Bindings;
use crate::interaction::{self, identity, identity_of};

/// Discord's limit on a message's content.
const MAX_CONTENT: usize = 2000;

/// The rank card for `/rank`, attached beside the text.
fn card(outcome: &lyceum_core::Outcome) -> Option<Vec<u8>> {
    let lyceum_core::Reply::Rank(view) = &outcome.reply else {
        return None;
    };
    lyceum_core::card::png(outcome.locale, &outcome.community, view)
        .map_err(|e| tracing::warn!(error = %e, "rank card not drawn; answering with text"))
        .ok()
}

pub struct Handler {
    pub core: Arc<Core>,
    pub bindings: Arc<Bindings>,
    pub alerts: Alerts,
    /// The first READY runs the start-up checks; reconnects do not repeat them.
    pub started: AtomicBool,
}

impl Handler {
    async fn command(&self, ctx: &Context, i: &CommandInteraction) {
        let Some(req) = interaction::read(i, &self.bindings) else {
            let text = "This server is not connected to a Lyceum community. 此服务器未连接 Lyceum 社群。";
            let msg = CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true);
            if let Err(e) = i
                .create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                .await
            {
                tracing::warn!(error = %e, "could not answer an interaction from an unbound guild");
            }
            return;
        };
        let slow = req
            .command
            .as_ref()
            .is_ok_and(lyceum_core::Command::talks_to_provider);
        if slow {
            // Payment provider calls can take longer than Discord's 3 s.
            let defer = CreateInteractionResponseMessage::new().ephemeral(true);
            if let Err(e) = i
                .create_response(&ctx.http, CreateInteractionResponse::Defer(defer))
                .await
            {
                tracing::warn!(error = %e, "could not defer an interaction");
                return;
            }
        }
        let outcome = match req.command {
            Ok(cmd) => self.core.handle(&req.community, &req.invoker, cmd).await,
            Err(e) => self.core.refusal(&req.community, &req.invoker, e).await,
        };
        self.answer(ctx, i, &outcome, slow).await;
    }

    /// Answers an interaction with a reply, split to Discord's limit; the
    /// reader alone sees private replies.
    async fn answer(
        &self,
        ctx: &Context,
        i: &CommandInteraction,
        outcome: &lyceum_core::Outcome,
        slow: bool,
    ) {
        let private = outcome.reply.is_private();
        let parts = lyceum_core::render::split(&outcome.text(), MAX_CONTENT);
        let sent = if slow {
            i.edit_response(
                &ctx.http,
                EditInteractionResponse::new().content(parts[0].clone()),
            )
            .await
            .map(|_| ())
        } else {
            let mut msg = CreateInteractionResponseMessage::new()
                .content(parts[0].clone())
                .ephemeral(private);
            if let Some(png) = card(outcome) {
                msg = msg.add_file(CreateAttachment::bytes(png, "rank.png"));
            }
            i.create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                .await
        };
        if let Err(e) = sent {
            tracing::warn!(command = %i.data.name, error = %e, "could not answer an interaction");
            return;
        }
        for more in &parts[1..] {
            let follow = CreateInteractionResponseFollowup::new()
                .content(more.clone())
                .ephemeral(private);
            if let Err(e) = i.create_followup(&ctx.http, follow).await {
                tracing::warn!(command = %i.data.name, error = %e, "could not send the rest of a long reply");
            }
        }
    }

    /// A lesson card's button: `/unlock <lesson>` for whoever pressed it,
    /// answered to them alone.
    async fn button(&self, ctx: &Context, i: &ComponentInteraction) {
        let Some(key) = crate::cards::unlock_key(&i.data.custom_id) else {
            return;
        };
        let binding = i.guild_id.and_then(|g| self.bindings.for_guild(g.get()));
        let Some((binding, invoker)) = binding
            .and_then(|b| interaction::invoker(&i.user, i.member.as_ref(), &i.locale, b).map(|v| (b, v)))
        else {
            return;
        };
        let outcome = self
            .core
            .handle_line(&binding.community, &invoker, &format!("/unlock {key}"))
            .await;
        let parts = lyceum_core::render::split(&outcome.text(), MAX_CONTENT);
        let msg = CreateInteractionResponseMessage::new()
            .content(parts[0].clone())
            .ephemeral(true);
        if let Err(e) = i
            .create_response(&ctx.http, CreateInteractionResponse::Message(msg))
            .await
        {
            tracing::warn!(error = %e, "could not answer a lesson card's button");
            return;
        }
        for more in &parts[1..] {
            let follow = CreateInteractionResponseFollowup::new()
                .content(more.clone())
                .ephemeral(true);
            if let Err(e) = i.create_followup(&ctx.http, follow).await {
                tracing::warn!(error = %e, "could not send the rest of a lesson");
            }
        }
    }

    async fn autocomplete(&self, ctx: &Context, i: &CommandInteraction) {
        let Some(binding) = i.guild_id.and_then(|g| self.bindings.for_guild(g.get())) else {
            return;
        };
        let Some(focused) = i.data.autocomplete() else {
            return;
        };
        let typed = focused.value.to_lowercase();
        let Ok(view) = self.core.community_view(&binding.community).await else {
            return;
        };
        let mut response = CreateAutocompleteResponse::new();
        let candidates: Vec<(String, String)> = match focused.name {
            "tier" => view
                .tiers
                .iter()
                .map(|t| (format!("{} ({})", t.name, t.key), t.key.clone()))
                .collect(),
            "offer" => view
                .offers
                .iter()
                .filter(|o| o.tier.is_none())
                .map(|o| (format!("{} ({})", o.name, o.price.display), o.key.clone()))
                .collect(),
            "reward" => view
                .rewards
                .iter()
                .map(|(key, name, price)| (format!("{name} ({price})"), key.clone()))
                .collect(),
            "lesson" | "course" => {
                let list = if focused.name == "lesson" {
                    &view.lessons
                } else {
                    &view.courses
                };
                list.iter()
                    .map(|(key, name)| (format!("{name} ({key})"), key.clone()))
                    .collect()
            }
            _ => Vec::new(),
        };
        for (name, key) in candidates
            .into_iter()
            .filter(|(n, k)| k.contains(&typed) || n.to_lowercase().contains(&typed))
            .take(25)
        {
            response = response.add_string_choice(name, key);
        }
        if let Err(e) = i
            .create_response(&ctx.http, CreateInteractionResponse::Autocomplete(response))
            .await
        {
            tracing::debug!(error = %e, "autocomplete answer failed");
        }
    }

    fn community_of(&self, guild: Option<GuildId>) -> Option<String> {
        guild
            .and_then(|g| self.bindings.for_guild(g.get()))
            .map(|b| b.community.clone())
    }
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to the Discord gateway");
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        for b in &self.bindings.0 {
            let guild = GuildId::new(b.guild_id);
            match guild.set_commands(&ctx.http, crate::commands::all()).await {
                Ok(cmds) => tracing::info!(
                    guild = b.guild_id,
                    commands = cmds.len(),
                    "slash commands registered"
                ),
                Err(e) => {
                    tracing::error!(guild = b.guild_id, error = %e, "could not register slash commands");
                }
            }
            let locale = self
                .core
                .community(&b.community)
                .map_or(lyceum_core::domain::Locale::En, |c| c.config.default_locale);
            match crate::guidance::check(&ctx.http, b, ready.user.id, locale).await {
                Ok(problems) => {
                    for p in problems {
                        self.alerts.raise(b, &p).await;
                    }
                }
                Err(e) => tracing::warn!(guild = b.guild_id, error = %e, "could not check role permissions"),
            }
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(i) => self.command(&ctx, &i).await,
            Interaction::Autocomplete(i) => self.autocomplete(&ctx, &i).await,
            Interaction::Component(i) => self.button(&ctx, &i).await,
            _ => {}
        }
    }

    async fn guild_member_addition(&self, _ctx: Context, member: Member) {
        let (Some(community), Some(who)) = (self.community_of(Some(member.guild_id)), identity(&member.user))
        else {
            return;
        };
        match self.core.rejoined(&community, &who).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(%who, perks = n, "member rejoined; their roles are being restored"),
            Err(e) => tracing::error!(%who, error = %e, "could not restore roles of a member who rejoined"),
        }
    }

    async fn message(&self, _ctx: Context, msg: Message) {
        if msg.author.bot {
            return;
        }
        let (Some(community), Some(who)) = (self.community_of(msg.guild_id), identity(&msg.author)) else {
            return;
        };
        let what = Activity::Message {
            chars: msg.content.chars().count(),
            channel: Some(format!("discord:{}", msg.channel_id)),
        };
        if let Err(e) = self.core.activity(&community, &who, what).await {
            tracing::warn!(%who, error = %e, "message activity not recorded");
        }
    }

    async fn reaction_add(&self, _ctx: Context, reaction: Reaction) {
        let Some(community) = self.community_of(reaction.guild_id) else {
            return;
        };
        let reactor = reaction.user_id;
        let author = reaction.message_author_id.filter(|a| Some(*a) != reactor);
        let channel = Some(format!("discord:{}", reaction.channel_id));
        for (user, what) in [
            (
                reactor,
                Activity::ReactionGiven {
                    channel: channel.clone(),
                },
            ),
            (
                author,
                Activity::ReactionReceived {
                    channel: channel.clone(),
                },
            ),
        ] {
            let Some(who) = user.and_then(identity_of) else {
                continue;
            };
            if let Err(e) = self.core.activity(&community, &who, what).await {
                tracing::warn!(%who, error = %e, "reaction activity not recorded");
            }
        }
    }
}
