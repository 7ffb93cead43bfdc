//! Volatility and regimes on numpy arrays (DESIGN §5): batch estimators,
//! rolling regime detection, and the streaming estimator/detector for live
//! use. Inputs are read in place when they are contiguous float64; outputs
//! are numpy arrays handed over without a copy; the GIL is released while
//! the core computes.

use chrono::{DateTime, Utc};
use elson_core::enums::{VolatilityLevel, VolatilityMethod};
use elson_core::regime::{
    self, RegimeBuffers, RegimeConfig, RegimeDetector, RegimeReading, RegimeSeries, Stabilizer,
};
use elson_core::volatility::{self, Bar, VolatilityConfig, VolatilityEstimator};
use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use uuid::Uuid;

use crate::arrays::{F64Array, check_len_same, extract_f64, maybe_detach, to_numpy};
use crate::config::merged;
use crate::conv::{ToPy, extract_datetime, extract_enum, extract_uuid};
use crate::entities::PyVolatilityRegime;
use crate::errors::{IntoPyResult, guard, invalid};
use crate::simd::Dispatch;

/// The level names in code order: code i is `LEVELS[i]`, −1 is "no value".
pub const LEVELS: [&str; 4] = ["LOW", "NORMAL", "HIGH", "EXTREME"];

/// Level → its code 0..=3, `None` → −1 (the core's [`regime::level_code`]).
pub fn level_code(level: Option<VolatilityLevel>) -> i8 {
    regime::level_code(level)
}

/// An error borrowing a freshly allocated output array (cannot happen: it
/// is contiguous and nothing else holds it).
fn fresh(e: impl std::fmt::Display) -> PyErr {
    invalid("out", e.to_string())
}

/// The volatility settings from keyword arguments.
pub fn vol_config(
    method: Option<&Bound<'_, PyAny>>,
    lookback: usize,
    periods_per_year: u32,
    ewma_lambda: f64,
) -> PyResult<VolatilityConfig> {
    let cfg = VolatilityConfig {
        method: match method {
            Some(m) if !m.is_none() => extract_enum::<VolatilityMethod>("method", m)?,
            _ => VolatilityMethod::CloseToClose,
        },
        lookback,
        periods_per_year,
        ewma_lambda,
    };
    cfg.validate().py()?;
    Ok(cfg)
}

/// OHLC inputs, read in place.
pub struct Prices<'py> {
    close: F64Array<'py>,
    range: Option<(F64Array<'py>, F64Array<'py>, F64Array<'py>)>,
}

impl<'py> Prices<'py> {
    /// `close` alone, or with `open`, `high` and `low` (all three or none).
    pub fn extract(
        close: &Bound<'py, PyAny>,
        open: Option<&Bound<'py, PyAny>>,
        high: Option<&Bound<'py, PyAny>>,
        low: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        let close = extract_f64("close", close)?;
        let n = close.as_slice().len();
        let range = match (open, high, low) {
            (None, None, None) => None,
            (Some(o), Some(h), Some(l)) => {
                let (o, h, l) =
                    (extract_f64("open", o)?, extract_f64("high", h)?, extract_f64("low", l)?);
                check_len_same("close", n, "open", o.as_slice().len())?;
                check_len_same("close", n, "high", h.as_slice().len())?;
                check_len_same("close", n, "low", l.as_slice().len())?;
                Some((o, h, l))
            }
            _ => return Err(invalid("open", "pass open, high and low together, or none of them")),
        };
        Ok(Self { close, range })
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.close.as_slice().len()
    }

    /// Whether there are no bars.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The closes.
    pub fn close(&self) -> &[f64] {
        self.close.as_slice()
    }

    /// Bars (a copy: the core's bar is a struct of four prices); close-only
    /// input gives flat bars.
    pub fn bars(&self) -> Vec<Bar> {
        match &self.range {
            None => self.close().iter().map(|&c| Bar::from_close(c)).collect(),
            Some((o, h, l)) => o
                .as_slice()
                .iter()
                .zip(h.as_slice())
                .zip(l.as_slice())
                .zip(self.close())
                .map(|(((&o, &h), &l), &c)| Bar::new(o, h, l, c))
                .collect(),
        }
    }

