//! A slash command as Discord delivers it, read into the core's terms: which
//! community (by guild), who (by user id and locale), and which command.

use std::collections::HashMap;

use lyceum_core::domain::{IdentityRef, Locale, Platform};
use lyceum_core::{Command, Invoker, UserError};
use serenity::all::{CommandDataOption, CommandDataOptionValue, CommandInteraction, User, UserId};

use crate::config::{Bindings, GuildBinding};

/// What a command interaction asks of the core.
#[derive(Debug)]
pub struct Request {
    pub community: String,
    pub invoker: Invoker,
    pub command: Result<Command, UserError>,
}

pub fn identity(user: &User) -> Option<IdentityRef> {
    identity_of(user.id)
}

/// The core's name for the Discord user with this id.
pub fn identity_of(user: UserId) -> Option<IdentityRef> {
    IdentityRef::new(Platform::Discord, &user.get().to_string()).ok()
}

fn display_name(user: &User) -> String {
    user.global_name.clone().unwrap_or_else(|| user.name.clone())
}

fn value(v: &CommandDataOptionValue) -> Option<String> {
    match v {
        CommandDataOptionValue::String(s) => Some(s.clone()),
        CommandDataOptionValue::Integer(n) => Some(n.to_string()),
        CommandDataOptionValue::User(u) => Some(format!("discord:{}", u.get())),
        CommandDataOptionValue::Boolean(b) => Some(b.to_string()),
        CommandDataOptionValue::Autocomplete { value, .. } => Some(value.clone()),
        _ => None,
    }
}

pub fn options(opts: &[CommandDataOption]) -> HashMap<String, String> {
    opts.iter()
        .filter_map(|o| value(&o.value).map(|v| (o.name.clone(), v)))
        .collect()
}

/// The command's name and options; a subcommand's name is its group's and
/// its own (`lesson post`), with the subcommand's options.
fn named(i: &CommandInteraction) -> (String, HashMap<String, String>) {
    for o in &i.data.options {
        if let CommandDataOptionValue::SubCommand(inner) = &o.value {
            return (format!("{} {}", i.data.name, o.name), options(inner));
        }
    }
    (i.data.name.clone(), options(&i.data.options))
}

/// Who is asking in a bound guild, as the core sees them: a holder of the
/// guild's creator role may post lessons.
pub fn invoker(
    user: &User,
    member: Option<&serenity::all::Member>,
    locale: &str,
    binding: &GuildBinding,
) -> Option<Invoker> {
    let creator = binding
        .creator_role
        .is_some_and(|r| member.is_some_and(|m| m.roles.iter().any(|role| role.get() == r)));
    Some(Invoker {
        identity: identity(user)?,
        display_name: Some(display_name(user)),
        locale: Locale::negotiate(locale),
        operator: false,
        creator,
        back: None,
    })
}

/// `None` for interactions outside a bound guild (DMs, unknown guilds).
pub fn read(i: &CommandInteraction, bindings: &Bindings) -> Option<Request> {
    let guild = i.guild_id?;
    let binding = bindings.for_guild(guild.get())?;
    let invoker = invoker(&i.user, i.member.as_deref(), &i.locale, binding)?;
    let (name, values) = named(i);
    Some(Request {
        community: binding.community.clone(),
        invoker,
        command: Command::from_named(&name, values),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::GuildBinding;
    use serde_json::json;

    fn bindings() -> Bindings {
        Bindings(vec![GuildBinding {
            guild_id: 900,
            community: "demo".into(),
            ..Default::default()
        }])
    }

    /// An APPLICATION_COMMAND interaction as Discord documents it.
    fn interaction(name: &str, locale: &str, options: serde_json::Value) -> CommandInteraction {
        let v = json!({
            "id": "1100", "application_id": "42", "type": 2, "token": "tok", "version": 1,
            "guild_id": "900", "channel_id": "700", "locale": locale, "guild_locale": "en-US",
            "app_permissions": "2147483647", "entitlements": [], "authorizing_integration_owners": {},
            "context": 0, "attachment_size_limit": 8388608,
            "channel": {"id": "700", "type": 0, "name": "general", "permissions": "0"},
            "member": {
                "user": {"id": "555", "username": "alice", "discriminator": "0", "global_name": "Alice", "avatar": null},
                "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false,
                "flags": 0, "permissions": "0"
            },
            "user": {"id": "555", "username": "alice", "discriminator": "0", "global_name": "Alice", "avatar": null},
            "data": {"id": "1200", "name": name, "type": 1, "options": options}
        });
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_typed_options_into_core_commands() {
        let i = interaction(
            "grant",
            "en-US",
            json!([
                {"name": "user", "type": 6, "value": "777"},
                {"name": "tier", "type": 3, "value": "pro"},
                {"name": "days", "type": 4, "value": 30}
            ]),
        );
        let r = read(&i, &bindings()).unwrap_or_else(|| panic!("no request"));
        assert_eq!(r.community, "demo");
        assert_eq!(r.invoker.identity.to_string(), "discord:555");
        assert_eq!(r.invoker.display_name.as_deref(), Some("Alice"));
        assert_eq!(r.invoker.locale, Some(Locale::En));
        let Ok(Command::Grant { user, tier, days }) = r.command else {
            panic!("{:?}", r.command)
        };
        assert_eq!(
            (user.to_string().as_str(), tier.as_str(), days),
            ("discord:777", "pro", Some(30))
        );
    }

    #[test]
    fn reads_the_chinese_locale_and_refuses_bad_values_clearly() {
        let i = interaction(
            "leaderboard",
            "zh-CN",
            json!([{"name": "page", "type": 4, "value": 0}]),
        );
        let r = read(&i, &bindings()).unwrap_or_else(|| panic!("no request"));
        assert_eq!(r.invoker.locale, Some(Locale::ZhCn));
        assert!(
            matches!(r.command, Err(UserError::IntegerOutOfRange { .. })),
            "{:?}",
            r.command
        );
        let i = interaction(
            "subscribe",
            "zh-CN",
            json!([{"name": "tier", "type": 3, "value": "pro"}]),
        );
        let r = read(&i, &bindings()).unwrap_or_else(|| panic!("no request"));
        assert!(matches!(r.command, Ok(Command::Subscribe { yearly: false, .. })));
    }

    #[test]
    fn subcommands_and_the_creator_role_are_read() {
        let i = interaction(
            "lesson",
            "en-US",
            json!([{"name": "remove", "type": 1, "options": [{"name": "lesson", "type": 3, "value": "intro"}]}]),
        );
        let r = read(&i, &bindings()).unwrap_or_else(|| panic!("no request"));
        assert!(!r.invoker.creator, "no creator role is configured");
        let Ok(Command::LessonRemove { lesson }) = r.command else {
            panic!("{:?}", r.command)
        };
        assert_eq!(lesson.as_str(), "intro");
        let mut with_role = bindings();
        with_role.0[0].creator_role = Some(321);
        let mut i = interaction("lessons", "en-US", json!([]));
        assert!(!read(&i, &with_role).is_some_and(|r| r.invoker.creator));
        if let Some(m) = i.member.as_mut() {
            m.roles.push(serenity::all::RoleId::new(321));
        }
        assert!(read(&i, &with_role).is_some_and(|r| r.invoker.creator));
    }

    #[test]
    fn interactions_outside_bound_guilds_are_not_read() {
        let mut i = interaction("me", "en-US", json!([]));
        i.guild_id = Some(serenity::all::GuildId::new(901));
        assert!(read(&i, &bindings()).is_none());
        i.guild_id = None;
        assert!(read(&i, &bindings()).is_none());
    }
}
