//! Lessons creators post, what the bot posted for them where, the lessons a
//! member unlocked with points, the lessons members completed, questions
//! put to the creators, and highlights. Purchases
//! of a lesson are ordinary offers and purchases; tier access is read from
//! the entitlement, so neither needs a table here.

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
enum Members {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tiers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Lessons {
    Table,
    Id,
    CommunityId,
    Key,
    Title,
    Body,
    /// What people who cannot read the lesson yet are shown; none for the
    /// title alone.
    Teaser,
    /// JSON list of links (uploaded files live on the platform's CDN).
    Attachments,
    /// The lowest tier that includes the lesson.
    TierId,
    /// The offer that sells the lesson on its own.
    OfferId,
    /// Points that unlock it; 0 when points cannot.
    PointsCost,
    /// A one-off Telegram Stars price.
    Stars,
    /// Opens this many days after the member joined.
    DripDays,
    /// Opens for everyone at this instant.
    OpensAt,
    /// The configured course the lesson belongs to, and its place there.
    CourseKey,
    Position,
    Author,
    CreatedAt,
    UpdatedAt,
    /// Set when a creator removes it; the row stays for history.
    RemovedAt,
}

#[derive(DeriveIden)]
enum LessonPosts {
    Table,
    Id,
    LessonId,
    Platform,
    Channel,
    /// The platform's id of the teaser card, for edits and removal.
    Message,
    PostedAt,
}

#[derive(DeriveIden)]
enum LessonUnlocks {
    Table,
    Id,
    MemberId,
    LessonId,
    Points,
    At,
}

#[derive(DeriveIden)]
enum Completions {
    Table,
    Id,
    MemberId,
    LessonId,
    At,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    CommunityId,
    MemberId,
    Body,
    /// Points the asker paid to ask.
    Points,
    AskedAt,
    Answer,
    AnsweredBy,
    AnsweredAt,
}

/// 精华: what admins marked worth reading, newest first in `/digest`.
#[derive(DeriveIden)]
enum Highlights {
    Table,
    Id,
    CommunityId,
    /// One of: a lesson, an answered question, or a link to a message.
    LessonId,
    QuestionId,
    Link,
    Note,
    MarkedBy,
    MarkedAt,
    RemovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Lessons::Table)
                    .col(big_pk_auto(Lessons::Id))
                    .col(big_integer(Lessons::CommunityId))
                    .col(string(Lessons::Key))
                    .col(text(Lessons::Title))
                    .col(text(Lessons::Body))
                    .col(text_null(Lessons::Teaser))
                    .col(text(Lessons::Attachments))
                    .col(big_integer_null(Lessons::TierId))
                    .col(big_integer_null(Lessons::OfferId))
                    .col(big_integer(Lessons::PointsCost).default(0))
                    .col(integer_null(Lessons::Stars))
                    .col(integer_null(Lessons::DripDays))
                    .col(big_integer_null(Lessons::OpensAt))
                    .col(string_null(Lessons::CourseKey))
                    .col(integer(Lessons::Position).default(0))
                    .col(string(Lessons::Author))
                    .col(big_integer(Lessons::CreatedAt))
                    .col(big_integer(Lessons::UpdatedAt))
                    .col(big_integer_null(Lessons::RemovedAt))
                    .foreign_key(&mut fk(
                        Lessons::Table,
                        Lessons::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .foreign_key(&mut fk(Lessons::Table, Lessons::TierId, Tiers::Table, Tiers::Id))
                    .foreign_key(&mut fk(
                        Lessons::Table,
                        Lessons::OfferId,
                        Offers::Table,
                        Offers::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_lessons_community_key",
                Lessons::Table,
                &["community_id", "key"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LessonPosts::Table)
                    .col(big_pk_auto(LessonPosts::Id))
                    .col(big_integer(LessonPosts::LessonId))
                    .col(string(LessonPosts::Platform))
                    .col(string(LessonPosts::Channel))
                    .col(string(LessonPosts::Message))
                    .col(big_integer(LessonPosts::PostedAt))
                    .foreign_key(&mut fk(
                        LessonPosts::Table,
                        LessonPosts::LessonId,
                        Lessons::Table,
                        Lessons::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_lesson_posts_lesson",
                LessonPosts::Table,
                &["lesson_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LessonUnlocks::Table)
                    .col(big_pk_auto(LessonUnlocks::Id))
                    .col(big_integer(LessonUnlocks::MemberId))
                    .col(big_integer(LessonUnlocks::LessonId))
                    .col(big_integer(LessonUnlocks::Points))
                    .col(big_integer(LessonUnlocks::At))
                    .foreign_key(&mut fk(
                        LessonUnlocks::Table,
                        LessonUnlocks::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .foreign_key(&mut fk(
                        LessonUnlocks::Table,
                        LessonUnlocks::LessonId,
                        Lessons::Table,
                        Lessons::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_lesson_unlocks_member_lesson",
                LessonUnlocks::Table,
                &["member_id", "lesson_id"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Completions::Table)
                    .col(big_pk_auto(Completions::Id))
                    .col(big_integer(Completions::MemberId))
                    .col(big_integer(Completions::LessonId))
                    .col(big_integer(Completions::At))
                    .foreign_key(&mut fk(
                        Completions::Table,
                        Completions::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .foreign_key(&mut fk(
                        Completions::Table,
                        Completions::LessonId,
                        Lessons::Table,
                        Lessons::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_completions_member_lesson",
                Completions::Table,
                &["member_id", "lesson_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_completions_lesson",
                Completions::Table,
                &["lesson_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Questions::Table)
                    .col(big_pk_auto(Questions::Id))
                    .col(big_integer(Questions::CommunityId))
                    .col(big_integer(Questions::MemberId))
                    .col(text(Questions::Body))
                    .col(big_integer(Questions::Points).default(0))
                    .col(big_integer(Questions::AskedAt))
                    .col(text_null(Questions::Answer))
                    .col(string_null(Questions::AnsweredBy))
                    .col(big_integer_null(Questions::AnsweredAt))
                    .foreign_key(&mut fk(
                        Questions::Table,
                        Questions::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .foreign_key(&mut fk(
                        Questions::Table,
                        Questions::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Highlights::Table)
                    .col(big_pk_auto(Highlights::Id))
                    .col(big_integer(Highlights::CommunityId))
                    .col(big_integer_null(Highlights::LessonId))
                    .col(big_integer_null(Highlights::QuestionId))
                    .col(text_null(Highlights::Link))
                    .col(text_null(Highlights::Note))
                    .col(string(Highlights::MarkedBy))
                    .col(big_integer(Highlights::MarkedAt))
                    .col(big_integer_null(Highlights::RemovedAt))
                    .foreign_key(&mut fk(
                        Highlights::Table,
                        Highlights::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .foreign_key(&mut fk(
                        Highlights::Table,
                        Highlights::LessonId,
                        Lessons::Table,
                        Lessons::Id,
                    ))
                    .foreign_key(&mut fk(
                        Highlights::Table,
                        Highlights::QuestionId,
                        Questions::Table,
                        Questions::Id,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Highlights::Table.into_iden(),
            Questions::Table.into_iden(),
            Completions::Table.into_iden(),
            LessonUnlocks::Table.into_iden(),
            LessonPosts::Table.into_iden(),
            Lessons::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
