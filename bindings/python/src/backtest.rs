//! The backtester on numpy arrays (DESIGN §8): the same streaming detector,
//! breaker, sizing and accounting as live trading, run by
//! `elson_core::backtest`. Strategies: precomputed weights (an array), the
//! two reference strategies, or a Python callable called once per bar.

use std::collections::BTreeMap;

use elson_core::backtest::{
    self as core, BacktestConfig, BacktestResult, BarContext, MovingAverageCrossover,
    RegimeMomentum, Strategy, Target,
};
use elson_core::enums::CircuitBreakerState;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::accounting::PyFeeSchedule;
use crate::analytics::{LEVELS, Prices, categorical, level_code};
use crate::arrays::{extract_f64, extract_times, times_to_numpy, to_numpy};
use crate::breaker::PyTransition;
use crate::config::merged;
use crate::conv::{ToPy, extract_decimal};
use crate::entities::{PyBacktestResultRow, PyTrade};
use crate::errors::{IntoPyResult, guard, invalid};

/// Breaker state names in code order (severity).
pub const BREAKER_STATES: [&str; 4] = ["CLOSED", "CAUTIOUS", "RESTRICTED", "OPEN"];

fn breaker_code(s: CircuitBreakerState) -> i8 {
    match s {
        CircuitBreakerState::Closed => 0,
        CircuitBreakerState::Cautious => 1,
        CircuitBreakerState::Restricted => 2,
        CircuitBreakerState::Open => 3,
    }
}

/// Reference strategy: long while the fast simple moving average of closes
/// is above the slow one, flat otherwise.
#[pyclass(name = "MovingAverageCrossover", module = "elson", frozen)]
pub struct PyMovingAverageCrossover {
    inner: MovingAverageCrossover,
}

#[pymethods]
impl PyMovingAverageCrossover {
    #[new]
    #[pyo3(signature = (fast=20, slow=50))]
    fn new(fast: usize, slow: usize) -> PyResult<Self> {
        Ok(Self { inner: MovingAverageCrossover::new(fast, slow).py()? })
    }
}

/// Reference strategy: long while the close is above the close `lookback`
/// bars ago, with a weight per regime (LOW, NORMAL, HIGH, EXTREME; default
/// 1.0, 0.6, 0.25, 0.0).
#[pyclass(name = "RegimeMomentum", module = "elson", frozen)]
pub struct PyRegimeMomentum {
    inner: RegimeMomentum,
}

#[pymethods]
impl PyRegimeMomentum {
    #[new]
    #[pyo3(signature = (lookback=20, weights=None))]
    fn new(lookback: usize, weights: Option<[f64; 4]>) -> PyResult<Self> {
        let inner = match weights {
            Some(w) => RegimeMomentum::with_weights(lookback, w),
            None => RegimeMomentum::new(lookback),
        };
        Ok(Self { inner: inner.py()? })
    }
}

/// A Python callable as a strategy: called with a dict per bar, it returns
/// None (keep the target), a weight, or `(weight, confidence)`. The first
/// exception it raises stops using it and is re-raised after the run.
struct CallbackStrategy {
    f: Py<PyAny>,
    error: Option<PyErr>,
}

impl CallbackStrategy {
    fn call(&self, py: Python<'_>, ctx: &BarContext<'_>) -> PyResult<Option<Target>> {
        let d = PyDict::new(py);
        d.set_item("index", ctx.index)?;
        d.set_item("time", ctx.time)?;
        d.set_item("open", ctx.bar.open)?;
        d.set_item("high", ctx.bar.high)?;
        d.set_item("low", ctx.bar.low)?;
        d.set_item("close", ctx.bar.close)?;
        d.set_item("regime", ctx.regime.to_py(py)?)?;
        d.set_item("volatility", ctx.volatility)?;
        d.set_item("breaker", ctx.breaker.to_py(py)?)?;
        d.set_item("position_quantity", ctx.position_quantity)?;
        d.set_item("equity", ctx.equity)?;
        let out = self.f.bind(py).call1((d,))?;
        if out.is_none() {
            return Ok(None);
        }
        if let Ok((weight, confidence)) = out.extract::<(f64, Option<f64>)>() {
            return Ok(Some(Target { weight, confidence }));
        }
        let weight: f64 = out.extract().map_err(|_| {
            invalid("strategy", "must return None, a weight, or (weight, confidence)")
        })?;
        Ok(Some(Target::weight(weight)))
    }
}

