//! One purchase, one notice: however the events of a paid start arrive (in
//! any order, some twice), the member is told once that access opened, and
//! with the final date written for people; a renewal is told once too.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::clock::human_date;
use lyceum_core::domain::Locale;
use support::TestDb;
use support::stripe as fake;
use support::world::{DAY, T0, World};

/// Every order of the checkout, the subscription and the invoice, each
/// followed by the first event again.
fn orders() -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for a in 0..3 {
        for b in 0..3 {
            for c in 0..3 {
                if a != b && b != c && a != c {
                    out.push(vec![a, b, c, a]);
                }
            }
        }
    }
    out
}

/// The next month of `tag`'s subscription as Stripe sends it: the
/// subscription moved on, and the cycle's paid invoice.
fn renewal(tag: &str, member: i64) -> Vec<Vec<u8>> {
    let (customer, sub_id) = (format!("cus_{tag}"), format!("sub_{tag}"));
    let renewed = fake::active_pro(&sub_id, &customer, member, T0, T0 + 60 * DAY);
    let at = T0 + 30 * DAY;
    let invoice = fake::invoice_paid(
        &format!("in_{tag}_2"),
        &customer,
        &sub_id,
        "price_demo_pro_monthly",
        1_500,
    );
    vec![
        fake::event(
            &format!("evt_{tag}_r0"),
            "customer.subscription.updated",
            at,
            fake::subscription(&renewed),
        ),
        fake::event(&format!("evt_{tag}_r1"), "invoice.paid", at + 1, invoice),
    ]
}

/// Applies `bodies` in order, delivers, and checks the member was told
/// once, with their access date as people write it.
async fn told_once(w: &World, who: &str, bodies: &[&Vec<u8>], what: &str) {
    for body in bodies {
        let ev = lyceum_stripe::parse_event(body).unwrap();
        w.core.apply_payment(&ev).await.unwrap();
    }
    let sent = w.deliver().await;
    let told: Vec<&String> = sent.iter().filter(|s| s.contains("now have")).collect();
    let view = w.view(who).await;
    let until = chrono::DateTime::parse_from_rfc3339(view.access_until.as_deref().unwrap())
        .unwrap()
        .timestamp();
    let zone = w.core.community("demo").unwrap().config.time_zone;
    let date = human_date(until, Locale::En, zone);
    assert_eq!(told.len(), 1, "{what}: {sent:#?}");
    assert!(told[0].contains(&date), "{what}: {} lacks {date}", told[0]);
    assert!(!told[0].contains("T00:") && !told[0].contains('Z'), "{}", told[0]);
}

async fn each_order(db: TestDb) {
    let w = World::new(&db).await;
    for (n, order) in orders().into_iter().enumerate() {
        let who = format!("console:buyer{n}");
        w.say(&who, "/join").await;
        let member = w.view(&who).await.id;
        let tag = format!("{}{n}", db.backend);
        let events = fake::paid_start(&tag, member, T0, true);
        let start: Vec<&Vec<u8>> = order.iter().map(|i| &events[*i].1).collect();
        told_once(&w, &who, &start, &format!("{}: start {order:?}", db.backend)).await;
        // The renewal in either order, the first again: one notice.
        let next = renewal(&tag, member);
        let (a, b) = if n % 2 == 0 { (0, 1) } else { (1, 0) };
        let renewed = [&next[a], &next[b], &next[a]];
        told_once(&w, &who, &renewed, &format!("{}: renewal {a}{b}", db.backend)).await;
    }
}

#[tokio::test]
async fn one_purchase_one_notice_with_the_final_date() {
    for db in TestDb::all().await {
        each_order(db).await;
    }
}
