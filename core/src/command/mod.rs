//! Turning what a person typed (or what a platform sent as typed options)
//! into a `Command`, checked against the catalogue.

use std::collections::HashMap;

use crate::catalogue::{self, CommandSpec, OptionKind};
use crate::domain::{IdentityRef, Key};
use crate::error::UserError;
use crate::periods::Board;

mod line;
mod value;

use line::{named, split_token, texts_to_fill};
use value::{Value, convert};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Tiers,
    Join {
        code: Option<String>,
    },
    Me,
    Points,
    Leaderboard {
        board: Board,
        page: u32,
    },
    Rank {
        board: Board,
    },
    Checkin,
    Badges,
    Shop,
    Redeem {
        reward: Key,
    },
    Link {
        code: Option<String>,
    },
    Grant {
        user: IdentityRef,
        tier: Key,
        days: Option<i64>,
    },
    Revoke {
        user: IdentityRef,
    },
    Award {
        user: IdentityRef,
        points: i64,
        reason: String,
    },
    Member {
        user: IdentityRef,
    },
    Subscribe {
        tier: Option<Key>,
        yearly: bool,
    },
    Buy {
        offer: Key,
    },
    Billing,
    /// A one-time sign-in link to the community's dashboard, sent privately.
    Dashboard,
    /// A link to everything kept about the invoker, as JSON.
    PrivacyExport,
    /// An admin erases a person on their request, as `/privacy delete
    /// confirm` would.
    Erase {
        user: IdentityRef,
    },
    /// Erases what identifies the invoker; asks first unless `confirm`.
    PrivacyDelete {
        confirm: bool,
    },
    Cancel,
    Invite,
    Coupon {
        code: String,
        percent: u32,
        months: Option<u32>,
    },
    Refund {
        user: IdentityRef,
        payment: String,
    },
    LessonPost {
        lesson: Key,
        draft: LessonDraft,
    },
    LessonEdit {
        lesson: Key,
        draft: LessonDraft,
    },
    LessonRemove {
        lesson: Key,
    },
    Lessons,
    Unlock {
        lesson: Key,
        with: Option<UnlockWith>,
    },
    Course {
        course: Option<Key>,
    },
    Progress,
    Complete {
        lesson: Key,
    },
    Next,
    Ask {
        question: String,
    },
    Questions,
    Answer {
        question: i64,
        answer: String,
    },
    Digest,
    Highlight {
        item: String,
        note: Option<String>,
    },
    Unhighlight {
        highlight: i64,
    },
}

