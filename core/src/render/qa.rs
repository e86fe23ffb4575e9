//! Text for questions and answers, highlights and `/next`.

use crate::domain::Locale;
use crate::i18n::{t, t_args};
use crate::reply::{DigestItem, LessonLine, QuestionLine};

pub fn next(locale: Locale, lines: &[LessonLine], personal: bool) -> String {
    if lines.is_empty() {
        return t(locale, "next-none");
    }
    let mut out = vec![t(locale, if personal { "next-personal" } else { "next-popular" })];
    out.extend(lines.iter().map(|l| super::lessons::line(locale, l)));
    out.join("\n")
}

pub fn asked(locale: Locale, id: i64, points: i64, balance: i64) -> String {
    let mut out = t_args(locale, "question-asked", &[("id", id.into())]);
    if points > 0 {
        out.push(' ');
        out.push_str(&t_args(
            locale,
            "question-paid",
            &[("points", points.into()), ("balance", balance.into())],
        ));
    }
    out
}

pub fn questions(locale: Locale, open: &[QuestionLine]) -> String {
    if open.is_empty() {
        return t(locale, "questions-none");
    }
    let mut out = vec![t(locale, "questions-title")];
    for q in open {
        out.push(format!("  #{} {} ({}): {}", q.id, q.asker, q.asked_at, q.body));
    }
    out.push(t(locale, "questions-hint"));
    out.join("\n")
}

fn note(n: Option<&String>) -> String {
    n.map(|n| format!(" — {n}")).unwrap_or_default()
}

pub fn digest(locale: Locale, items: &[DigestItem]) -> String {
    if items.is_empty() {
        return t(locale, "digest-none");
    }
    let mut out = vec![t(locale, "digest-title")];
    for item in items {
        out.push(match item {
            DigestItem::Lesson {
                id,
                key,
                title,
                note: n,
            } => {
                format!("  [{id}] 📘 {title}{} — /unlock {key}", note(n.as_ref()))
            }
            DigestItem::Question {
                id,
                question,
                answer,
                note: n,
            } => format!("  [{id}] ❓ {question}{}\n      ↳ {answer}", note(n.as_ref())),
            DigestItem::Link { id, link, note: n } => format!("  [{id}] 🔗 {link}{}", note(n.as_ref())),
        });
    }
    out.join("\n")
}