impl Strategy for CallbackStrategy {
    fn name(&self) -> &str {
        "python"
    }

    fn on_bar(&mut self, ctx: &BarContext<'_>) -> Option<Target> {
        if self.error.is_some() {
            return None;
        }
        match Python::attach(|py| self.call(py, ctx)) {
            Ok(t) => t,
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

/// The outcome of a run: the `backtest_results` row, per-bar numpy series
/// (`times`, `equity`, `volatility`, `regime_code`, `breaker_code`), the
/// trades, breaker transitions, round trips, metrics and per-regime
/// breakdown.
#[pyclass(name = "BacktestResult", module = "elson", frozen)]
pub struct PyBacktestResult {
    row: elson_core::entities::BacktestResultRow,
    #[pyo3(get)]
    times: Py<PyAny>,
    #[pyo3(get)]
    equity: Py<PyArray1<f64>>,
    #[pyo3(get)]
    volatility: Py<PyArray1<f64>>,
    #[pyo3(get)]
    regime_code: Py<PyArray1<i8>>,
    #[pyo3(get)]
    breaker_code: Py<PyArray1<i8>>,
    rest: Rest,
}

/// The parts of the core result that Python reads as objects.
struct Rest {
    trades: Vec<elson_core::entities::Trade>,
    transitions: Vec<elson_core::breaker::Transition>,
    round_trips: Vec<elson_core::backtest::RoundTrip>,
    metrics: elson_core::backtest::Metrics,
    breakdown: BTreeMap<String, elson_core::backtest::RegimeStats>,
    orders_blocked: BTreeMap<String, u64>,
}

fn json_to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    serde_json::to_value(v).map_err(|e| invalid("result", e.to_string()))?.to_py(py)
}

impl PyBacktestResult {
    fn new(
        py: Python<'_>,
        r: BacktestResult,
        times: &[chrono::DateTime<chrono::Utc>],
    ) -> PyResult<Self> {
        let regime: Vec<i8> = r.regime.iter().map(|l| level_code(*l)).collect();
        let breaker: Vec<i8> = r.breaker.iter().map(|s| breaker_code(*s)).collect();
        Ok(Self {
            row: r.row,
            times: times_to_numpy(py, times)?.unbind(),
            equity: to_numpy(py, r.equity).unbind(),
            volatility: to_numpy(py, r.volatility).unbind(),
            regime_code: PyArray1::from_vec(py, regime).unbind(),
            breaker_code: PyArray1::from_vec(py, breaker).unbind(),
            rest: Rest {
                trades: r.trades,
                transitions: r.transitions,
                round_trips: r.round_trips,
                metrics: r.metrics,
                breakdown: r.breakdown,
                orders_blocked: r.orders_blocked,
            },
        })
    }
}

#[pymethods]
impl PyBacktestResult {
    /// The `backtest_results` row (total trades, win rate, P/L, Sharpe,
    /// drawdown, breakdown and parameters as JSON).
    #[getter]
    fn row(&self) -> PyBacktestResultRow {
        PyBacktestResultRow { inner: self.row.clone() }
    }

    /// Every executed trade, in order.
    #[getter]
    fn trades(&self) -> Vec<PyTrade> {
        self.rest.trades.iter().map(|t| PyTrade { inner: t.clone() }).collect()
    }

    /// Every breaker transition (symbol and portfolio scopes).
    #[getter]
    fn transitions(&self) -> Vec<PyTransition> {
        self.rest.transitions.iter().map(|t| PyTransition { inner: t.clone() }).collect()
    }

    /// Closed round trips: dicts `{opened, closed, pnl, regime}`.
    #[getter]
    fn round_trips<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.rest.round_trips)
    }

