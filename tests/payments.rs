//! The payment lifecycle, told once and run on SQLite and PostgreSQL: Stripe
//! events (in the current API shape, through the adapter's parser) drive a
//! member's access; checkouts and the portal go through the real
//! async-stripe client to a local fake Stripe.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::clock::iso;
use lyceum_core::entity::revenue;
use lyceum_core::payments::EventOutcome;
use lyceum_core::{Reply, UserError};
use sea_orm::{EntityTrait, PaginatorTrait};
use support::TestDb;
use support::stripe::{self as fake, Sub};
use support::world::{DAY, LEEWAY, T0, World, pro};

async fn lifecycle(db: TestDb) {
    let w = World::new(&db).await;
    let backend = db.backend;

    // /subscribe: a private checkout link carrying the metadata contract.
    let out = w.say("console:alice", "/subscribe pro").await;
    let Reply::Checkout { url, trial_days, .. } = &out.reply else {
        panic!("{backend}: {out:?}")
    };
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("/pay/cs_test_"),
        "{url}"
    );
    assert_eq!(*trial_days, None, "pro has no trial");
    assert!(out.reply.is_private());
    let alice_id = w.view("console:alice").await.id;
    let sent = w.stripe.requests("/v1/checkout/sessions");
    let form = &sent.last().unwrap().form;
    assert_eq!(form["mode"], "subscription");
    assert_eq!(form["line_items[0][price]"], "price_demo_pro_monthly");
    assert_eq!(form["client_reference_id"], alice_id.to_string());
    assert_eq!(form["metadata[lyceum_member]"], alice_id.to_string());
    assert_eq!(form["metadata[lyceum_community]"], "demo");
    assert_eq!(form["subscription_data[metadata][lyceum_offer]"], "pro-monthly");
    assert_eq!(form["allow_promotion_codes"], "true");

    // Payment lands: access opens from the completed checkout alone.
    let session = fake::checkout_subscription("cs_1", alice_id, "pro-monthly", "cus_alice", "sub_alice");
    let first = w
        .webhook_as("evt_checkout", "checkout.session.completed", session.clone())
        .await;
    assert_eq!(
        first,
        EventOutcome::Applied {
            members: vec![alice_id]
        }
    );
    let effects = w.deliver().await;
    assert!(effects.iter().any(|e| e.contains("pro-lounge")), "{effects:?}");
    let alice = w.view("console:alice").await;
    assert_eq!(
        (alice.status.as_str(), alice.perks.clone()),
        (
            "active",
            vec!["community-chat".to_owned(), "pro-lounge".to_owned()]
        )
    );

    // A repeat of the same event changes nothing.
    let rows = w.history_rows().await;
    let again = w
        .webhook_as("evt_checkout", "checkout.session.completed", session)
        .await;
    assert_eq!(again, EventOutcome::Duplicate);
    assert_eq!(w.history_rows().await, rows);

    // The subscription's own snapshot sets the real period.
    let period_end = T0 + 30 * DAY;
    w.clock.advance(5);
    w.webhook(
        "customer.subscription.created",
        fake::subscription(&pro(Some(alice_id), "active", period_end)),
    )
    .await;
    let alice = w.view("console:alice").await;
    assert_eq!(
        alice.access_until.as_deref(),
        Some(iso(period_end + LEEWAY).as_str())
    );
    w.webhook(
        "invoice.paid",
        fake::invoice_paid("in_1", "cus_alice", "sub_alice", "price_demo_pro_monthly", 1500),
    )
    .await;
    assert_eq!(revenue::Entity::find().count(w.core.db()).await.unwrap(), 1);
    // /subscribe again is refused rather than charging twice.
    let twice = w.say("console:alice", "/subscribe vip").await;
    assert!(
        matches!(twice.reply, Reply::Refused(UserError::AlreadySubscribed { .. })),
        "{twice:?}"
    );

    // A failed renewal: grace keeps community-chat only, and says so.
    w.clock.set(period_end + 60);
    w.webhook(
        "customer.subscription.updated",
        fake::subscription(&pro(None, "past_due", period_end)),
    )
    .await;
    let effects = w.deliver().await;
    assert!(
        effects.iter().any(|e| e.contains("perk removed: pro-lounge")),
        "{effects:?}"
    );
    assert!(
        !effects.iter().any(|e| e.contains("perk removed: community-chat")),
        "{effects:?}"
    );
    let portal = format!("https://lyceum.test/billing/portal/{alice_id}/");
    assert!(
        effects
            .iter()
            .any(|e| e.contains("did not go through") && e.contains(&portal)),
        "the grace notice carries a portal link: {effects:?}"
    );
    let alice = w.view("console:alice").await;
    assert_eq!(alice.status, "past_due");
    assert_eq!(alice.perks, vec!["community-chat"]);
    assert_eq!(
        alice.access_until.as_deref(),
        Some(iso(period_end + 3 * DAY).as_str())
    );

    // The retry succeeds: the next period, full perks again.
    let period2 = period_end + 30 * DAY;
    w.clock.advance(DAY);
    w.webhook(
        "customer.subscription.updated",
        fake::subscription(&pro(None, "active", period2)),
    )
    .await;
    let effects = w.deliver().await;
    assert!(effects.iter().any(|e| e.contains("pro-lounge")), "{effects:?}");

    // An upgrade in the portal swaps perks by their difference only.
    w.clock.advance(60);
    let mut vip = pro(None, "active", period2);
    vip.price = "price_demo_vip_monthly";
    w.webhook("customer.subscription.updated", fake::subscription(&vip))
        .await;
    let effects = w.deliver().await;
    let perk_changes: Vec<&String> = effects.iter().filter(|e| e.contains("perk")).collect();
    assert_eq!(perk_changes.len(), 1, "{effects:?}");
    assert!(perk_changes[0].contains("office-hours"));
    assert_eq!(w.view("console:alice").await.tier.as_deref(), Some("vip"));

    // A late, older snapshot changes nothing: the newest one stands.
    let stale_body = fake::event(
        "evt_stale",
        "customer.subscription.updated",
        T0 + 10,
        fake::subscription(&pro(None, "past_due", period_end)),
    );
    let stale = lyceum_stripe::parse_event(&stale_body).unwrap();
    let rows = w.history_rows().await;
    w.core.apply_payment(&stale).await.unwrap();
    assert_eq!(
        w.history_rows().await,
        rows,
        "an out-of-date snapshot must not move access"
    );
    assert_eq!(w.view("console:alice").await.status, "active");

    // /cancel goes to Stripe; Stripe's update makes it so; access stays
    // until the period ends, with reminders before.
    let cancel = w.say("console:alice", "/cancel").await;
    assert!(
        matches!(cancel.reply, Reply::CancelScheduled { .. }),
        "{cancel:?}"
    );
    let sent = w.stripe.requests("/v1/subscriptions/sub_alice");
    assert_eq!(sent.last().unwrap().form["cancel_at_period_end"], "true");
    w.clock.advance(60);
    vip.cancel_at_period_end = true;
    w.webhook("customer.subscription.updated", fake::subscription(&vip))
        .await;
    let alice = w.view("console:alice").await;
    assert_eq!((alice.status.as_str(), alice.has_access), ("canceled", true));
    assert_eq!(alice.access_until.as_deref(), Some(iso(period2).as_str()));
    w.deliver().await;
    w.clock.set(period2 - 2 * DAY);
    assert_eq!(w.core.send_reminders().await.unwrap(), 1);
    assert_eq!(
        w.core.send_reminders().await.unwrap(),
        0,
        "one reminder per threshold"
    );
    let effects = w.deliver().await;
    assert!(
        effects
            .iter()
            .any(|e| e.contains("will not renew") && e.contains("2 days left")),
        "{effects:?}"
    );
    w.clock.set(period2 - DAY / 2);
    assert_eq!(w.core.send_reminders().await.unwrap(), 1);

    // The period ends: the scheduler expires access before Stripe's
    // deletion arrives, and the deletion agrees.
    w.clock.set(period2);
    assert_eq!(w.core.expire_due().await.unwrap(), 1);
    let effects = w.deliver().await;
    assert!(
        effects.iter().any(|e| e.contains("perk removed: office-hours")),
        "{effects:?}"
    );
    vip.status = "canceled";
    vip.ended_at = Some(period2);
    w.clock.advance(30);
    w.webhook("customer.subscription.deleted", fake::subscription(&vip))
        .await;
    let alice = w.view("console:alice").await;
    assert_eq!((alice.status.as_str(), alice.has_access), ("expired", false));
    assert!(alice.perks.is_empty());
    let causes: Vec<&str> = alice.history.iter().map(|h| h.cause.as_str()).collect();
    assert!(
        causes.contains(&"payment") && causes.contains(&"expiry"),
        "{causes:?}"
    );
    assert!(
        alice
            .history
            .iter()
            .any(|h| h.actor.as_deref().is_some_and(|a| a.starts_with("stripe:evt_")))
    );
    let member = w.say("console:admin", "/member console:alice").await;
    assert!(member.text().contains("payment event"), "{}", member.text());

    // /billing opens the portal for the stored customer.
    let billing = w.say("console:alice", "/billing").await;
    assert!(matches!(billing.reply, Reply::Portal { .. }), "{billing:?}");
    assert_eq!(
        w.stripe.requests("/v1/billing_portal/sessions")[0].form["customer"],
        "cus_alice"
    );
}

