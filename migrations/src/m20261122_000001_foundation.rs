//! Communities, people, membership, entitlements with their history, the
//! points ledger, badges, link codes and the effect outbox.
//!
//! Timestamps are Unix seconds in BIGINT columns: they compare and sort the
//! same way on SQLite and PostgreSQL, unlike text-encoded datetimes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
    Slug,
    Name,
    DefaultLocale,
    Admins,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tiers {
    Table,
    Id,
    CommunityId,
    Key,
    Name,
    Rank,
    Perks,
    Active,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    CommunityId,
    Key,
    Kind,
    TierId,
    Name,
    AmountMinor,
    Currency,
    Active,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Identities {
    Table,
    Id,
    PersonId,
    Platform,
    ExternalId,
    DisplayName,
    Locale,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
    CommunityId,
    PersonId,
    JoinedAt,
}

#[derive(DeriveIden)]
enum Entitlements {
    Table,
    Id,
    MemberId,
    TierId,
    Status,
    AccessUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum History {
    Table,
    Id,
    MemberId,
    At,
    FromStatus,
    ToStatus,
    FromTier,
    ToTier,
    AccessUntil,
    Cause,
    Actor,
    Note,
}

#[derive(DeriveIden)]
enum Ledger {
    Table,
    Id,
    CommunityId,
    MemberId,
    Delta,
    Source,
    Reason,
    Actor,
    At,
}

#[derive(DeriveIden)]
enum Badges {
    Table,
    Id,
    MemberId,
    BadgeKey,
    AwardedAt,
}

#[derive(DeriveIden)]
enum LinkCodes {
    Table,
    Id,
    Code,
    PersonId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    CommunityId,
    Platform,
    Recipient,
    Kind,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Communities::Table)
                    .col(big_pk_auto(Communities::Id))
                    .col(string_uniq(Communities::Slug))
                    .col(string(Communities::Name))
                    .col(string(Communities::DefaultLocale))
                    .col(text(Communities::Admins))
                    .col(big_integer(Communities::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tiers::Table)
                    .col(big_pk_auto(Tiers::Id))
                    .col(big_integer(Tiers::CommunityId))
                    .col(string(Tiers::Key))
                    .col(string(Tiers::Name))
                    .col(integer(Tiers::Rank))
                    .col(text(Tiers::Perks))
                    .col(boolean(Tiers::Active))
                    .foreign_key(&mut fk(
                        Tiers::Table,
                        Tiers::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_tiers_community_key",
                Tiers::Table,
                &["community_id", "key"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Offers::Table)
                    .col(big_pk_auto(Offers::Id))
                    .col(big_integer(Offers::CommunityId))
                    .col(string(Offers::Key))
                    .col(string(Offers::Kind))
                    .col(big_integer_null(Offers::TierId))
                    .col(string(Offers::Name))
                    .col(big_integer(Offers::AmountMinor))
                    .col(string_len(Offers::Currency, 3))
                    .col(boolean(Offers::Active))
                    .foreign_key(&mut fk(
                        Offers::Table,
                        Offers::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .foreign_key(&mut fk(Offers::Table, Offers::TierId, Tiers::Table, Tiers::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_offers_community_key",
                Offers::Table,
                &["community_id", "key"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .col(big_pk_auto(People::Id))
                    .col(big_integer(People::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Identities::Table)
                    .col(big_pk_auto(Identities::Id))
                    .col(big_integer(Identities::PersonId))
                    .col(string(Identities::Platform))
                    .col(string(Identities::ExternalId))
                    .col(string_null(Identities::DisplayName))
                    .col(string_null(Identities::Locale))
                    .col(big_integer(Identities::CreatedAt))
                    .foreign_key(&mut fk(
                        Identities::Table,
                        Identities::PersonId,
                        People::Table,
                        People::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_identities_platform_external",
                Identities::Table,
                &["platform", "external_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_identities_person",
                Identities::Table,
                &["person_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Members::Table)
                    .col(big_pk_auto(Members::Id))
                    .col(big_integer(Members::CommunityId))
                    .col(big_integer(Members::PersonId))
                    .col(big_integer(Members::JoinedAt))
                    .foreign_key(&mut fk(
                        Members::Table,
                        Members::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .foreign_key(&mut fk(
                        Members::Table,
                        Members::PersonId,
                        People::Table,
                        People::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_members_community_person",
                Members::Table,
                &["community_id", "person_id"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Entitlements::Table)
                    .col(big_pk_auto(Entitlements::Id))
                    .col(big_integer_uniq(Entitlements::MemberId))
                    .col(big_integer_null(Entitlements::TierId))
                    .col(string(Entitlements::Status))
                    .col(big_integer_null(Entitlements::AccessUntil))
                    .col(big_integer(Entitlements::UpdatedAt))
                    .foreign_key(&mut fk(
                        Entitlements::Table,
                        Entitlements::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .foreign_key(&mut fk(
                        Entitlements::Table,
                        Entitlements::TierId,
                        Tiers::Table,
                        Tiers::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_entitlements_status_until",
                Entitlements::Table,
                &["status", "access_until"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(History::Table)
                    .col(big_pk_auto(History::Id))
                    .col(big_integer(History::MemberId))
                    .col(big_integer(History::At))
                    .col(string(History::FromStatus))
                    .col(string(History::ToStatus))
                    .col(string_null(History::FromTier))
                    .col(string_null(History::ToTier))
                    .col(big_integer_null(History::AccessUntil))
                    .col(string(History::Cause))
                    .col(string_null(History::Actor))
                    .col(text_null(History::Note))
                    .foreign_key(&mut fk(
                        History::Table,
                        History::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_history_member",
                History::Table,
                &["member_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Ledger::Table)
                    .col(big_pk_auto(Ledger::Id))
                    .col(big_integer(Ledger::CommunityId))
                    .col(big_integer(Ledger::MemberId))
                    .col(big_integer(Ledger::Delta))
                    .col(string(Ledger::Source))
                    .col(text(Ledger::Reason))
                    .col(string_null(Ledger::Actor))
                    .col(big_integer(Ledger::At))
                    .foreign_key(&mut fk(
                        Ledger::Table,
                        Ledger::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .foreign_key(&mut fk(
                        Ledger::Table,
                        Ledger::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_ledger_community_member",
                Ledger::Table,
                &["community_id", "member_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Badges::Table)
                    .col(big_pk_auto(Badges::Id))
                    .col(big_integer(Badges::MemberId))
                    .col(string(Badges::BadgeKey))
                    .col(big_integer(Badges::AwardedAt))
                    .foreign_key(&mut fk(
                        Badges::Table,
                        Badges::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_badges_member_key",
                Badges::Table,
                &["member_id", "badge_key"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LinkCodes::Table)
                    .col(big_pk_auto(LinkCodes::Id))
                    .col(string_uniq(LinkCodes::Code))
                    .col(big_integer(LinkCodes::PersonId))
                    .col(big_integer(LinkCodes::CreatedAt))
                    .col(big_integer(LinkCodes::ExpiresAt))
                    .col(big_integer_null(LinkCodes::UsedAt))
                    .foreign_key(&mut fk(
                        LinkCodes::Table,
                        LinkCodes::PersonId,
                        People::Table,
                        People::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(big_pk_auto(Outbox::Id))
                    .col(big_integer_null(Outbox::CommunityId))
                    .col(string(Outbox::Platform))
                    .col(string(Outbox::Recipient))
                    .col(string(Outbox::Kind))
                    .col(text(Outbox::Payload))
                    .col(string(Outbox::Status))
                    .col(integer(Outbox::Attempts))
                    .col(big_integer(Outbox::NextAttemptAt))
                    .col(text_null(Outbox::LastError))
                    .col(big_integer(Outbox::CreatedAt))
                    .col(big_integer_null(Outbox::DeliveredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_outbox_due",
                Outbox::Table,
                &["status", "next_attempt_at"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents, so foreign keys never dangle.
        let tables: [DynIden; 12] = [
            Outbox::Table.into_iden(),
            LinkCodes::Table.into_iden(),
            Badges::Table.into_iden(),
            Ledger::Table.into_iden(),
            History::Table.into_iden(),
            Entitlements::Table.into_iden(),
            Members::Table.into_iden(),
            Identities::Table.into_iden(),
            People::Table.into_iden(),
            Offers::Table.into_iden(),
            Tiers::Table.into_iden(),
            Communities::Table.into_iden(),
        ];
        for table in tables {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
