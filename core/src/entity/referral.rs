use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    pub referrer_id: i64,
    pub referred_id: i64,
    pub created_at: i64,
    pub credit_ref: Option<String>,
    pub credit_points: Option<i64>,
    pub credit_minor: Option<i64>,
    pub currency: Option<String>,
    pub credited_at: Option<i64>,
    pub clawed_back_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