    /// Whether open/high/low were given.
    pub fn has_range(&self) -> bool {
        self.range.is_some()
    }
}

/// Annualized rolling volatility, one value per bar (NaN before the first
/// full window), as a float64 numpy array. `CLOSE_TO_CLOSE` and `EWMA` need
/// only `close`; `PARKINSON` and `GARMAN_KLASS` need `open`, `high`, `low`.
/// Raises `InvalidInput` naming the bad price and its index (NaN, inf, ≤ 0,
/// high < low …) or the bad setting.
///
/// `out`, a writable contiguous float64 array of the same length, receives
/// the values instead of a new array (numpy's convention; it saves the
/// allocation on repeated calls) and is returned.
#[pyfunction]
#[pyo3(signature = (close, *, open=None, high=None, low=None, method=None,
    lookback=20, periods_per_year=252, ewma_lambda=0.94, out=None))]
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub fn rolling_volatility<'py>(
    py: Python<'py>,
    close: &Bound<'py, PyAny>,
    open: Option<&Bound<'py, PyAny>>,
    high: Option<&Bound<'py, PyAny>>,
    low: Option<&Bound<'py, PyAny>>,
    method: Option<&Bound<'_, PyAny>>,
    lookback: usize,
    periods_per_year: u32,
    ewma_lambda: f64,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    guard(|| {
        let cfg = vol_config(method, lookback, periods_per_year, ewma_lambda)?;
        let prices = Prices::extract(close, open, high, low)?;
        let n = prices.len();
        let isa = Dispatch::chosen();
        if let Some(out) = out {
            let array = out
                .cast::<PyArray1<f64>>()
                .map_err(|_| invalid("out", "expected a 1-D float64 numpy array"))?;
            {
                let mut view = array
                    .try_readwrite()
                    .map_err(|_| invalid("out", "not writable, or shared with an input"))?;
                let slice =
                    view.as_slice_mut().map_err(|_| invalid("out", "must be C-contiguous"))?;
                check_len_same("close", n, "out", slice.len())?;
                if prices.has_range() {
                    let bars = prices.bars();
                    maybe_detach(py, n, || volatility::estimate_into(&bars, &cfg, slice)).py()?;
                } else {
                    let closes = prices.close();
                    maybe_detach(py, n, || {
                        volatility::estimate_closes_into_on(closes, &cfg, slice, isa)
                    })
                    .py()?;
                }
            }
            return Ok(array.clone());
        }
        let out = if prices.has_range() {
            let bars = prices.bars();
            maybe_detach(py, n, || volatility::estimate(&bars, &cfg)).py()?
        } else {
            // numpy allocates (lazily zeroed, huge pages); the core writes
            // every slot.
            let closes = prices.close();
            let array = PyArray1::<f64>::zeros(py, n, false);
            {
                let mut view = array.try_readwrite().map_err(fresh)?;
                let slice = view.as_slice_mut().map_err(fresh)?;
                maybe_detach(py, n, || {
                    volatility::estimate_closes_into_on(closes, &cfg, slice, isa)
                })
                .py()?;
            }
            return Ok(array);
        };
        Ok(to_numpy(py, out))
    })
}

/// Per-bar regime arrays aligned with the input: `volatility` and
/// `confidence` (float64, NaN while the window fills), `level_code` (int8:
/// 0 LOW, 1 NORMAL, 2 HIGH, 3 EXTREME, −1 none yet) and
/// `stabilization_count` (uint32).
#[pyclass(name = "RegimeSeries", module = "elson", frozen)]
pub struct PyRegimeSeries {
    #[pyo3(get)]
    volatility: Py<PyArray1<f64>>,
    #[pyo3(get)]
    level_code: Py<PyArray1<i8>>,
    #[pyo3(get)]
    confidence: Option<Py<PyArray1<f64>>>,
    #[pyo3(get)]
    stabilization_count: Option<Py<PyArray1<u32>>>,
}

