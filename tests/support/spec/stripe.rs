//! Stripe's v1 endpoints with the form parameters each takes (decoded from
//! `a[b][0]=c` into nested values), as its generated client states them,
//! plus the metadata limits its documentation gives.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::schema::{Checker, Problem, Values};
use super::{Refusal, load};

fn spec() -> Option<&'static Value> {
    static CELL: OnceLock<Option<Value>> = OnceLock::new();
    load("stripe.requests.json", &CELL)
}

/// Checks one request: `form` is the body of a POST or the query of a GET.
pub fn check(method: &str, path: &str, form: &str) -> Result<(), Refusal> {
    let Some(spec) = spec() else { return Ok(()) };
    let Some((endpoint, described)) = route(spec, method, path) else {
        let rule = format!("Unrecognized request URL ({method}: {path})");
        return Err(Refusal::new(
            404,
            format!("{method} {path}"),
            vec![Problem::new("", rule)],
        ));
    };
    let params = decode(form);
    let checker = Checker {
        root: spec,
        values: Values::Form,
    };
    let mut problems = checker.check(&described["params"], &params, "");
    metadata(&params, "", &mut problems);
    Refusal::unless_empty(400, endpoint, problems)
}

fn route<'a>(spec: &'a Value, method: &str, path: &str) -> Option<(&'a str, &'a Value)> {
    let path = path.trim_end_matches('/');
    spec["endpoints"]
        .as_object()?
        .iter()
        .filter_map(|(key, described)| {
            let (m, template) = key.split_once(' ')?;
            let literal = super::fits_template(template, path).filter(|_| m == method)?;
            Some((literal, key.as_str(), described))
        })
        .max_by_key(|(literal, ..)| *literal)
        .map(|(_, k, d)| (k, d))
}

/// `a[b][0]=c&a[d][]=e` as `{"a": {"b": ["c"], "d": ["e"]}}`.
pub fn decode(form: &str) -> Value {
    let mut root = Map::new();
    for (key, value) in url::form_urlencoded::parse(form.as_bytes()) {
        let mut parts = key.split('[');
        let first = parts.next().unwrap_or_default().to_owned();
        let rest: Vec<String> = parts.map(|p| p.trim_end_matches(']').to_owned()).collect();
        put(&mut root, first, &rest, value.into_owned());
    }
    arrays(Value::Object(root))
}

fn put(map: &mut Map<String, Value>, key: String, rest: &[String], value: String) {
    // `[]` appends: the next free index.
    let key = if key.is_empty() {
        map.len().to_string()
    } else {
        key
    };
    let Some((next, deeper)) = rest.split_first() else {
        map.insert(key, Value::String(value));
        return;
    };
    // A key used both as a value and as a container keeps the value.
    if let Value::Object(inner) = map.entry(key).or_insert_with(|| Value::Object(Map::new())) {
        put(inner, next.clone(), deeper, value);
    }
}

/// Objects keyed 0, 1, 2… become arrays.
fn arrays(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let indexed = !map.is_empty() && (0..map.len()).all(|i| map.contains_key(&i.to_string()));
            if indexed {
                let mut map = map;
                Value::Array(
                    (0..map.len())
                        .map(|i| arrays(map.remove(&i.to_string()).unwrap_or_default()))
                        .collect(),
                )
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, arrays(v))).collect())
            }
        }
        other => other,
    }
}

/// At most 50 keys, keys up to 40 characters, values up to 500, wherever
/// a `metadata` object is sent.
fn metadata(v: &Value, at: &str, out: &mut Vec<Problem>) {
    let Value::Object(map) = v else {
        if let Value::Array(items) = v {
            for (i, item) in items.iter().enumerate() {
                metadata(item, &format!("{at}[{i}]"), out);
            }
        }
        return;
    };
    for (key, value) in map {
        let here = super::schema::join(at, key);
        if key == "metadata" {
            if let Some(m) = value.as_object() {
                if m.len() > 50 {
                    out.push(Problem::new(&here, format!("at most 50 keys, has {}", m.len())));
                }
                for (k, val) in m {
                    if k.chars().count() > 40 {
                        out.push(Problem::new(
                            &format!("{here}.{k}"),
                            "keys must be at most 40 characters",
                        ));
                    }
                    if val.as_str().is_some_and(|s| s.chars().count() > 500) {
                        out.push(Problem::new(
                            &format!("{here}.{k}"),
                            "values must be at most 500 characters",
                        ));
                    }
                }
            }
        } else {
            metadata(value, &here, out);
        }
    }
}
