//! Python classes for the eleven entities: frozen wrappers around the core
//! structs with typed getters, `to_dict`/`from_dict`, `to_json`/`from_json`,
//! equality and pickling. No rule lives here: validation is the core's.
//!
//! Every way in (`from_dict`, `from_json`, and pickle, which calls
//! `from_json`) goes through serde, and serde reads a core entity only
//! through its `validate` (issue 14 item 3): a row the core's constructor
//! would refuse raises `InvalidInput` naming the field, as the constructor
//! does.

use elson_core::entities as core;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::conv::{ToPy, py_to_json};
use crate::errors::invalid;

/// The exception for a serde error: the core's own `InvalidInput` (naming
/// the field) when the entity's `validate` refused the row, else an
/// `InvalidInput` on the entity for malformed input.
fn refused(entity: &str, err: &serde_json::Error) -> PyErr {
    match core::refusal(err) {
        Some(e) => crate::errors::to_py_err(e),
        None => invalid(entity, err.to_string()),
    }
}

/// JSON key of a field: the field name unless renamed (`type`).
macro_rules! key {
    ($f:ident) => {
        stringify!($f)
    };
    ($f:ident $k:literal) => {
        $k
    };
}

macro_rules! py_entity {
    (
        $(#[$meta:meta])*
        $py:ident($core:ty, $pyname:literal), free_json = [$($free:literal),*],
        { $( $field:ident $(=> $key:literal)? ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[pyclass(name = $pyname, module = "elson", frozen, eq)]
        #[derive(Clone, PartialEq)]
        pub struct $py {
            /// The core value.
            pub inner: $core,
        }

        impl $py {
            /// Field names in JSON/dict order.
            pub const KEYS: &'static [&'static str] = &[$(key!($field $($key)?)),+];
        }

        #[pymethods]
        impl $py {
            $(
                #[getter]
                fn $field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    self.inner.$field.to_py(py)
                }
            )+

            /// The entity as a dict of typed values (Decimal, datetime, UUID, enums).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let d = PyDict::new(py);
                $( d.set_item(key!($field $($key)?), self.inner.$field.to_py(py)?)?; )+
                Ok(d)
            }

            /// Builds the entity from a dict as `to_dict` returns it (strings
            /// are accepted for decimals, ids, timestamps and enums).
            ///
            /// Raises `InvalidInput` for a missing, unknown or ill-typed key.
            #[staticmethod]
            fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
                let dict = data.cast::<PyDict>().map_err(|_| invalid($pyname, "expected a dict"))?;
                let mut map = serde_json::Map::new();
                for (k, v) in dict.iter() {
                    let key: String = k.extract().map_err(|_| invalid($pyname, "keys must be str"))?;
                    if !Self::KEYS.contains(&key.as_str()) {
                        return Err(invalid(key, "unknown field"));
                    }
                    let floats_ok = [$($free),*].contains(&key.as_str());
                    map.insert(key.clone(), py_to_json(&v, &key, floats_ok)?);
                }
                let inner: $core = serde_json::from_value(serde_json::Value::Object(map))
                    .map_err(|e| refused($pyname, &e))?;
                Ok(Self { inner })
            }

            /// The entity as JSON text (decimals as strings, RFC 3339 UTC times).
            fn to_json(&self) -> PyResult<String> {
                serde_json::to_string(&self.inner).map_err(|e| invalid($pyname, e.to_string()))
            }

            /// Parses JSON text as `to_json` writes it.
            #[staticmethod]
            fn from_json(text: &str) -> PyResult<Self> {
                let inner: $core = serde_json::from_str(text).map_err(|e| refused($pyname, &e))?;
                Ok(Self { inner })
            }

            fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
                let py = slf.py();
                let ctor = slf.get_type().getattr("from_json")?;
                let json = slf.get().to_json()?;
                PyTuple::new(py, [ctor, PyTuple::new(py, [json])?.into_any()])
            }

            fn __repr__(&self) -> String {
                format!("{}({})", $pyname, self.to_json().unwrap_or_default())
            }
        }
    };
}

