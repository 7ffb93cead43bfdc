//! Volatility and regime benchmarks (issue 3, performance).
//!
//! - `rolling_c2c_regime`: fused rolling CLOSE_TO_CLOSE (n = 20) + full
//!   regime series (stabilized level, confidence, stabilization count) over
//!   10⁷ prices;
//! - `rolling_c2c_levels`: the same with only the volatility and the
//!   stabilized level as outputs (`detect_levels_into`) — like for like with
//!   pandas `np.log(close).diff().rolling(20).std()` + a numpy classification;
//! - `rolling_c2c`: the volatility alone;
//! - `plain_sum/1e7`: one plain pass (sum) over the same array, the floor;
//! - `streaming/*`: one update of the streaming estimator / detector.
//!
//! Run: `cargo bench --bench volatility -- --warm-up-time 1 --measurement-time 5`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use elson_sdk::core::regime::{
    RegimeConfig, RegimeDetector, RegimeSeries, detect_closes_into, detect_levels_into,
};
use elson_sdk::core::volatility::{VolatilityConfig, VolatilityEstimator, estimate_closes_into};

/// Deterministic prices: a geometric random walk whose daily volatility
/// switches between calm and turbulent stretches (SplitMix64 + Box–Muller,
/// no dependency).
fn prices(len: usize) -> Vec<f64> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let annual = [0.08, 0.18, 0.30, 0.55];
    let mut price = 100.0_f64;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let sigma = annual[(i / 5000) % 4] / 252f64.sqrt();
        let z = (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos();
        price *= (sigma * z).exp();
        out.push(price);
    }
    out
}

fn bench_batch(c: &mut Criterion) {
    let len = 10_000_000;
    let closes = prices(len);
    let vol = VolatilityConfig::default();
    let regime = RegimeConfig::default();
    let mut series = RegimeSeries::default();
    let mut out = vec![0.0; len];
    detect_closes_into(&closes, &vol, &regime, &mut series).unwrap();

    let mut g = c.benchmark_group("volatility_1e7");
    g.sample_size(10);
    g.throughput(Throughput::Elements(len as u64));
    g.bench_function("rolling_c2c_regime", |b| {
        b.iter(|| detect_closes_into(black_box(&closes), &vol, &regime, &mut series).unwrap())
    });
    let mut levels = vec![None; len];
    g.bench_function("rolling_c2c_levels", |b| {
        b.iter(|| {
            detect_levels_into(black_box(&closes), &vol, &regime, &mut out, &mut levels).unwrap()
        })
    });
    g.bench_function("rolling_c2c", |b| {
        b.iter(|| estimate_closes_into(black_box(&closes), &vol, &mut out).unwrap())
    });
    g.bench_function("plain_sum", |b| b.iter(|| black_box(&closes).iter().sum::<f64>()));
    g.finish();
}

fn bench_streaming(c: &mut Criterion) {
    let len = 100_000;
    let closes = prices(len);
    let vol = VolatilityConfig::default();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap();
    let times: Vec<_> = (0..len as i64).map(|i| t0 + Duration::minutes(i)).collect();
    let mut g = c.benchmark_group("streaming");
    g.throughput(Throughput::Elements(len as u64));
    g.bench_function("estimator_update_close", |b| {
        b.iter(|| {
            let mut est = VolatilityEstimator::new(&vol).unwrap();
            for &c in &closes {
                black_box(est.update_close(c).unwrap());
            }
        })
    });
    g.bench_function("detector_update_close", |b| {
        b.iter(|| {
            let mut det = RegimeDetector::new(&vol, &RegimeConfig::default()).unwrap();
            for (&c, &t) in closes.iter().zip(&times) {
                black_box(det.update_close(c, t).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_batch, bench_streaming);
criterion_main!(benches);
