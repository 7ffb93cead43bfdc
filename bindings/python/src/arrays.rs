//! numpy in and out, in one place.
//!
//! Input: a contiguous 1-D `float64` numpy array is read in place (no copy);
//! anything else array-like (a pandas Series, a list, an int or float32
//! array, a strided view) is converted once with `numpy.ascontiguousarray`.
//! A value that is not numeric (strings, objects, datetimes, 2-D data) is an
//! `InvalidInput` naming the argument. Output: `Vec<f64>` handed to numpy
//! without a copy.

use numpy::{PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::errors::invalid;

/// A borrowed view of a float64 array, either the caller's own buffer or a
/// converted copy that this value keeps alive.
pub struct F64Array<'py> {
    array: PyReadonlyArray1<'py, f64>,
}

impl F64Array<'_> {
    /// The values. Always contiguous (checked when the view was made).
    pub fn as_slice(&self) -> &[f64] {
        // `extract_f64` only builds views that are C-contiguous.
        self.array.as_slice().unwrap_or(&[])
    }
}

fn numpy_attr<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static NUMPY: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let np = NUMPY.get_or_try_init(py, || Ok::<_, PyErr>(py.import("numpy")?.unbind()))?;
    np.bind(py).getattr(name)
}

/// Reads `obj` as a 1-D float64 array, without copying a contiguous float64
/// numpy array.
///
/// # Errors
/// `InvalidInput` naming `field` when the input is not one-dimensional or not
/// numeric.
pub fn extract_f64<'py>(field: &str, obj: &Bound<'py, PyAny>) -> PyResult<F64Array<'py>> {
    if let Ok(array) = obj.extract::<PyReadonlyArray1<'py, f64>>()
        && array.is_c_contiguous()
    {
        return Ok(F64Array { array });
    }
    let py = obj.py();
    let asarray = numpy_attr(py, "asarray")?;
    let arr = asarray
        .call1((obj,))
        .map_err(|e| invalid(field, format!("not array-like: {}", e.value(py))))?;
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "i" | "u" | "f") {
        let dtype = arr.getattr("dtype")?.str()?.to_string();
        return Err(invalid(field, format!("expected numbers, got an array of dtype {dtype}")));
    }
    let ndim: usize = arr.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(invalid(field, format!("expected a 1-D array, got {ndim} dimensions")));
    }
    let float64 = numpy_attr(py, "float64")?;
    let converted = numpy_attr(py, "ascontiguousarray")?
        .call1((arr, float64))
        .map_err(|e| invalid(field, format!("cannot convert to float64: {}", e.value(py))))?;
    let array = converted
        .extract::<PyReadonlyArray1<'py, f64>>()
        .map_err(|_| invalid(field, "cannot convert to a float64 array"))?;
    Ok(F64Array { array })
}

/// Hands a vector to numpy without copying it.
pub fn to_numpy(py: Python<'_>, values: Vec<f64>) -> Bound<'_, PyArray1<f64>> {
    PyArray1::from_vec(py, values)
}

/// Runs `f` without the GIL when the work is large enough to be worth the
/// hand-off (about 0.1 µs), so other Python threads run meanwhile.
pub fn maybe_detach<T: Send, F: FnOnce() -> T + Send>(py: Python<'_>, len: usize, f: F) -> T {
    if len >= 4096 { py.detach(f) } else { f() }
}

/// `InvalidInput` naming `b` when two parallel arrays differ in length.
pub fn check_len_same(a: &str, a_len: usize, b: &str, b_len: usize) -> PyResult<()> {
    if a_len != b_len {
        return Err(invalid(b, format!("length {b_len} differs from the length {a_len} of {a}")));
    }
    Ok(())
}

/// Reads bar times: numpy `datetime64` (any unit; a zone-less value is
/// taken as UTC, pandas' convention), a pandas `DatetimeIndex`/`Series`
/// (tz-aware ones converted to UTC), or a sequence of timezone-aware
/// `datetime`s. `None` gives daily times from 2000-01-03.
///
/// # Errors
/// `InvalidInput` naming `times` for a wrong length or type.
pub fn extract_times(
    obj: Option<&Bound<'_, PyAny>>,
    n: usize,
) -> PyResult<Vec<chrono::DateTime<chrono::Utc>>> {
    use chrono::{DateTime, TimeDelta, Utc};
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        let start = DateTime::<Utc>::from_timestamp(946_857_600, 0).unwrap_or_default();
        return Ok((0..n)
            .map(|i| start + TimeDelta::days(i64::try_from(i).unwrap_or(0)))
            .collect());
    };
    let py = obj.py();
    // pandas: convert tz-aware values to UTC, then drop the zone.
    let obj = if obj.hasattr("dt")? && obj.getattr("dt")?.getattr("tz")?.is_truthy()? {
        obj.getattr("dt")?
            .call_method1("tz_convert", ("UTC",))?
            .getattr("dt")?
            .call_method1("tz_localize", (py.None(),))?
    } else if obj.hasattr("tz")? && obj.hasattr("tz_convert")? && obj.getattr("tz")?.is_truthy()? {
        obj.call_method1("tz_convert", ("UTC",))?.call_method1("tz_localize", (py.None(),))?
    } else {
        obj.clone()
    };
    let arr = numpy_attr(py, "asarray")?
        .call1((&obj,))
        .map_err(|e| invalid("times", format!("not array-like: {}", e.value(py))))?;
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    let times =
        match kind.as_str() {
            "M" => {
                // Microseconds: nanoseconds would overflow past the year 2262.
                let us = arr
                    .call_method1("astype", ("datetime64[us]",))?
                    .call_method1("view", ("int64",))?;
                let us = us
                    .extract::<PyReadonlyArray1<'_, i64>>()
                    .map_err(|_| invalid("times", "expected a 1-D array of times"))?;
                let mut out = Vec::with_capacity(n);
                for (i, &t) in us.as_array().iter().enumerate() {
                    out.push(DateTime::<Utc>::from_timestamp_micros(t).ok_or_else(|| {
                        invalid(format!("times[{i}]"), "out of the supported range")
                    })?);
                }
                out
            }
            "O" => {
                let mut out = Vec::with_capacity(n);
                for (i, item) in obj.try_iter()?.enumerate() {
                    out.push(crate::conv::extract_datetime(&format!("times[{i}]"), &item?)?);
                }
                out
            }
            _ => return Err(invalid("times", "expected datetime64 values or aware datetimes")),
        };
    check_len_same("close", n, "times", times.len())?;
    Ok(times)
}

/// Times as a numpy `datetime64[us]` array (UTC, zone-less as numpy is).
pub fn times_to_numpy<'py>(
    py: Python<'py>,
    times: &[chrono::DateTime<chrono::Utc>],
) -> PyResult<Bound<'py, PyAny>> {
    let us: Vec<i64> = times.iter().map(chrono::DateTime::timestamp_micros).collect();
    PyArray1::from_vec(py, us).call_method1("view", ("datetime64[us]",))
}
