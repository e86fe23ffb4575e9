//! The part of JSON Schema that the platforms' request descriptions use,
//! checked the way the platforms check: a field a schema does not name is
//! refused when it carries a value, and a form-encoded request (Stripe's,
//! Discord's query strings) carries every scalar as text.
//!
//! Written here rather than taken from a JSON Schema crate because those
//! know neither rule, and because a failed `oneOf` must name the field that
//! broke the branch the request meant (the option whose `max_value` is out
//! of range), not only the list of branches that did not match.

use serde_json::Value;

/// One refused field: where in the request, and which rule it broke.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub at: String,
    pub rule: String,
}

impl Problem {
    pub fn new(at: &str, rule: impl Into<String>) -> Problem {
        Problem {
            at: if at.is_empty() {
                "(body)".into()
            } else {
                at.to_owned()
            },
            rule: rule.into(),
        }
    }
}

/// How scalars arrive: as JSON values, or all as text from a form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Values {
    Json,
    Form,
}

/// Checks values against schemas whose `$ref`s point into `root`.
pub struct Checker<'a> {
    pub root: &'a Value,
    pub values: Values,
}

pub fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

fn index(at: &str, i: usize) -> String {
    format!("{at}[{i}]")
}

impl Checker<'_> {
    fn resolve(&self, reference: &str) -> Option<&Value> {
        let path = reference.strip_prefix("#/")?;
        path.split('/').try_fold(self.root, |v, part| v.get(part))
    }

    pub fn check(&self, schema: &Value, v: &Value, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        self.walk(schema, v, at, &mut out);
        out
    }

    fn walk(&self, schema: &Value, v: &Value, at: &str, out: &mut Vec<Problem>) {
        let Some(s) = schema.as_object() else { return };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match self.resolve(r) {
                Some(target) => self.walk(target, v, at, out),
                None => out.push(Problem::new(at, format!("schema reference {r} is missing"))),
            }
        }
        if v.is_null() && self.null_allowed(schema) {
            return;
        }
        for sub in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.walk(sub, v, at, out);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = s.get(key).and_then(Value::as_array) {
                self.any_of(branches, v, at, out);
            }
        }
        if let Some(types) = s.get("type")
            && !self.has_type(types, v)
        {
            out.push(Problem::new(
                at,
                format!("must be of type {}, not {}", show(types), kind(v)),
            ));
            return;
        }
        self.scalar_rules(s, v, at, out);
        match v {
            Value::Object(map) => self.object_rules(s, map, at, out),
            Value::Array(items) => self.array_rules(s, items, at, out),
            _ => {}
        }
    }

    /// Whether null passes this schema without further checks: a `type`
    /// list with "null", OpenAPI 3.0's `nullable`, or a null branch.
    fn null_allowed(&self, schema: &Value) -> bool {
        if schema.get("nullable") == Some(&Value::Bool(true)) {
            return true;
        }
        match schema.get("type") {
            Some(Value::String(t)) => return t == "null",
            Some(Value::Array(ts)) => return ts.iter().any(|t| t == "null"),
            _ => {}
        }
        ["oneOf", "anyOf"].iter().any(|k| {
            schema
                .get(*k)
                .and_then(Value::as_array)
                .is_some_and(|bs| bs.iter().any(|b| b.get("type").is_some_and(|t| t == "null")))
        })
    }

    /// A value passes when one branch takes it; otherwise the problems of
    /// the branch that took it furthest are the ones worth reading.
    fn any_of(&self, branches: &[Value], v: &Value, at: &str, out: &mut Vec<Problem>) {
        let mut best: Option<Vec<Problem>> = None;
        for branch in branches {
            let problems = self.check(branch, v, at);
            if problems.is_empty() {
                return;
            }
            // Closest: failed deepest, then past its type check, then least.
            let closeness = |ps: &[Problem]| {
                let depth = ps
                    .iter()
                    .map(|p| p.at.matches(['.', '[']).count())
                    .max()
                    .unwrap_or(0);
                let typed = !ps.iter().all(|p| p.rule.starts_with("must be of type"));
                (depth, typed, usize::MAX - ps.len())
            };
            let better = best.as_ref().is_none_or(|b| closeness(&problems) > closeness(b));
            if better {
                best = Some(problems);
            }
        }
        out.extend(best.unwrap_or_default());
    }

    fn has_type(&self, types: &Value, v: &Value) -> bool {
        match types {
            Value::String(t) => self.is(t, v),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| self.is(t, v)),
            _ => true,
        }
    }

    fn is(&self, t: &str, v: &Value) -> bool {
        let text = match (self.values, v) {
            (Values::Form, Value::String(s)) => Some(s.as_str()),
            _ => None,
        };
        match t {
            "null" => v.is_null(),
            "boolean" => v.is_boolean() || text.is_some_and(|s| s == "true" || s == "false"),
            "integer" => integer(v).is_some() || text.is_some_and(|s| s.parse::<i128>().is_ok()),
            "number" => v.is_number() || text.is_some_and(|s| s.parse::<f64>().is_ok_and(f64::is_finite)),
            "string" => v.is_string(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => true,
        }
    }

    fn scalar_rules(&self, s: &serde_json::Map<String, Value>, v: &Value, at: &str, out: &mut Vec<Problem>) {
        if let Some(allowed) = s.get("enum").and_then(Value::as_array)
            && !allowed.iter().any(|a| self.same(a, v))
        {
            out.push(Problem::new(
                at,
                format!("must be one of {}, not {}", show_list(allowed), v),
            ));
        }
        if let Some(c) = s.get("const")
            && !self.same(c, v)
        {
            out.push(Problem::new(at, format!("must be {c}, not {v}")));
        }
        if let Some(text) = v.as_str() {
            let n = text.chars().count();
            if let Some(min) = s.get("minLength").and_then(Value::as_u64)
                && (n as u64) < min
            {
                out.push(Problem::new(
                    at,
                    format!("must be at least {min} characters, is {n}"),
                ));
            }
            if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
                && n as u64 > max
            {
                out.push(Problem::new(
                    at,
                    format!("must be at most {max} characters, is {n}"),
                ));
            }
            if let Some(p) = s.get("pattern").and_then(Value::as_str)
                && !matches(p, text)
            {
                out.push(Problem::new(at, format!("must match {p}, {text:?} does not")));
            }
        }
        let number = integer(v)
            .map(|i| i as f64)
            .or_else(|| v.as_f64())
            .or_else(|| match self.values {
                Values::Form => v.as_str().and_then(|s| s.parse::<f64>().ok()),
                Values::Json => None,
            });
        if let Some(x) = number {
            // Integers are compared exactly: 2^53 − 1 against i64::MAX is
            // the difference that matters on Discord.
            let exact = integer(v).or_else(|| v.as_str().and_then(|s| s.parse::<i128>().ok()));
            for (key, below) in [("minimum", true), ("maximum", false)] {
                let Some(bound) = s.get(key) else { continue };
                let broken = match (exact, integer(bound)) {
                    (Some(i), Some(b)) => {
                        if below {
                            i < b
                        } else {
                            i > b
                        }
                    }
                    _ => bound.as_f64().is_some_and(|b| if below { x < b } else { x > b }),
                };
                if broken {
                    out.push(Problem::new(at, format!("{key} is {bound}, the value is {v}")));
                }
            }
        }
    }

    fn object_rules(
        &self,
        s: &serde_json::Map<String, Value>,
        map: &serde_json::Map<String, Value>,
        at: &str,
        out: &mut Vec<Problem>,
    ) {
        let props = s.get("properties").and_then(Value::as_object);
        for name in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            let Some(name) = name.as_str() else { continue };
            if map.get(name).is_none_or(Value::is_null) {
                out.push(Problem::new(&join(at, name), "is required"));
            }
        }
        let extra = s.get("additionalProperties");
        for (key, value) in map {
            let here = join(at, key);
            if let Some(schema) = props.and_then(|p| p.get(key)) {
                self.walk(schema, value, &here, out);
                continue;
            }
            match extra {
                Some(Value::Bool(false)) => out.push(Problem::new(&here, "is not a known field")),
                Some(schema @ Value::Object(_)) => self.walk(schema, value, &here, out),
                // A described object refuses fields it does not name.
                _ if props.is_some() && carries_value(value) => {
                    out.push(Problem::new(&here, "is not a known field"));
                }
                _ => {}
            }
        }
        let n = map.len() as u64;
        count(s, ("minProperties", "maxProperties"), n, "entries", at, out);
    }

    fn array_rules(
        &self,
        s: &serde_json::Map<String, Value>,
        items: &[Value],
        at: &str,
        out: &mut Vec<Problem>,
    ) {
        let n = items.len() as u64;
        count(s, ("minItems", "maxItems"), n, "items", at, out);
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    out.push(Problem::new(
                        &index(at, i),
                        "repeats an earlier item; items must be unique",
                    ));
                }
            }
        }
        if let Some(schema) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.walk(schema, item, &index(at, i), out);
            }
        }
    }

    /// Equality for `enum` and `const`, where a form's text "4" is 4.
    fn same(&self, expected: &Value, v: &Value) -> bool {
        expected == v
            || (self.values == Values::Form
                && v.as_str().is_some_and(|s| match expected {
                    Value::String(e) => e == s,
                    other => *other == s,
                }))
    }
}

