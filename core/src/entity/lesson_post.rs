use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson_posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lesson_id: i64,
    pub platform: String,
    pub channel: String,
    pub message: String,
    pub posted_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