impl PyRegimeSeries {
    fn from_core(py: Python<'_>, s: RegimeSeries, codes: Vec<i8>) -> Self {
        Self {
            volatility: to_numpy(py, s.volatility).unbind(),
            level_code: PyArray1::from_vec(py, codes).unbind(),
            confidence: Some(to_numpy(py, s.confidence).unbind()),
            stabilization_count: Some(PyArray1::from_vec(py, s.stabilization_count).unbind()),
        }
    }
}

/// A level-code array as a pandas Categorical of the level names.
pub fn categorical<'py>(py: Python<'py>, codes: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let pd = py.import("pandas")?;
    pd.getattr("Categorical")?.call_method1("from_codes", (codes, LEVELS.to_vec()))
}

#[pymethods]
impl PyRegimeSeries {
    /// Number of bars.
    fn __len__(&self, py: Python<'_>) -> usize {
        self.volatility.bind(py).len()
    }

    /// The level names in code order.
    #[classattr]
    fn level_names() -> Vec<&'static str> {
        LEVELS.to_vec()
    }

    /// The stabilized level per bar as `VolatilityLevel` members (None while
    /// the window fills). Builds a Python list: prefer `level_code` on large
    /// series.
    fn levels<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let codes = self.level_code.bind(py).readonly();
        let class = crate::conv::enum_class(py, "VolatilityLevel")?;
        let members: Vec<Bound<'py, PyAny>> =
            LEVELS.iter().map(|n| class.call1((*n,))).collect::<PyResult<_>>()?;
        Ok(codes
            .as_slice()
            .map_err(|e| invalid("level_code", e.to_string()))?
            .iter()
            .map(|&c| usize::try_from(c).ok().and_then(|i| members.get(i).cloned()))
            .map(|m| m.unwrap_or_else(|| py.None().into_bound(py)))
            .collect())
    }

    /// A pandas DataFrame with columns `volatility`, `level` (Categorical),
    /// `confidence`, `stabilization_count`; `index` (e.g. the price
    /// series' index) is used when given. Needs pandas.
    #[pyo3(signature = (index=None))]
    fn to_pandas<'py>(
        &self,
        py: Python<'py>,
        index: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pd = py.import("pandas")?;
        let d = PyDict::new(py);
        d.set_item("volatility", self.volatility.bind(py))?;
        d.set_item("level", categorical(py, self.level_code.bind(py).as_any())?)?;
        if let Some(c) = &self.confidence {
            d.set_item("confidence", c.bind(py))?;
        }
        if let Some(c) = &self.stabilization_count {
            d.set_item("stabilization_count", c.bind(py))?;
        }
        let kwargs = PyDict::new(py);
        if let Some(index) = index {
            kwargs.set_item("index", index)?;
        }
        pd.getattr("DataFrame")?.call((d,), Some(&kwargs))
    }
}

