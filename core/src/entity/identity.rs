use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub platform: String,
    pub external_id: String,
    pub display_name: Option<String>,
    pub locale: Option<String>,
    pub created_at: i64,
    /// The community this identity's private chat with a bot speaks for.
    pub chosen_community: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
