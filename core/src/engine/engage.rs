//! The engagement commands, inside the transaction `Core::run` opened:
//! points, ranks and boards, check-ins, badges, admin awards and the shop.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::execute::Call;
use crate::clock::iso;
use crate::config::{Reward, RewardKind};
use crate::domain::{IdentityRef, code::random_code};
use crate::engage::rules::checkin::check_in;
use crate::engage::rules::levels::progress;
use crate::engage::rules::settle::{settle, tell_points};
use crate::entity::kinds::{GrantSource, LedgerSource, RedemptionStatus};
use crate::entity::{badge, ledger, member, perk_grant, redemption, shop_sale};
use crate::error::{CoreError, CoreResult, UserError};
use crate::periods::{Board, Keys, span};
use crate::reply::{BadgeView, Delivered, LeaderEntry, LedgerLine, RankView, Reply, RewardView};
use crate::store::access::{held_perks, notify_person, perk_diff};
use crate::store::people::{display_name, identities_of};
use crate::store::scores::{Posting, balance, post, score_of};

pub const PAGE_SIZE: usize = 10;
const RECENT: u64 = 5;

impl Call<'_> {
    pub(super) async fn points<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let m = self.own_member(conn).await?;
        let row = score_of(conn, m.id).await?;
        // By community too: the ledger's index leads with it.
        let recent = ledger::Entity::find()
            .filter(ledger::Column::CommunityId.eq(m.community_id))
            .filter(ledger::Column::MemberId.eq(m.id))
            .order_by_desc(ledger::Column::Id)
            .limit(RECENT)
            .all(conn)
            .await?
            .into_iter()
            .map(|l| LedgerLine {
                at: iso(l.at),
                delta: l.delta,
                source: l.source.as_str().to_owned(),
                reason: l.reason,
            })
            .collect();
        Ok(Reply::Points {
            balance: row.as_ref().map_or(0, |r| r.balance),
            rank: self.engage.place(self.ctx, Board::AllTime, m.id).map(|p| p.rank),
            level: row.map_or(0, |r| u32::try_from(r.level).unwrap_or(0)),
            recent,
        })
    }

    pub(super) async fn leaderboard<C: ConnectionTrait>(
        &self,
        conn: &C,
        board: Board,
        page: u32,
    ) -> CoreResult<Reply> {
        let offset = usize::try_from(page.saturating_sub(1))
            .unwrap_or(usize::MAX)
            .saturating_mul(PAGE_SIZE);
        let (rows, total) = self.engage.page(self.ctx, board, offset, PAGE_SIZE);
        let mut entries = Vec::new();
        for (i, (member_id, points)) in rows.into_iter().enumerate() {
            let name = match member::Entity::find_by_id(member_id).one(conn).await? {
                Some(m) => display_name(&identities_of(conn, m.person_id).await?),
                None => "?".to_owned(),
            };
            entries.push(LeaderEntry {
                rank: (offset + i + 1) as u64,
                name,
                points,
            });
        }
        let keys = Keys::of(&self.ctx.config, self.now);
        let span =
            span(&self.ctx.config, board, keys.get(board)).map(|(a, b)| (a.to_string(), b.to_string()));
        let pages = u32::try_from(total.div_ceil(PAGE_SIZE).max(1)).unwrap_or(u32::MAX);
        Ok(Reply::Leaderboard {
            board,
            span,
            page,
            pages,
            entries,
        })
    }

    pub(super) async fn rank<C: ConnectionTrait>(&self, conn: &C, board: Board) -> CoreResult<Reply> {
        let m = self.own_member(conn).await?;
        let row = score_of(conn, m.id).await?;
        let place = self.engage.place(self.ctx, board, m.id);
        let p = progress(&self.ctx.config.levels, row.as_ref().map_or(0, |r| r.earned));
        let badges = badge::Entity::find()
            .filter(badge::Column::MemberId.eq(m.id))
            .count(conn)
            .await?;
        Ok(Reply::Rank(Box::new(RankView {
            name: display_name(&identities_of(conn, m.person_id).await?),
            board,
            place: place.map(|p| (p.rank, p.of)),
            board_points: place.map_or(0, |p| p.points),
            level: p.level,
            into_level: p.into,
            level_needs: p.needed,
            balance: row.as_ref().map_or(0, |r| r.balance),
            streak: row.as_ref().map_or(0, |r| r.streak),
            badges: usize::try_from(badges).unwrap_or(usize::MAX),
        })))
    }

    pub(super) async fn checkin<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let (m, _) = self.invoker.membership(conn, self.ctx.id, self.now).await?;
        let done = check_in(conn, self.ctx, &m, self.now).await?;
        let c = &self.ctx.config;
        Ok(Reply::CheckedIn {
            points: done.points,
            streak: done.streak,
            best: done.best,
            balance: done.balance,
            badges: done
                .badges
                .iter()
                .filter_map(|k| c.badges.iter().find(|b| &b.key == k))
                .map(|b| b.name.get(self.locale, c.default_locale).to_owned())
                .collect(),
        })
    }

    pub(super) async fn badges<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let held: Vec<String> = match self.own_member(conn).await {
            Ok(m) => badge::Entity::find()
                .filter(badge::Column::MemberId.eq(m.id))
                .all(conn)
                .await?
                .into_iter()
                .map(|b| b.badge_key)
                .collect(),
            // Not a member yet: every badge is still open.
            Err(CoreError::User(UserError::NotMember)) => Vec::new(),
            Err(other) => return Err(other),
        };
        let c = &self.ctx.config;
        let (earned, open) = c
            .badges
            .iter()
            .map(|b| BadgeView {
                key: b.key.to_string(),
                name: b.name.get(self.locale, c.default_locale).to_owned(),
                rule: b.rule,
            })
            .partition(|b| held.contains(&b.key));
        Ok(Reply::Badges { earned, open })
    }

    pub(super) async fn award<C: ConnectionTrait>(
        &self,
        conn: &C,
        user: IdentityRef,
        points: i64,
        reason: String,
    ) -> CoreResult<Reply> {
        let max = self.ctx.config.points.admin_award_max;
        if points == 0 || points.abs() > max {
            return Err(UserError::AwardTooLarge { max }.into());
        }
        let m = self.target(conn, &user).await?;
        let keys = Keys::of(&self.ctx.config, self.now);
        let posting = Posting {
            member_id: m.id,
            delta: points,
            source: LedgerSource::AdminAward,
            reason: reason.clone(),
            actor: self.actor(),
            at: self.now,
        };
        let moved = post(conn, self.ctx.id, &keys, &[posting]).await?;
        let rows = settle(conn, self.ctx, moved, self.now, true).await?;
        let after = rows.first().map_or(0, |r| r.balance);
        tell_points(conn, self.ctx, &m, points, &reason, after, self.now).await?;
        Ok(Reply::Awarded {
            identity: user.to_string(),
            points,
            balance: after,
        })
    }

    fn reward(&self, key: &str) -> CoreResult<&Reward> {
        let shop = &self.ctx.config.shop;
        Ok(shop
            .iter()
            .find(|r| r.key.as_str() == key)
            .ok_or_else(|| UserError::UnknownReward {
                key: key.into(),
                available: shop.iter().map(|r| r.key.as_str()).collect::<Vec<_>>().join(", "),
            })?)
    }

    fn name_of(&self, r: &Reward) -> String {
        r.name.get(self.locale, self.ctx.config.default_locale).to_owned()
    }

    pub(super) async fn shop<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let sold = shop_sale::Entity::find()
            .filter(shop_sale::Column::CommunityId.eq(self.ctx.id))
            .all(conn)
            .await?;
        let rewards = self
            .ctx
            .config
            .shop
            .iter()
            .map(|r| RewardView {
                key: r.key.to_string(),
                name: self.name_of(r),
                price: r.price,
                left: r.stock.map(|stock| {
                    let gone = sold
                        .iter()
                        .find(|s| s.reward_key == r.key.as_str())
                        .map_or(0, |s| s.sold);
                    u64::try_from(i64::from(stock) - gone).unwrap_or(0)
                }),
                kind: r.kind.clone(),
            })
            .collect();
        let balance = match self.own_member(conn).await {
            Ok(m) => balance(conn, m.id).await?,
            Err(CoreError::User(UserError::NotMember)) => 0,
            Err(other) => return Err(other),
        };
        Ok(Reply::Shop { balance, rewards })
    }

    /// Counts one sale against the reward's stock; refuses when none is left.
    async fn take_stock<C: ConnectionTrait>(&self, conn: &C, r: &Reward) -> CoreResult<()> {
        let Some(stock) = r.stock else { return Ok(()) };
        let row = shop_sale::ActiveModel {
            community_id: Set(self.ctx.id),
            reward_key: Set(r.key.to_string()),
            sold: Set(1),
            ..Default::default()
        };
        let sold = shop_sale::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([shop_sale::Column::CommunityId, shop_sale::Column::RewardKey])
                    .value(
                        shop_sale::Column::Sold,
                        Expr::col((shop_sale::Entity, shop_sale::Column::Sold)).add(1),
                    )
                    .to_owned(),
            )
            .exec_with_returning(conn)
            .await?
            .sold;
        if sold > i64::from(stock) {
            return Err(UserError::OutOfStock {
                name: self.name_of(r),
            }
            .into());
        }
        Ok(())
    }

    pub(super) async fn redeem<C: ConnectionTrait>(&self, conn: &C, key: &str) -> CoreResult<Reply> {
        let r = self.reward(key)?;
        let m = self.own_member(conn).await?;
        let c = &self.ctx.config;
        let before = held_perks(conn, self.ctx, &m).await?;
        if let RewardKind::Offer { offer } = &r.kind
            && let Some(o) = c.offers.iter().find(|o| &o.key == offer)
            && !o.perks.is_empty()
            && o.perks.iter().all(|p| before.contains(p.as_str()))
        {
            return Err(UserError::AlreadyOwned {
                name: o.name.get(self.locale, c.default_locale).to_owned(),
            }
            .into());
        }
        if matches!(r.kind, RewardKind::Coupon { .. }) && !self.billing {
            return Err(UserError::PaymentsDisabled.into());
        }
        self.take_stock(conn, r).await?;
        let keys = Keys::of(c, self.now);
        let spend = Posting {
            member_id: m.id,
            delta: -r.price,
            source: LedgerSource::Redeem,
            reason: r.key.to_string(),
            actor: None,
            at: self.now,
        };
        let after = post(conn, self.ctx.id, &keys, &[spend]).await?;
        let balance = after.first().map_or(0, |(row, _)| row.balance);
        let (delivered, status) = match &r.kind {
            RewardKind::Perk { perk, days } => {
                let until = self
                    .grant(conn, m.id, perk.as_str(), Some(i64::from(*days) * 86_400))
                    .await?;
                let until = until.map(iso).unwrap_or_default();
                (
                    Delivered::Perk {
                        perk: perk.to_string(),
                        until,
                    },
                    RedemptionStatus::Done,
                )
            }
            RewardKind::Offer { offer } => {
                let o = c.offers.iter().find(|o| &o.key == offer);
                for p in o.map(|o| o.perks.as_slice()).unwrap_or_default() {
                    self.grant(conn, m.id, p.as_str(), None).await?;
                }
                let name = o.map_or_else(
                    || offer.to_string(),
                    |o| o.name.get(self.locale, c.default_locale).to_owned(),
                );
                (Delivered::Offer { name }, RedemptionStatus::Done)
            }
            RewardKind::Coupon { percent, months } => (
                Delivered::Coupon {
                    code: format!("PTS-{}", random_code(8)),
                    percent: *percent,
                    months: *months,
                    pending: true,
                },
                RedemptionStatus::Pending,
            ),
        };
        let detail = match &delivered {
            Delivered::Coupon { code, .. } => Some(code.clone()),
            _ => None,
        };
        redemption::Entity::insert(redemption::ActiveModel {
            member_id: Set(m.id),
            reward_key: Set(r.key.to_string()),
            price: Set(r.price),
            at: Set(self.now),
            status: Set(status),
            detail: Set(detail),
            ..Default::default()
        })
        .exec_without_returning(conn)
        .await?;
        let effects = perk_diff(&before, &held_perks(conn, self.ctx, &m).await?);
        if !effects.is_empty() {
            notify_person(conn, self.ctx, m.person_id, |_| effects.clone(), self.now).await?;
        }
        Ok(Reply::Redeemed {
            reward: self.name_of(r),
            price: r.price,
            balance,
            delivered,
        })
    }

    /// Grants `perk` from the shop for `secs` more (extending a running
    /// grant), or for good; returns the new end.
    async fn grant<C: ConnectionTrait>(
        &self,
        conn: &C,
        member_id: i64,
        perk: &str,
        secs: Option<i64>,
    ) -> CoreResult<Option<i64>> {
        let existing = perk_grant::Entity::find()
            .filter(perk_grant::Column::MemberId.eq(member_id))
            .filter(perk_grant::Column::Perk.eq(perk))
            .filter(perk_grant::Column::Source.eq(GrantSource::Shop))
            .one(conn)
            .await?;
        let until = match (secs, existing.as_ref().map(|g| g.until)) {
            (None, _) | (_, Some(None)) => None,
            (Some(secs), Some(Some(end))) => Some(std::cmp::max(end, self.now) + secs),
            (Some(secs), None) => Some(self.now + secs),
        };
        match existing {
            Some(g) => {
                perk_grant::Entity::update_many()
                    .col_expr(perk_grant::Column::Until, Expr::value(until))
                    .filter(perk_grant::Column::Id.eq(g.id))
                    .exec(conn)
                    .await?;
            }
            None => {
                perk_grant::Entity::insert(perk_grant::ActiveModel {
                    member_id: Set(member_id),
                    perk: Set(perk.to_owned()),
                    source: Set(GrantSource::Shop),
                    until: Set(until),
                    created_at: Set(self.now),
                    ..Default::default()
                })
                .exec_without_returning(conn)
                .await?;
            }
        }
        Ok(until)
    }
}
