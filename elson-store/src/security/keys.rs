//! Key-encryption keys: the [`KeyProvider`] seam the application supplies,
//! and [`LocalKeyProvider`] for development and tests.

use std::collections::BTreeMap;
use std::fmt;

use zeroize::Zeroizing;

use super::envelope::{aead_open, aead_seal};
use super::error::{CryptoError, fill_random};

/// Where key-encryption keys live, shaped like a KMS: it wraps and unwraps
/// the per-row data keys under a key it names by id, and says which key new
/// data keys go under. The key-encryption keys themselves never leave it.
///
/// `context` is associated data (the row id and purpose): a wrapped key
/// unwraps only with the same context, so a wrapped key copied to another
/// row fails. Implementations for a remote KMS should cache, since every
/// read of an encrypted row unwraps its data key; calls are synchronous and
/// must not block for long.
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// The id of the key new data keys are wrapped under.
    ///
    /// # Errors
    /// [`CryptoError::Provider`] when the provider cannot say.
    fn current_key_id(&self) -> Result<String, CryptoError>;

    /// Wraps (encrypts) `data_key` under key `key_id`, bound to `context`.
    ///
    /// # Errors
    /// [`CryptoError::UnknownKey`] for a key it does not have;
    /// [`CryptoError::Random`] / [`CryptoError::Provider`] when it fails.
    fn wrap_key(
        &self,
        key_id: &str,
        data_key: &[u8],
        context: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;

    /// Unwraps a data key wrapped by [`KeyProvider::wrap_key`] under
    /// `key_id` with the same `context`. `row` only names the row in errors.
    ///
    /// # Errors
    /// [`CryptoError::UnknownKey`] for a key it does not have;
    /// [`CryptoError::UnwrapFailed`] when the wrapped key does not
    /// authenticate (wrong key material, altered or moved).
    fn unwrap_key(
        &self,
        key_id: &str,
        wrapped: &[u8],
        context: &[u8],
        row: &str,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError>;
}

/// Key-encryption keys held in process memory: several 32-byte AES-256 keys
/// by id, one of them current. For development, tests and single-host
/// deployments that load keys from their own secret store. Wrapping is
/// AES-256-GCM with a random nonce; the key id and the context are its
/// associated data. Keys are zeroed when the provider is dropped, and
/// `Debug` shows only the ids.
///
/// # Example
/// ```
/// use elson_store::security::{KeyProvider, LocalKeyProvider};
/// let provider = LocalKeyProvider::new("k1", [7u8; 32])
///     .unwrap()
///     .with_key("k2", [9u8; 32])
///     .unwrap()
///     .with_current("k2")
///     .unwrap();
/// assert_eq!(provider.current_key_id().unwrap(), "k2");
/// let wrapped = provider.wrap_key("k2", &[1u8; 32], b"row-1").unwrap();
/// assert_eq!(*provider.unwrap_key("k2", &wrapped, b"row-1", "row-1").unwrap(), vec![1u8; 32]);
/// assert!(provider.unwrap_key("k2", &wrapped, b"row-2", "row-2").is_err());
/// ```
#[derive(Clone)]
pub struct LocalKeyProvider {
    current: String,
    keys: BTreeMap<String, Zeroizing<[u8; 32]>>,
}

impl fmt::Debug for LocalKeyProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKeyProvider")
            .field("current", &self.current)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A key id is stored in every encrypted row (`users.pii_kek_id`): short,
/// printable, no separators.
fn check_key_id(id: &str) -> Result<(), CryptoError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(CryptoError::InvalidKey {
            reason: format!("key id {id:?} must be 1-64 characters of A-Z a-z 0-9 . _ - /"),
        })
    }
}

impl LocalKeyProvider {
    /// A provider holding one key, which is current.
    ///
    /// # Errors
    /// [`CryptoError::InvalidKey`] for a bad key id.
    pub fn new(key_id: &str, key: [u8; 32]) -> Result<Self, CryptoError> {
        check_key_id(key_id)?;
        let mut keys = BTreeMap::new();
        keys.insert(key_id.to_string(), Zeroizing::new(key));
        Ok(LocalKeyProvider { current: key_id.to_string(), keys })
    }

    /// The same provider with one more key (an older key still needed to
    /// read rows not yet rotated, or the next key before it becomes
    /// current). Replaces a key of the same id.
    ///
    /// # Errors
    /// [`CryptoError::InvalidKey`] for a bad key id.
    pub fn with_key(mut self, key_id: &str, key: [u8; 32]) -> Result<Self, CryptoError> {
        check_key_id(key_id)?;
        self.keys.insert(key_id.to_string(), Zeroizing::new(key));
        Ok(self)
    }

    /// The same provider with `key_id` current: new data keys, and
    /// rotation, go under it.
    ///
    /// # Errors
    /// [`CryptoError::UnknownKey`] when the provider does not hold it.
    pub fn with_current(mut self, key_id: &str) -> Result<Self, CryptoError> {
        if !self.keys.contains_key(key_id) {
            return Err(CryptoError::UnknownKey { key_id: key_id.to_string() });
        }
        self.current = key_id.to_string();
        Ok(self)
    }

    /// The same provider without `key_id` (after rotation moved every row
    /// off it).
    ///
    /// # Errors
    /// [`CryptoError::InvalidKey`] when `key_id` is the current key.
    pub fn without_key(mut self, key_id: &str) -> Result<Self, CryptoError> {
        if key_id == self.current {
            return Err(CryptoError::InvalidKey {
                reason: format!("cannot remove the current key {key_id:?}"),
            });
        }
        self.keys.remove(key_id);
        Ok(self)
    }

    /// The ids of the keys held, sorted.
    pub fn key_ids(&self) -> Vec<String> {
        self.keys.keys().cloned().collect()
    }

    /// A fresh random 32-byte key from the operating system's generator.
    ///
    /// # Errors
    /// [`CryptoError::Random`] when the generator fails.
    pub fn generate_key() -> Result<[u8; 32], CryptoError> {
        let mut key = [0u8; 32];
        fill_random(&mut key)?;
        Ok(key)
    }

    fn key(&self, key_id: &str) -> Result<&[u8; 32], CryptoError> {
        self.keys
            .get(key_id)
            .map(|k| &**k)
            .ok_or_else(|| CryptoError::UnknownKey { key_id: key_id.to_string() })
    }
}

/// Associated data of a wrapped key: the key id, then the caller's context.
fn wrap_aad(key_id: &str, context: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(key_id.len() + 1 + context.len());
    aad.extend_from_slice(key_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(context);
    aad
}

impl KeyProvider for LocalKeyProvider {
    fn current_key_id(&self) -> Result<String, CryptoError> {
        Ok(self.current.clone())
    }

    fn wrap_key(
        &self,
        key_id: &str,
        data_key: &[u8],
        context: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let kek = self.key(key_id)?;
        aead_seal(kek, &wrap_aad(key_id, context), data_key)
    }

    fn unwrap_key(
        &self,
        key_id: &str,
        wrapped: &[u8],
        context: &[u8],
        row: &str,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let kek = self.key(key_id)?;
        aead_open(kek, &wrap_aad(key_id, context), wrapped).ok_or_else(|| {
            CryptoError::UnwrapFailed { row: row.to_string(), key_id: key_id.to_string() }
        })
    }
}
