//! The seam for encrypted PII columns (DESIGN §10, issue 5).
//!
//! The users repository sends the PII columns of a row (`first_name`,
//! `last_name`, `date_of_birth` as `YYYY-MM-DD`, `two_factor_secret`)
//! through a [`PiiCipher`] on every write and read, a whole row at a time,
//! so a cipher can keep one data key per row: [`PiiCipher::seal_row`]
//! returns the row's [`WrappedKey`], stored beside the row (`pii_kek_id`,
//! `pii_data_key`, migration 0009) and handed back to
//! [`PiiCipher::open_row`]. The default [`Plaintext`] cipher stores values
//! as given and keeps no key; [`crate::security::EnvelopeCipher`]
//! (installed by [`crate::Store::with_key_provider`]) is AES-256-GCM
//! envelope encryption with the row id as associated data.

use std::fmt;

use uuid::Uuid;

use crate::security::CryptoError;

/// One PII column of a row: plain text before sealing and after opening,
/// the stored form in between. `None` is SQL NULL and stays NULL. `Debug`
/// does not print the value.
#[derive(Clone, PartialEq, Eq)]
pub struct PiiField {
    /// The column (`first_name`, …).
    pub column: &'static str,
    /// Its value.
    pub value: Option<String>,
}

impl fmt::Debug for PiiField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.value.is_some() { "Some(<redacted>)" } else { "None" };
        f.debug_struct("PiiField").field("column", &self.column).field("value", &value).finish()
    }
}

/// A row's data key as stored: the id of the key-encryption key that
/// wrapped it (`users.pii_kek_id`) and the wrapped key, base64
/// (`users.pii_data_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// The key-encryption key's id.
    pub key_id: String,
    /// The wrapped data key, base64.
    pub wrapped: String,
}

/// Turns the PII columns of a row into what is stored, and back.
pub trait PiiCipher: Send + Sync + fmt::Debug {
    /// Seals `fields` of row `row_id` in place; returns the row's key to
    /// store with them (`None`: this cipher keeps no per-row key).
    ///
    /// # Errors
    /// Whatever the cipher cannot do (no key, generator failure), typed.
    fn seal_row(
        &self,
        row_id: Uuid,
        fields: &mut [PiiField],
    ) -> Result<Option<WrappedKey>, CryptoError>;

    /// Opens in place `fields` of row `row_id`, stored with `key`.
    ///
    /// # Errors
    /// A wrong or unknown key, a tampered, moved or malformed value, typed.
    fn open_row(
        &self,
        row_id: Uuid,
        key: Option<&WrappedKey>,
        fields: &mut [PiiField],
    ) -> Result<(), CryptoError>;

    /// The key-encryption key new rows go under; `None` for a cipher
    /// without keys (nothing to rotate).
    ///
    /// # Errors
    /// When the key provider cannot say.
    fn current_key_id(&self) -> Result<Option<String>, CryptoError> {
        Ok(None)
    }

    /// `key` re-wrapped under the current key-encryption key; the data key,
    /// and so every column ciphertext of the row, stays the same.
    ///
    /// # Errors
    /// [`CryptoError::NoKeyProvider`] for a cipher without keys; otherwise
    /// as [`PiiCipher::open_row`].
    fn rewrap(&self, row_id: Uuid, key: &WrappedKey) -> Result<WrappedKey, CryptoError> {
        let _ = (row_id, key);
        Err(CryptoError::NoKeyProvider { operation: "rewrap" })
    }
}

/// The default: PII stored as plain text. A row that was sealed by a key
/// provider cannot be read through it ([`CryptoError::NoKeyProvider`]), so
/// a store opened without its keys never returns ciphertext as a name.
#[derive(Debug, Default, Clone, Copy)]
pub struct Plaintext;

impl PiiCipher for Plaintext {
    fn seal_row(
        &self,
        _row_id: Uuid,
        _fields: &mut [PiiField],
    ) -> Result<Option<WrappedKey>, CryptoError> {
        Ok(None)
    }

    fn open_row(
        &self,
        _row_id: Uuid,
        key: Option<&WrappedKey>,
        _fields: &mut [PiiField],
    ) -> Result<(), CryptoError> {
        match key {
            None => Ok(()),
            Some(_) => Err(CryptoError::NoKeyProvider { operation: "reading an encrypted row" }),
        }
    }
}
