//! Which instance runs the periodic jobs when several share one PostgreSQL:
//! the one holding a session advisory lock, on a connection kept for it
//! alone. The lock lives as long as that session, so an instance that
//! dies or loses its connection frees it, and another takes it on its next
//! pass. SQLite is one process: it always leads.

use lyceum_core::store::own::own_connection;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The advisory lock's key ("LYCE"); below 2³², so pg_locks shows it as
/// objid with classid 0.
pub const KEY: i64 = 0x4C59_4345;

pub struct Leadership {
    /// The session that holds (or tries for) the lock; `None` on SQLite.
    session: Option<DatabaseConnection>,
    held: bool,
}

impl Leadership {
    pub fn new(db: &DatabaseConnection) -> Leadership {
        // Its own session: the lock must not go with a connection the pool
        // recycles, nor be shared with other work.
        let session = (db.get_database_backend() == DbBackend::Postgres).then(|| own_connection(db));
        Leadership { session, held: false }
    }

    /// Whether this instance should run the jobs now: it holds the lock,
    /// still, or has just taken it.
    pub async fn lead(&mut self) -> bool {
        let Some(session) = &self.session else {
            return true;
        };
        // Asked of the session itself: a pool may have replaced a broken
        // connection with a new one that holds nothing.
        let sql = if self.held {
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
             AND pid = pg_backend_pid() AND classid = 0 AND objid = $1 AND granted) AS held"
        } else {
            "SELECT pg_try_advisory_lock($1) AS held"
        };
        let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, [KEY.into()]);
        let now = match session.query_one_raw(stmt).await {
            Ok(Some(row)) => row.try_get::<bool>("", "held").unwrap_or(false),
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "cannot reach PostgreSQL for the scheduler lock");
                false
            }
        };
        match (self.held, now) {
            (false, true) => {
                tracing::info!("this instance now runs the periodic jobs (scheduler lock taken)");
            }
            (true, false) => {
                tracing::warn!("scheduler lock lost; another instance will run the periodic jobs");
            }
            _ => {}
        }
        self.held = now;
        now
    }
}