/// Rolling volatility and the stabilized regime per bar (DESIGN §5: levels
/// LOW < 0.15 ≤ NORMAL < 0.25 ≤ HIGH < 0.40 ≤ EXTREME, a switch after 3
/// identical readings). `regime` overrides the thresholds (`normal_min`,
/// `high_min`, `extreme_min`, `confidence_distance`, `switch_readings`).
/// `levels_only=True` skips the confidence and stabilization count (None
/// then), for speed on very long close series. Raises `InvalidInput` as
/// `rolling_volatility`.
#[pyfunction]
#[pyo3(signature = (close, *, open=None, high=None, low=None, method=None,
    lookback=20, periods_per_year=252, ewma_lambda=0.94, regime=None, levels_only=false))]
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub fn detect_regimes<'py>(
    py: Python<'py>,
    close: &Bound<'py, PyAny>,
    open: Option<&Bound<'py, PyAny>>,
    high: Option<&Bound<'py, PyAny>>,
    low: Option<&Bound<'py, PyAny>>,
    method: Option<&Bound<'_, PyAny>>,
    lookback: usize,
    periods_per_year: u32,
    ewma_lambda: f64,
    regime: Option<&Bound<'py, PyAny>>,
    levels_only: bool,
) -> PyResult<PyRegimeSeries> {
    guard(|| {
        let cfg = vol_config(method, lookback, periods_per_year, ewma_lambda)?;
        let rcfg: RegimeConfig = merged("regime", &RegimeConfig::default(), regime)?;
        let prices = Prices::extract(close, open, high, low)?;
        let n = prices.len();
        if !prices.has_range() {
            // numpy allocates the outputs (lazily zeroed, huge pages) and
            // the core writes every slot in its one pass.
            let closes = prices.close();
            let isa = Dispatch::chosen();
            let volatility = PyArray1::<f64>::zeros(py, n, false);
            let level_code = PyArray1::<i8>::zeros(py, n, false);
            let confidence = (!levels_only).then(|| PyArray1::<f64>::zeros(py, n, false));
            let count = (!levels_only).then(|| PyArray1::<u32>::zeros(py, n, false));
            {
                let mut vol_rw = volatility.try_readwrite().map_err(fresh)?;
                let mut code_rw = level_code.try_readwrite().map_err(fresh)?;
                let mut conf_rw =
                    confidence.as_ref().map(|a| a.try_readwrite()).transpose().map_err(fresh)?;
                let mut count_rw =
                    count.as_ref().map(|a| a.try_readwrite()).transpose().map_err(fresh)?;
                let out = RegimeBuffers {
                    volatility: vol_rw.as_slice_mut().map_err(fresh)?,
                    level_code: code_rw.as_slice_mut().map_err(fresh)?,
                    confidence: conf_rw
                        .as_mut()
                        .map(|a| a.as_slice_mut())
                        .transpose()
                        .map_err(fresh)?,
                    stabilization_count: count_rw
                        .as_mut()
                        .map(|a| a.as_slice_mut())
                        .transpose()
                        .map_err(fresh)?,
                };
                maybe_detach(py, n, || regime::detect_closes_to_on(closes, &cfg, &rcfg, out, isa))
                    .py()?;
            }
            return Ok(PyRegimeSeries {
                volatility: volatility.unbind(),
                level_code: level_code.unbind(),
                confidence: confidence.map(Bound::unbind),
                stabilization_count: count.map(Bound::unbind),
            });
        }
        let bars = prices.bars();
        let (series, codes) = maybe_detach(py, n, || {
            regime::detect(&bars, &cfg, &rcfg).map(|s| {
                let codes = s.level.iter().map(|l| level_code(*l)).collect();
                (s, codes)
            })
        })
        .py()?;
        Ok(PyRegimeSeries::from_core(py, series, codes))
    })
}

/// The instruction-set level the batch kernels (`rolling_volatility`,
/// `detect_regimes` on closes) run at: `"x86-64-v4"` (AVX-512),
/// `"x86-64-v3"` (AVX2 + FMA) or `"portable"` (the build's baseline) —
/// the best the CPU supports, chosen at the first call. The environment
/// variable `ELSON_SIMD=portable|v3|v4`, read then, lowers it (never above
/// what the CPU has). Every level gives the same bits; only the speed
/// differs.
#[pyfunction]
pub fn simd_level() -> &'static str {
    Dispatch::chosen().level().name()
}

/// The level of one volatility value with the default thresholds.
/// `InvalidInput` (field `volatility`) for NaN, an infinity or a negative
/// value: none of them is a volatility, and each used to read as LOW.
#[pyfunction]
pub fn classify<'py>(py: Python<'py>, value: f64) -> PyResult<Bound<'py, PyAny>> {
    regime::classify(value).py()?.to_py(py)
}

/// DESIGN §5's confidence score of a reading: 0.5 + 0.5 · min(1, d/0.05) ·
/// min(1, observations/lookback).
#[pyfunction]
pub fn confidence_score(value: f64, observations: usize, lookback: usize) -> f64 {
    regime::confidence_score(value, observations, lookback)
}

/// A streaming volatility estimator: O(1) per update, the same values as
/// `rolling_volatility` to 1e-9 relative.
#[pyclass(name = "VolatilityEstimator", module = "elson")]
pub struct PyVolatilityEstimator {
    inner: VolatilityEstimator,
}

