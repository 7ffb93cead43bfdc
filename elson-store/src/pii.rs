//! The seam for encrypted PII columns (DESIGN §10, issue 5).
//!
//! The users repository sends `first_name`, `last_name` and
//! `two_factor_secret` through a [`PiiCipher`] on every write and read, with
//! the row id as associated data. The default [`Plaintext`] cipher stores
//! them as given. The security layer will plug in AES-256-GCM envelope
//! encryption here; it will also move `date_of_birth` from DATE to an
//! encrypted TEXT column and widen the VARCHAR(100) name columns to fit
//! ciphertext (a migration of its own).

use elson_core::ElsonError;
use uuid::Uuid;

/// Turns a PII value into what is stored, and back.
pub trait PiiCipher: Send + Sync + std::fmt::Debug {
    /// The stored form of `plaintext` for `column` of row `row_id`.
    ///
    /// # Errors
    /// Whatever the cipher refuses (a missing key, …), as an [`ElsonError`].
    fn seal(
        &self,
        row_id: Uuid,
        column: &'static str,
        plaintext: &str,
    ) -> Result<String, ElsonError>;

    /// The plaintext of a stored value.
    ///
    /// # Errors
    /// A wrong key or a tampered or moved value, as an [`ElsonError`].
    fn open(&self, row_id: Uuid, column: &'static str, stored: &str) -> Result<String, ElsonError>;
}

/// The default: PII stored as plain text.
#[derive(Debug, Default, Clone, Copy)]
pub struct Plaintext;

impl PiiCipher for Plaintext {
    fn seal(
        &self,
        _row_id: Uuid,
        _column: &'static str,
        plaintext: &str,
    ) -> Result<String, ElsonError> {
        Ok(plaintext.to_string())
    }

    fn open(
        &self,
        _row_id: Uuid,
        _column: &'static str,
        stored: &str,
    ) -> Result<String, ElsonError> {
        Ok(stored.to_string())
    }
}
