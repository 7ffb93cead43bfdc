//! The graduated circuit breaker (DESIGN §6) for live use: a `Breaker` per
//! scope, a `Breakers` registry and order admission. The state machine is
//! `elson_core::breaker`'s; events come in as dicts in the same shape as the
//! shared vectors (`{"type": "REGIME", "level": "HIGH"}`).

use elson_core::breaker::{
    Breaker, BreakerConfig, BreakerEvent, Breakers, OrderIntent, Scope, Transition,
    admit as core_admit,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::conv::{
    ToPy, extract_datetime, extract_decimal, extract_enum, extract_uuid, py_to_json,
};
use crate::errors::{IntoPyResult, guard, invalid};

fn upper_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn config(obj: Option<&Bound<'_, PyAny>>) -> PyResult<BreakerConfig> {
    crate::config::merged("config", &BreakerConfig::default(), obj)
}

/// An event: a dict `{"type": ..., fields}` or just the type name for the
/// events without fields (`"TICK"`, `"EXECUTION_FAILURE"`, …).
fn event(obj: &Bound<'_, PyAny>) -> PyResult<BreakerEvent> {
    let json = if obj.cast::<PyString>().is_ok() {
        serde_json::json!({ "type": py_to_json(obj, "event", false)? })
    } else {
        py_to_json(obj, "event", false)?
    };
    serde_json::from_value(json).map_err(|e| invalid("event", e.to_string()))
}

fn scope(obj: &str) -> PyResult<Scope> {
    obj.parse::<Scope>().py()
}

/// One change of a breaker's state.
#[pyclass(name = "Transition", module = "elson", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyTransition {
    pub(crate) inner: Transition,
}

#[pymethods]
impl PyTransition {
    /// The breaker's scope: `GLOBAL`, `SYMBOL:<symbol>` or `PORTFOLIO:<uuid>`.
    #[getter]
    fn scope(&self) -> String {
        self.inner.scope.to_string()
    }
    /// State before.
    #[getter(from_state)]
    fn state_before<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.from.to_py(py)
    }
    /// State after.
    #[getter]
    fn to_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.to.to_py(py)
    }
    /// REGIME, PORTFOLIO_LOSS, EXECUTION_FAILURES, MANUAL or RECOVERY.
    #[getter]
    fn reason(&self) -> String {
        upper_name(&self.inner.reason)
    }
    /// When the change took effect (a recovery step: when it came due).
    #[getter]
    fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.at
    }
    /// `{"scope", "from", "to", "reason", "at"}` with JSON values (strings).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_json::to_value(&self.inner)
            .map_err(|e| invalid("transition", e.to_string()))?
            .to_py(py)
    }
    fn __repr__(&self) -> String {
        format!(
            "Transition({} {} -> {} {} at {})",
            self.inner.scope,
            self.inner.from,
            self.inner.to,
            self.reason(),
            self.inner.at
        )
    }
}

fn transitions(v: Vec<Transition>) -> Vec<PyTransition> {
    v.into_iter().map(|inner| PyTransition { inner }).collect()
}

/// The breaker of one scope, starting CLOSED. `config` is a dict with any of
/// `cooldown_open_minutes`, `cooldown_restricted_minutes`,
/// `cooldown_cautious_minutes`, `loss_trip_fraction`, `failure_trip_count`
/// (the others keep DESIGN §6's defaults).
#[pyclass(name = "Breaker", module = "elson")]
pub struct PyBreaker {
    inner: Breaker,
}

#[pymethods]
impl PyBreaker {
    #[new]
    #[pyo3(signature = (scope="GLOBAL", config=None))]
    fn new(scope: &str, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(Self { inner: Breaker::new(self::scope(scope)?, self::config(config)?).py()? })
    }

    /// Feeds one event at `now`; returns the transitions it caused. Raises
    /// `InvalidInput` (bad event, wrong scope, time going back) or
    /// `Forbidden` (a manual trip or reset by anyone but an ADMIN); a refused
    /// event changes nothing.
    fn step(
        &mut self,
        event: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyTransition>> {
        let (event, now) = (self::event(event)?, extract_datetime("now", now)?);
        guard(|| self.inner.step(&event, now).py()).map(transitions)
    }

    /// Feeds a stabilized regime reading (symbol scope).
    fn on_regime(
        &mut self,
        level: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyTransition>> {
        let event = BreakerEvent::Regime { level: extract_enum("level", level)? };
        let now = extract_datetime("now", now)?;
        guard(|| self.inner.step(&event, now).py()).map(transitions)
    }

    /// Lets time pass: recovery steps that came due.
    fn tick(&mut self, now: &Bound<'_, PyAny>) -> PyResult<Vec<PyTransition>> {
        let now = extract_datetime("now", now)?;
        guard(|| self.inner.step(&BreakerEvent::Tick, now).py()).map(transitions)
    }

    /// The current state.
    #[getter]
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.state().to_py(py)
    }

    /// The scope as text.
    #[getter]
    fn scope(&self) -> String {
        self.inner.scope().to_string()
    }

    /// When the current state was entered (None for the initial CLOSED).
    #[getter]
    fn entered_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.entered_at()
    }

