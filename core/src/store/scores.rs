//! Writing points: ledger entries appended in bulk, and each member's score
//! row (balance, lifetime points, period totals) moved by the same amounts
//! in one multi-row upsert that returns the new rows. Both happen on the
//! caller's transaction, so the score row always equals the ledger's sums.

use std::cell::RefCell;
use std::collections::BTreeMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, SimpleExpr};
use sea_orm::{ConnectionTrait, EntityTrait, QueryTrait, Set};

use crate::entity::kinds::LedgerSource;
use crate::entity::{ledger, score};
use crate::error::{CoreResult, UserError};
use crate::periods::Keys;

tokio::task_local! {
    /// Members whose score rows the current task wrote, so their place on
    /// the boards can be re-read once the transaction commits.
    static TOUCHED: RefCell<Vec<(i64, i64)>>;
}

/// Notes that `member_id`'s score row changed in this task's transaction.
pub(crate) fn touched(community_id: i64, member_id: i64) {
    let _ = TOUCHED.try_with(|t| t.borrow_mut().push((community_id, member_id)));
}

/// Runs `work`, returning what it returned and the members whose scores it
/// wrote.
pub async fn collecting<F: Future>(work: F) -> (F::Output, Vec<(i64, i64)>) {
    TOUCHED
        .scope(RefCell::new(Vec::new()), async {
            let out = work.await;
            let touched = TOUCHED.with(RefCell::take);
            (out, touched)
        })
        .await
}

/// One ledger entry to write.
#[derive(Clone, Debug)]
pub struct Posting {
    pub member_id: i64,
    pub delta: i64,
    pub source: LedgerSource,
    pub reason: String,
    pub actor: Option<String>,
    pub at: i64,
}

/// What a member's totals moved by in one posting batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub balance: i64,
    pub earned: i64,
    pub period: i64,
}

// SQLite allows 32766 bound values per statement; these keep every chunk
// well under that on both databases.
const LEDGER_CHUNK: usize = 2_000;
const SCORE_CHUNK: usize = 1_000;

/// The value an upsert tried to insert into `col` (SQL's `excluded.col`).
pub(crate) fn excluded(col: impl sea_orm::sea_query::IntoIden) -> SimpleExpr {
    Expr::col((Alias::new("excluded"), col))
}

fn current(col: score::Column) -> SimpleExpr {
    Expr::col((score::Entity, col))
}

/// A period total carries on while the stored key is the current one and
/// starts again from this batch when a new period began.
fn period_sum(key: score::Column, points: score::Column) -> SimpleExpr {
    Expr::case(
        current(key).eq(excluded(key)),
        current(points).add(excluded(points)),
    )
    .finally(excluded(points))
    .into()
}

/// When a new week starts, the stored week moves into the `last_week`
/// columns; otherwise they stay. (Every SET reads the row as it was.)
fn carried(last: score::Column, this: score::Column) -> SimpleExpr {
    Expr::case(
        current(score::Column::WeekKey).eq(excluded(score::Column::WeekKey)),
        current(last),
    )
    .finally(current(this))
    .into()
}

/// The larger of the stored and the offered value.
fn later(col: score::Column) -> SimpleExpr {
    Expr::case(excluded(col).gt(current(col)), excluded(col))
        .finally(current(col))
        .into()
}

fn upsert() -> OnConflict {
    use score::Column as S;
    OnConflict::column(S::MemberId)
        .values([
            (S::Balance, current(S::Balance).add(excluded(S::Balance))),
            (S::Earned, current(S::Earned).add(excluded(S::Earned))),
            (S::LastWeekPoints, carried(S::LastWeekPoints, S::WeekPoints)),
            (S::LastWeekKey, carried(S::LastWeekKey, S::WeekKey)),
            (S::WeekPoints, period_sum(S::WeekKey, S::WeekPoints)),
            (S::WeekKey, excluded(S::WeekKey)),
            (S::MonthPoints, period_sum(S::MonthKey, S::MonthPoints)),
            (S::MonthKey, excluded(S::MonthKey)),
            (S::SeasonPoints, period_sum(S::SeasonKey, S::SeasonPoints)),
            (S::SeasonKey, excluded(S::SeasonKey)),
            (S::Version, current(S::Version).add(1)),
            (S::Folded, later(S::Folded)),
        ])
        .to_owned()
}

