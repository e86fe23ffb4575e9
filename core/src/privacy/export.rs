//! Everything kept about one person, as JSON: identities, and for each
//! community they belong to, membership, history, points, engagement,
//! lessons, questions, referrals, payments and subscriptions.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use serde_json::{Value, json};

use crate::clock::iso;
use crate::entity::{
    activity_day, activity_limit, badge, billing_customer, chat_presence, checkin, completion, entitlement,
    history, identity, ledger, lesson_unlock, member, perk_grant, purchase, question, redemption, referral,
    referral_code, reminder, revenue, score, subscription, trial,
};
use crate::error::CoreResult;
use crate::store::sync::CommunityCtx;

async fn json<E: EntityTrait, C: ConnectionTrait>(conn: &C, select: Select<E>) -> CoreResult<Vec<Value>> {
    Ok(select.into_json().all(conn).await?)
}

/// One membership's rows, each table under its own name.
async fn membership<C: ConnectionTrait>(
    conn: &C,
    m: &member::Model,
    slug: Option<&str>,
) -> CoreResult<Value> {
    let id = m.id;
    Ok(json!({
        "community": slug,
        "member": id,
        "joined_at": iso(m.joined_at),
        "entitlement": json(conn, entitlement::Entity::find().filter(entitlement::Column::MemberId.eq(id))).await?,
        "history": json(conn, history::Entity::find().filter(history::Column::MemberId.eq(id)).order_by_asc(history::Column::Id)).await?,
        "points": json(conn, ledger::Entity::find().filter(ledger::Column::CommunityId.eq(m.community_id)).filter(ledger::Column::MemberId.eq(id)).order_by_asc(ledger::Column::Id)).await?,
        "score": json(conn, score::Entity::find().filter(score::Column::MemberId.eq(id))).await?,
        "badges": json(conn, badge::Entity::find().filter(badge::Column::MemberId.eq(id))).await?,
        "checkins": json(conn, checkin::Entity::find().filter(checkin::Column::MemberId.eq(id))).await?,
        "activity_days": json(conn, activity_day::Entity::find().filter(activity_day::Column::MemberId.eq(id))).await?,
        "activity_limits": json(conn, activity_limit::Entity::find().filter(activity_limit::Column::MemberId.eq(id))).await?,
        "perks": json(conn, perk_grant::Entity::find().filter(perk_grant::Column::MemberId.eq(id))).await?,
        "redemptions": json(conn, redemption::Entity::find().filter(redemption::Column::MemberId.eq(id))).await?,
        "completions": json(conn, completion::Entity::find().filter(completion::Column::MemberId.eq(id))).await?,
        "lesson_unlocks": json(conn, lesson_unlock::Entity::find().filter(lesson_unlock::Column::MemberId.eq(id))).await?,
        "questions": json(conn, question::Entity::find().filter(question::Column::MemberId.eq(id))).await?,
        "referral_codes": json(conn, referral_code::Entity::find().filter(referral_code::Column::MemberId.eq(id))).await?,
        "referrals_made": json(conn, referral::Entity::find().filter(referral::Column::ReferrerId.eq(id))).await?,
        "referred_by": json(conn, referral::Entity::find().filter(referral::Column::ReferredId.eq(id))).await?,
        "reminders": json(conn, reminder::Entity::find().filter(reminder::Column::MemberId.eq(id))).await?,
        "payments": json(conn, revenue::Entity::find().filter(revenue::Column::MemberId.eq(id))).await?,
        "purchases": json(conn, purchase::Entity::find().filter(purchase::Column::MemberId.eq(id))).await?,
        "subscriptions": json(conn, subscription::Entity::find().filter(subscription::Column::MemberId.eq(id))).await?,
        "billing_accounts": json(conn, billing_customer::Entity::find().filter(billing_customer::Column::MemberId.eq(id))).await?,
    }))
}

pub async fn person_data<C: ConnectionTrait>(
    conn: &C,
    communities: &[CommunityCtx],
    person_id: i64,
    now: i64,
) -> CoreResult<Value> {
    let identities = identity::Entity::find()
        .filter(identity::Column::PersonId.eq(person_id))
        .all(conn)
        .await?;
    let mut presence = Vec::new();
    for i in &identities {
        let select = chat_presence::Entity::find()
            .filter(chat_presence::Column::Platform.eq(i.platform.as_str()))
            .filter(chat_presence::Column::ExternalId.eq(i.external_id.as_str()));
        presence.extend(json(conn, select).await?);
    }
    let members = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .order_by_asc(member::Column::Id)
        .all(conn)
        .await?;
    let mut memberships = Vec::with_capacity(members.len());
    for m in &members {
        let slug = communities
            .iter()
            .find(|c| c.id == m.community_id)
            .map(CommunityCtx::slug);
        memberships.push(membership(conn, m, slug).await?);
    }
    let identities: Vec<Value> = identities
        .iter()
        .map(|i| {
            json!({
                "platform": i.platform, "id": i.external_id, "display_name": i.display_name,
                "locale": i.locale, "first_seen": iso(i.created_at),
                "chosen_community": i.chosen_community,
            })
        })
        .collect();
    Ok(json!({
        "exported_at": iso(now),
        "person": person_id,
        "identities": identities,
        "chat_presence": presence,
        "trials": json(conn, trial::Entity::find().filter(trial::Column::PersonId.eq(person_id))).await?,
        "memberships": memberships,
    }))
}
