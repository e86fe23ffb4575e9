//! What Lyceum made for itself at the payment provider: one price per
//! offer, found again by its lookup key, and the webhook endpoint it
//! registered with that endpoint's signing secret. The secret is stored
//! sealed (AES-256-GCM under a key from the environment); a copy of the
//! database alone cannot sign a webhook.

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
enum ProviderPrices {
    Table,
    Id,
    CommunityId,
    /// The offer's key, e.g. pro-monthly; offers are synced from the
    /// configuration by key, so the price outlives their rows' ids.
    OfferKey,
    Provider,
    PriceId,
    LookupKey,
    AmountMinor,
    Currency,
    /// month or year for a subscription, none for a one-off.
    Interval,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProviderEndpoints {
    Table,
    Id,
    Provider,
    /// The provider's id of the endpoint, e.g. we_123.
    EndpointId,
    Url,
    /// Nonce and ciphertext, base64, with the endpoint id as associated
    /// data.
    SealedSecret,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProviderPrices::Table)
                    .col(big_pk_auto(ProviderPrices::Id))
                    .col(big_integer(ProviderPrices::CommunityId))
                    .col(string(ProviderPrices::OfferKey))
                    .col(string(ProviderPrices::Provider))
                    .col(string(ProviderPrices::PriceId))
                    .col(string(ProviderPrices::LookupKey))
                    .col(big_integer(ProviderPrices::AmountMinor))
                    .col(string(ProviderPrices::Currency))
                    .col(string_null(ProviderPrices::Interval))
                    .col(big_integer(ProviderPrices::CreatedAt))
                    .foreign_key(&mut fk(
                        ProviderPrices::Table,
                        ProviderPrices::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_provider_prices_offer",
                ProviderPrices::Table,
                &["community_id", "offer_key", "provider"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProviderEndpoints::Table)
                    .col(big_pk_auto(ProviderEndpoints::Id))
                    .col(string(ProviderEndpoints::Provider))
                    .col(string(ProviderEndpoints::EndpointId))
                    .col(string(ProviderEndpoints::Url))
                    .col(text(ProviderEndpoints::SealedSecret))
                    .col(big_integer(ProviderEndpoints::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_provider_endpoints_provider",
                ProviderEndpoints::Table,
                &["provider"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProviderEndpoints::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProviderPrices::Table).to_owned())
            .await
    }
}