pub(crate) fn fresh_row(member_id: i64, community_id: i64, keys: &Keys) -> score::Model {
    score::Model {
        member_id,
        community_id,
        balance: 0,
        earned: 0,
        level: 0,
        week_key: keys.week,
        week_points: 0,
        last_week_key: 0,
        last_week_points: 0,
        month_key: keys.month,
        month_points: 0,
        season_key: keys.season,
        season_points: 0,
        streak: 0,
        best_streak: 0,
        last_checkin: 0,
        checkins: 0,
        version: 1,
        folded: 0,
    }
}

/// Appends `postings` (all of one community, dated within the periods of
/// `keys`) and returns each touched member's new score row with how far it
/// moved. Refuses, and the caller's transaction must then roll back, if a
/// balance would go below zero or overflow.
pub async fn post<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    keys: &Keys,
    postings: &[Posting],
) -> CoreResult<Vec<(score::Model, Moved)>> {
    let mut moved: BTreeMap<i64, Moved> = BTreeMap::new();
    for p in postings {
        let m = moved.entry(p.member_id).or_default();
        m.balance = m.balance.checked_add(p.delta).ok_or(UserError::BalanceOverflow)?;
        if p.source.counts_as_earned() {
            m.earned = m.earned.checked_add(p.delta).ok_or(UserError::BalanceOverflow)?;
        }
        if p.source.counts_in_periods() {
            m.period = m.period.checked_add(p.delta).ok_or(UserError::BalanceOverflow)?;
        }
    }
    let list: Vec<(i64, Moved)> = moved.into_iter().collect();
    refuse_overflow(conn, &list).await?;
    append(conn, community_id, postings).await?;
    add(conn, community_id, keys, &list, |_| 0).await
}

/// Appends ledger rows and nothing else; the caller answers for the score
/// rows (see engage::writing::owed).
pub async fn append<C: ConnectionTrait>(conn: &C, community_id: i64, postings: &[Posting]) -> CoreResult<()> {
    let backend = conn.get_database_backend();
    let build = |chunk: &[Posting]| {
        let rows = chunk.iter().map(|p| ledger::ActiveModel {
            community_id: Set(community_id),
            member_id: Set(p.member_id),
            delta: Set(p.delta),
            source: Set(p.source),
            reason: Set(p.reason.clone()),
            actor: Set(p.actor.clone()),
            at: Set(p.at),
            ..Default::default()
        });
        ledger::Entity::insert_many(rows).build(backend)
    };
    let mut chunks = postings.chunks(LEDGER_CHUNK);
    let mut next = chunks.next().map(build);
    while let Some(stmt) = next {
        // Building a statement of 2,000 rows is CPU work the driver's
        // thread would otherwise sit out: built while the one before runs,
        // a batch of 5,000 appended in ~32 ms instead of ~34.
        let (done, following) = tokio::join!(conn.execute_raw(stmt), async { chunks.next().map(build) });
        done?;
        next = following;
    }
    Ok(())
}

/// Moves members' score rows by `list` within the periods of `keys`,
/// marking each as holding backlog rows up to `folded(member)`; returns the
/// new rows with how far each moved. Refuses a balance below zero.
pub async fn add<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    keys: &Keys,
    list: &[(i64, Moved)],
    folded: impl Fn(i64) -> i64,
) -> CoreResult<Vec<(score::Model, Moved)>> {
    let mut out = Vec::with_capacity(list.len());
    for chunk in list.chunks(SCORE_CHUNK) {
        let written = score::Entity::insert_many(added(chunk, community_id, keys, &folded))
            .on_conflict(upsert())
            .exec_with_returning(conn)
            .await
            .map_err(overflow_or_db)?;
        for row in written {
            let m = moved_of(chunk, row.member_id);
            if row.balance < 0 {
                return Err(UserError::NotEnoughPoints {
                    balance: row.balance - m.balance,
                    needed: -m.balance,
                }
                .into());
            }
            touched(community_id, row.member_id);
            out.push((row, m));
        }
    }
    Ok(out)
}

