//! The core's front door: a command from someone in a community goes in, a
//! structured reply comes out, and every write it caused commits together.

mod billing;
mod choice;
mod dashboard;
mod dashboard_reads;
mod engage;
mod execute;
mod exports;
mod import;
mod lessons;
mod lifecycle;
mod payments;
mod platform;
mod privacy;
pub mod provisioned;
mod qa;
mod queries;
mod reading;
mod rewards;
mod stars;
pub mod storefront;
mod web;
mod web_visits;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::catalogue::Access;
use crate::clock::Clock;
use crate::command::Command;
use crate::config::Community;
use crate::domain::{IdentityRef, Locale};
use crate::engage::Engagement;
use crate::error::{CoreError, CoreResult, UserError};
use crate::payments::Billing;
use crate::periods::Keys;
use crate::render;
use crate::reply::Reply;
use crate::store::people::{find_identity, identities_of, identity_locale, identity_string};
use crate::store::sync::{CommunityCtx, sync_communities};

pub use choice::Pick;
pub use dashboard::{Opened, Session};
pub use dashboard_reads::LessonStats;
pub use exports::{Export, MemberRow};
pub use import::ImportError;
pub use lessons::lesson_offer_key;
pub use lifecycle::{Fix, ReconcileReport, Reemit, SweepAt};
pub use platform::Activity;
pub use queries::{CommunityView, OfferView};
pub use stars::{PERIOD_SECS as STARS_PERIOD_SECS, StarsApi, StarsInvoice, StarsPayment};
pub use web::{MEMBER_SESSION_TTL_SECS, MemberSession, Progress, WEB_NONCE_TTL_SECS};
pub use web_visits::{VISIT_PREFIX, VISIT_TTL_SECS, Visit};

/// Who is asking, as their platform reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoker {
    pub identity: IdentityRef,
    pub display_name: Option<String>,
    /// The platform's locale for this user, if it reports one.
    pub locale: Option<Locale>,
    /// A local operator (the console's `--admin`) may run admin commands in
    /// any community without being listed in its config.
    pub operator: bool,
    /// The platform says this person holds the community's creator role.
    pub creator: bool,
    /// Set when the person is on a community's public page: checkouts
    /// send them back there.
    pub back: Option<crate::payments::Return>,
}

impl Invoker {
    /// This person's account row, made on first contact.
    pub(crate) async fn account<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        now: i64,
    ) -> CoreResult<crate::entity::identity::Model> {
        crate::store::people::ensure_identity(
            conn,
            &self.identity,
            self.display_name.as_deref(),
            self.locale,
            now,
        )
        .await
    }

    /// This person's membership of a community, made if new (with whether it was).
    pub(crate) async fn membership<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        community_id: i64,
        now: i64,
    ) -> CoreResult<(crate::entity::member::Model, bool)> {
        let ident = self.account(conn, now).await?;
        let actor = Some(self.identity.to_string());
        crate::store::membership::ensure_member(conn, community_id, ident.person_id, actor, now).await
    }

    pub fn new(identity: IdentityRef) -> Self {
        Invoker {
            identity,
            display_name: None,
            locale: None,
            operator: false,
            creator: false,
            back: None,
        }
    }
}

/// A reply with what is needed to render it.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub reply: Reply,
    pub locale: Locale,
    /// The community's name in `locale`.
    pub community: String,
    /// The community's time zone, which dates are written in.
    pub zone: chrono_tz::Tz,
}

impl Outcome {
    pub fn text(&self) -> String {
        render::reply(self.locale, self.zone, &self.community, &self.reply)
    }
}

pub struct Core {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    communities: Vec<CommunityCtx>,
    wake: Arc<Notify>,
    /// Wakes the payment inbox worker when a delivery is stored.
    inbox_wake: Arc<Notify>,
    pub(crate) intake: crate::inbox::Intake,
    billing: Option<Arc<dyn Billing>>,
    stars: Option<Arc<dyn StarsApi>>,
    engage: Arc<Engagement>,
    metrics: Arc<crate::metrics::Metrics>,
    sign_in: Option<crate::signin::SignInLinks>,
    /// Seals the tokens members lend (`web`); none keeps no tokens.
    sealer: Option<crate::sealed::Sealer>,
    /// The public URL, when members can sign in there to read lessons.
    web_reading: Option<String>,
    /// Today's public statistics per community, released once a day.
    released: parking_lot::Mutex<std::collections::HashMap<i64, crate::analytics::public::PublicStats>>,
    /// Counts the lesson changes this process committed, so pages built
    /// from the lessons know when they are out of date.
    catalogue: std::sync::atomic::AtomicU64,
}

