//! How long accepted activity waited before its transaction committed: a
//! millisecond histogram kept with atomics by the writer, read by the
//! benchmark and, later, by metrics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const BUCKETS: usize = 1_001;

pub struct Latency {
    /// `counts[i]` events waited i ms (the last bucket: 1000 ms or more).
    counts: Vec<AtomicU64>,
    batches: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub events: u64,
    pub batches: u64,
    pub p50_ms: u64,
    pub p99_ms: u64,
    pub max_ms: u64,
}

impl Default for Latency {
    fn default() -> Self {
        Latency {
            counts: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            batches: AtomicU64::new(0),
        }
    }
}

impl Latency {
    pub fn record(&self, waits: impl Iterator<Item = Duration>) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        for w in waits {
            let ms = usize::try_from(w.as_millis())
                .unwrap_or(usize::MAX)
                .min(BUCKETS - 1);
            self.counts[ms].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn reset(&self) {
        for c in &self.counts {
            c.store(0, Ordering::Relaxed);
        }
        self.batches.store(0, Ordering::Relaxed);
    }

    pub fn summary(&self) -> Summary {
        let counts: Vec<u64> = self.counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        let events: u64 = counts.iter().sum();
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a positive rank no larger than the event count"
        )]
        let at = |q: f64| {
            let target = ((events as f64) * q).ceil().max(1.0) as u64;
            let mut seen = 0;
            for (ms, n) in counts.iter().enumerate() {
                seen += n;
                if seen >= target {
                    return ms as u64;
                }
            }
            0
        };
        Summary {
            events,
            batches: self.batches.load(Ordering::Relaxed),
            p50_ms: at(0.5),
            p99_ms: at(0.99),
            max_ms: counts.iter().rposition(|n| *n > 0).unwrap_or(0) as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_buckets() {
        let l = Latency::default();
        l.record((0..98).map(|_| Duration::from_millis(3)));
        l.record([Duration::from_millis(40), Duration::from_secs(5)].into_iter());
        let s = l.summary();
        assert_eq!(
            (s.events, s.batches, s.p50_ms, s.p99_ms, s.max_ms),
            (100, 2, 3, 40, 1000)
        );
    }
}
