//! The Bot API 10.1 as its description states it (methods, their fields,
//! the types those fields take, and the limits the docs give in prose),
//! plus the rules the docs state between fields.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::schema::{Problem, integer, join, kind, matches};
use super::{Refusal, load};

fn spec() -> Option<&'static Value> {
    static CELL: OnceLock<Option<Value>> = OnceLock::new();
    load("telegram.botapi.trimmed.json", &CELL)
}

/// Checks one call of `method` with `params` (a JSON body, or a multipart
/// form's text fields), `files` naming the form's file parts.
pub fn check(method: &str, params: &Value, files: &[String]) -> Result<(), Refusal> {
    let Some(spec) = spec() else { return Ok(()) };
    let found = spec["methods"]
        .as_object()
        .and_then(|m| m.iter().find(|(name, _)| name.eq_ignore_ascii_case(method)));
    let Some((name, described)) = found else {
        return Err(Refusal::new(
            404,
            method,
            vec![Problem::new("", "no such method")],
        ));
    };
    let empty = Map::new();
    let params = match params {
        Value::Object(map) => map,
        Value::Null => &empty,
        other => {
            let rule = format!("parameters must be an object, not {}", kind(other));
            return Err(Refusal::new(400, name.as_str(), vec![Problem::new("", rule)]));
        }
    };
    let types = &spec["types"];
    let mut out = Vec::new();
    let fields = described["fields"].as_object().unwrap_or(&empty);
    object(types, fields, params, "", true, files, &mut out);
    between_fields(name, params, &mut out);
    Refusal::unless_empty(400, name, out)
}

/// Checks an object's fields. `top` is true for a method's own parameters,
/// which reach the server as text and are read as such (`"5"` is 5).
fn object(
    types: &Value,
    fields: &Map<String, Value>,
    given: &Map<String, Value>,
    at: &str,
    top: bool,
    files: &[String],
    out: &mut Vec<Problem>,
) {
    for (key, f) in fields {
        let present = given.get(key).is_some_and(|v| !v.is_null()) || (top && files.contains(key));
        if f["required"] == true && !present {
            out.push(Problem::new(&join(at, key), "is required"));
        }
    }
    for (key, v) in given {
        let here = join(at, key);
        let Some(f) = fields.get(key) else {
            if super::schema::carries_value(v) {
                out.push(Problem::new(&here, "is not a known field"));
            }
            continue;
        };
        if v.is_null() {
            continue;
        }
        let parse_mode = given
            .get(if key == "quote" {
                "quote_parse_mode"
            } else {
                "parse_mode"
            })
            .and_then(Value::as_str);
        field(types, f, v, &here, top, parse_mode, out);
    }
}

fn field(
    types: &Value,
    f: &Value,
    v: &Value,
    at: &str,
    top: bool,
    parse_mode: Option<&str>,
    out: &mut Vec<Problem>,
) {
    let alternatives: Vec<&str> = f["types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut best: Option<Vec<Problem>> = None;
    for ty in &alternatives {
        let problems = value(types, ty, v, at, top);
        if problems.is_empty() {
            limits(f, v, at, parse_mode, out);
            return;
        }
        if best.as_ref().is_none_or(|b| problems.len() < b.len()) {
            best = Some(problems);
        }
    }
    out.extend(best.unwrap_or_default());
}

/// Whether `v` is of the Bot API type `ty` ("Integer", "Array of String",
/// "InlineKeyboardMarkup"…), with the problems if not.
fn value(types: &Value, ty: &str, v: &Value, at: &str, top: bool) -> Vec<Problem> {
    let text = if top { v.as_str() } else { None };
    let wrong = || vec![Problem::new(at, format!("must be {ty}, not {}", kind(v)))];
    let ok = match ty {
        "Integer" => integer(v).is_some() || text.is_some_and(|s| s.parse::<i64>().is_ok()),
        "Float" => v.is_number() || text.is_some_and(|s| s.parse::<f64>().is_ok()),
        "Boolean" => v.is_boolean() || text.is_some_and(|s| s == "true" || s == "false"),
        "String" => v.is_string() || (top && v.is_number()),
        "InputFile" => v.is_string(),
        _ => {
            // Objects and arrays in a form arrive as JSON text.
            let parsed;
            let v = match text.and_then(|s| serde_json::from_str::<Value>(s).ok()) {
                Some(p) => {
                    parsed = p;
                    &parsed
                }
                None => v,
            };
            if let Some(inner) = ty.strip_prefix("Array of ") {
                let Some(items) = v.as_array() else { return wrong() };
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    out.extend(value(types, inner, item, &format!("{at}[{i}]"), false));
                }
                return out;
            }
            let Some(t) = types.get(ty) else {
                return vec![Problem::new(at, format!("type {ty} is not in the description"))];
            };
            return typed(types, ty, t, v, at);
        }
    };
    if ok { Vec::new() } else { wrong() }
}

