//! The backtester: hand-computed runs, the rules it must obey, and
//! properties against the live components it reuses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::accounting::FeeSchedule;
use elson_core::backtest::{
    BacktestConfig, MovingAverageCrossover, RegimeMomentum, Strategy, WARMUP, run, run_signals,
};
use elson_core::entities::ModelParameter;
use elson_core::enums::{CircuitBreakerState, TradeSide, VolatilityLevel};
use elson_core::params::defaults::types;
use elson_core::regime;
use elson_core::volatility::Bar;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn times(n: usize) -> Vec<DateTime<Utc>> {
    let t0 = Utc.with_ymd_and_hms(2024, 1, 2, 21, 0, 0).unwrap();
    (0..n).map(|i| t0 + Duration::days(i as i64)).collect()
}

fn closes(prices: &[f64]) -> Vec<Bar> {
    prices.iter().map(|&p| Bar::from_close(p)).collect()
}

fn row(level: VolatilityLevel, ptype: &str, name: &str, value: Decimal) -> ModelParameter {
    let t = DateTime::<Utc>::UNIX_EPOCH;
    ModelParameter {
        id: Uuid::new_v4(),
        volatility_level: level,
        parameter_type: ptype.into(),
        parameter_name: name.into(),
        parameter_value: value,
        effective_from: t,
        effective_to: None,
        created_by: "test".into(),
        created_at: t,
        updated_at: t,
        description: None,
    }
}

/// No fees, and sizing that lets a buy use the whole portfolio, so every
/// figure can be computed by hand.
fn unconstrained(symbol: &str) -> BacktestConfig {
    let mut cfg = BacktestConfig::new(symbol);
    cfg.fees = FeeSchedule::zero();
    cfg.initial_cash = dec!(1000.00);
    for level in VolatilityLevel::ALL {
        cfg.parameter_overrides.push(row(*level, types::MAX_POSITION_PCT, "AGGRESSIVE", dec!(1)));
        cfg.parameter_overrides.push(row(*level, types::POSITION_SIZING, "CLOSED", dec!(1)));
    }
    cfg
}

#[test]
fn a_round_trip_computed_by_hand() {
    // Buy 10 @ 100 with all the cash, sell @ 120 three bars later.
    let prices = [100.0, 110.0, 99.0, 120.0, 120.0];
    let weights = [1.0, f64::NAN, f64::NAN, 0.0, f64::NAN];
    let r =
        run_signals(&times(5), &closes(&prices), &weights, None, &unconstrained("ABC")).unwrap();
    assert_eq!(r.equity, vec![1000.0, 1100.0, 990.0, 1200.0, 1200.0]);
    assert_eq!(r.row.total_trades, 2);
    assert_eq!(r.trades[0].side, TradeSide::Buy);
    assert_eq!(r.trades[0].quantity, dec!(10));
    assert_eq!(r.trades[1].side, TradeSide::Sell);
    assert_eq!(r.row.profit_loss, dec!(200.00));
    assert_eq!(r.row.win_rate, dec!(100));
    assert_eq!(r.round_trips.len(), 1);
    assert_eq!(r.round_trips[0].pnl, 200.0);
    // Drawdown: peak 1100, trough 990 → 0.1.
    assert!((r.metrics.max_drawdown - 0.1).abs() < 1e-12);
    assert_eq!(r.row.drawdown_max, dec!(0.1));
    // Sharpe: returns 0.1, −0.1, 210/990, 0; mean / std(ddof 1) × √252.
    let rets = [0.1, -0.1, 210.0 / 990.0, 0.0];
    let mean = rets.iter().sum::<f64>() / 4.0;
    let var = rets.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 3.0;
    let sharpe = mean / var.sqrt() * 252f64.sqrt();
    assert!((r.metrics.sharpe - sharpe).abs() < 1e-12, "{} vs {sharpe}", r.metrics.sharpe);
    assert_eq!(r.row.sharpe_ratio, Decimal::try_from(sharpe).unwrap().round_dp(4));
    // Too short for a regime: every bar is warm-up.
    assert!(r.regime.iter().all(Option::is_none));
    assert_eq!(r.breakdown[WARMUP].bars, 5);
    assert_eq!(r.breakdown[WARMUP].trades, 2);
    assert_eq!(r.row.parameters_used["symbol"], "ABC");
}

#[test]
fn losing_and_winning_trips_give_the_win_rate() {
    // Trip 1: 100 → 99 (loss); trip 2: 99 → 100 (win); trip 3: 100 → 99.5 (loss).
    // Moves stay under the 2 % daily-loss trigger, which would halt the exits.
    let prices = [100.0, 99.0, 99.0, 100.0, 100.0, 99.5];
    let weights = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    let r =
        run_signals(&times(6), &closes(&prices), &weights, None, &unconstrained("ABC")).unwrap();
    assert_eq!(r.round_trips.len(), 3);
    let pnls: Vec<f64> = r.round_trips.iter().map(|t| t.pnl).collect();
    assert_eq!(pnls, vec![-10.0, 10.0, -5.0]);
    assert_eq!(r.row.win_rate, dec!(33.33));
    assert_eq!(r.row.profit_loss, dec!(-5.00));
}

