use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub at: i64,
    pub from_status: crate::domain::EntitlementStatus,
    pub to_status: crate::domain::EntitlementStatus,
    pub from_tier: Option<String>,
    pub to_tier: Option<String>,
    pub access_until: Option<i64>,
    pub cause: super::kinds::Cause,
    pub actor: Option<String>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