    /// The last stabilized regime fed, if any.
    #[getter]
    fn regime<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.regime().to_py(py)
    }

    /// Whether an order may be placed now. Raises `TradingHalted` when the
    /// state refuses it.
    #[pyo3(signature = (side, notional, *, is_cancel=false, within_sizing_limit=true))]
    fn admit(
        &self,
        side: &Bound<'_, PyAny>,
        notional: &Bound<'_, PyAny>,
        is_cancel: bool,
        within_sizing_limit: bool,
    ) -> PyResult<()> {
        let order = intent(side, notional, is_cancel, within_sizing_limit)?;
        core_admit(self.inner.state(), &order).py()
    }

    /// The breaker as JSON, to keep between processes.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| invalid("breaker", e.to_string()))
    }

    /// Restores a breaker from `to_json` output (checked).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        let inner = serde_json::from_str(text).map_err(|e| invalid("breaker", e.to_string()))?;
        Ok(Self { inner })
    }

    fn __repr__(&self) -> String {
        format!("Breaker({} {})", self.inner.scope(), self.inner.state())
    }
}

fn intent(
    side: &Bound<'_, PyAny>,
    notional: &Bound<'_, PyAny>,
    is_cancel: bool,
    within_sizing_limit: bool,
) -> PyResult<OrderIntent> {
    Ok(OrderIntent {
        side: extract_enum("side", side)?,
        is_cancel,
        notional: extract_decimal("notional", notional)?,
        within_sizing_limit,
    })
}

/// One breaker per scope (global, symbol, portfolio), created CLOSED on
/// first use, all on one config. The state that governs a trade is the most
/// severe of the three that apply.
#[pyclass(name = "Breakers", module = "elson")]
pub struct PyBreakers {
    inner: Breakers,
}

#[pymethods]
impl PyBreakers {
    #[new]
    #[pyo3(signature = (config=None))]
    fn new(config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(Self { inner: Breakers::new(self::config(config)?).py()? })
    }

    /// Feeds one event to the breaker of `scope` (`"GLOBAL"`,
    /// `"SYMBOL:AAPL"`, `"PORTFOLIO:<uuid>"`); returns its transitions.
    fn step(
        &mut self,
        scope: &str,
        event: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyTransition>> {
        let scope = self::scope(scope)?;
        let (event, now) = (self::event(event)?, extract_datetime("now", now)?);
        guard(|| self.inner.step(&scope, &event, now).py()).map(transitions)
    }

    /// Ticks every breaker; transitions sorted by time.
    fn tick(&mut self, now: &Bound<'_, PyAny>) -> PyResult<Vec<PyTransition>> {
        let now = extract_datetime("now", now)?;
        guard(|| self.inner.tick(now).py()).map(transitions)
    }

    /// The state of one scope (CLOSED when it never had an event).
    fn state<'py>(&self, py: Python<'py>, scope: &str) -> PyResult<Bound<'py, PyAny>> {
        self.inner.state(&self::scope(scope)?).to_py(py)
    }

    /// `{scope: state}` for every scope that received an event.
    fn states<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for b in self.inner.iter() {
            d.set_item(b.scope().to_string(), b.state().to_py(py)?)?;
        }
        Ok(d)
    }

    /// `(state, scope)` governing a trade of `symbol` in `portfolio_id`.
    fn governing<'py>(
        &self,
        py: Python<'py>,
        symbol: &str,
        portfolio_id: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, String)> {
        let g = self.inner.governing(symbol, extract_uuid("portfolio_id", portfolio_id)?);
        Ok((g.state.to_py(py)?, g.scope.to_string()))
    }

    /// Whether an order may be placed under the governing state. Raises
    /// `TradingHalted` when refused.
    #[pyo3(signature = (symbol, portfolio_id, side, notional, *, is_cancel=false,
        within_sizing_limit=true))]
    fn admit(
        &self,
        symbol: &str,
        portfolio_id: &Bound<'_, PyAny>,
        side: &Bound<'_, PyAny>,
        notional: &Bound<'_, PyAny>,
        is_cancel: bool,
        within_sizing_limit: bool,
    ) -> PyResult<()> {
        let order = intent(side, notional, is_cancel, within_sizing_limit)?;
        self.inner.admit(symbol, extract_uuid("portfolio_id", portfolio_id)?, &order).py()
    }

    fn __repr__(&self) -> String {
        format!("Breakers({} scopes)", self.inner.iter().count())
    }
}

/// Whether `state` allows an order: OPEN only cancels; RESTRICTED sells and
/// buys within the sizing limit; CAUTIOUS orders within the limit; CLOSED
/// all. Raises `TradingHalted` when refused, `InvalidInput` for a negative
/// notional.
#[pyfunction]
#[pyo3(signature = (state, side, notional, *, is_cancel=false, within_sizing_limit=true))]
pub fn admit(
    state: &Bound<'_, PyAny>,
    side: &Bound<'_, PyAny>,
    notional: &Bound<'_, PyAny>,
    is_cancel: bool,
    within_sizing_limit: bool,
) -> PyResult<()> {
    let order = intent(side, notional, is_cancel, within_sizing_limit)?;
    core_admit(extract_enum("state", state)?, &order).py()
}

/// Registers the breaker classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTransition>()?;
    m.add_class::<PyBreaker>()?;
    m.add_class::<PyBreakers>()?;
    m.add_function(wrap_pyfunction!(admit, m)?)?;
    Ok(())
}
