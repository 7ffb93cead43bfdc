//! Position sizing, the confidence gate and effective-dated model parameters
//! (DESIGN §7), computed by `elson_core::sizing` / `elson_core::params`.

use elson_core::params::ParameterSet;
use elson_core::sizing::{self as core, SizingContext, SizingDecision, SizingMode};
use pyo3::prelude::*;
use rust_decimal::Decimal;

use crate::conv::{extract_datetime, extract_decimal, extract_enum};
use crate::entities::PyModelParameter;
use crate::errors::{IntoPyResult, guard, invalid};

/// The model parameters in force: the built-in defaults, optionally
/// overridden by effective-dated `ModelParameter` rows.
#[pyclass(name = "ParameterSet", module = "elson", frozen)]
pub struct PyParameterSet {
    inner: ParameterSet,
}

fn rows(list: &[PyRef<'_, PyModelParameter>]) -> Vec<elson_core::entities::ModelParameter> {
    list.iter().map(|r| r.inner.clone()).collect()
}

#[pymethods]
impl PyParameterSet {
    /// The built-in defaults overridden by `overrides` where a row is in
    /// force. Raises `Conflict` for two overlapping rows of one key and
    /// `InvalidInput` for a bad interval or a value out of range.
    #[new]
    #[pyo3(signature = (overrides=Vec::new()))]
    fn new(overrides: Vec<PyRef<'_, PyModelParameter>>) -> PyResult<Self> {
        guard(|| Ok(Self { inner: ParameterSet::with_overrides(rows(&overrides)).py()? }))
    }

    /// Exactly `rows`, without the built-in defaults.
    #[staticmethod]
    fn from_rows(rows: Vec<PyRef<'_, PyModelParameter>>) -> PyResult<Self> {
        guard(|| Ok(Self { inner: ParameterSet::from_rows(self::rows(&rows)).py()? }))
    }

    /// The value for (level, type, name) at `at`, or None when no row is in
    /// force then.
    fn value(
        &self,
        volatility_level: &Bound<'_, PyAny>,
        parameter_type: &str,
        parameter_name: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Option<Decimal>> {
        let (level, at) =
            (extract_enum("volatility_level", volatility_level)?, extract_datetime("at", at)?);
        guard(|| Ok(self.inner.value(level, parameter_type, parameter_name, at)))
    }
}

fn with_params<T>(
    params: Option<PyRef<'_, PyParameterSet>>,
    f: impl FnOnce(&ParameterSet) -> PyResult<T>,
) -> PyResult<T> {
    // Every sizing call runs under the panic guard: a bug in the core
    // reaches Python as `elson.InternalError`, never as a PanicException.
    guard(|| match params {
        Some(p) => f(&p.inner),
        None => f(&ParameterSet::builtin()),
    })
}

/// The `position_sizing` factor for (breaker state, regime) at `at`.
#[pyfunction]
#[pyo3(signature = (breaker_state, regime, at, params=None))]
pub fn sizing_factor(
    breaker_state: &Bound<'_, PyAny>,
    regime: &Bound<'_, PyAny>,
    at: &Bound<'_, PyAny>,
    params: Option<PyRef<'_, PyParameterSet>>,
) -> PyResult<Decimal> {
    let (state, regime, at) = (
        extract_enum("breaker_state", breaker_state)?,
        extract_enum("regime", regime)?,
        extract_datetime("at", at)?,
    );
    with_params(params, |p| core::factor(state, regime, p, at).py())
}

/// The largest buy allowed: round2(max_position_pct(risk_profile) ×
/// total_value × factor(breaker_state, regime)).
#[pyfunction]
#[pyo3(signature = (total_value, risk_profile, breaker_state, regime, at, params=None))]
pub fn max_buy_notional(
    total_value: &Bound<'_, PyAny>,
    risk_profile: &Bound<'_, PyAny>,
    breaker_state: &Bound<'_, PyAny>,
    regime: &Bound<'_, PyAny>,
    at: &Bound<'_, PyAny>,
    params: Option<PyRef<'_, PyParameterSet>>,
) -> PyResult<Decimal> {
    let total_value = extract_decimal("total_value", total_value)?;
    let risk_profile = extract_enum("risk_profile", risk_profile)?;
    let state = extract_enum("breaker_state", breaker_state)?;
    let regime = extract_enum("regime", regime)?;
    let at = extract_datetime("at", at)?;
    with_params(params, |p| {
        core::max_buy_notional(total_value, risk_profile, state, regime, p, at).py()
    })
}

/// A buy that may go ahead, possibly resized down to the limit.
#[pyclass(name = "SizingDecision", module = "elson", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySizingDecision {
    inner: SizingDecision,
}

#[pymethods]
impl PySizingDecision {
    /// True when the quantity was scaled down to fit (mode RESIZE).
    #[getter]
    fn resized(&self) -> bool {
        self.inner.was_resized()
    }
    /// The quantity to buy.
    #[getter]
    fn quantity(&self) -> Decimal {
        self.inner.quantity()
    }
    /// round2(quantity × price).
    #[getter]
    fn notional(&self) -> Decimal {
        self.inner.notional()
    }
    /// The limit it was checked against.
    #[getter]
    fn limit(&self) -> Decimal {
        self.inner.limit()
    }
    fn __repr__(&self) -> String {
        format!("SizingDecision({:?})", self.inner)
    }
}

/// Checks a buy against the sizing limit. `mode` "REJECT" raises
/// `PositionLimitExceeded` over the limit; "RESIZE" scales the quantity down
/// to the largest that fits (raising only when nothing fits).
#[pyfunction]
#[pyo3(signature = (quantity, price, *, total_value, risk_profile, breaker_state, regime, at,
    mode="REJECT", params=None))]
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub fn check_buy(
    quantity: &Bound<'_, PyAny>,
    price: &Bound<'_, PyAny>,
    total_value: &Bound<'_, PyAny>,
    risk_profile: &Bound<'_, PyAny>,
    breaker_state: &Bound<'_, PyAny>,
    regime: &Bound<'_, PyAny>,
    at: &Bound<'_, PyAny>,
    mode: &str,
    params: Option<PyRef<'_, PyParameterSet>>,
) -> PyResult<PySizingDecision> {
    let mode = match mode {
        "REJECT" => SizingMode::Reject,
        "RESIZE" => SizingMode::Resize,
        other => return Err(invalid("mode", format!("expected REJECT or RESIZE, got {other:?}"))),
    };
    let quantity = extract_decimal("quantity", quantity)?;
    let price = extract_decimal("price", price)?;
    let total_value = extract_decimal("total_value", total_value)?;
    let risk_profile = extract_enum("risk_profile", risk_profile)?;
    let breaker_state = extract_enum("breaker_state", breaker_state)?;
    let regime = extract_enum("regime", regime)?;
    let at = extract_datetime("at", at)?;
    with_params(params, |params| {
        let ctx = SizingContext { params, total_value, risk_profile, breaker_state, regime, at };
        core::check_buy(quantity, price, &ctx, mode).py().map(|inner| PySizingDecision { inner })
    })
}

