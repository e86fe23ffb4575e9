//! CSV exports of a community for its admins: members, payments and points.
//! Identities are the only personal data in them; amounts are in minor
//! units with their currency, times in UTC.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Core;
use crate::clock::iso;
use crate::entity::{entitlement, ledger, member, revenue, score, tier};
use crate::error::{CoreError, CoreResult};
use crate::store::chunked::rows_in;
use crate::store::people::{identities_by_person, identity_string};

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    Members,
    Payments,
    Points,
}

impl Export {
    pub fn parse(s: &str) -> Option<Export> {
        match s {
            "members" => Some(Export::Members),
            "payments" => Some(Export::Payments),
            "points" => Some(Export::Points),
            _ => None,
        }
    }
}

fn csv_error(e: impl std::fmt::Display) -> CoreError {
    CoreError::Corrupt(format!("cannot write CSV: {e}"))
}

/// One member as the members export and the dashboard list them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub id: i64,
    pub identities: Vec<String>,
    pub tier: Option<String>,
    pub status: String,
    pub access_until: Option<i64>,
    pub points: i64,
    pub joined_at: i64,
}

impl Core {
    /// Every member of community `slug`, oldest first.
    pub async fn member_rows(&self, slug: &str) -> CoreResult<Vec<MemberRow>> {
        let ctx = self.ctx_for(slug)?;
        // Balances are read from score rows: take in what is owed.
        self.flush_activity().await;
        let members = member::Entity::find()
            .filter(member::Column::CommunityId.eq(ctx.id))
            .order_by_asc(member::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
        let persons: Vec<i64> = members.iter().map(|m| m.person_id).collect();
        let idents = identities_by_person(&self.db, &persons).await?;
        let ents: HashMap<i64, entitlement::Model> = rows_in(
            &self.db,
            entitlement::Entity::find(),
            entitlement::Column::MemberId,
            &ids,
        )
        .await?
        .into_iter()
        .map(|e| (e.member_id, e))
        .collect();
        let scores: HashMap<i64, i64> =
            rows_in(&self.db, score::Entity::find(), score::Column::MemberId, &ids)
                .await?
                .into_iter()
                .map(|s| (s.member_id, s.balance))
                .collect();
        let tiers = tier::Entity::find()
            .filter(tier::Column::CommunityId.eq(ctx.id))
            .all(&self.db)
            .await?;
        Ok(members
            .into_iter()
            .map(|m| {
                let e = ents.get(&m.id);
                MemberRow {
                    id: m.id,
                    identities: idents
                        .get(&m.person_id)
                        .map(|list| list.iter().map(identity_string).collect())
                        .unwrap_or_default(),
                    tier: e
                        .and_then(|e| e.tier_id)
                        .and_then(|id| tiers.iter().find(|t| t.id == id))
                        .map(|t| t.key.clone()),
                    status: e.map(|e| e.status.as_str().to_owned()).unwrap_or_default(),
                    access_until: e.and_then(|e| e.access_until),
                    points: scores.get(&m.id).copied().unwrap_or(0),
                    joined_at: m.joined_at,
                }
            })
            .collect())
    }

    /// One export of community `slug` as CSV text with a header row.
    pub async fn export_csv(&self, slug: &str, what: Export) -> CoreResult<String> {
        let ctx = self.ctx_for(slug)?;
        let mut out = csv::Writer::from_writer(Vec::new());
        match what {
            Export::Members => {
                out.write_record([
                    "member",
                    "identities",
                    "tier",
                    "status",
                    "access_until",
                    "points",
                    "joined_at",
                ])
                .map_err(csv_error)?;
                for r in self.member_rows(slug).await? {
                    out.write_record([
                        r.id.to_string(),
                        r.identities.join(" "),
                        r.tier.unwrap_or_default(),
                        r.status,
                        r.access_until.map(iso).unwrap_or_default(),
                        r.points.to_string(),
                        iso(r.joined_at),
                    ])
                    .map_err(csv_error)?;
                }
            }
            Export::Payments => {
                out.write_record([
                    "at",
                    "member",
                    "provider",
                    "kind",
                    "offer",
                    "amount_minor",
                    "currency",
                    "reference",
                ])
                .map_err(csv_error)?;
                let rows = revenue::Entity::find()
                    .filter(revenue::Column::CommunityId.eq(ctx.id))
                    .order_by_asc(revenue::Column::Id)
                    .all(&self.db)
                    .await?;
                for r in rows {
                    out.write_record([
                        iso(r.at),
                        r.member_id.map(|m| m.to_string()).unwrap_or_default(),
                        r.provider,
                        r.kind.as_ref().to_owned(),
                        r.offer_key.unwrap_or_default(),
                        r.amount_minor.to_string(),
                        r.currency,
                        r.external_id,
                    ])
                    .map_err(csv_error)?;
                }
            }
            Export::Points => {
                // Activity still owed on SQLite is in the ledger already;
                // the ledger is the record, so nothing needs folding first.
                out.write_record(["at", "member", "delta", "source", "reason", "actor"])
                    .map_err(csv_error)?;
                let rows = ledger::Entity::find()
                    .filter(ledger::Column::CommunityId.eq(ctx.id))
                    .order_by_asc(ledger::Column::Id)
                    .all(&self.db)
                    .await?;
                for l in rows {
                    out.write_record([
                        iso(l.at),
                        l.member_id.to_string(),
                        l.delta.to_string(),
                        l.source.as_str().to_owned(),
                        l.reason,
                        l.actor.unwrap_or_default(),
                    ])
                    .map_err(csv_error)?;
                }
            }
        }
        let bytes = out.into_inner().map_err(csv_error)?;
        String::from_utf8(bytes).map_err(csv_error)
    }
}
