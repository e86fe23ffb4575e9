//! Points and activity counts that are durable (in the ledger and a backlog
//! row) but not yet added to members' score rows. On SQLite every score row
//! a commit touches costs a page write; keeping the amounts here for a few
//! seconds and folding each member's total in once lets many events share
//! that write. Readers add what is owed, so nobody sees the difference.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::engage::writing::writer::Counts;
use crate::entity::score;
use crate::periods::Keys;

/// The week, month and season an amount counts toward.
pub type Periods = (i32, i32, i32);

/// Which owed amounts a fold pass takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// Everything owed: someone waits for all of it.
    Everything,
    /// What is due, with no events waiting for the writer.
    Quiet,
    /// Events are waiting: fold only if too many members are owed.
    Busy,
}

pub fn periods(keys: &Keys) -> Periods {
    (keys.week, keys.month, keys.season)
}

/// What one member is owed.
#[derive(Clone, Debug)]
pub struct Owed {
    /// In the order earned; more than one only across a period's end.
    pub points: Vec<(Periods, i64)>,
    /// By UTC day, as the activity counts are kept.
    pub counts: Vec<(i32, Counts)>,
    /// The oldest and newest backlog rows holding a part of this.
    pub first: i64,
    pub last: i64,
}

impl Owed {
    pub fn new(batch: i64) -> Owed {
        Owed {
            points: Vec::new(),
            counts: Vec::new(),
            first: batch,
            last: batch,
        }
    }

    pub fn add_points(&mut self, periods: Periods, n: i64) {
        match self.points.last_mut() {
            Some((p, sum)) if *p == periods => *sum += n,
            _ => self.points.push((periods, n)),
        }
    }

    pub fn add_counts(&mut self, day: i32, c: Counts) {
        match self.counts.iter_mut().find(|(d, _)| *d == day) {
            Some((_, sum)) => {
                sum.messages += c.messages;
                sum.given += c.given;
                sum.received += c.received;
            }
            None => self.counts.push((day, c)),
        }
    }

    /// Takes in what was owed after this.
    pub fn absorb(&mut self, later: Owed) {
        for (p, n) in later.points {
            self.add_points(p, n);
        }
        for (d, c) in later.counts {
            self.add_counts(d, c);
        }
        self.first = self.first.min(later.first);
        self.last = self.last.max(later.last);
    }

    pub fn earned(&self) -> i64 {
        self.points.iter().map(|(_, n)| n).sum()
    }
}

/// `row` as it will be once `owed` is folded in: the same arithmetic as the
/// score upsert (store::scores), period by period.
pub fn applied(row: &score::Model, owed: &Owed) -> score::Model {
    let mut r = row.clone();
    for &((week, month, season), n) in &owed.points {
        r.balance += n;
        r.earned += n;
        if r.week_key == week {
            r.week_points += n;
        } else {
            r.last_week_key = r.week_key;
            r.last_week_points = r.week_points;
            r.week_key = week;
            r.week_points = n;
        }
        for (key, points, now) in [
            (&mut r.month_key, &mut r.month_points, month),
            (&mut r.season_key, &mut r.season_points, season),
        ] {
            if *key == now {
                *points += n;
            } else {
                *key = now;
                *points = n;
            }
        }
    }
    r
}

/// The order a pass over the book folds members in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    OldestFirst,
    ByMember,
}

/// Everything one community is owed, and the progress of the fold.
#[derive(Default)]
pub struct Book {
    members: HashMap<i64, Owed>,
    /// Members still to fold in this pass, next last.
    pass: Vec<i64>,
    order: Order,
    /// When the oldest amount not yet in a pass arrived.
    waiting_since: Option<Instant>,
}

