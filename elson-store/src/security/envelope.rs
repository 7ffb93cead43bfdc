//! Envelope encryption of PII columns: AES-256-GCM under a random per-row
//! data key, the data key wrapped by a [`KeyProvider`].
//!
//! Stored forms (all text, so one column type serves both backends):
//! - a column value: `v1:` + base64(nonce ‖ ciphertext ‖ tag), 12-byte
//!   random nonce, associated data `elson/users/<row id bytes>/<column>`;
//! - `users.pii_kek_id`: the id of the key-encryption key;
//! - `users.pii_data_key`: base64 of what the provider returned for the
//!   data key, wrapped with associated data `elson/users/<row id>/data-key`.
//!
//! The row id in every associated data is what makes a ciphertext (or a
//! wrapped key) copied to another row fail; the column name also stops a
//! swap between columns of one row. Rotation re-wraps the data key alone,
//! so column ciphertexts are never rewritten by it.

use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::error::{CryptoError, fill_random};
use super::keys::KeyProvider;
use crate::pii::{PiiCipher, PiiField, WrappedKey};

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const PREFIX: &str = "v1:";

/// AES-256-GCM of `plaintext` under `key` with a fresh random nonce:
/// nonce ‖ ciphertext ‖ tag.
pub(crate) fn aead_seal(key: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes256Gcm::new_from_slice(key)
        .map_err(|_| CryptoError::InvalidKey { reason: "an AES-256 key is 32 bytes".into() })?;
    seal_with(&cipher, aad, plaintext)
}

fn seal_with(cipher: &Aes256Gcm, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    let sealed = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad })
        .map_err(|_| CryptoError::InvalidKey { reason: "AES-GCM refused the message".into() })?;
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The plaintext of [`aead_seal`]'s output, or `None` when it does not
/// authenticate (wrong key, altered, other associated data, too short).
pub(crate) fn aead_open(key: &[u8], aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    open_with(&cipher, aad, sealed)
}

fn open_with(cipher: &Aes256Gcm, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_from(nonce).ok()?;
    cipher.decrypt(&nonce, Payload { msg: body, aad }).ok().map(Zeroizing::new)
}

fn context(row_id: Uuid, purpose: &str) -> Vec<u8> {
    let mut c = Vec::with_capacity(32 + purpose.len());
    c.extend_from_slice(b"elson/users/");
    c.extend_from_slice(row_id.as_bytes());
    c.push(b'/');
    c.extend_from_slice(purpose.as_bytes());
    c
}

/// The [`PiiCipher`] of encryption at rest: per-row data keys wrapped by a
/// [`KeyProvider`]. Installed by [`crate::Store::with_key_provider`].
///
/// Rows written before a key provider was configured have no data key
/// (`pii_kek_id IS NULL`) and plain-text columns. By default they are read
/// as plain text, so turning encryption on needs no downtime;
/// [`crate::Store::reseal_plaintext_users`] then encrypts them in batches.
/// Once that is done, [`EnvelopeCipher::refuse_plaintext_rows`] makes such
/// a row an error, so nobody with write access to the database can slip a
/// plain-text value past the cipher.
#[derive(Debug, Clone)]
pub struct EnvelopeCipher {
    provider: Arc<dyn KeyProvider>,
    plaintext_rows: bool,
}

impl EnvelopeCipher {
    /// A cipher over `provider` that still reads plain-text legacy rows.
    pub fn new(provider: Arc<dyn KeyProvider>) -> Self {
        EnvelopeCipher { provider, plaintext_rows: true }
    }

    /// The same cipher refusing rows without a data key
    /// ([`CryptoError::Malformed`] on `pii_data_key`).
    pub fn refuse_plaintext_rows(self) -> Self {
        EnvelopeCipher { plaintext_rows: false, ..self }
    }

