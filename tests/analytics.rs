//! The dashboard's figures against values worked out by hand, on SQLite and
//! PostgreSQL. Six members over sixty days:
//!
//! - alice: granted pro for 90 days at T0 (cohort 2026-09);
//! - bob: granted pro for 20 days at T0, lapses at T0+20d;
//! - carol: pro monthly (1500) from T0, paid to T0+80d;
//! - dave: pro yearly (15000, so 1250 a month) from T0+10d, canceled at
//!   T0+40d (cohort 2026-10);
//! - erin: basic (500, 7 trial days) trial from T0+5d, paying from T0+12d;
//! - frank: basic trial from T0+5d, canceled when it ended.
//!
//! Now is T0+60d. T0 is 2026-09-21 13:33 UTC.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::engine::Activity;
use support::TestDb;
use support::stripe::{self as fake, Sub};
use support::world::{DAY, T0, World};

fn sub(
    id: &'static str,
    member: i64,
    offer: &'static str,
    price: &'static str,
    status: &'static str,
) -> Sub<'static> {
    Sub {
        id,
        customer: id,
        status,
        price,
        period_end: 0,
        cancel_at_period_end: false,
        ended_at: None,
        member: Some(member),
        offer: Some(offer),
        start: 0,
    }
}

async fn figures(db: TestDb) {
    let w = World::new(&db).await;
    for who in ["alice", "bob", "carol", "dave", "erin", "frank"] {
        w.say(&format!("console:{who}"), "/join").await;
    }
    let id = async |who: &str| w.view(&format!("console:{who}")).await.id;
    let (carol, dave, erin, frank, bob, alice) = (
        id("carol").await,
        id("dave").await,
        id("erin").await,
        id("frank").await,
        id("bob").await,
        id("alice").await,
    );
    w.say("console:admin", "/grant console:alice pro 90").await;
    w.say("console:admin", "/grant console:bob pro 20").await;
    let mut c = sub(
        "sub_carol",
        carol,
        "pro-monthly",
        "price_demo_pro_monthly",
        "active",
    );
    (c.start, c.period_end) = (T0, T0 + 80 * DAY);
    w.webhook("customer.subscription.created", fake::subscription(&c))
        .await;

    w.clock.set(T0 + 5 * DAY);
    let mut e = sub(
        "sub_erin",
        erin,
        "basic-monthly",
        "price_demo_basic_monthly",
        "trialing",
    );
    (e.start, e.period_end) = (T0 + 5 * DAY, T0 + 12 * DAY);
    w.webhook("customer.subscription.created", fake::subscription(&e))
        .await;
    let mut f = sub(
        "sub_frank",
        frank,
        "basic-monthly",
        "price_demo_basic_monthly",
        "trialing",
    );
    (f.start, f.period_end) = (T0 + 5 * DAY, T0 + 12 * DAY);
    w.webhook("customer.subscription.created", fake::subscription(&f))
        .await;

    w.clock.set(T0 + 10 * DAY);
    let mut d = sub("sub_dave", dave, "pro-yearly", "price_demo_pro_yearly", "active");
    (d.start, d.period_end) = (T0 + 10 * DAY, T0 + 375 * DAY);
    w.webhook("customer.subscription.created", fake::subscription(&d))
        .await;

    w.clock.set(T0 + 12 * DAY);
    (e.status, e.period_end) = ("active", T0 + 100 * DAY);
    w.webhook("customer.subscription.updated", fake::subscription(&e))
        .await;
    (f.status, f.ended_at) = ("canceled", Some(T0 + 12 * DAY));
    w.webhook("customer.subscription.deleted", fake::subscription(&f))
        .await;

    w.clock.set(T0 + 20 * DAY);
    let october = fake::checkout_payment("cs_oct", bob, "rust-course", "cus_bob", "pi_oct", 9900);
    w.webhook("checkout.session.completed", october).await;

    w.clock.set(T0 + 40 * DAY);
    (d.status, d.ended_at) = ("canceled", Some(T0 + 40 * DAY));
    w.webhook("customer.subscription.deleted", fake::subscription(&d))
        .await;

    w.clock.set(T0 + 58 * DAY);
    let november = fake::checkout_payment("cs_nov", alice, "rust-course", "cus_alice", "pi_nov", 9900);
    w.webhook("checkout.session.completed", november).await;

    // Yesterday alice wrote 3 messages and bob 1; today erin wrote 2.
    let say = async |who: &str, n: usize| {
        for _ in 0..n {
            let message = Activity::Message {
                chars: 40,
                channel: Some("console:general".into()),
            };
            let who = format!("console:{who}").parse().unwrap();
            w.core.activity("demo", &who, message).await.unwrap();
        }
    };
    w.clock.set(T0 + 59 * DAY);
    say("alice", 3).await;
    say("bob", 1).await;
    w.clock.set(T0 + 60 * DAY);
    say("erin", 2).await;

    let s = w.core.snapshot("demo").await.unwrap();
    let b = &db.backend;
    assert_eq!(s.members, 6, "{b}");
    // alice (granted), carol and erin (paying); bob's grant ran out.
    assert_eq!(s.with_access, 3, "{b}");
    assert_eq!(s.by_status.iter().map(|(_, n)| n).sum::<u64>(), 6, "{b}");
    assert_eq!(s.currency, "USD");

    // carol 1500 + erin 500 now; 30 days ago dave's 1250 too.
    assert_eq!((s.mrr, s.mrr_30_days_ago), (2_000, 3_250), "{b}");
    let weekly: Vec<i64> = s.mrr_weekly.iter().map(|p| p.1).collect();
    // Weekly points from T0-24d to T0+60d: erin pays from T0+12d, dave
    // from T0+10d to T0+40d.
    assert_eq!(
        weekly,
        [
            0, 0, 0, 0, 1_500, 2_750, 3_250, 3_250, 3_250, 3_250, 2_000, 2_000, 2_000
        ],
        "{b}"
    );
    assert_eq!(s.mrr_weekly.last().map(|p| p.0), Some(T0 + 60 * DAY));
    // The rust course bought on T0+58d (November); October's is not counted.
    assert_eq!(s.revenue_this_month, 9_900, "{b}");

    // Of alice, carol, dave and erin (with access on T0+30d) dave left.
    assert_eq!((s.churned_30_days, s.had_access_30_days_ago), (1, 4), "{b}");
    assert_eq!(s.churn_rate(), Some(0.25));
    // Two trials are over; erin's converted.
    assert_eq!((s.trials_converted, s.trials_over), (1, 2), "{b}");

    // Weeks start at T0-24d: T0 is in week 3, T0+5d and T0+10d in week 4.
    let flow: Vec<(u64, u64)> = s.flow.iter().map(|w| (w.new, w.churned)).collect();
    let mut want = vec![(0, 0); 12];
    want[3] = (3, 0); // alice, bob, carol
    want[4] = (3, 0); // erin, frank, dave
    want[5] = (0, 1); // frank at T0+12d
    want[6] = (0, 1); // bob at T0+20d
    want[9] = (0, 1); // dave at T0+40d
    assert_eq!(flow, want, "{b}");

    assert_eq!(s.cohorts.len(), 2, "{b}");
    let sept = &s.cohorts[0];
    assert_eq!((sept.month.as_str(), sept.size), ("2026-09", 5), "{b}");
    // L(1): alice, carol and erin of five; L(2): of alice, bob and carol
    // (erin and frank are not 60 days along), alice and carol.
    let two_thirds = 2.0 / 3.0;
    assert_eq!(
        sept.retained[..3],
        [Some(1.0), Some(0.6), Some(two_thirds)],
        "{b}"
    );
    assert!(sept.retained[3..].iter().all(Option::is_none), "{b}");
    let oct = &s.cohorts[1];
    assert_eq!((oct.month.as_str(), oct.size), ("2026-10", 1), "{b}");
    assert_eq!(oct.retained[..3], [Some(1.0), Some(0.0), None], "{b}");

    // A(t) over six members: 4 messages yesterday, 2 today.
    let today = (T0 + 60 * DAY) / DAY;
    assert_eq!(s.activity.len(), 30);
    assert_eq!(s.activity[28], (today - 1, 4.0 / 6.0), "{b}");
    assert_eq!(s.activity[29], (today, 2.0 / 6.0), "{b}");
    assert!(s.activity[..28].iter().all(|(_, a)| *a == 0.0), "{b}");
    assert_eq!(s.active_7_days, 3, "{b}");

    // MRR now is what `lyceum revenue` says.
    let report = w.core.revenue("demo", T0, T0 + 61 * DAY).await.unwrap();
    assert_eq!(report.mrr.0.get("USD"), Some(&2_000), "{b}");
}

#[tokio::test]
async fn figures_match_hand_computed_values() {
    for db in TestDb::all().await {
        figures(db).await;
    }
}
