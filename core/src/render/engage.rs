//! Text for points, ranks, check-ins, badges and the shop.

use crate::config::{BadgeRule, RewardKind};
use crate::domain::Locale;
use crate::i18n::{Arg, t, t_args};
use crate::periods::Board;
use crate::reply::{BadgeView, Delivered, LeaderEntry, LedgerLine, RankView, RewardView};

fn n(v: impl TryInto<i64>) -> Arg {
    Arg::Number(v.try_into().unwrap_or(i64::MAX))
}

pub fn board_name(locale: Locale, board: Board) -> String {
    t(locale, &format!("board-{}", board.as_str()))
}

pub fn rule(locale: Locale, rule: BadgeRule) -> String {
    let (key, value) = match rule {
        BadgeRule::Points(p) => ("points", p),
        BadgeRule::Level(l) => ("level", i64::from(l)),
        BadgeRule::Streak(s) => ("streak", i64::from(s)),
        BadgeRule::Checkins(c) => ("checkins", i64::from(c)),
        BadgeRule::Lessons(l) => ("lessons", i64::from(l)),
        BadgeRule::WeeklyTop(w) => ("weekly-top", i64::from(w)),
        BadgeRule::FirstPayment => ("first-payment", 0),
        BadgeRule::EarlySupporter(e) => ("early-supporter", i64::from(e)),
    };
    t_args(locale, &format!("badge-rule-{key}"), &[("n", value.into())])
}

pub fn badge_lines(locale: Locale, badges: &[BadgeView]) -> Vec<String> {
    badges
        .iter()
        .map(|b| {
            let line = t_args(
                locale,
                "badge-line",
                &[
                    ("name", b.name.as_str().into()),
                    ("rule", rule(locale, b.rule).into()),
                ],
            );
            format!("  {line}")
        })
        .collect()
}

pub fn points(locale: Locale, balance: i64, rank: Option<u64>, level: u32, recent: &[LedgerLine]) -> String {
    // Rank 0 selects the "not ranked yet" sentence in the locale file.
    let rank = rank.map_or(0, |r| i64::try_from(r).unwrap_or(i64::MAX));
    let mut out = vec![format!(
        "{} {}",
        t_args(
            locale,
            "points-summary",
            &[("balance", balance.into()), ("rank", rank.into())]
        ),
        t_args(locale, "points-level", &[("level", n(level))]),
    )];
    if !recent.is_empty() {
        out.push(t(locale, "points-recent"));
        for l in recent {
            let delta = if l.delta > 0 {
                format!("+{}", l.delta)
            } else {
                l.delta.to_string()
            };
            out.push(format!(
                "  {}",
                t_args(
                    locale,
                    "points-recent-line",
                    &[
                        ("at", l.at.as_str().into()),
                        ("delta", delta.into()),
                        ("source", l.source.as_str().into()),
                        ("reason", l.reason.as_str().into()),
                    ],
                )
            ));
        }
    }
    out.join("\n")
}

pub struct BoardPage<'a> {
    pub board: Board,
    pub span: &'a Option<(String, String)>,
    pub page: u32,
    pub pages: u32,
    pub entries: &'a [LeaderEntry],
}

pub fn leaderboard(locale: Locale, p: BoardPage<'_>) -> String {
    if p.entries.is_empty() && p.page <= 1 {
        return t(locale, "leaderboard-empty");
    }
    let mut args = vec![
        ("board", board_name(locale, p.board).into()),
        ("page", n(p.page)),
        ("pages", n(p.pages)),
    ];
    let title = match p.span {
        Some((from, to)) => {
            args.push(("from", from.as_str().into()));
            args.push(("to", to.as_str().into()));
            "leaderboard-title-span"
        }
        None => "leaderboard-title",
    };
    let mut out = vec![t_args(locale, title, &args)];
    for e in p.entries {
        out.push(format!(
            "  {}",
            t_args(
                locale,
                "leaderboard-line",
                &[
                    ("rank", n(e.rank)),
                    ("name", e.name.as_str().into()),
                    ("points", e.points.into()),
                ],
            )
        ));
    }
    out.join("\n")
}

