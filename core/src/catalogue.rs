//! The one command catalogue. Every adapter registers its commands from this
//! list; descriptions live in the locale files under `cmd-<name>` and
//! `cmd-<name>-<option>`, so a command is added here once and speaks both
//! languages everywhere.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone; commands about oneself.
    Member,
    /// Only the community's configured admins.
    Admin,
    /// Creators (and admins): posting and answering.
    Creator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// A platform identity such as `discord:123` (adapters may offer a user picker).
    User,
    /// A tier key of the community.
    Tier,
    Integer {
        min: i64,
        max: i64,
    },
    /// Free text; the last text option of a command takes the rest of the line.
    Text {
        max_len: usize,
    },
    /// A short code: a one-time `/link` code, a referral or a promotion code.
    Code,
    /// An offer key of the community (a course, a lesson).
    Offer,
    /// A points-shop reward key of the community.
    Reward,
    /// A lesson key of the community.
    Lesson,
    /// A configured course key of the community.
    Course,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// One word of up to `max_len` characters, such as a key or a link.
    Word {
        max_len: usize,
    },
}

#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    pub required: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct CommandSpec {
    pub name: &'static str,
    pub options: &'static [OptionSpec],
    pub access: Access,
}

impl CommandSpec {
    pub fn description_key(&self) -> String {
        format!("cmd-{}", self.name.replace(' ', "-"))
    }

    pub fn option_key(&self, option: &str) -> String {
        format!("{}-{option}", self.description_key())
    }

    /// For a subcommand such as `lesson post`: the group and the subcommand.
    pub fn group(&self) -> Option<(&'static str, &'static str)> {
        self.name.split_once(' ')
    }
}

const fn opt(name: &'static str, kind: OptionKind, required: bool) -> OptionSpec {
    OptionSpec { name, kind, required }
}

const fn cmd(name: &'static str, access: Access, options: &'static [OptionSpec]) -> CommandSpec {
    CommandSpec {
        name,
        options,
        access,
    }
}

pub const MAX_AWARD: i64 = 1_000_000;
pub const MAX_GRANT_DAYS: i64 = 3650;
pub const MAX_REASON_LEN: usize = 200;
pub const MAX_PAGE: i64 = 100_000;
pub const MAX_COUPON_MONTHS: i64 = 36;
pub const MAX_PAYMENT_ID_LEN: usize = 200;
pub const PERIODS: &[&str] = &["monthly", "yearly"];
pub const BOARDS: &[&str] = &["all", "week", "month", "season"];
const BOARD: OptionSpec = opt("board", OptionKind::Choice(BOARDS), false);

const USER: OptionSpec = opt("user", OptionKind::User, true);

pub const MAX_TITLE_LEN: usize = 120;
/// Discord's limit on one option's text; longer lessons are split when
/// delivered, never cut.
pub const MAX_BODY_LEN: usize = 6000;
pub const MAX_TEASER_LEN: usize = 500;
pub const MAX_LESSON_POINTS: i64 = 1_000_000;
pub const UNLOCK_WAYS: &[&str] = &["points", "buy"];
pub const MAX_QUESTION_LEN: usize = 1000;
pub const MAX_ANSWER_LEN: usize = 4000;
const LESSON: OptionSpec = opt("lesson", OptionKind::Lesson, true);
const TEASER: OptionSpec = opt(
    "teaser",
    OptionKind::Text {
        max_len: MAX_TEASER_LEN,
    },
    false,
);
/// A tier key, or `none` when editing.
const LESSON_TIER: OptionSpec = opt("tier", OptionKind::Tier, false);
/// An amount in the community's currency such as `9.99`; `0` when editing
/// stops selling it.
const PRICE: OptionSpec = opt("price", OptionKind::Text { max_len: 20 }, false);
const POINTS_COST: OptionSpec = opt(
    "points",
    OptionKind::Integer {
        min: 0,
        max: MAX_LESSON_POINTS,
    },
    false,
);
/// A one-off Telegram Stars price; 0 when editing stops selling for Stars.
const STARS: OptionSpec = opt("stars", OptionKind::Integer { min: 0, max: 100_000 }, false);
/// A number of days after joining, or a date such as 2026-12-01.
const OPENS: OptionSpec = opt("opens", OptionKind::Text { max_len: 20 }, false);
const IN_COURSE: OptionSpec = opt("course", OptionKind::Course, false);

const fn title(required: bool) -> OptionSpec {
    opt(
        "title",
        OptionKind::Text {
            max_len: MAX_TITLE_LEN,
        },
        required,
    )
}

const fn body(required: bool) -> OptionSpec {
    opt(
        "body",
        OptionKind::Text {
            max_len: MAX_BODY_LEN,
        },
        required,
    )
}
const ATTACHMENT: OptionSpec = opt("attachment", OptionKind::Text { max_len: 500 }, false);

