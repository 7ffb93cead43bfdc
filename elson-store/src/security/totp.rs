//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of clock skew either way), through the `totp-rs` crate.
//!
//! The crate computes codes; this module fixes the parameters and decides
//! which time steps a code may match: the current one and one either side,
//! and only steps later than the last one accepted, so a code is never
//! accepted twice (RFC 6238 §5.2).

use chrono::{DateTime, Utc};
use elson_core::ElsonError;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::error::{CryptoError, fill_random};

/// Digits of a code.
pub const TOTP_DIGITS: u8 = 6;
/// Seconds per time step.
pub const TOTP_STEP_SECONDS: u64 = 30;
/// Steps of clock skew accepted on either side of the current step.
pub const TOTP_SKEW_STEPS: u64 = 1;
/// Bytes of a generated secret (160 bits, RFC 4226's recommendation).
pub const TOTP_SECRET_BYTES: usize = 20;

/// A fresh random secret, base32 (RFC 4648, no padding), as authenticator
/// apps take it.
///
/// # Errors
/// [`CryptoError::Random`] when the generator fails.
pub fn generate_secret() -> Result<String, CryptoError> {
    let mut bytes = [0u8; TOTP_SECRET_BYTES];
    fill_random(&mut bytes)?;
    Ok(Secret::from(bytes).to_base32())
}

fn build(secret_base32: &str, label: Option<(&str, &str)>) -> Result<Totp, ElsonError> {
    let secret = Secret::try_from_base32(secret_base32.trim())
        .map_err(|_| ElsonError::invalid("two_factor_secret", "not base32"))?;
    let mut b = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(TOTP_DIGITS)
        .with_skew(0)
        .with_step_duration(TOTP_STEP_SECONDS)
        .with_secret(secret);
    if let Some((issuer, account)) = label {
        b = b.with_issuer(Some(issuer)).with_account_name(account);
    }
    b.build().map_err(|e| ElsonError::invalid("two_factor_secret", format!("{e:?}")))
}

/// The `otpauth://totp/Issuer:account?secret=…&issuer=Issuer` URI an
/// authenticator app scans (as a QR code) to enroll.
///
/// # Errors
/// `InvalidInput` for a secret that is not base32 or shorter than 128 bits,
/// or an issuer or account containing `:`.
///
/// # Example
/// ```
/// use elson_store::security::totp::otpauth_uri;
/// let uri = otpauth_uri("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "Elson", "ada@example.com").unwrap();
/// assert_eq!(
///     uri,
///     "otpauth://totp/Elson:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Elson"
/// );
/// ```
pub fn otpauth_uri(secret_base32: &str, issuer: &str, account: &str) -> Result<String, ElsonError> {
    if issuer.contains(':') || account.contains(':') {
        return Err(ElsonError::invalid("issuer", "issuer and account must not contain ':'"));
    }
    build(secret_base32, Some((issuer, account)))?
        .to_url()
        .map_err(|e| ElsonError::invalid("two_factor_secret", format!("{e:?}")))
}

fn unix_seconds(at: DateTime<Utc>) -> Result<u64, ElsonError> {
    u64::try_from(at.timestamp()).map_err(|_| ElsonError::invalid("now", "before 1970"))
}

/// The time step of `at` (Unix seconds / 30).
///
/// # Errors
/// `InvalidInput` for an instant before 1970.
pub fn time_step(at: DateTime<Utc>) -> Result<u64, ElsonError> {
    Ok(unix_seconds(at)? / TOTP_STEP_SECONDS)
}

/// The code of `secret_base32` at `at` (what an authenticator app shows).
///
/// # Errors
/// `InvalidInput` for a bad secret or an instant before 1970.
///
/// # Example
/// ```
/// use chrono::DateTime;
/// use elson_store::security::totp::code_at;
/// // RFC 6238 Appendix B, SHA-1, T = 59 s: 94287082, whose last 6 digits are 287082.
/// let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // base32 of "12345678901234567890"
/// assert_eq!(code_at(secret, DateTime::from_timestamp(59, 0).unwrap()).unwrap(), "287082");
/// ```
pub fn code_at(secret_base32: &str, at: DateTime<Utc>) -> Result<String, ElsonError> {
    Ok(build(secret_base32, None)?.generate(unix_seconds(at)?).to_string())
}

/// What checking a code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code matches this time step, later than any accepted before.
    Accepted {
        /// The matched step; store it so the code is not accepted again.
        step: u64,
    },
    /// The code matches a step at or before the last accepted one: a
    /// replay.
    Replayed,
    /// The code matches no step in the window (or is not 6 digits).
    Wrong,
}

/// Checks `code` against the steps around `at` (±[`TOTP_SKEW_STEPS`]),
/// accepting only steps after `last_step`.
///
/// # Errors
/// `InvalidInput` for a bad secret or an instant before 1970.
pub fn check_code(
    secret_base32: &str,
    code: &str,
    at: DateTime<Utc>,
    last_step: Option<u64>,
) -> Result<CodeCheck, ElsonError> {
    let totp = build(secret_base32, None)?;
    let code = code.trim();
    if code.len() != usize::from(TOTP_DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(CodeCheck::Wrong);
    }
    let origin = time_step(at)?;
    let mut replayed = false;
    for step in origin.saturating_sub(TOTP_SKEW_STEPS)..=origin.saturating_add(TOTP_SKEW_STEPS) {
        // The crate compares in constant time; skew 0 pins it to `step`.
        if totp.check(code, step.saturating_mul(TOTP_STEP_SECONDS)).is_some() {
            if last_step.is_none_or(|last| step > last) {
                return Ok(CodeCheck::Accepted { step });
            }
            replayed = true;
        }
    }
    Ok(if replayed { CodeCheck::Replayed } else { CodeCheck::Wrong })
}