async fn one_offs_refunds_and_disputes(db: TestDb) {
    let w = World::with(&db, |c| c.billing.referral_commission_percent = 10).await;
    let backend = db.backend;

    // Bob refers Carol; Carol buys the course.
    w.say("console:bob", "/join").await;
    let Reply::Invite { code, .. } = w.say("console:bob", "/invite").await.reply else {
        panic!("{backend}: no invite code")
    };
    let own = w.say("console:bob", &format!("/join {code}")).await;
    assert!(
        matches!(own.reply, Reply::Refused(UserError::SelfReferral)),
        "{own:?}"
    );
    let joined = w.say("console:carol", &format!("/join {code}")).await;
    assert!(matches!(joined.reply, Reply::Joined { .. }), "{joined:?}");
    let carol_id = w.view("console:carol").await.id;

    let buy = w.say("console:carol", "/buy rust-course").await;
    assert!(matches!(buy.reply, Reply::Checkout { .. }), "{buy:?}");
    let form = &w.stripe.requests("/v1/checkout/sessions")[0].form;
    assert_eq!(form["mode"], "payment");
    assert_eq!(form["payment_intent_data[metadata][lyceum_offer]"], "rust-course");

    let paid = fake::checkout_payment("cs_c", carol_id, "rust-course", "cus_carol", "pi_course", 9900);
    w.webhook("checkout.session.completed", paid).await;
    let effects = w.deliver().await;
    assert!(
        effects
            .iter()
            .any(|e| e.contains("console:carol") && e.contains("course-async-rust")),
        "{effects:?}"
    );
    assert_eq!(w.view("console:carol").await.perks, vec!["course-async-rust"]);
    assert_eq!(w.view("console:bob").await.points, 100, "referrer credited once");
    let report = w.core.revenue("demo", T0 - DAY, T0 + DAY).await.unwrap();
    assert_eq!(report.referral_commissions.0.get("USD"), Some(&990));
    let twice = w.say("console:carol", "/buy rust-course").await;
    assert!(
        matches!(twice.reply, Reply::Refused(UserError::AlreadyOwned { .. })),
        "{twice:?}"
    );

    // A partial refund keeps the course; a full one removes it at once and
    // claws back the referral credit.
    w.webhook(
        "charge.refunded",
        fake::charge("ch_c", "cus_carol", "pi_course", 9900, 1000, T0),
    )
    .await;
    assert_eq!(w.view("console:carol").await.perks, vec!["course-async-rust"]);
    w.webhook(
        "charge.refunded",
        fake::charge("ch_c", "cus_carol", "pi_course", 9900, 9900, T0),
    )
    .await;
    let effects = w.deliver().await;
    assert!(
        effects
            .iter()
            .any(|e| e.contains("perk removed: course-async-rust")),
        "{effects:?}"
    );
    assert!(w.view("console:carol").await.perks.is_empty());
    assert_eq!(w.view("console:bob").await.points, 0);
    let report = w.core.revenue("demo", T0 - DAY, T0 + DAY).await.unwrap();
    assert_eq!(report.one_off_revenue.0.get("USD"), Some(&9900));
    assert_eq!(
        report.refunds.0.get("USD"),
        Some(&9900),
        "cumulative, not summed twice"
    );
    assert_eq!(report.net.0.get("USD"), Some(&0));
    assert_eq!(report.referral_commissions.0.get("USD"), None, "clawed back");

    // A lost dispute on a subscription payment ends that access at once.
    w.say("console:dave", "/join").await;
    let dave_id = w.view("console:dave").await.id;
    let sub = Sub {
        id: "sub_dave",
        customer: "cus_dave",
        status: "active",
        price: "price_demo_basic_monthly",
        period_end: T0 + 30 * DAY,
        cancel_at_period_end: false,
        ended_at: None,
        member: Some(dave_id),
        offer: Some("basic-monthly"),
        start: T0,
    };
    w.webhook("customer.subscription.created", fake::subscription(&sub))
        .await;
    assert!(w.view("console:dave").await.has_access);
    let mrr = w.core.revenue("demo", T0 - DAY, T0 + DAY).await.unwrap();
    assert_eq!(mrr.mrr.0.get("USD"), Some(&500));
    w.webhook(
        "charge.refunded",
        fake::charge("ch_d", "cus_dave", "pi_d", 500, 500, T0 + 1),
    )
    .await;
    let dave = w.view("console:dave").await;
    assert_eq!(
        (dave.status.as_str(), dave.has_access),
        ("expired", false),
        "{backend}"
    );

    // A dispute names no customer: the charge is looked up at Stripe, and
    // losing it ends the subscription it paid for.
    w.say("console:kim", "/join").await;
    let kim_id = w.view("console:kim").await.id;
    let kim = Sub {
        id: "sub_kim",
        customer: "cus_kim",
        member: Some(kim_id),
        ..sub
    };
    w.webhook("customer.subscription.created", fake::subscription(&kim))
        .await;
    w.stripe.add_charge("ch_k", "cus_kim", T0 + 1);
    let open = fake::dispute("dp_k", "ch_k", "pi_k", "needs_response", 500);
    w.webhook("charge.dispute.created", open).await;
    assert!(
        w.view("console:kim").await.has_access,
        "an open dispute changes nothing yet"
    );
    w.webhook(
        "charge.dispute.closed",
        fake::dispute("dp_k", "ch_k", "pi_k", "lost", 500),
    )
    .await;
    assert!(
        !w.view("console:kim").await.has_access,
        "{backend}: a lost dispute ends access"
    );
    assert_eq!(w.stripe.requests("/v1/charges/ch_k").len(), 2);

    w.webhook(
        "charge.dispute.created",
        fake::dispute("dp_1", "ch_c", "pi_course", "needs_response", 9900),
    )
    .await;
    w.webhook(
        "charge.dispute.closed",
        fake::dispute("dp_1", "ch_c", "pi_course", "lost", 9900),
    )
    .await;
    let report = w.core.revenue("demo", T0 - DAY, T0 + DAY).await.unwrap();
    assert_eq!(
        report.disputes_lost.0.get("USD"),
        Some(&10400),
        "both lost disputes"
    );
}

#[tokio::test]
async fn lifecycle_follows_payments() {
    for db in TestDb::all().await {
        lifecycle(db).await;
    }
}

#[tokio::test]
async fn one_off_purchases_refunds_disputes_and_referrals() {
    for db in TestDb::all().await {
        one_offs_refunds_and_disputes(db).await;
    }
}
