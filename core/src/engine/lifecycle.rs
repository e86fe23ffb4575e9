//! The scheduled side of access: renewal reminders, and reconciliation that
//! recomputes entitlements from payment facts and re-emits perk effects the
//! platforms should have but were never queued (or failed for good).

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;

use super::Core;
use crate::clock::{human_date, iso};
use crate::domain::EntitlementStatus;
use crate::entity::{entitlement, member, outbox, reminder};
use crate::error::CoreResult;
use crate::outbox::{EffectKind, OutboxStatus, enqueue, payload_effect};
use crate::payments::{Why, recompute};
use crate::reply::Notice;
use crate::store::access::{self, notify_person, tier_by_id, tier_name};
use crate::store::people::{identities_of, identity_locale};
use crate::store::sync::CommunityCtx;

/// What a reconciliation pass found and (unless dry) fixed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReconcileReport {
    pub dry_run: bool,
    pub members_checked: u64,
    /// Members whose entitlement differed from what their payments give.
    pub entitlements_fixed: Vec<Fix>,
    /// Perk grants and revokes queued because none was pending or delivered.
    pub effects_reemitted: Vec<Reemit>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Fix {
    pub member: i64,
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Reemit {
    pub member: i64,
    pub recipient: String,
    pub effect: String,
    pub perk: String,
}

impl Core {
    /// Sends each configured reminder once per member and period for access
    /// that ends soon and will not renew. Returns how many were sent.
    pub async fn send_reminders(&self) -> CoreResult<u32> {
        let now = self.clock.now();
        let mut sent = 0;
        for ctx in &self.communities {
            let Some(&furthest) = ctx.config.billing.reminder_days.first() else {
                continue;
            };
            let horizon = now + i64::from(furthest) * 86_400;
            let due = entitlement::Entity::find()
                .filter(entitlement::Column::Status.eq(EntitlementStatus::Canceled))
                .filter(entitlement::Column::AccessUntil.gt(now))
                .filter(entitlement::Column::AccessUntil.lte(horizon))
                .all(&self.db)
                .await?;
            for e in due {
                let Some(m) = member::Entity::find_by_id(e.member_id).one(&self.db).await? else {
                    continue;
                };
                if m.community_id != ctx.id {
                    continue;
                }
                let (_gate, txn) = self.engage.begin_write(&self.db).await?;
                if remind_one(&txn, ctx, &m, &e, now).await? {
                    sent += 1;
                }
                txn.commit().await?;
            }
        }
        if sent > 0 {
            self.wake.notify_one();
        }
        Ok(sent)
    }

    /// Recomputes every member's entitlement from stored payment facts and
    /// checks the platforms were told about every perk they should hold or
    /// lose. With `dry_run`, reports without writing.
    pub async fn reconcile(&self, dry_run: bool) -> CoreResult<ReconcileReport> {
        let mut report = ReconcileReport {
            dry_run,
            ..Default::default()
        };
        let mut at = Some(SweepAt::default());
        while let Some(from) = at {
            at = self.reconcile_page(from, RECONCILE_PAGE, &mut report).await?;
        }
        Ok(report)
    }

    /// Reconciles up to `limit` members from `from` on, each in a
    /// transaction of its own so other work goes on between them, adding to
    /// `report`. Returns where to go on from, or `None` once every
    /// community's members are done.
    pub async fn reconcile_page(
        &self,
        from: SweepAt,
        limit: u64,
        report: &mut ReconcileReport,
    ) -> CoreResult<Option<SweepAt>> {
        let Some(ctx) = self.communities.get(from.community) else {
            return Ok(None);
        };
        let members = member::Entity::find()
            .filter(member::Column::CommunityId.eq(ctx.id))
            .filter(member::Column::Id.gt(from.after))
            .order_by_asc(member::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let next = match members.last() {
            Some(last) if members.len() as u64 == limit => SweepAt {
                community: from.community,
                after: last.id,
            },
            _ => SweepAt {
                community: from.community + 1,
                after: 0,
            },
        };
        for m in members {
            self.reconcile_member(ctx, &m, report).await?;
        }
        Ok((next.community < self.communities.len()).then_some(next))
    }

    async fn reconcile_member(
        &self,
        ctx: &CommunityCtx,
        m: &member::Model,
        report: &mut ReconcileReport,
    ) -> CoreResult<()> {
        report.members_checked += 1;
        let (_gate, txn) = self.engage.begin_write(&self.db).await?;
        let before = describe(&txn, m.id).await?;
        let perks = access::held_perks(&txn, ctx, m).await?;
        let now = self.clock.now();
        let why = Why {
            actor: Some("reconcile".into()),
            note: Some("reconciliation".into()),
            billing: self.billing.as_deref(),
        };
        let changed = recompute(&txn, &self.communities, m, perks, now, why).await?;
        if changed {
            report.entitlements_fixed.push(Fix {
                member: m.id,
                from: before,
                to: describe(&txn, m.id).await?,
            });
        }
        let reemitted = reemit_missing(&txn, ctx, m, now).await?;
        let queued = changed || !reemitted.is_empty();
        report.effects_reemitted.extend(reemitted);
        if report.dry_run {
            txn.rollback().await?;
        } else {
            txn.commit().await?;
            if queued {
                self.wake.notify_one();
            }
        }
        Ok(())
    }
}

/// Members read at a time by a whole reconciliation.
const RECONCILE_PAGE: u64 = 200;

/// Where a reconciliation goes on from: the index of a community in the
/// core's list, and the last member id done in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepAt {
    pub community: usize,
    pub after: i64,
}

async fn describe<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<String> {
    let Some(e) = crate::store::membership::entitlement_of(conn, member_id).await? else {
        return Ok("none".into());
    };
    let tier = tier_by_id(conn, e.tier_id)
        .await?
        .map(|t| t.key)
        .unwrap_or_default();
    Ok(format!(
        "{} {} until {}",
        e.status,
        tier,
        e.access_until.map_or_else(|| "-".into(), iso)
    ))
}

async fn remind_one<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    e: &entitlement::Model,
    now: i64,
) -> CoreResult<bool> {
    let Some(until) = e.access_until else {
        return Ok(false);
    };
    let left = until - now;
    // The nearest reminder that applies; the further ones it makes moot are
    // recorded too, so a late run sends one message, not several.
    let applicable: Vec<u32> = ctx
        .config
        .billing
        .reminder_days
        .iter()
        .copied()
        .filter(|d| left <= i64::from(*d) * 86_400)
        .collect();
    let Some(&nearest) = applicable.last() else {
        return Ok(false);
    };
    let mut fresh = false;
    for d in &applicable {
        let inserted = reminder::Entity::insert(reminder::ActiveModel {
            member_id: Set(m.id),
            access_until: Set(until),
            days_before: Set(i32::try_from(*d).unwrap_or(i32::MAX)),
            sent_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                reminder::Column::MemberId,
                reminder::Column::AccessUntil,
                reminder::Column::DaysBefore,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
        if *d == nearest {
            fresh = inserted > 0;
        }
    }
    if !fresh {
        return Ok(false);
    }
    let Some(t) = tier_by_id(conn, e.tier_id).await? else {
        return Ok(false);
    };
    let days = u32::try_from((left + 86_399) / 86_400).unwrap_or(nearest);
    let effects_in = |locale| {
        vec![EffectKind::SendMessage {
            notice: Notice::RenewalReminder {
                community: ctx.config.name.get(locale, ctx.config.default_locale).to_owned(),
                tier: tier_name(ctx, &t, locale),
                access_until: human_date(until, locale, ctx.config.time_zone),
                days,
            },
        }]
    };
    notify_person(conn, ctx, m.person_id, effects_in, now).await?;
    Ok(true)
}

/// For each identity, the last perk effect queued per perk (ignoring those
/// that failed for good) is what the platform was told; where that differs
/// from what the member holds, queue the missing grant or revoke.
async fn reemit_missing<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    now: i64,
) -> CoreResult<Vec<Reemit>> {
    let held = access::held_perks(conn, ctx, m).await?;
    let mut out = Vec::new();
    for ident in identities_of(conn, m.person_id).await? {
        let recipient = format!("{}:{}", ident.platform, ident.external_id);
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Platform.eq(ident.platform.as_str()))
            .filter(outbox::Column::Recipient.eq(ident.external_id.as_str()))
            .filter(outbox::Column::CommunityId.eq(ctx.id))
            .filter(outbox::Column::Status.ne(OutboxStatus::Failed))
            .filter(outbox::Column::Kind.is_in(["grant_perk", "revoke_perk"]))
            .order_by_asc(outbox::Column::Id)
            .all(conn)
            .await?;
        let mut told: BTreeMap<String, bool> = BTreeMap::new();
        for row in rows {
            match payload_effect(&row.payload) {
                Some(EffectKind::GrantPerk { perk }) => {
                    told.insert(perk, true);
                }
                Some(EffectKind::RevokePerk { perk }) => {
                    told.insert(perk, false);
                }
                _ => {}
            }
        }
        let granted: BTreeSet<&String> = told.iter().filter(|(_, g)| **g).map(|(p, _)| p).collect();
        let locale = identity_locale(&ident).unwrap_or(ctx.config.default_locale);
        let missing = held
            .iter()
            .filter(|p| !granted.contains(p))
            .map(|p| (EffectKind::GrantPerk { perk: p.clone() }, "grant_perk", p.clone()));
        let stale = granted.iter().filter(|p| !held.contains(**p)).map(|p| {
            (
                EffectKind::RevokePerk { perk: (*p).clone() },
                "revoke_perk",
                (*p).clone(),
            )
        });
        for (effect, name, perk) in missing.chain(stale).collect::<Vec<_>>() {
            enqueue(conn, Some((ctx.id, ctx.slug())), &ident, locale, effect, now).await?;
            out.push(Reemit {
                member: m.id,
                recipient: recipient.clone(),
                effect: name.to_owned(),
                perk,
            });
        }
    }
    Ok(out)
}
