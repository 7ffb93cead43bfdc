//! Feature flags (DESIGN §9), decided by `elson_core::flags`.

use elson_core::flags as core;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::conv::{extract_datetime, extract_enum, extract_uuid};
use crate::entities::PyFeatureFlag;
use crate::errors::invalid;

/// Whether `flag` is on for `user_id` in `environment` at `now`: off when
/// disabled, in another environment or expired; on for a whitelisted user;
/// else on when the user's bucket ≤ `user_percentage` (Unleash-compatible).
#[pyfunction]
pub fn is_enabled(
    flag: &Bound<'_, PyFeatureFlag>,
    user_id: &Bound<'_, PyAny>,
    environment: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    Ok(core::is_enabled(
        &flag.get().inner,
        extract_uuid("user_id", user_id)?,
        extract_enum("environment", environment)?,
        extract_datetime("now", now)?,
    ))
}

/// The user's rollout bucket 1..=100 for a flag:
/// `murmur3_32("{flag_name}:{user_id}", 0) % 100 + 1`.
#[pyfunction]
pub fn bucket(flag_name: &str, user_id: &Bound<'_, PyAny>) -> PyResult<u32> {
    Ok(core::bucket(flag_name, extract_uuid("user_id", user_id)?))
}

/// MurmurHash3 x86 32-bit of `data` (bytes, or str hashed as UTF-8).
#[pyfunction]
#[pyo3(signature = (data, seed=0))]
pub fn murmur3_32(data: &Bound<'_, PyAny>, seed: u32) -> PyResult<u32> {
    if let Ok(s) = data.cast::<PyString>() {
        return Ok(core::murmur3_32(s.extract::<String>()?.as_bytes(), seed));
    }
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(core::murmur3_32(b.as_bytes(), seed));
    }
    Err(invalid("data", "expected str or bytes"))
}

/// Registers the flag functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(is_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(bucket, m)?)?;
    m.add_function(wrap_pyfunction!(murmur3_32, m)?)?;
    Ok(())
}
