//! The dashboard's side of the core: sign-in links, the sessions they open,
//! and a community's figures. HTTP (cookies, forms, pages) is the web
//! adapter's; what a link or session means is decided here.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait};

use super::{Core, Invoker};
use crate::analytics::public::{Counts, PublicStats, release};
use crate::analytics::{DAY, Snapshot, snapshot::snapshot};
use crate::clock::iso;
use crate::domain::IdentityRef;
use crate::entity::{dashboard_session, member, used_link};
use crate::error::{CoreResult, UserError};
use crate::signin::{Refusal, SESSION_TTL_SECS, SignInLinks, digest, random_hex};

/// A browser signed in to one community's dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub community: String,
    pub actor: String,
    /// The token forms must carry back.
    pub csrf: String,
    pub expires_at: i64,
}

/// A session just opened, with the cookie that names it.
#[derive(Clone, Debug)]
pub struct Opened {
    pub cookie: String,
    pub session: Session,
}

impl Core {
    /// Turns on `/dashboard`, whose links `links` signs.
    pub fn with_sign_in(mut self, links: SignInLinks) -> Self {
        self.sign_in = Some(links);
        self
    }

    /// A link for the operator's `lyceum dashboard-link`. It is made for
    /// anyone, but only opens the dashboard for the community's admins.
    pub async fn dashboard_link(&self, slug: &str, who: &IdentityRef) -> CoreResult<String> {
        let ctx = self.ctx_for(slug)?;
        let links = self.sign_in.as_ref().ok_or(UserError::DashboardOff)?;
        let invoker = Invoker::new(who.clone());
        let admin = self.is_admin(ctx, &invoker).await?;
        Ok(links.issue(slug, &who.to_string(), admin, self.now()))
    }

    /// Opens a session for a link's token, once.
    pub async fn redeem(&self, token: &str) -> CoreResult<Result<Opened, Refusal>> {
        let Some(links) = &self.sign_in else {
            return Ok(Err(Refusal::Forged));
        };
        let now = self.now();
        let claim = match links.verify(token, now) {
            Ok(c) => c,
            Err(r) => return Ok(Err(r)),
        };
        let Some(ctx) = self.community(&claim.community) else {
            return Ok(Err(Refusal::NotAdmin));
        };
        if !claim.admin {
            return Ok(Err(Refusal::NotAdmin));
        }
        let txn = self.db.begin().await?;
        let first = used_link::Entity::insert(used_link::ActiveModel {
            nonce: Set(claim.nonce.clone()),
            used_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(used_link::Column::Nonce)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if first == 0 {
            return Ok(Err(Refusal::Used));
        }
        let cookie = random_hex(32);
        let session = Session {
            community: claim.community,
            actor: claim.actor,
            csrf: random_hex(32),
            expires_at: now + SESSION_TTL_SECS,
        };
        dashboard_session::Entity::insert(dashboard_session::ActiveModel {
            token_hash: Set(digest(&cookie)),
            community_id: Set(ctx.id),
            actor: Set(session.actor.clone()),
            csrf: Set(session.csrf.clone()),
            expires_at: Set(session.expires_at),
            created_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(community = %session.community, actor = %session.actor, "dashboard sign-in");
        Ok(Ok(Opened { cookie, session }))
    }

    /// The live session a cookie names, if any.
    pub async fn session(&self, cookie: &str) -> CoreResult<Option<Session>> {
        let row = dashboard_session::Entity::find()
            .filter(dashboard_session::Column::TokenHash.eq(digest(cookie)))
            .filter(dashboard_session::Column::ExpiresAt.gt(self.now()))
            .one(&self.db)
            .await?;
        Ok(row.and_then(|r| {
            let community = self.community_by_id(r.community_id)?.slug().to_owned();
            Some(Session {
                community,
                actor: r.actor,
                csrf: r.csrf,
                expires_at: r.expires_at,
            })
        }))
    }

    pub async fn sign_out(&self, cookie: &str) -> CoreResult<()> {
        dashboard_session::Entity::delete_many()
            .filter(dashboard_session::Column::TokenHash.eq(digest(cookie)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Community `slug`'s public statistics for today, if it publishes them.
    pub async fn public_stats(&self, slug: &str) -> CoreResult<Option<PublicStats>> {
        let ctx = self.ctx_for(slug)?;
        let Some(epsilon) = ctx.config.public_stats else {
            return Ok(None);
        };
        let now = self.now();
        let day = iso(now).chars().take(10).collect::<String>();
        let today = |m: &HashMap<i64, PublicStats>| m.get(&ctx.id).filter(|s| s.day == day).cloned();
        if let Some(s) = today(&self.released.lock()) {
            return Ok(Some(s));
        }
        let s = self.snapshot(slug).await?;
        let joined = member::Entity::find()
            .filter(member::Column::CommunityId.eq(ctx.id))
            .filter(member::Column::JoinedAt.gt(now - 30 * DAY))
            .count(&self.db)
            .await?;
        let counts = Counts {
            members: s.members,
            with_access: s.with_access,
            active_7_days: s.active_7_days,
            joined_30_days: joined,
        };
        let fresh = release(slug, day.clone(), epsilon, counts, &mut rand::rng());
        let mut m = self.released.lock();
        // Two requests may race to make today's release; the first stands.
        if let Some(s) = today(&m) {
            return Ok(Some(s));
        }
        m.insert(ctx.id, fresh.clone());
        Ok(Some(fresh))
    }

    /// The dashboard's figures for community `slug` as of now.
    pub async fn snapshot(&self, slug: &str) -> CoreResult<Snapshot> {
        let ctx = self.ctx_for(slug)?;
        // Daily activity counts may still be owed to their rows.
        self.flush_activity().await;
        snapshot(&self.db, ctx, self.now()).await
    }
}
