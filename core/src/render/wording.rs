//! The wording of every reply, notice and refusal in each language, kept as
//! insta snapshots (`snapshots/`), so a change of text shows in review. After
//! an intended change: `INSTA_UPDATE=always cargo test -p lyceum-core wording`
//! and read the diff.

use std::fmt::Write as _;

use super::samples::{refusals, replies_and_notices};
use super::*;
use crate::error::UserError;

/// The variant's name, from its debug form.
fn variant(v: &impl std::fmt::Debug) -> String {
    format!("{v:?}")
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

fn page<T: std::fmt::Debug>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let mut out = String::new();
    for item in items {
        let _ = writeln!(out, "== {}\n{}\n", variant(item), show(item));
    }
    out
}

#[test]
fn wording_of_every_reply_notice_and_refusal() {
    let (replies, notices) = replies_and_notices();
    let refused: Vec<UserError> = refusals();
    for locale in Locale::ALL {
        let zone = chrono_tz::UTC;
        let tag = locale.tag();
        insta::assert_snapshot!(
            format!("replies_{tag}"),
            page(&replies, |r| reply(locale, zone, "Demo", r))
        );
        insta::assert_snapshot!(format!("notices_{tag}"), page(&notices, |n| notice(locale, n)));
        insta::assert_snapshot!(
            format!("refusals_{tag}"),
            page(&refused, |e| reply(
                locale,
                zone,
                "Demo",
                &Reply::Refused(e.clone())
            ))
        );
    }
}
