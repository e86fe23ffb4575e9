//! One option's raw text turned into a typed value, or the refusal that
//! names what was wrong with it.

use crate::catalogue::OptionKind;
use crate::domain::{IdentityRef, Key};
use crate::error::UserError;

pub(super) enum Value {
    Int(i64),
    Text(String),
    User(IdentityRef),
    Key(Key),
}

impl Value {
    pub(super) fn int(self) -> i64 {
        match self {
            Value::Int(n) => n,
            _ => 0,
        }
    }

    pub(super) fn text(self) -> String {
        match self {
            Value::Text(s) => s,
            Value::Int(n) => n.to_string(),
            Value::User(u) => u.to_string(),
            Value::Key(k) => k.to_string(),
        }
    }

    pub(super) fn user(self) -> Result<IdentityRef, UserError> {
        match self {
            Value::User(u) => Ok(u),
            other => Err(UserError::BadIdentity { input: other.text() }),
        }
    }

    pub(super) fn key(self) -> Result<Key, UserError> {
        match self {
            Value::Key(k) => Ok(k),
            other => {
                let key = other.text();
                Err(UserError::UnknownTier {
                    key,
                    available: String::new(),
                })
            }
        }
    }
}

pub(super) fn convert(option: &str, kind: OptionKind, raw: &str) -> Result<Value, UserError> {
    match kind {
        OptionKind::User => raw
            .parse::<IdentityRef>()
            .map(Value::User)
            .map_err(|e| UserError::BadIdentity { input: e.input }),
        OptionKind::Tier => {
            Key::parse(&raw.to_lowercase())
                .map(Value::Key)
                .map_err(|_| UserError::UnknownTier {
                    key: raw.into(),
                    available: String::new(),
                })
        }
        OptionKind::Integer { min, max } => {
            let n: i64 = raw.parse().map_err(|_| {
                // A number too large for i64 is out of range, not "not a number".
                if raw
                    .trim_start_matches(['-', '+'])
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                {
                    UserError::IntegerOutOfRange {
                        option: option.into(),
                        min,
                        max,
                    }
                } else {
                    UserError::NotAnInteger {
                        option: option.into(),
                        value: raw.into(),
                    }
                }
            })?;
            if (min..=max).contains(&n) {
                Ok(Value::Int(n))
            } else {
                Err(UserError::IntegerOutOfRange {
                    option: option.into(),
                    min,
                    max,
                })
            }
        }
        OptionKind::Text { max_len } | OptionKind::Word { max_len } => {
            if raw.chars().count() > max_len {
                Err(UserError::TextTooLong {
                    option: option.into(),
                    max: max_len,
                })
            } else {
                Ok(Value::Text(raw.into()))
            }
        }
        OptionKind::Code => {
            if raw.chars().count() > MAX_CODE_LEN
                || !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                Err(UserError::BadCode {
                    option: option.into(),
                })
            } else {
                Ok(Value::Text(raw.into()))
            }
        }
        OptionKind::Offer => {
            Key::parse(&raw.to_lowercase())
                .map(Value::Key)
                .map_err(|_| UserError::UnknownOffer {
                    key: raw.into(),
                    available: String::new(),
                })
        }
        OptionKind::Reward => {
            Key::parse(&raw.to_lowercase())
                .map(Value::Key)
                .map_err(|_| UserError::UnknownReward {
                    key: raw.into(),
                    available: String::new(),
                })
        }
        OptionKind::Lesson => Key::parse(&raw.to_lowercase())
            .map(Value::Key)
            .map_err(|_| UserError::BadLessonKey { key: raw.into() }),
        OptionKind::Course => {
            Key::parse(&raw.to_lowercase())
                .map(Value::Key)
                .map_err(|_| UserError::UnknownCourse {
                    key: raw.into(),
                    available: String::new(),
                })
        }
        OptionKind::Choice(choices) => {
            let lower = raw.to_lowercase();
            if choices.contains(&lower.as_str()) {
                Ok(Value::Text(lower))
            } else {
                Err(UserError::BadChoice {
                    option: option.into(),
                    value: raw.into(),
                    choices: choices.join(", "),
                })
            }
        }
    }
}

/// Codes of every kind are short; a longer one is a typo or an attack.
const MAX_CODE_LEN: usize = 40;
