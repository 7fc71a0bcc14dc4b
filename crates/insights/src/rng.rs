//! The workspace's one seeded generator (SplitMix64): the experiment schedules, the simulator, the sample season
//! and journals (`runtall-sample`, the latency bench) and the decoders' no-panic loops all draw from it. Written here
//! rather than pulled in so results are reproducible across dependency upgrades: the same seed gives the same
//! experiment schedule, the same simulated runners and the same demo season forever.
//!
//! One seeding rule: a seed is a named `u64` constant (or one the caller stores, like an experiment's), never the
//! clock or the OS; each independent part (a runner, a pair of days) takes its own stream with
//! [`SplitMix64::fork`] so it does not depend on how many numbers the parts before it drew.

use serde::{Deserialize, Serialize};

/// SplitMix64: 64 bits of state, passes BigCrush, and is more than enough for schedules and simulations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }

    /// Uniform integer in [0, n); `n == 0` gives 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Multiply-shift keeps the bias far below anything a schedule or simulation could notice.
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform index in [0, n) for a length; `n == 0` gives 0.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Standard normal draw (Box–Muller; one of the pair is discarded to keep the state simple).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Derives an independent stream, so e.g. runner `i` of a simulation does not depend on how many numbers
    /// runner `i - 1` consumed.
    pub fn fork(seed: u64, stream: u64) -> Self {
        let mut s = SplitMix64::new(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        s.next_u64();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn uniform_mean_is_half() {
        let mut r = SplitMix64::new(1);
        let n = 20_000;
        let mean: f64 = (0..n).map(|_| r.next_f64()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        assert!((0..1000).all(|_| r.below(6) < 6));
    }
}
