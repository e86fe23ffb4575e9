//! Leaderboards held in memory: for each board a ranked set (ladder.rs) of
//! (points descending, member ascending), so a rank is one `rank()` call
//! and a page is a slice, with no round trip to any server. The `scores` table is the durable copy; this is rebuilt from it
//! at start and kept current from the rows each commit returns.

use std::cmp::Reverse;
use std::collections::HashMap;

use crate::engage::boards::ladder::Ladder;
use crate::entity::score;
use crate::periods::{Board, Keys};

type Entry = (Reverse<i64>, i64);

#[derive(Clone, Copy, Debug, Default)]
struct Held {
    version: i64,
    points: [i64; 4],
}

/// One community's four boards.
#[derive(Default)]
pub struct Standings {
    sets: [Ladder<Entry>; 4],
    keys: [i32; 4],
    /// Every member's points now, committed amounts included at once.
    held: HashMap<i64, Held>,
    /// Members whose places in `sets` lag behind `held`, with the points
    /// the sets still hold for them. Moving thousands of members takes tens
    /// of milliseconds, which the writer leaves to another thread; every
    /// look at the boards catches up first, while a look at one member's
    /// points needs no wait.
    stale: HashMap<i64, [i64; 4]>,
    /// Entries leaving and joining each board, applied together by
    /// `settle_moves`.
    moves: [(Vec<Entry>, Vec<Entry>); 4],
}

/// Points earned by a member in the periods (week, month, season).
pub type Bump = (i64, (i32, i32, i32), i64);

/// A member's place on a board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// 1 for the top.
    pub rank: u64,
    pub points: i64,
    /// How many members are on the board.
    pub of: u64,
}

/// The columns of a score row the boards need; loading only these keeps a
/// million-member start quick.
#[derive(Clone, Copy, Debug, sea_orm::FromQueryResult)]
pub struct Totals {
    pub member_id: i64,
    pub earned: i64,
    pub week_key: i32,
    pub week_points: i64,
    pub month_key: i32,
    pub month_points: i64,
    pub season_key: i32,
    pub season_points: i64,
    pub version: i64,
}

impl From<&score::Model> for Totals {
    fn from(r: &score::Model) -> Totals {
        Totals {
            member_id: r.member_id,
            earned: r.earned,
            week_key: r.week_key,
            week_points: r.week_points,
            month_key: r.month_key,
            month_points: r.month_points,
            season_key: r.season_key,
            season_points: r.season_points,
            version: r.version,
        }
    }
}

fn points_on(row: &Totals, board: Board, keys: &Keys) -> i64 {
    let (key, points) = match board {
        Board::AllTime => return row.earned,
        Board::Week => (row.week_key, row.week_points),
        Board::Month => (row.month_key, row.month_points),
        Board::Season => (row.season_key, row.season_points),
    };
    if key == keys.get(board) { points } else { 0 }
}

/// Builds boards from rows arriving page by page, then sorts once.
pub struct Loader {
    s: Standings,
    entries: [Vec<Entry>; 4],
    keys: Keys,
}

impl Loader {
    pub fn new(keys: &Keys) -> Loader {
        Loader {
            s: Standings::new(keys),
            entries: Default::default(),
            keys: *keys,
        }
    }

