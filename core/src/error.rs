//! What can go wrong. `UserError`s are the person's to fix and each has a
//! localized message; everything else is ours, logged and answered politely.

use sea_orm::DbErr;

/// A refusal the person can act on. Each variant renders through the locale
/// file key returned by [`UserError::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserError {
    UnknownCommand { name: String },
    UnknownOption { command: String, option: String },
    MissingOption { command: String, option: String },
    TooManyArguments { command: String },
    NotAnInteger { option: String, value: String },
    IntegerOutOfRange { option: String, min: i64, max: i64 },
    TextTooLong { option: String, max: usize },
    BadIdentity { input: String },
    NotAdmin { command: String },
    UnknownCommunity { slug: String },
    NotMember,
    UnknownMember { identity: String },
    UnknownTier { key: String, available: String },
    BalanceOverflow,
    NothingToRevoke { identity: String },
    LinkCodeInvalid,
    LinkCodeExpired,
    LinkCodeUsed,
    AlreadyLinked,
    PlatformAlreadyLinked { platform: String },
}

impl UserError {
    pub fn key(&self) -> &'static str {
        match self {
            UserError::UnknownCommand { .. } => "err-unknown-command",
            UserError::UnknownOption { .. } => "err-unknown-option",
            UserError::MissingOption { .. } => "err-missing-option",
            UserError::TooManyArguments { .. } => "err-too-many-arguments",
            UserError::NotAnInteger { .. } => "err-not-an-integer",
            UserError::IntegerOutOfRange { .. } => "err-integer-out-of-range",
            UserError::TextTooLong { .. } => "err-text-too-long",
            UserError::BadIdentity { .. } => "err-bad-identity",
            UserError::NotAdmin { .. } => "err-not-admin",
            UserError::UnknownCommunity { .. } => "err-unknown-community",
            UserError::NotMember => "err-not-member",
            UserError::UnknownMember { .. } => "err-unknown-member",
            UserError::UnknownTier { .. } => "err-unknown-tier",
            UserError::BalanceOverflow => "err-balance-overflow",
            UserError::NothingToRevoke { .. } => "err-nothing-to-revoke",
            UserError::LinkCodeInvalid => "err-link-code-invalid",
            UserError::LinkCodeExpired => "err-link-code-expired",
            UserError::LinkCodeUsed => "err-link-code-used",
            UserError::AlreadyLinked => "err-already-linked",
            UserError::PlatformAlreadyLinked { .. } => "err-platform-already-linked",
        }
    }

    /// The message arguments, named as in the locale files.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            UserError::UnknownCommand { name } => vec![("name", name.clone())],
            UserError::UnknownOption { command, option } | UserError::MissingOption { command, option } => {
                vec![("command", command.clone()), ("option", option.clone())]
            }
            UserError::TooManyArguments { command } | UserError::NotAdmin { command } => {
                vec![("command", command.clone())]
            }
            UserError::NotAnInteger { option, value } => {
                vec![("option", option.clone()), ("value", value.clone())]
            }
            UserError::IntegerOutOfRange { option, min, max } => vec![
                ("option", option.clone()),
                ("min", min.to_string()),
                ("max", max.to_string()),
            ],
            UserError::TextTooLong { option, max } => {
                vec![("option", option.clone()), ("max", max.to_string())]
            }
            UserError::BadIdentity { input } => vec![("input", input.clone())],
            UserError::UnknownCommunity { slug } => vec![("slug", slug.clone())],
            UserError::UnknownMember { identity } | UserError::NothingToRevoke { identity } => {
                vec![("identity", identity.clone())]
            }
            UserError::UnknownTier { key, available } => {
                vec![("key", key.clone()), ("available", available.clone())]
            }
            UserError::PlatformAlreadyLinked { platform } => vec![("platform", platform.clone())],
            UserError::NotMember
            | UserError::BalanceOverflow
            | UserError::LinkCodeInvalid
            | UserError::LinkCodeExpired
            | UserError::LinkCodeUsed
            | UserError::AlreadyLinked => vec![],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("refused: {0:?}")]
    User(UserError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<UserError> for CoreError {
    fn from(e: UserError) -> Self {
        CoreError::User(e)
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