    fn data_key(&self, row_id: Uuid, key: &WrappedKey) -> Result<Aes256Gcm, CryptoError> {
        let row = row_id.to_string();
        let wrapped = B64.decode(key.wrapped.as_bytes()).map_err(|e| CryptoError::Malformed {
            row: row.clone(),
            column: "pii_data_key",
            reason: format!("not base64: {e}"),
        })?;
        let dk =
            self.provider.unwrap_key(&key.key_id, &wrapped, &context(row_id, "data-key"), &row)?;
        Aes256Gcm::new_from_slice(&dk)
            .map_err(|_| CryptoError::UnwrapFailed { row, key_id: key.key_id.clone() })
    }
}

impl PiiCipher for EnvelopeCipher {
    fn seal_row(
        &self,
        row_id: Uuid,
        fields: &mut [PiiField],
    ) -> Result<Option<WrappedKey>, CryptoError> {
        let mut dk = Zeroizing::new([0u8; 32]);
        fill_random(dk.as_mut())?;
        let key_id = self.provider.current_key_id()?;
        let wrapped = self.provider.wrap_key(&key_id, dk.as_ref(), &context(row_id, "data-key"))?;
        let cipher = Aes256Gcm::new_from_slice(dk.as_ref())
            .map_err(|_| CryptoError::InvalidKey { reason: "data key length".into() })?;
        for f in fields.iter_mut() {
            if let Some(v) = f.value.take() {
                let v = Zeroizing::new(v);
                let sealed = seal_with(&cipher, &context(row_id, f.column), v.as_bytes())?;
                f.value = Some(format!("{PREFIX}{}", B64.encode(sealed)));
            }
        }
        Ok(Some(WrappedKey { key_id, wrapped: B64.encode(wrapped) }))
    }

    fn open_row(
        &self,
        row_id: Uuid,
        key: Option<&WrappedKey>,
        fields: &mut [PiiField],
    ) -> Result<(), CryptoError> {
        let Some(key) = key else {
            if self.plaintext_rows {
                return Ok(());
            }
            return Err(CryptoError::Malformed {
                row: row_id.to_string(),
                column: "pii_data_key",
                reason: "row has no data key (written in plain text; reseal it)".into(),
            });
        };
        let cipher = self.data_key(row_id, key)?;
        for f in fields.iter_mut() {
            let Some(stored) = f.value.take() else { continue };
            let malformed = |reason: String| CryptoError::Malformed {
                row: row_id.to_string(),
                column: f.column,
                reason,
            };
            let body = stored
                .strip_prefix(PREFIX)
                .ok_or_else(|| malformed("no v1: prefix".to_string()))?;
            let sealed = B64.decode(body.as_bytes()).map_err(|e| malformed(e.to_string()))?;
            let plain =
                open_with(&cipher, &context(row_id, f.column), &sealed).ok_or_else(|| {
                    CryptoError::DecryptFailed { row: row_id.to_string(), column: f.column }
                })?;
            let text = String::from_utf8(plain.to_vec())
                .map_err(|_| malformed("plaintext is not UTF-8".to_string()))?;
            f.value = Some(text);
        }
        Ok(())
    }

    fn current_key_id(&self) -> Result<Option<String>, CryptoError> {
        self.provider.current_key_id().map(Some)
    }

    fn rewrap(&self, row_id: Uuid, key: &WrappedKey) -> Result<WrappedKey, CryptoError> {
        let row = row_id.to_string();
        let wrapped = B64.decode(key.wrapped.as_bytes()).map_err(|e| CryptoError::Malformed {
            row: row.clone(),
            column: "pii_data_key",
            reason: format!("not base64: {e}"),
        })?;
        let ctx = context(row_id, "data-key");
        let dk = self.provider.unwrap_key(&key.key_id, &wrapped, &ctx, &row)?;
        let key_id = self.provider.current_key_id()?;
        let rewrapped = self.provider.wrap_key(&key_id, &dk, &ctx)?;
        Ok(WrappedKey { key_id, wrapped: B64.encode(rewrapped) })
    }
}
