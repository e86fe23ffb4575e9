//! Referrals (分销): a member's personal code, the referral it records when a
//! new member joins with it, the credit for the referred member's first
//! payment, and the claw-back when that money is returned.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::engage::rules::settle::award_points;
use crate::entity::kinds::LedgerSource;
use crate::entity::{member, referral, referral_code};
use crate::error::{CoreResult, UserError};
use crate::store::scores::balance;
use crate::store::sync::CommunityCtx;

/// The member's referral code, made on first use.
pub async fn code_of<C: ConnectionTrait>(conn: &C, m: &member::Model) -> CoreResult<String> {
    if let Some(row) = referral_code::Entity::find()
        .filter(referral_code::Column::MemberId.eq(m.id))
        .one(conn)
        .await?
    {
        return Ok(row.code);
    }
    let code = format!("R{}{}", m.id, crate::domain::code::random_code(6));
    referral_code::ActiveModel {
        member_id: Set(m.id),
        code: Set(code.clone()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(code)
}

/// Records that `referred` came through `code`. Refused for an unknown code,
/// a code from another community, one's own code (across linked accounts),
/// or a member who was referred already or has paid before.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    referred: &member::Model,
    code: &str,
    now: i64,
) -> CoreResult<()> {
    let code = code.trim().to_ascii_uppercase();
    let invalid = || UserError::ReferralInvalid { code: code.clone() };
    let row = referral_code::Entity::find()
        .filter(referral_code::Column::Code.eq(code.as_str()))
        .one(conn)
        .await?
        .ok_or_else(invalid)?;
    let referrer = member::Entity::find_by_id(row.member_id)
        .one(conn)
        .await?
        .filter(|r| r.community_id == referred.community_id)
        .ok_or_else(invalid)?;
    if referrer.person_id == referred.person_id {
        return Err(UserError::SelfReferral.into());
    }
    let already = referral::Entity::find()
        .filter(referral::Column::ReferredId.eq(referred.id))
        .one(conn)
        .await?
        .is_some();
    if already || super::revenue::has_paid(conn, referred.id).await? {
        return Err(UserError::ReferralTooLate.into());
    }
    referral::ActiveModel {
        community_id: Set(referred.community_id),
        referrer_id: Set(referrer.id),
        referred_id: Set(referred.id),
        created_at: Set(now),
        credit_ref: Set(None),
        credit_points: Set(None),
        credit_minor: Set(None),
        currency: Set(None),
        credited_at: Set(None),
        clawed_back_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

pub async fn count_referred<C: ConnectionTrait>(conn: &C, referrer_id: i64) -> CoreResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(referral::Entity::find()
        .filter(referral::Column::ReferrerId.eq(referrer_id))
        .count(conn)
        .await?)
}

fn ctx_of(communities: &[CommunityCtx], id: i64) -> Option<&CommunityCtx> {
    communities.iter().find(|c| c.id == id)
}

/// Credits the referrer once, for the referred member's first payment.
pub async fn credit_first_payment<C: ConnectionTrait>(
    conn: &C,
    communities: &[CommunityCtx],
    referred: &member::Model,
    payment: &str,
    amount_minor: i64,
    currency: &str,
    now: i64,
) -> CoreResult<()> {
    let Some(r) = referral::Entity::find()
        .filter(referral::Column::ReferredId.eq(referred.id))
        .filter(referral::Column::CreditedAt.is_null())
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    let Some(ctx) = ctx_of(communities, r.community_id) else {
        return Ok(());
    };
    let Some(referrer) = member::Entity::find_by_id(r.referrer_id).one(conn).await? else {
        return Ok(());
    };
    let billing = &ctx.config.billing;
    let points = billing.referral_points;
    let commission = amount_minor.saturating_mul(i64::from(billing.referral_commission_percent)) / 100;
    if points > 0 {
        award_points(
            conn,
            ctx,
            &referrer,
            points,
            LedgerSource::Referral,
            "referral",
            now,
        )
        .await?;
    }
    let mut a: referral::ActiveModel = r.into();
    a.credit_ref = Set(Some(payment.to_owned()));
    a.credit_points = Set((points > 0).then_some(points));
    a.credit_minor = Set((commission > 0).then_some(commission));
    a.currency = Set((commission > 0).then(|| currency.to_owned()));
    a.credited_at = Set(Some(now));
    a.update(conn).await?;
    Ok(())
}

/// Takes back a referral credit when the referred member's money is
/// returned. Points are taken back only as far as the balance allows.
pub async fn claw_back<C: ConnectionTrait>(
    conn: &C,
    communities: &[CommunityCtx],
    referred: &member::Model,
    now: i64,
) -> CoreResult<()> {
    let Some(r) = referral::Entity::find()
        .filter(referral::Column::ReferredId.eq(referred.id))
        .filter(referral::Column::CreditedAt.is_not_null())
        .filter(referral::Column::ClawedBackAt.is_null())
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    if let (Some(ctx), Some(points)) = (ctx_of(communities, r.community_id), r.credit_points)
        && let Some(referrer) = member::Entity::find_by_id(r.referrer_id).one(conn).await?
    {
        let take = points.min(balance(conn, referrer.id).await?.max(0));
        if take > 0 {
            award_points(
                conn,
                ctx,
                &referrer,
                -take,
                LedgerSource::Referral,
                "referral refunded",
                now,
            )
            .await?;
        }
    }
    let mut a: referral::ActiveModel = r.into();
    a.clawed_back_at = Set(Some(now));
    a.update(conn).await?;
    Ok(())
}
