//! What can go wrong. `UserError`s are the person's to fix and each has a
//! localized message; everything else is ours, logged and answered politely.

use sea_orm::DbErr;

use crate::i18n::Arg;

/// A refusal the person can act on. Each variant renders through the locale
/// file key returned by [`UserError::key`], with its fields as arguments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case", prefix = "err-")]
pub enum UserError {
    UnknownCommand {
        name: String,
    },
    UnknownOption {
        command: String,
        option: String,
    },
    MissingOption {
        command: String,
        option: String,
    },
    TooManyArguments {
        command: String,
    },
    NotAnInteger {
        option: String,
        value: String,
    },
    IntegerOutOfRange {
        option: String,
        min: i64,
        max: i64,
    },
    TextTooLong {
        option: String,
        max: usize,
    },
    BadIdentity {
        input: String,
    },
    NotAdmin {
        command: String,
    },
    UnknownCommunity {
        slug: String,
    },
    NotMember,
    UnknownMember {
        identity: String,
    },
    UnknownTier {
        key: String,
        available: String,
    },
    BalanceOverflow,
    NothingToRevoke {
        identity: String,
    },
    LinkCodeInvalid,
    LinkCodeExpired,
    LinkCodeUsed,
    AlreadyLinked,
    PlatformAlreadyLinked {
        platform: String,
    },
    BadCode {
        option: String,
    },
    BadChoice {
        option: String,
        value: String,
        choices: String,
    },
    UnknownOffer {
        key: String,
        available: String,
    },
    PaymentsDisabled,
    NotForSale {
        name: String,
    },
    AlreadySubscribed {
        tier: String,
    },
    AlreadyOwned {
        name: String,
    },
    NoBillingAccount,
    /// No signing secret or public URL: the dashboard is not served.
    DashboardOff,
    /// Erasure waits until no subscription is running.
    StillSubscribed,
    NoSubscription,
    AlreadyCanceling {
        until: String,
    },
    BillingRefused {
        message: String,
    },
    BillingUnavailable,
    ReferralInvalid {
        code: String,
    },
    SelfReferral,
    ReferralTooLate,
    UnknownPayment {
        payment: String,
    },
    NotEnoughPoints {
        balance: i64,
        /// What it costs.
        needed: i64,
    },
    AwardTooLarge {
        max: i64,
    },
    AlreadyCheckedIn {
        streak: i32,
    },
    UnknownReward {
        key: String,
        available: String,
    },
    OutOfStock {
        name: String,
    },
    UnknownBoard {
        input: String,
    },
    NotCreator {
        command: String,
    },
    BadLessonKey {
        key: String,
    },
    UnknownLesson {
        key: String,
        available: String,
    },
    LessonRemoved {
        title: String,
    },
    LessonExists {
        key: String,
    },
    UnknownCourse {
        key: String,
        available: String,
    },
    BadPrice {
        input: String,
        currency: String,
    },
    BadOpens {
        input: String,
    },
    OpensInPast {
        date: String,
    },
    OpensTooLate {
        max_days: i64,
    },
    BadAttachment {
        input: String,
    },
    NotOpenYet {
        title: String,
        opens: String,
    },
    NotForPoints {
        title: String,
    },
    AlreadyUnlocked {
        title: String,
    },
    NotUnlocked {
        title: String,
    },
    AlreadyCompleted {
        title: String,
    },
    NothingToEdit,
    UnknownQuestion {
        id: i64,
    },
    AlreadyAnswered {
        id: i64,
    },
    NotAnswered {
        id: i64,
    },
    UnknownHighlight {
        id: i64,
    },
    BadHighlight {
        item: String,
    },
}

impl UserError {
    /// The locale file key: `err-` and the variant's name in kebab case.
    pub fn key(&self) -> &'static str {
        self.into()
    }

    /// The message arguments: the variant's fields, by name. Numbers stay
    /// numbers, so plural selectors can choose a form.
    pub fn args(&self) -> Vec<(String, Arg)> {
        use serde_json::Value;
        // A variant with fields serializes as {"Variant": {field: value}};
        // one without as a bare string, with no arguments.
        let Ok(Value::Object(outer)) = serde_json::to_value(self) else {
            return Vec::new();
        };
        let Some((_, Value::Object(fields))) = outer.into_iter().next() else {
            return Vec::new();
        };
        fields
            .into_iter()
            .map(|(name, v)| {
                let arg = match v {
                    Value::String(s) => Arg::Text(s),
                    Value::Number(n) => n.as_i64().map_or_else(|| Arg::Text(n.to_string()), Arg::Number),
                    other => Arg::Text(other.to_string()),
                };
                (name, arg)
            })
            .collect()
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
    /// Something outside (a payment provider) is down; try again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl From<UserError> for CoreError {
    fn from(e: UserError) -> Self {
        CoreError::User(e)
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
