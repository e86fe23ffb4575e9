//! Keeps the core's top-level modules in layers: each may use its own layer
//! and those below it, and no two modules may reach each other in a circle.
//! The table is the one ARCHITECTURE.md draws; a new top-level module has to
//! be placed in it before this test passes.
//!
//! The graph is read from the sources (`crate::` and `super::` paths outside
//! `#[cfg(test)]` items), so it runs in a blink and needs no extra tool.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom first.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "values",
        &[
            "domain",
            "error",
            "config",
            "periods",
            "clock",
            "i18n",
            "catalogue",
            "metrics",
            "entity",
            "signin",
            "sealed",
        ],
    ),
    ("words", &["command", "reply", "render", "card"]),
    ("persistence", &["store", "outbox", "purchases"]),
    (
        "features",
        &[
            "engage",
            "payments",
            "lessons",
            "linking",
            "privacy",
            "analytics",
            "inbox",
        ],
    ),
    ("engine", &["engine"]),
];

/// One use of another top-level module: who, whom, and where.
struct Use {
    from: String,
    to: String,
    file: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("core/src is readable")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path a file defines: `engage/settle.rs` → [engage, settle],
/// `engage/mod.rs` → [engage].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The source without comments, string contents or `#[cfg(test)]` items.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let mut kept = 0;
    // Drops b[from..to] but keeps its line breaks, so nothing else moves lines.
    let blank = |out: &mut String, kept: &mut usize, from: usize, to: usize| {
        out.push_str(&src[*kept..from]);
        out.extend(src[from..to].chars().filter(|&c| c == '\n'));
        *kept = to;
    };
    while i < b.len() {
        let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if b[i..].starts_with(b"//") {
            let end = src[i..].find('\n').map_or(b.len(), |n| i + n);
            blank(&mut out, &mut kept, i, end);
            i = end;
        } else if b[i] == b'r' && !ident_before && matches!(b.get(i + 1), Some(b'#' | b'"')) {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            let open = i + 1 + hashes;
            if b.get(open) != Some(&b'"') {
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let end = src[open + 1..]
                .find(&close)
                .map_or(b.len(), |n| open + 1 + n + close.len());
            blank(&mut out, &mut kept, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            blank(&mut out, &mut kept, i, end);
            i = end;
        } else if b[i] == b'\'' {
            // A character literal ('x', '\n', '"'); a lifetime has no closing quote.
            let end = if b.get(i + 1) == Some(&b'\\') {
                src[i + 2..].find('\'').map(|n| i + 2 + n + 1)
            } else {
                let width = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + width) == Some(&b'\'')).then_some(i + 2 + width)
            };
            match end {
                Some(end) => {
                    blank(&mut out, &mut kept, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out.push_str(&src[kept..]);
    drop_test_items(&out)
}

fn drop_test_items(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its `;` or at the brace closing its body.
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first names of every path in a `use` group: `{a::b, c, d::{e}}` → a, c, d.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut at_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => {
                depth += 1;
                at_start = depth == 1;
            }
            '}' => {
                if depth == 1 {
                    break;
                }
                depth -= 1;
            }
            ',' if depth == 1 => at_start = true,
            c if at_start && depth == 1 && (c.is_ascii_alphabetic() || c == '_') => {
                heads.push(ident_at(&group[i..]).to_string());
                at_start = false;
            }
            c if !c.is_whitespace() => at_start = false,
            _ => {}
        }
    }
    heads
}

/// Top-level modules named by `crate::` paths, and by `super::` chains that
/// climb to the crate root, in one file.
fn heads_used(code: &str, depth: usize) -> Vec<String> {
    let mut heads = Vec::new();
    let mut from_root = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        from_root.push(&code[at + "crate::".len()..]);
    }
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[at..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            climbs += 1;
        }
        if climbs >= depth {
            from_root.push(rest);
        }
    }
    for rest in from_root {
        if rest.starts_with('{') {
            heads.extend(group_heads(rest));
        } else {
            heads.push(ident_at(rest).to_string());
        }
    }
    heads
}

fn uses(src_dir: &Path, tops: &BTreeSet<String>) -> Vec<Use> {
    let mut files = Vec::new();
    rust_files(src_dir, &mut files);
    let mut found = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src_dir).expect("under src");
        let path = module_path(rel);
        // `tests.rs` files are declared under `#[cfg(test)]` by their parents.
        if path == ["lib"] || path.last().is_some_and(|p| p == "tests") {
            continue;
        }
        let src = std::fs::read_to_string(&file).expect("source is readable");
        let from = path[0].clone();
        for to in heads_used(&code_only(&src), path.len()) {
            if to != from && tops.contains(&to) {
                found.push(Use {
                    from: from.clone(),
                    to,
                    file: rel.display().to_string(),
                });
            }
        }
    }
    found
}

