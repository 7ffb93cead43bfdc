use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{
    AssetType, CircuitBreakerState, GuardianApproval, OrderType, TradeSide, TradeStatus,
    VolatilityLevel,
};

/// A buy or sell order and, once executed, its fill (table `trades`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    /// Primary key (UUID v7: time-ordered).
    pub id: Uuid,
    /// Portfolio the trade belongs to.
    pub portfolio_id: Uuid,
    /// Asset symbol, VARCHAR(20).
    pub symbol: String,
    /// MARKET or LIMIT.
    pub order_type: OrderType,
    /// BUY or SELL.
    pub side: TradeSide,
    /// Quantity, DECIMAL(15,6), > 0.
    pub quantity: Decimal,
    /// Limit price for LIMIT orders; the execution price once EXECUTED.
    pub price: Option<Decimal>,
    /// PENDING, EXECUTED, CANCELLED or REJECTED.
    pub status: TradeStatus,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Set exactly when the status becomes EXECUTED.
    pub executed_at: Option<DateTime<Utc>>,
    /// Notional + fees (buy) or notional − fees (sell), set at execution.
    pub total_amount: Option<Decimal>,
    /// Fees charged at execution, DECIMAL(10,2).
    pub fees: Option<Decimal>,
    /// Free text; the reason of a rejection.
    pub notes: Option<String>,
    /// Governing breaker state when the trade was created.
    pub circuit_breaker_state: Option<CircuitBreakerState>,
    /// Stabilized regime of the symbol when the trade was created.
    pub volatility_level: Option<VolatilityLevel>,
    /// PENDING, APPROVED, REJECTED or NOT_REQUIRED.
    pub guardian_approval: GuardianApproval,
    /// Model confidence in [0, 1] for model-generated orders.
    pub confidence_score: Option<Decimal>,
    /// Position-sizing factor applied, in [0, 1].
    pub position_sizing: Option<Decimal>,
}

/// The asset type of a trade is not a column of `trades`, but approval rules
/// need it; callers pass it alongside. Kept here so the name is shared.
pub type TradeAssetType = AssetType;
