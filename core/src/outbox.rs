//! The durable outbox. Effects are rows written in the same transaction as
//! the change that caused them; a worker hands them to the adapter for their
//! platform and records the outcome, retrying with backoff. Effects for one
//! recipient are delivered in the order they were written, so a revoke can
//! never overtake the grant before it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};

use crate::clock::Clock;
use crate::domain::{Channel, IdentityRef, Locale, Platform};
use crate::entity::{identity, lesson_post, outbox};
use crate::reply::{LessonCard, Notice};

pub use crate::entity::kinds::OutboxStatus;

/// How long a worker may hold an effect while delivering it.
pub const LEASE_SECS: i64 = 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EffectKind {
    GrantPerk {
        perk: String,
    },
    RevokePerk {
        perk: String,
    },
    SendMessage {
        notice: Notice,
    },
    /// A lesson's teaser card, posted in a channel; the sink answers with
    /// the message's id so later edits and removal can find it.
    PostLesson {
        card: LessonCard,
    },
    /// Rewrites the cards posted for a lesson in a channel. `messages` is
    /// filled in by the worker when it delivers, from what was posted.
    EditLesson {
        card: LessonCard,
        #[serde(default)]
        messages: Vec<String>,
    },
    RemoveLesson {
        lesson: i64,
        #[serde(default)]
        messages: Vec<String>,
    },
}

impl EffectKind {
    fn name(&self) -> &'static str {
        match self {
            EffectKind::GrantPerk { .. } => "grant_perk",
            EffectKind::RevokePerk { .. } => "revoke_perk",
            EffectKind::SendMessage { .. } => "send_message",
            EffectKind::PostLesson { .. } => "post_lesson",
            EffectKind::EditLesson { .. } => "edit_lesson",
            EffectKind::RemoveLesson { .. } => "remove_lesson",
        }
    }

    /// Effects addressed to a channel rather than a person.
    fn for_channel(&self) -> bool {
        matches!(
            self,
            EffectKind::PostLesson { .. } | EffectKind::EditLesson { .. } | EffectKind::RemoveLesson { .. }
        )
    }
}

/// Where an effect goes: a person's account, or a channel everyone reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Person(IdentityRef),
    Channel(Channel),
}

impl Target {
    pub fn platform(&self) -> Platform {
        match self {
            Target::Person(p) => p.platform(),
            Target::Channel(c) => c.platform(),
        }
    }

    pub fn external_id(&self) -> &str {
        match self {
            Target::Person(p) => p.external_id(),
            Target::Channel(c) => c.id(),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Person(p) => p.fmt(f),
            Target::Channel(c) => write!(f, "#{c}"),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    community: Option<String>,
    locale: Locale,
    effect: EffectKind,
}

/// The effect stored in an outbox row's payload, if it reads.
pub fn payload_effect(payload: &str) -> Option<EffectKind> {
    serde_json::from_str::<Payload>(payload).ok().map(|p| p.effect)
}

/// One effect as an adapter receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    pub id: i64,
    pub community: Option<String>,
    pub recipient: Target,
    pub locale: Locale,
    pub kind: EffectKind,
    /// Deliveries tried before this one.
    pub attempts: i32,
}

/// Writes one effect for `recipient` inside the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    community: Option<(i64, &str)>,
    recipient: &identity::Model,
    locale: Locale,
    kind: EffectKind,
    now: i64,
) -> Result<(), sea_orm::DbErr> {
    let mut letters = Letters::default();
    letters.add(community, recipient, locale, kind, now);
    letters.send(conn).await
}

/// Effects gathered for many recipients and written together, a few
/// hundred rows per statement: a batch that settles thousands of members
/// would otherwise pay a round trip for every notice.
#[derive(Default)]
pub struct Letters {
    rows: Vec<outbox::ActiveModel>,
}

impl Letters {
    pub fn add(
        &mut self,
        community: Option<(i64, &str)>,
        recipient: &identity::Model,
        locale: Locale,
        kind: EffectKind,
        now: i64,
    ) {
        self.add_to(
            community,
            &recipient.platform,
            &recipient.external_id,
            locale,
            kind,
            now,
        );
    }

