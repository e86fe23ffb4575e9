//! Discord's HTTP API v10 as its OpenAPI description states it, plus the
//! limits its documentation gives in prose: command and option names,
//! locales, option order, integer bounds, message and embed lengths, and
//! the audit-log reason.

use std::sync::OnceLock;

use serde_json::Value;

use super::schema::{Checker, Problem, Values, integer, join, matches};
use super::{Refusal, load};

/// Discord's locales, the only keys a localization map may use.
pub const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl",
    "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja",
    "zh-TW", "ko",
];

/// ±(2^53 − 1): what Discord accepts as an integer option's bound.
pub const INT53: i128 = (1 << 53) - 1;

fn spec() -> Option<&'static Value> {
    static CELL: OnceLock<Option<Value>> = OnceLock::new();
    load("discord.openapi.trimmed.json", &CELL)
}

/// Checks one REST request. `path` is after `/api/v10`, `body` the JSON body
/// (a multipart request's `payload_json`), `reason` the audit-log header.
pub fn check(
    method: &str,
    path: &str,
    query: Option<&str>,
    reason: Option<&str>,
    body: &Value,
) -> Result<(), Refusal> {
    let Some(spec) = spec() else { return Ok(()) };
    let Some((template, item)) = route(spec, path) else {
        return Err(Refusal::new(
            404,
            format!("{method} {path}"),
            vec![Problem::new("", "no such endpoint")],
        ));
    };
    let endpoint = format!("{method} {template}");
    let Some(op) = item.get(method.to_ascii_lowercase()) else {
        return Err(Refusal::new(
            405,
            endpoint,
            vec![Problem::new("", "method not allowed here")],
        ));
    };
    let json = Checker {
        root: spec,
        values: Values::Json,
    };
    let text = Checker {
        root: spec,
        values: Values::Form,
    };
    let mut problems = Vec::new();
    let params: Vec<&Value> = [item, op]
        .iter()
        .filter_map(|x| x.get("parameters").and_then(Value::as_array))
        .flatten()
        .collect();
    // Path parameters: each segment against its schema.
    for (name, value) in template.split('/').zip(path.split('/')) {
        let Some(name) = name.strip_prefix('{').and_then(|n| n.strip_suffix('}')) else {
            continue;
        };
        if let Some(p) = params.iter().find(|p| p["in"] == "path" && p["name"] == name) {
            problems.extend(text.check(&p["schema"], &Value::String(value.to_owned()), name));
        }
    }
    let query: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    for (key, value) in &query {
        match params
            .iter()
            .find(|p| p["in"] == "query" && p["name"] == key.as_str())
        {
            Some(p) => problems.extend(text.check(&p["schema"], &Value::String(value.clone()), key)),
            None => problems.push(Problem::new(key, "is not a known query parameter")),
        }
    }
    for p in params
        .iter()
        .filter(|p| p["in"] == "query" && p["required"] == true)
    {
        if !query.iter().any(|(k, _)| p["name"] == k.as_str()) {
            problems.push(Problem::new(
                p["name"].as_str().unwrap_or_default(),
                "is required",
            ));
        }
    }
    let operation = op["operationId"].as_str().unwrap_or_default();
    let described = without_documented(operation, body, &mut problems);
    let body = &described;
    if let Some(request) = op.get("requestBody") {
        if body.is_null() && request["required"] == true {
            problems.push(Problem::new("", "a request body is required"));
        } else if !body.is_null() {
            problems.extend(json.check(&request["schema"], body, ""));
        }
    }
    problems.extend(documented(operation, body));
    if let Some(reason) = reason {
        let decoded = percent_encoding::percent_decode_str(reason).decode_utf8_lossy();
        let n = decoded.chars().count();
        if !(1..=512).contains(&n) {
            problems.push(Problem::new(
                "X-Audit-Log-Reason",
                format!("must be 1-512 characters, is {n}"),
            ));
        }
    }
    Refusal::unless_empty(400, &endpoint, problems)
}

