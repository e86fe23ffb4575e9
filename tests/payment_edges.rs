//! Payments at the edges, on SQLite and PostgreSQL: events that arrive
//! before their member is known, unknown members and prices, provider
//! refusals, trials once per person, grace that runs out, and
//! reconciliation of drift.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::clock::Clock;
use lyceum_core::clock::iso;
use lyceum_core::payments::EventOutcome;
use lyceum_core::{Reply, UserError};
use support::TestDb;
use support::stripe::{self as fake, Sub};
use support::world::{DAY, LEEWAY, T0, World, pro};

async fn unmatched_and_out_of_order(db: TestDb) {
    let w = World::new(&db).await;

    // A Payment Link sale: the subscription event comes first, with no
    // metadata and an unknown customer. It is kept, not lost.
    w.say("console:erin", "/join").await;
    let erin_id = w.view("console:erin").await.id;
    let mut sub = pro(None, "active", T0 + 30 * DAY);
    sub.id = "sub_erin";
    sub.customer = "cus_erin";
    let early = w
        .webhook("customer.subscription.created", fake::subscription(&sub))
        .await;
    assert!(matches!(early, EventOutcome::Unmatched { .. }), "{early:?}");
    assert!(!w.view("console:erin").await.has_access);
    // The checkout (with the client_reference_id the creator appended)
    // arrives later and ties everything together: the stored snapshot, not
    // the checkout's guess, sets the period.
    w.clock.advance(1);
    w.webhook(
        "checkout.session.completed",
        fake::checkout_payment_link("cs_e", erin_id, "cus_erin", "sub_erin"),
    )
    .await;
    let erin = w.view("console:erin").await;
    assert_eq!(
        (erin.status.as_str(), erin.tier.as_deref()),
        ("active", Some("pro"))
    );
    assert_eq!(
        erin.access_until.as_deref(),
        Some(iso(T0 + 30 * DAY + LEEWAY).as_str())
    );

    // Unknown members, communities and prices: recorded, answered, no access.
    let ghost = fake::checkout_subscription("cs_g", 999_999, "pro-monthly", "cus_g", "sub_g");
    assert!(matches!(
        w.webhook("checkout.session.completed", ghost).await,
        EventOutcome::Unmatched { .. }
    ));
    w.say("console:finn", "/join").await;
    let finn_id = w.view("console:finn").await.id;
    let mut odd = pro(Some(finn_id), "active", T0 + 30 * DAY);
    odd.id = "sub_finn";
    odd.customer = "cus_finn";
    odd.price = "price_nobody_sells";
    odd.offer = None;
    let outcome = w
        .webhook("customer.subscription.created", fake::subscription(&odd))
        .await;
    assert!(matches!(outcome, EventOutcome::Applied { .. }), "{outcome:?}");
    assert!(
        !w.view("console:finn").await.has_access,
        "an unknown price grants nothing"
    );
    let ignored = w
        .webhook("product.created", serde_json::json!({"id": "prod_1"}))
        .await;
    assert_eq!(ignored, EventOutcome::Ignored);

    // Stripe refusing a checkout reaches the member as a clear message.
    w.stripe
        .fail_next(400, "No such price: 'price_demo_basic_monthly'");
    let refused = w.say("console:gail", "/subscribe basic").await;
    assert!(
        matches!(refused.reply, Reply::Refused(UserError::BillingRefused { .. })),
        "{refused:?}"
    );
    assert!(refused.text().contains("No such price"), "{}", refused.text());
    w.stripe.fail_next(500, "internal");
    let down = w.say("console:gail", "/subscribe basic").await;
    assert!(
        matches!(down.reply, Reply::Refused(UserError::BillingUnavailable)),
        "{down:?}"
    );
    // basic has a 7-day trial, offered once per person.
    let trial = w.say("console:gail", "/subscribe basic").await;
    assert!(
        matches!(
            trial.reply,
            Reply::Checkout {
                trial_days: Some(7),
                ..
            }
        ),
        "{trial:?}"
    );
    let sent = w.stripe.requests("/v1/checkout/sessions");
    assert_eq!(
        sent.last().unwrap().form["subscription_data[trial_period_days]"],
        "7"
    );
    let gail_id = w.view("console:gail").await.id;
    let mut trialing = pro(Some(gail_id), "trialing", T0 + 7 * DAY);
    trialing.id = "sub_gail";
    trialing.customer = "cus_gail";
    trialing.price = "price_demo_basic_monthly";
    trialing.offer = Some("basic-monthly");
    w.webhook("customer.subscription.created", fake::subscription(&trialing))
        .await;
    assert_eq!(w.view("console:gail").await.status, "trialing");
    trialing.status = "canceled";
    trialing.ended_at = Some(T0 + 60);
    w.clock.advance(120);
    w.webhook("customer.subscription.deleted", fake::subscription(&trialing))
        .await;
    let again = w.say("console:gail", "/subscribe basic").await;
    assert!(
        matches!(again.reply, Reply::Checkout { trial_days: None, .. }),
        "no second trial: {again:?}"
    );

    // An admin creates a promotion code in Stripe.
    let coupon = w.say("console:admin", "/coupon spring25 25 3").await;
    assert!(
        matches!(
            coupon.reply,
            Reply::CouponCreated {
                percent: 25,
                months: Some(3),
                ..
            }
        ),
        "{coupon:?}"
    );
    assert_eq!(
        w.stripe.requests("/v1/coupons")[0].form["duration_in_months"],
        "3"
    );
    assert_eq!(
        w.stripe.requests("/v1/promotion_codes")[0].form["code"],
        "SPRING25"
    );
    let not_admin = w.say("console:gail", "/coupon spring25 25").await;
    assert!(matches!(
        not_admin.reply,
        Reply::Refused(UserError::NotAdmin { .. })
    ));
}

