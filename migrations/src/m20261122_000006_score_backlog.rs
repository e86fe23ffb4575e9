//! Score rows folded in later on SQLite (see core::engage::writing::owed): each
//! commit of activity leaves one backlog row with what it owes whom, and a
//! score row remembers the newest backlog row it has taken in, so a restart
//! knows exactly what is still owed.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Scores {
    Table,
    Folded,
}

#[derive(DeriveIden)]
enum ScoreBacklog {
    Table,
    Id,
    CommunityId,
    /// The week, month and season the points count toward.
    WeekKey,
    MonthKey,
    SeasonKey,
    /// JSON: [[member id, points, UTC day, messages, reactions given,
    /// reactions received], …].
    Body,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Scores::Table)
                    .add_column(big_integer(Scores::Folded).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ScoreBacklog::Table)
                    .col(big_pk_auto(ScoreBacklog::Id))
                    .col(big_integer(ScoreBacklog::CommunityId))
                    .col(integer(ScoreBacklog::WeekKey))
                    .col(integer(ScoreBacklog::MonthKey))
                    .col(integer(ScoreBacklog::SeasonKey))
                    .col(text(ScoreBacklog::Body))
                    .foreign_key(&mut fk(
                        ScoreBacklog::Table,
                        ScoreBacklog::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_score_backlog_community",
                ScoreBacklog::Table,
                &["community_id", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScoreBacklog::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Scores::Table)
                    .drop_column(Scores::Folded)
                    .to_owned(),
            )
            .await
    }
}
