//! Opening the database and bringing its schema up to date.

use std::time::Duration;

use lyceum_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

use crate::settings::redacted_url;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database at {url}: {reason}")]
    Open { url: String, reason: String },
    #[error("cannot migrate the database at {url}: {reason}")]
    Migrate { url: String, reason: String },
}

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbError> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // WAL lets readers proceed during a write; the busy timeout makes a
        // second writer wait instead of failing with "database is locked".
        opts.max_connections(4).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Checkpoints run on their own connection (below) instead
                // of inside whichever commit crosses the WAL's threshold,
                // where copying pages back and syncing stalled the
                // activity writer for tens of milliseconds.
                .pragma("wal_autocheckpoint", "0")
                // 64 MiB of pages per connection (the default is 2 MiB):
                // a batch of activity touches a page of the ledger's member
                // index per entry, and with a small cache pages were
                // written out and read back within one transaction.
                .pragma("cache_size", "-65536")
        });
    } else {
        // Named in every score-change notice this process's sessions cause
        // (see engage::writing::follow), so it can pass over its own.
        let tag = instance_tag();
        opts.max_connections(10)
            .map_sqlx_postgres_opts(move |o| o.options([("lyceum.instance", tag.as_str())]));
    }
    let open_err = |e: sea_orm::DbErr| DbError::Open {
        url: redacted_url(url),
        reason: clean(&e),
    };
    let db = Database::connect(opts).await.map_err(open_err)?;
    // Connecting can succeed lazily; a real query surfaces a corrupt file now.
    db.execute_unprepared("SELECT 1").await.map_err(open_err)?;
    if url.starts_with("sqlite:") {
        tokio::spawn(checkpoints(db.clone()));
    }
    Ok(db)
}

/// Unique enough among the instances of one database: the process id and
/// the time the connection was opened.
fn instance_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{}-{nanos:x}", std::process::id())
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Copies committed pages from the WAL into the database file without
/// waiting for writers or readers (PASSIVE), so commits never do this work
/// themselves and the WAL starts over whenever writes pause. Under writes
/// back to back with no pause it never starts over and keeps growing:
/// emptying it then means holding the writer while the last pages are
/// copied and synced, 35 to 60 ms each time in the award bench, which took
/// the longest wait at half the baseline's rate from about 90 ms to
/// between 129 and 248 ms, so it is not done. Ends when the pool is closed.
async fn checkpoints(db: DatabaseConnection) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await {
            if matches!(e, sea_orm::DbErr::ConnectionAcquire(_)) {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
        }
    }
}

pub async fn migrate(db: &DatabaseConnection, url: &str) -> Result<(), DbError> {
    Migrator::up(db, None).await.map_err(|e| DbError::Migrate {
        url: redacted_url(url),
        reason: clean(&e),
    })
}

pub async fn open_and_migrate(url: &str) -> Result<DatabaseConnection, DbError> {
    let db = connect(url).await?;
    migrate(&db, url).await?;
    Ok(db)
}

// Driver errors nest several layers of wrappers; the innermost text is the
// one a person can act on ("file is not a database").
fn clean(e: &sea_orm::DbErr) -> String {
    let text = e.to_string();
    let inner = text.rsplit(": ").next().unwrap_or(&text).trim();
    // SQLite prefixes its result code: "26) file is not a database".
    let inner = match inner.split_once(") ") {
        Some((code, rest)) if code.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => inner,
    };
    if inner.contains("timed out") {
        format!("{inner} (is the server running and reachable?)")
    } else {
        inner.to_owned()
    }
}
