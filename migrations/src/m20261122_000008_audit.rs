//! The audit log: every admin and creator action, who took it, from which
//! platform, and when, for the dashboard and `lyceum audit`.

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
enum AuditLog {
    Table,
    Id,
    CommunityId,
    /// The identity that acted, e.g. discord:123.
    Actor,
    Platform,
    Command,
    /// What the command said, shortened.
    Detail,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(big_integer(AuditLog::CommunityId))
                    .col(string(AuditLog::Actor))
                    .col(string(AuditLog::Platform))
                    .col(string(AuditLog::Command))
                    .col(text(AuditLog::Detail))
                    .col(big_integer(AuditLog::At))
                    .foreign_key(&mut fk(
                        AuditLog::Table,
                        AuditLog::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_audit_log_community",
                AuditLog::Table,
                &["community_id", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}
