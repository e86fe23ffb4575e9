//! Several instances on one PostgreSQL each keep boards in memory, and
//! each instance's boards take in the score rows that instance wrote. A
//! trigger (migration 13) announces every changed score row on a channel
//! when its transaction commits; this task re-reads the rows another
//! instance changed. Rows carry a version, so a notice that arrives after
//! a newer row was applied changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};

use crate::engage::Engagement;
use crate::entity::score;
use crate::error::CoreResult;
use crate::periods::Keys;
use crate::store::sync::CommunityCtx;

const CHANNEL: &str = "lyceum_scores";
/// Members re-read per query.
const PAGE: u64 = 1_000;

fn db_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Custom(format!("listening for score changes: {e}"))
}

/// Starts listening on PostgreSQL (None elsewhere). Called before the
/// boards are loaded, so a change committed while they load is announced
/// and taken in afterwards.
pub(crate) async fn listen(db: &DatabaseConnection) -> CoreResult<Option<PgListener>> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    Ok(Some(connect(db).await?))
}

async fn connect(db: &DatabaseConnection) -> CoreResult<PgListener> {
    let mut listener = PgListener::connect_with(db.get_postgres_connection_pool())
        .await
        .map_err(db_err)?;
    listener.listen(CHANNEL).await.map_err(db_err)?;
    Ok(listener)
}

/// A new listener, once the database answers again.
async fn reconnect(db: &DatabaseConnection) -> PgListener {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        match connect(db).await {
            Ok(listener) => return listener,
            Err(e) => tracing::warn!(error = %e, "cannot listen for score changes yet; trying again"),
        }
    }
}

/// The `lyceum.instance` setting of this instance's sessions, which the
/// trigger puts in each notice; empty where the connection sets none.
async fn own_tag(db: &DatabaseConnection) -> String {
    let asked = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT coalesce(current_setting('lyceum.instance', true), '') AS tag",
        ))
        .await;
    match asked {
        Ok(Some(row)) => row.try_get::<String>("", "tag").unwrap_or_default(),
        Ok(None) => String::new(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot tell this instance's tag; its own score changes are re-read too");
            String::new()
        }
    }
}

/// Changed members by community, from notices `<tag> <community> <member>`.
#[derive(Default)]
struct Changed(BTreeMap<i64, Vec<i64>>);

impl Changed {
    fn note(&mut self, payload: &str, own: &str) {
        let mut parts = payload.rsplitn(3, ' ');
        let (Some(member), Some(community), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
            return;
        };
        if !own.is_empty() && tag == own {
            return;
        }
        if let (Ok(c), Ok(m)) = (community.parse(), member.parse()) {
            self.0.entry(c).or_default().push(m);
        }
    }
}

/// Takes in other instances' score changes until the process ends.
pub(crate) async fn follow(
    engage: Arc<Engagement>,
    db: DatabaseConnection,
    communities: Vec<CommunityCtx>,
    mut listener: PgListener,
) {
    let own = own_tag(&db).await;
    loop {
        let mut changed = Changed::default();
        match listener.try_recv().await {
            Ok(Some(first)) => {
                changed.note(first.payload(), &own);
                // Whatever else has arrived goes into the same reads.
                while let Some(n) = listener.next_buffered() {
                    changed.note(n.payload(), &own);
                }
            }
            // The listener reconnected by itself; what was announced
            // meanwhile is lost.
            Ok(None) => {
                tracing::warn!("lost the connection that hears score changes; re-reading every score row");
                resync(&engage, &db, &communities).await;
                continue;
            }
            // It could not reconnect. A fresh one listens before the rows
            // are re-read, so nothing falls between the two.
            Err(e) => {
                tracing::warn!(error = %e, "cannot hear score changes; re-reading every score row once listening again");
                listener = reconnect(&db).await;
                resync(&engage, &db, &communities).await;
                continue;
            }
        }
        for ctx in &communities {
            let Some(mut ids) = changed.0.remove(&ctx.id) else {
                continue;
            };
            ids.sort_unstable();
            ids.dedup();
            // An import on another instance announces every member at once.
            for chunk in ids.chunks(usize::try_from(PAGE).unwrap_or(usize::MAX)) {
                if let Err(e) = engage.refresh(&db, ctx, chunk).await {
                    tracing::warn!(community = %ctx.slug(), error = %e, "another instance's score changes not taken in");
                }
            }
        }
    }
}

/// Re-reads every score row, after notices may have been missed, and
/// puts the rows on the boards as read. Members whose rows were deleted
/// meanwhile stay listed until the next restart.
async fn resync(engage: &Engagement, db: &DatabaseConnection, communities: &[CommunityCtx]) {
    for ctx in communities {
        let mut after = i64::MIN;
        loop {
            let page = score::Entity::find()
                .filter(score::Column::CommunityId.eq(ctx.id))
                .filter(score::Column::MemberId.gt(after))
                .order_by_asc(score::Column::MemberId)
                .limit(PAGE)
                .all(db)
                .await;
            let rows = match page {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(community = %ctx.slug(), error = %e, "score rows not re-read");
                    break;
                }
            };
            let Some(last) = rows.last() else { break };
            after = last.member_id;
            engage.apply(ctx.id, &rows, &Keys::of(&ctx.config, engage.now()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Changed;

    #[test]
    fn notices_of_other_instances_are_kept_and_our_own_passed_over() {
        let mut c = Changed::default();
        c.note("b-2 7 41", "a-1");
        c.note("a-1 7 42", "a-1");
        c.note(" 8 43", "a-1");
        c.note("garbage", "a-1");
        c.note("b-2 x 44", "a-1");
        assert_eq!(c.0.get(&7), Some(&vec![41]));
        assert_eq!(
            c.0.get(&8),
            Some(&vec![43]),
            "an untagged session's change is someone else's"
        );
        assert_eq!(c.0.len(), 2);
        let mut untagged = Changed::default();
        untagged.note("a-1 7 42", "");
        assert_eq!(
            untagged.0.get(&7),
            Some(&vec![42]),
            "without a tag of our own nothing is passed over"
        );
    }
}
