//! Payments: what a provider told us (events, customers, subscription
//! snapshots, purchases, refunds and disputes), the revenue ledger, trials,
//! renewal reminders, referrals and coupons.
//!
//! Provider facts are stored under the provider's own ids, with the member
//! filled in when known. An event that arrives before the one that names its
//! member is kept, and counts as soon as the link arrives: that is what makes
//! the outcome independent of delivery order.

use sea_orm_migration::{prelude::*, schema::*};

use crate::shape::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Offers {
    Table,
    StripePrice,
    Perks,
}

#[derive(DeriveIden)]
enum Tiers {
    Table,
    TrialDays,
}

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
enum PaymentEvents {
    Table,
    Id,
    Provider,
    EventId,
    EventType,
    Created,
    ReceivedAt,
    MemberId,
    Outcome,
}

#[derive(DeriveIden)]
enum BillingCustomers {
    Table,
    Id,
    Provider,
    CustomerId,
    MemberId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    Provider,
    ExternalId,
    CustomerId,
    MemberId,
    PriceId,
    OfferKey,
    Status,
    CurrentPeriodEnd,
    CancelAtPeriodEnd,
    EndedAt,
    StartedAt,
    SnapshotAt,
    SnapshotSource,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Purchases {
    Table,
    Id,
    Provider,
    PaymentRef,
    CustomerId,
    MemberId,
    OfferKey,
    AmountMinor,
    Currency,
    PaidAt,
}

#[derive(DeriveIden)]
enum Reversals {
    Table,
    Id,
    Provider,
    Kind,
    ExternalId,
    PaymentRef,
    ChargeId,
    ChargeCreated,
    CustomerId,
    State,
    AmountMinor,
    Currency,
    At,
}

#[derive(DeriveIden)]
enum Revenue {
    Table,
    Id,
    Provider,
    Kind,
    ExternalId,
    CommunityId,
    MemberId,
    OfferKey,
    AmountMinor,
    Currency,
    At,
}

#[derive(DeriveIden)]
enum Trials {
    Table,
    Id,
    CommunityId,
    PersonId,
    SubscriptionId,
    StartedAt,
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Id,
    MemberId,
    AccessUntil,
    DaysBefore,
    SentAt,
}

#[derive(DeriveIden)]
enum ReferralCodes {
    Table,
    Id,
    MemberId,
    Code,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    CommunityId,
    ReferrerId,
    ReferredId,
    CreatedAt,
    CreditRef,
    CreditPoints,
    CreditMinor,
    Currency,
    CreditedAt,
    ClawedBackAt,
}

#[derive(DeriveIden)]
enum Coupons {
    Table,
    Id,
    CommunityId,
    Provider,
    CouponId,
    Code,
    PercentOff,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER statement.
        for column in [
            string_null(Offers::StripePrice),
            text(Offers::Perks).default("[]").to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(Offers::Table).add_column(column).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tiers::Table)
                    .add_column(integer(Tiers::TrialDays).default(0).to_owned())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PaymentEvents::Table)
                    .col(big_pk_auto(PaymentEvents::Id))
                    .col(string(PaymentEvents::Provider))
                    .col(string(PaymentEvents::EventId))
                    .col(string(PaymentEvents::EventType))
                    .col(big_integer(PaymentEvents::Created))
                    .col(big_integer(PaymentEvents::ReceivedAt))
                    .col(big_integer_null(PaymentEvents::MemberId))
                    .col(text(PaymentEvents::Outcome))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_payment_events_provider_event",
                PaymentEvents::Table,
                &["provider", "event_id"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BillingCustomers::Table)
                    .col(big_pk_auto(BillingCustomers::Id))
                    .col(string(BillingCustomers::Provider))
                    .col(string(BillingCustomers::CustomerId))
                    .col(big_integer(BillingCustomers::MemberId))
                    .col(big_integer(BillingCustomers::CreatedAt))
                    .foreign_key(&mut fk(
                        BillingCustomers::Table,
                        BillingCustomers::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_billing_customers_provider_customer",
                BillingCustomers::Table,
                &["provider", "customer_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_billing_customers_member",
                BillingCustomers::Table,
                &["member_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .col(big_pk_auto(Subscriptions::Id))
                    .col(string(Subscriptions::Provider))
                    .col(string(Subscriptions::ExternalId))
                    .col(string_null(Subscriptions::CustomerId))
                    .col(big_integer_null(Subscriptions::MemberId))
                    .col(string_null(Subscriptions::PriceId))
                    .col(string_null(Subscriptions::OfferKey))
                    .col(string(Subscriptions::Status))
                    .col(big_integer_null(Subscriptions::CurrentPeriodEnd))
                    .col(boolean(Subscriptions::CancelAtPeriodEnd))
                    .col(big_integer_null(Subscriptions::EndedAt))
                    .col(big_integer_null(Subscriptions::StartedAt))
                    .col(big_integer(Subscriptions::SnapshotAt))
                    .col(integer(Subscriptions::SnapshotSource))
                    .col(big_integer(Subscriptions::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_subscriptions_provider_external",
                Subscriptions::Table,
                &["provider", "external_id"],
                true,
            ))
            .await?;
        for (name, col) in [
            ("ix_subscriptions_member", "member_id"),
            ("ix_subscriptions_customer", "customer_id"),
            ("ix_subscriptions_period_end", "current_period_end"),
        ] {
            manager
                .create_index(index(name, Subscriptions::Table, &[col], false))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Purchases::Table)
                    .col(big_pk_auto(Purchases::Id))
                    .col(string(Purchases::Provider))
                    .col(string(Purchases::PaymentRef))
                    .col(string_null(Purchases::CustomerId))
                    .col(big_integer_null(Purchases::MemberId))
                    .col(string_null(Purchases::OfferKey))
                    .col(big_integer(Purchases::AmountMinor))
                    .col(string_len(Purchases::Currency, 3))
                    .col(big_integer(Purchases::PaidAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_purchases_provider_ref",
                Purchases::Table,
                &["provider", "payment_ref"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_purchases_member",
                Purchases::Table,
                &["member_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Reversals::Table)
                    .col(big_pk_auto(Reversals::Id))
                    .col(string(Reversals::Provider))
                    .col(string(Reversals::Kind))
                    .col(string(Reversals::ExternalId))
                    .col(string_null(Reversals::PaymentRef))
                    .col(string_null(Reversals::ChargeId))
                    .col(big_integer_null(Reversals::ChargeCreated))
                    .col(string_null(Reversals::CustomerId))
                    .col(string(Reversals::State))
                    .col(big_integer(Reversals::AmountMinor))
                    .col(string_len(Reversals::Currency, 3))
                    .col(big_integer(Reversals::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_reversals_provider_kind_external",
                Reversals::Table,
                &["provider", "kind", "external_id"],
                true,
            ))
            .await?;
        for (name, col) in [
            ("ix_reversals_payment_ref", "payment_ref"),
            ("ix_reversals_customer", "customer_id"),
        ] {
            manager
                .create_index(index(name, Reversals::Table, &[col], false))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Revenue::Table)
                    .col(big_pk_auto(Revenue::Id))
                    .col(string(Revenue::Provider))
                    .col(string(Revenue::Kind))
                    .col(string(Revenue::ExternalId))
                    .col(big_integer_null(Revenue::CommunityId))
                    .col(big_integer_null(Revenue::MemberId))
                    .col(string_null(Revenue::OfferKey))
                    .col(big_integer(Revenue::AmountMinor))
                    .col(string_len(Revenue::Currency, 3))
                    .col(big_integer(Revenue::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_revenue_provider_kind_external",
                Revenue::Table,
                &["provider", "kind", "external_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_revenue_community_at",
                Revenue::Table,
                &["community_id", "at"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Trials::Table)
                    .col(big_pk_auto(Trials::Id))
                    .col(big_integer(Trials::CommunityId))
                    .col(big_integer(Trials::PersonId))
                    .col(string(Trials::SubscriptionId))
                    .col(big_integer(Trials::StartedAt))
                    .foreign_key(&mut fk(
                        Trials::Table,
                        Trials::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_trials_community_person",
                Trials::Table,
                &["community_id", "person_id"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Reminders::Table)
                    .col(big_pk_auto(Reminders::Id))
                    .col(big_integer(Reminders::MemberId))
                    .col(big_integer(Reminders::AccessUntil))
                    .col(integer(Reminders::DaysBefore))
                    .col(big_integer(Reminders::SentAt))
                    .foreign_key(&mut fk(
                        Reminders::Table,
                        Reminders::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_reminders_member_until_days",
                Reminders::Table,
                &["member_id", "access_until", "days_before"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReferralCodes::Table)
                    .col(big_pk_auto(ReferralCodes::Id))
                    .col(big_integer_uniq(ReferralCodes::MemberId))
                    .col(string_uniq(ReferralCodes::Code))
                    .foreign_key(&mut fk(
                        ReferralCodes::Table,
                        ReferralCodes::MemberId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(big_pk_auto(Referrals::Id))
                    .col(big_integer(Referrals::CommunityId))
                    .col(big_integer(Referrals::ReferrerId))
                    .col(big_integer_uniq(Referrals::ReferredId))
                    .col(big_integer(Referrals::CreatedAt))
                    .col(string_null(Referrals::CreditRef))
                    .col(big_integer_null(Referrals::CreditPoints))
                    .col(big_integer_null(Referrals::CreditMinor))
                    .col(string_len_null(Referrals::Currency, 3))
                    .col(big_integer_null(Referrals::CreditedAt))
                    .col(big_integer_null(Referrals::ClawedBackAt))
                    .foreign_key(&mut fk(
                        Referrals::Table,
                        Referrals::ReferrerId,
                        Members::Table,
                        Members::Id,
                    ))
                    .foreign_key(&mut fk(
                        Referrals::Table,
                        Referrals::ReferredId,
                        Members::Table,
                        Members::Id,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Coupons::Table)
                    .col(big_pk_auto(Coupons::Id))
                    .col(big_integer(Coupons::CommunityId))
                    .col(string(Coupons::Provider))
                    .col(string(Coupons::CouponId))
                    .col(string(Coupons::Code))
                    .col(integer(Coupons::PercentOff))
                    .col(string(Coupons::CreatedBy))
                    .col(big_integer(Coupons::CreatedAt))
                    .foreign_key(&mut fk(
                        Coupons::Table,
                        Coupons::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables: [DynIden; 11] = [
            Coupons::Table.into_iden(),
            Referrals::Table.into_iden(),
            ReferralCodes::Table.into_iden(),
            Reminders::Table.into_iden(),
            Trials::Table.into_iden(),
            Revenue::Table.into_iden(),
            Reversals::Table.into_iden(),
            Purchases::Table.into_iden(),
            Subscriptions::Table.into_iden(),
            BillingCustomers::Table.into_iden(),
            PaymentEvents::Table.into_iden(),
        ];
        for table in tables {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tiers::Table)
                    .drop_column(Tiers::TrialDays)
                    .to_owned(),
            )
            .await?;
        for column in [Offers::Perks, Offers::StripePrice] {
            manager
                .alter_table(Table::alter().table(Offers::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
