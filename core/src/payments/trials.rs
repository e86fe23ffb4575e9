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

/// Moves the loser's trials to the winner; where both had one in a
/// community, the winner's stands.
pub async fn merge<C: ConnectionTrait>(conn: &C, winner: i64, loser: i64) -> CoreResult<()> {
    let held: Vec<i64> = trial::Entity::find()
        .filter(trial::Column::PersonId.eq(winner))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| t.community_id)
        .collect();
    trial::Entity::delete_many()
        .filter(trial::Column::PersonId.eq(loser))
        .filter(trial::Column::CommunityId.is_in(held))
        .exec(conn)
        .await?;
    trial::Entity::update_many()
        .col_expr(trial::Column::PersonId, sea_orm::sea_query::Expr::value(winner))
        .filter(trial::Column::PersonId.eq(loser))
        .exec(conn)
        .await?;
    Ok(())
}
