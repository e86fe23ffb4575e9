//! On PostgreSQL, several instances keep leaderboards in memory, each from
//! the score rows it wrote itself. A trigger announces every changed score
//! row on the `lyceum_scores` channel when its transaction commits, so each
//! instance can re-read the rows another one changed. The notice names the
//! writing instance (the session's `lyceum.instance` setting) so an instance
//! can pass over its own. SQLite has one process and no such channel.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE OR REPLACE FUNCTION lyceum_score_changed() RETURNS trigger AS $$
DECLARE
    row_community BIGINT;
    row_member BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_community := OLD.community_id;
        row_member := OLD.member_id;
    ELSE
        row_community := NEW.community_id;
        row_member := NEW.member_id;
    END IF;
    PERFORM pg_notify(
        'lyceum_scores',
        coalesce(current_setting('lyceum.instance', true), '') || ' ' || row_community || ' ' || row_member
    );
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER scores_changed AFTER INSERT OR UPDATE OR DELETE ON scores
    FOR EACH ROW EXECUTE FUNCTION lyceum_score_changed();
";

const DOWN: &str = r"
DROP TRIGGER IF EXISTS scores_changed ON scores;
DROP FUNCTION IF EXISTS lyceum_score_changed();
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_postgres(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_postgres(manager, DOWN).await
    }
}

async fn run_on_postgres(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    manager.get_connection().execute_unprepared(sql).await.map(|_| ())
}