#[pymethods]
impl PyVolatilityEstimator {
    #[new]
    #[pyo3(signature = (*, method=None, lookback=20, periods_per_year=252,
        ewma_lambda=0.94))]
    fn new(
        method: Option<&Bound<'_, PyAny>>,
        lookback: usize,
        periods_per_year: u32,
        ewma_lambda: f64,
    ) -> PyResult<Self> {
        let cfg = vol_config(method, lookback, periods_per_year, ewma_lambda)?;
        Ok(Self { inner: VolatilityEstimator::new(&cfg).py()? })
    }

    /// Feeds one close; the volatility once the window is full, else None.
    /// Raises `InvalidInput` for a bad price (and for a range estimator).
    fn update(&mut self, close: f64) -> PyResult<Option<f64>> {
        self.inner.update_close(close).py()
    }

    /// Feeds one bar (any estimator).
    fn update_bar(&mut self, open: f64, high: f64, low: f64, close: f64) -> PyResult<Option<f64>> {
        self.inner.update(&Bar::new(open, high, low, close)).py()
    }

    /// Bars fed so far.
    #[getter]
    fn bars_seen(&self) -> usize {
        self.inner.bars_seen()
    }
}

/// One reading of a `RegimeDetector`.
#[pyclass(name = "RegimeReading", module = "elson", frozen)]
pub struct PyRegimeReading {
    inner: RegimeReading,
}

#[pymethods]
impl PyRegimeReading {
    /// A reading from its fields (e.g. to store one computed elsewhere with
    /// `to_row`).
    #[new]
    #[pyo3(signature = (*, time, volatility, reading, level, confidence, stabilization_count,
        lookback, method))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn new(
        time: &Bound<'_, PyAny>,
        volatility: f64,
        reading: &Bound<'_, PyAny>,
        level: &Bound<'_, PyAny>,
        confidence: f64,
        stabilization_count: u32,
        lookback: usize,
        method: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(Self {
            inner: RegimeReading {
                time: extract_datetime("time", time)?,
                volatility,
                reading: extract_enum("reading", reading)?,
                level: extract_enum("level", level)?,
                confidence,
                stabilization_count,
                lookback,
                method: extract_enum("method", method)?,
            },
        })
    }
    /// Window length n.
    #[getter]
    fn lookback(&self) -> usize {
        self.inner.lookback
    }
    /// The estimator.
    #[getter]
    fn method<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.method.to_py(py)
    }
    /// Time of the bar.
    #[getter]
    fn time(&self) -> DateTime<Utc> {
        self.inner.time
    }
    /// Annualized volatility of the window ending at the bar.
    #[getter]
    fn volatility(&self) -> f64 {
        self.inner.volatility
    }
    /// The level of this value alone (before stabilization).
    #[getter]
    fn reading<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.reading.to_py(py)
    }
    /// The stabilized level (the regime).
    #[getter]
    fn level<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.level.to_py(py)
    }
    /// Confidence score in [0.5, 1].
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.confidence
    }
    /// Consecutive readings of the current regime.
    #[getter]
    fn stabilization_count(&self) -> u32 {
        self.inner.stabilization_count
    }
    /// The `volatility_regimes` row of this reading (value to 4 decimals,
    /// confidence to 2). `id` defaults to a random UUID v4.
    #[pyo3(signature = (symbol, id=None))]
    fn to_row(&self, symbol: &str, id: Option<&Bound<'_, PyAny>>) -> PyResult<PyVolatilityRegime> {
        let id = match id {
            Some(o) if !o.is_none() => extract_uuid("id", o)?,
            _ => Uuid::new_v4(),
        };
        Ok(PyVolatilityRegime { inner: self.inner.to_row(symbol, id).py()? })
    }
    fn __repr__(&self) -> String {
        format!(
            "RegimeReading({} vol={:.4} level={} confidence={:.2} count={})",
            self.inner.time.to_rfc3339(),
            self.inner.volatility,
            self.inner.level,
            self.inner.confidence,
            self.inner.stabilization_count
        )
    }
}

/// A streaming regime detector for live use: feed each bar's close (or
/// bar) with its time; readings match `detect_regimes` bar for bar.
#[pyclass(name = "RegimeDetector", module = "elson")]
pub struct PyRegimeDetector {
    inner: RegimeDetector,
}

