//! The core's catalogue as Discord application commands, described in
//! English with Simplified Chinese localizations.

use lyceum_core::catalogue::{CATALOGUE, CommandSpec, OptionKind, OptionSpec};
use lyceum_core::domain::Locale;
use lyceum_core::i18n::t;
use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

/// Discord's limit on descriptions.
const MAX_DESCRIPTION: usize = 100;

/// The largest integer bound Discord accepts (2^53 − 1): a bulk overwrite
/// carrying a larger one is refused whole.
const MAX_INT_BOUND: i64 = (1 << 53) - 1;

/// A bound Discord can be sent: within its range and, as serenity writes
/// integer bounds unsigned, not negative.
fn bound(value: i64) -> Option<u64> {
    u64::try_from(value).ok().filter(|v| *v <= MAX_INT_BOUND as u64)
}

fn text(locale: Locale, key: &str) -> String {
    let s = t(locale, key);
    if s.chars().count() > MAX_DESCRIPTION {
        s.chars().take(MAX_DESCRIPTION - 1).chain(['…']).collect()
    } else {
        s
    }
}

fn option(spec: &CommandSpec, o: &OptionSpec) -> CreateCommandOption {
    let key = spec.option_key(o.name);
    let kind = match o.kind {
        OptionKind::User => CommandOptionType::User,
        OptionKind::Integer { .. } => CommandOptionType::Integer,
        _ => CommandOptionType::String,
    };
    let mut opt = CreateCommandOption::new(kind, o.name, text(Locale::En, &key))
        .description_localized("zh-CN", text(Locale::ZhCn, &key))
        .required(o.required);
    match o.kind {
        OptionKind::Integer { min, max } => {
            // A bound that cannot be sent is left to the core's own range
            // check: an unbounded option simply has none.
            if let Some(min) = bound(min) {
                opt = opt.min_int_value(min);
            }
            if let Some(max) = bound(max) {
                opt = opt.max_int_value(max);
            }
        }
        OptionKind::Text { max_len } | OptionKind::Word { max_len } => {
            opt = opt.max_length(u16::try_from(max_len).unwrap_or(u16::MAX));
        }
        OptionKind::Tier
        | OptionKind::Offer
        | OptionKind::Reward
        | OptionKind::Lesson
        | OptionKind::Course => {
            opt = opt.set_autocomplete(true);
        }
        OptionKind::Choice(choices) => {
            for c in choices {
                opt = opt.add_string_choice(*c, *c);
            }
        }
        OptionKind::User | OptionKind::Code => {}
    }
    opt
}

/// A subcommand such as `lesson post`, as an option of its group.
fn subcommand(spec: &CommandSpec, name: &str) -> CreateCommandOption {
    let key = spec.description_key();
    spec.options.iter().fold(
        CreateCommandOption::new(CommandOptionType::SubCommand, name, text(Locale::En, &key))
            .description_localized("zh-CN", text(Locale::ZhCn, &key)),
        |sub, o| sub.add_sub_option(option(spec, o)),
    )
}

fn described(name: &str, key: &str) -> CreateCommand {
    CreateCommand::new(name)
        .description(text(Locale::En, key))
        .description_localized("zh-CN", text(Locale::ZhCn, key))
}

/// Every command of the catalogue, ready to register in a guild; commands
/// written as two words become one command with subcommands.
pub fn all() -> Vec<CreateCommand> {
    let mut out = Vec::new();
    let mut groups: Vec<&str> = Vec::new();
    for spec in CATALOGUE {
        match spec.group() {
            None => out.push(
                spec.options
                    .iter()
                    .fold(described(spec.name, &spec.description_key()), |cmd, o| {
                        cmd.add_option(option(spec, o))
                    }),
            ),
            Some((group, _)) if !groups.contains(&group) => {
                groups.push(group);
                let cmd = CATALOGUE
                    .iter()
                    .filter_map(|s| s.group().filter(|(g, _)| *g == group).map(|(_, sub)| (s, sub)))
                    .fold(described(group, &format!("cmd-{group}")), |cmd, (s, sub)| {
                        cmd.add_option(subcommand(s, sub))
                    });
                out.push(cmd);
            }
            Some(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every integer bound in the registration, wherever it is nested.
    fn bounds(v: &serde_json::Value, out: &mut Vec<serde_json::Value>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    if (k == "min_value" || k == "max_value") && !x.is_null() {
                        out.push(x.clone());
                    }
                    bounds(x, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|x| bounds(x, out)),
            _ => {}
        }
    }

    #[test]
    fn integer_bounds_stay_within_what_discord_accepts() {
        let json = serde_json::to_value(all()).unwrap_or_default();
        let mut found = Vec::new();
        bounds(&json, &mut found);
        assert!(!found.is_empty());
        for b in &found {
            let b = b.as_i64().unwrap_or(i64::MAX);
            assert!((-MAX_INT_BOUND..=MAX_INT_BOUND).contains(&b), "bound {b}");
        }
        let answer = json
            .as_array()
            .and_then(|l| l.iter().find(|c| c["name"] == "answer"))
            .cloned()
            .unwrap_or_default();
        let question = &answer["options"][0];
        assert_eq!(question["min_value"], 1);
        assert!(question["max_value"].is_null(), "unbounded: {question}");
    }

    #[test]
    fn every_command_has_both_languages_and_typed_options() {
        let cmds = all();
        let subcommands = CATALOGUE.iter().filter(|c| c.group().is_some()).count();
        let mut groups: Vec<&str> = CATALOGUE
            .iter()
            .filter_map(lyceum_core::catalogue::CommandSpec::group)
            .map(|(g, _)| g)
            .collect();
        groups.sort_unstable();
        groups.dedup();
        assert_eq!(groups, ["lesson", "privacy"]);
        assert_eq!(
            cmds.len(),
            CATALOGUE.len() - subcommands + groups.len(),
            "one command per group holds its subcommands"
        );
        let json = serde_json::to_value(&cmds).unwrap_or_default();
        let list = json.as_array().cloned().unwrap_or_default();
        let grant = list
            .iter()
            .find(|c| c["name"] == "grant")
            .cloned()
            .unwrap_or_default();
        assert_eq!(grant["options"][0]["type"], 6, "user option");
        assert_eq!(grant["options"][1]["autocomplete"], true, "tier autocompletes");
        assert_eq!(grant["options"][2]["type"], 4, "integer days");
        assert_eq!(grant["options"][2]["min_value"], 1);
        for c in &list {
            let en = c["description"].as_str().unwrap_or_default();
            let zh = c["description_localizations"]["zh-CN"]
                .as_str()
                .unwrap_or_default();
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{c}");
            assert!(en.chars().count() <= MAX_DESCRIPTION);
        }
        let sub = list
            .iter()
            .find(|c| c["name"] == "subscribe")
            .cloned()
            .unwrap_or_default();
        assert_eq!(sub["options"][1]["choices"][1]["value"], "yearly");
        let lesson = list
            .iter()
            .find(|c| c["name"] == "lesson")
            .cloned()
            .unwrap_or_default();
        assert_eq!(lesson["options"][0]["name"], "post");
        assert_eq!(lesson["options"][0]["type"], 1, "a subcommand");
        assert_eq!(lesson["options"][0]["options"][0]["autocomplete"], true);
        assert_eq!(lesson["options"][0]["options"][2]["max_length"], 6000);
        assert!(lesson["options"][0]["description_localizations"]["zh-CN"].is_string());
    }
}
