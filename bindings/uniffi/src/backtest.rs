//! Backtesting (DESIGN §8): the live regime detector, breaker, sizing and
//! accounting run over historical bars, driven by precomputed signals or a
//! built-in reference strategy.

use std::collections::HashMap;

use elson_core::backtest::{self as core, Metrics, RegimeStats};
use elson_core::breaker::{BreakerConfig, Transition};
use elson_core::entities::{BacktestResultRow, ModelParameter, Trade};
use elson_core::enums::{AssetType, CircuitBreakerState, RiskProfile, VolatilityLevel};
use elson_core::regime::RegimeConfig;
use elson_core::sizing::SizingMode;
use elson_core::volatility::Bar;
use rust_decimal::Decimal;

use crate::accounting::FeeSchedule;
use crate::entities::Checked;
use crate::types::Timestamp;
use crate::volatility::VolatilityConfig;
use crate::{ElsonError, Result};

/// Everything a run depends on; start from `backtest_config_new(symbol)`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BacktestConfig {
    /// Symbol of the bars.
    pub symbol: String,
    /// Model or strategy version for the result row.
    pub model_version: Option<String>,
    /// Asset type of the position.
    pub asset_type: AssetType,
    /// Starting cash (default 100 000.00).
    pub initial_cash: Decimal,
    /// Fees on every fill (default 0.35 %, min 0.50).
    pub fees: FeeSchedule,
    /// Slippage in basis points against the order (default 0).
    pub slippage_bps: Decimal,
    /// Estimator feeding the regime detector.
    pub volatility: VolatilityConfig,
    /// Regime thresholds and stabilization.
    pub regime: RegimeConfig,
    /// Breaker cool-downs and triggers.
    pub breaker: BreakerConfig,
    /// Risk profile capping the largest buy (default AGGRESSIVE).
    pub risk_profile: RiskProfile,
    /// What to do with a buy over the sizing limit (default RESIZE).
    pub sizing_mode: SizingMode,
    /// `model_parameters` rows overriding the built-in defaults.
    pub parameter_overrides: Vec<ModelParameter>,
    /// Periods per year for the ratios (252 for daily bars).
    pub periods_per_year: f64,
    /// Risk-free return per period (default 0).
    pub risk_free: f64,
    /// `created_at` of the result row (default: the last bar's time).
    pub run_at: Option<Timestamp>,
}

impl TryFrom<BacktestConfig> for core::BacktestConfig {
    type Error = ElsonError;
    fn try_from(c: BacktestConfig) -> Result<Self> {
        Ok(core::BacktestConfig {
            symbol: c.symbol,
            model_version: c.model_version,
            asset_type: c.asset_type,
            initial_cash: c.initial_cash,
            fees: c.fees.try_into()?,
            slippage_bps: c.slippage_bps,
            volatility: c.volatility.into(),
            regime: c.regime,
            breaker: c.breaker,
            risk_profile: c.risk_profile,
            sizing_mode: c.sizing_mode,
            parameter_overrides: c.parameter_overrides.checked()?,
            periods_per_year: c.periods_per_year,
            risk_free: c.risk_free,
            run_at: c.run_at,
        })
    }
}

/// The defaults of DESIGN §8 for `symbol`.
///
/// # Errors
/// Not expected (the defaults always cross).
#[uniffi::export]
pub fn backtest_config_new(symbol: String) -> Result<BacktestConfig> {
    let c = core::BacktestConfig::new(symbol);
    Ok(BacktestConfig {
        symbol: c.symbol,
        model_version: c.model_version,
        asset_type: c.asset_type,
        initial_cash: c.initial_cash,
        fees: c.fees.into(),
        slippage_bps: c.slippage_bps,
        volatility: c.volatility.try_into()?,
        regime: c.regime,
        breaker: c.breaker,
        risk_profile: c.risk_profile,
        sizing_mode: c.sizing_mode,
        parameter_overrides: c.parameter_overrides,
        periods_per_year: c.periods_per_year,
        risk_free: c.risk_free,
        run_at: c.run_at,
    })
}

/// A built-in reference strategy.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Enum)]
pub enum BuiltinStrategy {
    /// Long while the fast simple moving average is above the slow one.
    MovingAverageCrossover {
        /// Fast window in bars.
        fast: u32,
        /// Slow window in bars.
        slow: u32,
    },
    /// Momentum over `lookback` bars, weighted by regime.
    RegimeMomentum {
        /// Lookback in bars.
        lookback: u32,
    },
}

/// The risk metrics of a run (NaN where empyrical gives NaN).
#[uniffi::remote(Record)]
pub struct Metrics {
    /// Annualized Sharpe ratio of per-bar equity returns.
    pub sharpe: f64,
    /// Annualized Sortino ratio.
    pub sortino: f64,
    /// Compound annual growth rate.
    pub annual_return: f64,
    /// Annualized volatility of returns.
    pub annual_volatility: f64,
    /// Largest peak-to-trough fall, as a positive fraction.
    pub max_drawdown: f64,
    /// % of round trips with P/L > 0.
    pub win_rate: f64,
    /// Final equity / initial cash − 1.
    pub total_return: f64,
}

