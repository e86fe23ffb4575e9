//! Signing in on a community's public page with Telegram. The page starts a
//! visit and links to `t.me/<bot>?start=w_<nonce>`; the bot, seeing that
//! `/start`, records who pressed Start; the page, which has the nonce in a
//! cookie, then opens a member session for them. Each visit is claimed
//! once, by one Telegram account, within ten minutes, and opens one session.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{Core, Invoker};
use crate::domain::IdentityRef;
use crate::entity::web_visit;
use crate::error::CoreResult;
use crate::signin::random_hex;

/// What marks a `/start` payload as a web visit's.
pub const VISIT_PREFIX: &str = "w_";
/// How long a visit waits for its `/start`, and then for its page.
pub const VISIT_TTL_SECS: i64 = 600;

/// Where a visit stands, as its page asks.
#[derive(Debug)]
pub enum Visit {
    /// The bot has not seen the deep link yet.
    Waiting,
    /// Claimed: the cookie of the session it opened.
    Opened(String),
    /// Unknown, too old, or already used.
    Gone,
}

impl Core {
    /// A new visit to community `slug`'s page; its nonce goes into the
    /// deep link and the browser's cookie.
    pub async fn begin_visit(&self, slug: &str) -> CoreResult<String> {
        let ctx = self.ctx_for(slug)?;
        let nonce = random_hex(20);
        web_visit::Entity::insert(web_visit::ActiveModel {
            nonce: Set(nonce.clone()),
            community_id: Set(ctx.id),
            identity: Set(None),
            created_at: Set(self.now()),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(nonce)
    }

    /// Records that `who` pressed Start on visit `nonce`; the community it
    /// was for, or `None` for a visit that is unknown, old or claimed.
    pub(super) async fn claim_visit(&self, nonce: &str, who: &Invoker) -> CoreResult<Option<String>> {
        let claimed = web_visit::Entity::update_many()
            .col_expr(
                web_visit::Column::Identity,
                sea_orm::sea_query::Expr::value(who.identity.to_string()),
            )
            .filter(web_visit::Column::Nonce.eq(nonce))
            .filter(web_visit::Column::Identity.is_null())
            .filter(web_visit::Column::CreatedAt.gt(self.now() - VISIT_TTL_SECS))
            .exec(&self.db)
            .await?;
        if claimed.rows_affected != 1 {
            return Ok(None);
        }
        let row = web_visit::Entity::find_by_id(nonce.to_owned())
            .one(&self.db)
            .await?;
        tracing::info!(identity = %who.identity, "a web visit was claimed in Telegram");
        Ok(row
            .and_then(|r| self.community_by_id(r.community_id))
            .map(|c| c.slug().to_owned()))
    }

    /// Where visit `nonce` stands; a claimed visit opens its session now,
    /// once.
    pub async fn visit(&self, nonce: &str) -> CoreResult<Visit> {
        let row = web_visit::Entity::find_by_id(nonce.to_owned())
            .filter(web_visit::Column::CreatedAt.gt(self.now() - VISIT_TTL_SECS))
            .one(&self.db)
            .await?;
        let Some(row) = row else { return Ok(Visit::Gone) };
        let Some(identity) = row.identity.as_deref() else {
            return Ok(Visit::Waiting);
        };
        // Whoever deletes the row opens the session; a second poll finds
        // nothing.
        let taken = web_visit::Entity::delete_many()
            .filter(web_visit::Column::Nonce.eq(nonce))
            .exec(&self.db)
            .await?;
        let (Ok(who), 1, Some(ctx)) = (
            identity.parse::<IdentityRef>(),
            taken.rows_affected,
            self.community_by_id(row.community_id),
        ) else {
            return Ok(Visit::Gone);
        };
        let slug = ctx.slug().to_owned();
        let cookie = self.open_member_session(&slug, &Invoker::new(who)).await?;
        Ok(Visit::Opened(cookie))
    }

    /// Whether visit `nonce` is young and still waits for its Start; it
    /// changes nothing.
    pub async fn visit_waiting(&self, nonce: &str) -> CoreResult<bool> {
        let row = web_visit::Entity::find_by_id(nonce.to_owned())
            .filter(web_visit::Column::CreatedAt.gt(self.now() - VISIT_TTL_SECS))
            .filter(web_visit::Column::Identity.is_null())
            .one(&self.db)
            .await?;
        Ok(row.is_some())
    }

    /// Deletes visits past their time.
    pub(super) async fn sweep_visits(&self) -> CoreResult<u64> {
        let gone = web_visit::Entity::delete_many()
            .filter(web_visit::Column::CreatedAt.lte(self.now() - VISIT_TTL_SECS))
            .exec(&self.db)
            .await?;
        Ok(gone.rows_affected)
    }
}
