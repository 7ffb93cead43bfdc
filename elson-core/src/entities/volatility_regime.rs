use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{CircuitBreakerState, VolatilityLevel, VolatilityMethod};

/// One stabilized regime reading of a symbol (table `volatility_regimes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolatilityRegime {
    /// Primary key.
    pub id: Uuid,
    /// Asset symbol.
    pub symbol: String,
    /// Time of the bar the reading belongs to.
    pub timestamp: DateTime<Utc>,
    /// Annualized volatility as a fraction, DECIMAL(10,4).
    pub volatility_value: Decimal,
    /// The stabilized level.
    pub volatility_level: VolatilityLevel,
    /// Window length n.
    pub lookback_period: i32,
    /// Estimator name (`CLOSE_TO_CLOSE`, …), VARCHAR(50).
    pub calculation_method: VolatilityMethod,
    /// Breaker state implied for the symbol.
    pub circuit_breaker_state: Option<CircuitBreakerState>,
    /// Confidence in [0, 1], DECIMAL(5,2).
    pub confidence_score: Decimal,
    /// Consecutive readings of the current level (≥ 3 right after a change).
    pub stabilization_count: i32,
}
