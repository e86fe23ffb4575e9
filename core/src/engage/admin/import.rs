//! Moving levels over from MEE6 (or any bot whose export lists a person and
//! their XP): each listed person's lifetime points are raised to the XP in
//! the file, as one `import` ledger entry, so levels and level rewards
//! follow. The whole file goes in one transaction; a file with any bad row
//! changes nothing and every bad row is reported by its line.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::{IdentityRef, Platform};

/// The most XP one row may carry: far above any real MEE6 level (level 100
/// is about 1.9 million XP) and far below overflow.
pub const MAX_XP: i64 = 1_000_000_000_000;

/// One good row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub who: IdentityRef,
    pub xp: i64,
}

/// One bad row: its line in the file (1 is the first) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: u64,
    pub problem: String,
}

/// What an import did, or would do on a dry run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    /// People who were not members before.
    pub new_members: u64,
    /// Members whose lifetime points went up to the file's XP.
    pub raised: u64,
    /// Members who already had at least that many.
    pub unchanged: u64,
    pub points_added: i64,
    pub dry_run: bool,
}

/// Which column holds what, found from a header row if there is one.
struct Columns {
    id: usize,
    xp: usize,
}

fn header(record: &csv::StringRecord) -> Option<Columns> {
    let names: Vec<String> = record.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
    Some(Columns {
        id: find(&["id", "user_id", "userid", "discord_id", "person", "identity"])?,
        xp: find(&["xp", "exp", "experience", "points"])?,
    })
}

fn identity(raw: &str) -> Result<IdentityRef, String> {
    let raw = raw.trim();
    if raw.contains(':') {
        return raw
            .parse()
            .map_err(|_| format!("`{raw}` is not an identity such as discord:123"));
    }
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{raw}` is not a Discord user id"));
    }
    IdentityRef::new(Platform::Discord, raw).map_err(|e| e.to_string())
}

fn xp(raw: &str) -> Result<i64, String> {
    let raw = raw.trim();
    let n: i64 = raw
        .parse()
        .map_err(|_| format!("XP `{raw}` is not a whole number"))?;
    if !(0..=MAX_XP).contains(&n) {
        return Err(format!("XP {n} is outside 0 to {MAX_XP}"));
    }
    Ok(n)
}

/// Reads an export: `id,xp` columns (a header may name them in another
/// order, as MEE6's does, alongside other columns), or headerless rows of
/// id then XP. A person listed twice is a problem, not a sum.
pub fn parse(data: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(data);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut columns = Columns { id: 0, xp: 1 };
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem {
                    line,
                    problem: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if line == 1
            && let Some(found) = header(&record)
        {
            columns = found;
            continue;
        }
        let field = |n: usize| record.get(n).ok_or_else(|| "a column is missing".to_owned());
        let parsed = field(columns.id)
            .and_then(identity)
            .and_then(|who| field(columns.xp).and_then(xp).map(|xp| (who, xp)));
        match parsed {
            Ok((who, xp)) => {
                if let Some(first) = seen.insert(who.to_string(), line) {
                    problems.push(Problem {
                        line,
                        problem: format!("{who} is already on line {first}"),
                    });
                    continue;
                }
                rows.push(Row { line, who, xp });
            }
            Err(problem) => problems.push(Problem { line, problem }),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mee6_style_exports_with_or_without_a_header() {
        let with = b"Username,ID,Level,XP\nalice,123456789,5,1200\nbob,987654321,1,150\n";
        let rows = parse(with).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].who.to_string(), "discord:123456789");
        assert_eq!((rows[1].line, rows[1].xp), (3, 150));
        let bare = b"123,10\ntelegram:55,20\n";
        let rows = parse(bare).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(rows[1].who.to_string(), "telegram:55");
    }

    #[test]
    fn every_bad_row_is_named_by_its_line() {
        let data = b"id,xp\n123,ten\n,5\n456,-1\n789,99999999999999999\n123,4\n123,5\nfoo:1,2\n";
        let problems = parse(data).err().unwrap_or_default();
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 7, 8], "{problems:?}");
        assert!(problems[0].problem.contains("not a whole number"));
        assert!(problems[4].problem.contains("already on line 6"));
    }
}
