//! One free trial per person and community, however many accounts they link.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::{member, trial};
use crate::error::CoreResult;

pub async fn record<C: ConnectionTrait>(
    conn: &C,
    m: &member::Model,
    subscription: &str,
    at: i64,
) -> CoreResult<()> {
    let row = trial::ActiveModel {
        community_id: Set(m.community_id),
        person_id: Set(m.person_id),
        subscription_id: Set(subscription.to_owned()),
        started_at: Set(at),
        ..Default::default()
    };
    trial::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([trial::Column::CommunityId, trial::Column::PersonId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn used<C: ConnectionTrait>(conn: &C, m: &member::Model) -> CoreResult<bool> {
    Ok(trial::Entity::find()
        .filter(trial::Column::CommunityId.eq(m.community_id))
        .filter(trial::Column::PersonId.eq(m.person_id))
        .one(conn)
        .await?
        .is_some())
}
