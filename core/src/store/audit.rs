//! The audit log: admin and creator commands that changed something, with
//! who ran them, from which platform, and what they said.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::command::Command;
use crate::domain::IdentityRef;
use crate::entity::audit;
use crate::error::CoreResult;

/// How much of a command the log keeps: enough to recognise it, not a
/// lesson's whole body.
const DETAIL_CHARS: usize = 300;

/// What the log says a command was: its options as written, shortened.
pub fn detail(cmd: &Command) -> String {
    let full = format!("{cmd:?}");
    if full.chars().count() <= DETAIL_CHARS {
        full
    } else {
        full.chars().take(DETAIL_CHARS - 1).chain(['…']).collect()
    }
}

pub async fn record<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    actor: &IdentityRef,
    command: &str,
    detail: String,
    now: i64,
) -> CoreResult<()> {
    record_as(conn, community_id, &actor.to_string(), command, detail, now).await
}

/// Like [`record`], for an actor named otherwise than by an identity (an
/// erased person is `person:N`); the platform is what precedes the colon.
pub async fn record_as<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    actor: &str,
    command: &str,
    detail: String,
    now: i64,
) -> CoreResult<()> {
    let platform = actor.split_once(':').map_or(actor, |(p, _)| p);
    audit::Entity::insert(audit::ActiveModel {
        community_id: Set(community_id),
        actor: Set(actor.to_owned()),
        platform: Set(platform.to_owned()),
        command: Set(command.to_owned()),
        detail: Set(detail),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The newest `limit` entries of a community, newest first.
pub async fn recent<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    limit: u64,
) -> CoreResult<Vec<audit::Model>> {
    Ok(audit::Entity::find()
        .filter(audit::Column::CommunityId.eq(community_id))
        .order_by_desc(audit::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}
