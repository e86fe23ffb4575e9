//! What each command does, inside the transaction `Core::run` opened.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::catalogue::{Access, CATALOGUE};
use crate::clock::iso;
use crate::command::Command;
use crate::domain::{EntitlementStatus, IdentityRef, Locale};
use crate::engage::Engagement;
use crate::entity::{member, offer};
use crate::error::{CoreError, CoreResult, UserError};
use crate::linking;
use crate::payments::referrals;
use crate::reply::{PriceView, Reply, TierView};
use crate::store::access::{self, Cause, Change, tier_by_id, tier_name, tier_perks, tiers_of};
use crate::store::membership::{ensure_member, entitlement_of, find_member};
use crate::store::people::{ensure_identity, find_identity};
use crate::store::sync::CommunityCtx;
use crate::store::view::member_view;

use super::Invoker;

pub(super) struct Call<'a> {
    pub ctx: &'a CommunityCtx,
    pub all: &'a [CommunityCtx],
    pub invoker: &'a Invoker,
    pub admin: bool,
    /// May post lessons and reads every lesson at once (admins too).
    pub creator: bool,
    pub locale: Locale,
    pub now: i64,
    pub engage: &'a Engagement,
    /// Whether a payment provider is connected (coupon rewards need one).
    pub billing: bool,
    pub sign_in: Option<&'a crate::signin::SignInLinks>,
    /// The public URL, when members can sign in on the web to read.
    pub web: Option<&'a str>,
}

