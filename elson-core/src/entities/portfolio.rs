use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{PortfolioType, VolatilityLevel};

/// A collection of assets owned by a user (table `portfolios`).
///
/// Invariants kept by every operation of [`crate::accounting`]:
/// `cash_balance ≥ 0` and `total_value = cash_balance + Σ position.current_value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    /// Primary key.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Display name, VARCHAR(100).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
    /// Available cash, DECIMAL(15,2), never negative.
    pub cash_balance: Decimal,
    /// Cash plus the current value of every position, DECIMAL(15,2).
    pub total_value: Decimal,
    /// 0–100.
    pub risk_score: Option<i32>,
    /// 0–100.
    pub diversification_score: Option<i32>,
    /// STANDARD, EDUCATION or RETIREMENT.
    #[serde(rename = "type")]
    pub portfolio_type: PortfolioType,
    /// Whether a minor's trades here need a guardian's approval.
    pub guardian_approval: bool,
    /// Preferred volatility regime.
    pub volatility_preference: Option<VolatilityLevel>,
    /// Historical performance data (free-form JSON).
    pub performance_metrics: Option<serde_json::Value>,
}
