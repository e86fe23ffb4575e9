//! The community a person's private chat with a bot speaks for. One bot can
//! serve several communities; a deep link (`t.me/<bot>?start=<slug>`) or a
//! later choice picks one, and it holds for the person's next messages,
//! also after a restart and on every instance.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Identities {
    Table,
    ChosenCommunity,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Identities::Table)
                    .add_column(string_null(Identities::ChosenCommunity))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Identities::Table)
                    .drop_column(Identities::ChosenCommunity)
                    .to_owned(),
            )
            .await
    }
}
