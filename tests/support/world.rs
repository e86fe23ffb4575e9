//! The world the story and payment tests run in: the demo community on a
//! manual clock, the real Stripe client pointed at a local fake Stripe, the
//! console adapter collecting delivered effects, and Stripe events sent
//! through the adapter's parser.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use lyceum::{db, settings};
use lyceum_console::{ConsoleSink, Delivered};
use lyceum_core::clock::{Clock, ManualClock};
use lyceum_core::domain::IdentityRef;
use lyceum_core::entity::{history, ledger, outbox};
use lyceum_core::outbox::{OutboxWorker, RetryPolicy};
use lyceum_core::payments::EventOutcome;
use lyceum_core::reply::MemberView;
use lyceum_core::signin::SignInLinks;
use lyceum_core::{Core, Invoker, Outcome, Reply};
use lyceum_stripe::{PortalLinks, ReturnUrls, StripeBilling};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;

use super::TestDb;
use super::stripe::{self as fake, FakeStripe, Sub};

pub const T0: i64 = 1_790_000_000;
pub const DAY: i64 = 86_400;
pub const LEEWAY: i64 = DAY;
/// Where the test core's dashboard links point, and what signs them.
pub const DASHBOARD: &str = "http://dashboard.test";
pub const DASHBOARD_SECRET: &[u8] = b"a dashboard secret for the tests only";

pub struct World {
    pub core: Arc<Core>,
    pub clock: ManualClock,
    worker: OutboxWorker,
    delivered: Delivered,
    pub stripe: FakeStripe,
    n: std::cell::Cell<u32>,
}

impl World {
    pub async fn new(db: &TestDb) -> World {
        World::with(db, |_| {}).await
    }

    /// A world whose demo community is first changed by `tweak`.
    pub async fn with(db: &TestDb, tweak: impl FnOnce(&mut lyceum_core::config::Community)) -> World {
        let conn = db::open_and_migrate(&db.url).await.unwrap();
        let mut communities = settings::load(None).unwrap().communities;
        tweak(&mut communities[0]);
        let clock = ManualClock::at(T0);
        let stripe = FakeStripe::default();
        let base = stripe.start().await;
        let urls = ReturnUrls {
            success: "http://127.0.0.1/billing/done".into(),
            cancel: "http://127.0.0.1/billing/done".into(),
            portal: "http://127.0.0.1/billing/done".into(),
        };
        let billing = StripeBilling::new(fake::SECRET_KEY, Some(&base), urls)
            .unwrap()
            .with_portal_links(PortalLinks::new("https://lyceum.test", fake::SECRET_KEY));
        let core = Core::start(conn.clone(), &communities, Arc::new(clock.clone()))
            .await
            .unwrap()
            .with_billing(Arc::new(billing))
            .with_sign_in(SignInLinks::new(DASHBOARD, DASHBOARD_SECRET));
        let delivered = Delivered::default();
        let mut worker = OutboxWorker::new(conn, Arc::new(clock.clone()), RetryPolicy::default());
        worker.register(Arc::new(ConsoleSink::Session(delivered.clone())));
        World {
            core: Arc::new(core),
            clock,
            worker,
            delivered,
            stripe,
            n: std::cell::Cell::new(0),
        }
    }

    pub async fn say(&self, who: &str, line: &str) -> Outcome {
        let invoker = Invoker::new(who.parse().unwrap());
        self.core.handle_line("demo", &invoker, line).await
    }

    pub async fn deliver(&self) -> Vec<String> {
        self.worker.run_once().await.unwrap();
        self.delivered.take()
    }

    pub async fn view(&self, who: &str) -> MemberView {
        let id: IdentityRef = who.parse().unwrap();
        self.core.member_view("demo", &id).await.unwrap()
    }

    /// Sends one event through the Stripe adapter's parser into the core,
    /// stamped with the current time and a fresh event id.
    pub async fn webhook(&self, kind: &str, object: Value) -> EventOutcome {
        self.n.set(self.n.get() + 1);
        let id = format!("evt_{}", self.n.get());
        self.webhook_as(&id, kind, object).await
    }

    pub async fn webhook_as(&self, id: &str, kind: &str, object: Value) -> EventOutcome {
        let body = fake::event(id, kind, self.clock.now(), object);
        let ev = lyceum_stripe::parse_event(&body).unwrap();
        self.core.apply_payment(&ev).await.unwrap()
    }

    pub async fn history_rows(&self) -> u64 {
        self.rows().await.0
    }

    /// Rows in the history, the points ledger and the outbox.
    pub async fn rows(&self) -> (u64, u64, u64) {
        let db = self.core.db();
        (
            history::Entity::find().count(db).await.unwrap(),
            ledger::Entity::find().count(db).await.unwrap(),
            outbox::Entity::find().count(db).await.unwrap(),
        )
    }

    pub async fn link_code(&self, who: &str) -> String {
        match self.say(who, "/link").await.reply {
            Reply::LinkCode { code, .. } => code,
            other => panic!("{other:?}"),
        }
    }
}

pub fn pro(member: Option<i64>, status: &'static str, period_end: i64) -> Sub<'static> {
    Sub {
        id: "sub_alice",
        customer: "cus_alice",
        status,
        price: "price_demo_pro_monthly",
        period_end,
        cancel_at_period_end: false,
        ended_at: None,
        member,
        offer: member.map(|_| "pro-monthly"),
        start: T0,
    }
}
