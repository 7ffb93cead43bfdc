//! Property tests: batch = streaming (1e-9 relative) for every estimator,
//! and the fast CLOSE_TO_CLOSE kernel = a naive two-pass std on random
//! series with calm stretches, turbulent stretches and jumps.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::needless_range_loop)]

use elson_core::enums::VolatilityMethod;
use elson_core::volatility::{
    Bar, VolatilityConfig, VolatilityEstimator, estimate, estimate_closes,
};
use proptest::prelude::*;

/// SplitMix64 → uniform in (0, 1).
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

/// Bars of a random walk; `style` 0 = ordinary, 1 = calm/turbulent
/// stretches, 2 = with rare ×10 / ÷10 jumps, 3 = prices near 1e-6 or 1e6.
fn series(seed: u64, len: usize, style: u8) -> Vec<Bar> {
    let mut rng = Rng(seed);
    let mut price = match style {
        3 if seed.is_multiple_of(2) => 1e-6,
        3 => 1e6,
        _ => 100.0,
    };
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let sigma = match style {
            1 => [0.0001, 0.01, 0.05][(i / 97) % 3],
            _ => 0.015,
        };
        let open = price;
        let mut r = sigma * rng.normal();
        if style == 2 && rng.uniform() < 0.01 {
            r += if rng.uniform() < 0.5 { 10f64.ln() } else { -(10f64.ln()) };
        }
        price *= r.exp();
        let hi = open.max(price) * (1.0 + sigma * rng.uniform());
        let lo = open.min(price) * (1.0 - sigma * rng.uniform() * 0.9);
        out.push(Bar::new(open, hi, lo, price));
    }
    out
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()) || (a - b).abs() < 1e-300
}

fn naive_c2c(closes: &[f64], n: usize, t: usize) -> f64 {
    let r: Vec<f64> = (t + 1 - n..=t).map(|i| (closes[i] / closes[i - 1]).ln()).collect();
    let mean = r.iter().sum::<f64>() / n as f64;
    let var = r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (var * 252.0).sqrt()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn batch_equals_streaming(
        seed in any::<u64>(),
        len in 0usize..700,
        lookback in 1usize..40,
        style in 0u8..4,
        method in prop::sample::select(VolatilityMethod::ALL.to_vec()),
    ) {
        let cfg = VolatilityConfig { lookback: lookback.max(2), ..VolatilityConfig::with_method(method) };
        let bars = series(seed, len, style);
        let batch = estimate(&bars, &cfg).unwrap();
        let closes: Vec<f64> = bars.iter().map(|b| b.close).collect();
        if cfg.uses_closes_only() {
            let by_closes = estimate_closes(&closes, &cfg).unwrap();
            for (a, b) in batch.iter().zip(&by_closes) {
                prop_assert!(a.to_bits() == b.to_bits());
            }
        }
        let mut est = VolatilityEstimator::new(&cfg).unwrap();
        for (i, bar) in bars.iter().enumerate() {
            let s = est.update(bar).unwrap();
            match s {
                None => prop_assert!(batch[i].is_nan(), "i={} batch={}", i, batch[i]),
                Some(v) => prop_assert!(rel_close(v, batch[i], 1e-9), "i={} stream={} batch={}", i, v, batch[i]),
            }
        }
    }

    #[test]
    fn close_to_close_equals_a_two_pass_std(
        seed in any::<u64>(),
        len in 0usize..1200,
        lookback in 2usize..30,
        style in 0u8..4,
    ) {
        let cfg = VolatilityConfig { lookback, ..VolatilityConfig::default() };
        let closes: Vec<f64> = series(seed, len, style).iter().map(|b| b.close).collect();
        let got = estimate_closes(&closes, &cfg).unwrap();
        for t in lookback..len {
            let want = naive_c2c(&closes, lookback, t);
            // Absolute floor: a log return computed as ln Pₜ − ln Pₜ₋₁ (as
            // pandas and this crate do) is only defined to ~ulp(ln P) ≈ 1e-15;
            // annualized, that is ~1e-13, which only matters for windows
            // whose volatility is itself below ~1e-4.
            prop_assert!(
                rel_close(got[t], want, 1e-9) || (got[t] - want).abs() < 1e-12,
                "t={} got={} want={}", t, got[t], want
            );
        }
    }
}

proptest! {
    // Long series: several full chunks of the fused batch kernel (2048
    // closes each), including jumps that force the drift re-summation.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn long_series_batch_equals_streaming_bit_for_bit_and_two_pass(
        seed in any::<u64>(),
        len in 2000usize..9000,
        lookback in 2usize..40,
        style in 0u8..4,
    ) {
        let cfg = VolatilityConfig { lookback, ..VolatilityConfig::default() };
        let closes: Vec<f64> = series(seed, len, style).iter().map(|b| b.close).collect();
        let batch = estimate_closes(&closes, &cfg).unwrap();
        let mut est = VolatilityEstimator::new(&cfg).unwrap();
        for (t, &c) in closes.iter().enumerate() {
            let s = est.update_close(c).unwrap();
            prop_assert_eq!(s.map(f64::to_bits), (t >= lookback).then(|| batch[t].to_bits()), "t={}", t);
            if t >= lookback {
                let want = naive_c2c(&closes, lookback, t);
                prop_assert!(
                    rel_close(batch[t], want, 1e-9) || (batch[t] - want).abs() < 1e-12,
                    "t={} got={} want={}", t, batch[t], want
                );
            }
        }
    }
}
