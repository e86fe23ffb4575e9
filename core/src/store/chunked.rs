//! Reads keyed by long lists of ids. Each query carries at most a thousand
//! ids, which keeps it within SQLite's bound-parameter limit and
//! PostgreSQL's planner comfortable, whatever the batch size.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};

use crate::error::CoreResult;

const IDS_PER_QUERY: usize = 1_000;

/// The rows `select` finds whose `column` is one of `ids`.
pub async fn rows_in<E, C>(
    conn: &C,
    select: Select<E>,
    column: E::Column,
    ids: &[i64],
) -> CoreResult<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let found = select
            .clone()
            .filter(column.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        out.extend(found);
    }
    Ok(out)
}
