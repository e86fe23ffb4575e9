use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_presence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub platform: String,
    pub chat: String,
    pub external_id: String,
    pub present: bool,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
