//! Text for lessons, their cards, courses and progress.

use crate::domain::Locale;
use crate::i18n::{Arg, t, t_args};
use crate::reply::{CourseLine, LessonCard, LessonLine, LessonState, LessonView, UnlockWay};

fn n(v: u64) -> Arg {
    Arg::Number(i64::try_from(v).unwrap_or(i64::MAX))
}

pub fn saved(locale: Locale, key: &str, title: &str, edited: bool, channels: usize) -> String {
    let id = if edited { "lesson-edited" } else { "lesson-posted" };
    t_args(
        locale,
        id,
        &[
            ("key", key.into()),
            ("title", title.into()),
            ("channels", n(channels as u64)),
        ],
    )
}

pub fn lesson(locale: Locale, v: &LessonView) -> String {
    let mut out = Vec::new();
    if let Some((spent, balance)) = v.spent {
        out.push(t_args(
            locale,
            "lesson-unlocked-points",
            &[("points", spent.into()), ("balance", balance.into())],
        ));
    }
    let heading = match &v.course {
        Some(course) => format!("📘 {} — {course}", v.title),
        None => format!("📘 {}", v.title),
    };
    out.push(heading);
    out.push(v.body.clone());
    if let Some(url) = &v.web {
        out.push(t_args(
            locale,
            "lesson-on-the-web",
            &[("url", url.as_str().into())],
        ));
    }
    if !v.attachments.is_empty() {
        out.push(t_args(
            locale,
            "lesson-attachments",
            &[("links", v.attachments.join("\n").into())],
        ));
    }
    out.push(if v.completed {
        t(locale, "lesson-done-already")
    } else {
        t_args(locale, "lesson-complete-hint", &[("key", v.key.as_str().into())])
    });
    out.join("\n\n")
}

pub fn way(locale: Locale, key: &str, w: &UnlockWay) -> String {
    let line = match w {
        UnlockWay::Tier { key: tier, name } => t_args(
            locale,
            "unlock-way-tier",
            &[("tier", name.as_str().into()), ("key", tier.as_str().into())],
        ),
        UnlockWay::Buy { price } => t_args(
            locale,
            "unlock-way-buy",
            &[("price", price.as_str().into()), ("key", key.into())],
        ),
        UnlockWay::Course { offer, name, price } => t_args(
            locale,
            "unlock-way-course",
            &[
                ("course", name.as_str().into()),
                ("price", price.as_str().into()),
                ("offer", offer.as_str().into()),
            ],
        ),
        UnlockWay::Points { cost, balance } => t_args(
            locale,
            "unlock-way-points",
            &[
                ("cost", (*cost).into()),
                ("balance", (*balance).into()),
                ("key", key.into()),
            ],
        ),
    };
    format!("  • {line}")
}

pub fn locked(locale: Locale, key: &str, title: &str, teaser: Option<&str>, ways: &[UnlockWay]) -> String {
    let mut out = vec![t_args(locale, "lesson-locked", &[("title", title.into())])];
    if let Some(teaser) = teaser {
        out.push(teaser.to_owned());
    }
    if ways.is_empty() {
        out.push(t(locale, "lesson-no-way"));
    } else {
        out.push(t(locale, "lesson-ways"));
        out.extend(ways.iter().map(|w| way(locale, key, w)));
    }
    out.join("\n")
}

fn state(locale: Locale, s: &LessonState) -> String {
    match s {
        LessonState::Open => t(locale, "lesson-state-open"),
        LessonState::Done => t(locale, "lesson-state-done"),
        LessonState::Locked => t(locale, "lesson-state-locked"),
        LessonState::Opens { date } => {
            t_args(locale, "lesson-state-opens", &[("date", date.as_str().into())])
        }
    }
}

pub(super) fn line(locale: Locale, l: &LessonLine) -> String {
    format!(
        "  {} {} ({}) — {}",
        mark(&l.state),
        l.title,
        l.key,
        state(locale, &l.state)
    )
}

fn mark(s: &LessonState) -> &'static str {
    match s {
        LessonState::Done => "✅",
        LessonState::Open => "📖",
        LessonState::Locked => "🔒",
        LessonState::Opens { .. } => "⏳",
    }
}

