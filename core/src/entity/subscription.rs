use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider: String,
    pub external_id: String,
    pub customer_id: Option<String>,
    pub member_id: Option<i64>,
    pub price_id: Option<String>,
    pub offer_key: Option<String>,
    pub status: super::kinds::SubStatus,
    pub current_period_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub ended_at: Option<i64>,
    pub started_at: Option<i64>,
    pub snapshot_at: i64,
    pub snapshot_source: super::kinds::SnapshotSource,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