impl Call<'_> {
    pub(super) fn actor(&self) -> Option<String> {
        Some(self.invoker.identity.to_string())
    }

    pub(super) async fn own_member<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<member::Model> {
        let ident = find_identity(conn, &self.invoker.identity)
            .await?
            .ok_or(UserError::NotMember)?;
        Ok(find_member(conn, self.ctx.id, ident.person_id)
            .await?
            .ok_or(UserError::NotMember)?)
    }

    pub(super) async fn target<C: ConnectionTrait>(
        &self,
        conn: &C,
        who: &IdentityRef,
    ) -> CoreResult<member::Model> {
        let unknown = || UserError::UnknownMember {
            identity: who.to_string(),
        };
        let ident = find_identity(conn, who).await?.ok_or_else(unknown)?;
        Ok(find_member(conn, self.ctx.id, ident.person_id)
            .await?
            .ok_or_else(unknown)?)
    }

    pub async fn execute<C: ConnectionTrait>(&self, conn: &C, cmd: Command) -> CoreResult<Reply> {
        let (ctx, now, locale) = (self.ctx, self.now, self.locale);
        match cmd {
            Command::Help => {
                let mut commands: Vec<_> = CATALOGUE
                    .iter()
                    .filter(|c| match c.access {
                        Access::Member => true,
                        Access::Admin => self.admin,
                        Access::Creator => self.creator,
                    })
                    .collect();
                // Everyone's commands first, then creators', then admins'.
                commands.sort_by_key(|c| match c.access {
                    Access::Member => 0,
                    Access::Creator => 1,
                    Access::Admin => 2,
                });
                Ok(Reply::Help { commands })
            }
            Command::Tiers => Ok(Reply::Tiers {
                community: ctx.config.name.get(locale, ctx.config.default_locale).to_owned(),
                tiers: tier_views(conn, ctx, locale).await?,
            }),
            Command::Join { code } => {
                let (m, created) = self.invoker.membership(conn, ctx.id, now).await?;
                if let Some(code) = code {
                    referrals::record(conn, &m, &code, now).await?;
                }
                Ok(Reply::Joined {
                    community: ctx.config.name.get(locale, ctx.config.default_locale).to_owned(),
                    already: !created,
                })
            }
            Command::Me => {
                let m = self.own_member(conn).await?;
                Ok(Reply::Me(Box::new(
                    member_view(conn, ctx, &m, locale, now).await?,
                )))
            }
            Command::Points => self.points(conn).await,
            Command::Leaderboard { board, page } => self.leaderboard(conn, board, page).await,
            Command::Rank { board } => self.rank(conn, board).await,
            Command::Checkin => self.checkin(conn).await,
            Command::Badges => self.badges(conn).await,
            Command::Shop => self.shop(conn).await,
            Command::Redeem { reward } => self.redeem(conn, reward.as_str()).await,
            Command::Link { code: None } => {
                let ident = self.invoker.account(conn, now).await?;
                let code = linking::create_code(conn, ident.person_id, now).await?;
                Ok(Reply::LinkCode {
                    code,
                    minutes: linking::CODE_TTL_SECS / 60,
                })
            }
            Command::Link { code: Some(code) } => {
                let identities = linking::redeem(
                    conn,
                    self.all,
                    &code,
                    &self.invoker.identity,
                    self.invoker.display_name.as_deref(),
                    self.invoker.locale,
                    now,
                )
                .await?;
                Ok(Reply::Linked { identities })
            }
            Command::Grant { user, tier, days } => {
                let tiers = tiers_of(conn, ctx.id).await?;
                let Some(t) = tiers.iter().find(|t| t.key == tier.as_str()).cloned() else {
                    return Err(access::unknown_tier(&tier, &tiers).into());
                };
                let ident = ensure_identity(conn, &user, None, None, now).await?;
                let (m, _) = ensure_member(conn, ctx.id, ident.person_id, self.actor(), now).await?;
                let until = days.map(|d| now + d * 86_400);
                let name = tier_name(ctx, &t, locale);
                let change = Change {
                    tier: Some(t),
                    status: EntitlementStatus::Active,
                    access_until: until,
                    cause: Cause::AdminGrant,
                    actor: self.actor(),
                    note: None,
                    portal_url: None,
                };
                access::apply(conn, ctx, &m, change, now).await?;
                Ok(Reply::Granted {
                    identity: user.to_string(),
                    tier: name,
                    access_until: until.map(iso),
                })
            }
            Command::PrivacyExport => Box::pin(self.privacy_export(conn)).await,
            Command::PrivacyDelete { confirm } => {
                Box::pin(self.privacy_delete(conn, &self.invoker.identity, confirm)).await
            }
            Command::Erase { user } => Box::pin(self.privacy_delete(conn, &user, true)).await,
            Command::Dashboard => {
                let links = self.sign_in.ok_or(UserError::DashboardOff)?;
                let me = self.invoker.identity.to_string();
                Ok(Reply::DashboardLink {
                    url: links.issue(ctx.slug(), &me, true, now),
                    minutes: crate::signin::LINK_TTL_SECS / 60,
                })
            }
            Command::Revoke { user } => {
                let m = self.target(conn, &user).await?;
                let e = entitlement_of(conn, m.id).await?;
                let live = e.as_ref().filter(|e| e.status.has_access(e.access_until, now));
                let Some(e) = live else {
                    return Err(UserError::NothingToRevoke {
                        identity: user.to_string(),
                    }
                    .into());
                };
                let change = Change {
                    tier: tier_by_id(conn, e.tier_id).await?,
                    status: EntitlementStatus::Expired,
                    access_until: Some(now),
                    cause: Cause::AdminRevoke,
                    actor: self.actor(),
                    note: None,
                    portal_url: None,
                };
                access::apply(conn, ctx, &m, change, now).await?;
                Ok(Reply::Revoked {
                    identity: user.to_string(),
                })
            }
            Command::Award { user, points, reason } => self.award(conn, user, points, reason).await,
            Command::Member { user } => {
                let m = self.target(conn, &user).await?;
                Ok(Reply::Member(Box::new(
                    member_view(conn, ctx, &m, locale, now).await?,
                )))
            }
            Command::Invite => {
                let (m, _) = self.invoker.membership(conn, ctx.id, now).await?;
                Ok(Reply::Invite {
                    code: referrals::code_of(conn, &m).await?,
                    referred: referrals::count_referred(conn, m.id).await?,
                })
            }
            // Boxed: these futures are large, and a command's future is as
            // large as its largest arm, on every call.
            Command::LessonPost { lesson, draft } => Box::pin(self.lesson_post(conn, lesson, draft)).await,
            Command::LessonEdit { lesson, draft } => Box::pin(self.lesson_edit(conn, lesson, draft)).await,
            Command::LessonRemove { lesson } => Box::pin(self.lesson_remove(conn, lesson)).await,
            Command::Lessons => Box::pin(self.lessons(conn)).await,
            Command::Unlock { lesson, with } => Box::pin(self.unlock(conn, lesson, with)).await,
            Command::Course { course } => Box::pin(self.course_cmd(conn, course)).await,
            Command::Progress => Box::pin(self.progress(conn)).await,
            Command::Complete { lesson } => Box::pin(self.complete(conn, lesson)).await,
            Command::Next => Box::pin(self.next(conn)).await,
            Command::Ask { question } => Box::pin(self.ask(conn, question)).await,
            Command::Questions => Box::pin(self.questions(conn)).await,
            Command::Answer { question, answer } => Box::pin(self.answer(conn, question, answer)).await,
            Command::Digest => Box::pin(self.digest(conn)).await,
            Command::Highlight { item, note } => Box::pin(self.highlight(conn, item, note)).await,
            Command::Unhighlight { highlight } => Box::pin(self.unhighlight(conn, highlight)).await,
            Command::Subscribe { .. }
            | Command::Buy { .. }
            | Command::Billing
            | Command::Cancel
            | Command::Coupon { .. }
            | Command::Refund { .. } => Err(CoreError::Corrupt(format!(
                "/{} reached the transactional executor; it talks to the payment provider",
                cmd.name()
            ))),
        }
    }
}

