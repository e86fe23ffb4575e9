//! What to read next: item-based collaborative filtering over what members
//! completed and unlocked. Two lessons are similar when the same people took
//! both (cosine over their sets of people); a member's candidates score the
//! sum of their similarity to what the member already took. A member with no
//! history, or whose history says nothing, gets the most taken lessons.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Who took which lessons: member → lessons.
pub type History = HashMap<i64, BTreeSet<i64>>;
/// How many people took each lesson, over the whole community.
pub type Popularity = HashMap<i64, u32>;

/// Up to `k` of `candidates` for `member`, best first. `history` must hold
/// the member's own lessons and those of (a sample of) the people who share
/// one with them; `popularity` counts everyone. Ties go to the more popular
/// lesson, then the older one.
pub fn recommend(
    history: &History,
    popularity: &Popularity,
    member: i64,
    candidates: &[i64],
    k: usize,
) -> Vec<i64> {
    let mine = history.get(&member).cloned().unwrap_or_default();
    let mut scores: BTreeMap<i64, f64> = BTreeMap::new();
    // Co-occurrence of each of my lessons with every other lesson.
    let mut together: HashMap<(i64, i64), u32> = HashMap::new();
    for (who, taken) in history {
        if *who == member {
            continue;
        }
        for i in taken.intersection(&mine) {
            for j in taken.iter().filter(|j| *j != i) {
                *together.entry((*i, *j)).or_default() += 1;
            }
        }
    }
    for ((i, j), both) in together {
        let norm = (f64::from(pop(popularity, i)) * f64::from(pop(popularity, j))).sqrt();
        if norm > 0.0 {
            *scores.entry(j).or_default() += f64::from(both) / norm;
        }
    }
    let mut ranked = candidates.to_vec();
    ranked.sort_by(|a, b| {
        let (sa, sb) = (
            scores.get(a).copied().unwrap_or(0.0),
            scores.get(b).copied().unwrap_or(0.0),
        );
        sb.total_cmp(&sa)
            .then(pop(popularity, *b).cmp(&pop(popularity, *a)))
            .then(a.cmp(b))
    });
    ranked.truncate(k);
    ranked
}

/// The most taken of `candidates`: the baseline recommendations are
/// measured against.
pub fn most_popular(popularity: &Popularity, candidates: &[i64], k: usize) -> Vec<i64> {
    let mut ranked = candidates.to_vec();
    ranked.sort_by(|a, b| pop(popularity, *b).cmp(&pop(popularity, *a)).then(a.cmp(b)));
    ranked.truncate(k);
    ranked
}

/// How many members of `history` took each lesson.
pub fn popularity(history: &History) -> Popularity {
    let mut count = Popularity::new();
    for taken in history.values() {
        for l in taken {
            *count.entry(*l).or_default() += 1;
        }
    }
    count
}

fn pop(popularity: &Popularity, lesson: i64) -> u32 {
    popularity.get(&lesson).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::seq::{IndexedRandom, SliceRandom};
    use rand::{Rng, SeedableRng};

    #[test]
    fn people_who_took_this_also_took_that() {
        let history: History = [
            (1, [10, 11].into()),
            (2, [10, 11].into()),
            (3, [20, 21].into()),
            (4, [20, 21].into()),
            (5, [20, 21, 22].into()),
            (6, [20].into()),
            (9, [10].into()),
        ]
        .into();
        let popular = popularity(&history);
        let not_10 = [11, 20, 21, 22];
        // 20 is the most popular, but 9's history points at 11.
        assert_eq!(recommend(&history, &popular, 9, &not_10, 1), vec![11]);
        assert_eq!(most_popular(&popular, &not_10, 1), vec![20]);
        // Nothing taken yet: popularity decides, ties to the older lesson.
        let all = [10, 11, 20, 21, 22];
        assert_eq!(recommend(&history, &popular, 77, &all, 2), vec![20, 10]);
    }

    /// A community with known structure: three tracks of eight lessons,
    /// tracks of very different popularity, each member following one track
    /// (taking lessons along it) with a little noise from elsewhere.
    fn community(seed: u64, members: i64) -> (History, Vec<i64>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let tracks: Vec<Vec<i64>> = (0..3).map(|t| (0..8).map(|i| t * 100 + i).collect()).collect();
        let all: Vec<i64> = tracks.iter().flatten().copied().collect();
        let mut history = History::new();
        for m in 0..members {
            // 60% follow track 0, 30% track 1, 10% track 2.
            let roll: f64 = rng.random();
            let track = if roll < 0.6 {
                0
            } else if roll < 0.9 {
                1
            } else {
                2
            };
            let depth = rng.random_range(2..=7);
            let mut taken: BTreeSet<i64> = tracks[track][..depth].iter().copied().collect();
            if rng.random::<f64>() < 0.3 {
                taken.insert(*all.choose(&mut rng).unwrap_or(&0));
            }
            history.insert(m, taken);
        }
        (history, all)
    }

    /// Hides two of each test member's lessons and counts how many of them
    /// come back in the top five: precision@5 of each method.
    pub(crate) fn precision_at_5(seed: u64) -> (f64, f64) {
        let (mut history, all) = community(seed, 2000);
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        let tested: Vec<i64> = (0..200).collect();
        let mut hidden: HashMap<i64, Vec<i64>> = HashMap::new();
        for m in &tested {
            let Some(taken) = history.get_mut(m) else { continue };
            let mut list: Vec<i64> = taken.iter().copied().collect();
            list.shuffle(&mut rng);
            let held: Vec<i64> = list.into_iter().take(2).collect();
            for l in &held {
                taken.remove(l);
            }
            hidden.insert(*m, held);
        }
        let counts = popularity(&history);
        let (mut cf, mut popular) = (0.0, 0.0);
        for m in &tested {
            let held = &hidden[m];
            let seen = &history[m];
            let open: Vec<i64> = all.iter().copied().filter(|l| !seen.contains(l)).collect();
            let hits = |top: Vec<i64>| top.iter().filter(|l| held.contains(l)).count() as f64 / 5.0;
            cf += hits(recommend(&history, &counts, *m, &open, 5));
            popular += hits(most_popular(&counts, &open, 5));
        }
        let n = tested.len() as f64;
        (cf / n, popular / n)
    }

    #[test]
    fn beats_popularity_on_a_community_with_tracks() {
        for seed in [1, 2, 3] {
            let (cf, popular) = precision_at_5(seed);
            eprintln!("seed {seed}: precision@5 collaborative {cf:.3}, popularity {popular:.3}");
            assert!(cf > popular + 0.05, "seed {seed}: {cf:.3} vs {popular:.3}");
        }
    }
}