fn typed(types: &Value, ty: &str, t: &Value, v: &Value, at: &str) -> Vec<Problem> {
    if let Some(subtypes) = t["subtypes"].as_array() {
        let mut best: Option<Vec<Problem>> = None;
        for sub in subtypes.iter().filter_map(Value::as_str) {
            let problems = value(types, sub, v, at, false);
            if problems.is_empty() {
                return problems;
            }
            if best.as_ref().is_none_or(|b| problems.len() < b.len()) {
                best = Some(problems);
            }
        }
        return best.unwrap_or_default();
    }
    let Some(given) = v.as_object() else {
        return vec![Problem::new(at, format!("must be {ty}, not {}", kind(v)))];
    };
    let mut out = Vec::new();
    let empty = Map::new();
    object(
        types,
        t["fields"].as_object().unwrap_or(&empty),
        given,
        at,
        false,
        &[],
        &mut out,
    );
    if let Some(except) = t["exactlyOneOtherThan"].as_array() {
        let set: Vec<&String> = given
            .iter()
            .filter(|(k, v)| !v.is_null() && !except.iter().any(|e| e == k.as_str()))
            .map(|(k, _)| k)
            .collect();
        if set.len() != 1 {
            out.push(Problem::new(
                at,
                format!("a {ty} must use exactly one of its optional fields, uses {set:?}"),
            ));
        }
    }
    out
}

fn limits(f: &Value, v: &Value, at: &str, parse_mode: Option<&str>, out: &mut Vec<Problem>) {
    let num = |k: &str| f.get(k).and_then(Value::as_u64);
    if let Some(text) = v.as_str() {
        let chars = if f["afterEntityParsing"] == true {
            visible(text, parse_mode)
        } else {
            text.chars().count()
        };
        let bytes = text.len();
        for (min, max, n, unit) in [
            (num("minLength"), num("maxLength"), chars, "characters"),
            (num("minBytes"), num("maxBytes"), bytes, "bytes"),
        ] {
            let n = n as u64;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                let range = format!(
                    "{}-{}",
                    min.unwrap_or(0),
                    max.map_or("…".into(), |m| m.to_string())
                );
                out.push(Problem::new(at, format!("must be {range} {unit}, is {n}")));
            }
        }
        if let Some(p) = f["pattern"].as_str()
            && !matches(p, text)
        {
            out.push(Problem::new(at, format!("must match {p}, {text:?} does not")));
        }
        if let Some(allowed) = f["enum"].as_array()
            && !allowed.iter().any(|a| a == v)
        {
            out.push(Problem::new(
                at,
                format!("must be one of {allowed:?}, not {text:?}"),
            ));
        }
    }
    if let Some(c) = f.get("const")
        && c != v
    {
        out.push(Problem::new(at, format!("must be {c}, not {v}")));
    }
    let numeric = f["types"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t == "Integer" || t == "Float"));
    if let Some(n) = v
        .as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .filter(|_| numeric)
    {
        let min = f.get("minimum").and_then(Value::as_f64);
        let max = f.get("maximum").and_then(Value::as_f64);
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            out.push(Problem::new(at, format!("must lie in {min:?}..={max:?}, is {n}")));
        }
    }
    if let Some(items) = v.as_array() {
        let n = items.len() as u64;
        if num("minItems").is_some_and(|m| n < m) || num("maxItems").is_some_and(|m| n > m) {
            out.push(Problem::new(
                at,
                format!(
                    "must have {:?}..={:?} items, has {n}",
                    num("minItems"),
                    num("maxItems")
                ),
            ));
        }
    }
}

/// Characters left once the parse mode's markup is taken out, which is
/// what Telegram's "after entities parsing" limits count.
fn visible(text: &str, parse_mode: Option<&str>) -> usize {
    match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        Some("html") => {
            let mut n = 0;
            let mut in_tag = false;
            let mut rest = text;
            while let Some(c) = rest.chars().next() {
                rest = &rest[c.len_utf8()..];
                match c {
                    '<' => in_tag = true,
                    '>' if in_tag => in_tag = false,
                    '&' if !in_tag => {
                        // An entity (&lt;, &#39;) is one character.
                        if let Some(end) = rest.find(';').filter(|e| *e <= 8) {
                            rest = &rest[end + 1..];
                        }
                        n += 1;
                    }
                    _ if !in_tag => n += 1,
                    _ => {}
                }
            }
            n
        }
        Some("markdown" | "markdownv2") => {
            let mut n = 0;
            let mut escaped = false;
            for c in text.chars() {
                if escaped {
                    n += 1;
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if !"*_~|`".contains(c) {
                    n += 1;
                }
            }
            n
        }
        _ => text.chars().count(),
    }
}

/// Rules the docs state between fields of one call.
fn between_fields(method: &str, p: &Map<String, Value>, out: &mut Vec<Problem>) {
    let set = |k: &str| p.get(k).is_some_and(|v| !v.is_null());
    let truthy = |k: &str| p.get(k).is_some_and(|v| v == true || v == "true");
    if method.ends_with("ChatInviteLink") && truthy("creates_join_request") && set("member_limit") {
        out.push(Problem::new(
            "member_limit",
            "cannot be set on a link with creates_join_request",
        ));
    }
    if set("subscription_period") {
        let period = p
            .get("subscription_period")
            .and_then(|v| integer(v).or_else(|| v.as_str()?.parse().ok()));
        if period != Some(2_592_000) {
            out.push(Problem::new("subscription_period", "must be 2592000 (30 days)"));
        }
        if p.get("currency").and_then(Value::as_str) != Some("XTR") {
            out.push(Problem::new(
                "subscription_period",
                "is only for invoices in Telegram Stars (XTR)",
            ));
        }
    }
}