/// The minimum confidence a model-generated order needs in `regime`.
#[pyfunction]
#[pyo3(signature = (regime, at, params=None))]
pub fn confidence_threshold(
    regime: &Bound<'_, PyAny>,
    at: &Bound<'_, PyAny>,
    params: Option<PyRef<'_, PyParameterSet>>,
) -> PyResult<Decimal> {
    let (regime, at) = (extract_enum("regime", regime)?, extract_datetime("at", at)?);
    with_params(params, |p| core::confidence_threshold(regime, p, at).py())
}

/// The confidence gate: returns None when `confidence_score` (None = a
/// person's own order, which skips the gate) meets the regime's threshold;
/// raises `ConfidenceTooLow` below it and `InvalidInput` outside [0, 1].
#[pyfunction]
#[pyo3(signature = (confidence_score, regime, at, params=None))]
pub fn check_confidence(
    confidence_score: Option<&Bound<'_, PyAny>>,
    regime: &Bound<'_, PyAny>,
    at: &Bound<'_, PyAny>,
    params: Option<PyRef<'_, PyParameterSet>>,
) -> PyResult<()> {
    let score = match confidence_score {
        Some(s) if !s.is_none() => Some(extract_decimal("confidence_score", s)?),
        _ => None,
    };
    let (regime, at) = (extract_enum("regime", regime)?, extract_datetime("at", at)?);
    with_params(params, |p| core::check_confidence(score, regime, p, at).py())
}

/// Registers the sizing classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyParameterSet>()?;
    m.add_class::<PySizingDecision>()?;
    m.add_function(wrap_pyfunction!(sizing_factor, m)?)?;
    m.add_function(wrap_pyfunction!(max_buy_notional, m)?)?;
    m.add_function(wrap_pyfunction!(check_buy, m)?)?;
    m.add_function(wrap_pyfunction!(confidence_threshold, m)?)?;
    m.add_function(wrap_pyfunction!(check_confidence, m)?)?;
    Ok(())
}