#[pymethods]
impl PyRegimeDetector {
    #[new]
    #[pyo3(signature = (*, method=None, lookback=20, periods_per_year=252,
        ewma_lambda=0.94, regime=None))]
    fn new(
        method: Option<&Bound<'_, PyAny>>,
        lookback: usize,
        periods_per_year: u32,
        ewma_lambda: f64,
        regime: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let cfg = vol_config(method, lookback, periods_per_year, ewma_lambda)?;
        let rcfg: RegimeConfig = merged("regime", &RegimeConfig::default(), regime)?;
        Ok(Self { inner: RegimeDetector::new(&cfg, &rcfg).py()? })
    }

    /// Feeds one close at `time` (strictly after the previous one); a
    /// reading once the window is full, else None.
    fn update(&mut self, close: f64, time: &Bound<'_, PyAny>) -> PyResult<Option<PyRegimeReading>> {
        let time = extract_datetime("time", time)?;
        Ok(self.inner.update_close(close, time).py()?.map(|inner| PyRegimeReading { inner }))
    }

    /// Feeds one bar at `time`.
    fn update_bar(
        &mut self,
        open: f64,
        high: f64,
        low: f64,
        close: f64,
        time: &Bound<'_, PyAny>,
    ) -> PyResult<Option<PyRegimeReading>> {
        let time = extract_datetime("time", time)?;
        let bar = Bar::new(open, high, low, close);
        Ok(self.inner.update(&bar, time).py()?.map(|inner| PyRegimeReading { inner }))
    }

    /// `(level, stabilization_count)` of the current regime, or None.
    #[getter]
    fn current<'py>(&self, py: Python<'py>) -> PyResult<Option<(Bound<'py, PyAny>, u32)>> {
        self.inner.current().map(|(l, c)| Ok((l.to_py(py)?, c))).transpose()
    }
}

/// The hysteresis of DESIGN §5 over raw level readings: the regime
/// switches only after `switch_readings` identical readings in a row.
#[pyclass(name = "Stabilizer", module = "elson")]
pub struct PyStabilizer {
    inner: Stabilizer,
}

#[pymethods]
impl PyStabilizer {
    #[new]
    #[pyo3(signature = (switch_readings=3))]
    fn new(switch_readings: u32) -> Self {
        Self { inner: Stabilizer::new(switch_readings) }
    }

    /// Feeds one raw reading; returns `(regime, stabilization_count)`.
    fn push<'py>(
        &mut self,
        py: Python<'py>,
        reading: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, u32)> {
        let (level, count) = self.inner.push(extract_enum("reading", reading)?);
        Ok((level.to_py(py)?, count))
    }

    /// `(regime, stabilization_count)`, or None before the first reading.
    #[getter]
    fn current<'py>(&self, py: Python<'py>) -> PyResult<Option<(Bound<'py, PyAny>, u32)>> {
        self.inner.current().map(|(l, c)| Ok((l.to_py(py)?, c))).transpose()
    }
}

/// The storage rule of regime rows: per symbol in time order, a row whose
/// level differs from the previous one needs `stabilization_count` ≥ 3.
/// Raises `InvalidInput` (field `stabilization_count`) otherwise.
#[pyfunction]
pub fn check_regime_rows(rows: Vec<PyRef<'_, PyVolatilityRegime>>) -> PyResult<()> {
    let rows: Vec<_> = rows.iter().map(|r| r.inner.clone()).collect();
    regime::check_regime_rows(&rows).py()
}

/// Registers the analytics classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRegimeSeries>()?;
    m.add_class::<PyVolatilityEstimator>()?;
    m.add_class::<PyRegimeReading>()?;
    m.add_class::<PyRegimeDetector>()?;
    m.add_class::<PyStabilizer>()?;
    m.add_function(wrap_pyfunction!(check_regime_rows, m)?)?;
    m.add_function(wrap_pyfunction!(rolling_volatility, m)?)?;
    m.add_function(wrap_pyfunction!(detect_regimes, m)?)?;
    m.add_function(wrap_pyfunction!(simd_level, m)?)?;
    m.add_function(wrap_pyfunction!(classify, m)?)?;
    m.add_function(wrap_pyfunction!(confidence_score, m)?)?;
    Ok(())
}