/// What a creator wrote about a lesson; on an edit, only what changes.
/// Prices and dates stay text here: reading them needs the community's
/// currency and clock.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LessonDraft {
    pub title: Option<String>,
    pub body: Option<String>,
    pub teaser: Option<String>,
    pub tier: Option<Key>,
    pub price: Option<String>,
    pub stars: Option<i64>,
    pub points: Option<i64>,
    pub opens: Option<String>,
    pub course: Option<Key>,
    pub attachment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnlockWith {
    Points,
    Buy,
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Help => "help",
            Command::Tiers => "tiers",
            Command::Join { .. } => "join",
            Command::Me => "me",
            Command::Points => "points",
            Command::Leaderboard { .. } => "leaderboard",
            Command::Badges => "badges",
            Command::Rank { .. } => "rank",
            Command::Checkin => "checkin",
            Command::Shop => "shop",
            Command::Redeem { .. } => "redeem",
            Command::Link { .. } => "link",
            Command::Grant { .. } => "grant",
            Command::Revoke { .. } => "revoke",
            Command::Award { .. } => "award",
            Command::Member { .. } => "member",
            Command::Subscribe { .. } => "subscribe",
            Command::Buy { .. } => "buy",
            Command::Billing => "billing",
            Command::Dashboard => "dashboard",
            Command::Erase { .. } => "erase",
            Command::PrivacyExport => "privacy export",
            Command::PrivacyDelete { .. } => "privacy delete",
            Command::Cancel => "cancel",
            Command::Invite => "invite",
            Command::Coupon { .. } => "coupon",
            Command::Refund { .. } => "refund",
            Command::LessonPost { .. } => "lesson post",
            Command::LessonEdit { .. } => "lesson edit",
            Command::LessonRemove { .. } => "lesson remove",
            Command::Lessons => "lessons",
            Command::Unlock { .. } => "unlock",
            Command::Course { .. } => "course",
            Command::Progress => "progress",
            Command::Complete { .. } => "complete",
            Command::Next => "next",
            Command::Ask { .. } => "ask",
            Command::Questions => "questions",
            Command::Answer { .. } => "answer",
            Command::Digest => "digest",
            Command::Highlight { .. } => "highlight",
            Command::Unhighlight { .. } => "unhighlight",
        }
    }

    /// Commands answered by calling the payment provider.
    /// Commands that change nothing: they answer from a read snapshot,
    /// without queueing behind writers.
    pub fn only_reads(&self) -> bool {
        matches!(
            self,
            Command::Help
                | Command::Tiers
                | Command::Me
                | Command::Points
                | Command::Badges
                | Command::Rank { .. }
                | Command::Leaderboard { .. }
                | Command::Shop
        )
    }

    pub fn talks_to_provider(&self) -> bool {
        matches!(
            self,
            Command::Subscribe { .. }
                | Command::Buy { .. }
                | Command::Billing
                | Command::Cancel
                | Command::Coupon { .. }
                | Command::Refund { .. }
                | Command::Unlock {
                    with: Some(UnlockWith::Buy),
                    ..
                }
        )
    }

    pub fn spec(&self) -> &'static CommandSpec {
        catalogue::find(self.name()).unwrap_or(&catalogue::CATALOGUE[0])
    }

    /// Parses a chat line such as `/award console:bob 50 great answer`.
    /// Options are positional, and any option may also be written
    /// `name=value` (quoted with `"` to hold spaces) before the text starts.
    /// Text takes the rest of the line; where a command needs several texts
    /// they are separated by ` | `, as in `/lesson post intro Title | Body`.
    /// A Telegram-style `/cmd@botname` suffix is ignored.
    pub fn parse_line(line: &str) -> Result<Command, UserError> {
        let line = line.trim();
        let body = line.strip_prefix('/').unwrap_or(line);
        let (head, mut rest) = split_token(body);
        let mut name = head.split('@').next().unwrap_or_default().to_lowercase();
        if catalogue::find(&name).is_none() {
            let (sub, tail) = split_token(rest);
            let both = format!("{name} {}", sub.to_lowercase());
            if !sub.is_empty() && catalogue::find(&both).is_some() {
                name = both;
                rest = tail;
            }
        }
        let spec = catalogue::find(&name).ok_or(UserError::UnknownCommand { name: name.clone() })?;
        let mut values = HashMap::new();
        while !rest.is_empty() {
            if let Some((option, value, tail)) = named(spec, rest) {
                values.insert(option.to_owned(), value);
                rest = tail;
                continue;
            }
            let Some(option) = spec.options.iter().find(|o| !values.contains_key(o.name)) else {
                break;
            };
            if matches!(option.kind, OptionKind::Text { .. }) {
                let texts = texts_to_fill(spec, &values);
                let mut parts = std::mem::take(&mut rest).splitn(texts.len(), " | ");
                for o in texts {
                    if let Some(part) = parts.next() {
                        values.insert(o.name.to_owned(), part.trim().to_owned());
                    }
                }
                break;
            }
            let (token, tail) = split_token(rest);
            rest = tail;
            values.insert(option.name.to_owned(), token.to_owned());
        }
        if !rest.is_empty() {
            return Err(UserError::TooManyArguments { command: name });
        }
        Self::build(spec, values)
    }

    /// Builds a command from named option values, as platforms with typed
    /// slash-command options deliver them.
    pub fn from_named(name: &str, values: HashMap<String, String>) -> Result<Command, UserError> {
        let spec = catalogue::find(name).ok_or(UserError::UnknownCommand { name: name.into() })?;
        if let Some(unknown) = values.keys().find(|k| spec.options.iter().all(|o| o.name != *k)) {
            return Err(UserError::UnknownOption {
                command: name.into(),
                option: unknown.clone(),
            });
        }
        Self::build(spec, values)
    }

    fn build(spec: &CommandSpec, mut values: HashMap<String, String>) -> Result<Command, UserError> {
        // `/leaderboard 3` means page 3 of the default board.
        if spec.name == "leaderboard"
            && !values.contains_key("page")
            && values
                .get("board")
                .is_some_and(|b| b.trim().parse::<i64>().is_ok())
            && let Some(page) = values.remove("board")
        {
            values.insert("page".into(), page);
        }
        let mut get = |option: &str| -> Result<Option<Value>, UserError> {
            let Some(opt) = spec.options.iter().find(|o| o.name == option) else {
                return Ok(None);
            };
            match values.remove(option).filter(|v| !v.trim().is_empty()) {
                Some(raw) => convert(option, opt.kind, raw.trim()).map(Some),
                None if opt.required => Err(UserError::MissingOption {
                    command: spec.name.into(),
                    option: option.into(),
                }),
                None => Ok(None),
            }
        };
        // `get` already refuses a missing required option; `need` restates that
        // for the type checker without a panic.
        let need = |v: Option<Value>, option: &str| {
            v.ok_or_else(|| UserError::MissingOption {
                command: spec.name.into(),
                option: option.into(),
            })
        };
        let cmd = match spec.name {
            "help" => Command::Help,
            "tiers" => Command::Tiers,
            "join" => Command::Join {
                code: get("code")?.map(Value::text),
            },
            "me" => Command::Me,
            "points" => Command::Points,
            "badges" => Command::Badges,
            "rank" => Command::Rank {
                board: board(get("board")?),
            },
            "checkin" => Command::Checkin,
            "shop" => Command::Shop,
            "redeem" => Command::Redeem {
                reward: need(get("reward")?, "reward")?.key()?,
            },
            "leaderboard" => Command::Leaderboard {
                board: board(get("board")?),
                page: get("page")?
                    .map(Value::int)
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or(1),
            },
            "link" => Command::Link {
                code: get("code")?.map(Value::text),
            },
            "grant" => Command::Grant {
                user: need(get("user")?, "user")?.user()?,
                tier: need(get("tier")?, "tier")?.key()?,
                days: get("days")?.map(Value::int),
            },
            "revoke" => Command::Revoke {
                user: need(get("user")?, "user")?.user()?,
            },
            "award" => Command::Award {
                user: need(get("user")?, "user")?.user()?,
                points: need(get("points")?, "points")?.int(),
                reason: need(get("reason")?, "reason")?.text(),
            },
            "member" => Command::Member {
                user: need(get("user")?, "user")?.user()?,
            },
            "subscribe" => Command::Subscribe {
                tier: get("tier")?.map(Value::key).transpose()?,
                yearly: get("period")?.map(Value::text).as_deref() == Some("yearly"),
            },
            "buy" => Command::Buy {
                offer: need(get("offer")?, "offer")?.key()?,
            },
            "billing" => Command::Billing,
            "dashboard" => Command::Dashboard,
            "erase" => Command::Erase {
                user: need(get("user")?, "user")?.user()?,
            },
            "privacy export" => Command::PrivacyExport,
            "privacy delete" => Command::PrivacyDelete {
                confirm: get("confirm")?.is_some(),
            },
            "cancel" => Command::Cancel,
            "invite" => Command::Invite,
            "refund" => Command::Refund {
                user: need(get("user")?, "user")?.user()?,
                payment: need(get("payment")?, "payment")?.text(),
            },
            "coupon" => Command::Coupon {
                code: need(get("code")?, "code")?.text(),
                percent: u32::try_from(need(get("percent")?, "percent")?.int()).unwrap_or(0),
                months: get("months")?.map(Value::int).and_then(|m| u32::try_from(m).ok()),
            },
            "lesson post" => Command::LessonPost {
                lesson: need(get("lesson")?, "lesson")?.key()?,
                draft: draft(&mut get)?,
            },
            "lesson edit" => Command::LessonEdit {
                lesson: need(get("lesson")?, "lesson")?.key()?,
                draft: draft(&mut get)?,
            },
            "lesson remove" => Command::LessonRemove {
                lesson: need(get("lesson")?, "lesson")?.key()?,
            },
            "lessons" => Command::Lessons,
            "unlock" => Command::Unlock {
                lesson: need(get("lesson")?, "lesson")?.key()?,
                with: get("with")?.map(Value::text).map(|w| {
                    if w == "buy" {
                        UnlockWith::Buy
                    } else {
                        UnlockWith::Points
                    }
                }),
            },
            "course" => Command::Course {
                course: get("course")?.map(Value::key).transpose()?,
            },
            "progress" => Command::Progress,
            "complete" => Command::Complete {
                lesson: need(get("lesson")?, "lesson")?.key()?,
            },
            "next" => Command::Next,
            "ask" => Command::Ask {
                question: need(get("question")?, "question")?.text(),
            },
            "questions" => Command::Questions,
            "answer" => Command::Answer {
                question: need(get("question")?, "question")?.int(),
                answer: need(get("answer")?, "answer")?.text(),
            },
            "digest" => Command::Digest,
            "highlight" => Command::Highlight {
                item: need(get("item")?, "item")?.text(),
                note: get("note")?.map(Value::text),
            },
            "unhighlight" => Command::Unhighlight {
                highlight: need(get("highlight")?, "highlight")?.int(),
            },
            other => {
                return Err(UserError::UnknownCommand { name: other.into() });
            }
        };
        Ok(cmd)
    }
}

