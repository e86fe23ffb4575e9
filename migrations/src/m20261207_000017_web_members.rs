//! Members on the web: the browser sessions a sign-in with Discord or
//! Telegram opens on a community's public pages, the visits waiting for the
//! Telegram bot to see their deep link, and the Discord tokens a buyer lent
//! so the bot can add them to the server once they have paid.
//! Sessions are found by a hash of their cookie; tokens are stored sealed
//! (AES-256-GCM) and only until they are used or run out.

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
enum MemberSessions {
    Table,
    Id,
    /// SHA-256 of the cookie, hex.
    TokenHash,
    CommunityId,
    /// Who signed in, e.g. discord:123.
    Identity,
    /// Forms carry it back; compared in constant time.
    Csrf,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum JoinTokens {
    Table,
    /// The account the token acts for, e.g. discord:123.
    Identity,
    /// Nonce and ciphertext, base64; the identity is bound in as
    /// associated data, so a row moved to another account will not open.
    Sealed,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebVisits {
    Table,
    /// Random; the deep link's payload carries it, the browser's cookie too.
    Nonce,
    CommunityId,
    /// Who pressed Start with it, once the bot has seen it.
    Identity,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MemberSessions::Table)
                    .col(big_pk_auto(MemberSessions::Id))
                    .col(string(MemberSessions::TokenHash))
                    .col(big_integer(MemberSessions::CommunityId))
                    .col(string(MemberSessions::Identity))
                    .col(string(MemberSessions::Csrf))
                    .col(big_integer(MemberSessions::ExpiresAt))
                    .col(big_integer(MemberSessions::CreatedAt))
                    .foreign_key(&mut fk(
                        MemberSessions::Table,
                        MemberSessions::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_member_sessions_token",
                MemberSessions::Table,
                &["token_hash"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JoinTokens::Table)
                    .col(string(JoinTokens::Identity).primary_key())
                    .col(text(JoinTokens::Sealed))
                    .col(big_integer(JoinTokens::ExpiresAt))
                    .col(big_integer(JoinTokens::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebVisits::Table)
                    .col(string(WebVisits::Nonce).primary_key())
                    .col(big_integer(WebVisits::CommunityId))
                    .col(string_null(WebVisits::Identity))
                    .col(big_integer(WebVisits::CreatedAt))
                    .foreign_key(&mut fk(
                        WebVisits::Table,
                        WebVisits::CommunityId,
                        Communities::Table,
                        Communities::Id,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebVisits::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(JoinTokens::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MemberSessions::Table).to_owned())
            .await
    }
}
