//! Order does not matter: for generated subscription histories (plan
//! changes, failed renewals, cancellations, refunds, lost disputes, events
//! without metadata), delivering the events shuffled and with duplicates
//! ends in the same entitlement and perks as delivering them in order.
//! 1,000 histories on SQLite; 150 more on PostgreSQL when it is configured.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use lyceum::{db, settings};
use lyceum_core::clock::ManualClock;
use lyceum_core::domain::IdentityRef;
use lyceum_core::entity::entitlement;
use lyceum_core::{Core, Invoker};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use support::TestDb;
use support::stripe::{self as fake, Sub};

const T0: i64 = 1_790_000_000;
const DAY: i64 = 86_400;
/// Halfway through the second month: some periods have ended, some not.
const NOW: i64 = T0 + 45 * DAY;
const PRICES: [(&str, &str); 3] = [
    ("price_demo_basic_monthly", "basic-monthly"),
    ("price_demo_pro_monthly", "pro-monthly"),
    ("price_demo_vip_monthly", "vip-monthly"),
];
const STATUSES: [&str; 6] = [
    "trialing",
    "active",
    "past_due",
    "unpaid",
    "canceled",
    "incomplete",
];

#[derive(Clone, Debug)]
enum Step {
    Snapshot {
        status: usize,
        plan: usize,
        periods: i64,
        cancel: bool,
        metadata: bool,
    },
    InvoicePaid,
    Refund {
        full: bool,
    },
    DisputeLost,
}

#[derive(Clone, Debug)]
struct History {
    checkout_first: bool,
    /// (seconds after the previous event, step); 0 gives a tie.
    steps: Vec<(i64, Step)>,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..STATUSES.len(), 0..PRICES.len(), 1..4i64, any::<bool>(), any::<bool>()).prop_map(
            |(status, plan, periods, cancel, metadata)| Step::Snapshot { status, plan, periods, cancel, metadata }
        ),
        1 => Just(Step::InvoicePaid),
        1 => any::<bool>().prop_map(|full| Step::Refund { full }),
        1 => Just(Step::DisputeLost),
    ]
}

fn history() -> impl Strategy<Value = History> {
    (
        any::<bool>(),
        proptest::collection::vec((prop_oneof![Just(0i64), 1..120i64], step()), 1..8),
    )
        .prop_map(|(checkout_first, steps)| History {
            checkout_first,
            steps,
        })
}

/// The history's events for one member, whose ids all carry `tag`.
fn events(h: &History, tag: &str, member: i64) -> Vec<Vec<u8>> {
    let sub = format!("sub_{tag}");
    let cus = format!("cus_{tag}");
    let mut t = T0;
    let mut out = Vec::new();
    let checkout = fake::checkout_subscription(&format!("cs_{tag}"), member, "pro-monthly", &cus, &sub);
    let push = |kind: &str, t: i64, object: serde_json::Value, out: &mut Vec<Vec<u8>>| {
        let id = format!("evt_{tag}_{}", out.len());
        out.push(fake::event(&id, kind, t, object));
    };
    if h.checkout_first {
        push("checkout.session.completed", t, checkout.clone(), &mut out);
    }
    let mut price = PRICES[1].0;
    for (n, (dt, s)) in h.steps.iter().enumerate() {
        t += dt;
        match s {
            Step::Snapshot {
                status,
                plan,
                periods,
                cancel,
                metadata,
            } => {
                price = PRICES[*plan].0;
                let status = STATUSES[*status];
                let snap = Sub {
                    id: &sub,
                    customer: &cus,
                    status,
                    price,
                    period_end: T0 + periods * 30 * DAY,
                    cancel_at_period_end: *cancel,
                    ended_at: (status == "canceled").then_some(t),
                    member: metadata.then_some(member),
                    offer: metadata.then_some(PRICES[*plan].1),
                    start: T0,
                };
                let kind = if status == "canceled" {
                    "customer.subscription.deleted"
                } else {
                    "customer.subscription.updated"
                };
                push(kind, t, fake::subscription(&snap), &mut out);
            }
            Step::InvoicePaid => {
                let invoice = fake::invoice_paid(&format!("in_{tag}_{n}"), &cus, &sub, price, 1500);
                push("invoice.paid", t, invoice, &mut out);
            }
            Step::Refund { full } => {
                let refunded = if *full { 1500 } else { 300 };
                let charge = fake::charge(
                    &format!("ch_{tag}_{n}"),
                    &cus,
                    &format!("pi_{tag}_{n}"),
                    1500,
                    refunded,
                    t,
                );
                push("charge.refunded", t, charge, &mut out);
            }
            Step::DisputeLost => {
                // Disputes name no customer, so this one touches nothing the
                // member owns: it must not disturb convergence either.
                let d = fake::dispute(
                    &format!("dp_{tag}_{n}"),
                    &format!("ch_{tag}_{n}"),
                    "pi_x",
                    "lost",
                    1500,
                );
                push("charge.dispute.closed", t, d, &mut out);
            }
        }
    }
    if !h.checkout_first {
        push("checkout.session.completed", t, checkout, &mut out);
    }
    out
}

