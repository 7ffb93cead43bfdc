//! The configuration of a backtest run; serialized whole into
//! `parameters_used`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::accounting::FeeSchedule;
use crate::breaker::BreakerConfig;
use crate::entities::ModelParameter;
use crate::enums::{AssetType, RiskProfile};
use crate::error::{ElsonError, Result};
use crate::limits::{DecimalLimit, TextLimit};
use crate::regime::RegimeConfig;
use crate::sizing::SizingMode;
use crate::volatility::VolatilityConfig;

/// Everything a run depends on besides the data and the strategy. Every
/// default is a value here (DESIGN: none is buried in a function body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestConfig {
    /// Symbol traded (one per run).
    pub symbol: String,
    /// Recorded as `model_version` (VARCHAR(50)); defaults to the strategy name.
    pub model_version: Option<String>,
    /// Asset type of the position opened.
    pub asset_type: AssetType,
    /// Starting cash. Default 100 000.00.
    pub initial_cash: Decimal,
    /// Fees charged on every fill. Default: DESIGN §2 (0.35 %, min 0.50).
    pub fees: FeeSchedule,
    /// Slippage in basis points, against the order (buys fill higher,
    /// sells lower). Default 0.
    pub slippage_bps: Decimal,
    /// Volatility estimator feeding the regime detector.
    pub volatility: VolatilityConfig,
    /// Regime thresholds and stabilization.
    pub regime: RegimeConfig,
    /// Breaker cool-downs and triggers.
    pub breaker: BreakerConfig,
    /// Risk profile of the account (caps the largest buy). Default AGGRESSIVE.
    pub risk_profile: RiskProfile,
    /// What to do with a buy over the sizing limit. Default `Resize`.
    pub sizing_mode: SizingMode,
    /// `model_parameters` rows that override the built-in defaults at their time.
    pub parameter_overrides: Vec<ModelParameter>,
    /// Periods per year for the Sharpe ratio (252 for daily bars).
    pub periods_per_year: f64,
    /// Risk-free return per period, subtracted before the Sharpe ratio. Default 0.
    pub risk_free: f64,
    /// `created_at` of the result row; defaults to the last bar's time so a
    /// run is a pure function of its inputs.
    pub run_at: Option<DateTime<Utc>>,
}

impl BacktestConfig {
    /// The defaults for `symbol`.
    pub fn new(symbol: impl Into<String>) -> BacktestConfig {
        BacktestConfig {
            symbol: symbol.into(),
            model_version: None,
            asset_type: AssetType::Stock,
            initial_cash: Decimal::new(10_000_000, 2),
            fees: FeeSchedule::default(),
            slippage_bps: Decimal::ZERO,
            volatility: VolatilityConfig::default(),
            regime: RegimeConfig::default(),
            breaker: BreakerConfig::default(),
            risk_profile: RiskProfile::Aggressive,
            sizing_mode: SizingMode::Resize,
            parameter_overrides: Vec::new(),
            periods_per_year: crate::metrics::PERIODS_PER_YEAR_DAILY,
            risk_free: 0.0,
            run_at: None,
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the offending field.
    pub fn validate(&self) -> Result<()> {
        TextLimit::SYMBOL.check("symbol", &self.symbol)?;
        if let Some(v) = &self.model_version {
            TextLimit::SHORT.identifier().check("model_version", v)?;
        }
        DecimalLimit::MONEY.check("initial_cash", self.initial_cash)?;
        if self.initial_cash.is_zero() {
            return Err(ElsonError::invalid("initial_cash", "must be positive"));
        }
        if self.slippage_bps.is_sign_negative() || self.slippage_bps >= Decimal::from(10_000) {
            return Err(ElsonError::invalid("slippage_bps", "must be in [0, 10000)"));
        }
        self.volatility.validate()?;
        self.regime.validate()?;
        self.breaker.validate()?;
        if !(self.periods_per_year.is_finite() && self.periods_per_year > 0.0) {
            return Err(ElsonError::invalid("periods_per_year", "must be finite and positive"));
        }
        if !self.risk_free.is_finite() {
            return Err(ElsonError::invalid("risk_free", "must be finite"));
        }
        Ok(())
    }
}
