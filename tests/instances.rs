//! Two `lyceum run` processes on one PostgreSQL: the periodic jobs run on
//! one of them and move to the other when it is killed, and the same
//! Stripe events delivered to both at once are applied once.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use support::stripe::{self as fake, FakeStripe};
use support::{Running, TestDb, lyceum, run_with_input, stdout};

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

fn instance(db_url: &str, api_base: &str) -> Command {
    let mut cmd = lyceum(db_url);
    cmd.env("LYCEUM__STRIPE__SECRET_KEY", fake::SECRET_KEY)
        .env("LYCEUM__STRIPE__WEBHOOK_SECRET", fake::WEBHOOK_SECRET)
        .env("LYCEUM__STRIPE__API_BASE", api_base)
        .env("LYCEUM__SCHEDULER__EXPIRE_EVERY_SECS", "1");
    cmd
}

fn start(db_url: &str, api_base: &str) -> Running {
    let mut cmd = instance(db_url, api_base);
    cmd.arg("run");
    Running::start(cmd, false)
}

fn log_of(server: &Running) -> Arc<Mutex<String>> {
    server.log.clone()
}

async fn says(log: &Arc<Mutex<String>>, needle: &str) {
    support::eventually(30, needle, || log.lock().unwrap().contains(needle)).await;
}

const LEADS: &str = "this instance now runs the periodic jobs";
const FOLLOWS: &str = "another instance runs the periodic jobs";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_periodic_jobs_run_on_one_instance_and_move_when_it_is_killed() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let mut first = start(&db.url, &api_base);
    let first_log = log_of(&first);
    says(&first_log, LEADS).await;
    let second = start(&db.url, &api_base);
    let second_log = log_of(&second);
    says(&second_log, FOLLOWS).await;
    // Several beats later, still only the first.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!second_log.lock().unwrap().contains(LEADS));

    first.child.kill().unwrap();
    first.child.wait().unwrap();
    says(&second_log, LEADS).await;
    assert!(second.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_events_sent_to_two_instances_at_once_apply_once() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let stripe = FakeStripe::default();
    let api_base = stripe.start().await;
    let a = start(&db.url, &api_base);
    let b = start(&db.url, &api_base);
    let t = now();
    let (ids, events): (Vec<String>, Vec<Vec<u8>>) = (0..6)
        .flat_map(|i| {
            fake::paid_start(
                &format!("m{i}"),
                support::joined(&db.url, &format!("m{i}")),
                t,
                false,
            )
        })
        .unzip();
    // Each event four times at once, two to each instance, as Stripe's
    // retries after a slow answer might.
    let urls = [a.url("/webhooks/stripe"), b.url("/webhooks/stripe")];
    let mut outcomes: Vec<Vec<(u16, String)>> = Vec::new();
    for body in &events {
        let handles: Vec<_> = (0..4)
            .map(|k| {
                let (url, body) = (urls[k % 2].clone(), body.clone());
                std::thread::spawn(move || fake::deliver(&url, &body))
            })
            .collect();
        outcomes.push(handles.into_iter().map(|h| h.join().unwrap()).collect());
    }
    for (body, got) in events.iter().zip(&outcomes) {
        let queued = got.iter().filter(|(_, o)| o == "queued").count();
        let duplicate = got.iter().filter(|(_, o)| o == "duplicate").count();
        assert!(got.iter().all(|(s, _)| *s == 200), "{got:?}");
        assert_eq!(
            (queued, duplicate),
            (1, 3),
            "{}: {got:?}",
            String::from_utf8_lossy(body)
        );
    }
    // Both instances' inbox workers take rows; each event is applied once.
    for id in &ids {
        let outcome = fake::outcome_of(&db.url, id).await;
        assert!(outcome.starts_with("applied"), "{id}: {outcome}");
    }
    for i in 0..6 {
        let out = run_with_input(
            lyceum(&db.url),
            &["member", "show", "demo", &format!("console:m{i}"), "--json"],
            "",
        );
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["status"], "active", "{v}");
    }
    assert!(a.stop().success());
    assert!(b.stop().success());
}
