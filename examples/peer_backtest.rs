//! Runs the moving-average crossover backtest over a file of closes and
//! prints the elapsed time and the trades, for `benches/peers/`.
//!
//! Usage: `peer_backtest <closes.f64le> [fast] [slow] [flags]` where the
//! file holds raw little-endian f64 closes (what numpy's `tofile` writes).
//! Without a file (or with `-`) it generates 10⁶ synthetic bars.
//!
//! Flags:
//! - `--same-trades`: configure the run like the peers' plain backtest, so
//!   the trades can be compared bar for bar: no fees, `max_position_pct` = 1
//!   and every `position_sizing` factor = 1 (through
//!   `parameter_overrides` rows, for every breaker state and level), and a
//!   daily-loss trip of 100 % (it cannot fire). The regime and the breaker
//!   still run: an EXTREME regime still opens the breaker and blocks buys.
//! - `--no-regime-halt`: with `--same-trades`, also raises the regime
//!   thresholds out of reach (every bar reads LOW, the breaker stays
//!   CLOSED), so nothing the peers lack can block an order.
//! - `--momentum`: run `RegimeMomentum(20)` instead (for profiling).
//!
//! Environment: `PEER_REPS` (default 5) runs, best time reported;
//! `PEER_TRADES=1` prints `trade <bar index> <side> <quantity>` lines;
//! `PEER_DIGEST=1` prints a hash of the whole result (every field, every
//! bit of the series), to check that an optimization changed nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_sdk::core::accounting::FeeSchedule;
use elson_sdk::core::backtest::{
    BacktestConfig, BacktestResult, MovingAverageCrossover, RegimeMomentum, Strategy, run,
    synthetic_bars,
};
use elson_sdk::core::breaker::BreakerConfig;
use elson_sdk::core::entities::ModelParameter;
use elson_sdk::core::enums::{CircuitBreakerState, VolatilityLevel};
use elson_sdk::core::params::defaults::types;
use elson_sdk::core::volatility::Bar;
use rust_decimal::Decimal;
use uuid::Uuid;

/// A `model_parameters` row in force since the epoch.
fn row(level: VolatilityLevel, ptype: &str, name: &str, value: Decimal, k: u64) -> ModelParameter {
    let t = DateTime::<Utc>::UNIX_EPOCH;
    ModelParameter {
        id: Uuid::from_u64_pair(0x9eee, k),
        volatility_level: level,
        parameter_type: ptype.into(),
        parameter_name: name.into(),
        parameter_value: value,
        effective_from: t,
        effective_to: None,
        created_by: "peer_backtest".into(),
        created_at: t,
        updated_at: t,
        description: Some("peer comparison: no sizing limit".into()),
    }
}

/// The `--same-trades` configuration (see the module docs).
fn same_trades(cfg: &mut BacktestConfig, no_regime_halt: bool) {
    cfg.fees = FeeSchedule::zero();
    let mut k = 0;
    for &level in VolatilityLevel::ALL {
        k += 1;
        let name = cfg.risk_profile.as_str();
        cfg.parameter_overrides.push(row(level, types::MAX_POSITION_PCT, name, Decimal::ONE, k));
        for state in CircuitBreakerState::ALL {
            k += 1;
            cfg.parameter_overrides.push(row(
                level,
                types::POSITION_SIZING,
                state.as_str(),
                Decimal::ONE,
                k,
            ));
        }
    }
    cfg.breaker = BreakerConfig { loss_trip_fraction: Decimal::ONE, ..cfg.breaker };
    if no_regime_halt {
        cfg.regime.normal_min = 1e6;
        cfg.regime.high_min = 2e6;
        cfg.regime.extreme_min = 3e6;
    }
}

/// A hash of every field of the result, the f64 series by their bits.
fn digest(r: &BacktestResult) -> u64 {
    let mut h = DefaultHasher::new();
    for x in r.equity.iter().chain(&r.volatility) {
        x.to_bits().hash(&mut h);
    }
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        r.row,
        r.regime,
        r.breaker,
        r.trades,
        r.transitions,
        r.round_trips,
        r.metrics,
        r.breakdown,
        r.orders_blocked
    )
    .hash(&mut h);
    h.finish()
}

/// Runs `reps` times (a fresh strategy each), returns the last result and
/// the best time in seconds. Generic, so the strategy is inlined as in a
/// real caller.
fn best_of<S: Strategy>(
    reps: usize,
    times: &[DateTime<Utc>],
    bars: &[Bar],
    cfg: &BacktestConfig,
    make: impl Fn() -> elson_sdk::core::Result<S>,
) -> Result<(BacktestResult, f64), Box<dyn std::error::Error>> {
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..reps.max(1) {
        let mut strategy = make()?;
        let start = Instant::now();
        let r = run(times, bars, &mut strategy, cfg)?;
        best = best.min(start.elapsed().as_secs_f64());
        result = Some(r);
    }
    Ok((result.ok_or("no run")?, best))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let bars: Vec<Bar> = match positional.first().map(|s| s.as_str()) {
        Some(path) if path != "-" => std::fs::read(path)?
            .chunks_exact(8)
            .map(|c| Bar::from_close(f64::from_le_bytes(c.try_into().unwrap())))
            .collect(),
        _ => synthetic_bars(1_000_000, 42, 100.0)?,
    };
    let fast: usize = positional.get(1).map_or(Ok(10), |s| s.parse())?;
    let slow: usize = positional.get(2).map_or(Ok(50), |s| s.parse())?;
    let reps: usize = std::env::var("PEER_REPS").map_or(Ok(5), |s| s.parse())?;
    let t0 = Utc.with_ymd_and_hms(1990, 1, 1, 21, 0, 0).single().ok_or("time")?;
    let times: Vec<_> = (0..bars.len()).map(|i| t0 + Duration::days(i as i64)).collect();
    let mut cfg = BacktestConfig::new("PEER");
    if flag("--same-trades") {
        same_trades(&mut cfg, flag("--no-regime-halt"));
    }
    let (r, best) = if flag("--momentum") {
        best_of(reps, &times, &bars, &cfg, || RegimeMomentum::new(20))?
    } else {
        best_of(reps, &times, &bars, &cfg, || MovingAverageCrossover::new(fast, slow))?
    };
    let blocked: u64 = r.orders_blocked.values().sum();
    println!(
        "bars={} trades={} blocked={} best_ms={:.3}",
        bars.len(),
        r.row.total_trades,
        blocked,
        best * 1e3
    );
    if std::env::var_os("PEER_DIGEST").is_some() {
        println!("digest={:016x}", digest(&r));
    }
    if std::env::var_os("PEER_TRADES").is_some() {
        for t in &r.trades {
            let i = (t.created_at - t0).num_days();
            println!("trade {} {} {}", i, t.side, t.quantity);
        }
    }
    Ok(())
}