#[test]
fn fees_are_charged_through_the_book() {
    let mut cfg = unconstrained("ABC");
    cfg.fees = FeeSchedule::default(); // 0.35 %, min 0.50
    let prices = [100.0, 100.0];
    let r = run_signals(&times(2), &closes(&prices), &[1.0, 0.0], None, &cfg).unwrap();
    // affordable = min(1000 − 0.50, 1000 / 1.0035) = 996.51… → 9.965122 shares.
    let buy = &r.trades[0];
    assert_eq!(buy.quantity, dec!(9.965122));
    assert_eq!(buy.total_amount, Some(dec!(1000.00))); // exactly all the cash
    assert_eq!(buy.fees, Some(dec!(3.49)));
    let sell = &r.trades[1];
    assert_eq!(sell.fees, Some(dec!(3.49)));
    // Round trip = realized P/L of the sell − the buy's fees.
    assert!((r.round_trips[0].pnl - (-3.49 - 3.49)).abs() < 1e-9);
    assert_eq!(r.row.profit_loss, dec!(-6.98));
}

#[test]
fn the_default_sizing_caps_a_buy() {
    // AGGRESSIVE 20 % × factor 0.90 (CLOSED, NORMAL during warm-up) = 18 %.
    let mut cfg = BacktestConfig::new("ABC");
    cfg.fees = FeeSchedule::zero();
    cfg.initial_cash = dec!(1000.00);
    let r = run_signals(&times(2), &closes(&[100.0, 100.0]), &[1.0, f64::NAN], None, &cfg).unwrap();
    assert_eq!(r.trades[0].quantity, dec!(1.8));
}

/// A calm stretch, a violent one, a calm one.
fn calm_storm_calm(n_each: usize) -> Vec<Bar> {
    let mut p = 100.0;
    let mut out = Vec::new();
    for i in 0..3 * n_each {
        let amp = if (n_each..2 * n_each).contains(&i) { 0.06 } else { 0.002 };
        p *= 1.0 + amp * if i % 2 == 0 { 1.0 } else { -1.0 } + 0.0005;
        out.push(Bar::from_close(p));
    }
    out
}

#[test]
fn the_breaker_halts_buys_in_an_extreme_regime() {
    let bars = calm_storm_calm(60);
    let n = bars.len();
    // Ask to go long at every bar in the storm (alternating 1 / 0.5 so the target changes).
    let weights: Vec<f64> =
        (0..n).map(|i| if (70..120).contains(&i) { [1.0, 0.5][i % 2] } else { f64::NAN }).collect();
    let r = run_signals(&times(n), &bars, &weights, None, &unconstrained("ABC")).unwrap();
    assert!(r.regime.contains(&Some(VolatilityLevel::Extreme)));
    assert!(r.breaker.contains(&CircuitBreakerState::Open));
    assert!(
        r.orders_blocked.get("TRADING_HALTED").copied().unwrap_or(0) > 0,
        "{:?}",
        r.orders_blocked
    );
    // No buy ever filled while the governing state was OPEN.
    for t in &r.trades {
        assert!(
            !(t.side == TradeSide::Buy
                && t.circuit_breaker_state == Some(CircuitBreakerState::Open))
        );
    }
    // Recovery is graduated: OPEN is never followed directly by CAUTIOUS/CLOSED.
    for w in r.breaker.windows(2) {
        if w[0] == CircuitBreakerState::Open {
            assert!(w[1] >= CircuitBreakerState::Restricted, "{:?}", w);
        }
    }
    assert!(!r.transitions.is_empty());
}

#[test]
fn the_regime_series_is_the_live_detectors() {
    let bars = calm_storm_calm(50);
    let cfg = BacktestConfig::new("ABC");
    let mut strategy = MovingAverageCrossover::new(5, 20).unwrap();
    let r = run(&times(bars.len()), &bars, &mut strategy, &cfg).unwrap();
    let series = regime::detect(&bars, &cfg.volatility, &cfg.regime).unwrap();
    assert_eq!(r.regime, series.level);
    for (a, b) in r.volatility.iter().zip(&series.volatility) {
        assert!(a.is_nan() && b.is_nan() || a == b);
    }
    let bars_total: u64 = r.breakdown.values().map(|s| s.bars).sum();
    let trades_total: u64 = r.breakdown.values().map(|s| s.trades).sum();
    assert_eq!(bars_total as usize, bars.len());
    assert_eq!(trades_total as usize, r.trades.len());
    assert_eq!(r.row.model_version, strategy.name());
}

#[test]
fn regime_momentum_trades_less_as_volatility_rises() {
    let bars = calm_storm_calm(80);
    let mut cfg = unconstrained("ABC");
    cfg.parameter_overrides.clear();
    let mut strategy = RegimeMomentum::new(5).unwrap();
    let r = run(&times(bars.len()), &bars, &mut strategy, &cfg).unwrap();
    // Nothing is bought while the regime is EXTREME: its weight is 0.
    for t in &r.trades {
        if t.side == TradeSide::Buy {
            assert_ne!(t.volatility_level, Some(VolatilityLevel::Extreme));
        }
    }
    assert!(r.row.total_trades > 0);
}

