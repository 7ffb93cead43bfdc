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