py_entity! {
    /// A person using the platform (table `users`).
    PyUser(core::User, "User"), free_json = ["education_progress", "preferences"],
    { id, email, password_hash, role, first_name, last_name, date_of_birth, created_at, updated_at,
      last_login, status, two_factor_enabled, two_factor_secret, risk_profile, education_progress,
      preferences, beta_feedback }
}
py_entity! {
    /// A collection of assets owned by a user (table `portfolios`).
    PyPortfolio(core::Portfolio, "Portfolio"), free_json = ["performance_metrics"],
    { id, user_id, name, description, created_at, updated_at, cash_balance, total_value, risk_score,
      diversification_score, portfolio_type => "type", guardian_approval, volatility_preference,
      performance_metrics }
}
py_entity! {
    /// A holding of one symbol (table `positions`).
    PyPosition(core::Position, "Position"), free_json = [],
    { id, portfolio_id, symbol, quantity, average_price, current_price, current_value, created_at,
      updated_at, last_price_update, gain_loss, gain_loss_percent, asset_type, sector }
}
py_entity! {
    /// A buy or sell order (table `trades`).
    PyTrade(core::Trade, "Trade"), free_json = [],
    { id, portfolio_id, symbol, order_type, side, quantity, price, status, created_at, executed_at,
      total_amount, fees, notes, circuit_breaker_state, volatility_level, guardian_approval,
      confidence_score, position_sizing }
}
py_entity! {
    /// A guardian–minor link (table `relationships`).
    PyRelationship(core::Relationship, "Relationship"), free_json = [],
    { id, guardian_id, minor_id, relationship_type, created_at, updated_at, status,
      approval_settings, permissions }
}
py_entity! {
    /// A message for a user (table `notifications`).
    PyNotification(core::Notification, "Notification"), free_json = [],
    { id, user_id, related_entity_id, related_entity_type, notification_type => "type", title,
      message, created_at, read_at, status, priority, action_url }
}
py_entity! {
    /// One stabilized regime reading (table `volatility_regimes`).
    PyVolatilityRegime(core::VolatilityRegime, "VolatilityRegime"), free_json = [],
    { id, symbol, timestamp, volatility_value, volatility_level, lookback_period,
      calculation_method, circuit_breaker_state, confidence_score, stabilization_count }
}
py_entity! {
    /// An effective-dated model parameter (table `model_parameters`).
    PyModelParameter(core::ModelParameter, "ModelParameter"), free_json = [],
    { id, volatility_level, parameter_type, parameter_name, parameter_value, effective_from,
      effective_to, created_by, created_at, updated_at, description }
}
py_entity! {
    /// The summary row of a backtest (table `backtest_results`).
    PyBacktestResultRow(core::BacktestResultRow, "BacktestResultRow"),
    free_json = ["volatility_breakdown", "parameters_used"],
    { id, model_version, symbol, start_date, end_date, total_trades, win_rate, profit_loss,
      sharpe_ratio, drawdown_max, volatility_breakdown, parameters_used, created_at, notes }
}
py_entity! {
    /// Feedback from a beta tester (table `beta_feedback`).
    PyBetaFeedback(core::BetaFeedback, "BetaFeedback"), free_json = ["environment_details"],
    { id, user_id, feedback_type, category, title, description, severity, status, submitted_at,
      updated_at, related_component, environment_details, screenshots, assigned_to }
}
py_entity! {
    /// A feature flag (table `feature_flags`).
    PyFeatureFlag(core::FeatureFlag, "FeatureFlag"), free_json = [],
    { id, flag_name, description, enabled, environment, user_percentage, user_whitelist,
      created_at, updated_at, created_by, expires_at }
}

/// Registers the entity classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyUser>()?;
    m.add_class::<PyPortfolio>()?;
    m.add_class::<PyPosition>()?;
    m.add_class::<PyTrade>()?;
    m.add_class::<PyRelationship>()?;
    m.add_class::<PyNotification>()?;
    m.add_class::<PyVolatilityRegime>()?;
    m.add_class::<PyModelParameter>()?;
    m.add_class::<PyBacktestResultRow>()?;
    m.add_class::<PyBetaFeedback>()?;
    m.add_class::<PyFeatureFlag>()?;
    Ok(())
}
