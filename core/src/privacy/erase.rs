//! Erasing a person: what identifies them or records what they did goes;
//! payments, purchases, subscriptions, billing accounts, referrals and
//! membership history stay for the books, under member numbers whose
//! identities are gone. The caller has already ended their access (so the
//! role removals are queued to identities that still exist) and folded
//! anything owed to their score rows.

use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::entity::{
    activity_day, activity_limit, audit, badge, chat_presence, checkin, completion, coupon, entitlement,
    highlight, history, identity, ledger, lesson_unlock, link_code, member, outbox, perk_grant, purchase,
    question, redemption, referral_code, reminder, revenue, score, subscription,
};
use crate::error::CoreResult;

/// What stands where an erased person's name was.
pub const ERASED: &str = "erased";

/// What an erasure touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// (community, member) of every membership.
    pub members: Vec<(i64, i64)>,
    /// Money records kept, anonymized.
    pub kept: u64,
}

/// `text` with every `needle` replaced, as SQL.
fn replaced(column: impl sea_orm::sea_query::IntoColumnRef + Clone, needle: &str) -> SimpleExpr {
    Func::cust("REPLACE")
        .arg(Expr::col(column))
        .arg(needle)
        .arg("[erased]")
        .into()
}

pub async fn erase<C: ConnectionTrait>(conn: &C, person_id: i64) -> CoreResult<Erased> {
    let identities = identity::Entity::find()
        .filter(identity::Column::PersonId.eq(person_id))
        .all(conn)
        .await?;
    let names: Vec<String> = identities
        .iter()
        .map(|i| format!("{}:{}", i.platform, i.external_id))
        .collect();
    let members = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .all(conn)
        .await?;
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();

    macro_rules! drop_rows {
        ($($entity:ident),*) => {$(
            $entity::Entity::delete_many()
                .filter($entity::Column::MemberId.is_in(ids.iter().copied()))
                .exec(conn)
                .await?;
        )*};
    }
    // Highlights of their questions go with the questions.
    let asked: Vec<i64> = question::Entity::find()
        .filter(question::Column::MemberId.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|q| q.id)
        .collect();
    highlight::Entity::delete_many()
        .filter(highlight::Column::QuestionId.is_in(asked))
        .exec(conn)
        .await?;
    drop_rows!(
        ledger,
        score,
        badge,
        checkin,
        activity_day,
        activity_limit,
        perk_grant,
        redemption,
        completion,
        lesson_unlock,
        question,
        referral_code,
        reminder
    );
    entitlement::Entity::update_many()
        .col_expr(entitlement::Column::TierId, Expr::value(Option::<i64>::None))
        .col_expr(entitlement::Column::Status, Expr::value("none"))
        .col_expr(entitlement::Column::AccessUntil, Expr::value(Option::<i64>::None))
        .filter(entitlement::Column::MemberId.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    history::Entity::update_many()
        .col_expr(history::Column::Note, Expr::value(Option::<String>::None))
        .filter(history::Column::MemberId.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;

    // Where they acted on others, their name goes and the act stays.
    macro_rules! unname {
        ($($entity:ident :: $column:ident),*) => {$(
            $entity::Entity::update_many()
                .col_expr($entity::Column::$column, Expr::value(ERASED))
                .filter($entity::Column::$column.is_in(names.iter().cloned()))
                .exec(conn)
                .await?;
        )*};
    }
    unname!(
        history::Actor,
        coupon::CreatedBy,
        question::AnsweredBy,
        highlight::MarkedBy,
        audit::Actor
    );
    for name in &names {
        audit::Entity::update_many()
            .col_expr(audit::Column::Detail, replaced(audit::Column::Detail, name))
            .filter(audit::Column::Detail.contains(name.as_str()))
            .exec(conn)
            .await?;
        // Delivered messages are done with; pending ones still carry the
        // removal of their roles and go out first.
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Recipient, Expr::value(ERASED))
            .col_expr(outbox::Column::Payload, Expr::value("{}"))
            .filter(outbox::Column::Recipient.eq(name.as_str()))
            .filter(outbox::Column::Status.ne(crate::outbox::OutboxStatus::Pending))
            .exec(conn)
            .await?;
    }
    for i in &identities {
        chat_presence::Entity::delete_many()
            .filter(chat_presence::Column::Platform.eq(i.platform.as_str()))
            .filter(chat_presence::Column::ExternalId.eq(i.external_id.as_str()))
            .exec(conn)
            .await?;
    }
    link_code::Entity::delete_many()
        .filter(link_code::Column::PersonId.eq(person_id))
        .exec(conn)
        .await?;
    identity::Entity::delete_many()
        .filter(identity::Column::PersonId.eq(person_id))
        .exec(conn)
        .await?;

    let of_them = || ids.iter().copied();
    let kept = revenue::Entity::find()
        .filter(revenue::Column::MemberId.is_in(of_them()))
        .count(conn)
        .await?
        + purchase::Entity::find()
            .filter(purchase::Column::MemberId.is_in(of_them()))
            .count(conn)
            .await?
        + subscription::Entity::find()
            .filter(subscription::Column::MemberId.is_in(of_them()))
            .count(conn)
            .await?;
    Ok(Erased {
        members: members.iter().map(|m| (m.community_id, m.id)).collect(),
        kept,
    })
}