    /// An effect for everyone in `channel`.
    pub fn add_to_channel(
        &mut self,
        community: Option<(i64, &str)>,
        channel: &Channel,
        locale: Locale,
        kind: EffectKind,
        now: i64,
    ) {
        self.add_to(
            community,
            channel.platform().as_str(),
            channel.id(),
            locale,
            kind,
            now,
        );
    }

    fn add_to(
        &mut self,
        community: Option<(i64, &str)>,
        platform: &str,
        recipient: &str,
        locale: Locale,
        kind: EffectKind,
        now: i64,
    ) {
        let payload = Payload {
            community: community.map(|(_, slug)| slug.to_owned()),
            locale,
            effect: kind,
        };
        self.rows.push(outbox::ActiveModel {
            community_id: Set(community.map(|(id, _)| id)),
            platform: Set(platform.to_owned()),
            recipient: Set(recipient.to_owned()),
            kind: Set(payload.effect.name().to_owned()),
            payload: Set(serde_json::to_string(&payload).unwrap_or_default()),
            status: Set(OutboxStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            created_at: Set(now),
            delivered_at: Set(None),
            ..Default::default()
        });
    }

    /// Writes the gathered rows in the order they were added, which is the
    /// order each recipient receives them.
    pub async fn send<C: ConnectionTrait>(self, conn: &C) -> Result<(), sea_orm::DbErr> {
        // 11 values a row, well under SQLite's 32,766 bound parameters.
        let mut rows = self.rows.into_iter().peekable();
        while rows.peek().is_some() {
            outbox::Entity::insert_many(rows.by_ref().take(500))
                .exec_without_returning(conn)
                .await?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again later: the platform is down, slow or rate-limiting.
    #[error("temporary: {0}")]
    Retry(String),
    /// Can never succeed (the role was deleted, the user blocked the bot).
    #[error("permanent: {0}")]
    Permanent(String),
    /// The platform gave no answer within this many seconds.
    #[error("no answer within {0} s")]
    TimedOut(i64),
}

/// An adapter's side of the outbox.
#[async_trait::async_trait]
pub trait EffectSink: Send + Sync {
    fn platform(&self) -> Platform;
    async fn deliver(&self, effect: &Effect) -> Result<(), DeliveryError>;
    /// Posts a lesson card (a `PostLesson` effect) and returns the posted
    /// message's id. Platforms without channels never get one.
    async fn post_card(&self, effect: &Effect) -> Result<String, DeliveryError> {
        Err(DeliveryError::Permanent(format!(
            "{} cannot post lesson cards ({})",
            self.platform(),
            effect.recipient
        )))
    }
}

#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub base_secs: i64,
    pub max_secs: i64,
    pub max_attempts: i32,
    /// How long one attempt may wait for the platform's answer. Below the
    /// lease, so an attempt is over, and its outcome recorded, before any
    /// other worker may claim the row again.
    pub attempt_secs: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_secs: 2,
            max_secs: 900,
            max_attempts: 12,
            attempt_secs: 20,
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff: base, 2×base, 4×base … capped at `max_secs`.
    pub fn delay_after(&self, attempts: i32) -> i64 {
        let exp = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(30);
        self.base_secs.saturating_mul(1_i64 << exp).min(self.max_secs)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    pub delivered: u32,
    pub retrying: u32,
    pub failed: u32,
}

/// Least time from one pass to the next when woken. Every applied payment
/// and every batch of activity wakes the worker; a pass per wake-up read the
/// waiting effects hundreds of times a second during a burst of webhooks,
/// and the effects that came in meanwhile are delivered by the next pass.
const WOKEN_GAP: Duration = Duration::from_millis(20);

pub struct OutboxWorker {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    sinks: HashMap<Platform, Arc<dyn EffectSink>>,
    policy: RetryPolicy,
    batch: u64,
    metrics: Option<Arc<crate::metrics::Metrics>>,
}

impl OutboxWorker {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, policy: RetryPolicy) -> Self {
        OutboxWorker {
            db,
            clock,
            sinks: HashMap::new(),
            policy,
            batch: 200,
            metrics: None,
        }
    }

    /// Counts deliveries by platform and outcome in `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<crate::metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn count(&self, platform: &str, outcome: &str) {
        if let Some(m) = &self.metrics {
            m.delivery(platform, outcome);
        }
    }

    pub fn register(&mut self, sink: Arc<dyn EffectSink>) {
        self.sinks.insert(sink.platform(), sink);
    }

    /// Delivers what is due now, once. Rows for platforms with no registered
    /// adapter are left untouched until one runs.
    pub async fn run_once(&self) -> Result<PassReport, sea_orm::DbErr> {
        let now = self.clock.now();
        let platforms: Vec<&str> = self.sinks.keys().map(|p| p.as_str()).collect();
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .filter(outbox::Column::Platform.is_in(platforms))
            .order_by_asc(outbox::Column::Id)
            .limit(self.batch)
            .all(&self.db)
            .await?;
        let mut report = PassReport::default();
        let mut blocked: HashSet<(String, String)> = HashSet::new();
        // A platform that let an attempt run out of time is not tried again
        // this pass: every further attempt would likely wait as long.
        let mut silent: HashSet<String> = HashSet::new();
        for row in rows {
            let who = (row.platform.clone(), row.recipient.clone());
            if blocked.contains(&who) || silent.contains(&who.0) {
                continue;
            }
            if row.next_attempt_at > now {
                blocked.insert(who);
                continue;
            }
            if !self.claim(&row, now).await? {
                // Another worker on this database took it first.
                blocked.insert(who);
                continue;
            }
            let outcome = match decode(&row) {
                Ok(effect) => match self.sinks.get(&effect.recipient.platform()) {
                    Some(sink) => self.hand_over(sink.as_ref(), effect, now).await?,
                    None => continue,
                },
                Err(why) => Err(DeliveryError::Permanent(why)),
            };
            let attempts = row.attempts.saturating_add(1);
            let mut update: outbox::ActiveModel = row.into();
            update.attempts = Set(attempts);
            match outcome {
                Ok(()) => {
                    update.status = Set(OutboxStatus::Delivered);
                    update.delivered_at = Set(Some(now));
                    update.last_error = Set(None);
                    report.delivered += 1;
                    self.count(&who.0, "delivered");
                }
                Err(e @ (DeliveryError::Retry(_) | DeliveryError::TimedOut(_)))
                    if attempts < self.policy.max_attempts =>
                {
                    let why = match e {
                        DeliveryError::Retry(why) => {
                            tracing::warn!(platform = %who.0, attempts, error = %why, "effect delivery failed; will retry");
                            blocked.insert(who.clone());
                            why
                        }
                        other => {
                            tracing::warn!(platform = %who.0, attempts, error = %other, "the platform did not answer in time; will retry");
                            silent.insert(who.0.clone());
                            other.to_string()
                        }
                    };
                    update.next_attempt_at = Set(now + self.policy.delay_after(attempts));
                    update.last_error = Set(Some(why));
                    self.count(&who.0, "retrying");
                    report.retrying += 1;
                }
                Err(err) => {
                    tracing::error!(platform = %who.0, attempts, error = %err, "effect given up");
                    update.status = Set(OutboxStatus::Failed);
                    update.last_error = Set(Some(err.to_string()));
                    report.failed += 1;
                    self.count(&who.0, "failed");
                }
            }
            update.update(&self.db).await?;
        }
        Ok(report)
    }

    /// Gives one effect to its sink. Lesson cards keep a record of where
    /// they were posted; edits and removals are told what was posted when
    /// they are delivered, which per-channel ordering puts after the post.
    async fn hand_over(
        &self,
        sink: &dyn EffectSink,
        mut effect: Effect,
        now: i64,
    ) -> Result<Result<(), DeliveryError>, sea_orm::DbErr> {
        let lesson = match &effect.kind {
            EffectKind::PostLesson { card } => {
                let posted = match self.attempt(sink.post_card(&effect)).await {
                    Ok(message) => message,
                    Err(e) => return Ok(Err(e)),
                };
                lesson_post::Entity::insert(lesson_post::ActiveModel {
                    lesson_id: Set(card.lesson),
                    platform: Set(effect.recipient.platform().as_str().to_owned()),
                    channel: Set(effect.recipient.external_id().to_owned()),
                    message: Set(posted),
                    posted_at: Set(now),
                    ..Default::default()
                })
                .exec_without_returning(&self.db)
                .await?;
                return Ok(Ok(()));
            }
            EffectKind::EditLesson { card, .. } => card.lesson,
            EffectKind::RemoveLesson { lesson, .. } => *lesson,
            _ => return Ok(self.attempt(sink.deliver(&effect)).await),
        };
        let posted: Vec<String> = lesson_post::Entity::find()
            .filter(lesson_post::Column::LessonId.eq(lesson))
            .filter(lesson_post::Column::Platform.eq(effect.recipient.platform().as_str()))
            .filter(lesson_post::Column::Channel.eq(effect.recipient.external_id()))
            .order_by_asc(lesson_post::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| p.message)
            .collect();
        if posted.is_empty() {
            // The card never made it there (its post failed for good).
            return Ok(Ok(()));
        }
        match &mut effect.kind {
            EffectKind::EditLesson { messages, .. } | EffectKind::RemoveLesson { messages, .. } => {
                *messages = posted;
            }
            _ => {}
        }
        Ok(self.attempt(sink.deliver(&effect)).await)
    }

    /// One call to a platform, given up when it outlasts the policy's
    /// attempt time. Whether the platform acted is then unknown; the
    /// effect is retried, and adapters' effects are idempotent.
    async fn attempt<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, DeliveryError>>,
    ) -> Result<T, DeliveryError> {
        let secs = self.policy.attempt_secs.clamp(1, LEASE_SECS - 1);
        let limit = Duration::from_secs(u64::try_from(secs).unwrap_or(1));
        tokio::time::timeout(limit, call)
            .await
            .unwrap_or(Err(DeliveryError::TimedOut(secs)))
    }

