//! One purchase, one notice: however the events of a paid start arrive (in
//! any order, some twice), the member is told once that access opened, and
//! with the final date written for people.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::clock::human_date;
use lyceum_core::domain::Locale;
use support::TestDb;
use support::stripe as fake;
use support::world::{T0, World};

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

async fn told_once(db: TestDb) {
    let w = World::new(&db).await;
    let zone = w.core.community("demo").unwrap().config.time_zone;
    for (n, order) in orders().into_iter().enumerate() {
        let who = format!("console:buyer{n}");
        w.say(&who, "/join").await;
        let member = w.view(&who).await.id;
        let events = fake::paid_start(&format!("{}{n}", db.backend), member, T0, true);
        for i in &order {
            let ev = lyceum_stripe::parse_event(&events[*i].1).unwrap();
            w.core.apply_payment(&ev).await.unwrap();
        }
        let sent = w.deliver().await;
        let told: Vec<&String> = sent.iter().filter(|s| s.contains("now have")).collect();
        let view = w.view(&who).await;
        let until = chrono::DateTime::parse_from_rfc3339(view.access_until.as_deref().unwrap())
            .unwrap()
            .timestamp();
        let date = human_date(until, Locale::En, zone);
        assert_eq!(told.len(), 1, "{}: order {order:?}: {sent:#?}", db.backend);
        assert!(
            told[0].contains(&date),
            "{}: order {order:?}: {} lacks {date}",
            db.backend,
            told[0]
        );
        assert!(!told[0].contains("T00:") && !told[0].contains('Z'), "{}", told[0]);
    }
}

#[tokio::test]
async fn one_purchase_one_notice_with_the_final_date() {
    for db in TestDb::all().await {
        told_once(db).await;
    }
}