/// Like `add`, for amounts that only earn (activity folded in later), when
/// nobody needs the new rows: reading them back costs more than the write.
pub async fn add_unread<C: ConnectionTrait>(
    conn: &C,
    community_id: i64,
    keys: &Keys,
    list: &[(i64, Moved)],
    folded: impl Fn(i64) -> i64,
) -> CoreResult<()> {
    for chunk in list.chunks(SCORE_CHUNK) {
        score::Entity::insert_many(added(chunk, community_id, keys, &folded))
            .on_conflict(upsert())
            .exec_without_returning(conn)
            .await
            .map_err(overflow_or_db)?;
    }
    Ok(())
}

/// The rows `upsert` adds to the stored ones.
fn added<'a>(
    chunk: &'a [(i64, Moved)],
    community_id: i64,
    keys: &'a Keys,
    folded: &'a impl Fn(i64) -> i64,
) -> impl Iterator<Item = score::ActiveModel> + 'a {
    chunk.iter().map(move |(member_id, m)| {
        let mut row = fresh_row(*member_id, community_id, keys);
        row.balance = m.balance;
        row.earned = m.earned;
        row.week_points = m.period;
        row.month_points = m.period;
        row.season_points = m.period;
        row.folded = folded(*member_id);
        score::ActiveModel::from(row)
    })
}

/// Amounts this large never come from rules or commands (each award is
/// capped far below), only from imports or code; for them the stored totals
/// are read first, because SQLite would quietly turn an overflowing sum
/// into a float.
const CHECKED_ABOVE: i64 = 1 << 40;

async fn refuse_overflow<C: ConnectionTrait>(conn: &C, list: &[(i64, Moved)]) -> CoreResult<()> {
    let big: Vec<i64> = list
        .iter()
        .filter(|(_, m)| m.balance.abs() > CHECKED_ABOVE || m.earned.abs() > CHECKED_ABOVE)
        .map(|(id, _)| *id)
        .collect();
    for row in scores_of(conn, &big).await? {
        let m = moved_of(list, row.member_id);
        if row.balance.checked_add(m.balance).is_none() || row.earned.checked_add(m.earned).is_none() {
            return Err(UserError::BalanceOverflow.into());
        }
    }
    Ok(())
}

fn moved_of(list: &[(i64, Moved)], member_id: i64) -> Moved {
    list.iter()
        .find(|(id, _)| *id == member_id)
        .map(|(_, m)| *m)
        .unwrap_or_default()
}

// PostgreSQL reports BIGINT overflow as an error; say it in the member's terms.
fn overflow_or_db(e: sea_orm::DbErr) -> crate::error::CoreError {
    if e.to_string().contains("out of range") {
        UserError::BalanceOverflow.into()
    } else {
        e.into()
    }
}

/// The member's score row, if they ever had points or checked in.
pub async fn score_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<Option<score::Model>> {
    Ok(score::Entity::find_by_id(member_id).one(conn).await?)
}

pub async fn balance<C: ConnectionTrait>(conn: &C, member_id: i64) -> CoreResult<i64> {
    Ok(score_of(conn, member_id).await?.map_or(0, |s| s.balance))
}

/// Score rows of several members, for refreshing cached standings.
pub async fn scores_of<C: ConnectionTrait>(conn: &C, members: &[i64]) -> CoreResult<Vec<score::Model>> {
    super::chunked::rows_in(conn, score::Entity::find(), score::Column::MemberId, members).await
}