fn top_level_modules(src_dir: &Path) -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src_dir.join("lib.rs")).expect("lib.rs");
    code_only(&lib)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
            l.strip_prefix("mod ")
                .map(|m| m.trim_end_matches(';').trim().to_string())
        })
        .collect()
}

/// A circle through `start`, if the graph has one, as the modules in order.
fn circle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    while let Some((at, trail)) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if next == start {
                let mut circle = trail.clone();
                circle.push(start.to_string());
                return Some(circle);
            }
            if seen.insert(next.clone()) {
                let mut longer = trail.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn core_modules_use_only_their_own_layer_and_those_below() {
    let src_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tops = top_level_modules(&src_dir);
    assert!(tops.len() > 10, "lib.rs declares the top-level modules: {tops:?}");
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, (_, mods))| mods.iter().map(move |m| (*m, i)))
        .collect();
    let unplaced: Vec<_> = tops
        .iter()
        .filter(|m| !layer_of.contains_key(m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "place these modules in a layer (tests/layers.rs and ARCHITECTURE.md): {unplaced:?}"
    );

    let found = uses(&src_dir, &tops);
    assert!(!found.is_empty(), "the reader finds uses between modules");
    let upward: Vec<String> = found
        .iter()
        .filter(|u| layer_of[u.to.as_str()] > layer_of[u.from.as_str()])
        .map(|u| {
            format!(
                "{} ({}) uses {} ({}) in {}",
                u.from,
                LAYERS[layer_of[u.from.as_str()]].0,
                u.to,
                LAYERS[layer_of[u.to.as_str()]].0,
                u.file
            )
        })
        .collect();
    assert!(
        upward.is_empty(),
        "uses that climb a layer:\n{}",
        upward.join("\n")
    );

    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for u in &found {
        graph.entry(u.from.clone()).or_default().insert(u.to.clone());
    }
    for module in &tops {
        if let Some(circle) = circle_through(&graph, module) {
            let files: Vec<String> = circle
                .windows(2)
                .map(|pair| {
                    let file = found
                        .iter()
                        .find(|u| u.from == pair[0] && u.to == pair[1])
                        .map_or("?", |u| u.file.as_str());
                    format!("{} → {} ({file})", pair[0], pair[1])
                })
                .collect();
            panic!("modules in a circle:\n{}", files.join("\n"));
        }
    }
}

#[test]
fn the_reader_sees_paths_in_groups_climbs_and_not_in_tests_or_comments() {
    let code = code_only(
        "use crate::{a::X, b, c::{d, e}};\n// crate::f\nlet s = \"crate::g\\\"\";\nlet q = '\"';\n\
         let r = r#\"crate::k \" \"#;\nfn f<'a>(x: &'a str) {}\n\
         use super::super::h::Y;\nuse super::i;\n#[cfg(test)]\nmod tests { use crate::j; }\n",
    );
    let heads = heads_used(&code, 2);
    assert_eq!(heads, ["a", "b", "c", "h"]);
}