fn draft(get: &mut impl FnMut(&str) -> Result<Option<Value>, UserError>) -> Result<LessonDraft, UserError> {
    Ok(LessonDraft {
        title: get("title")?.map(Value::text),
        body: get("body")?.map(Value::text),
        teaser: get("teaser")?.map(Value::text),
        tier: get("tier")?.map(Value::key).transpose()?,
        price: get("price")?.map(Value::text),
        stars: get("stars")?.map(Value::int),
        points: get("points")?.map(Value::int),
        opens: get("opens")?.map(Value::text),
        course: get("course")?.map(Value::key).transpose()?,
        attachment: get("attachment")?.map(Value::text),
    })
}

fn board(v: Option<Value>) -> Board {
    v.map(Value::text)
        .and_then(|b| Board::parse(&b))
        .unwrap_or(Board::AllTime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Command, UserError> {
        Command::parse_line(line)
    }

    #[test]
    fn parses_positional_options_and_trailing_text() {
        assert_eq!(parse("/help"), Ok(Command::Help));
        assert_eq!(parse("/help@LyceumBot"), Ok(Command::Help));
        assert_eq!(
            parse("leaderboard 3"),
            Ok(Command::Leaderboard {
                board: Board::AllTime,
                page: 3
            })
        );
        assert_eq!(
            parse("/leaderboard week 2"),
            Ok(Command::Leaderboard {
                board: Board::Week,
                page: 2
            })
        );
        assert!(matches!(
            parse("/leaderboard yesterday"),
            Err(UserError::BadChoice { .. })
        ));
        let award = parse("/award console:bob 50 a  great answer").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            award,
            Command::Award {
                user: "console:bob".parse().unwrap_or_else(|e| panic!("{e}")),
                points: 50,
                reason: "a  great answer".into()
            }
        );
    }

    #[test]
    fn refuses_bad_input_with_a_reason() {
        assert_eq!(
            parse("/dance"),
            Err(UserError::UnknownCommand { name: "dance".into() })
        );
        assert!(matches!(
            parse("/award console:bob -1000001 x"),
            Err(UserError::IntegerOutOfRange { .. })
        ));
        assert!(matches!(
            parse("/award console:bob 99999999999999999999999 x"),
            Err(UserError::IntegerOutOfRange { .. })
        ));
        assert!(matches!(
            parse("/award console:bob lots x"),
            Err(UserError::NotAnInteger { .. })
        ));
        assert!(matches!(
            parse("/award console:bob 5"),
            Err(UserError::MissingOption { .. })
        ));
        assert!(matches!(
            parse("/grant bob pro"),
            Err(UserError::BadIdentity { .. })
        ));
        assert!(matches!(
            parse("/me please"),
            Err(UserError::TooManyArguments { .. })
        ));
        assert!(matches!(
            parse("/grant console:bob pro 0"),
            Err(UserError::IntegerOutOfRange { .. })
        ));
        let long = format!("/award console:bob 5 {}", "x".repeat(201));
        assert!(matches!(parse(&long), Err(UserError::TextTooLong { .. })));
    }

    proptest::proptest! {
        // Whatever a person types, parsing answers; it never panics.
        #[test]
        fn any_line_parses_or_is_refused(line in "\\PC{0,80}") {
            let _ = Command::parse_line(&line);
        }

        #[test]
        fn any_arguments_to_a_real_command_are_handled(
            name in proptest::sample::select(catalogue::CATALOGUE.iter().map(|c| c.name).collect::<Vec<_>>()),
            args in "[ -~一-龥]{0,60}",
        ) {
            let _ = Command::parse_line(&format!("/{name} {args}"));
        }
    }

    #[test]
    fn subcommands_named_options_and_several_texts() {
        let post = parse(
            r#"/lesson post intro tier=pro price=9.99 teaser="Read me first" Title here | Body with | a pipe"#,
        );
        let Ok(Command::LessonPost { lesson, draft }) = post else {
            panic!("{post:?}")
        };
        assert_eq!(lesson.as_str(), "intro");
        assert_eq!(draft.title.as_deref(), Some("Title here"));
        assert_eq!(
            draft.body.as_deref(),
            Some("Body with | a pipe"),
            "the last text keeps the rest"
        );
        assert_eq!(draft.teaser.as_deref(), Some("Read me first"));
        assert_eq!(draft.tier.as_ref().map(Key::as_str), Some("pro"));
        assert_eq!(draft.price.as_deref(), Some("9.99"));
        // Past the start of the text, name=value is text.
        let edit = parse("/lesson edit intro New body with tier=vip inside");
        let Ok(Command::LessonEdit { draft, .. }) = edit else {
            panic!("{edit:?}")
        };
        assert_eq!(draft.body.as_deref(), Some("New body with tier=vip inside"));
        assert_eq!(draft.tier, None);
        assert_eq!(
            parse("/LESSON Remove intro"),
            Ok(Command::LessonRemove {
                lesson: Key::parse("intro").unwrap_or_else(|e| panic!("{e}"))
            })
        );
        assert!(matches!(parse("/lesson"), Err(UserError::UnknownCommand { .. })));
        assert!(matches!(
            parse("/lesson dance"),
            Err(UserError::UnknownCommand { .. })
        ));
        assert!(matches!(
            parse("/unlock intro gold"),
            Err(UserError::BadChoice { .. })
        ));
        assert_eq!(
            parse("/unlock intro with=points"),
            Ok(Command::Unlock {
                lesson: Key::parse("intro").unwrap_or_else(|e| panic!("{e}")),
                with: Some(UnlockWith::Points)
            })
        );
        // An unterminated quote is not a named value; it stays text.
        assert!(parse(r#"/lesson post intro teaser="never closed T | B"#).is_ok());
    }

    #[test]
    fn named_options_are_checked_too() {
        let values = HashMap::from([("user".to_owned(), "console:bob".to_owned())]);
        assert!(Command::from_named("revoke", values).is_ok());
        let unknown = HashMap::from([("colour".to_owned(), "red".to_owned())]);
        assert!(matches!(
            Command::from_named("me", unknown),
            Err(UserError::UnknownOption { .. })
        ));
    }
}
