use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: i64,
    pub community_id: i64,
    pub balance: i64,
    pub earned: i64,
    pub level: i32,
    pub week_key: i32,
    pub week_points: i64,
    pub last_week_key: i32,
    pub last_week_points: i64,
    pub month_key: i32,
    pub month_points: i64,
    pub season_key: i32,
    pub season_points: i64,
    pub streak: i32,
    pub best_streak: i32,
    pub last_checkin: i32,
    pub checkins: i32,
    pub version: i64,
    /// The newest score_backlog row whose amounts this row holds.
    pub folded: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
