//! An ordered set with ranks, for one leaderboard: sorted blocks of at most
//! [`CAP`] entries, the last entry of each block kept in one array to find
//! a block by binary search, and a Fenwick tree of block sizes for ranks
//! and pages.
//!
//! Changes come in bulk — a batch of members moving on the board — and are
//! merged into only the blocks they touch, each rewritten once in one pass.
//! Moved one at a time (indexset), a million-entry board cost over a
//! microsecond per move in cache misses and half-block shifts, and with
//! four boards that was the largest share of CPU while activity flowed.

use std::ops::Range;

/// Most entries in a block; a fuller one is split in halves.
const CAP: usize = 512;

pub struct Ladder<T> {
    blocks: Vec<Vec<T>>,
    /// `lasts[b]` is the greatest entry of `blocks[b]`.
    lasts: Vec<T>,
    sizes: Fenwick,
    len: usize,
}

impl<T> Default for Ladder<T> {
    fn default() -> Self {
        Ladder {
            blocks: Vec::new(),
            lasts: Vec::new(),
            sizes: Fenwick::default(),
            len: 0,
        }
    }
}

impl<T: Ord + Copy> Ladder<T> {
    /// A ladder holding `sorted`, which must be in order without repeats.
    pub fn from_sorted(sorted: &[T]) -> Ladder<T> {
        let blocks = sorted.chunks(CAP / 2).map(block_of_slice).collect();
        let mut l = Ladder {
            blocks,
            ..Ladder::default()
        };
        l.reindex();
        l
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// How many entries are less than `x`: its 0-based place if present.
    pub fn rank(&self, x: &T) -> usize {
        if self.blocks.is_empty() {
            return 0;
        }
        let b = self.block_for(x);
        self.sizes.before(b) + self.blocks[b].partition_point(|e| e < x)
    }

    /// The entries at places `range` (clipped to the ladder), in order.
    pub fn slice(&self, range: Range<usize>) -> Vec<T> {
        let end = range.end.min(self.len);
        let mut out = Vec::with_capacity(end.saturating_sub(range.start));
        if range.start >= end {
            return out;
        }
        let (mut b, mut at) = self.sizes.find(range.start);
        while out.len() < end - range.start {
            let want = end - range.start - out.len();
            let block = &self.blocks[b];
            let take = (block.len() - at).min(want);
            out.extend_from_slice(&block[at..at + take]);
            b += 1;
            at = 0;
        }
        out
    }

    /// Removes the entries of `gone` that are present and adds those of
    /// `new` that are not. An entry in both ends up present.
    pub fn update(&mut self, mut gone: Vec<T>, mut new: Vec<T>) {
        gone.sort_unstable();
        gone.dedup();
        new.sort_unstable();
        new.dedup();
        if self.blocks.is_empty() {
            *self = Ladder::from_sorted(&new);
            return;
        }
        let (mut g, mut n) = (0, 0);
        let mut merged = Vec::with_capacity(CAP * 2);
        let mut reshaped = false;
        while g < gone.len() || n < new.len() {
            let b = match (gone.get(g), new.get(n)) {
                (Some(x), Some(y)) => self.block_for(x).min(self.block_for(y)),
                (Some(x), None) | (None, Some(x)) => self.block_for(x),
                (None, None) => break,
            };
            let (g0, n0) = (g, n);
            let last = b + 1 == self.blocks.len();
            while g < gone.len() && (last || gone[g] <= self.lasts[b]) {
                g += 1;
            }
            while n < new.len() && (last || new[n] <= self.lasts[b]) {
                n += 1;
            }
            let block = &mut self.blocks[b];
            let before = block.len();
            merge(block, &gone[g0..g], &new[n0..n], &mut merged);
            std::mem::swap(block, &mut merged);
            let after = block.len();
            self.len = self.len + after - before;
            if after == 0 || after > CAP {
                reshaped = true;
            } else {
                self.lasts[b] = block[after - 1];
                self.sizes.add(
                    b,
                    isize::try_from(after).unwrap_or(isize::MAX)
                        - isize::try_from(before).unwrap_or(isize::MAX),
                );
            }
        }
        if reshaped {
            self.reshape();
        }
    }

    /// The block where `x` is or would go: the first whose last entry is
    /// not below it, or the last block.
    fn block_for(&self, x: &T) -> usize {
        self.lasts
            .partition_point(|l| l < x)
            .min(self.blocks.len().saturating_sub(1))
    }

    /// Drops empty blocks and halves full ones, then indexes again.
    fn reshape(&mut self) {
        let old = std::mem::take(&mut self.blocks);
        for block in old {
            if block.len() > CAP {
                self.blocks.extend(block.chunks(CAP / 2).map(block_of_slice));
            } else if !block.is_empty() {
                self.blocks.push(block);
            }
        }
        self.reindex();
    }

    fn reindex(&mut self) {
        self.lasts = self.blocks.iter().filter_map(|b| b.last().copied()).collect();
        self.sizes = Fenwick::of(self.blocks.iter().map(Vec::len));
        self.len = self.blocks.iter().map(Vec::len).sum();
    }
}

fn block_of_slice<T: Copy>(entries: &[T]) -> Vec<T> {
    let mut b = Vec::with_capacity(CAP);
    b.extend_from_slice(entries);
    b
}

/// `out` = `block` without `gone`, with `new`; all three sorted.
fn merge<T: Ord + Copy>(block: &[T], gone: &[T], new: &[T], out: &mut Vec<T>) {
    out.clear();
    let (mut g, mut n) = (0, 0);
    for &e in block {
        while g < gone.len() && gone[g] < e {
            g += 1;
        }
        let removed = g < gone.len() && gone[g] == e;
        while n < new.len() && new[n] < e {
            out.push(new[n]);
            n += 1;
        }
        if n < new.len() && new[n] == e {
            n += 1;
            out.push(e);
        } else if !removed {
            out.push(e);
        }
    }
    out.extend_from_slice(&new[n..]);
}

/// Sums of block sizes: the size of everything before a block, and the
/// block holding a place, each in log(blocks) steps.
#[derive(Default)]
struct Fenwick {
    /// 1-based; `tree[i]` sums the `i & -i` sizes ending at block `i - 1`.
    tree: Vec<usize>,
}

impl Fenwick {
    fn of(sizes: impl Iterator<Item = usize>) -> Fenwick {
        let mut tree = vec![0];
        tree.extend(sizes);
        for i in 1..tree.len() {
            let parent = i + (i & i.wrapping_neg());
            if parent < tree.len() {
                tree[parent] += tree[i];
            }
        }
        Fenwick { tree }
    }

