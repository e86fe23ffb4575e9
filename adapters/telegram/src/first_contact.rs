//! A person's first minutes with the bot in a private chat: `/start` (the
//! Start button, or a `t.me/<bot>?start=<slug>` deep link) welcomes them to
//! the community it names, and every private message speaks for the
//! community they chose, else the first bound chat's, else the only one.
//! With several and none chosen, the answer lists them with their links:
//! silence is never the answer. A web page hands out signed payloads
//! (`Core::start_payload`), good for a week.

use lyceum_core::domain::Locale;
use lyceum_core::engine::Pick;
use lyceum_core::i18n::{Arg, t, t_args};
use lyceum_core::{Core, Invoker};
use teloxide::prelude::*;

use crate::api::Client;

/// What a private message amounts to before the community is known.
#[derive(Debug, PartialEq)]
enum Said<'a> {
    /// `/start`, with the deep link's payload if it had one.
    Start(Option<&'a str>),
    Command,
    /// Plain words: answered like a bare `/start`.
    Chat,
}

fn said(line: &str) -> Said<'_> {
    let Some(rest) = line.trim().strip_prefix('/') else {
        return Said::Chat;
    };
    let (word, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    // `/start@LyceumBot` names the bot; the command is the part before it.
    let word = word.split('@').next().unwrap_or_default();
    if !word.eq_ignore_ascii_case("start") {
        return Said::Command;
    }
    let arg = arg.trim();
    Said::Start((!arg.is_empty()).then_some(arg))
}

/// Whether the line is `/start`, in whichever form.
pub(crate) fn is_start(line: &str) -> bool {
    matches!(said(line), Said::Start(_))
}

/// Answers a private message, or gives back the community whose command
/// it is, for the caller to run.
pub(crate) async fn private(
    core: &Core,
    tg: &Client,
    chat: i64,
    invoker: &Invoker,
    line: &str,
    fallback: Option<String>,
) -> Option<String> {
    let said = said(line);
    let mut refused = None;
    let mut from_page = false;
    if let Said::Start(Some(payload)) = said {
        match core.choose_community(invoker, payload).await {
            Ok(Pick::Chosen(_)) => {}
            Ok(Pick::Visit(_)) => from_page = true,
            Ok(Pick::Unknown) => refused = Some(("welcome-unknown", payload)),
            Ok(Pick::Expired) => refused = Some(("welcome-expired", payload)),
            Err(e) => tracing::warn!(error = %e, "could not remember the chosen community"),
        }
    }
    let community = match refused {
        Some(_) => None,
        None => pick(core, invoker, fallback).await,
    };
    let text = match (community, said) {
        (Some(c), Said::Command) => return Some(c),
        (Some(c), _) if from_page => {
            let back = t(invoker.locale.unwrap_or(Locale::En), "welcome-web");
            format!("{}\n\n{back}", welcome(core, &c, invoker.locale))
        }
        (Some(c), _) => welcome(core, &c, invoker.locale),
        (None, _) => choices(core, tg, invoker.locale.unwrap_or(Locale::En), refused).await,
    };
    if let Err(e) = crate::runtime::send(tg, ChatId(chat), &text).await {
        tracing::warn!(chat, error = %e, "could not answer a private message");
    }
    None
}

/// The person's chosen community, else `fallback`, else the only one.
async fn pick(core: &Core, invoker: &Invoker, fallback: Option<String>) -> Option<String> {
    let chosen = core
        .chosen_community(&invoker.identity)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the chosen community");
            None
        });
    let only = match core.communities() {
        [one] => Some(one.slug().to_owned()),
        _ => None,
    };
    chosen.or(fallback).or(only)
}

/// The welcome to `slug`, in the person's language or the community's.
pub(crate) fn welcome(core: &Core, slug: &str, locale: Option<Locale>) -> String {
    let Some(ctx) = core.community(slug) else {
        return t(locale.unwrap_or(Locale::En), "help-title");
    };
    let locale = locale.unwrap_or(ctx.config.default_locale);
    let name = ctx.config.name.get(locale, ctx.config.default_locale).to_owned();
    t_args(locale, "welcome-start", &[("community", Arg::from(name))])
}

/// Every community with the link that opens the bot for it, after what
/// was wrong with the payload given, if one was: (message key, payload).
async fn choices(core: &Core, tg: &Client, locale: Locale, refused: Option<(&str, &str)>) -> String {
    let bot = match tg.bot.get_me().await {
        Ok(me) => me.username.clone().unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read the bot's username for deep links");
            String::new()
        }
    };
    let mut lines = Vec::new();
    if let Some((key, payload)) = refused {
        lines.push(t_args(locale, key, &[("slug", Arg::from(payload.to_owned()))]));
    }
    lines.push(t(locale, "welcome-choose"));
    for ctx in core.communities() {
        let name = ctx.config.name.get(locale, ctx.config.default_locale);
        let slug = ctx.slug();
        lines.push(format!("• {name}: https://t.me/{bot}?start={slug}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_its_payload_commands_and_plain_words_are_told_apart() {
        assert_eq!(said("/start"), Said::Start(None));
        assert_eq!(said("/start demo"), Said::Start(Some("demo")));
        assert_eq!(said("/START@LyceumBot  other "), Said::Start(Some("other")));
        assert_eq!(said("/starter"), Said::Command);
        assert_eq!(said("/tiers"), Said::Command);
        assert_eq!(said("hello"), Said::Chat);
    }
}
