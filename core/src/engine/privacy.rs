//! `/privacy export` and `/privacy delete`: a person's own data, across
//! every community they belong to.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::Core;
use super::execute::Call;
use crate::domain::{EntitlementStatus, IdentityRef};
use crate::entity::{member, subscription};
use crate::error::{CoreResult, UserError};
use crate::privacy::erase::erase;
use crate::privacy::export::person_data;
use crate::reply::Reply;
use crate::signin::{LINK_TTL_SECS, Refusal};
use crate::store::access::{self, Cause, Change};
use crate::store::audit;
use crate::store::membership::entitlement_of;
use crate::store::people::find_identity;

/// Subscriptions that still charge or are about to.
const RUNNING: [&str; 3] = ["active", "past_due", "trialing"];

impl Call<'_> {
    pub(super) async fn privacy_export<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let me = find_identity(conn, &self.invoker.identity)
            .await?
            .ok_or(UserError::NotMember)?;
        let links = self.sign_in.ok_or(UserError::DashboardOff)?;
        audit::record(
            conn,
            self.ctx.id,
            &self.invoker.identity,
            "privacy export",
            String::new(),
            self.now,
        )
        .await?;
        Ok(Reply::PrivacyExport {
            url: links.export_link(me.person_id, self.now),
            minutes: LINK_TTL_SECS / 60,
        })
    }

    /// Erases the person behind `who`: without `confirm`, says what would
    /// go. Members erase themselves; admins erase on a member's request.
    pub(super) async fn privacy_delete<C: ConnectionTrait>(
        &self,
        conn: &C,
        who: &IdentityRef,
        confirm: bool,
    ) -> CoreResult<Reply> {
        let me = find_identity(conn, who).await?.ok_or_else(|| {
            if who == &self.invoker.identity {
                UserError::NotMember
            } else {
                UserError::UnknownMember {
                    identity: who.to_string(),
                }
            }
        })?;
        let members = member::Entity::find()
            .filter(member::Column::PersonId.eq(me.person_id))
            .all(conn)
            .await?;
        let running = subscription::Entity::find()
            .filter(subscription::Column::MemberId.is_in(members.iter().map(|m| m.id)))
            .filter(subscription::Column::Status.is_in(RUNNING))
            .count(conn)
            .await?;
        if running > 0 {
            return Err(UserError::StillSubscribed.into());
        }
        let memberships = members.len() as u64;
        if !confirm {
            return Ok(Reply::PrivacyDeleteAsk { memberships });
        }
        // Access ends first, so the role removals are queued while the
        // identities they go to still exist.
        for m in &members {
            let Some(c) = self.all.iter().find(|c| c.id == m.community_id) else {
                continue;
            };
            let held = entitlement_of(conn, m.id)
                .await?
                .is_some_and(|e| e.status.has_access(e.access_until, self.now));
            if held {
                let change = Change {
                    tier: None,
                    status: EntitlementStatus::None,
                    access_until: None,
                    cause: Cause::Erasure,
                    actor: None,
                    note: None,
                    portal_url: None,
                };
                access::apply(conn, c, m, change, self.now).await?;
            }
            crate::store::scores::touched(c.id, m.id);
        }
        let erased = erase(conn, me.person_id).await?;
        // The audit names the erased only by number; an admin who erased
        // on request is named as the one who acted.
        let by_self = who == &self.invoker.identity;
        let actor = if by_self {
            format!("person:{}", me.person_id)
        } else {
            self.invoker.identity.to_string()
        };
        for (community, _) in &erased.members {
            let detail = format!(
                "person:{} erased; {} payment records kept without a name",
                me.person_id, erased.kept
            );
            audit::record_as(conn, *community, &actor, "privacy delete", detail, self.now).await?;
        }
        Ok(Reply::PrivacyErased {
            memberships,
            kept: erased.kept,
        })
    }
}

impl Core {
    /// The JSON a `/privacy export` link downloads, if the link is good.
    pub async fn privacy_export(&self, token: &str) -> CoreResult<Result<serde_json::Value, Refusal>> {
        let Some(links) = &self.sign_in else {
            return Ok(Err(Refusal::Forged));
        };
        match links.verify_export(token, self.now()) {
            Ok(person) => Ok(Ok(self.person_data(person).await?)),
            Err(r) => Ok(Err(r)),
        }
    }

    /// Everything kept about the person behind `who` (the operator's
    /// `lyceum privacy-export`).
    pub async fn identity_data(&self, who: &crate::domain::IdentityRef) -> CoreResult<serde_json::Value> {
        let found = find_identity(&self.db, who)
            .await?
            .ok_or_else(|| UserError::UnknownMember {
                identity: who.to_string(),
            })?;
        self.person_data(found.person_id).await
    }

    /// Everything kept about one person.
    pub async fn person_data(&self, person_id: i64) -> CoreResult<serde_json::Value> {
        // Points still owed belong in the export too.
        self.flush_activity().await;
        person_data(&self.db, &self.communities, person_id, self.now()).await
    }
}
