//! Can the bot manage the roles it is asked to? Discord lets a bot change
//! only roles below its own highest role, and only with Manage Roles. This
//! says exactly what an admin must change, in the community's language.

use lyceum_core::domain::Locale;
use lyceum_core::i18n::t_args;
use serenity::all::{GuildId, Http, Permissions, Role, RoleId, UserId};

use crate::config::GuildBinding;

/// What is wrong, as sentences for an admin. Empty when all is well.
pub fn problems(binding: &GuildBinding, roles: &[Role], bot_roles: &[RoleId], locale: Locale) -> Vec<String> {
    let everyone = RoleId::new(binding.guild_id);
    let held: Vec<&Role> = roles
        .iter()
        .filter(|r| r.id == everyone || bot_roles.contains(&r.id))
        .collect();
    let perms = held.iter().fold(Permissions::empty(), |p, r| p | r.permissions);
    let top = held.iter().max_by_key(|r| r.position);
    let mut out = Vec::new();
    if !perms.intersects(Permissions::MANAGE_ROLES | Permissions::ADMINISTRATOR) {
        out.push(t_args(locale, "discord-guide-manage-roles", &[]));
    }
    for (perk, role_id) in &binding.roles {
        match roles.iter().find(|r| r.id.get() == *role_id) {
            None => out.push(t_args(
                locale,
                "discord-guide-role-missing",
                &[
                    ("perk", perk.as_str().into()),
                    ("role", role_id.to_string().into()),
                ],
            )),
            Some(role) if top.is_none_or(|top| role.position >= top.position) => {
                let bot_role = top.map(|r| r.name.clone()).unwrap_or_default();
                out.push(t_args(
                    locale,
                    "discord-guide-role-order",
                    &[("role", role.name.as_str().into()), ("bot_role", bot_role.into())],
                ));
            }
            Some(_) => {}
        }
    }
    out
}

/// Fetches the guild's roles and the bot's own, and checks them.
pub async fn check(
    http: &Http,
    binding: &GuildBinding,
    bot: UserId,
    locale: Locale,
) -> Result<Vec<String>, serenity::Error> {
    let guild = GuildId::new(binding.guild_id);
    let roles = http.get_guild_roles(guild).await?;
    let me = http.get_member(guild, bot).await?;
    Ok(problems(binding, &roles, &me.roles, locale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(id: u64, name: &str, position: u16, perms: u64) -> Role {
        serde_json::from_value(json!({
            "id": id.to_string(), "name": name, "color": 0, "hoist": false, "icon": null,
            "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
            "unicode_emoji": null, "position": position, "permissions": perms.to_string(),
            "managed": false, "mentionable": false, "flags": 0, "guild_id": "900"
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn binding() -> GuildBinding {
        GuildBinding {
            guild_id: 900,
            community: "demo".into(),
            roles: [("pro-lounge".to_owned(), 11u64), ("gone".to_owned(), 99u64)].into(),
            alerts_channel: None,
            creator_role: None,
        }
    }

    #[test]
    fn names_the_missing_permission_the_role_to_move_and_the_deleted_role() {
        let manage = Permissions::MANAGE_ROLES.bits();
        let roles = vec![
            role(900, "@everyone", 0, 0),
            role(10, "Lyceum", 2, 0),
            role(11, "Pro", 3, 0),
        ];
        let said = problems(&binding(), &roles, &[RoleId::new(10)], Locale::En);
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(said[0].contains("Manage Roles"), "{said:?}");
        assert!(
            said.iter()
                .any(|s| s.contains("Lyceum") && s.contains("Pro") && s.contains("above")),
            "{said:?}"
        );
        assert!(said.iter().any(|s| s.contains("99")), "{said:?}");

        let fixed = vec![
            role(900, "@everyone", 0, 0),
            role(10, "Lyceum", 5, manage),
            role(11, "Pro", 3, 0),
            role(99, "Gone", 1, 0),
        ];
        assert!(problems(&binding(), &fixed, &[RoleId::new(10)], Locale::En).is_empty());
        let zh = problems(&binding(), &roles, &[RoleId::new(10)], Locale::ZhCn);
        assert!(zh[0].contains("管理身份组"), "{zh:?}");
    }
}
