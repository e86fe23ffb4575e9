//! How accepted activity reaches the database. The writer task commits
//! events in batches; what happens in a batch's transaction is one of two
//! strategies, chosen once at start from the database (see `Strategy`).

pub(crate) mod deferred;
pub(crate) mod direct;
pub(crate) mod fold;
pub(crate) mod follow;
pub(crate) mod gate;
pub mod latency;
pub mod owed;
pub(crate) mod shared_limits;
pub(crate) mod writer;

use sea_orm::{DatabaseConnection, DbBackend};

use self::gate::Gate;

/// What a batch's transaction writes, and who may write at once. Chosen once
/// at start from the database; the writer and the engine ask it, never the
/// backend.
pub(crate) enum Strategy {
    /// SQLite (`deferred`): one writer at a time, queued at the gate;
    /// score rows follow the ledger in folds.
    Deferred(Gate),
    /// PostgreSQL (`direct`): score rows in the batch's own transaction,
    /// limits shared between instances, other instances' writes followed.
    Direct,
}

impl Strategy {
    /// `writes` is the connection the gate hands turns on.
    pub(crate) fn for_database(db: &DatabaseConnection, writes: DatabaseConnection) -> Strategy {
        match db.get_database_backend() {
            DbBackend::Sqlite => Strategy::Deferred(Gate::new(writes)),
            _ => Strategy::Direct,
        }
    }

    pub(crate) fn gate(&self) -> Option<&Gate> {
        match self {
            Strategy::Deferred(gate) => Some(gate),
            Strategy::Direct => None,
        }
    }

    /// Whether points may sit owed, outside score rows, for a while.
    pub(crate) fn leaves_owed(&self) -> bool {
        matches!(self, Strategy::Deferred(_))
    }
}