/// The per-regime slice of a run.
#[uniffi::remote(Record)]
pub struct RegimeStats {
    /// Bars spent in the regime.
    pub bars: u64,
    /// Fills in the regime.
    pub trades: u64,
    /// Round trips closed in the regime.
    pub round_trips: u64,
    /// % of those with P/L > 0.
    pub win_rate: f64,
    /// Equity change over the regime's bars.
    pub profit_loss: f64,
    /// Annualized Sharpe ratio of the regime's bar returns.
    pub sharpe: f64,
}

/// One position from flat back to flat.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct RoundTrip {
    /// Bar index of the opening buy.
    pub opened: u64,
    /// Bar index of the closing sell.
    pub closed: u64,
    /// Realized P/L minus the fees of the buys.
    pub pnl: f64,
    /// Regime at the closing bar.
    pub regime: Option<VolatilityLevel>,
}

/// The full outcome of a run.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BacktestResult {
    /// The `backtest_results` row.
    pub row: BacktestResultRow,
    /// Equity at each bar's close.
    pub equity: Vec<f64>,
    /// Annualized volatility at each bar (NaN while the window fills).
    pub volatility: Vec<f64>,
    /// Stabilized regime at each bar.
    pub regime: Vec<Option<VolatilityLevel>>,
    /// Governing breaker state at each bar's close.
    pub breaker: Vec<CircuitBreakerState>,
    /// Every executed trade, in order.
    pub trades: Vec<Trade>,
    /// Every breaker transition.
    pub transitions: Vec<Transition>,
    /// Closed round trips.
    pub round_trips: Vec<RoundTrip>,
    /// Risk metrics.
    pub metrics: Metrics,
    /// Per-regime statistics, keyed by level name (and WARMUP).
    pub breakdown: HashMap<String, RegimeStats>,
    /// Orders refused, by reason.
    pub orders_blocked: HashMap<String, u64>,
}

impl From<core::BacktestResult> for BacktestResult {
    fn from(r: core::BacktestResult) -> Self {
        BacktestResult {
            row: r.row,
            equity: r.equity,
            volatility: r.volatility,
            regime: r.regime,
            breaker: r.breaker,
            trades: r.trades,
            transitions: r.transitions,
            round_trips: r
                .round_trips
                .into_iter()
                .map(|t| RoundTrip {
                    opened: t.opened as u64,
                    closed: t.closed as u64,
                    pnl: t.pnl,
                    regime: t.regime,
                })
                .collect(),
            metrics: r.metrics,
            breakdown: r.breakdown.into_iter().collect(),
            orders_blocked: r.orders_blocked.into_iter().collect(),
        }
    }
}

/// Runs target weights (NaN = keep) with optional confidences over the bars.
///
/// # Errors
/// `InvalidInput` for mismatched or empty inputs, times that do not
/// increase, a bad price (with its index), weights outside [−1, 1] or an
/// invalid config.
#[uniffi::export]
pub fn run_backtest_signals(
    times: Vec<Timestamp>,
    bars: Vec<Bar>,
    weights: Vec<f64>,
    confidences: Option<Vec<f64>>,
    config: BacktestConfig,
) -> Result<BacktestResult> {
    let config: core::BacktestConfig = config.try_into()?;
    Ok(core::run_signals(&times, &bars, &weights, confidences.as_deref(), &config)?.into())
}

/// Runs a built-in strategy over the bars.
///
/// # Errors
/// As [`run_backtest_signals`], plus bad strategy windows.
#[uniffi::export]
pub fn run_backtest(
    times: Vec<Timestamp>,
    bars: Vec<Bar>,
    strategy: BuiltinStrategy,
    config: BacktestConfig,
) -> Result<BacktestResult> {
    let config: core::BacktestConfig = config.try_into()?;
    let result = match strategy {
        BuiltinStrategy::MovingAverageCrossover { fast, slow } => {
            let mut s = core::MovingAverageCrossover::new(fast as usize, slow as usize)?;
            core::run(&times, &bars, &mut s, &config)?
        }
        BuiltinStrategy::RegimeMomentum { lookback } => {
            let mut s = core::RegimeMomentum::new(lookback as usize)?;
            core::run(&times, &bars, &mut s, &config)?
        }
    };
    Ok(result.into())
}

/// `n` deterministic synthetic daily bars (for demos and tests).
/// `InvalidInput` (field `start_price`) unless the start price is finite,
/// above 0 and at most 10¹³.
#[uniffi::export]
pub fn synthetic_bars(n: u32, seed: u64, start_price: f64) -> Result<Vec<Bar>> {
    Ok(core::synthetic_bars(n as usize, seed, start_price)?)
}
