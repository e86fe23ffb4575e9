//! Reading a community's score rows in bulk, to build the boards at start.
//! Handed over a row at a time, the driver spends about two microseconds
//! per row on passing and decoding it, which at a million members was most
//! of start-up. Asked instead for each column of a page as one
//! comma-joined text, the database formats the page in one pass and it
//! crosses over as nine strings.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::mpsc;

use crate::engage::boards::standings::Totals;
use crate::error::{CoreError, CoreResult};

/// Rows per page: big enough that a page's round trip is nothing, small
/// enough that the boards are built while the next page is read.
const PAGE: u64 = 50_000;

/// The columns the boards need, in the order [`totals`] takes them.
const COLUMNS: [&str; 9] = [
    "member_id",
    "earned",
    "week_key",
    "week_points",
    "month_key",
    "month_points",
    "season_key",
    "season_points",
    "version",
];

/// Sends the community's score rows, a page at a time, in member order.
pub(crate) async fn read(
    db: DatabaseConnection,
    community_id: i64,
    pages: mpsc::Sender<Vec<Totals>>,
) -> CoreResult<()> {
    let backend = db.get_database_backend();
    let sql = page_sql(backend);
    let mut after = i64::MIN;
    loop {
        let stmt = Statement::from_sql_and_values(
            backend,
            sql.as_str(),
            [
                community_id.into(),
                after.into(),
                i64::try_from(PAGE).unwrap_or(i64::MAX).into(),
            ],
        );
        let Some(row) = db.query_one_raw(stmt).await? else {
            break;
        };
        let count: i64 = row.try_get_by_index(0)?;
        let mut texts = Vec::with_capacity(COLUMNS.len());
        for i in 1..=COLUMNS.len() {
            texts.push(row.try_get_by_index::<Option<String>>(i)?.unwrap_or_default());
        }
        let page = split(count, &texts)?;
        let Some(end) = page.last() else { break };
        after = end.member_id;
        let full = page.len() as u64 == PAGE;
        if pages.send(page).await.is_err() || !full {
            break;
        }
    }
    Ok(())
}

/// One page after a member id: its row count, then each column joined.
/// The aggregates read the ordered page in one stream, so the n-th item of
/// every column belongs to the same row.
fn page_sql(backend: DbBackend) -> String {
    let pg = backend == DbBackend::Postgres;
    let joined: Vec<String> = COLUMNS
        .iter()
        .map(|c| {
            if pg {
                format!("string_agg({c}::text, ',')")
            } else {
                format!("group_concat({c})")
            }
        })
        .collect();
    let [community, after, limit] = if pg { ["$1", "$2", "$3"] } else { ["?"; 3] };
    format!(
        "SELECT count(*), {} FROM (SELECT {} FROM scores WHERE community_id = {community} \
         AND member_id > {after} ORDER BY member_id LIMIT {limit}) AS page",
        joined.join(", "),
        COLUMNS.join(", "),
    )
}

/// Splits a page's joined columns back into rows; anything but `count`
/// whole numbers in each column is a page that cannot be trusted.
fn split(count: i64, texts: &[String]) -> CoreResult<Vec<Totals>> {
    let bad = |what: &str| CoreError::Corrupt(format!("a page of score rows read in bulk {what}"));
    let count = usize::try_from(count).map_err(|_| bad("has a negative row count"))?;
    if count == 0 {
        return Ok(Vec::new());
    }
    let mut columns: Vec<_> = texts.iter().map(|t| t.split(',')).collect();
    let mut rows = Vec::with_capacity(count);
    for _ in 0..count {
        let mut values = [0_i64; COLUMNS.len()];
        for (value, column) in values.iter_mut().zip(columns.iter_mut()) {
            *value = column
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad("has a missing or unreadable value"))?;
        }
        rows.push(totals(values).ok_or_else(|| bad("has a period key out of range"))?);
    }
    if columns.iter_mut().any(|c| c.next().is_some()) {
        return Err(bad("has more values than rows"));
    }
    Ok(rows)
}

fn totals(v: [i64; COLUMNS.len()]) -> Option<Totals> {
    Some(Totals {
        member_id: v[0],
        earned: v[1],
        week_key: i32::try_from(v[2]).ok()?,
        week_points: v[3],
        month_key: i32::try_from(v[4]).ok()?,
        month_points: v[5],
        season_key: i32::try_from(v[6]).ok()?,
        season_points: v[7],
        version: v[8],
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{DbBackend, page_sql, split};

    fn texts(cols: [&str; 9]) -> Vec<String> {
        cols.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn joined_columns_become_rows_in_order() {
        let rows = split(
            2,
            &texts([
                "-5,7", "10,20", "3,4", "1,2", "5,6", "7,8", "9,10", "11,12", "1,2",
            ]),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].member_id, rows[0].earned, rows[0].week_key), (-5, 10, 3));
        assert_eq!(
            (rows[1].member_id, rows[1].season_points, rows[1].version),
            (7, 12, 2)
        );
    }

    #[test]
    fn an_empty_page_is_no_rows() {
        assert!(split(0, &texts([""; 9])).unwrap().is_empty());
    }

    #[test]
    fn a_page_that_does_not_add_up_is_refused() {
        let short = texts(["1,2", "1", "1,2", "1,2", "1,2", "1,2", "1,2", "1,2", "1,2"]);
        assert!(split(2, &short).is_err(), "a column short of a value");
        let long = texts(["1,2,3", "1,2", "1,2", "1,2", "1,2", "1,2", "1,2", "1,2", "1,2"]);
        assert!(split(2, &long).is_err(), "a column with a value too many");
        let words = texts(["1,x", "1,2", "1,2", "1,2", "1,2", "1,2", "1,2", "1,2", "1,2"]);
        assert!(split(2, &words).is_err(), "a value that is not a number");
        let wide = texts(["1", "1", "9999999999", "1", "1", "1", "1", "1", "1"]);
        assert!(split(1, &wide).is_err(), "a period key past i32");
        assert!(split(-1, &texts([""; 9])).is_err());
    }

    #[test]
    fn each_database_gets_its_own_aggregate_and_placeholders() {
        let lite = page_sql(DbBackend::Sqlite);
        assert!(
            lite.contains("group_concat(version)") && lite.contains("LIMIT ?"),
            "{lite}"
        );
        let pg = page_sql(DbBackend::Postgres);
        assert!(
            pg.contains("string_agg(version::text, ',')") && pg.contains("LIMIT $3"),
            "{pg}"
        );
    }
}
