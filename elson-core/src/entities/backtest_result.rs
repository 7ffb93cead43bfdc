use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ElsonError, Result};
use crate::limits::{DecimalLimit, TextLimit};

checked_entity! {
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
}

/// The figures of one backtest run, as the engine computes them; the id and
/// `created_at` are filled in by [`BacktestResultRow::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewBacktestResult {
    /// Model or strategy version, 1–50 characters.
    pub model_version: String,
    /// Asset symbol, 1–20 characters.
    pub symbol: String,
    /// First bar's date.
    pub start_date: NaiveDate,
    /// Last bar's date, not before `start_date`.
    pub end_date: NaiveDate,
    /// Number of executed trades, ≥ 0.
    pub total_trades: i32,
    /// Win rate in percent, 0–100; rounded to 2 decimals.
    pub win_rate: Decimal,
    /// Final equity − initial cash; rounded to cents.
    pub profit_loss: Decimal,
    /// Annualized Sharpe ratio; rounded to 4 decimals.
    pub sharpe_ratio: Decimal,
    /// Largest drawdown as a positive fraction, ≥ 0; rounded to 4 decimals.
    pub drawdown_max: Decimal,
    /// Per-regime breakdown (JSON).
    pub volatility_breakdown: serde_json::Value,
    /// The full configuration of the run (JSON).
    pub parameters_used: serde_json::Value,
    /// Free text, TEXT.
    pub notes: Option<String>,
}

impl BacktestResultRow {
    /// Builds the summary row of a run. The decimals are values the engine
    /// computes (66.666… % is a normal win rate), so each is rounded
    /// half-even to its column's scale and then checked; only a value that
    /// still does not fit is refused. `id` is used when given, else a fresh
    /// UUID v4; `created_at = now`.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the column:
    /// - `model_version`: empty or longer than 50 characters;
    /// - `symbol`: empty or longer than 20 characters;
    /// - `end_date`: before `start_date`;
    /// - `total_trades`: negative;
    /// - `win_rate`: outside 0–100 after rounding;
    /// - `profit_loss`: more than 13 integer digits;
    /// - `sharpe_ratio`: more than 6 integer digits;
    /// - `drawdown_max`: negative or more than 6 integer digits;
    /// - `notes`: longer than the TEXT bound.
    pub fn new(
        params: NewBacktestResult,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<BacktestResultRow> {
        let NewBacktestResult {
            model_version,
            symbol,
            start_date,
            end_date,
            total_trades,
            win_rate,
            profit_loss,
            sharpe_ratio,
            drawdown_max,
            volatility_breakdown,
            parameters_used,
            notes,
        } = params;
        // Computed figures are rounded to their columns' scale first; the
        // row is then checked as a whole, by the rules serde also runs.
        let row = BacktestResultRow {
            id: id.unwrap_or_else(Uuid::new_v4),
            model_version,
            symbol,
            start_date,
            end_date,
            total_trades,
            win_rate: DecimalLimit::WIN_RATE.round("win_rate", win_rate)?,
            profit_loss: DecimalLimit::MONEY_SIGNED.round("profit_loss", profit_loss)?,
            sharpe_ratio: DecimalLimit::RATIO.round("sharpe_ratio", sharpe_ratio)?,
            drawdown_max: DecimalLimit::RATIO.round("drawdown_max", drawdown_max)?,
            volatility_breakdown,
            parameters_used,
            created_at: now,
            notes,
        };
        row.validate()?;
        Ok(row)
    }

    /// Checks a whole row by the rules of [`BacktestResultRow::new`], the
    /// decimals exactly (a stored row is already at its columns' scale, so
    /// nothing is rounded here): serde runs it on every row it reads (issue
    /// 14 item 3).
    ///
    /// # Errors
    /// As [`BacktestResultRow::new`], and on a decimal with more places
    /// than its column.
    pub fn validate(&self) -> Result<()> {
        TextLimit::SHORT.identifier().check("model_version", &self.model_version)?;
        TextLimit::SYMBOL.check("symbol", &self.symbol)?;
        if self.end_date < self.start_date {
            return Err(ElsonError::invalid(
                "end_date",
                format!("{} is before start_date {}", self.end_date, self.start_date),
            ));
        }
        if self.total_trades < 0 {
            return Err(ElsonError::invalid(
                "total_trades",
                format!("{} is negative", self.total_trades),
            ));
        }
        DecimalLimit::WIN_RATE.check("win_rate", self.win_rate)?;
        DecimalLimit::MONEY_SIGNED.check("profit_loss", self.profit_loss)?;
        DecimalLimit::RATIO.check("sharpe_ratio", self.sharpe_ratio)?;
        DecimalLimit::RATIO.check("drawdown_max", self.drawdown_max)?;
        if self.drawdown_max < Decimal::ZERO {
            return Err(ElsonError::invalid(
                "drawdown_max",
                format!("{} is negative; a drawdown is a positive fraction", self.drawdown_max),
            ));
        }
        if let Some(v) = &self.notes {
            TextLimit::TEXT.check("notes", v)?;
        }
        Ok(())
    }
}
