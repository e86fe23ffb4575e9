//! A connection of its own, opened like the pool's and never retired by
//! it, for work that depends on staying on one session.
//!
//! SQLite throws away a connection's page cache whenever another
//! connection has written since it last read, and a pool hands out its
//! connections in turn, so a busy writer on pooled connections would start
//! batch after batch from a cold cache and read the ledger's index pages
//! again. On PostgreSQL a session-level advisory lock lasts exactly as long
//! as its session.

use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::{DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector};

/// One connection opened like `db`'s; for another backend, `db` itself.
pub fn own_connection(db: &DatabaseConnection) -> DatabaseConnection {
    fn single<DB: sea_orm::sqlx::Database>() -> PoolOptions<DB> {
        PoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    }
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let options = db.get_sqlite_connection_pool().connect_options();
            SqlxSqliteConnector::from_sqlx_sqlite_pool(single().connect_lazy_with((*options).clone()))
        }
        DbBackend::Postgres => {
            let options = db.get_postgres_connection_pool().connect_options();
            SqlxPostgresConnector::from_sqlx_postgres_pool(single().connect_lazy_with((*options).clone()))
        }
        _ => db.clone(),
    }
}