    /// Takes a lease on the row by moving its next attempt past the lease,
    /// conditional on nobody having done so since we read it. Exactly one
    /// worker wins; if it dies mid-delivery, the row is due again when the
    /// lease ends (delivery is at least once, and adapters' effects are
    /// idempotent).
    async fn claim(&self, row: &outbox::Model, now: i64) -> Result<bool, sea_orm::DbErr> {
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(now + LEASE_SECS))
            .filter(outbox::Column::Id.eq(row.id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .filter(outbox::Column::NextAttemptAt.eq(row.next_attempt_at))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Runs until `stop` turns true: after every wake-up, and at least once a
    /// second. A watch (not a notification) so a stop that arrives mid-pass
    /// is still seen.
    pub async fn run(self, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        loop {
            let started = tokio::time::Instant::now();
            if let Err(e) = self.run_once().await {
                tracing::error!(error = %e, "outbox pass failed");
            }
            let woken = tokio::select! {
                () = wake.notified() => true,
                () = tokio::time::sleep(Duration::from_secs(1)) => false,
                _ = stop.wait_for(|stopped| *stopped) => break,
            };
            if woken {
                tokio::time::sleep_until(started + WOKEN_GAP).await;
            }
        }
    }
}

fn decode(row: &outbox::Model) -> Result<Effect, String> {
    let payload: Payload =
        serde_json::from_str(&row.payload).map_err(|e| format!("unreadable payload: {e}"))?;
    let platform = Platform::parse(&row.platform).ok_or("unknown platform")?;
    let recipient = if payload.effect.for_channel() {
        Target::Channel(Channel::new(platform, &row.recipient).map_err(|e| e.to_string())?)
    } else {
        Target::Person(IdentityRef::new(platform, &row.recipient).map_err(|e| e.to_string())?)
    };
    Ok(Effect {
        id: row.id,
        community: payload.community,
        recipient,
        locale: payload.locale,
        kind: payload.effect,
        attempts: row.attempts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay_after(1), 2);
        assert_eq!(p.delay_after(2), 4);
        assert_eq!(p.delay_after(5), 32);
        assert_eq!(p.delay_after(40), 900);
    }
}
