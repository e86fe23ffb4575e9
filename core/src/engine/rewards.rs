//! What the points shop hands out after the redemption's transaction.
//! Coupons: the points are spent and the code recorded in that transaction;
//! the code is created at the payment provider afterwards, and again by the
//! scheduler for as long as the provider could not be reached. Timed perks:
//! revoked by the scheduler when their days are over.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::Core;
use crate::config::RewardKind;
use crate::engage::rules::honours;
use crate::engage::writing::fold::fold;
use crate::entity::kinds::RedemptionStatus;
use crate::entity::{coupon, member, perk_grant, redemption};
use crate::error::CoreResult;
use crate::payments::CouponRequest;
use crate::periods::Keys;
use crate::reply::{Delivered, Reply};
use crate::store::access::{held_perks, notify_person, perk_diff};
use crate::store::sync::CommunityCtx;

const CREATED_BY: &str = "points-shop";

impl Core {
    /// Creates the coupon a fresh redemption bought, and says whether it is
    /// ready or still pending.
    pub(super) async fn fulfil_coupon(&self, ctx: &CommunityCtx, reply: Reply) -> Reply {
        let Reply::Redeemed {
            reward,
            price,
            balance,
            delivered:
                Delivered::Coupon {
                    code,
                    percent,
                    months,
                    pending: true,
                },
        } = reply
        else {
            return reply;
        };
        let ready = self.create_coupon_for(ctx, &code, percent, months).await;
        Reply::Redeemed {
            reward,
            price,
            balance,
            delivered: Delivered::Coupon {
                code,
                percent,
                months,
                pending: !ready,
            },
        }
    }

    async fn create_coupon_for(
        &self,
        ctx: &CommunityCtx,
        code: &str,
        percent: u32,
        months: Option<u32>,
    ) -> bool {
        let Some(billing) = &self.billing else {
            return false;
        };
        let req = CouponRequest {
            community: ctx.slug().to_owned(),
            code: code.to_owned(),
            percent_off: percent,
            months,
            actor: CREATED_BY.to_owned(),
        };
        let coupon_id = match billing.create_coupon(&req).await {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(community = %ctx.slug(), error = %e, "coupon bought with points is still pending");
                return false;
            }
        };
        let recorded = async {
            coupon::Entity::insert(coupon::ActiveModel {
                community_id: Set(ctx.id),
                provider: Set(billing.provider().to_owned()),
                coupon_id: Set(coupon_id),
                code: Set(code.to_owned()),
                percent_off: Set(i32::try_from(percent).unwrap_or(0)),
                created_by: Set(CREATED_BY.to_owned()),
                created_at: Set(self.clock.now()),
                ..Default::default()
            })
            .exec_without_returning(&self.db)
            .await?;
            redemption::Entity::update_many()
                .col_expr(
                    redemption::Column::Status,
                    Expr::value(RedemptionStatus::Done.as_str()),
                )
                .filter(redemption::Column::Detail.eq(code))
                .exec(&self.db)
                .await?;
            CoreResult::Ok(())
        };
        match recorded.await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(community = %ctx.slug(), error = %e, "coupon created but not recorded; it will be created again");
                false
            }
        }
    }

    /// Ends perks granted for a time (shop rewards) whose time is up, each
    /// in its own transaction with the revoke it causes. Returns how many.
    pub async fn expire_perk_grants(&self) -> CoreResult<u32> {
        let now = self.clock.now();
        let due = perk_grant::Entity::find()
            .filter(perk_grant::Column::Until.lte(now))
            .all(&self.db)
            .await?;
        let mut ended = 0;
        for g in due {
            let Some(m) = member::Entity::find_by_id(g.member_id).one(&self.db).await? else {
                continue;
            };
            let Some(ctx) = self.community_by_id(m.community_id) else {
                continue;
            };
            let (_gate, txn) = self.engage.begin_write(&self.db).await?;
            let before = held_perks(&txn, ctx, &m).await?;
            let gone = perk_grant::Entity::delete_many()
                .filter(perk_grant::Column::Id.eq(g.id))
                .filter(perk_grant::Column::Until.lte(now))
                .exec(&txn)
                .await?;
            if gone.rows_affected == 1 {
                let effects = perk_diff(&before, &held_perks(&txn, ctx, &m).await?);
                notify_person(&txn, ctx, m.person_id, |_| effects.clone(), now).await?;
                ended += 1;
            }
            txn.commit().await?;
        }
        if ended > 0 {
            self.wake.notify_one();
        }
        Ok(ended)
    }

    /// Closes last week's boards once per community (weekly-top badges).
    /// Returns how many badges were awarded.
    pub async fn close_weeks(&self) -> CoreResult<u32> {
        let mut awarded = 0;
        for ctx in &self.communities {
            let (_gate, txn) = self.engage.begin_write(&self.db).await?;
            let now = self.clock.now();
            let keys = Keys::of(&ctx.config, now);
            // The week's best are read from the score rows: fold in what
            // they are owed first.
            let taken = if honours::week_to_close(&txn, ctx, now).await? {
                self.engage.take_all(ctx.id)
            } else {
                Vec::new()
            };
            let done = async {
                let rows = fold(&txn, ctx, &taken, &keys, now).await?;
                let n = honours::close_last_week(&txn, ctx, now).await?;
                txn.commit().await?;
                CoreResult::Ok((n, rows))
            }
            .await;
            awarded += self.engage.after_fold(ctx.id, taken, done, &keys)?;
        }
        if awarded > 0 {
            self.wake.notify_one();
        }
        Ok(awarded)
    }

    /// Retries coupons bought with points that the provider has not made
    /// yet. Returns how many are now ready.
    pub async fn fulfil_pending_redemptions(&self) -> CoreResult<u32> {
        let pending = redemption::Entity::find()
            .filter(redemption::Column::Status.eq(RedemptionStatus::Pending))
            .all(&self.db)
            .await?;
        let mut ready = 0;
        for r in pending {
            let Some(m) = member::Entity::find_by_id(r.member_id).one(&self.db).await? else {
                continue;
            };
            let Some(ctx) = self.community_by_id(m.community_id) else {
                continue;
            };
            let kind = ctx
                .config
                .shop
                .iter()
                .find(|s| s.key.as_str() == r.reward_key)
                .map(|s| &s.kind);
            let (Some(RewardKind::Coupon { percent, months }), Some(code)) = (kind, r.detail.as_deref())
            else {
                continue;
            };
            if self.create_coupon_for(ctx, code, *percent, *months).await {
                ready += 1;
            }
        }
        Ok(ready)
    }
}