    /// Risk metrics: sharpe, sortino, annual_return, annual_volatility,
    /// max_drawdown, win_rate, total_return (floats; None for NaN).
    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.rest.metrics)
    }

    /// Per-regime statistics keyed by level name (plus WARMUP).
    #[getter]
    fn breakdown<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.rest.breakdown)
    }

    /// Orders the rules refused, by error code.
    #[getter]
    fn orders_blocked(&self) -> BTreeMap<String, u64> {
        self.rest.orders_blocked.clone()
    }

    /// Level names in `regime_code` order (−1 = none yet).
    #[classattr]
    fn regime_names() -> Vec<&'static str> {
        LEVELS.to_vec()
    }

    /// Breaker state names in `breaker_code` order.
    #[classattr]
    fn breaker_names() -> Vec<&'static str> {
        BREAKER_STATES.to_vec()
    }

    /// A short human-readable summary.
    fn summary(&self) -> String {
        let r = &self.row;
        let m = &self.rest.metrics;
        let mut s = format!(
            "{} {} → {}\n  trades {}  win rate {}%  P/L {}\n  Sharpe {:.3}  Sortino {:.3}  max drawdown {:.2}%  annual return {:.2}%  annual vol {:.2}%",
            r.symbol,
            r.start_date.format("%Y-%m-%d"),
            r.end_date.format("%Y-%m-%d"),
            r.total_trades,
            r.win_rate,
            r.profit_loss,
            m.sharpe,
            m.sortino,
            100.0 * m.max_drawdown,
            100.0 * m.annual_return,
            100.0 * m.annual_volatility,
        );
        for (level, st) in &self.rest.breakdown {
            s.push_str(&format!(
                "\n  {level:<8} bars {:>6}  trades {:>4}  P/L {:>12.2}  Sharpe {:.3}",
                st.bars, st.trades, st.profit_loss, st.sharpe
            ));
        }
        if !self.rest.orders_blocked.is_empty() {
            s.push_str(&format!("\n  blocked {:?}", self.rest.orders_blocked));
        }
        s
    }

    /// The per-bar series as a pandas DataFrame indexed by UTC time:
    /// `equity`, `volatility`, `regime` and `breaker` (Categoricals).
    /// Needs pandas (imported only here).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pd = py.import("pandas")?;
        let d = PyDict::new(py);
        d.set_item("equity", self.equity.bind(py))?;
        d.set_item("volatility", self.volatility.bind(py))?;
        d.set_item("regime", categorical(py, self.regime_code.bind(py).as_any())?)?;
        let breaker = pd
            .getattr("Categorical")?
            .call_method1("from_codes", (self.breaker_code.bind(py), BREAKER_STATES.to_vec()))?;
        d.set_item("breaker", breaker)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("utc", true)?;
        let index = pd.getattr("to_datetime")?.call((self.times.bind(py),), Some(&kwargs))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("index", index)?;
        pd.getattr("DataFrame")?.call((d,), Some(&kwargs))
    }

    fn __repr__(&self) -> String {
        format!(
            "BacktestResult({} {} trades, P/L {}, Sharpe {})",
            self.row.symbol, self.row.total_trades, self.row.profit_loss, self.row.sharpe_ratio
        )
    }
}