/// The path template that `path` falls under, literal segments winning
/// over parameters (`members/@me` before `members/{user_id}`).
fn route<'a>(spec: &'a Value, path: &str) -> Option<(&'a str, &'a Value)> {
    spec["paths"]
        .as_object()?
        .iter()
        .filter_map(|(template, item)| Some((super::fits_template(template, path)?, template.as_str(), item)))
        .max_by_key(|(literal, ..)| *literal)
        .map(|(_, t, item)| (t, item))
}

/// What Discord's documentation states and its OpenAPI description does not.
fn documented(operation: &str, body: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    if operation.contains("application_command") {
        match body {
            Value::Array(commands) => {
                for (i, c) in commands.iter().enumerate() {
                    command(c, &format!("[{i}]"), &mut out);
                }
            }
            Value::Object(_) => command(body, "", &mut out),
            _ => {}
        }
    }
    let message_like = ["message", "webhook", "interaction_response", "followup"];
    if message_like.iter().any(|m| operation.contains(m)) {
        message(body, "", &mut out);
        if let Some(data) = body.get("data") {
            message(data, "data", &mut out);
        }
    }
    out
}

/// Command fields that Discord documents and takes but its OpenAPI
/// description of the request leaves out.
const COMMAND_FIELDS_DOCUMENTED: &[&str] = &["nsfw"];

/// The body with what Discord documents and its description leaves out
/// checked and taken out, so that the description's schema judges the
/// rest: a command's `nsfw`, and a new upload's attachment `id`, which the
/// docs give as the file's index (`"id": 0`) rather than a snowflake.
fn without_documented(operation: &str, body: &Value, out: &mut Vec<Problem>) -> Value {
    let mut body = body.clone();
    let mut each = |c: &mut Value, at: String| {
        if let Some(map) = c
            .as_object_mut()
            .filter(|_| operation.contains("application_command"))
        {
            for key in COMMAND_FIELDS_DOCUMENTED {
                match map.remove(*key) {
                    Some(Value::Bool(_) | Value::Null) | None => {}
                    Some(other) => out.push(Problem::new(
                        &join(&at, key),
                        format!("must be a boolean, not {other}"),
                    )),
                }
            }
        }
        let message = if c.get("data").is_some_and(Value::is_object) {
            &mut c["data"]
        } else {
            c
        };
        for a in message
            .get_mut("attachments")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(i) = a.get("id").and_then(Value::as_u64) {
                a["id"] = Value::String(i.to_string());
            }
        }
    };
    match &mut body {
        Value::Array(commands) => {
            for (i, c) in commands.iter_mut().enumerate() {
                each(c, format!("[{i}]"));
            }
        }
        c @ Value::Object(_) => each(c, String::new()),
        _ => {}
    }
    body
}

fn command(c: &Value, at: &str, out: &mut Vec<Problem>) {
    let chat_input = c.get("type").is_none_or(|t| t.is_null() || t == 1);
    name(c, at, chat_input, out);
    if chat_input {
        description(c, at, out);
    }
    options(c, at, out);
}

fn name(v: &Value, at: &str, lowercase: bool, out: &mut Vec<Problem>) {
    let check = |at: String, text: &str, out: &mut Vec<Problem>| {
        if !matches(r"^[-_\p{L}\p{N}]{1,32}$", text) {
            out.push(Problem::new(
                &at,
                format!("{text:?} must match ^[-_\\p{{L}}\\p{{N}}]{{1,32}}$"),
            ));
        } else if lowercase && text.to_lowercase() != text {
            out.push(Problem::new(&at, format!("{text:?} must be lowercase")));
        }
    };
    if let Some(n) = v.get("name").and_then(Value::as_str) {
        check(join(at, "name"), n, out);
    }
    localizations(v, at, "name_localizations", out, |at, text, out| {
        check(at, text, out);
    });
}

