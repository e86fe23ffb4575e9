//! Plain-text rendering of replies and notices in a locale. Adapters that
//! have richer idioms (embeds, buttons) may render the same values their way.

use crate::catalogue::{Access, CommandSpec, OptionKind};
use crate::domain::Locale;
use crate::i18n::{Arg, t, t_args};
use crate::reply::{HistoryEntry, MemberView, Notice, Reply};

mod engage;
pub mod lessons;
mod qa;
mod when;

pub use when::member_dates;

pub use engage::board_name;

fn list(locale: Locale, items: &[String]) -> String {
    if items.is_empty() {
        t(locale, "none")
    } else {
        items.join(", ")
    }
}

fn usage(spec: &CommandSpec) -> String {
    let mut line = format!("/{}", spec.name);
    // Past the text that takes the rest of the line, options are written
    // name=value (see Command::parse_line).
    let mut after_text = false;
    for opt in spec.options {
        let placeholder = match opt.kind {
            _ if after_text && !opt.required => format!("{}=…", opt.name),
            OptionKind::Text { .. } => format!("{}…", opt.name),
            _ => opt.name.to_owned(),
        };
        after_text |= matches!(opt.kind, OptionKind::Text { .. });
        if opt.required {
            line.push_str(&format!(" <{placeholder}>"));
        } else {
            line.push_str(&format!(" [{placeholder}]"));
        }
    }
    line
}

pub fn status(locale: Locale, status: &str) -> String {
    t(locale, &format!("status-{status}"))
}

fn history_line(locale: Locale, h: &HistoryEntry) -> String {
    let tier = h
        .to_tier
        .as_deref()
        .map(|tier| t_args(locale, "history-tier", &[("tier", tier.into())]))
        .unwrap_or_default();
    let until = h
        .access_until
        .as_deref()
        .filter(|_| h.to_status != "expired")
        .map(|u| t_args(locale, "history-until", &[("until", u.into())]))
        .unwrap_or_default();
    let actor = h
        .actor
        .as_deref()
        .map(|a| t_args(locale, "history-by", &[("actor", a.into())]))
        .unwrap_or_default();
    let mut cause = t(locale, &format!("cause-{}", h.cause));
    if let Some(note) = &h.note {
        cause.push_str(&format!(" ({note})"));
    }
    t_args(
        locale,
        "history-line",
        &[
            ("at", h.at.as_str().into()),
            ("from", status(locale, &h.from_status).into()),
            ("to", status(locale, &h.to_status).into()),
            ("tier", tier.into()),
            ("until", until.into()),
            ("cause", cause.into()),
            ("actor", actor.into()),
        ],
    )
}

fn member_card(locale: Locale, title: String, m: &MemberView, with_history: bool) -> String {
    let mut out = vec![title];
    out.push(t_args(
        locale,
        "field-identities",
        &[("identities", m.identities.join(", ").into())],
    ));
    out.push(match &m.tier_name {
        Some(name) => t_args(locale, "field-tier", &[("tier", name.as_str().into())]),
        None => t(locale, "field-no-tier"),
    });
    out.push(t_args(
        locale,
        "field-status",
        &[("status", status(locale, &m.status).into())],
    ));
    if m.has_access {
        out.push(match &m.access_until {
            Some(until) => t_args(locale, "field-until", &[("until", until.as_str().into())]),
            None => t(locale, "field-until-open"),
        });
    }
    out.push(t_args(
        locale,
        "field-perks",
        &[("perks", list(locale, &m.perks).into())],
    ));
    out.push(t_args(locale, "field-points", &[("points", m.points.into())]));
    out.push(t_args(
        locale,
        "field-badges",
        &[("badges", list(locale, &m.badge_names).into())],
    ));
    if with_history {
        out.push(t(locale, "history-title"));
        if m.history.is_empty() {
            out.push(format!("  {}", t(locale, "history-empty")));
        }
        for h in &m.history {
            out.push(format!("  {}", history_line(locale, h)));
        }
    }
    out.join("\n")
}

