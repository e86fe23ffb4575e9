//! Brings configured communities, tiers and offers into the database at
//! start. Tiers and offers dropped from config are kept, marked inactive, so
//! history that names them still reads.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait,
};

use crate::config::Community;
use crate::entity::{community, lesson, offer, tier};
use crate::error::CoreResult;

/// A configured community as the running core knows it.
#[derive(Clone, Debug)]
pub struct CommunityCtx {
    pub id: i64,
    pub config: Community,
}

impl CommunityCtx {
    pub fn slug(&self) -> &str {
        self.config.slug.as_str()
    }
}

fn perks_json(perks: &[crate::domain::Key]) -> String {
    let list: Vec<&str> = perks.iter().map(crate::domain::Key::as_str).collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
}

fn trial_days(t: &crate::config::Tier) -> i32 {
    i32::try_from(t.trial_days).unwrap_or(i32::MAX)
}

pub async fn sync_communities(
    db: &DatabaseConnection,
    communities: &[Community],
    now: i64,
) -> CoreResult<Vec<CommunityCtx>> {
    let txn = db.begin().await?;
    // Take the write lock before reading: another process (a running bot
    // beside an operator's command) may commit between this transaction's
    // reads and its writes, which SQLite refuses outright (BUSY_SNAPSHOT)
    // rather than waiting.
    sea_orm::ConnectionTrait::execute_unprepared(&txn, "UPDATE communities SET id = id WHERE 0 = 1").await?;
    let mut out = Vec::new();
    for c in communities {
        let admins: Vec<String> = c.admins.iter().map(ToString::to_string).collect();
        let admins = serde_json::to_string(&admins).unwrap_or_else(|_| "[]".into());
        let existing = community::Entity::find()
            .filter(community::Column::Slug.eq(c.slug.as_str()))
            .one(&txn)
            .await?;
        let row = match existing {
            Some(row) => {
                let mut a: community::ActiveModel = row.into();
                a.name = Set(c.name.to_json());
                a.default_locale = Set(c.default_locale.tag().to_owned());
                a.admins = Set(admins);
                a.update(&txn).await?
            }
            None => {
                community::ActiveModel {
                    slug: Set(c.slug.to_string()),
                    name: Set(c.name.to_json()),
                    default_locale: Set(c.default_locale.tag().to_owned()),
                    admins: Set(admins),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };

        let stored_tiers = tier::Entity::find()
            .filter(tier::Column::CommunityId.eq(row.id))
            .all(&txn)
            .await?;
        let mut tier_ids = Vec::new();
        for t in &c.tiers {
            let model = match stored_tiers.iter().find(|s| s.key == t.key.as_str()) {
                Some(s) => {
                    let mut a: tier::ActiveModel = s.clone().into();
                    a.name = Set(t.name.to_json());
                    a.rank = Set(t.rank);
                    a.perks = Set(perks_json(&t.perks));
                    a.active = Set(true);
                    a.trial_days = Set(trial_days(t));
                    a.update(&txn).await?
                }
                None => {
                    tier::ActiveModel {
                        community_id: Set(row.id),
                        key: Set(t.key.to_string()),
                        name: Set(t.name.to_json()),
                        rank: Set(t.rank),
                        perks: Set(perks_json(&t.perks)),
                        active: Set(true),
                        trial_days: Set(trial_days(t)),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?
                }
            };
            tier_ids.push((t.key.clone(), model.id));
        }
        for s in stored_tiers
            .iter()
            .filter(|s| c.tiers.iter().all(|t| t.key.as_str() != s.key))
        {
            let mut a: tier::ActiveModel = s.clone().into();
            a.active = Set(false);
            a.update(&txn).await?;
        }

        let stored_offers = offer::Entity::find()
            .filter(offer::Column::CommunityId.eq(row.id))
            .all(&txn)
            .await?;
        let made = super::provisioned::prices(&txn, row.id, "stripe").await?;
        for o in &c.offers {
            let tier_id = o
                .tier
                .as_ref()
                .and_then(|k| tier_ids.iter().find(|(tk, _)| tk == k).map(|(_, id)| *id));
            let mut a: offer::ActiveModel = match stored_offers.iter().find(|s| s.key == o.key.as_str()) {
                Some(s) => s.clone().into(),
                None => offer::ActiveModel {
                    community_id: Set(row.id),
                    key: Set(o.key.to_string()),
                    ..Default::default()
                },
            };
            a.kind = Set(o.kind);
            a.tier_id = Set(tier_id);
            a.name = Set(o.name.to_json());
            a.amount_minor = Set(o.price.amount_minor());
            a.currency = Set(o.price.currency_code());
            a.active = Set(true);
            a.stripe_price = Set(o
                .stripe_price
                .clone()
                .or_else(|| super::provisioned::selling(&made, o)));
            a.perks = Set(perks_json(&o.perks));
            a.save(&txn).await?;
        }
        // Lessons sell themselves through offers made when they are posted;
        // only offers that came from config go when config drops them.
        let posted: Vec<Option<i64>> = lesson::Entity::find()
            .select_only()
            .column(lesson::Column::OfferId)
            .filter(lesson::Column::CommunityId.eq(row.id))
            .into_tuple()
            .all(&txn)
            .await?;
        for s in stored_offers
            .iter()
            .filter(|s| c.offers.iter().all(|o| o.key.as_str() != s.key))
            .filter(|s| !posted.contains(&Some(s.id)))
        {
            let mut a: offer::ActiveModel = s.clone().into();
            a.active = Set(false);
            a.update(&txn).await?;
        }
        out.push(CommunityCtx {
            id: row.id,
            config: c.clone(),
        });
    }
    txn.commit().await?;
    Ok(out)
}