pub const CATALOGUE: &[CommandSpec] = &[
    cmd("help", Access::Member, &[]),
    cmd("tiers", Access::Member, &[]),
    cmd("join", Access::Member, &[opt("code", OptionKind::Code, false)]),
    cmd("me", Access::Member, &[]),
    cmd("points", Access::Member, &[]),
    cmd(
        "leaderboard",
        Access::Member,
        &[
            BOARD,
            opt(
                "page",
                OptionKind::Integer {
                    min: 1,
                    max: MAX_PAGE,
                },
                false,
            ),
        ],
    ),
    cmd("rank", Access::Member, &[BOARD]),
    cmd("checkin", Access::Member, &[]),
    cmd("badges", Access::Member, &[]),
    cmd("shop", Access::Member, &[]),
    cmd(
        "redeem",
        Access::Member,
        &[opt("reward", OptionKind::Reward, true)],
    ),
    cmd("link", Access::Member, &[opt("code", OptionKind::Code, false)]),
    cmd(
        "subscribe",
        Access::Member,
        &[
            opt("tier", OptionKind::Tier, false),
            opt("period", OptionKind::Choice(PERIODS), false),
        ],
    ),
    cmd("buy", Access::Member, &[opt("offer", OptionKind::Offer, true)]),
    cmd("billing", Access::Member, &[]),
    cmd("cancel", Access::Member, &[]),
    cmd("invite", Access::Member, &[]),
    cmd("dashboard", Access::Admin, &[]),
    cmd("erase", Access::Admin, &[USER]),
    cmd("privacy export", Access::Member, &[]),
    cmd(
        "privacy delete",
        Access::Member,
        &[opt("confirm", OptionKind::Choice(&["confirm"]), false)],
    ),
    cmd(
        "grant",
        Access::Admin,
        &[
            USER,
            opt("tier", OptionKind::Tier, true),
            opt(
                "days",
                OptionKind::Integer {
                    min: 1,
                    max: MAX_GRANT_DAYS,
                },
                false,
            ),
        ],
    ),
    cmd("revoke", Access::Admin, &[USER]),
    cmd(
        "award",
        Access::Admin,
        &[
            USER,
            opt(
                "points",
                OptionKind::Integer {
                    min: -MAX_AWARD,
                    max: MAX_AWARD,
                },
                true,
            ),
            opt(
                "reason",
                OptionKind::Text {
                    max_len: MAX_REASON_LEN,
                },
                true,
            ),
        ],
    ),
    cmd("member", Access::Admin, &[USER]),
    cmd(
        "refund",
        Access::Admin,
        &[
            USER,
            opt(
                "payment",
                OptionKind::Text {
                    max_len: MAX_PAYMENT_ID_LEN,
                },
                true,
            ),
        ],
    ),
    cmd(
        "coupon",
        Access::Admin,
        &[
            opt("code", OptionKind::Code, true),
            opt("percent", OptionKind::Integer { min: 1, max: 100 }, true),
            opt(
                "months",
                OptionKind::Integer {
                    min: 1,
                    max: MAX_COUPON_MONTHS,
                },
                false,
            ),
        ],
    ),
    cmd(
        "lesson post",
        Access::Creator,
        &[
            LESSON,
            title(true),
            body(true),
            LESSON_TIER,
            PRICE,
            STARS,
            POINTS_COST,
            OPENS,
            IN_COURSE,
            TEASER,
            ATTACHMENT,
        ],
    ),
    cmd(
        "lesson edit",
        Access::Creator,
        &[
            LESSON,
            body(false),
            title(false),
            LESSON_TIER,
            PRICE,
            STARS,
            POINTS_COST,
            OPENS,
            IN_COURSE,
            TEASER,
            ATTACHMENT,
        ],
    ),
    cmd("lesson remove", Access::Creator, &[LESSON]),
    cmd("lessons", Access::Member, &[]),
    cmd(
        "unlock",
        Access::Member,
        &[LESSON, opt("with", OptionKind::Choice(UNLOCK_WAYS), false)],
    ),
    cmd(
        "course",
        Access::Member,
        &[opt("course", OptionKind::Course, false)],
    ),
    cmd("progress", Access::Member, &[]),
    cmd("complete", Access::Member, &[LESSON]),
    cmd("next", Access::Member, &[]),
    cmd(
        "ask",
        Access::Member,
        &[opt(
            "question",
            OptionKind::Text {
                max_len: MAX_QUESTION_LEN,
            },
            true,
        )],
    ),
    cmd("questions", Access::Creator, &[]),
    cmd(
        "answer",
        Access::Creator,
        &[
            opt(
                "question",
                OptionKind::Integer {
                    min: 1,
                    max: i64::MAX,
                },
                true,
            ),
            opt(
                "answer",
                OptionKind::Text {
                    max_len: MAX_ANSWER_LEN,
                },
                true,
            ),
        ],
    ),
    cmd("digest", Access::Member, &[]),
    cmd(
        "highlight",
        Access::Admin,
        &[
            opt("item", OptionKind::Word { max_len: 300 }, true),
            opt(
                "note",
                OptionKind::Text {
                    max_len: MAX_REASON_LEN,
                },
                false,
            ),
        ],
    ),
    cmd(
        "unhighlight",
        Access::Admin,
        &[opt(
            "highlight",
            OptionKind::Integer {
                min: 1,
                max: i64::MAX,
            },
            true,
        )],
    ),
];

pub fn find(name: &str) -> Option<&'static CommandSpec> {
    CATALOGUE.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_platform_safe() {
        for (i, c) in CATALOGUE.iter().enumerate() {
            assert!(CATALOGUE[i + 1..].iter().all(|d| d.name != c.name), "{}", c.name);
            // Discord allows 1-32 lowercase characters; Telegram 1-32 of
            // [a-z0-9_]. A subcommand is its group and its name.
            for word in c.name.split(' ') {
                assert!((1..=32).contains(&word.len()), "{}", c.name);
                assert!(word.bytes().all(|b| b.is_ascii_lowercase()), "{}", c.name);
            }
            assert!(c.name.split(' ').count() <= 2, "{}", c.name);
            // A group name is never a command of its own.
            if let Some((group, _)) = c.group() {
                assert!(find(group).is_none(), "{}", c.name);
            }
            // Required options come before optional ones on every platform.
            let first_optional = c.options.iter().position(|o| !o.required);
            if let Some(i) = first_optional {
                assert!(c.options[i..].iter().all(|o| !o.required), "{}", c.name);
            }
        }
    }
}