impl Core {
    /// Syncs the configured communities into the database and returns a core
    /// serving them. The schema must already be migrated.
    pub async fn start(
        db: DatabaseConnection,
        communities: &[Community],
        clock: Arc<dyn Clock>,
    ) -> CoreResult<Core> {
        let communities = sync_communities(&db, communities, clock.now()).await?;
        let wake = Arc::new(Notify::new());
        let engage = Engagement::start(&db, &communities, clock.clone(), wake.clone()).await?;
        let inbox_wake = Arc::new(Notify::new());
        let intake =
            crate::inbox::Intake::start(db.clone(), engage.clone(), clock.clone(), inbox_wake.clone());
        Ok(Core {
            db,
            clock,
            communities,
            wake,
            inbox_wake,
            intake,
            billing: None,
            stars: None,
            engage,
            metrics: Arc::default(),
            sign_in: None,
            sealer: None,
            web_reading: None,
            released: parking_lot::Mutex::default(),
            catalogue: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Connects Telegram Stars, for admins' /refund of Stars payments.
    pub fn with_stars(mut self, stars: Arc<dyn StarsApi>) -> Self {
        self.stars = Some(stars);
        self
    }

    /// Connects a payment provider for /subscribe, /buy, /billing, /cancel
    /// and /coupon. Without one those commands say payments are not set up.
    pub fn with_billing(mut self, billing: Arc<dyn Billing>) -> Self {
        self.billing = Some(billing);
        self
    }

    /// The counters `/metrics` shows.
    pub fn metrics(&self) -> &Arc<crate::metrics::Metrics> {
        &self.metrics
    }

    /// Effects waiting in the outbox, and since when the oldest has waited.
    pub async fn outbox_backlog(&self) -> CoreResult<(u64, Option<i64>)> {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
        let pending = || {
            crate::entity::outbox::Entity::find()
                .filter(crate::entity::outbox::Column::Status.eq(crate::outbox::OutboxStatus::Pending))
        };
        let count = pending().count(&self.db).await?;
        let oldest = pending()
            .order_by_asc(crate::entity::outbox::Column::Id)
            .one(&self.db)
            .await?
            .map(|row| row.created_at);
        Ok((count, oldest))
    }

    /// Points, levels and leaderboards.
    pub fn engagement(&self) -> &Arc<Engagement> {
        &self.engage
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Notified whenever a commit queued effects, so the outbox worker wakes.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Notified whenever a delivery is stored in the payment inbox.
    pub fn inbox_wake(&self) -> Arc<Notify> {
        self.inbox_wake.clone()
    }

    /// Changes whenever a lesson is posted, edited or removed here.
    pub fn catalogue_version(&self) -> u64 {
        self.catalogue.load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn communities(&self) -> &[CommunityCtx] {
        &self.communities
    }

    pub fn community(&self, slug: &str) -> Option<&CommunityCtx> {
        self.communities.iter().find(|c| c.slug() == slug)
    }

    fn community_by_id(&self, id: i64) -> Option<&CommunityCtx> {
        self.communities.iter().find(|c| c.id == id)
    }

    /// Parses and handles one chat line such as `/points`.
    pub async fn handle_line(&self, slug: &str, invoker: &Invoker, line: &str) -> Outcome {
        match Command::parse_line(line) {
            Ok(cmd) => self.handle(slug, invoker, cmd).await,
            Err(e) => self.refusal(slug, invoker, e).await,
        }
    }

    async fn locale_for(&self, ctx: Option<&CommunityCtx>, invoker: &Invoker) -> Locale {
        if let Some(l) = invoker.locale {
            return l;
        }
        let stored = match find_identity(&self.db, &invoker.identity).await {
            Ok(Some(i)) => identity_locale(&i),
            _ => None,
        };
        stored.unwrap_or_else(|| ctx.map_or(Locale::En, |c| c.config.default_locale))
    }

    fn community_name(ctx: Option<&CommunityCtx>, locale: Locale) -> String {
        ctx.map_or_else(String::new, |c| {
            c.config.name.get(locale, c.config.default_locale).to_owned()
        })
    }

    fn outcome(ctx: Option<&CommunityCtx>, locale: Locale, reply: Reply) -> Outcome {
        Outcome {
            reply,
            locale,
            community: Self::community_name(ctx, locale),
            zone: ctx.map_or(chrono_tz::UTC, |c| c.config.time_zone),
        }
    }

    /// The locale `invoker` is answered in, and the community's name in it:
    /// what an adapter needs to greet someone before any command.
    pub async fn speaking_to(&self, slug: &str, invoker: &Invoker) -> (Locale, String) {
        let ctx = self.community(slug);
        let locale = self.locale_for(ctx, invoker).await;
        (locale, Self::community_name(ctx, locale))
    }

    /// A refusal for input that never reached a command.
    pub async fn refusal(&self, slug: &str, invoker: &Invoker, e: UserError) -> Outcome {
        self.metrics.command("-", "refused");
        let ctx = self.community(slug);
        let locale = self.locale_for(ctx, invoker).await;
        Self::outcome(ctx, locale, Reply::Refused(e))
    }

    pub async fn is_admin(&self, ctx: &CommunityCtx, invoker: &Invoker) -> CoreResult<bool> {
        Ok(invoker.operator || self.listed(&ctx.config.admins, invoker).await?)
    }

    /// Whether the invoker may post lessons: admins, listed creators, and
    /// holders of a platform's creator role.
    pub async fn is_creator(&self, ctx: &CommunityCtx, invoker: &Invoker) -> CoreResult<bool> {
        Ok(invoker.creator || self.listed(&ctx.config.lessons.creators, invoker).await?)
    }

    /// Whether the invoker, or an identity linked to them, is in `list`.
    async fn listed(&self, list: &[IdentityRef], invoker: &Invoker) -> CoreResult<bool> {
        if list.contains(&invoker.identity) {
            return Ok(true);
        }
        let Some(ident) = find_identity(&self.db, &invoker.identity).await? else {
            return Ok(false);
        };
        let linked = identities_of(&self.db, ident.person_id).await?;
        Ok(linked
            .iter()
            .any(|i| list.iter().any(|a| a.to_string() == identity_string(i))))
    }

    pub async fn handle(&self, slug: &str, invoker: &Invoker, cmd: Command) -> Outcome {
        let Some(ctx) = self.community(slug) else {
            let locale = self.locale_for(None, invoker).await;
            return Self::outcome(
                None,
                locale,
                Reply::Refused(UserError::UnknownCommunity { slug: slug.into() }),
            );
        };
        let locale = self.locale_for(Some(ctx), invoker).await;
        let name = cmd.name();
        // Boxed so callers hold a pointer, not every command's state: the
        // futures of a long test or a busy adapter stay small.
        let reply = match Box::pin(self.run(ctx, invoker, cmd, locale)).await {
            Ok(reply) => reply,
            Err(CoreError::User(e)) => Reply::Refused(e),
            Err(e) => {
                tracing::error!(community = %slug, identity = %invoker.identity, error = %e, "command failed");
                Reply::Internal
            }
        };
        let outcome = match &reply {
            Reply::Refused(_) => "refused",
            Reply::Internal => "failed",
            _ => "ok",
        };
        self.metrics.command(name, outcome);
        Self::outcome(Some(ctx), locale, reply)
    }

    async fn run(
        &self,
        ctx: &CommunityCtx,
        invoker: &Invoker,
        cmd: Command,
        locale: Locale,
    ) -> CoreResult<Reply> {
        let admin = self.is_admin(ctx, invoker).await?;
        let creator = admin || self.is_creator(ctx, invoker).await?;
        match cmd.spec().access {
            Access::Admin if !admin => {
                return Err(UserError::NotAdmin {
                    command: cmd.name().into(),
                }
                .into());
            }
            Access::Creator if !creator => {
                return Err(UserError::NotCreator {
                    command: cmd.name().into(),
                }
                .into());
            }
            _ => {}
        }
        // Staff commands are logged with what they said, once they succeed.
        let audited =
            (cmd.spec().access != Access::Member).then(|| (cmd.name(), crate::store::audit::detail(&cmd)));
        if cmd.talks_to_provider() {
            // Boxed, like the lesson commands: a large future kept off the stack.
            let reply = Box::pin(self.run_billing(ctx, invoker, cmd, locale)).await?;
            if let Some((name, detail)) = audited {
                let now = self.clock.now();
                crate::store::audit::record(&self.db, ctx.id, &invoker.identity, name, detail, now).await?;
            }
            return Ok(reply);
        }
        // Linking and erasure change who members are: everything owed is
        // folded first, and cached identities are forgotten after.
        let lessons_change = matches!(
            cmd,
            Command::LessonPost { .. } | Command::LessonEdit { .. } | Command::LessonRemove { .. }
        );
        let linking = matches!(
            cmd,
            Command::Link { code: Some(_) }
                | Command::PrivacyDelete { confirm: true }
                | Command::Erase { .. }
        );
        // Only SQLite leaves points owed; elsewhere there is nothing to fold.
        let member = if self.engage.leaves_owed() {
            self.member_of(ctx, &invoker.identity).await?
        } else {
            None
        };
        let now = self.clock.now();
        let call = execute::Call {
            ctx,
            all: &self.communities,
            invoker,
            admin,
            creator,
            locale,
            now,
            engage: &self.engage,
            billing: self.billing.is_some(),
            sign_in: self.sign_in.as_ref(),
            web: self.web_reading.as_deref(),
        };
        // A member's own reads need their owed points folded first; anyone
        // else's read a snapshot, not waiting for the writers' gate.
        if cmd.only_reads() && audited.is_none() && !member.is_some_and(|m| self.engage.owes(ctx.id, m)) {
            let snapshot = sea_orm::TransactionTrait::begin(&self.db).await?;
            return call.execute(&snapshot, cmd).await;
        }
        let (gate, txn) = self.engage.begin_write(&self.db).await?;
        // The command may read or spend the invoker's points, and a link
        // merges members anywhere: score rows first take in what is owed.
        let owed: Vec<(&CommunityCtx, Vec<_>)> = if linking {
            self.communities
                .iter()
                .map(|c| (c, self.engage.take_all(c.id)))
                .collect()
        } else {
            vec![(
                ctx,
                self.engage.take(ctx.id, &member.into_iter().collect::<Vec<_>>()),
            )]
        };
        // Dropping the transaction on an error rolls it back: a refused
        // command leaves nothing behind.
        let (result, touched) = crate::store::scores::collecting(async {
            for (c, taken) in &owed {
                crate::engage::writing::fold::fold(&txn, c, taken, &Keys::of(&c.config, now), now).await?;
                if linking {
                    // Nothing is owed now; old backlog rows may name a
                    // member the link is about to merge away.
                    crate::engage::writing::fold::prune(&txn, c.id, None).await?;
                }
            }
            // Recorded first, inside the same transaction: a refusal rolls it
            // back, and an erasure scrubs the name from it like any other.
            if let Some((name, detail)) = audited {
                crate::store::audit::record(&txn, ctx.id, &invoker.identity, name, detail, now).await?;
            }
            let reply = call.execute(&txn, cmd).await?;
            txn.commit().await?;
            CoreResult::Ok(reply)
        })
        .await;
        // Whoever's owed points were taken is shown again from their row
        // and what is owed now: a refresh made by another command while
        // this one held the amounts read the row without them, and a fold
        // that commits here does not touch the boards by itself.
        let mut taken_ids: Vec<(i64, i64)> = Vec::new();
        for (c, taken) in owed {
            taken_ids.extend(taken.iter().map(|(m, _)| (c.id, *m)));
            if result.is_err() {
                self.engage.put_back(c.id, taken);
            }
        }
        drop(gate);
        let reply = match result {
            Ok(reply) => reply,
            Err(e) => {
                self.refresh_touched(taken_ids).await;
                return Err(e);
            }
        };
        let mut touched: Vec<(i64, i64)> = touched.into_iter().chain(taken_ids).collect();
        touched.sort_unstable();
        touched.dedup();
        self.wake.notify_one();
        if lessons_change {
            self.catalogue.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        if linking {
            self.engage.forget_members();
        }
        self.refresh_touched(touched).await;
        if let Reply::Redeemed { .. } = &reply {
            return Ok(self.fulfil_coupon(ctx, reply).await);
        }
        Ok(reply)
    }

    /// Brings the boards up to date with members a commit changed. A failed
    /// read leaves them a little behind until the member's next change; the
    /// database stays right either way.
    async fn refresh_touched(&self, touched: Vec<(i64, i64)>) {
        for ctx in &self.communities {
            let ids: Vec<i64> = touched
                .iter()
                .filter(|(c, _)| *c == ctx.id)
                .map(|(_, m)| *m)
                .collect();
            if let Err(e) = self.engage.refresh(&self.db, ctx, &ids).await {
                tracing::warn!(community = %ctx.slug(), error = %e, "leaderboard refresh failed");
            }
        }
    }

    /// Moves every entitlement whose time has run out to `expired`, revoking
    /// its perks; each in its own transaction. Returns how many expired.
    pub async fn expire_due(&self) -> CoreResult<u32> {
        let mut expired = 0;
        loop {
            let now = self.clock.now();
            let due = crate::store::access::due_for_expiry(&self.db, now, 100).await?;
            let mut progress = 0;
            for e in due {
                let (_gate, txn) = self.engage.begin_write(&self.db).await?;
                if execute::expire_one(&txn, e.member_id, now, |id| self.community_by_id(id)).await? {
                    progress += 1;
                }
                txn.commit().await?;
            }
            // Rows that could not be expired (a community no longer
            // configured) stay due; stop rather than spin on them.
            if progress == 0 {
                break;
            }
            expired += progress;
        }
        if expired > 0 {
            self.wake.notify_one();
        }
        Ok(expired)
    }
}
