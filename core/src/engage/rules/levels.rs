//! Levels from lifetime points: going from level n to n+1 costs
//! `square·n² + linear·n + base` points.

use crate::config::Levels;

/// The highest level a member can reach; the curve is cut off here so the
/// sums stay far from overflow.
pub const MAX_LEVEL: u32 = 1_000;

/// Points needed to go from `level` to `level + 1`.
pub fn step(curve: &Levels, level: u32) -> i64 {
    let n = i64::from(level);
    curve.square * n * n + curve.linear * n + curve.base
}

/// Where a member stands on the curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub level: u32,
    /// Points earned since reaching `level`.
    pub into: i64,
    /// Points the next level costs in all (`into` of them are done).
    pub needed: i64,
}

pub fn progress(curve: &Levels, earned: i64) -> Progress {
    let mut level = 0;
    let mut left = earned.max(0);
    while level < MAX_LEVEL {
        let cost = step(curve, level);
        if left < cost {
            return Progress {
                level,
                into: left,
                needed: cost,
            };
        }
        left -= cost;
        level += 1;
    }
    Progress {
        level,
        into: 0,
        needed: 0,
    }
}

pub fn level_for(curve: &Levels, earned: i64) -> u32 {
    progress(curve, earned).level
}

/// Lifetime points at which `level` is reached.
pub fn threshold(curve: &Levels, level: u32) -> i64 {
    (0..level.min(MAX_LEVEL)).map(|n| step(curve, n)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mee6() -> Levels {
        Levels {
            square: 5,
            linear: 50,
            base: 100,
            announce: true,
            stack_rewards: true,
            rewards: Vec::new(),
        }
    }

    #[test]
    fn follows_the_mee6_curve() {
        let c = mee6();
        // MEE6's published table: level 1 at 100 XP, 2 at 255, 3 at 475, 10 at 4675.
        assert_eq!(threshold(&c, 1), 100);
        assert_eq!(threshold(&c, 2), 255);
        assert_eq!(threshold(&c, 3), 475);
        assert_eq!(threshold(&c, 10), 4675);
        assert_eq!(level_for(&c, 99), 0);
        assert_eq!(level_for(&c, 100), 1);
        assert_eq!(level_for(&c, 254), 1);
        assert_eq!(level_for(&c, 4675), 10);
        assert_eq!(
            progress(&c, 300),
            Progress {
                level: 2,
                into: 45,
                needed: 220
            }
        );
    }

    #[test]
    fn negative_and_enormous_totals_stay_in_range() {
        let c = mee6();
        assert_eq!(level_for(&c, -50), 0);
        assert_eq!(level_for(&c, i64::MAX), MAX_LEVEL);
    }
}