#[test]
fn confidence_below_the_threshold_blocks_model_orders() {
    let prices = [100.0, 101.0, 102.0];
    let weights = [1.0, 0.0, 1.0];
    let conf = [0.50, 0.90, 0.61]; // thresholds: NORMAL 0.60 during warm-up
    let r = run_signals(&times(3), &closes(&prices), &weights, Some(&conf), &unconstrained("ABC"))
        .unwrap();
    assert_eq!(r.orders_blocked.get("CONFIDENCE_TOO_LOW"), Some(&1));
    assert_eq!(r.trades.len(), 1);
    assert_eq!(r.trades[0].confidence_score, Some(dec!(0.61)));
}

#[test]
fn bad_input_is_a_typed_error() {
    let cfg = BacktestConfig::new("ABC");
    let bars = closes(&[100.0, 101.0, 102.0]);
    let invalid = |r: Result<_, ElsonError>, field: &str| match r {
        Err(ElsonError::InvalidInput { field: f, .. }) => assert!(f.starts_with(field), "{f}"),
        other => panic!(
            "expected InvalidInput on {field}, got {:?}",
            other.map(|_: elson_core::backtest::BacktestResult| ())
        ),
    };
    invalid(run_signals(&times(0), &[], &[], None, &cfg), "bars");
    invalid(run_signals(&times(2), &bars, &[0.0; 3], None, &cfg), "times");
    invalid(run_signals(&times(3), &bars, &[0.0; 2], None, &cfg), "weights");
    invalid(run_signals(&times(3), &bars, &[0.0, 1.5, 0.0], None, &cfg), "weights[1]");
    let mut t = times(3);
    t.swap(1, 2);
    invalid(run_signals(&t, &bars, &[0.0; 3], None, &cfg), "times");
    let bad = closes(&[100.0, f64::NAN, 102.0]);
    let err = run_signals(&times(3), &bad, &[0.0; 3], None, &cfg).unwrap_err();
    assert!(err.to_string().contains('1'), "{err}");
    let mut cfg2 = cfg.clone();
    cfg2.initial_cash = dec!(-1);
    invalid(run_signals(&times(3), &bars, &[0.0; 3], None, &cfg2), "initial_cash");
    assert!(MovingAverageCrossover::new(20, 5).is_err());
    assert!(RegimeMomentum::new(0).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// On random paths and random signals: cash and quantity never go
    /// negative, the final equity is the book's total value, and the
    /// breakdown adds up.
    #[test]
    fn random_runs_keep_the_books_straight(
        steps in prop::collection::vec(-0.08f64..0.08, 30..120),
        signal in prop::collection::vec(prop::option::of(0.0f64..1.0), 30..120),
    ) {
        let mut p = 50.0;
        let bars: Vec<Bar> = steps.iter().map(|s| { p *= 1.0 + s; Bar::from_close(p) }).collect();
        let n = bars.len();
        let weights: Vec<f64> = (0..n).map(|i| signal.get(i).copied().flatten().unwrap_or(f64::NAN)).collect();
        let cfg = BacktestConfig::new("PROP");
        let r = run_signals(&times(n), &bars, &weights, None, &cfg).unwrap();
        prop_assert!(r.equity.iter().all(|e| *e >= 0.0));
        let last = *r.equity.last().unwrap();
        let pl: f64 = r.row.profit_loss.try_into().unwrap();
        prop_assert!((last - 100_000.0 - pl).abs() < 0.02, "{} vs {}", last - 100_000.0, pl);
        let held: Decimal = r.trades.iter().map(|t| match t.side {
            TradeSide::Buy => t.quantity,
            TradeSide::Sell => -t.quantity,
        }).sum();
        prop_assert!(held >= Decimal::ZERO);
        prop_assert_eq!(r.breakdown.values().map(|s| s.bars).sum::<u64>() as usize, n);
    }
}

/// Issue 15 item 11: a start price that is not a positive finite number
/// used to give bars full of NaN (or of negative prices); it is refused,
/// naming the argument.
#[test]
fn synthetic_bars_refuse_a_start_price_that_is_not_positive_and_finite() {
    use elson_core::backtest::synthetic_bars;
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, -1.0, f64::MAX] {
        match synthetic_bars(10, 7, bad) {
            Err(ElsonError::InvalidInput { field, .. }) => {
                assert_eq!(field, "start_price", "{bad}")
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    let bars = synthetic_bars(2_000, 7, 100.0).unwrap();
    assert!(
        bars.iter()
            .all(|b| [b.open, b.high, b.low, b.close].iter().all(|p| p.is_finite() && *p > 0.0))
    );
    assert_eq!(synthetic_bars(0, 7, f64::NAN).unwrap_err().code(), "INVALID_INPUT");
}
