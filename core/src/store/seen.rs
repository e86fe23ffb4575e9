//! Platform updates already taken in, so a redelivered one changes nothing.
//! The keys are recorded in the caller's transaction: with the points an
//! update brought, they commit or roll back together.

use std::collections::HashSet;

use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::seen_update::{Column, Entity};
use crate::error::{CoreError, CoreResult};

/// Records `keys` as seen at `at` and returns those seen for the first time.
/// Concurrent transactions recording one key (two instances behind one
/// webhook) both wait on its unique index, so only one of them gets it back.
pub async fn first_seen<C: ConnectionTrait>(conn: &C, keys: &[&str], at: i64) -> CoreResult<HashSet<String>> {
    // In one order everywhere, so two instances' batches wait on each
    // other's keys in turn instead of deadlocking.
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    let mut fresh = HashSet::new();
    for chunk in keys.chunks(500) {
        let mut insert = Query::insert();
        insert
            .into_table(Entity)
            .columns([Column::UpdateKey, Column::SeenAt])
            .on_conflict(OnConflict::column(Column::UpdateKey).do_nothing().to_owned())
            .returning_col(Column::UpdateKey);
        for key in chunk {
            insert
                .values([(*key).into(), at.into()])
                .map_err(|e| CoreError::Corrupt(e.to_string()))?;
        }
        for row in conn.query_all(&insert).await? {
            fresh.insert(row.try_get::<String>("", "update_key")?);
        }
    }
    Ok(fresh)
}

/// Forgets updates seen before `before`; returns how many.
pub async fn forget_before<C: ConnectionTrait>(conn: &C, before: i64) -> CoreResult<u64> {
    let done = Entity::delete_many()
        .filter(Column::SeenAt.lt(before))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}
