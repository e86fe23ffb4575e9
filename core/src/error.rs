//! What can go wrong. `UserError`s are the person's to fix and each has a
//! localized message; everything else is ours, logged and answered politely.

use sea_orm::DbErr;

/// A refusal the person can act on. Each variant renders through the locale
/// file key returned by [`UserError::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
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
            UserError::BadCode { .. } => "err-bad-code",
            UserError::BadChoice { .. } => "err-bad-choice",
            UserError::UnknownOffer { .. } => "err-unknown-offer",
            UserError::PaymentsDisabled => "err-payments-disabled",
            UserError::NotForSale { .. } => "err-not-for-sale",
            UserError::AlreadySubscribed { .. } => "err-already-subscribed",
            UserError::AlreadyOwned { .. } => "err-already-owned",
            UserError::NoBillingAccount => "err-no-billing-account",
            UserError::DashboardOff => "err-dashboard-off",
            UserError::StillSubscribed => "err-still-subscribed",
            UserError::NoSubscription => "err-no-subscription",
            UserError::AlreadyCanceling { .. } => "err-already-canceling",
            UserError::BillingRefused { .. } => "err-billing-refused",
            UserError::BillingUnavailable => "err-billing-unavailable",
            UserError::ReferralInvalid { .. } => "err-referral-invalid",
            UserError::SelfReferral => "err-self-referral",
            UserError::ReferralTooLate => "err-referral-too-late",
            UserError::UnknownPayment { .. } => "err-unknown-payment",
            UserError::NotEnoughPoints { .. } => "err-not-enough-points",
            UserError::AwardTooLarge { .. } => "err-award-too-large",
            UserError::AlreadyCheckedIn { .. } => "err-already-checked-in",
            UserError::UnknownReward { .. } => "err-unknown-reward",
            UserError::OutOfStock { .. } => "err-out-of-stock",
            UserError::UnknownBoard { .. } => "err-unknown-board",
            UserError::NotCreator { .. } => "err-not-creator",
            UserError::BadLessonKey { .. } => "err-bad-lesson-key",
            UserError::UnknownLesson { .. } => "err-unknown-lesson",
            UserError::LessonRemoved { .. } => "err-lesson-removed",
            UserError::LessonExists { .. } => "err-lesson-exists",
            UserError::UnknownCourse { .. } => "err-unknown-course",
            UserError::BadPrice { .. } => "err-bad-price",
            UserError::BadOpens { .. } => "err-bad-opens",
            UserError::OpensInPast { .. } => "err-opens-in-past",
            UserError::OpensTooLate { .. } => "err-opens-too-late",
            UserError::BadAttachment { .. } => "err-bad-attachment",
            UserError::NotOpenYet { .. } => "err-not-open-yet",
            UserError::NotForPoints { .. } => "err-not-for-points",
            UserError::AlreadyUnlocked { .. } => "err-already-unlocked",
            UserError::NotUnlocked { .. } => "err-not-unlocked",
            UserError::AlreadyCompleted { .. } => "err-already-completed",
            UserError::NothingToEdit => "err-nothing-to-edit",
            UserError::UnknownQuestion { .. } => "err-unknown-question",
            UserError::AlreadyAnswered { .. } => "err-already-answered",
            UserError::NotAnswered { .. } => "err-not-answered",
            UserError::UnknownHighlight { .. } => "err-unknown-highlight",
            UserError::BadHighlight { .. } => "err-bad-highlight",
        }
    }

    /// The message arguments, named as in the locale files.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            UserError::UnknownCommand { name } => vec![("name", name.clone())],
            UserError::UnknownOption { command, option } | UserError::MissingOption { command, option } => {
                vec![("command", command.clone()), ("option", option.clone())]
            }
            UserError::TooManyArguments { command }
            | UserError::NotAdmin { command }
            | UserError::NotCreator { command } => {
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
            UserError::BadCode { option } => vec![("option", option.clone())],
            UserError::BadChoice {
                option,
                value,
                choices,
            } => vec![
                ("option", option.clone()),
                ("value", value.clone()),
                ("choices", choices.clone()),
            ],
            UserError::UnknownOffer { key, available }
            | UserError::UnknownReward { key, available }
            | UserError::UnknownLesson { key, available }
            | UserError::UnknownCourse { key, available } => {
                vec![("key", key.clone()), ("available", available.clone())]
            }
            UserError::NotForSale { name }
            | UserError::AlreadyOwned { name }
            | UserError::OutOfStock { name } => {
                vec![("name", name.clone())]
            }
            UserError::NotEnoughPoints { balance, needed } => {
                vec![("balance", balance.to_string()), ("needed", needed.to_string())]
            }
            UserError::AwardTooLarge { max } => vec![("max", max.to_string())],
            UserError::AlreadyCheckedIn { streak } => vec![("streak", streak.to_string())],
            UserError::UnknownBoard { input }
            | UserError::BadOpens { input }
            | UserError::BadAttachment { input } => vec![("input", input.clone())],
            UserError::BadLessonKey { key } | UserError::LessonExists { key } => vec![("key", key.clone())],
            UserError::LessonRemoved { title }
            | UserError::NotForPoints { title }
            | UserError::AlreadyUnlocked { title }
            | UserError::NotUnlocked { title }
            | UserError::AlreadyCompleted { title } => vec![("title", title.clone())],
            UserError::NotOpenYet { title, opens } => {
                vec![("title", title.clone()), ("opens", opens.clone())]
            }
            UserError::BadPrice { input, currency } => {
                vec![("input", input.clone()), ("currency", currency.clone())]
            }
            UserError::OpensInPast { date } => vec![("date", date.clone())],
            UserError::UnknownQuestion { id }
            | UserError::AlreadyAnswered { id }
            | UserError::NotAnswered { id }
            | UserError::UnknownHighlight { id } => vec![("id", id.to_string())],
            UserError::BadHighlight { item } => vec![("item", item.clone())],
            UserError::OpensTooLate { max_days } => vec![("max_days", max_days.to_string())],
            UserError::AlreadySubscribed { tier } => vec![("tier", tier.clone())],
            UserError::AlreadyCanceling { until } => vec![("until", until.clone())],
            UserError::BillingRefused { message } => vec![("message", message.clone())],
            UserError::ReferralInvalid { code } => vec![("code", code.clone())],
            UserError::UnknownPayment { payment } => vec![("payment", payment.clone())],
            UserError::NotMember
            | UserError::BalanceOverflow
            | UserError::LinkCodeInvalid
            | UserError::LinkCodeExpired
            | UserError::LinkCodeUsed
            | UserError::AlreadyLinked
            | UserError::PaymentsDisabled
            | UserError::NoBillingAccount
            | UserError::DashboardOff
            | UserError::StillSubscribed
            | UserError::NoSubscription
            | UserError::BillingUnavailable
            | UserError::SelfReferral
            | UserError::ReferralTooLate
            | UserError::NothingToEdit => vec![],
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