struct Bench {
    core: Core,
    n: std::cell::Cell<u64>,
}

impl Bench {
    async fn member(&self) -> (String, i64) {
        self.n.set(self.n.get() + 1);
        let who = format!("console:m{}", self.n.get());
        self.core
            .handle_line("demo", &Invoker::new(who.parse().unwrap()), "/join")
            .await;
        let id: IdentityRef = who.parse().unwrap();
        (who, self.core.member_view("demo", &id).await.unwrap().id)
    }

    async fn deliver(&self, bodies: &[Vec<u8>]) {
        for body in bodies {
            let ev = lyceum_stripe::parse_event(body).unwrap();
            self.core.apply_payment(&ev).await.unwrap();
        }
    }

    async fn state(&self, who: &str, member: i64) -> (Option<i64>, String, Option<i64>, Vec<String>) {
        let e = entitlement::Entity::find()
            .filter(entitlement::Column::MemberId.eq(member))
            .one(self.core.db())
            .await
            .unwrap()
            .unwrap();
        let id: IdentityRef = who.parse().unwrap();
        let perks = self.core.member_view("demo", &id).await.unwrap().perks;
        (e.tier_id, e.status.to_string(), e.access_until, perks)
    }
}

fn check(db: TestDb, cases: u32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bench = rt.block_on(async {
        let conn = db::open_and_migrate(&db.url).await.unwrap();
        let communities = settings::load(None).unwrap().communities;
        let core = Core::start(conn, &communities, Arc::new(ManualClock::at(NOW)))
            .await
            .unwrap();
        Bench {
            core,
            n: std::cell::Cell::new(0),
        }
    });
    let with_access = std::cell::Cell::new(0u32);
    let strategy = history().prop_flat_map(|h| {
        let n = h.steps.len() + 1;
        let order = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
        let dups = proptest::collection::vec(0..n, 0..4);
        (Just(h), order, dups)
    });
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |(h, order, dups)| {
        rt.block_on(async {
            let (a, a_id) = bench.member().await;
            let (b, b_id) = bench.member().await;
            bench.deliver(&events(&h, &format!("a{a_id}"), a_id)).await;
            let shuffled = events(&h, &format!("b{b_id}"), b_id);
            let mut delivery: Vec<Vec<u8>> = order.iter().map(|i| shuffled[*i].clone()).collect();
            for d in &dups {
                let at = d % (delivery.len() + 1);
                delivery.insert(at, shuffled[*d].clone());
            }
            bench.deliver(&delivery).await;
            let in_order = bench.state(&a, a_id).await;
            let any_order = bench.state(&b, b_id).await;
            if !in_order.3.is_empty() {
                with_access.set(with_access.get() + 1);
            }
            prop_assert_eq!(in_order, any_order, "{} history {:?}", db.backend, h);
            Ok::<(), TestCaseError>(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The generator must reach both outcomes, or the property says little.
    let share = f64::from(with_access.get()) / f64::from(cases);
    assert!(
        (0.1..0.9).contains(&share),
        "{}: {share} of histories end with access",
        db.backend
    );
}

#[test]
fn any_order_with_duplicates_converges_on_sqlite() {
    check(TestDb::sqlite(), 1000);
}

#[test]
fn any_order_with_duplicates_converges_on_postgres() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(db) = rt.block_on(TestDb::postgres()) {
        drop(rt);
        check(db, 150);
    }
}
