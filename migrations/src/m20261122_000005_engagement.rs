//! Engagement: one score row per member kept beside the ledger (balance,
//! lifetime points and the current week/month/season totals) so ranks never
//! need a scan, daily check-ins, perks granted outside a tier (level rewards,
//! shop rewards), the points shop's sales, and which leaderboard periods have
//! been closed.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Scores {
    Table,
    MemberId,
    CommunityId,
    /// Sum of every ledger entry: what can be spent.
    Balance,
    /// Sum of every entry except spending: what levels and ranks count.
    Earned,
    Level,
    /// Periods are numbered in the community's time zone (see core::engage).
    WeekKey,
    WeekPoints,
    /// The week before `week_key` and its total, kept when a new week
    /// starts so the closed week's best can still be found.
    LastWeekKey,
    LastWeekPoints,
    MonthKey,
    MonthPoints,
    SeasonKey,
    SeasonPoints,
    Streak,
    BestStreak,
    LastCheckin,
    Checkins,
    /// Bumped on every write, so a cached copy knows which read is newer.
    Version,
}

#[derive(DeriveIden)]
enum Checkins {
    Table,
    Id,
    MemberId,
    /// The community's local calendar day, as days since 1970-01-01.
    Day,
    At,
}

#[derive(DeriveIden)]
enum PerkGrants {
    Table,
    Id,
    MemberId,
    Perk,
    /// `level` or `shop`.
    Source,
    Until,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ShopSales {
    Table,
    Id,
    CommunityId,
    RewardKey,
    Sold,
}

#[derive(DeriveIden)]
enum Redemptions {
    Table,
    Id,
    MemberId,
    RewardKey,
    Price,
    At,
    /// `done`, or `pending` while a coupon waits for the payment provider.
    Status,
    Detail,
}

#[derive(DeriveIden)]
enum PeriodCloses {
    Table,
    Id,
    CommunityId,
    Board,
    Key,
    ClosedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Scores::Table)
                    .col(big_integer(Scores::MemberId).primary_key())
                    .col(big_integer(Scores::CommunityId))
                    .col(big_integer(Scores::Balance))
                    .col(big_integer(Scores::Earned))
                    .col(integer(Scores::Level))
                    .col(integer(Scores::WeekKey))
                    .col(big_integer(Scores::WeekPoints))
                    .col(integer(Scores::LastWeekKey))
                    .col(big_integer(Scores::LastWeekPoints))
                    .col(integer(Scores::MonthKey))
                    .col(big_integer(Scores::MonthPoints))
                    .col(integer(Scores::SeasonKey))
                    .col(big_integer(Scores::SeasonPoints))
                    .col(integer(Scores::Streak))
                    .col(integer(Scores::BestStreak))
                    .col(integer(Scores::LastCheckin))
                    .col(integer(Scores::Checkins))
                    .col(big_integer(Scores::Version))
                    .foreign_key(&mut fk(
                        Scores::Table,
                        Scores::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .foreign_key(&mut fk(
                        Scores::Table,
                        Scores::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_scores_community",
                Scores::Table,
                &["community_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Checkins::Table)
                    .col(big_pk_auto(Checkins::Id))
                    .col(big_integer(Checkins::MemberId))
                    .col(integer(Checkins::Day))
                    .col(big_integer(Checkins::At))
                    .foreign_key(&mut fk(
                        Checkins::Table,
                        Checkins::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_checkins_member_day",
                Checkins::Table,
                &["member_id", "day"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PerkGrants::Table)
                    .col(big_pk_auto(PerkGrants::Id))
                    .col(big_integer(PerkGrants::MemberId))
                    .col(string(PerkGrants::Perk))
                    .col(string(PerkGrants::Source))
                    .col(big_integer_null(PerkGrants::Until))
                    .col(big_integer(PerkGrants::CreatedAt))
                    .foreign_key(&mut fk(
                        PerkGrants::Table,
                        PerkGrants::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_perk_grants_member_perk_source",
                PerkGrants::Table,
                &["member_id", "perk", "source"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShopSales::Table)
                    .col(big_pk_auto(ShopSales::Id))
                    .col(big_integer(ShopSales::CommunityId))
                    .col(string(ShopSales::RewardKey))
                    .col(big_integer(ShopSales::Sold))
                    .foreign_key(&mut fk(
                        ShopSales::Table,
                        ShopSales::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_shop_sales_community_reward",
                ShopSales::Table,
                &["community_id", "reward_key"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Redemptions::Table)
                    .col(big_pk_auto(Redemptions::Id))
                    .col(big_integer(Redemptions::MemberId))
                    .col(string(Redemptions::RewardKey))
                    .col(big_integer(Redemptions::Price))
                    .col(big_integer(Redemptions::At))
                    .col(string(Redemptions::Status))
                    .col(text_null(Redemptions::Detail))
                    .foreign_key(&mut fk(
                        Redemptions::Table,
                        Redemptions::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_redemptions_member",
                Redemptions::Table,
                &["member_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PeriodCloses::Table)
                    .col(big_pk_auto(PeriodCloses::Id))
                    .col(big_integer(PeriodCloses::CommunityId))
                    .col(string(PeriodCloses::Board))
                    .col(integer(PeriodCloses::Key))
                    .col(big_integer(PeriodCloses::ClosedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_period_closes",
                PeriodCloses::Table,
                &["community_id", "board", "key"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PeriodCloses::Table.into_iden(),
            Redemptions::Table.into_iden(),
            ShopSales::Table.into_iden(),
            PerkGrants::Table.into_iden(),
            Checkins::Table.into_iden(),
            Scores::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
