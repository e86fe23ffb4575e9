//! Members of a community and their single entitlement row.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::domain::EntitlementStatus;
use crate::entity::{entitlement, history, member};
use crate::error::CoreResult;

pub async fn find_member<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    person_id: i64,
) -> CoreResult<Option<member::Model>> {
    Ok(member::Entity::find()
        .filter(member::Column::CommunityId.eq(community_id))
        .filter(member::Column::PersonId.eq(person_id))
        .one(conn)
        .await?)
}

/// Returns the member and whether it was created just now. A new member starts
/// with status `none` and a history entry saying they joined.
pub async fn ensure_member<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    person_id: i64,
    actor: Option<String>,
    now: i64,
) -> CoreResult<(member::Model, bool)> {
    if let Some(m) = find_member(conn, community_id, person_id).await? {
        return Ok((m, false));
    }
    let m = member::ActiveModel {
        community_id: Set(community_id),
        person_id: Set(person_id),
        joined_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    entitlement::ActiveModel {
        member_id: Set(m.id),
        tier_id: Set(None),
        status: Set(EntitlementStatus::None),
        access_until: Set(None),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    history::ActiveModel {
        member_id: Set(m.id),
        at: Set(now),
        from_status: Set(EntitlementStatus::None),
        to_status: Set(EntitlementStatus::None),
        from_tier: Set(None),
        to_tier: Set(None),
        access_until: Set(None),
        cause: Set(crate::entity::kinds::Cause::Join),
        actor: Set(actor),
        note: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((m, true))
}

pub async fn entitlement_of<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
) -> CoreResult<Option<entitlement::Model>> {
    Ok(entitlement::Entity::find()
        .filter(entitlement::Column::MemberId.eq(member_id))
        .one(conn)
        .await?)
}
