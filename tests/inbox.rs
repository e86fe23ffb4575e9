//! The payment inbox through the core, on SQLite and PostgreSQL: a stored
//! delivery whose apply fails waits with its reason and its next try, is
//! not tried before then, and is applied once when it can be; a body that
//! cannot be read stays, saying so, and nothing else is touched.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use lyceum_core::entity::payment_inbox;
use lyceum_core::inbox::{Accepted, Delivery, InboxPass, InboxWorker};
use sea_orm::{EntityTrait, PaginatorTrait};
use support::TestDb;
use support::stripe::{self as fake, Sub};
use support::world::{T0, World, pro};

fn delivery(id: &str, kind: &str, body: Vec<u8>) -> Delivery {
    Delivery {
        provider: "stripe".into(),
        event_id: id.into(),
        event_type: kind.into(),
        body: String::from_utf8(body).unwrap(),
    }
}

async fn waiting(w: &World) -> Vec<payment_inbox::Model> {
    payment_inbox::Entity::find().all(w.core.db()).await.unwrap()
}

async fn retried_until_it_applies(db: TestDb) {
    let w = World::new(&db).await;
    let backend = db.backend;
    w.say("console:kim", "/join").await;
    let kim_id = w.view("console:kim").await.id;
    let kim = Sub {
        id: "sub_kim",
        customer: "cus_kim",
        member: Some(kim_id),
        ..pro(None, "active", T0 + 30 * 86_400)
    };
    w.webhook("customer.subscription.created", fake::subscription(&kim))
        .await;
    w.stripe.add_charge("ch_k", "cus_kim", T0 + 1);
    let mut worker = InboxWorker::new(w.core.clone());
    worker.register(Arc::new(lyceum_stripe::InboxDecoder));

    // A lost dispute arrives while Stripe cannot say whose charge it was.
    let lost = fake::event(
        "evt_lost",
        "charge.dispute.closed",
        w.core.now(),
        fake::dispute("dp_k", "ch_k", "pi_k", "lost", 500),
    );
    let d = delivery("evt_lost", "charge.dispute.closed", lost);
    assert_eq!(w.core.accept_payment(d.clone()).await.unwrap(), Accepted::Queued);
    assert_eq!(w.core.accept_payment(d.clone()).await.unwrap(), Accepted::Known);
    w.stripe.fail_next(500, "stripe is having a moment");
    assert_eq!(
        worker.run_once().await.unwrap(),
        InboxPass {
            applied: 0,
            retrying: 1
        },
        "{backend}"
    );
    let row = &waiting(&w).await[0];
    assert_eq!((row.attempts, row.next_at), (1, w.core.now() + 1), "{backend}");
    let why = row.last_error.clone().unwrap_or_default();
    assert!(why.contains("ch_k"), "{backend}: {why}");
    assert!(w.view("console:kim").await.has_access, "{backend}");

    // Not before its time; then once.
    assert_eq!(worker.run_once().await.unwrap(), InboxPass::default());
    w.clock.advance(1);
    assert_eq!(
        worker.run_once().await.unwrap(),
        InboxPass {
            applied: 1,
            retrying: 0
        },
        "{backend}"
    );
    assert!(waiting(&w).await.is_empty(), "{backend}");
    assert!(
        !w.view("console:kim").await.has_access,
        "{backend}: the lost dispute ended access"
    );
    assert_eq!(w.core.accept_payment(d).await.unwrap(), Accepted::Known);
    assert_eq!(worker.run_once().await.unwrap(), InboxPass::default());

    // Signed but unreadable by this build: kept, with the reason.
    let odd = delivery("evt_odd", "invoice.paid", b"{\"id\":\"evt_odd\"}".to_vec());
    assert_eq!(w.core.accept_payment(odd).await.unwrap(), Accepted::Queued);
    let before = w.rows().await;
    assert_eq!(
        worker.run_once().await.unwrap(),
        InboxPass {
            applied: 0,
            retrying: 1
        }
    );
    let row = &waiting(&w).await[0];
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .starts_with("unreadable body"),
        "{backend}: {row:?}"
    );
    assert_eq!(w.rows().await, before, "{backend}: nothing else written");
    let (pending, oldest) = w.core.inbox_backlog().await.unwrap();
    assert_eq!((pending, oldest), (1, Some(row.received_at)));
    assert_eq!(payment_inbox::Entity::find().count(w.core.db()).await.unwrap(), 1);
}

#[tokio::test]
async fn a_failed_apply_waits_with_its_reason_and_applies_once() {
    for db in TestDb::all().await {
        retried_until_it_applies(db).await;
    }
}
