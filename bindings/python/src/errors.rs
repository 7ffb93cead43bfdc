//! One exception tree under `elson.ElsonError`, and the one conversion from
//! the core's error into it. Every exception carries the core error's fields
//! as attributes plus its stable `code`.

use elson_core::ElsonError as CoreError;
use pyo3::IntoPyObjectExt;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(elson, ElsonError, PyException, "Base class of every Elson SDK error.");
create_exception!(elson, InvalidInput, ElsonError, "A value does not fit its field or rule.");
create_exception!(elson, InsufficientFunds, ElsonError, "A buy needs more cash than available.");
create_exception!(elson, InsufficientQuantity, ElsonError, "A sell asks for more than is held.");
create_exception!(elson, ApprovalRequired, ElsonError, "A minor's trade awaits guardian approval.");
create_exception!(elson, Forbidden, ElsonError, "The actor may not do this.");
create_exception!(elson, InvalidTransition, ElsonError, "A state machine has no such transition.");
create_exception!(elson, NotFound, ElsonError, "The referenced entity does not exist.");
create_exception!(elson, Conflict, ElsonError, "The request conflicts with existing data.");
create_exception!(elson, PositionLimitExceeded, ElsonError, "A buy exceeds the sizing limit.");
create_exception!(elson, ConfidenceTooLow, ElsonError, "Model confidence below the threshold.");
create_exception!(elson, TradingHalted, ElsonError, "The circuit breaker blocks the order.");
create_exception!(elson, StorageError, ElsonError, "The database failed or is unreachable.");
create_exception!(elson, InternalError, ElsonError, "A bug in the SDK (a Rust panic).");
create_exception!(
    elson,
    AuthenticationFailed,
    ElsonError,
    "A login did not prove who the caller is (unknown email or wrong password, told apart by \
     nothing; or a wrong, expired or reused two-factor code)."
);
create_exception!(
    elson,
    CryptoError,
    ElsonError,
    "Encrypted data could not be sealed or opened (unknown or wrong key, tampered or moved value)."
);
create_exception!(
    elson,
    EnvironmentMismatch,
    ElsonError,
    "A database or snapshot belongs to another environment than the store."
);
create_exception!(
    elson,
    IdempotencyConflict,
    ElsonError,
    "A client command id was already used for a different command or payload; nothing was done."
);
create_exception!(elson, Unsupported, ElsonError, "The call does not exist on this backend.");
create_exception!(elson, SnapshotError, ElsonError, "A snapshot file cannot be used.");

