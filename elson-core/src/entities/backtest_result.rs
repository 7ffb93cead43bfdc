use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The summary row of one backtest run (table `backtest_results`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestResultRow {
    /// Primary key.
    pub id: Uuid,
    /// Model or strategy version, VARCHAR(50).
    pub model_version: String,
    /// Asset symbol.
    pub symbol: String,
    /// First bar's date.
    pub start_date: NaiveDate,
    /// Last bar's date.
    pub end_date: NaiveDate,
    /// Number of executed trades.
    pub total_trades: i32,
    /// % of closed round trips with realized P/L > 0, DECIMAL(5,2).
    pub win_rate: Decimal,
    /// Final equity − initial cash, DECIMAL(15,2).
    pub profit_loss: Decimal,
    /// Annualized Sharpe ratio, DECIMAL(10,4).
    pub sharpe_ratio: Decimal,
    /// Largest peak-to-trough fall as a positive fraction, DECIMAL(10,4).
    pub drawdown_max: Decimal,
    /// Per-regime bars, trades, win rate, P/L and Sharpe.
    pub volatility_breakdown: serde_json::Value,
    /// The full configuration of the run.
    pub parameters_used: serde_json::Value,
    /// Run time.
    pub created_at: DateTime<Utc>,
    /// Free text.
    pub notes: Option<String>,
}