/// Renders a reply. `community` is the community's display name in
/// `locale`; dates are written in `zone`, the community's time zone.
pub fn reply(locale: Locale, zone: chrono_tz::Tz, community: &str, reply: &Reply) -> String {
    let humanized = when::humanize(reply, locale, zone);
    let reply = humanized.as_ref();
    let c = || -> (&str, Arg) { ("community", community.into()) };
    match reply {
        Reply::Help { commands } => {
            let mut out = vec![t_args(locale, "help-title", &[c()])];
            let mut heading = Access::Member;
            for spec in commands {
                if spec.access != heading {
                    heading = spec.access;
                    out.push(t(
                        locale,
                        match heading {
                            Access::Creator => "help-creator-title",
                            _ => "help-admin-title",
                        },
                    ));
                }
                out.push(format!(
                    "  {} — {}",
                    usage(spec),
                    t(locale, &spec.description_key())
                ));
            }
            out.join("\n")
        }
        Reply::Tiers { community, tiers } => {
            let mut out = vec![t_args(
                locale,
                "tiers-title",
                &[("community", community.as_str().into())],
            )];
            for tier in tiers {
                let perks = if tier.perks.is_empty() {
                    t(locale, "tiers-no-perks")
                } else {
                    t_args(locale, "tiers-perks", &[("perks", tier.perks.join(", ").into())])
                };
                let prices: Vec<String> = tier
                    .prices
                    .iter()
                    .map(|p| {
                        t_args(
                            locale,
                            &format!("offer-{}", p.kind),
                            &[("price", p.display.as_str().into())],
                        )
                    })
                    .collect();
                let prices = if prices.is_empty() {
                    t(locale, "tiers-free")
                } else {
                    prices.join(", ")
                };
                out.push(format!("  {} ({}) — {perks}; {prices}", tier.name, tier.key));
            }
            out.join("\n")
        }
        Reply::Joined { community, already } => {
            let key = if *already { "joined-already" } else { "joined" };
            t_args(locale, key, &[("community", community.as_str().into())])
        }
        Reply::Me(m) => member_card(locale, t_args(locale, "me-title", &[c()]), m, false),
        Reply::Member(m) => {
            let title = t_args(locale, "member-title", &[("id", m.id.into()), c()]);
            member_card(locale, title, m, true)
        }
        Reply::Points {
            balance,
            rank,
            level,
            recent,
        } => engage::points(locale, *balance, *rank, *level, recent),
        Reply::Leaderboard {
            board,
            span,
            page,
            pages,
            entries,
        } => engage::leaderboard(
            locale,
            engage::BoardPage {
                board: *board,
                span,
                page: *page,
                pages: *pages,
                entries,
            },
        ),
        Reply::Rank(view) => engage::rank(locale, view),
        Reply::CheckedIn {
            points,
            streak,
            best,
            balance,
            badges,
        } => engage::checked_in(locale, *points, *streak, *best, *balance, badges),
        Reply::Shop { balance, rewards } => engage::shop(locale, *balance, rewards),
        Reply::Redeemed {
            reward,
            price,
            balance,
            delivered,
        } => engage::redeemed(locale, reward, *price, *balance, delivered),
        Reply::Badges { earned, open } => {
            if earned.is_empty() && open.is_empty() {
                return t(locale, "badges-none-configured");
            }
            let mut out = vec![];
            if earned.is_empty() {
                out.push(t(locale, "badges-none-earned"));
            } else {
                out.push(t(locale, "badges-earned"));
                out.extend(engage::badge_lines(locale, earned));
            }
            if !open.is_empty() {
                out.push(t(locale, "badges-open"));
                out.extend(engage::badge_lines(locale, open));
            }
            out.join("\n")
        }
        Reply::LinkCode { code, minutes } => t_args(
            locale,
            "link-code",
            &[("code", code.as_str().into()), ("minutes", (*minutes).into())],
        ),
        Reply::Linked { identities } => {
            t_args(locale, "linked", &[("identities", identities.join(", ").into())])
        }
        Reply::Granted {
            identity,
            tier,
            access_until,
        } => {
            let mut args = vec![
                ("identity", identity.as_str().into()),
                ("tier", tier.as_str().into()),
            ];
            match access_until {
                Some(until) => {
                    args.push(("until", until.as_str().into()));
                    t_args(locale, "granted", &args)
                }
                None => t_args(locale, "granted-open", &args),
            }
        }
        Reply::Revoked { identity } => t_args(locale, "revoked", &[("identity", identity.as_str().into())]),
        Reply::Awarded {
            identity,
            points,
            balance,
        } => t_args(
            locale,
            "awarded",
            &[
                ("identity", identity.as_str().into()),
                ("points", (*points).into()),
                ("balance", (*balance).into()),
            ],
        ),
        Reply::Checkout {
            offer,
            price,
            trial_days,
            url,
        } => {
            let mut args = vec![
                ("offer", offer.as_str().into()),
                ("price", price.as_str().into()),
                ("url", url.as_str().into()),
            ];
            match trial_days {
                Some(days) => {
                    args.push(("days", i64::from(*days).into()));
                    t_args(locale, "checkout-trial", &args)
                }
                None => t_args(locale, "checkout", &args),
            }
        }
        Reply::Portal { url } => t_args(locale, "portal", &[("url", url.as_str().into())]),
        Reply::PrivacyExport { url, minutes } => t_args(
            locale,
            "privacy-export",
            &[("url", url.as_str().into()), ("minutes", (*minutes).into())],
        ),
        Reply::PrivacyDeleteAsk { memberships } => t_args(
            locale,
            "privacy-delete-ask",
            &[(
                "memberships",
                i64::try_from(*memberships).unwrap_or(i64::MAX).into(),
            )],
        ),
        Reply::PrivacyErased { memberships, kept } => t_args(
            locale,
            "privacy-erased",
            &[
                (
                    "memberships",
                    i64::try_from(*memberships).unwrap_or(i64::MAX).into(),
                ),
                ("kept", i64::try_from(*kept).unwrap_or(i64::MAX).into()),
            ],
        ),
        Reply::DashboardLink { url, minutes } => t_args(
            locale,
            "dashboard-link",
            &[("url", url.as_str().into()), ("minutes", (*minutes).into())],
        ),
        Reply::CancelScheduled { tier, until } => {
            let mut args = vec![("tier", tier.as_str().into())];
            match until {
                Some(until) => {
                    args.push(("until", until.as_str().into()));
                    t_args(locale, "cancel-scheduled", &args)
                }
                None => t_args(locale, "cancel-scheduled-open", &args),
            }
        }
        Reply::Invite { code, referred } => t_args(
            locale,
            "invite",
            &[
                c(),
                ("code", code.as_str().into()),
                ("referred", i64::try_from(*referred).unwrap_or(i64::MAX).into()),
            ],
        ),
        Reply::CouponCreated {
            code,
            percent,
            months,
        } => {
            let mut args = vec![
                ("code", code.as_str().into()),
                ("percent", i64::from(*percent).into()),
            ];
            match months {
                Some(m) => {
                    args.push(("months", i64::from(*m).into()));
                    t_args(locale, "coupon-created-months", &args)
                }
                None => t_args(locale, "coupon-created", &args),
            }
        }
        Reply::Refunded { identity, amount } => t_args(
            locale,
            "refunded",
            &[
                ("identity", identity.as_str().into()),
                ("amount", amount.as_str().into()),
            ],
        ),
        Reply::Refused(err) => {
            let owned = err.args();
            let args: Vec<(&str, Arg)> = owned.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            t_args(locale, err.key(), &args)
        }
        Reply::Internal => t(locale, "err-internal"),
        Reply::LessonSaved {
            key,
            title,
            edited,
            channels,
        } => lessons::saved(locale, key, title, *edited, *channels),
        Reply::LessonRemoved { title } => {
            t_args(locale, "lesson-removed", &[("title", title.as_str().into())])
        }
        Reply::Lesson(v) => lessons::lesson(locale, v),
        Reply::LessonLocked {
            key,
            title,
            teaser,
            ways,
        } => lessons::locked(locale, key, title, teaser.as_deref(), ways),
        Reply::Lessons { lines } => lessons::lessons(locale, lines),
        Reply::Courses { courses } => lessons::courses(locale, courses),
        Reply::Course { course, lines, ways } => lessons::course(locale, course, lines, ways),
        Reply::Progress { courses, done, total } => lessons::progress(locale, courses, *done, *total),
        Reply::Completed {
            title,
            points,
            balance,
            badges,
            course,
        } => lessons::completed(locale, title, *points, *balance, badges, course.as_ref()),
        Reply::Next { lines, personal } => qa::next(locale, lines, *personal),
        Reply::Asked { id, points, balance } => qa::asked(locale, *id, *points, *balance),
        Reply::Questions { open } => qa::questions(locale, open),
        Reply::Answered { id } => t_args(locale, "question-answered", &[("id", (*id).into())]),
        Reply::Digest { items } => qa::digest(locale, items),
        Reply::Highlighted { id } => t_args(locale, "highlighted", &[("id", (*id).into())]),
        Reply::Unhighlighted { id } => t_args(locale, "unhighlighted", &[("id", (*id).into())]),
    }
}