    fn add(&mut self, block: usize, delta: isize) {
        let mut i = block + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add_signed(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// Entries in the blocks before `block`.
    fn before(&self, block: usize) -> usize {
        let (mut i, mut sum) = (block, 0);
        while i > 0 {
            sum += self.tree[i];
            i &= i - 1;
        }
        sum
    }

    /// The block holding place `at`, and the place within it.
    fn find(&self, mut at: usize) -> (usize, usize) {
        let n = self.tree.len() - 1;
        let mut pos = 0;
        let mut step = n.checked_ilog2().map_or(0, |l| 1 << l);
        while step > 0 {
            if pos + step <= n && self.tree[pos + step] <= at {
                pos += step;
                at -= self.tree[pos];
            }
            step >>= 1;
        }
        (pos, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn check(l: &Ladder<u32>, truth: &BTreeSet<u32>) -> Result<(), TestCaseError> {
        let all: Vec<u32> = truth.iter().copied().collect();
        prop_assert_eq!(l.len(), all.len());
        prop_assert_eq!(l.slice(0..usize::MAX), all.clone());
        for (i, x) in all.iter().enumerate().step_by(7) {
            prop_assert_eq!(l.rank(x), i);
            prop_assert_eq!(l.slice(i..i + 3), all[i..(i + 3).min(all.len())].to_vec());
        }
        prop_assert_eq!(l.rank(&u32::MAX), all.len());
        Ok(())
    }

    proptest! {
        /// Bulk changes of any size, on a ladder started empty or from a
        /// sorted list: contents, ranks and pages match a plain set.
        #[test]
        fn bulk_changes_match_a_sorted_set(
            start in prop::collection::btree_set(0u32..5_000, 0..3_000),
            rounds in prop::collection::vec(
                (prop::collection::vec(0u32..5_000, 0..1_500), prop::collection::vec(0u32..5_000, 0..1_500)),
                1..6,
            ),
        ) {
            let mut truth = start.clone();
            let mut l = Ladder::from_sorted(&start.iter().copied().collect::<Vec<_>>());
            check(&l, &truth)?;
            for (gone, new) in rounds {
                for g in &gone {
                    truth.remove(g);
                }
                truth.extend(new.iter().copied());
                l.update(gone, new);
                check(&l, &truth)?;
            }
        }
    }

    #[test]
    fn blocks_split_when_full_and_go_when_empty() {
        let mut truth: BTreeSet<u32> = (0..6_000).step_by(3).collect();
        let mut l = Ladder::from_sorted(&truth.iter().copied().collect::<Vec<_>>());
        let filled: Vec<u32> = (0..6_000).filter(|x| x % 3 != 0).collect();
        truth.extend(filled.iter().copied());
        l.update(vec![], filled);
        check(&l, &truth).expect("matches the set");
        assert!(l.blocks.iter().all(|b| b.len() <= CAP));
        let gone: Vec<u32> = (1_000..5_000).collect();
        truth.retain(|x| !(1_000..5_000).contains(x));
        l.update(gone, vec![]);
        check(&l, &truth).expect("matches the set");
        assert!(l.blocks.iter().all(|b| !b.is_empty()));
    }

    #[test]
    fn emptied_and_filled_again() {
        let mut l = Ladder::from_sorted(&[1u32, 2, 3]);
        l.update(vec![1, 2, 3], vec![]);
        assert_eq!(l.len(), 0);
        assert_eq!(l.slice(0..10), Vec::<u32>::new());
        assert_eq!(l.rank(&2), 0);
        l.update(vec![], (0..2_000).rev().collect());
        assert_eq!(l.len(), 2_000);
        assert_eq!(l.rank(&1_500), 1_500);
        assert_eq!(l.slice(1_998..5_000), vec![1_998, 1_999]);
    }
}