pub(super) async fn tier_views<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    locale: Locale,
) -> CoreResult<Vec<TierView>> {
    let offers = offer::Entity::find()
        .filter(offer::Column::CommunityId.eq(ctx.id))
        .filter(offer::Column::Active.eq(true))
        .all(conn)
        .await?;
    Ok(tiers_of(conn, ctx.id)
        .await?
        .into_iter()
        .map(|t| TierView {
            key: t.key.clone(),
            name: tier_name(ctx, &t, locale),
            rank: t.rank,
            perks: tier_perks(&t),
            prices: offers
                .iter()
                .filter(|o| o.tier_id == Some(t.id))
                .map(price_view)
                .collect(),
        })
        .collect())
}

pub(super) fn price_view(o: &offer::Model) -> PriceView {
    PriceView {
        offer: o.key.clone(),
        kind: o.kind.as_str().to_owned(),
        amount: o.amount_minor,
        currency: o.currency.clone(),
        display: crate::domain::money::price_text(o.amount_minor, &o.currency),
    }
}

/// Expires one member's entitlement if it is still due at `now`. Returns
/// whether it did; a concurrent renewal makes this a no-op.
pub(super) async fn expire_one<'a, C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    now: i64,
    community: impl Fn(i64) -> Option<&'a CommunityCtx>,
) -> CoreResult<bool> {
    let Some(m) = member::Entity::find_by_id(member_id).one(conn).await? else {
        return Ok(false);
    };
    let Some(ctx) = community(m.community_id) else {
        tracing::warn!(
            member = m.id,
            community = m.community_id,
            "cannot expire: community not configured"
        );
        return Ok(false);
    };
    let Some(e) = entitlement_of(conn, m.id).await? else {
        return Ok(false);
    };
    let status = e.status;
    let due = status.may_grant_access() && e.access_until.is_some_and(|u| u <= now);
    if !due {
        return Ok(false);
    }
    let change = Change {
        tier: tier_by_id(conn, e.tier_id).await?,
        status: EntitlementStatus::Expired,
        access_until: e.access_until,
        cause: Cause::Expiry,
        actor: None,
        note: None,
        portal_url: None,
    };
    access::apply(conn, ctx, &m, change, now).await?;
    Ok(true)
}
