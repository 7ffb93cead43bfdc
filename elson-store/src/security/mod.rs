//! Passwords, two-factor login and encryption at rest (DESIGN §10, issue 5).
//!
//! - **Passwords** ([`hash_password`], [`verify_password`],
//!   [`Store::login`](crate::Store::login)): bcrypt `$2b$`, cost 12 by
//!   default ([`crate::StoreOptions::bcrypt_cost`]), interoperable with other
//!   bcrypt implementations. Unknown email and wrong password fail alike,
//!   after the same bcrypt work whatever the cost of the stored hash;
//!   empty passwords and ones over 72 bytes are refused everywhere, never
//!   compared.
//! - **Two-factor** ([`totp`], [`Store::enroll_two_factor`](crate::Store::enroll_two_factor),
//!   [`Store::confirm_two_factor`](crate::Store::confirm_two_factor),
//!   [`Store::complete_login`](crate::Store::complete_login)): RFC 6238
//!   TOTP, SHA-1, 6 digits, 30 s, ±1 step; each code is accepted once (the
//!   last accepted step is kept in `users.two_factor_last_step` and moved
//!   forward by a compare-and-set update).
//! - **Attempt limits** ([`AttemptLimit`], [`crate::StoreOptions::login_attempts`]):
//!   after 5 failed passwords for one email, or 5 failed codes for one user,
//!   further attempts are refused unchecked for 15 minutes; an attempt is
//!   counted before its check, so simultaneous ones get no more checks than
//!   the limit. Hashes made at a lower bcrypt cost than the store's are
//!   upgraded at the next login.
//! - **Encryption at rest** ([`EnvelopeCipher`], [`KeyProvider`],
//!   [`LocalKeyProvider`], [`Store::with_key_provider`](crate::Store::with_key_provider)):
//!   `first_name`, `last_name`, `date_of_birth` and `two_factor_secret` are
//!   AES-256-GCM ciphertext under a random data key per user, wrapped by
//!   the application's key-encryption key; the row id is associated data.
//!   [`Store::rotate_pii_keys`](crate::Store::rotate_pii_keys) re-wraps data
//!   keys online; [`Store::reseal_plaintext_users`](crate::Store::reseal_plaintext_users)
//!   encrypts rows written before encryption was turned on.
//!
//! Every primitive comes from a maintained crate (`bcrypt`, `totp-rs`,
//! `aes-gcm`, `getrandom`); failures are typed ([`CryptoError`],
//! `ElsonError::AuthenticationFailed`), never panics.
//!
//! # Example
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use elson_store::security::LocalKeyProvider;
//! use elson_store::Store;
//! let keys = LocalKeyProvider::new("2026-01", LocalKeyProvider::generate_key().unwrap()).unwrap();
//! let store = Store::open("sqlite::memory:").await.unwrap().with_key_provider(Arc::new(keys));
//! # });
//! ```

mod auth;
mod envelope;
mod error;
mod keys;
mod password;
mod rotation;
mod throttle;
pub mod totp;
mod work;

pub(crate) use auth::wrapped_key;
pub use auth::{LoginOutcome, TWO_FACTOR_CHALLENGE_TTL, TwoFactorChallenge, TwoFactorEnrollment};
pub use envelope::EnvelopeCipher;
pub use error::CryptoError;
pub use keys::{KeyProvider, LocalKeyProvider};
pub use password::{
    DEFAULT_BCRYPT_COST, MAX_BCRYPT_COST, MAX_PASSWORD_BYTES, MIN_BCRYPT_COST, hash_password,
    verify_password,
};
pub use rotation::KeyRotationReport;
pub use throttle::AttemptLimit;
pub(crate) use throttle::Throttle;
pub use zeroize::Zeroizing;