pub fn lessons(locale: Locale, lines: &[LessonLine]) -> String {
    if lines.is_empty() {
        return t(locale, "lessons-none");
    }
    let mut out = vec![t(locale, "lessons-title")];
    let mut course: Option<&str> = None;
    for l in lines {
        if l.course.as_deref() != course {
            course = l.course.as_deref();
            out.push(match course {
                Some(c) => format!("{c}:"),
                None => t(locale, "lessons-loose"),
            });
        }
        out.push(line(locale, l));
    }
    out.join("\n")
}

fn course_summary(locale: Locale, c: &CourseLine) -> String {
    t_args(
        locale,
        "course-line",
        &[
            ("name", c.name.as_str().into()),
            ("key", c.key.as_str().into()),
            ("done", n(c.done)),
            ("total", n(c.total)),
        ],
    )
}

pub fn courses(locale: Locale, courses: &[CourseLine]) -> String {
    if courses.is_empty() {
        return t(locale, "courses-none");
    }
    let mut out = vec![t(locale, "courses-title")];
    out.extend(courses.iter().map(|c| format!("  {}", course_summary(locale, c))));
    out.join("\n")
}

pub fn course(locale: Locale, c: &CourseLine, lines: &[LessonLine], ways: &[UnlockWay]) -> String {
    let mut out = vec![course_summary(locale, c)];
    if lines.is_empty() {
        out.push(t(locale, "course-empty"));
    }
    out.extend(lines.iter().map(|l| line(locale, l)));
    if !ways.is_empty() {
        out.push(t(locale, "course-ways"));
        out.extend(ways.iter().map(|w| way(locale, &c.key, w)));
    }
    out.join("\n")
}

pub fn progress(locale: Locale, courses: &[CourseLine], done: u64, total: u64) -> String {
    let mut out = vec![t_args(
        locale,
        "progress-title",
        &[("done", n(done)), ("total", n(total))],
    )];
    for c in courses {
        let percent = (c.done * 100).checked_div(c.total).unwrap_or(0);
        out.push(format!("  {} {}%", course_summary(locale, c), percent));
    }
    out.join("\n")
}

pub fn completed(
    locale: Locale,
    title: &str,
    points: i64,
    balance: i64,
    badges: &[String],
    course: Option<&CourseLine>,
) -> String {
    let mut out = vec![t_args(
        locale,
        "lesson-completed",
        &[
            ("title", title.into()),
            ("points", points.into()),
            ("balance", balance.into()),
        ],
    )];
    if !badges.is_empty() {
        out.push(t_args(
            locale,
            "checked-in-badges",
            &[("badges", badges.join(", ").into())],
        ));
    }
    if let Some(c) = course {
        out.push(course_summary(locale, c));
    }
    out.join("\n")
}

/// A lesson's card in a channel. The unlock action is the adapter's (a
/// button); the text also says what to type, for the console.
pub fn card(locale: Locale, c: &LessonCard) -> String {
    let mut out = vec![match &c.course {
        Some(course) => format!("📘 {} — {course}", c.title),
        None => format!("📘 {}", c.title),
    }];
    if let Some(teaser) = &c.teaser {
        out.push(teaser.clone());
    }
    let mut access = Vec::new();
    if let Some(tier) = &c.tier {
        access.push(t_args(locale, "card-tier", &[("tier", tier.as_str().into())]));
    }
    if let Some(price) = &c.price {
        access.push(t_args(locale, "card-price", &[("price", price.as_str().into())]));
    }
    if c.points > 0 {
        access.push(t_args(locale, "card-points", &[("points", c.points.into())]));
    }
    if access.is_empty() {
        access.push(t(locale, "card-free"));
    }
    out.push(access.join(" · "));
    if let Some(date) = &c.opens {
        out.push(t_args(locale, "card-opens", &[("date", date.as_str().into())]));
    }
    if let Some(days) = c.drip_days {
        out.push(t_args(locale, "card-drip", &[("days", i64::from(days).into())]));
    }
    out.push(t_args(locale, "card-unlock", &[("key", c.key.as_str().into())]));
    out.join("\n")
}

/// The label of a card's unlock button.
pub fn unlock_button(locale: Locale) -> String {
    t(locale, "card-button")
}
