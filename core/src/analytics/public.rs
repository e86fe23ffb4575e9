//! Counts a community may publish without exposing anyone: each is the true
//! count plus Laplace noise (the Laplace mechanism). One person joining,
//! leaving, paying or writing moves each count by at most one, so each has
//! sensitivity 1; the day's budget epsilon is split evenly over the counts
//! (sequential composition), giving each noise of scale COUNTS / epsilon.
//! A day's release is made once and then repeated, so asking again does
//! not average the noise away.

use rand::Rng;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Laplace};

/// How many counts one release publishes.
pub const COUNTS: usize = 4;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublicStats {
    pub community: String,
    /// The UTC day the release is for.
    pub day: String,
    pub epsilon: f64,
    pub members: u64,
    pub with_access: u64,
    pub active_7_days: u64,
    pub joined_30_days: u64,
}

/// The true counts, in the order they are published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub members: u64,
    pub with_access: u64,
    pub active_7_days: u64,
    pub joined_30_days: u64,
}

/// One draw of Laplace(0, scale), by inverting its distribution function
/// at a uniform point strictly inside (0, 1).
pub fn laplace_noise(scale: f64, rng: &mut impl Rng) -> f64 {
    let Ok(dist) = Laplace::new(0.0, scale) else {
        return 0.0;
    };
    let u: f64 = rng.random_range(f64::EPSILON..1.0 - f64::EPSILON);
    dist.inverse_cdf(u)
}

/// A count with noise, rounded, never below zero (rounding and clamping
/// are post-processing and cost no privacy).
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "rounded and clamped at zero first; `as` saturates above"
)]
fn noisy(count: u64, scale: f64, rng: &mut impl Rng) -> u64 {
    let v = count as f64 + laplace_noise(scale, rng);
    if v <= 0.0 { 0 } else { v.round() as u64 }
}

pub fn release(community: &str, day: String, epsilon: f64, c: Counts, rng: &mut impl Rng) -> PublicStats {
    let scale = COUNTS as f64 / epsilon;
    PublicStats {
        community: community.to_owned(),
        day,
        epsilon,
        members: noisy(c.members, scale, rng),
        with_access: noisy(c.with_access, scale, rng),
        active_7_days: noisy(c.active_7_days, scale, rng),
        joined_30_days: noisy(c.joined_30_days, scale, rng),
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn noise_is_centred_with_the_laplace_spread() {
        // For Laplace(0, b): mean 0, mean absolute value b, and
        // P(|x| > b·ln 20) = 5%.
        let mut rng = StdRng::seed_from_u64(7);
        let b = 4.0;
        let draws: Vec<f64> = (0..40_000).map(|_| laplace_noise(b, &mut rng)).collect();
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let abs = draws.iter().map(|x| x.abs()).sum::<f64>() / n;
        let tail = draws.iter().filter(|x| x.abs() > b * 20f64.ln()).count() as f64 / n;
        assert!(mean.abs() < 0.1, "mean {mean}");
        assert!((abs - b).abs() < 0.1, "mean |x| {abs}");
        assert!((tail - 0.05).abs() < 0.005, "tail {tail}");
    }

    #[test]
    fn a_release_splits_epsilon_over_its_counts() {
        let c = Counts {
            members: 1_000,
            with_access: 300,
            active_7_days: 120,
            joined_30_days: 2,
        };
        // A huge budget leaves the counts as they are.
        let exact = release(
            "demo",
            "2026-11-22".into(),
            100.0,
            c,
            &mut StdRng::seed_from_u64(1),
        );
        assert_eq!(
            (
                exact.members,
                exact.with_access,
                exact.active_7_days,
                exact.joined_30_days
            ),
            (1_000, 300, 120, 2)
        );
        // At epsilon 1 each count gets scale 4: over many releases the
        // members count errs by about 4 on average, never goes negative.
        let mut rng = StdRng::seed_from_u64(2);
        let runs: Vec<PublicStats> = (0..5_000)
            .map(|_| release("demo", String::new(), 1.0, c, &mut rng))
            .collect();
        let err = runs
            .iter()
            .map(|r| (r.members as f64 - 1_000.0).abs())
            .sum::<f64>()
            / 5_000.0;
        assert!((err - 4.0).abs() < 0.3, "mean error {err}");
        assert!(runs.iter().any(|r| r.joined_30_days == 0));
        assert!(runs.iter().any(|r| r.members != 1_000));
    }
}
