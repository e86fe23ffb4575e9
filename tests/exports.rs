//! CSV exports of a community, checked line by line against what was done,
//! on SQLite and PostgreSQL, and through the binary.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::clock::iso;
use lyceum_core::engine::Export;
use support::TestDb;
use support::stripe as fake;
use support::world::{DAY, T0, World};

async fn exports(db: TestDb) {
    let w = World::new(&db).await;
    w.say("console:alice", "/join").await;
    w.say("console:admin", "/grant console:alice pro 30").await;
    w.say("console:bob", "/join").await;
    let bob = w.view("console:bob").await.id;
    let alice = w.view("console:alice").await.id;
    let sale = fake::checkout_payment("cs_x", bob, "rust-course", "cus_bob", "pi_x", 9900);
    w.webhook("checkout.session.completed", sale).await;
    w.say("console:admin", "/award console:bob 40 great answer").await;

    let members = w.core.export_csv("demo", Export::Members).await.unwrap();
    let lines: Vec<&str> = members.lines().collect();
    assert_eq!(
        lines[0],
        "member,identities,tier,status,access_until,points,joined_at"
    );
    assert_eq!(
        lines[1],
        format!(
            "{alice},console:alice,pro,active,{},0,{}",
            iso(T0 + 30 * DAY),
            iso(T0)
        )
    );
    assert_eq!(lines[2], format!("{bob},console:bob,,none,,40,{}", iso(T0)));
    assert_eq!(lines.len(), 3, "{members}");

    let payments = w.core.export_csv("demo", Export::Payments).await.unwrap();
    let lines: Vec<&str> = payments.lines().collect();
    assert_eq!(
        lines[0],
        "at,member,provider,kind,offer,amount_minor,currency,reference"
    );
    assert_eq!(
        lines[1],
        format!("{},{bob},stripe,payment,rust-course,9900,USD,pi_x", iso(T0))
    );
    assert_eq!(lines.len(), 2, "{payments}");

    let points = w.core.export_csv("demo", Export::Points).await.unwrap();
    let lines: Vec<&str> = points.lines().collect();
    assert_eq!(lines[0], "at,member,delta,source,reason,actor");
    assert_eq!(
        lines[1],
        format!("{},{bob},40,admin_award,great answer,console:admin", iso(T0))
    );
    assert_eq!(lines.len(), 2, "{points}");
}

#[tokio::test]
async fn members_payments_and_points_export_as_csv() {
    for db in TestDb::all().await {
        exports(db).await;
    }
}

#[test]
fn the_binary_exports_and_refuses_unknown_kinds() {
    let db = TestDb::sqlite();
    let out = support::run_with_input(support::lyceum(&db.url), &["export", "demo", "members"], "");
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert_eq!(
        support::stdout(&out),
        "member,identities,tier,status,access_until,points,joined_at\n"
    );
    let bad = support::run_with_input(support::lyceum(&db.url), &["export", "demo", "secrets"], "");
    support::assert_fails(&bad, 2, "choose members, payments or points");
}