fn description(v: &Value, at: &str, out: &mut Vec<Problem>) {
    let check = |at: String, text: &str, out: &mut Vec<Problem>| {
        let n = text.chars().count();
        if !(1..=100).contains(&n) {
            out.push(Problem::new(&at, format!("must be 1-100 characters, is {n}")));
        }
    };
    match v.get("description").and_then(Value::as_str) {
        Some(d) => check(join(at, "description"), d, out),
        None => out.push(Problem::new(
            &join(at, "description"),
            "is required for a slash command",
        )),
    }
    localizations(v, at, "description_localizations", out, check);
}

fn localizations(
    v: &Value,
    at: &str,
    key: &str,
    out: &mut Vec<Problem>,
    check: impl Fn(String, &str, &mut Vec<Problem>),
) {
    let Some(map) = v.get(key).and_then(Value::as_object) else {
        return;
    };
    for (locale, text) in map {
        let here = join(&join(at, key), locale);
        if !LOCALES.contains(&locale.as_str()) {
            out.push(Problem::new(&here, format!("{locale:?} is not a Discord locale")));
        }
        if let Some(text) = text.as_str() {
            check(here, text, out);
        }
    }
}

fn options(v: &Value, at: &str, out: &mut Vec<Problem>) {
    let Some(list) = v.get("options").and_then(Value::as_array) else {
        return;
    };
    let at_options = join(at, "options");
    if list.len() > 25 {
        out.push(Problem::new(
            &at_options,
            format!("at most 25 options, has {}", list.len()),
        ));
    }
    let mut optional_seen = false;
    for (i, o) in list.iter().enumerate() {
        let here = format!("{at_options}[{i}]");
        let required = o.get("required") == Some(&Value::Bool(true));
        if required && optional_seen {
            out.push(Problem::new(
                &here,
                "a required option must come before every optional one",
            ));
        }
        optional_seen |= !required;
        name(o, &here, true, out);
        description(o, &here, out);
        for key in ["min_value", "max_value"] {
            if let Some(bound) = o.get(key).and_then(integer)
                && !(-INT53..=INT53).contains(&bound)
            {
                out.push(Problem::new(
                    &join(&here, key),
                    format!("{bound} is outside ±(2^53 − 1)"),
                ));
            }
        }
        if let Some(choices) = o.get("choices").and_then(Value::as_array) {
            if choices.len() > 25 {
                out.push(Problem::new(
                    &join(&here, "choices"),
                    format!("at most 25 choices, has {}", choices.len()),
                ));
            }
            for (j, c) in choices.iter().enumerate() {
                let at_choice = format!("{here}.choices[{j}]");
                localizations(c, &at_choice, "name_localizations", out, |at, text, out| {
                    let n = text.chars().count();
                    if !(1..=100).contains(&n) {
                        out.push(Problem::new(&at, format!("must be 1-100 characters, is {n}")));
                    }
                });
            }
        }
        options(o, &here, out);
    }
}

/// A bot's message content is at most 2,000 characters and its embeds at
/// most 6,000 in all.
fn message(v: &Value, at: &str, out: &mut Vec<Problem>) {
    if let Some(content) = v.get("content").and_then(Value::as_str) {
        let n = content.chars().count();
        if n > 2000 {
            out.push(Problem::new(
                &join(at, "content"),
                format!("must be at most 2000 characters, is {n}"),
            ));
        }
    }
    let Some(embeds) = v.get("embeds").and_then(Value::as_array) else {
        return;
    };
    let len = |x: &Value| x.as_str().map_or(0, |s| s.chars().count());
    let total: usize = embeds
        .iter()
        .map(|e| {
            len(&e["title"])
                + len(&e["description"])
                + len(&e["footer"]["text"])
                + len(&e["author"]["name"])
                + e["fields"].as_array().map_or(0, |fs| {
                    fs.iter().map(|f| len(&f["name"]) + len(&f["value"])).sum()
                })
        })
        .sum();
    if total > 6000 {
        out.push(Problem::new(
            &join(at, "embeds"),
            format!("must be at most 6000 characters in all, are {total}"),
        ));
    }
}
