use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::VolatilityLevel;

/// An effective-dated model parameter (table `model_parameters`): the value
/// for (level, type, name) at time t is the row with
/// `effective_from ≤ t < effective_to` (open end when `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelParameter {
    /// Primary key.
    pub id: Uuid,
    /// Regime the parameter applies to.
    pub volatility_level: VolatilityLevel,
    /// Parameter family (`position_sizing`, `confidence_threshold`, …), VARCHAR(50).
    pub parameter_type: String,
    /// Parameter name, VARCHAR(100).
    pub parameter_name: String,
    /// Value, DECIMAL(15,6).
    pub parameter_value: Decimal,
    /// Start of validity, inclusive.
    pub effective_from: DateTime<Utc>,
    /// End of validity, exclusive; `None` for open-ended.
    pub effective_to: Option<DateTime<Utc>>,
    /// Who created it, VARCHAR(100).
    pub created_by: String,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
    /// Free text.
    pub description: Option<String>,
}
