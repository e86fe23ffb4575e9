//! Helpers shared by the engagement tests: activity events, ledger and
//! score reads, and community tweaks.

use lyceum_core::config::Community;
use lyceum_core::engage::rules::Decision;
use lyceum_core::engine::Activity;
use lyceum_core::entity::{ledger, score};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::world::World;

pub fn msg(chars: usize) -> Activity {
    Activity::Message {
        chars,
        channel: Some("console:general".into()),
    }
}

pub async fn act(w: &World, who: &str, what: Activity) -> Option<Decision> {
    w.core
        .activity("demo", &who.parse().unwrap(), what)
        .await
        .unwrap()
}

pub async fn ledger_of(w: &World, who: &str) -> Vec<ledger::Model> {
    let id = w.view(who).await.id;
    ledger::Entity::find()
        .filter(ledger::Column::MemberId.eq(id))
        .all(w.core.db())
        .await
        .unwrap()
}

/// Ten points a message, no cooldown, cap, burst decay or multiplier.
pub fn steady(c: &mut Community) {
    c.points.message.points = 10;
    c.points.message.cooldown_secs = 0;
    c.points.message.daily_cap = 0;
    c.points.burst_window_secs = 0;
    c.points.multipliers.clear();
}

pub fn capped(c: &mut Community) {
    steady(c);
    c.points.message.daily_cap = 25;
}

pub async fn score_row(w: &World, who: &str) -> score::Model {
    let id = w.view(who).await.id;
    score::Entity::find_by_id(id)
        .one(w.core.db())
        .await
        .unwrap()
        .unwrap()
}

/// The score row and the ledger of one member: (balance, earned, ledger sum).
pub async fn books_of(w: &World, who: &str) -> (i64, i64, i64) {
    let row = score_row(w, who).await;
    let sum = ledger_of(w, who).await.iter().map(|e| e.delta).sum();
    (row.balance, row.earned, sum)
}
