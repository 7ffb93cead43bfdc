//! Risk metrics over numpy arrays (empyrical's conventions, computed by
//! `elson_core::metrics`).

use elson_core::metrics as core;
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::arrays::{extract_f64, maybe_detach, to_numpy};
use crate::errors::{IntoPyResult, guard};

macro_rules! series_fn {
    ($(#[$meta:meta])* $name:ident($arg:ident $(, $p:ident = $default:expr)*)) => {
        $(#[$meta])*
        #[pyfunction]
        #[pyo3(signature = ($arg $(, $p = $default)*))]
        pub fn $name(py: Python<'_>, $arg: &Bound<'_, PyAny> $(, $p: f64)*) -> PyResult<f64> {
            guard(|| {
                let values = extract_f64(stringify!($arg), $arg)?;
                let slice = values.as_slice();
                maybe_detach(py, slice.len(), || core::$name(slice $(, $p)*)).py()
            })
        }
    };
}

series_fn!(
    /// Annualized Sharpe ratio of periodic returns: mean excess return over
    /// its sample standard deviation (ddof 1) × √periods_per_year. NaN for
    /// fewer than 2 returns. Raises `InvalidInput` for NaN/inf in `returns`.
    sharpe_ratio(returns, risk_free = 0.0, periods_per_year = 252.0)
);
series_fn!(
    /// Annualized Sortino ratio (downside deviation below `required_return`).
    sortino_ratio(returns, required_return = 0.0, periods_per_year = 252.0)
);
series_fn!(
    /// Annualized downside deviation below `required_return`.
    downside_risk(returns, required_return = 0.0, periods_per_year = 252.0)
);
series_fn!(
    /// Annualized volatility: sample standard deviation × √periods_per_year.
    annual_volatility(returns, periods_per_year = 252.0)
);
series_fn!(
    /// Compound annual growth rate of periodic returns.
    annual_return(returns, periods_per_year = 252.0)
);
series_fn!(
    /// Largest peak-to-trough fall of wealth from returns, as a positive fraction.
    max_drawdown(returns)
);
series_fn!(
    /// Largest peak-to-trough fall of an equity curve, as a positive fraction.
    max_drawdown_from_equity(equity)
);
series_fn!(
    /// Percentage (0–100) of P/L values above zero; NaN when empty.
    win_rate(pnls)
);

/// Period returns `e[i] / e[i-1] - 1` of an equity curve, as a numpy array
/// one shorter than the input.
#[pyfunction]
pub fn returns_from_equity<'py>(
    py: Python<'py>,
    equity: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    guard(|| {
        let values = extract_f64("equity", equity)?;
        let slice = values.as_slice();
        let out = maybe_detach(py, slice.len(), || core::returns_from_equity(slice)).py()?;
        Ok(to_numpy(py, out))
    })
}

/// Registers the metric functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sharpe_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(sortino_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(downside_risk, m)?)?;
    m.add_function(wrap_pyfunction!(annual_volatility, m)?)?;
    m.add_function(wrap_pyfunction!(annual_return, m)?)?;
    m.add_function(wrap_pyfunction!(max_drawdown, m)?)?;
    m.add_function(wrap_pyfunction!(max_drawdown_from_equity, m)?)?;
    m.add_function(wrap_pyfunction!(win_rate, m)?)?;
    m.add_function(wrap_pyfunction!(returns_from_equity, m)?)?;
    Ok(())
}