/// Splits text into pieces of at most `max` characters, at line ends where
/// possible, for platforms that cap a message's length. Nothing is cut off:
/// the pieces joined are the text.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > max && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        let mut rest = line;
        while rest.chars().count() > max {
            let cut = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
            out.push(rest[..cut].to_owned());
            rest = &rest[cut..];
        }
        current.push_str(rest);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

pub fn notice(locale: Locale, notice: &Notice) -> String {
    match notice {
        Notice::NewQuestion {
            community,
            id,
            asker,
            question,
        } => t_args(
            locale,
            "notice-new-question",
            &[
                ("community", community.as_str().into()),
                ("id", (*id).into()),
                ("asker", asker.as_str().into()),
                ("question", question.as_str().into()),
            ],
        ),
        Notice::QuestionAnswered {
            community,
            id,
            question,
            answer,
        } => t_args(
            locale,
            "notice-question-answered",
            &[
                ("community", community.as_str().into()),
                ("id", (*id).into()),
                ("question", question.as_str().into()),
                ("answer", answer.as_str().into()),
            ],
        ),
        Notice::AccessGranted {
            community,
            tier,
            access_until,
        } => {
            let mut args = vec![
                ("community", community.as_str().into()),
                ("tier", tier.as_str().into()),
            ];
            match access_until {
                Some(until) => {
                    args.push(("until", Arg::Text(until.clone())));
                    t_args(locale, "notice-access-granted", &args)
                }
                None => t_args(locale, "notice-access-granted-open", &args),
            }
        }
        Notice::AccessEnded { community, tier } => t_args(
            locale,
            "notice-access-ended",
            &[
                ("community", community.as_str().into()),
                ("tier", tier.as_str().into()),
            ],
        ),
        Notice::PaymentFailed {
            community,
            tier,
            grace_until,
            portal_url,
        } => {
            let mut args = vec![
                ("community", community.as_str().into()),
                ("tier", tier.as_str().into()),
                ("until", grace_until.as_deref().unwrap_or("-").into()),
            ];
            match portal_url {
                Some(url) => {
                    args.push(("url", url.as_str().into()));
                    t_args(locale, "notice-payment-failed-link", &args)
                }
                None => t_args(locale, "notice-payment-failed", &args),
            }
        }
        Notice::RenewalReminder {
            community,
            tier,
            access_until,
            days,
        } => t_args(
            locale,
            "notice-renewal-reminder",
            &[
                ("community", community.as_str().into()),
                ("tier", tier.as_str().into()),
                ("until", access_until.as_str().into()),
                ("days", i64::from(*days).into()),
            ],
        ),
        Notice::PointsAwarded {
            community,
            points,
            reason,
            balance,
        } => t_args(
            locale,
            "notice-points-awarded",
            &[
                ("community", community.as_str().into()),
                ("points", (*points).into()),
                ("reason", reason.as_str().into()),
                ("balance", (*balance).into()),
            ],
        ),
        Notice::BadgeEarned { community, badge } => t_args(
            locale,
            "notice-badge-earned",
            &[
                ("community", community.as_str().into()),
                ("badge", badge.as_str().into()),
            ],
        ),
        Notice::LevelUp { community, level } => t_args(
            locale,
            "notice-level-up",
            &[
                ("community", community.as_str().into()),
                ("level", i64::from(*level).into()),
            ],
        ),
    }
}

#[cfg(test)]
mod samples;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wording;