impl Book {
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn get(&self, member_id: i64) -> Option<&Owed> {
        self.members.get(&member_id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&i64, &Owed)> {
        self.members.iter()
    }

    pub fn add(&mut self, member_id: i64, owed: Owed) {
        self.waiting_since.get_or_insert_with(Instant::now);
        match self.members.get_mut(&member_id) {
            Some(o) => o.absorb(owed),
            None => {
                self.members.insert(member_id, owed);
            }
        }
    }

    /// Removes and returns what these members are owed.
    pub fn take(&mut self, members: &[i64]) -> Vec<(i64, Owed)> {
        members
            .iter()
            .filter_map(|m| self.members.remove(m).map(|o| (*m, o)))
            .collect()
    }

    /// Removes and returns everything owed.
    pub fn take_all(&mut self) -> Vec<(i64, Owed)> {
        self.pass.clear();
        self.waiting_since = None;
        self.members.drain().collect()
    }

    /// Returns amounts taken for a fold whose transaction did not commit.
    pub fn put_back(&mut self, taken: Vec<(i64, Owed)>) {
        for (m, mut owed) in taken {
            if let Some(later) = self.members.remove(&m) {
                owed.absorb(later);
            }
            self.members.insert(m, owed);
            self.pass.push(m);
        }
    }

    /// Whether a fold is due: a pass is under way, or amounts have waited
    /// `after`.
    pub fn due(&self, after: Duration) -> bool {
        !self.pass.is_empty() || self.waiting_since.is_some_and(|t| t.elapsed() >= after)
    }

    /// Up to `n` members to fold next, in member order, starting a pass
    /// over everyone owed when none is under way. A background pass takes
    /// the oldest debts first, so backlog rows can be pruned sooner; a
    /// flush takes members in id order, so each slice updates neighbouring
    /// rows on few pages instead of one page per member.
    pub fn next_slice(&mut self, n: usize, order: Order) -> Vec<(i64, Owed)> {
        if self.pass.is_empty() || self.order != order {
            let mut all: Vec<(i64, i64)> = match order {
                Order::OldestFirst => self.members.iter().map(|(m, o)| (o.first, *m)).collect(),
                Order::ByMember => self.members.keys().map(|m| (0, *m)).collect(),
            };
            all.sort_unstable_by(|a, b| b.cmp(a));
            self.pass = all.into_iter().map(|(_, m)| m).collect();
            self.order = order;
            self.waiting_since = None;
        }
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let Some(m) = self.pass.pop() else { break };
            if let Some(o) = self.members.remove(&m) {
                out.push((m, o));
            }
        }
        out.sort_unstable_by_key(|(m, _)| *m);
        out
    }

    /// Backlog rows below this id hold nothing still owed.
    pub fn oldest_batch(&self) -> Option<i64> {
        self.members.values().map(|o| o.first).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_in_order_matches_the_upsert_across_a_new_week() {
        let row = crate::store::scores::fresh_row(
            1,
            1,
            &Keys {
                day: 0,
                week: 7,
                month: 1,
                season: 1,
            },
        );
        let mut owed = Owed::new(1);
        owed.add_points((7, 1, 1), 10);
        owed.add_points((7, 1, 1), 5);
        owed.add_points((14, 1, 1), 3);
        let r = applied(&row, &owed);
        assert_eq!((r.balance, r.earned), (18, 18));
        assert_eq!((r.week_key, r.week_points), (14, 3));
        assert_eq!((r.last_week_key, r.last_week_points), (7, 15));
        assert_eq!((r.month_key, r.month_points), (1, 18));
    }

    #[test]
    fn a_flush_pass_goes_by_member_even_midway_through_a_background_pass() {
        let mut book = Book::default();
        for (m, batch) in [(5, 1), (1, 4), (3, 2), (2, 3), (4, 5)] {
            let mut o = Owed::new(batch);
            o.add_points((0, 0, 0), 1);
            book.add(m, o);
        }
        let ids = |slice: Vec<(i64, Owed)>| slice.into_iter().map(|(m, _)| m).collect::<Vec<_>>();
        assert_eq!(ids(book.next_slice(2, Order::OldestFirst)), vec![3, 5]);
        assert_eq!(ids(book.next_slice(2, Order::ByMember)), vec![1, 2]);
        assert_eq!(ids(book.next_slice(2, Order::ByMember)), vec![4]);
        assert!(book.is_empty());
    }

    #[test]
    fn a_pass_takes_the_oldest_first_and_put_back_keeps_later_amounts() {
        let mut book = Book::default();
        for (m, batch) in [(1, 3), (2, 1), (3, 2)] {
            let mut o = Owed::new(batch);
            o.add_points((0, 0, 0), 5);
            book.add(m, o);
        }
        assert!(book.due(Duration::ZERO));
        let slice = book.next_slice(2, Order::OldestFirst);
        assert_eq!(slice.iter().map(|(m, _)| *m).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(book.oldest_batch(), Some(3));
        let mut later = Owed::new(4);
        later.add_points((0, 0, 0), 1);
        book.add(2, later);
        book.put_back(slice);
        assert_eq!(
            book.get(2).map(|o| (o.earned(), o.first, o.last)),
            Some((6, 1, 4))
        );
        assert_eq!(book.oldest_batch(), Some(1));
    }
}