/// Registers the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ElsonError", py.get_type::<ElsonError>())?;
    m.add("InvalidInput", py.get_type::<InvalidInput>())?;
    m.add("InsufficientFunds", py.get_type::<InsufficientFunds>())?;
    m.add("InsufficientQuantity", py.get_type::<InsufficientQuantity>())?;
    m.add("ApprovalRequired", py.get_type::<ApprovalRequired>())?;
    m.add("Forbidden", py.get_type::<Forbidden>())?;
    m.add("InvalidTransition", py.get_type::<InvalidTransition>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("Conflict", py.get_type::<Conflict>())?;
    m.add("PositionLimitExceeded", py.get_type::<PositionLimitExceeded>())?;
    m.add("ConfidenceTooLow", py.get_type::<ConfidenceTooLow>())?;
    m.add("TradingHalted", py.get_type::<TradingHalted>())?;
    m.add("StorageError", py.get_type::<StorageError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("AuthenticationFailed", py.get_type::<AuthenticationFailed>())?;
    m.add("CryptoError", py.get_type::<CryptoError>())?;
    m.add("EnvironmentMismatch", py.get_type::<EnvironmentMismatch>())?;
    m.add("Unsupported", py.get_type::<Unsupported>())?;
    m.add("SnapshotError", py.get_type::<SnapshotError>())?;
    m.add("IdempotencyConflict", py.get_type::<IdempotencyConflict>())?;
    Ok(())
}

/// Builds an exception of class `E` with `message`, then sets `code` and the
/// given attributes on it.
pub(crate) fn build<E: pyo3::PyTypeInfo>(
    py: Python<'_>,
    message: String,
    code: &str,
    attrs: &[(&str, Py<PyAny>)],
) -> PyErr {
    let err = PyErr::new::<E, _>(message);
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail short of
    // memory exhaustion; if it does, the exception is still raised without them.
    let _ = value.setattr("code", code);
    for (name, v) in attrs {
        let _ = value.setattr(*name, v.bind(py));
    }
    err
}

pub(crate) fn obj<'py, T: IntoPyObjectExt<'py>>(py: Python<'py>, v: T) -> Py<PyAny> {
    v.into_py_any(py).unwrap_or_else(|_| py.None())
}

/// Converts a core error into its Python exception.
pub fn to_py_err(e: CoreError) -> PyErr {
    Python::attach(|py| {
        let msg = e.to_string();
        let code = e.code();
        match e {
            CoreError::InvalidInput { field, reason } => build::<InvalidInput>(
                py,
                msg,
                code,
                &[("field", obj(py, field)), ("reason", obj(py, reason))],
            ),
            CoreError::InsufficientFunds { needed, available } => build::<InsufficientFunds>(
                py,
                msg,
                code,
                &[("needed", obj(py, needed)), ("available", obj(py, available))],
            ),
            CoreError::InsufficientQuantity { symbol, requested, held } => {
                build::<InsufficientQuantity>(
                    py,
                    msg,
                    code,
                    &[
                        ("symbol", obj(py, symbol)),
                        ("requested", obj(py, requested)),
                        ("held", obj(py, held)),
                    ],
                )
            }
            CoreError::ApprovalRequired { trade_id } => {
                build::<ApprovalRequired>(py, msg, code, &[("trade_id", obj(py, trade_id))])
            }
            CoreError::Forbidden { reason } => {
                build::<Forbidden>(py, msg, code, &[("reason", obj(py, reason))])
            }
            CoreError::InvalidTransition { entity, from, to } => build::<InvalidTransition>(
                py,
                msg,
                code,
                &[
                    ("entity", obj(py, entity)),
                    ("from_state", obj(py, from)),
                    ("to_state", obj(py, to)),
                ],
            ),
            CoreError::NotFound { entity, id } => build::<NotFound>(
                py,
                msg,
                code,
                &[("entity", obj(py, entity)), ("id", obj(py, id))],
            ),
            CoreError::Conflict { reason } => {
                build::<Conflict>(py, msg, code, &[("reason", obj(py, reason))])
            }
            CoreError::PositionLimitExceeded { requested, limit } => {
                build::<PositionLimitExceeded>(
                    py,
                    msg,
                    code,
                    &[("requested", obj(py, requested)), ("limit", obj(py, limit))],
                )
            }
            CoreError::ConfidenceTooLow { score, threshold } => build::<ConfidenceTooLow>(
                py,
                msg,
                code,
                &[("score", obj(py, score)), ("threshold", obj(py, threshold))],
            ),
            CoreError::TradingHalted { state, reason } => build::<TradingHalted>(
                py,
                msg,
                code,
                &[("state", obj(py, state)), ("reason", obj(py, reason))],
            ),
            CoreError::AuthenticationFailed { reason } => {
                build::<AuthenticationFailed>(py, msg, code, &[("reason", obj(py, reason))])
            }
            CoreError::IdempotencyConflict { command_id, operation } => {
                build::<IdempotencyConflict>(
                    py,
                    msg,
                    code,
                    &[("command_id", obj(py, command_id)), ("operation", obj(py, operation))],
                )
            }
            // The core's error is non-exhaustive: a variant added later still
            // reaches Python as an ElsonError with its code.
            _ => build::<ElsonError>(py, msg, code, &[]),
        }
    })
}

/// `InvalidInput` raised from the binding layer itself (wrong Python types).
pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> PyErr {
    to_py_err(CoreError::invalid(field, reason))
}

/// `.py()` on a core result: the one place core errors become exceptions.
pub trait IntoPyResult<T> {
    /// Maps the error with [`to_py_err`].
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, CoreError> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py_err)
    }
}

/// Runs `f`, turning a Rust panic into `elson.InternalError` instead of
/// pyo3's `PanicException` (a `BaseException` that `except Exception` misses).
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(PyErr::new::<InternalError, _>(format!("internal error (please report): {what}")))
        }
    }
}
