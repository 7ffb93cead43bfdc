//! Passwords, two-factor codes and keys for Python: thin wrappers over
//! `elson_store::security` (bcrypt, RFC 6238 TOTP, envelope encryption).

use elson_store::security::{self as sec, KeyRotationReport, LocalKeyProvider, TwoFactorChallenge};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::conv::extract_datetime;
use crate::errors::{CryptoError, IntoPyResult, build, guard, invalid, obj};

/// A crypto failure as `elson.CryptoError`, with `code` and `reason`.
pub(crate) fn crypto_err(e: sec::CryptoError) -> PyErr {
    Python::attach(|py| {
        build::<CryptoError>(py, e.to_string(), e.code(), &[("reason", obj(py, e.to_string()))])
    })
}

fn key32(key: &[u8]) -> PyResult<[u8; 32]> {
    key.try_into().map_err(|_| invalid("key", format!("must be 32 bytes, got {}", key.len())))
}

/// Key-encryption keys held in this process, by id, one of them current:
/// for development and tests. Production supplies its own provider (a KMS)
/// through the Rust API. Immutable: every change returns a new provider.
#[pyclass(name = "LocalKeyProvider", module = "elson", frozen)]
#[derive(Clone)]
pub struct PyLocalKeyProvider {
    pub(crate) inner: LocalKeyProvider,
}

#[pymethods]
impl PyLocalKeyProvider {
    /// A provider with one 32-byte key, current. Raises `CryptoError` for a
    /// bad key id, `InvalidInput` for a key that is not 32 bytes.
    #[new]
    fn new(key_id: &str, key: &[u8]) -> PyResult<Self> {
        let inner = LocalKeyProvider::new(key_id, key32(key)?).map_err(crypto_err)?;
        Ok(Self { inner })
    }

    /// The same keys plus `key_id` (not current: see `with_current`).
    fn with_key(&self, key_id: &str, key: &[u8]) -> PyResult<Self> {
        let inner = self.inner.clone().with_key(key_id, key32(key)?).map_err(crypto_err)?;
        Ok(Self { inner })
    }

    /// The same keys with `key_id` current: new data keys are wrapped by it.
    fn with_current(&self, key_id: &str) -> PyResult<Self> {
        let inner = self.inner.clone().with_current(key_id).map_err(crypto_err)?;
        Ok(Self { inner })
    }

    /// The same keys without `key_id` (after a rotation moved every row off it).
    fn without_key(&self, key_id: &str) -> PyResult<Self> {
        let inner = self.inner.clone().without_key(key_id).map_err(crypto_err)?;
        Ok(Self { inner })
    }

    /// The ids of the keys held, sorted.
    #[getter]
    fn key_ids(&self) -> Vec<String> {
        self.inner.key_ids()
    }

    /// 32 random bytes from the operating system, for a new key.
    #[staticmethod]
    fn generate_key(py: Python<'_>) -> PyResult<Bound<'_, PyBytes>> {
        let key = LocalKeyProvider::generate_key().map_err(crypto_err)?;
        Ok(PyBytes::new(py, &key))
    }

    fn __repr__(&self) -> String {
        format!("LocalKeyProvider(key_ids={:?})", self.inner.key_ids())
    }
}

/// Proof that the password step of a login passed; give it with a code
/// from the authenticator to `Store.complete_login`. Expires five minutes
/// after it was issued.
#[pyclass(name = "TwoFactorChallenge", module = "elson", frozen)]
pub struct PyTwoFactorChallenge {
    pub(crate) inner: TwoFactorChallenge,
}

#[pymethods]
impl PyTwoFactorChallenge {
    /// The user who passed the password step.
    #[getter]
    fn user_id(&self) -> uuid::Uuid {
        self.inner.user_id()
    }
    /// When the password step passed.
    #[getter]
    fn issued_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.issued_at()
    }
    /// After this instant the challenge is refused.
    #[getter]
    fn expires_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.expires_at()
    }
    fn __repr__(&self) -> String {
        format!(
            "TwoFactorChallenge(user_id={}, expires_at={})",
            self.inner.user_id(),
            self.inner.expires_at()
        )
    }
}

/// What two-factor enrollment hands the user: the base32 secret and the
/// `otpauth://` URI (show it as a QR code). `repr` prints neither.
#[pyclass(name = "TwoFactorEnrollment", module = "elson", frozen)]
pub struct PyTwoFactorEnrollment {
    /// The TOTP secret, base32 without padding.
    #[pyo3(get)]
    pub secret_base32: String,
    /// `otpauth://totp/Issuer:email?secret=…&issuer=Issuer`.
    #[pyo3(get)]
    pub otpauth_uri: String,
}

#[pymethods]
impl PyTwoFactorEnrollment {
    fn __repr__(&self) -> &'static str {
        "TwoFactorEnrollment(<redacted>)"
    }
}

/// A key rotation or re-seal as a dict: `current_key_id`, `rewrapped`,
/// `changed_concurrently`, `failed` (list of (user id, reason)), `batches`.
pub(crate) fn rotation_report<'py>(
    py: Python<'py>,
    r: KeyRotationReport,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("current_key_id", r.current_key_id)?;
    d.set_item("rewrapped", r.rewrapped)?;
    d.set_item("changed_concurrently", r.changed_concurrently)?;
    let failed: Vec<(uuid::Uuid, String)> =
        r.failed.into_iter().map(|(id, e)| (id, e.to_string())).collect();
    d.set_item("failed", failed)?;
    d.set_item("batches", r.batches)?;
    Ok(d)
}

/// A bcrypt hash (`$2b$`) of `password` at `cost` (default 12; 4–31).
/// Other bcrypt libraries verify it. Raises `InvalidInput` for a cost out of
/// range or a password over 72 bytes. The GIL is released while hashing.
#[pyfunction]
#[pyo3(signature = (password, cost=sec::DEFAULT_BCRYPT_COST))]
pub fn hash_password(py: Python<'_>, password: &str, cost: u32) -> PyResult<String> {
    py.detach(|| guard(|| sec::hash_password(password, cost).py()))
}

/// True when `password` matches the bcrypt `hash` (`$2a$`, `$2b$`, `$2y$`
/// from any implementation). Raises `InvalidInput` for a malformed hash.
#[pyfunction]
pub fn verify_password(py: Python<'_>, password: &str, hash: &str) -> PyResult<bool> {
    py.detach(|| guard(|| sec::verify_password(password, hash).py()))
}

/// The 6-digit RFC 6238 code (SHA-1, 30 s) of a base32 secret at `at`:
/// what an authenticator app shows. For tests and tools.
#[pyfunction]
pub fn totp_code(secret_base32: &str, at: &Bound<'_, PyAny>) -> PyResult<String> {
    let at = extract_datetime("at", at)?;
    guard(|| sec::totp::code_at(secret_base32, at).py())
}

/// Registers the security classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyLocalKeyProvider>()?;
    m.add_class::<PyTwoFactorChallenge>()?;
    m.add_class::<PyTwoFactorEnrollment>()?;
    m.add_function(wrap_pyfunction!(hash_password, m)?)?;
    m.add_function(wrap_pyfunction!(verify_password, m)?)?;
    m.add_function(wrap_pyfunction!(totp_code, m)?)?;
    Ok(())
}
