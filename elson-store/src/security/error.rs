//! The typed failures of key management and encryption at rest.

/// Why sealing or opening encrypted data failed. Each case is a typed error
/// (wrapped in [`crate::StoreError::Crypto`] by the store), never a panic.
///
/// AES-GCM cannot tell a wrong key from a tampered or moved ciphertext: all
/// three fail its authentication check. The variants therefore say *where*
/// authentication failed (the row's data key, or one column), which is what
/// an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The key provider has no key with this id (a key removed before
    /// rotation finished, or a row written under another provider).
    #[error("unknown key-encryption key {key_id:?}")]
    UnknownKey {
        /// The key id that was asked for.
        key_id: String,
    },
    /// A wrapped data key failed authentication under its key-encryption
    /// key: the key material is wrong, or the wrapped key was altered or
    /// copied from another row.
    #[error("data key of row {row} does not unwrap under key {key_id:?}")]
    UnwrapFailed {
        /// The row whose data key failed.
        row: String,
        /// The key-encryption key it was tried under.
        key_id: String,
    },
    /// A column's ciphertext failed authentication: it was altered, moved
    /// from another row or column, or sealed under another data key.
    #[error("column {column} of row {row} fails authentication (tampered, moved or wrong key)")]
    DecryptFailed {
        /// The row.
        row: String,
        /// The column.
        column: &'static str,
    },
    /// A stored value is not in the format this version writes (truncated,
    /// not base64, unknown version prefix, a plaintext value in an encrypted
    /// row, an encrypted row read without a key provider …).
    #[error("malformed stored value in {column} of row {row}: {reason}")]
    Malformed {
        /// The row.
        row: String,
        /// The column.
        column: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A key or key id given by the application is unusable (wrong length,
    /// bad characters, a current key that is not among the keys).
    #[error("invalid key configuration: {reason}")]
    InvalidKey {
        /// What is wrong.
        reason: String,
    },
    /// The operation needs a key provider and the store has none
    /// ([`crate::Store::with_key_provider`]).
    #[error("no key provider configured: {operation}")]
    NoKeyProvider {
        /// What needed it.
        operation: &'static str,
    },
    /// The key provider itself failed (a remote KMS unreachable, …).
    #[error("key provider failed: {message}")]
    Provider {
        /// The provider's message.
        message: String,
    },
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {message}")]
    Random {
        /// The generator's message.
        message: String,
    },
}

impl CryptoError {
    /// A stable machine-readable code for the case (`UNKNOWN_KEY`, …).
    pub fn code(&self) -> &'static str {
        match self {
            CryptoError::UnknownKey { .. } => "UNKNOWN_KEY",
            CryptoError::UnwrapFailed { .. } => "UNWRAP_FAILED",
            CryptoError::DecryptFailed { .. } => "DECRYPT_FAILED",
            CryptoError::Malformed { .. } => "MALFORMED",
            CryptoError::InvalidKey { .. } => "INVALID_KEY",
            CryptoError::NoKeyProvider { .. } => "NO_KEY_PROVIDER",
            CryptoError::Provider { .. } => "KEY_PROVIDER",
            CryptoError::Random { .. } => "RANDOM",
        }
    }
}

/// Fills `buf` from the operating system's generator.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|e| CryptoError::Random { message: e.to_string() })
}