pub fn rank(locale: Locale, r: &RankView) -> String {
    let mut out = vec![t_args(
        locale,
        "rank-title",
        &[
            ("name", r.name.as_str().into()),
            ("board", board_name(locale, r.board).into()),
        ],
    )];
    out.push(match r.place {
        Some((rank, of)) => t_args(
            locale,
            "rank-place",
            &[
                ("rank", n(rank)),
                ("of", n(of)),
                ("points", r.board_points.into()),
            ],
        ),
        None => t(locale, "rank-unranked"),
    });
    out.push(t_args(
        locale,
        "rank-level",
        &[
            ("level", n(r.level)),
            ("next", n(r.level.saturating_add(1))),
            ("into", r.into_level.into()),
            ("needed", r.level_needs.into()),
        ],
    ));
    out.push(t_args(
        locale,
        "rank-extra",
        &[
            ("balance", r.balance.into()),
            ("streak", n(r.streak)),
            ("badges", n(r.badges)),
        ],
    ));
    out.join("\n")
}

pub fn checked_in(
    locale: Locale,
    points: i64,
    streak: i32,
    best: i32,
    balance: i64,
    badges: &[String],
) -> String {
    let mut out = t_args(
        locale,
        "checked-in",
        &[
            ("points", points.into()),
            ("streak", n(streak)),
            ("best", n(best)),
            ("balance", balance.into()),
        ],
    );
    if !badges.is_empty() {
        out.push('\n');
        out.push_str(&t_args(
            locale,
            "checked-in-badges",
            &[("badges", badges.join(", ").into())],
        ));
    }
    out
}

fn reward_what(locale: Locale, kind: &RewardKind, offer_name: &str) -> String {
    match kind {
        RewardKind::Perk { perk, days } => t_args(
            locale,
            "reward-perk",
            &[("perk", perk.as_str().into()), ("days", n(*days))],
        ),
        RewardKind::Offer { .. } => t_args(locale, "reward-offer", &[("offer", offer_name.into())]),
        RewardKind::Coupon { percent, .. } => t_args(locale, "reward-coupon", &[("percent", n(*percent))]),
    }
}

pub fn shop(locale: Locale, balance: i64, rewards: &[RewardView]) -> String {
    if rewards.is_empty() {
        return t(locale, "shop-empty");
    }
    let mut out = vec![t_args(locale, "shop-title", &[("balance", balance.into())])];
    for r in rewards {
        let left = match r.left {
            Some(0) => t(locale, "shop-sold-out"),
            Some(left) => t_args(locale, "shop-left", &[("left", n(left))]),
            None => String::new(),
        };
        out.push(format!(
            "  {}",
            t_args(
                locale,
                "shop-line",
                &[
                    ("key", r.key.as_str().into()),
                    ("name", r.name.as_str().into()),
                    ("price", r.price.into()),
                    ("what", reward_what(locale, &r.kind, &r.name).into()),
                    ("left", left.into()),
                ],
            )
        ));
    }
    out.push(t(locale, "shop-hint"));
    out.join("\n")
}

pub fn redeemed(locale: Locale, reward: &str, price: i64, balance: i64, d: &Delivered) -> String {
    let mut args = vec![
        ("reward", reward.into()),
        ("price", price.into()),
        ("balance", balance.into()),
    ];
    let key = match d {
        Delivered::Perk { perk, until } => {
            args.push(("perk", perk.as_str().into()));
            args.push(("until", until.as_str().into()));
            "redeemed-perk"
        }
        Delivered::Offer { name } => {
            args.push(("name", name.as_str().into()));
            "redeemed-offer"
        }
        Delivered::Coupon {
            code,
            percent,
            pending,
            ..
        } => {
            args.push(("code", code.as_str().into()));
            args.push(("percent", n(*percent)));
            if *pending {
                "redeemed-coupon-pending"
            } else {
                "redeemed-coupon"
            }
        }
    };
    t_args(locale, key, &args)
}
