use sea_orm::entity::prelude::*;

use super::kinds::RevenueKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revenue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider: String,
    pub kind: RevenueKind,
    pub external_id: String,
    pub community_id: Option<i64>,
    pub member_id: Option<i64>,
    pub offer_key: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
