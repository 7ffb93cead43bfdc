//! What a backtest returns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::breaker::Transition;
use crate::entities::{BacktestResultRow, Trade};
use crate::enums::{CircuitBreakerState, VolatilityLevel};

/// One position from flat back to flat.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoundTrip {
    /// Bar index of the opening buy.
    pub opened: usize,
    /// Bar index of the closing sell.
    pub closed: usize,
    /// Realized P/L of the sells (DESIGN §2) minus the fees of the buys.
    pub pnl: f64,
    /// Regime at the closing bar (`None` during warm-up).
    pub regime: Option<VolatilityLevel>,
}

/// The risk metrics of the run, as f64 (NaN where empyrical gives NaN).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
    /// % of round trips with P/L > 0 (NaN without round trips).
    pub win_rate: f64,
    /// Final equity / initial cash − 1.
    pub total_return: f64,
}

/// The per-regime slice of a run (`volatility_breakdown`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct RegimeStats {
    /// Bars spent in the regime.
    pub bars: u64,
    /// Fills in the regime.
    pub trades: u64,
    /// Round trips closed in the regime.
    pub round_trips: u64,
    /// % of those with P/L > 0 (NaN serialized as null without round trips).
    pub win_rate: f64,
    /// Equity change over the regime's bars.
    pub profit_loss: f64,
    /// Annualized Sharpe ratio of the regime's bar returns.
    pub sharpe: f64,
}

/// The full outcome of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestResult {
    /// The `backtest_results` row.
    pub row: BacktestResultRow,
    /// Equity at each bar's close.
    pub equity: Vec<f64>,
    /// Annualized volatility at each bar (NaN while the window fills).
    pub volatility: Vec<f64>,
    /// Stabilized regime at each bar (`None` while the window fills).
    pub regime: Vec<Option<VolatilityLevel>>,
    /// Governing breaker state at each bar's close.
    pub breaker: Vec<CircuitBreakerState>,
    /// Every executed trade, in order.
    pub trades: Vec<Trade>,
    /// Every breaker transition (symbol and portfolio scopes).
    pub transitions: Vec<Transition>,
    /// Closed round trips.
    pub round_trips: Vec<RoundTrip>,
    /// Risk metrics.
    pub metrics: Metrics,
    /// Per-regime statistics keyed by level name, plus `WARMUP`.
    pub breakdown: BTreeMap<String, RegimeStats>,
    /// Orders the rules refused, by error code (`TRADING_HALTED`, …).
    pub orders_blocked: BTreeMap<String, u64>,
}
