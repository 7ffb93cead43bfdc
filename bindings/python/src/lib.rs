//! Python bindings of the Elson SDK, built by maturin into the `elson`
//! package (`elson._elson` is this native module; `elson/__init__.py`
//! re-exports it with the Python enums).
//!
//! Thin by design: this crate converts types, maps errors and releases the
//! GIL. Every rule is decided by `elson-core`.
#![deny(unsafe_code)]

pub mod accounting;
pub mod analytics;
pub mod arrays;
pub mod backtest;
pub mod breaker;
pub mod commands;
pub mod config;
pub mod conv;
pub mod entities;
pub mod errors;
pub mod families;
pub mod flags;
pub mod metrics;
pub mod security;
/// Run-time instruction-set dispatch, shared with Rust callers (`elson_sdk::simd`).
pub use elson_sdk::simd;
pub mod sizing;
pub mod store;

use pyo3::prelude::*;

/// The seed enums and their values as the core defines them.
#[pyfunction]
fn _enum_values() -> Vec<(&'static str, Vec<&'static str>)> {
    conv::enum_values()
}

/// Raises `InternalError` from a Rust panic; used by the test suite to prove
/// that a panic never escapes as anything but an `elson.ElsonError`.
#[pyfunction]
#[allow(clippy::panic)] // the panic is the point: it proves the guard converts it
fn _panic_for_test() -> PyResult<()> {
    errors::guard(|| -> PyResult<()> { panic!("deliberate panic for the test suite") })
}

/// The native module.
#[pymodule]
fn _elson(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    entities::register(m)?;
    accounting::register(m)?;
    families::register(m)?;
    flags::register(m)?;
    sizing::register(m)?;
    breaker::register(m)?;
    metrics::register(m)?;
    analytics::register(m)?;
    backtest::register(m)?;
    security::register(m)?;
    store::register(m)?;
    m.add_function(wrap_pyfunction!(_enum_values, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    Ok(())
}
