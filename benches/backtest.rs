//! Backtests of the two reference strategies over 10⁶ synthetic daily bars.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use elson_sdk::core::backtest::{
    BacktestConfig, MovingAverageCrossover, RegimeMomentum, run, synthetic_bars,
};

const BARS: usize = 1_000_000;

fn bench(c: &mut Criterion) {
    let bars = synthetic_bars(BARS, 42, 100.0).unwrap();
    let t0 = Utc.with_ymd_and_hms(1990, 1, 1, 21, 0, 0).unwrap();
    let times: Vec<_> = (0..BARS).map(|i| t0 + Duration::days(i as i64)).collect();
    let cfg = BacktestConfig::new("SYN");
    let mut g = c.benchmark_group("backtest_1e6_bars");
    g.sample_size(10);
    g.bench_function("ma_crossover_10_50", |b| {
        b.iter(|| {
            let mut s = MovingAverageCrossover::new(10, 50).unwrap();
            black_box(run(&times, &bars, &mut s, &cfg).unwrap().row.total_trades)
        })
    });
    g.bench_function("regime_momentum_20", |b| {
        b.iter(|| {
            let mut s = RegimeMomentum::new(20).unwrap();
            black_box(run(&times, &bars, &mut s, &cfg).unwrap().row.total_trades)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
