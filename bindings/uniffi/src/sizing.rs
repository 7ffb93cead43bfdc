//! Model parameters, position sizing and the confidence gate (DESIGN §7).
//!
//! [`ParameterSet`] is an object (Kotlin class, Swift class) because it is
//! built once from the `model_parameters` rows and asked many questions.

use std::sync::Arc;

use elson_core::entities::ModelParameter;
use elson_core::enums::{CircuitBreakerState, RiskProfile, VolatilityLevel};
use elson_core::params::{self as core_params};
use elson_core::sizing::{self as core, SizingDecision, SizingMode};
use rust_decimal::Decimal;

use crate::Result;
use crate::entities::Checked;
use crate::types::Timestamp;

/// Effective-dated model parameters: the built-in defaults of DESIGN §7,
/// optionally overridden by `model_parameters` rows.
#[derive(Debug, uniffi::Object)]
pub struct ParameterSet {
    inner: core_params::ParameterSet,
}

#[uniffi::export]
impl ParameterSet {
    /// Only the built-in defaults.
    #[uniffi::constructor]
    pub fn builtin() -> Arc<Self> {
        Arc::new(ParameterSet { inner: core_params::ParameterSet::builtin() })
    }

    /// The built-in defaults, overridden by `rows` inside their validity.
    ///
    /// # Errors
    /// `Conflict` for overlapping rows of one key; `InvalidInput` for an
    /// empty interval or a value out of its range.
    #[uniffi::constructor]
    pub fn with_overrides(rows: Vec<ModelParameter>) -> Result<Arc<Self>> {
        let rows = rows.checked()?;
        Ok(Arc::new(ParameterSet { inner: core_params::ParameterSet::with_overrides(rows)? }))
    }

    /// Only `rows`, no built-in defaults.
    ///
    /// # Errors
    /// As [`ParameterSet::with_overrides`].
    #[uniffi::constructor]
    pub fn from_rows(rows: Vec<ModelParameter>) -> Result<Arc<Self>> {
        let rows = rows.checked()?;
        Ok(Arc::new(ParameterSet { inner: core_params::ParameterSet::from_rows(rows)? }))
    }

    /// The value in force at `at`, or None.
    ///
    /// # Errors
    /// `InvalidInput` on a malformed timestamp.
    pub fn value(
        &self,
        level: VolatilityLevel,
        parameter_type: String,
        parameter_name: String,
        at: Timestamp,
    ) -> Result<Option<Decimal>> {
        Ok(self.inner.value(level, &parameter_type, &parameter_name, at))
    }

    /// The value in force at `at`.
    ///
    /// # Errors
    /// `NotFound` when no row is in force.
    pub fn require(
        &self,
        level: VolatilityLevel,
        parameter_type: String,
        parameter_name: String,
        at: Timestamp,
    ) -> Result<Decimal> {
        Ok(self.inner.require(level, &parameter_type, &parameter_name, at)?)
    }

    /// The override rows, validated.
    pub fn overrides(&self) -> Vec<ModelParameter> {
        self.inner.overrides().to_vec()
    }

    /// Whether the built-in defaults answer where no override does.
    pub fn uses_builtins(&self) -> bool {
        self.inner.uses_builtins()
    }
}

/// The built-in parameters as `model_parameters` rows (for seeding a store).
#[uniffi::export]
pub fn builtin_parameter_rows() -> Vec<ModelParameter> {
    core_params::defaults::builtin_rows()
}

/// What to do with a buy over the sizing limit.
#[uniffi::remote(Enum)]
pub enum SizingMode {
    /// Refuse it with `PositionLimitExceeded`.
    Reject,
    /// Shrink the quantity to fit.
    Resize,
}

/// The outcome of [`check_buy`].
#[uniffi::remote(Enum)]
pub enum SizingDecision {
    /// The buy fits as asked.
    Accepted { quantity: Decimal, notional: Decimal, limit: Decimal },
    /// The buy was shrunk to fit.
    Resized { requested_quantity: Decimal, quantity: Decimal, notional: Decimal, limit: Decimal },
}

/// What the sizing limit depends on.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SizingContext {
    /// Parameters in force.
    pub params: Arc<ParameterSet>,
    /// The portfolio's total value.
    pub total_value: Decimal,
    /// The user's risk profile (max position 5 / 10 / 20 %).
    pub risk_profile: RiskProfile,
    /// The governing breaker state.
    pub breaker_state: CircuitBreakerState,
    /// The symbol's stabilized regime.
    pub regime: VolatilityLevel,
    /// The time of the question.
    pub at: Timestamp,
}

/// The position-sizing factor for (breaker state, regime).
///
/// # Errors
/// `NotFound` when no parameter row is in force.
#[uniffi::export]
pub fn sizing_factor(
    breaker_state: CircuitBreakerState,
    regime: VolatilityLevel,
    params: Arc<ParameterSet>,
    at: Timestamp,
) -> Result<Decimal> {
    Ok(core::factor(breaker_state, regime, &params.inner, at)?)
}

/// The largest position as a fraction of total value, by risk profile.
///
/// # Errors
/// `NotFound` when no parameter row is in force.
#[uniffi::export]
pub fn max_position_pct(
    risk_profile: RiskProfile,
    regime: VolatilityLevel,
    params: Arc<ParameterSet>,
    at: Timestamp,
) -> Result<Decimal> {
    Ok(core::max_position_pct(risk_profile, regime, &params.inner, at)?)
}

/// The largest buy notional: `round2(max_position_pct × total_value × factor)`.
///
/// # Errors
/// `InvalidInput` on `total_value`; `NotFound` when no row is in force.
#[uniffi::export]
pub fn max_buy_notional(
    total_value: Decimal,
    risk_profile: RiskProfile,
    breaker_state: CircuitBreakerState,
    regime: VolatilityLevel,
    params: Arc<ParameterSet>,
    at: Timestamp,
) -> Result<Decimal> {
    Ok(core::max_buy_notional(total_value, risk_profile, breaker_state, regime, &params.inner, at)?)
}

/// Checks a buy against the sizing limit, rejecting or resizing it.
///
/// # Errors
/// `PositionLimitExceeded` (over the limit in REJECT mode, or nothing fits);
/// `InvalidInput` on `quantity` or `price`.
#[uniffi::export]
pub fn check_buy(
    quantity: Decimal,
    price: Decimal,
    context: SizingContext,
    mode: SizingMode,
) -> Result<SizingDecision> {
    let ctx = core::SizingContext {
        params: &context.params.inner,
        total_value: context.total_value,
        risk_profile: context.risk_profile,
        breaker_state: context.breaker_state,
        regime: context.regime,
        at: context.at,
    };
    Ok(core::check_buy(quantity, price, &ctx, mode)?)
}

/// The minimum confidence of a model-generated order in `regime`.
///
/// # Errors
/// `NotFound` when no row is in force.
#[uniffi::export]
pub fn confidence_threshold(
    regime: VolatilityLevel,
    params: Arc<ParameterSet>,
    at: Timestamp,
) -> Result<Decimal> {
    Ok(core::confidence_threshold(regime, &params.inner, at)?)
}

/// The confidence gate: passes orders without a score (a person's own) and
/// scores at or above the regime's threshold.
///
/// # Errors
/// `ConfidenceTooLow` with score and threshold; `InvalidInput` for a score
/// outside [0, 1].
#[uniffi::export]
pub fn check_confidence(
    score: Option<Decimal>,
    regime: VolatilityLevel,
    params: Arc<ParameterSet>,
    at: Timestamp,
) -> Result<()> {
    Ok(core::check_confidence(score, regime, &params.inner, at)?)
}
