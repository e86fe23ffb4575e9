//! Whether a member had access at any instant, replayed from their history
//! rows. Every change of status, tier or paid-until date writes one, so the
//! last row at or before an instant says what held then.

use crate::domain::EntitlementStatus;
use crate::entity::history;

/// One member's history, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    steps: Vec<(i64, EntitlementStatus, Option<i64>)>,
}

impl Timeline {
    /// `rows` in any order; rows with an unknown status count as `none`.
    pub fn of(rows: &[&history::Model]) -> Timeline {
        let mut steps: Vec<(i64, i64, EntitlementStatus, Option<i64>)> = rows
            .iter()
            .map(|r| {
                let status = r.to_status;
                (r.at, r.id, status, r.access_until)
            })
            .collect();
        // Rows written in one second keep the order they were written in.
        steps.sort_by_key(|s| (s.0, s.1));
        Timeline {
            steps: steps.into_iter().map(|(at, _, s, u)| (at, s, u)).collect(),
        }
    }

    pub fn has_access(&self, t: i64) -> bool {
        let idx = self.steps.partition_point(|s| s.0 <= t);
        idx > 0 && {
            let (_, status, until) = self.steps[idx - 1];
            status.has_access(until, t)
        }
    }

    /// When access first began, if it ever did.
    pub fn first_access(&self) -> Option<i64> {
        self.steps
            .iter()
            .find(|(at, status, until)| status.has_access(*until, *at))
            .map(|s| s.0)
    }

    /// Instants in `[from, to)` where access began or ended. An end is the
    /// row that took it away, or the paid-until date passing with no row.
    pub fn changes(&self, from: i64, to: i64) -> (Vec<i64>, Vec<i64>) {
        let mut gained = Vec::new();
        let mut lost = Vec::new();
        let mut had = false;
        let mut lapses_at: Option<i64> = None;
        for (i, &(at, status, until)) in self.steps.iter().enumerate() {
            // A renewal written the second access would end keeps it going.
            if let Some(l) = lapses_at.filter(|l| *l < at) {
                had = false;
                if (from..to).contains(&l) {
                    lost.push(l);
                }
            }
            let has = status.has_access(until, at);
            if has != had && (from..to).contains(&at) {
                if has { gained.push(at) } else { lost.push(at) }
            }
            had = has;
            lapses_at = if has { until } else { None };
            // The paid-until date of the newest row may fall before `to`.
            if i + 1 == self.steps.len()
                && let Some(l) = lapses_at.filter(|l| (from..to).contains(l))
            {
                lost.push(l);
            }
        }
        (gained, lost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, at: i64, status: &str, until: Option<i64>) -> history::Model {
        history::Model {
            id,
            member_id: 1,
            at,
            from_status: EntitlementStatus::None,
            to_status: EntitlementStatus::parse(status).unwrap(),
            from_tier: None,
            to_tier: None,
            access_until: until,
            cause: crate::entity::kinds::Cause::Join,
            actor: None,
            note: None,
        }
    }

    #[test]
    fn access_follows_rows_and_paid_until_dates() {
        let rows = [
            row(1, 0, "none", None),
            row(2, 100, "active", Some(200)),
            row(3, 190, "active", Some(300)),
            row(4, 250, "canceled", Some(300)),
        ];
        let t = Timeline::of(&rows.iter().collect::<Vec<_>>());
        assert!(!t.has_access(50));
        assert!(t.has_access(100));
        assert!(t.has_access(260));
        assert!(!t.has_access(300));
        assert_eq!(t.first_access(), Some(100));
        assert_eq!(t.changes(0, 1_000), (vec![100], vec![300]));
        assert_eq!(t.changes(0, 300), (vec![100], vec![]));
    }

    #[test]
    fn a_lapse_then_a_return_counts_both() {
        let rows = [
            row(1, 0, "active", Some(10)),
            row(2, 20, "active", Some(40)),
            row(3, 30, "expired", None),
        ];
        let t = Timeline::of(&rows.iter().collect::<Vec<_>>());
        assert_eq!(t.changes(0, 100), (vec![0, 20], vec![10, 30]));
        assert!(!t.has_access(15));
        assert_eq!(Timeline::default().first_access(), None);
    }
}
