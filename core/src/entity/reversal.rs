use sea_orm::entity::prelude::*;

use super::kinds::{ReversalKind, ReversalState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reversals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider: String,
    pub kind: ReversalKind,
    pub external_id: String,
    pub payment_ref: Option<String>,
    pub charge_id: Option<String>,
    pub charge_created: Option<i64>,
    pub customer_id: Option<String>,
    pub state: ReversalState,
    pub amount_minor: i64,
    pub currency: String,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
