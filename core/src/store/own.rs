//! A connection of its own for a busy SQLite writer.
//!
//! SQLite throws away a connection's page cache whenever another
//! connection has written since it last read, and a pool hands out its
//! connections in turn, so batch after batch would start from a cold cache
//! and read the ledger's index pages again. A writer that keeps to one
//! connection finds them where its last commit left them.

use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::{DatabaseConnection, DbBackend, SqlxSqliteConnector};

/// One connection opened like `db`'s on SQLite; `db` itself elsewhere,
/// where the server keeps the cache.
pub fn own_connection(db: &DatabaseConnection) -> DatabaseConnection {
    if db.get_database_backend() != DbBackend::Sqlite {
        return db.clone();
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    let pool = PoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with((*options).clone());
    SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
}