async fn reconciliation(db: TestDb) {
    let w = World::new(&db).await;
    w.say("console:hana", "/join").await;
    let hana_id = w.view("console:hana").await.id;
    let mut sub = pro(Some(hana_id), "active", T0 + 30 * DAY);
    sub.id = "sub_hana";
    sub.customer = "cus_hana";
    w.webhook("customer.subscription.created", fake::subscription(&sub))
        .await;
    w.deliver().await;
    // Drift: an admin revoke leaves a paying member without access.
    w.say("console:admin", "/revoke console:hana").await;
    w.deliver().await;
    let dry = w.core.reconcile(true).await.unwrap();
    assert_eq!(dry.entitlements_fixed.len(), 1, "{dry:?}");
    assert!(
        !w.view("console:hana").await.has_access,
        "a dry run changes nothing"
    );
    let fixed = w.core.reconcile(false).await.unwrap();
    assert_eq!(fixed.entitlements_fixed.len(), 1);
    assert!(w.view("console:hana").await.has_access);
    let effects = w.deliver().await;
    assert!(effects.iter().any(|e| e.contains("pro-lounge")), "{effects:?}");
    let clean = w.core.reconcile(false).await.unwrap();
    assert!(
        clean.entitlements_fixed.is_empty() && clean.effects_reemitted.is_empty(),
        "{clean:?}"
    );
}

async fn grace_and_trials(db: TestDb) {
    let w = World::new(&db).await;

    // Retries that never succeed: grace ends grace_days after the period.
    w.say("console:ivan", "/join").await;
    let ivan_id = w.view("console:ivan").await.id;
    let period_end = T0 + 30 * DAY;
    let mut sub = pro(Some(ivan_id), "active", period_end);
    sub.id = "sub_ivan";
    sub.customer = "cus_ivan";
    w.webhook("customer.subscription.created", fake::subscription(&sub))
        .await;
    w.clock.set(period_end + 10);
    sub.status = "past_due";
    w.webhook("customer.subscription.updated", fake::subscription(&sub))
        .await;
    w.deliver().await;
    w.clock.set(period_end + 3 * DAY - 1);
    assert_eq!(w.core.expire_due().await.unwrap(), 0);
    w.clock.set(period_end + 3 * DAY);
    assert_eq!(w.core.expire_due().await.unwrap(), 1);
    let effects = w.deliver().await;
    assert!(
        effects.iter().any(|e| e.contains("perk removed: community-chat")),
        "{effects:?}"
    );
    // Stripe gives up later; the state agrees.
    w.clock.advance(DAY);
    sub.status = "unpaid";
    w.webhook("customer.subscription.updated", fake::subscription(&sub))
        .await;
    assert_eq!(w.view("console:ivan").await.status, "expired");

    // A trial is one per person, whichever linked account asks.
    w.say("console:judy", "/join").await;
    let judy_id = w.view("console:judy").await.id;
    let trial = Sub {
        id: "sub_judy",
        customer: "cus_judy",
        status: "trialing",
        price: "price_demo_basic_monthly",
        period_end: w.clock.now() + 7 * DAY,
        cancel_at_period_end: false,
        ended_at: None,
        member: Some(judy_id),
        offer: Some("basic-monthly"),
        start: w.clock.now(),
    };
    let mut trial = trial;
    w.webhook("customer.subscription.created", fake::subscription(&trial))
        .await;
    assert_eq!(w.view("console:judy").await.status, "trialing");
    trial.status = "canceled";
    trial.ended_at = Some(w.clock.now() + 60);
    w.clock.advance(120);
    w.webhook("customer.subscription.deleted", fake::subscription(&trial))
        .await;
    // Her Discord account, another person until linked, would get a trial...
    let Reply::Checkout { trial_days, .. } = w.say("discord:777", "/subscribe basic").await.reply else {
        panic!("no checkout")
    };
    assert_eq!(trial_days, Some(7));
    // ...but not once it is linked to the account that had one.
    let Reply::LinkCode { code, .. } = w.say("console:judy", "/link").await.reply else {
        panic!("no link code")
    };
    let linked = w.say("discord:777", &format!("/link {code}")).await;
    assert!(matches!(linked.reply, Reply::Linked { .. }), "{linked:?}");
    let Reply::Checkout { trial_days, .. } = w.say("discord:777", "/subscribe basic").await.reply else {
        panic!("no checkout")
    };
    assert_eq!(trial_days, None);
}

#[tokio::test]
async fn unmatched_events_wait_and_bad_input_is_answered() {
    for db in TestDb::all().await {
        unmatched_and_out_of_order(db).await;
    }
}

#[tokio::test]
async fn reconciliation_repairs_drift() {
    for db in TestDb::all().await {
        reconciliation(db).await;
    }
}
#[tokio::test]
async fn grace_ends_and_trials_are_counted_per_person() {
    for db in TestDb::all().await {
        grace_and_trials(db).await;
    }
}