/// Runs a backtest over `close` (and optionally `open`, `high`, `low`, for
/// the range estimators) with one driver: `weights` (target weight per bar
/// in [−1, 1], NaN = keep; optional `confidences`), or `strategy` — a
/// `MovingAverageCrossover`, a `RegimeMomentum`, or a callable
/// `f(bar: dict) -> None | weight | (weight, confidence)`.
///
/// `times` as in the docs of `extract_times` (default: daily from
/// 2000-01-03). `config` is a dict merged over the defaults (e.g.
/// `{"volatility": {"method": "EWMA"}, "risk_profile": "MODERATE"}`);
/// `symbol`, `initial_cash`, `fees`, `slippage_bps` are shortcuts. The GIL
/// is released during the run unless the strategy is a Python callable.
/// Raises `InvalidInput` for bad prices (with index), times, weights or
/// settings.
#[pyfunction]
#[pyo3(signature = (close, *, times=None, open=None, high=None, low=None, weights=None,
    confidences=None, strategy=None, symbol="ASSET", initial_cash=None, fees=None,
    slippage_bps=None, config=None))]
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub fn backtest<'py>(
    py: Python<'py>,
    close: &Bound<'py, PyAny>,
    times: Option<&Bound<'py, PyAny>>,
    open: Option<&Bound<'py, PyAny>>,
    high: Option<&Bound<'py, PyAny>>,
    low: Option<&Bound<'py, PyAny>>,
    weights: Option<&Bound<'py, PyAny>>,
    confidences: Option<&Bound<'py, PyAny>>,
    strategy: Option<&Bound<'py, PyAny>>,
    symbol: &str,
    initial_cash: Option<&Bound<'py, PyAny>>,
    fees: Option<PyRef<'py, PyFeeSchedule>>,
    slippage_bps: Option<&Bound<'py, PyAny>>,
    config: Option<&Bound<'py, PyAny>>,
) -> PyResult<PyBacktestResult> {
    guard(|| {
        let mut cfg: BacktestConfig = merged("config", &BacktestConfig::new(symbol), config)?;
        if let Some(cash) = initial_cash {
            cfg.initial_cash = extract_decimal("initial_cash", cash)?;
        }
        if let Some(fees) = fees {
            cfg.fees = fees.inner;
        }
        if let Some(bps) = slippage_bps {
            cfg.slippage_bps = extract_decimal("slippage_bps", bps)?;
        }
        let prices = Prices::extract(close, open, high, low)?;
        let bars = prices.bars();
        let times = extract_times(times, bars.len())?;
        let result = match (weights, strategy) {
            (Some(w), None) => {
                let w = extract_f64("weights", w)?;
                let c = confidences.map(|c| extract_f64("confidences", c)).transpose()?;
                let (w, c) = (w.as_slice(), c.as_ref().map(|c| c.as_slice()));
                py.detach(|| core::run_signals(&times, &bars, w, c, &cfg)).py()?
            }
            (None, Some(s)) => {
                if let Ok(s) = s.cast::<PyMovingAverageCrossover>() {
                    let mut s = s.get().inner.clone();
                    py.detach(|| core::run(&times, &bars, &mut s, &cfg)).py()?
                } else if let Ok(s) = s.cast::<PyRegimeMomentum>() {
                    let mut s = s.get().inner.clone();
                    py.detach(|| core::run(&times, &bars, &mut s, &cfg)).py()?
                } else if s.is_callable() {
                    let mut s = CallbackStrategy { f: s.clone().unbind(), error: None };
                    let r = core::run(&times, &bars, &mut s, &cfg);
                    if let Some(e) = s.error {
                        return Err(e);
                    }
                    r.py()?
                } else {
                    return Err(invalid(
                        "strategy",
                        "expected MovingAverageCrossover, RegimeMomentum or a callable",
                    ));
                }
            }
            (Some(_), Some(_)) => {
                return Err(invalid("strategy", "pass weights or a strategy, not both"));
            }
            (None, None) => return Err(invalid("strategy", "pass weights or a strategy")),
        };
        PyBacktestResult::new(py, result, &times)
    })
}

/// Deterministic synthetic daily bars (a random walk whose volatility
/// cycles through the regimes): a dict of numpy arrays `open`, `high`,
/// `low`, `close`. `InvalidInput` (field `start_price`) unless the start
/// price is finite, above 0 and at most 10¹³.
#[pyfunction]
#[pyo3(signature = (n, seed=7, start_price=100.0))]
pub fn synthetic_bars<'py>(
    py: Python<'py>,
    n: usize,
    seed: u64,
    start_price: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let bars = py.detach(|| core::synthetic_bars(n, seed, start_price)).py()?;
    let d = PyDict::new(py);
    d.set_item("open", to_numpy(py, bars.iter().map(|b| b.open).collect()))?;
    d.set_item("high", to_numpy(py, bars.iter().map(|b| b.high).collect()))?;
    d.set_item("low", to_numpy(py, bars.iter().map(|b| b.low).collect()))?;
    d.set_item("close", to_numpy(py, bars.iter().map(|b| b.close).collect()))?;
    Ok(d)
}

/// Registers the backtest classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMovingAverageCrossover>()?;
    m.add_class::<PyRegimeMomentum>()?;
    m.add_class::<PyBacktestResult>()?;
    m.add_function(wrap_pyfunction!(backtest, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_bars, m)?)?;
    Ok(())
}
