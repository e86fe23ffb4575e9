use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    pub key: String,
    pub kind: crate::config::OfferKind,
    pub tier_id: Option<i64>,
    pub name: String,
    pub amount_minor: i64,
    pub currency: String,
    pub active: bool,
    pub stripe_price: Option<String>,
    pub perks: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