    pub fn add(&mut self, row: &Totals) {
        let points = Board::ALL.map(|b| points_on(row, b, &self.keys));
        for b in Board::ALL {
            let p = points[b.index()];
            if p > 0 {
                self.entries[b.index()].push((Reverse(p), row.member_id));
            }
        }
        self.s.held.insert(
            row.member_id,
            Held {
                version: row.version,
                points,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.s.held.len()
    }

    pub fn is_empty(&self) -> bool {
        self.s.held.is_empty()
    }

    /// Sorts and builds the four boards, each on a thread of its own.
    pub fn finish(self) -> Standings {
        let mut s = self.s;
        let built: Vec<Ladder<Entry>> = std::thread::scope(|scope| {
            let builders: Vec<_> = self
                .entries
                .into_iter()
                .map(|mut list| {
                    scope.spawn(move || {
                        list.sort_unstable();
                        Ladder::from_sorted(&list)
                    })
                })
                .collect();
            builders
                .into_iter()
                .map(|b| b.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        });
        for (i, set) in built.into_iter().enumerate() {
            s.sets[i] = set;
        }
        s
    }
}

impl Standings {
    pub fn new(keys: &Keys) -> Standings {
        Standings {
            keys: Board::ALL.map(|b| keys.get(b)),
            ..Standings::default()
        }
    }

    pub fn is_current(&self, keys: &Keys) -> bool {
        Board::ALL.iter().all(|b| self.keys[b.index()] == keys.get(*b))
    }

    /// Drops a member who no longer exists (merged into another).
    pub fn forget(&mut self, member_id: i64) {
        if let Some(held) = self.held.remove(&member_id) {
            let listed = self.stale.remove(&member_id).unwrap_or(held.points);
            self.relist(member_id, listed, [0; 4]);
            self.settle_moves();
        }
    }

    /// Adds committed amounts to the members' points now; their places on
    /// the boards follow at `catch_up`.
    pub fn defer(&mut self, keys: Keys, bumps: Vec<Bump>) {
        for (m, periods, n) in bumps {
            self.add(m, periods, n, &keys);
        }
    }

    pub fn is_behind(&self) -> bool {
        !self.stale.is_empty()
    }

    /// Moves every lagging member to their place on the boards.
    pub fn catch_up(&mut self) {
        while self.catch_up_some(usize::MAX) {}
    }

    /// Moves at most `n` lagging members; returns whether any still lag.
    /// The more members at once, the cheaper each move: a board rewrites
    /// each block it touches once however many entries land there.
    pub fn catch_up_some(&mut self, n: usize) -> bool {
        let due: Vec<i64> = self.stale.keys().take(n).copied().collect();
        for m in due {
            if let Some(listed) = self.stale.remove(&m) {
                let now = self.held.get(&m).map_or([0; 4], |h| h.points);
                self.relist(m, listed, now);
            }
        }
        self.settle_moves();
        self.is_behind()
    }

    /// Notes that a member's entries on the boards change; they do at the
    /// next `settle_moves`.
    fn relist(&mut self, member_id: i64, old: [i64; 4], new: [i64; 4]) {
        for i in 0..4 {
            if old[i] == new[i] {
                continue;
            }
            let (gone, joined) = &mut self.moves[i];
            if old[i] > 0 {
                gone.push((Reverse(old[i]), member_id));
            }
            if new[i] > 0 {
                joined.push((Reverse(new[i]), member_id));
            }
        }
    }

    fn settle_moves(&mut self) {
        for (set, (gone, joined)) in self.sets.iter_mut().zip(self.moves.iter_mut()) {
            if !gone.is_empty() || !joined.is_empty() {
                set.update(std::mem::take(gone), std::mem::take(joined));
            }
        }
    }

    /// Starts new periods where `keys` moved on: their boards empty. Keys
    /// older than the boards' (a queued amount from before a reset) change
    /// nothing.
    pub fn roll(&mut self, keys: &Keys) {
        for b in [Board::Week, Board::Month, Board::Season] {
            let i = b.index();
            if keys.get(b) > self.keys[i] {
                self.keys[i] = keys.get(b);
                self.sets[i] = Ladder::default();
                self.moves[i] = Default::default();
                for held in self.held.values_mut() {
                    held.points[i] = 0;
                }
                for listed in self.stale.values_mut() {
                    listed[i] = 0;
                }
            }
        }
    }

    /// Takes a committed score row; an older version than one already seen
    /// is ignored, so racing commits cannot move a member backwards.
    pub fn apply(&mut self, row: &score::Model, keys: &Keys) {
        self.roll(keys);
        let held = self.held.entry(row.member_id).or_default();
        if row.version < held.version {
            return;
        }
        held.version = row.version;
        let totals = Totals::from(row);
        // The boards' periods, which may be newer than the caller's.
        let keys = Keys {
            day: keys.day,
            week: self.keys[Board::Week.index()],
            month: self.keys[Board::Month.index()],
            season: self.keys[Board::Season.index()],
        };
        let new = Board::ALL.map(|b| points_on(&totals, b, &keys));
        let old = std::mem::replace(&mut held.points, new);
        let listed = self.stale.remove(&row.member_id).unwrap_or(old);
        self.relist(row.member_id, listed, new);
        self.settle_moves();
    }

    /// Adds `n` points earned in `periods` (week, month, season) to a
    /// member's points, without a new row version (the row that later holds
    /// them replaces this) and without the move on the boards, which is
    /// left for `catch_up`.
    fn add(&mut self, member_id: i64, periods: (i32, i32, i32), n: i64, keys: &Keys) {
        self.roll(keys);
        if n == 0 {
            return;
        }
        let held = self.held.entry(member_id).or_default();
        let before = held.points;
        for b in Board::ALL {
            let i = b.index();
            let counts = match b {
                Board::AllTime => true,
                Board::Week => periods.0 == self.keys[i],
                Board::Month => periods.1 == self.keys[i],
                Board::Season => periods.2 == self.keys[i],
            };
            if counts {
                held.points[i] += n;
            }
        }
        if held.points != before {
            self.stale.entry(member_id).or_insert(before);
        }
    }

    /// The member's points on a board, 0 if none.
    pub fn held(&self, member_id: i64, board: Board) -> i64 {
        self.held.get(&member_id).map_or(0, |h| h.points[board.index()])
    }

    pub fn place(&self, board: Board, member_id: i64) -> Option<Place> {
        let i = board.index();
        let points = self.held.get(&member_id)?.points[i];
        if points <= 0 {
            return None;
        }
        let rank = self.sets[i].rank(&(Reverse(points), member_id));
        Some(Place {
            rank: rank as u64 + 1,
            points,
            of: self.sets[i].len() as u64,
        })
    }

    /// `(member_id, points)` from `offset` (0-based), at most `n`.
    pub fn page(&self, board: Board, offset: usize, n: usize) -> Vec<(i64, i64)> {
        let set = &self.sets[board.index()];
        if offset >= set.len() {
            return Vec::new();
        }
        let end = (offset + n).min(set.len());
        set.slice(offset..end)
            .into_iter()
            .map(|(Reverse(p), m)| (m, p))
            .collect()
    }

    pub fn len(&self, board: Board) -> usize {
        self.sets[board.index()].len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys() -> Keys {
        Keys {
            day: 100,
            week: 98,
            month: 5,
            season: 2,
        }
    }

    fn row(member_id: i64, earned: i64, week: i64, version: i64) -> score::Model {
        let k = keys();
        score::Model {
            member_id,
            community_id: 1,
            balance: earned,
            earned,
            level: 0,
            week_key: k.week,
            week_points: week,
            last_week_key: 0,
            last_week_points: 0,
            month_key: k.month,
            month_points: week,
            season_key: k.season,
            season_points: earned,
            streak: 0,
            best_streak: 0,
            last_checkin: 0,
            checkins: 0,
            version,
            folded: 0,
        }
    }

    #[test]
    fn older_rows_do_not_undo_newer_ones() {
        let mut s = Standings::new(&keys());
        s.apply(&row(1, 50, 10, 2), &keys());
        s.apply(&row(1, 40, 5, 1), &keys());
        assert_eq!(s.place(Board::AllTime, 1).map(|p| p.points), Some(50));
    }

    #[test]
    fn a_new_week_empties_the_weekly_board_only() {
        let mut s = Standings::new(&keys());
        s.apply(&row(1, 50, 10, 1), &keys());
        let mut next = keys();
        next.week += 7;
        s.roll(&next);
        assert_eq!(s.place(Board::Week, 1), None);
        assert_eq!(s.len(Board::Week), 0);
        assert_eq!(s.place(Board::AllTime, 1).map(|p| p.rank), Some(1));
        // A row written last week counts nothing on this week's board.
        s.apply(&row(1, 60, 10, 2), &next);
        assert_eq!(s.place(Board::Week, 1), None);
        assert_eq!(s.place(Board::AllTime, 1).map(|p| p.points), Some(60));
    }

    #[test]
    fn queued_amounts_land_in_order_and_never_undo_a_reset() {
        let k = keys();
        let this_week = (k.week, k.month, k.season);
        let mut s = Standings::new(&k);
        s.apply(&row(1, 50, 10, 1), &k);
        s.defer(k, vec![(1, this_week, 5), (2, this_week, 7)]);
        s.defer(k, vec![(1, this_week, 3)]);
        assert!(s.is_behind());
        assert_eq!(s.held(1, Board::AllTime), 58, "points count at once");
        assert_eq!(s.page(Board::AllTime, 0, 10), vec![(1, 50)], "places follow");
        s.catch_up();
        assert!(!s.is_behind());
        assert_eq!(s.held(1, Board::AllTime), 58);
        assert_eq!(s.held(1, Board::Week), 18);
        assert_eq!(s.page(Board::AllTime, 0, 10), vec![(1, 58), (2, 7)]);
        // The week ends before an amount queued last week lands: the new
        // week's board stays empty and the amount still counts all-time.
        let mut next = k;
        next.week += 7;
        s.defer(k, vec![(2, this_week, 4)]);
        s.roll(&next);
        s.catch_up();
        assert_eq!(s.len(Board::Week), 0);
        assert_eq!(s.held(2, Board::AllTime), 11);
        // Older keys never take the boards back to an earlier week.
        s.roll(&k);
        s.apply(&row(3, 9, 9, 1), &k);
        assert_eq!(s.len(Board::Week), 0);
    }

    proptest! {
        /// Amounts added ahead of the boards, rows taken and partial
        /// catch-ups in any order: a member's points are right at every
        /// step, and once caught up every page matches a plain sort.
        #[test]
        fn places_follow_points_however_catch_ups_interleave(
            ops in prop::collection::vec((0u8..3, 0i64..25, 0i64..40), 1..300)
        ) {
            let k = keys();
            let this_week = (k.week, k.month, k.season);
            let mut s = Standings::new(&k);
            let mut truth: HashMap<i64, i64> = HashMap::new();
            for (version, (op, member, n)) in ops.into_iter().enumerate() {
                match op {
                    0 => {
                        s.apply(&row(member, n, n, i64::try_from(version).unwrap() + 1), &k);
                        truth.insert(member, n);
                    }
                    1 => {
                        s.defer(k, vec![(member, this_week, n)]);
                        *truth.entry(member).or_default() += n;
                    }
                    _ => {
                        s.catch_up_some(usize::try_from(n).unwrap());
                    }
                }
                prop_assert_eq!(s.held(member, Board::AllTime), truth.get(&member).copied().unwrap_or(0));
            }
            s.catch_up();
            let mut sorted: Vec<(i64, i64)> = truth.into_iter().filter(|(_, p)| *p > 0).collect();
            sorted.sort_by_key(|&(m, p)| (Reverse(p), m));
            prop_assert_eq!(s.page(Board::AllTime, 0, 1000), sorted.clone());
            prop_assert_eq!(s.page(Board::Week, 0, 1000), sorted);
        }

        /// After any sequence of updates, every rank and page agrees with a
        /// plain sort of the latest totals.
        #[test]
        fn ranks_match_a_sorted_reference(updates in prop::collection::vec((0i64..40, 0i64..30), 1..300)) {
            let mut s = Standings::new(&keys());
            let mut truth: HashMap<i64, i64> = HashMap::new();
            for (version, (member, points)) in updates.into_iter().enumerate() {
                s.apply(&row(member, points, points, i64::try_from(version).unwrap() + 1), &keys());
                truth.insert(member, points);
            }
            let mut sorted: Vec<(i64, i64)> = truth.into_iter().filter(|(_, p)| *p > 0).collect();
            sorted.sort_by_key(|&(m, p)| (Reverse(p), m));
            prop_assert_eq!(s.page(Board::AllTime, 0, 1000), sorted.clone());
            for (i, (m, p)) in sorted.iter().enumerate() {
                prop_assert_eq!(
                    s.place(Board::AllTime, *m),
                    Some(Place { rank: i as u64 + 1, points: *p, of: sorted.len() as u64 })
                );
            }
            let mut loader = Loader::new(&keys());
            for &(m, p) in &sorted {
                loader.add(&Totals::from(&row(m, p, p, 1)));
            }
            let loaded = loader.finish();
            prop_assert_eq!(loaded.page(Board::Week, 0, 1000), sorted);
        }
    }
}
