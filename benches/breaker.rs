//! Breaker step per event, registry governing look-up, admission, and the
//! risk metrics over a year-long and a million-period return series.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use elson_sdk::core::breaker::{
    Breaker, BreakerConfig, BreakerEvent, Breakers, OrderIntent, Scope, admit,
};
use elson_sdk::core::enums::{CircuitBreakerState, TradeSide, VolatilityLevel};
use elson_sdk::core::metrics;
use rust_decimal::Decimal;
use uuid::Uuid;

/// A deterministic return series with calm and turbulent stretches.
fn returns(n: usize) -> Vec<f64> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..n)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let scale = if (i / 500) % 3 == 2 { 0.06 } else { 0.02 };
            0.0003 + unit * scale
        })
        .collect()
}

fn bench_breaker(c: &mut Criterion) {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 14, 30, 0).unwrap();
    // One regime reading per minute, cycling through the levels in runs of 7,
    // so the breaker escalates, cools down and recovers.
    let events: Vec<BreakerEvent> = (0..10_000)
        .map(|i| BreakerEvent::Regime { level: VolatilityLevel::ALL[(i / 7 * 5 + i / 97) % 4] })
        .collect();
    c.bench_function("breaker_step_10k_regime_events", |b| {
        b.iter(|| {
            let mut breaker =
                Breaker::new(Scope::Symbol("AAPL".into()), BreakerConfig::default()).unwrap();
            let mut moved = 0usize;
            for (i, e) in events.iter().enumerate() {
                let now = t0 + TimeDelta::minutes(i as i64);
                moved += breaker.step(black_box(e), now).unwrap().len();
            }
            black_box(moved)
        })
    });

    let mut registry = Breakers::new(BreakerConfig::default()).unwrap();
    let portfolio = Uuid::from_u128(1);
    for (i, symbol) in ["AAPL", "MSFT", "GME", "TSLA"].iter().enumerate() {
        let level = VolatilityLevel::ALL[i];
        registry
            .step(&Scope::Symbol((*symbol).into()), &BreakerEvent::Regime { level }, t0)
            .unwrap();
    }
    let order = OrderIntent {
        side: TradeSide::Buy,
        is_cancel: false,
        notional: Decimal::new(25_000, 2),
        within_sizing_limit: true,
    };
    c.bench_function("registry_governing_and_admit", |b| {
        b.iter(|| {
            let g = registry.governing(black_box("GME"), portfolio);
            black_box(admit(g.state, &order).is_ok())
        })
    });
    c.bench_function("admit_only", |b| {
        b.iter(|| black_box(admit(black_box(CircuitBreakerState::Restricted), &order).is_ok()))
    });
}

fn bench_metrics(c: &mut Criterion) {
    for n in [252usize, 1_000_000] {
        let r = returns(n);
        c.bench_function(&format!("metrics_all_six_{n}"), |b| {
            b.iter(|| {
                let r = black_box(&r[..]);
                black_box((
                    metrics::sharpe_ratio(r, 0.0, 252.0).unwrap(),
                    metrics::sortino_ratio(r, 0.0, 252.0).unwrap(),
                    metrics::annual_volatility(r, 252.0).unwrap(),
                    metrics::annual_return(r, 252.0).unwrap(),
                    metrics::max_drawdown(r).unwrap(),
                    metrics::win_rate(r).unwrap(),
                ))
            })
        });
    }
}

criterion_group!(benches, bench_breaker, bench_metrics);
criterion_main!(benches);
