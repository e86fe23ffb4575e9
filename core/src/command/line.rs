//! How a typed line is cut into option values: `name=value` tokens
//! (quoted to hold spaces), positional words, and texts separated by ` | `.

use std::collections::HashMap;

use crate::catalogue::{CommandSpec, OptionKind, OptionSpec};

/// A leading `name=value` token naming an option of `spec`: the option, its
/// value (unquoted) and what follows.
pub(super) fn named<'a>(spec: &CommandSpec, rest: &'a str) -> Option<(&'static str, String, &'a str)> {
    let rest = rest.trim_start();
    let (name, after) = rest.split_once('=')?;
    let option = spec.options.iter().find(|o| o.name == name)?;
    if let Some(quoted) = after.strip_prefix('"') {
        let end = quoted.find('"')?;
        return Some((
            option.name,
            quoted[..end].to_owned(),
            quoted[end + 1..].trim_start(),
        ));
    }
    let (value, tail) = split_token(after);
    Some((option.name, value.to_owned(), tail))
}

/// The text options the rest of a line fills, separated by ` | `: every
/// required one still open, or else the first open one.
pub(super) fn texts_to_fill(
    spec: &CommandSpec,
    values: &HashMap<String, String>,
) -> Vec<&'static OptionSpec> {
    let open = spec
        .options
        .iter()
        .filter(|o| matches!(o.kind, OptionKind::Text { .. }) && !values.contains_key(o.name));
    let required: Vec<_> = open.clone().filter(|o| o.required).collect();
    if required.is_empty() {
        open.take(1).collect()
    } else {
        required
    }
}

pub(super) fn split_token(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}
