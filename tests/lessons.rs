//! Gated lessons end to end through the core and the console adapter, on
//! SQLite and PostgreSQL: posting (and what is refused), every way in
//! (tier, purchase, points, course), drip, refunds, edits and removal with
//! their channel cards, completion feeding points and badges.

#![allow(clippy::unwrap_used)]

mod support;

use lyceum_core::entity::{completion, lesson, lesson_unlock, offer};
use lyceum_core::reply::{LessonState, UnlockWay};
use lyceum_core::{Reply, UserError};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::TestDb;
use support::stripe as fake;
use support::world::{DAY, T0, World};

const ADMIN: &str = "console:admin";
const TEACHER: &str = "console:teacher";

fn refused(out: &lyceum_core::Outcome) -> &UserError {
    match &out.reply {
        Reply::Refused(e) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn lessons_stored(w: &World) -> u64 {
    lesson::Entity::find().count(w.core.db()).await.unwrap()
}

async fn posting_and_what_is_refused(db: TestDb) {
    let w = World::new(&db).await;
    let before = w.rows().await;
    let no = w.say("console:bob", "/lesson post intro Hello | World").await;
    assert!(matches!(refused(&no), UserError::NotCreator { .. }), "{no:?}");
    assert_eq!(lessons_stored(&w).await, 0);

    // Bad input is refused with its reason and leaves nothing behind.
    for (line, want) in [
        ("/lesson post intro price=9.999 T | B", "err-bad-price"),
        ("/lesson post intro opens=2020-01-01 T | B", "err-opens-in-past"),
        ("/lesson post intro opens=40000 T | B", "err-opens-too-late"),
        ("/lesson post intro opens=soon T | B", "err-bad-opens"),
        (
            "/lesson post intro attachment=ftp://x T | B",
            "err-bad-attachment",
        ),
        ("/lesson post intro tier=gold T | B", "err-unknown-tier"),
        ("/lesson post intro course=cooking T | B", "err-unknown-course"),
        ("/lesson post Intro! T | B", "err-bad-lesson-key"),
        ("/lesson post intro Only a title", "err-missing-option"),
        ("/lesson edit intro title=x", "err-unknown-lesson"),
    ] {
        let out = w.say(TEACHER, line).await;
        assert_eq!(refused(&out).key(), want, "{line}: {}", out.text());
    }
    assert_eq!(lessons_stored(&w).await, 0);
    let lesson_offers = offer::Entity::find()
        .filter(offer::Column::Kind.eq("lesson"))
        .count(w.core.db())
        .await
        .unwrap();
    assert_eq!(lesson_offers, 0, "no offer made for a refused lesson");
    assert_eq!(w.rows().await.2, before.2, "no card queued");

    // A creator from config posts; the card (never the body) goes to the
    // lesson channel.
    let posted = w
        .say(
            TEACHER,
            "/lesson post intro tier=pro price=4.99 points=50 teaser=\"Why async?\" Getting started | The secret is the executor.",
        )
        .await;
    assert!(
        matches!(
            &posted.reply,
            Reply::LessonSaved {
                channels: 1,
                edited: false,
                ..
            }
        ),
        "{posted:?}"
    );
    let cards = w.deliver().await;
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert!(
        cards[0].starts_with("[→ #console:lessons] 📘 Getting started"),
        "{cards:?}"
    );
    assert!(
        cards[0].contains("Why async?") && cards[0].contains("4.99 USD"),
        "{cards:?}"
    );
    assert!(!cards[0].contains("executor"), "the card never shows the lesson");
    let again = w.say(ADMIN, "/lesson post intro Again | x").await;
    assert!(matches!(refused(&again), UserError::LessonExists { .. }));
    assert_eq!(lessons_stored(&w).await, 1);
    // Every command is counted for Prometheus by name and outcome.
    let counted = w.core.metrics().render();
    for line in [
        "lyceum_commands_total{command=\"lesson post\",outcome=\"refused\"} 9",
        "lyceum_commands_total{command=\"lesson post\",outcome=\"ok\"} 1",
        "lyceum_commands_total{command=\"lesson edit\",outcome=\"refused\"} 1",
    ] {
        assert!(counted.contains(line), "missing {line:?} in\n{counted}");
    }
}

async fn every_way_in(db: TestDb) {
    let w = World::new(&db).await;
    w.say(
        TEACHER,
        "/lesson post intro tier=pro price=4.99 points=50 Getting started | The secret is the executor.",
    )
    .await;
    w.say("console:bob", "/join").await;

    // Locked: the reader is told every way in, with what to type.
    let locked = w.say("console:bob", "/unlock intro").await;
    let Reply::LessonLocked { ways, .. } = &locked.reply else {
        panic!("{locked:?}")
    };
    assert_eq!(
        ways,
        &vec![
            UnlockWay::Tier {
                key: "pro".into(),
                name: "Pro".into()
            },
            UnlockWay::Buy {
                price: "4.99 USD".into()
            },
            UnlockWay::Points { cost: 50, balance: 0 },
        ]
    );
    assert!(locked.reply.is_private());
    assert!(
        locked.text().contains("/unlock intro points"),
        "{}",
        locked.text()
    );
    let complete = w.say("console:bob", "/complete intro").await;
    assert!(matches!(refused(&complete), UserError::NotUnlocked { .. }));

    // Points: too few changes nothing; enough unlocks it once.
    let poor = w.say("console:bob", "/unlock intro points").await;
    assert!(
        matches!(refused(&poor), UserError::NotEnoughPoints { .. }),
        "{poor:?}"
    );
    assert_eq!(lesson_unlock::Entity::find().count(w.core.db()).await.unwrap(), 0);
    w.say(ADMIN, "/award console:bob 80 helping out").await;
    let paid = w.say("console:bob", "/unlock intro points").await;
    let Reply::Lesson(view) = &paid.reply else {
        panic!("{paid:?}")
    };
    assert_eq!(view.spent, Some((50, 30)));
    assert!(paid.text().contains("The secret is the executor."));
    assert_eq!(w.view("console:bob").await.points, 30);
    let twice = w.say("console:bob", "/unlock intro points").await;
    assert!(matches!(refused(&twice), UserError::AlreadyUnlocked { .. }));
    assert_eq!(w.view("console:bob").await.points, 30, "not charged twice");

    // Tier: pro and anything above it reads; basic does not.
    w.say(ADMIN, "/grant console:carol basic").await;
    let basic = w.say("console:carol", "/unlock intro").await;
    assert!(matches!(basic.reply, Reply::LessonLocked { .. }), "{basic:?}");
    w.say(ADMIN, "/grant console:carol vip").await;
    let vip = w.say("console:carol", "/unlock intro").await;
    assert!(matches!(vip.reply, Reply::Lesson(_)), "{vip:?}");
    w.say(ADMIN, "/revoke console:carol").await;
    let revoked = w.say("console:carol", "/unlock intro").await;
    assert!(
        matches!(revoked.reply, Reply::LessonLocked { .. }),
        "revocation stops delivery"
    );

    // Purchase: a one-off checkout at the lesson's own price, paid once,
    // taken back by a full refund.
    w.say("console:dana", "/join").await;
    let dana = w.view("console:dana").await.id;
    let buy = w.say("console:dana", "/unlock intro buy").await;
    assert!(matches!(buy.reply, Reply::Checkout { .. }), "{buy:?}");
    let form = &w
        .stripe
        .requests("/v1/checkout/sessions")
        .last()
        .unwrap()
        .form
        .clone();
    assert_eq!(form["mode"], "payment");
    assert_eq!(form["line_items[0][price_data][unit_amount]"], "499");
    assert_eq!(form["line_items[0][price_data][currency]"], "usd");
    assert_eq!(
        form["line_items[0][price_data][product_data][name]"],
        "Getting started"
    );
    assert_eq!(
        form["payment_intent_data[metadata][lyceum_offer]"],
        "lesson-intro"
    );
    let sale = fake::checkout_payment("cs_l", dana, "lesson-intro", "cus_dana", "pi_lesson", 499);
    w.webhook("checkout.session.completed", sale).await;
    let read = w.say("console:dana", "/unlock intro").await;
    assert!(matches!(read.reply, Reply::Lesson(_)), "{read:?}");
    let again = w.say("console:dana", "/unlock intro buy").await;
    assert!(
        matches!(refused(&again), UserError::AlreadyUnlocked { .. }),
        "no second charge"
    );
    assert_eq!(w.stripe.requests("/v1/checkout/sessions").len(), 1);
    w.webhook(
        "charge.refunded",
        fake::charge("ch_l", "cus_dana", "pi_lesson", 499, 499, T0),
    )
    .await;
    let refunded = w.say("console:dana", "/unlock intro").await;
    assert!(
        matches!(refunded.reply, Reply::LessonLocked { .. }),
        "{refunded:?}"
    );

    // A lesson that is not sold says so instead of making a checkout.
    w.say(
        TEACHER,
        "/lesson post members-only tier=pro Notes | Just for members",
    )
    .await;
    let not_sold = w.say("console:dana", "/unlock members-only buy").await;
    assert!(
        matches!(refused(&not_sold), UserError::NotForSale { .. }),
        "{not_sold:?}"
    );
    let not_points = w.say("console:dana", "/unlock members-only points").await;
    assert!(matches!(refused(&not_points), UserError::NotForPoints { .. }));
}

async fn drip_courses_and_completion(db: TestDb) {
    let w = World::new(&db).await;
    w.say(
        TEACHER,
        "/lesson post ch1 course=async-rust Futures | What a future is.",
    )
    .await;
    w.say(
        TEACHER,
        "/lesson post ch2 course=async-rust opens=7 points=10 Executors | Who polls.",
    )
    .await;
    w.say(TEACHER, "/lesson post welcome Welcome | Say hi in the chat.")
        .await;
    w.say("console:erin", "/join").await;

    // A free lesson opens for every member; course lessons wait for the course.
    let free = w.say("console:erin", "/unlock welcome").await;
    assert!(matches!(free.reply, Reply::Lesson(_)), "{free:?}");
    let course = w.say("console:erin", "/course async-rust").await;
    let Reply::Course { lines, ways, course } = &course.reply else {
        panic!("{course:?}")
    };
    assert_eq!((course.done, course.total), (0, 2));
    assert_eq!(lines[0].state, LessonState::Locked);
    assert!(
        ways.iter()
            .any(|w| matches!(w, UnlockWay::Tier { key, .. } if key == "vip"))
    );
    assert!(
        ways.iter()
            .any(|w| matches!(w, UnlockWay::Course { offer, .. } if offer == "rust-course"))
    );

    // Buying the course opens its lessons, but drip still holds ch2.
    let erin = w.view("console:erin").await.id;
    let sale = fake::checkout_payment("cs_c", erin, "rust-course", "cus_erin", "pi_c", 9900);
    w.webhook("checkout.session.completed", sale).await;
    let ch1 = w.say("console:erin", "/unlock ch1").await;
    assert!(matches!(ch1.reply, Reply::Lesson(_)), "{ch1:?}");
    let early = w.say("console:erin", "/unlock ch2").await;
    assert!(
        matches!(refused(&early), UserError::NotOpenYet { .. }),
        "{early:?}"
    );
    // The opening day, written for people in the community's zone.
    let opens = lyceum_core::clock::human_date(T0 + 7 * DAY, early.locale, early.zone);
    assert!(early.text().contains(&opens), "{} lacks {opens}", early.text());
    // Points are not taken for a lesson that is not open yet.
    w.say("console:finn", "/join").await;
    w.say(ADMIN, "/award console:finn 20 welcome").await;
    let wait = w.say("console:finn", "/unlock ch2 points").await;
    assert!(matches!(refused(&wait), UserError::NotOpenYet { .. }), "{wait:?}");
    assert_eq!(w.view("console:finn").await.points, 20);

    // Completing feeds points (the community's lesson_completed rule) and
    // the lessons badge, once.
    let done = w.say("console:erin", "/complete ch1").await;
    let Reply::Completed {
        points,
        badges,
        course,
        ..
    } = &done.reply
    else {
        panic!("{done:?}")
    };
    assert_eq!(*points, 20);
    assert_eq!(badges, &vec!["First lesson done".to_owned()]);
    assert_eq!(course.as_ref().map(|c| (c.done, c.total)), Some((1, 2)));
    let twice = w.say("console:erin", "/complete ch1").await;
    assert!(matches!(refused(&twice), UserError::AlreadyCompleted { .. }));
    assert_eq!(w.view("console:erin").await.points, 20, "no points twice");
    assert_eq!(completion::Entity::find().count(w.core.db()).await.unwrap(), 1);
    let notices = w.deliver().await;
    assert!(
        notices
            .iter()
            .any(|n| n.contains("console:erin") && n.contains("First lesson done")),
        "{notices:?}"
    );

    // A week later ch2 opens.
    w.clock.advance(7 * DAY);
    let open = w.say("console:erin", "/unlock ch2").await;
    assert!(matches!(open.reply, Reply::Lesson(_)), "{open:?}");
    w.say("console:erin", "/complete ch2").await;
    let progress = w.say("console:erin", "/progress").await;
    let Reply::Progress { courses, done, total } = &progress.reply else {
        panic!("{progress:?}")
    };
    assert_eq!((*done, *total), (2, 3));
    assert_eq!((courses[0].done, courses[0].total), (2, 2));
    assert!(progress.text().contains("100%"), "{}", progress.text());
}

async fn edits_and_removal_follow_the_cards(db: TestDb) {
    let w = World::new(&db).await;
    w.say(
        TEACHER,
        "/lesson post intro price=4.99 Getting started | Old body",
    )
    .await;
    let posted = w.deliver().await;
    assert_eq!(posted.len(), 1);
    let nothing = w.say(TEACHER, "/lesson edit intro").await;
    assert!(matches!(refused(&nothing), UserError::NothingToEdit));
    let edited = w
        .say(
            TEACHER,
            "/lesson edit intro title=\"Getting started, v2\" price=0 New body",
        )
        .await;
    assert!(
        matches!(edited.reply, Reply::LessonSaved { edited: true, .. }),
        "{edited:?}"
    );
    let cards = w.deliver().await;
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert!(
        cards[0].contains("card-1") && cards[0].contains("Getting started, v2"),
        "{cards:?}"
    );
    assert!(!cards[0].contains("4.99"), "no longer sold: {cards:?}");
    w.say("console:gus", "/join").await;
    let read = w.say("console:gus", "/unlock intro").await;
    assert!(read.text().contains("New body"), "{}", read.text());
    let removed = w.say(TEACHER, "/lesson remove intro").await;
    assert!(
        matches!(removed.reply, Reply::LessonRemoved { .. }),
        "{removed:?}"
    );
    let cards = w.deliver().await;
    assert!(
        cards.iter().any(|c| c.contains("card taken down: card-1")),
        "{cards:?}"
    );
    let gone = w.say("console:gus", "/unlock intro").await;
    assert!(
        matches!(refused(&gone), UserError::LessonRemoved { .. }),
        "{gone:?}"
    );
    let listed = w.say("console:gus", "/lessons").await;
    assert!(matches!(&listed.reply, Reply::Lessons { lines } if lines.is_empty()));
}

async fn questions_highlights_and_next(db: TestDb) {
    let w = World::new(&db).await;
    // Asking costs the configured points, and the creators hear of it.
    w.say("console:bob", "/join").await;
    let poor = w.say("console:bob", "/ask How do I pin a future?").await;
    assert!(
        matches!(refused(&poor), UserError::NotEnoughPoints { .. }),
        "{poor:?}"
    );
    w.say(ADMIN, "/award console:bob 30 welcome").await;
    w.deliver().await;
    let asked = w.say("console:bob", "/ask How do I pin a future?").await;
    let Reply::Asked { id, points, balance } = asked.reply else {
        panic!("{asked:?}")
    };
    assert_eq!((points, balance), (10, 20));
    let told = w.deliver().await;
    for staff in [ADMIN, TEACHER] {
        assert!(
            told.iter()
                .any(|n| n.contains(staff) && n.contains(&format!("#{id}")) && n.contains("pin a future")),
            "{staff}: {told:?}"
        );
    }
    let nosy = w.say("console:bob", "/questions").await;
    assert!(matches!(refused(&nosy), UserError::NotCreator { .. }));
    let open = w.say(TEACHER, "/questions").await;
    assert!(
        matches!(&open.reply, Reply::Questions { open } if open.len() == 1),
        "{open:?}"
    );
    let answered = w
        .say(
            TEACHER,
            &format!("/answer {id} Use Box::pin, or pin! on the stack."),
        )
        .await;
    assert!(matches!(answered.reply, Reply::Answered { .. }), "{answered:?}");
    let told = w.deliver().await;
    assert!(
        told.iter()
            .any(|n| n.starts_with("[→ console:bob]") && n.contains("A: Use Box::pin")),
        "{told:?}"
    );
    let twice = w.say(ADMIN, &format!("/answer {id} again")).await;
    assert!(matches!(refused(&twice), UserError::AlreadyAnswered { .. }));
    let none = w.say(ADMIN, "/answer 999 hello").await;
    assert!(matches!(refused(&none), UserError::UnknownQuestion { id: 999 }));
    let open = w.say(TEACHER, "/questions").await;
    assert!(matches!(&open.reply, Reply::Questions { open } if open.is_empty()));

    // Highlights: an answered question, a lesson, a message link.
    w.say(TEACHER, "/lesson post a First | One").await;
    w.say(TEACHER, "/lesson post b Second | Two").await;
    w.say(TEACHER, "/lesson post c Third | Three").await;
    let not_admin = w.say("console:bob", "/highlight a").await;
    assert!(matches!(refused(&not_admin), UserError::NotAdmin { .. }));
    for (line, ok) in [
        (format!("/highlight #{id} A classic"), true),
        ("/highlight a".to_owned(), true),
        (
            "/highlight https://discord.com/channels/1/2/3 Great thread".to_owned(),
            true,
        ),
        ("/highlight #999".to_owned(), false),
        ("/highlight nothing-here".to_owned(), false),
    ] {
        let out = w.say(ADMIN, &line).await;
        assert_eq!(
            matches!(out.reply, Reply::Highlighted { .. }),
            ok,
            "{line}: {out:?}"
        );
    }
    let digest = w.say("console:bob", "/digest").await;
    let Reply::Digest { items } = &digest.reply else {
        panic!("{digest:?}")
    };
    assert_eq!(items.len(), 3);
    assert!(
        matches!(&items[0], lyceum_core::reply::DigestItem::Link { note: Some(n), .. } if n == "Great thread")
    );
    assert!(
        matches!(&items[2], lyceum_core::reply::DigestItem::Question { answer, .. } if answer.contains("Box::pin"))
    );
    let lesson_highlight = match &items[1] {
        lyceum_core::reply::DigestItem::Lesson { id, .. } => *id,
        other => panic!("{other:?}"),
    };
    let off = w.say(ADMIN, &format!("/unhighlight {lesson_highlight}")).await;
    assert!(matches!(off.reply, Reply::Unhighlighted { .. }), "{off:?}");
    let again = w.say(ADMIN, &format!("/unhighlight {lesson_highlight}")).await;
    assert!(matches!(refused(&again), UserError::UnknownHighlight { .. }));
    let digest = w.say("console:bob", "/digest").await;
    assert!(matches!(&digest.reply, Reply::Digest { items } if items.len() == 2));

    // /next: people who read a also read b, so a reader of a gets b first,
    // even though c is more popular; a newcomer gets the most read.
    for who in ["console:carol", "console:dave"] {
        w.say(who, "/complete a").await;
        w.say(who, "/complete b").await;
    }
    for who in ["console:gus", "console:hal", "console:ivy", "console:jo"] {
        w.say(who, "/complete c").await;
    }
    w.say("console:erin", "/complete a").await;
    let next = w.say("console:erin", "/next").await;
    let Reply::Next { lines, personal } = &next.reply else {
        panic!("{next:?}")
    };
    assert!(*personal);
    let keys: Vec<&str> = lines.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(keys, vec!["b", "c"], "{}", next.text());
    let new = w.say("console:finn", "/next").await;
    let Reply::Next { lines, personal } = &new.reply else {
        panic!("{new:?}")
    };
    assert!(!*personal);
    assert_eq!(
        lines.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(),
        vec!["c", "a", "b"]
    );
}

#[tokio::test]
async fn questions_answers_highlights_and_recommendations() {
    for db in TestDb::all().await {
        questions_highlights_and_next(db).await;
    }
}

#[tokio::test]
async fn posting_checks_its_input_and_posts_a_card() {
    for db in TestDb::all().await {
        posting_and_what_is_refused(db).await;
    }
}

#[tokio::test]
async fn tier_points_and_purchase_open_a_lesson_and_refunds_close_it() {
    for db in TestDb::all().await {
        every_way_in(db).await;
    }
}

#[tokio::test]
async fn drip_courses_progress_and_completion() {
    for db in TestDb::all().await {
        drip_courses_and_completion(db).await;
    }
}

async fn a_price_stays_until_an_edit_says_none(db: TestDb) {
    let w = World::new(&db).await;
    w.say(TEACHER, "/lesson post deep tier=pro price=4.99 Deep dive | Body")
        .await;
    w.say("console:hal", "/join").await;
    let price = |reply: &Reply| match reply {
        Reply::LessonLocked { ways, .. } => ways.iter().find_map(|w| match w {
            UnlockWay::Buy { price } => Some(price.clone()),
            _ => None,
        }),
        other => panic!("{other:?}"),
    };
    let before = price(&w.say("console:hal", "/unlock deep").await.reply);
    assert!(
        before.as_deref().is_some_and(|p| p.contains("4.99")),
        "{before:?}"
    );
    // An edit of the Stars price leaves the money price as it was.
    w.say(TEACHER, "/lesson edit deep stars=50").await;
    let kept = price(&w.say("console:hal", "/unlock deep").await.reply);
    assert!(
        kept.as_deref()
            .is_some_and(|p| p.contains("4.99") && p.contains("50")),
        "a price not mentioned stays: {kept:?}"
    );
    w.say(TEACHER, "/lesson edit deep price=none stars=0").await;
    let stopped = price(&w.say("console:hal", "/unlock deep").await.reply);
    assert_eq!(stopped, None, "price=none stops the sale");
}

#[tokio::test]
async fn edits_and_removal_reach_the_posted_cards() {
    for db in TestDb::all().await {
        edits_and_removal_follow_the_cards(db).await;
    }
}

#[tokio::test]
async fn a_lesson_price_stays_until_an_edit_says_none() {
    for db in TestDb::all().await {
        a_price_stays_until_an_edit_says_none(db).await;
    }
}
