use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lessons")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    pub key: String,
    pub title: String,
    pub body: String,
    pub teaser: Option<String>,
    pub attachments: String,
    pub tier_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub points_cost: i64,
    pub stars: Option<i32>,
    pub drip_days: Option<i32>,
    pub opens_at: Option<i64>,
    pub course_key: Option<String>,
    pub position: i32,
    pub author: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub removed_at: Option<i64>,
    /// Times the whole lesson was shown to a reader.
    pub views: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