/// A count (of entries, items) against the schema's lower and upper keys.
fn count(
    s: &serde_json::Map<String, Value>,
    (min_key, max_key): (&str, &str),
    n: u64,
    unit: &str,
    at: &str,
    out: &mut Vec<Problem>,
) {
    if let Some(max) = s.get(max_key).and_then(Value::as_u64)
        && n > max
    {
        out.push(Problem::new(
            at,
            format!("must have at most {max} {unit}, has {n}"),
        ));
    }
    if let Some(min) = s.get(min_key).and_then(Value::as_u64)
        && n < min
    {
        out.push(Problem::new(
            at,
            format!("must have at least {min} {unit}, has {n}"),
        ));
    }
}

/// Whether `text` matches `pattern`, each pattern compiled once a thread.
pub fn matches(pattern: &str, text: &str) -> bool {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, regex::Regex>> =
            std::cell::RefCell::default();
    }
    COMPILED.with_borrow_mut(|cache| {
        if !cache.contains_key(pattern) {
            let re = regex::Regex::new(pattern).unwrap_or_else(|e| panic!("pattern {pattern}: {e}"));
            cache.insert(pattern.to_owned(), re);
        }
        cache[pattern].is_match(text)
    })
}

/// Whether a field the description does not name says anything. Clients
/// send null, an empty list or `false` for what they leave unset (serenity
/// sends `channel_types: []` and `autocomplete: false` on every option), and
/// the platforms take those as unset too.
pub fn carries_value(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// An integer value exactly, whether serde_json holds it as i64 or u64.
pub fn integer(v: &Value) -> Option<i128> {
    v.as_i64().map(i128::from).or_else(|| v.as_u64().map(i128::from))
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn show(types: &Value) -> String {
    match types {
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        other => other.as_str().unwrap_or_default().to_owned(),
    }
}

fn show_list(values: &[Value]) -> String {
    let shown: Vec<String> = values.iter().take(12).map(Value::to_string).collect();
    let more = if values.len() > 12 { ", …" } else { "" };
    format!("[{}{more}]", shown.join(", "))
}
