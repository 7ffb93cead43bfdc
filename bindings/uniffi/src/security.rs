//! Login, two-factor and the audit trail of the store (issue 5), for Kotlin
//! and Swift. Every rule is the store's; this module converts types.

use std::sync::Arc;

use elson_core::families::Actor;
use elson_store::security as core;
use uuid::Uuid;

use crate::accounting::FeeSchedule;
use crate::types::Timestamp;
use elson_core::entities::Trade;
use elson_store::AuditEntry;
use elson_store::repo::trades::ApprovalQueueItem;

/// The password step passed and the user has two-factor on. Opaque: only
/// `login` makes one, so the code step cannot be reached without the
/// password.
#[derive(Debug, uniffi::Object)]
pub struct TwoFactorChallenge {
    pub(crate) inner: core::TwoFactorChallenge,
}

#[uniffi::export]
impl TwoFactorChallenge {
    /// The user logging in.
    pub fn user_id(&self) -> Uuid {
        self.inner.user_id()
    }

    /// When the password step passed.
    pub fn issued_at(&self) -> Timestamp {
        self.inner.issued_at()
    }
}

/// What a correct password leads to.
#[derive(Debug, uniffi::Enum)]
pub enum LoginOutcome {
    /// Logged in: the actor later calls take.
    Authenticated {
        /// The user, with their current role and status.
        actor: Actor,
    },
    /// Two-factor is on: pass the challenge and a code to
    /// `ElsonStore.completeLogin`.
    TwoFactorRequired {
        /// The password step that passed.
        challenge: Arc<TwoFactorChallenge>,
    },
}

impl From<core::LoginOutcome> for LoginOutcome {
    fn from(o: core::LoginOutcome) -> Self {
        match o {
            core::LoginOutcome::Authenticated(actor) => LoginOutcome::Authenticated { actor },
            core::LoginOutcome::TwoFactorRequired(c) => LoginOutcome::TwoFactorRequired {
                challenge: Arc::new(TwoFactorChallenge { inner: c }),
            },
        }
    }
}

/// A started two-factor enrollment: show the URI as a QR code; the first
/// correct code confirms it. An object, not a record, so that printing it
/// (a Kotlin data class prints every field) never shows the secret.
#[derive(uniffi::Object)]
pub struct TwoFactorEnrollment {
    inner: core::TwoFactorEnrollment,
}

impl std::fmt::Debug for TwoFactorEnrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TwoFactorEnrollment { <redacted> }")
    }
}

#[uniffi::export]
impl TwoFactorEnrollment {
    /// The TOTP secret, base32 without padding.
    pub fn secret_base32(&self) -> String {
        self.inner.secret_base32.clone()
    }

    /// `otpauth://totp/Issuer:email?secret=…&issuer=Issuer`.
    pub fn otpauth_uri(&self) -> String {
        self.inner.otpauth_uri.clone()
    }
}

impl From<core::TwoFactorEnrollment> for TwoFactorEnrollment {
    fn from(inner: core::TwoFactorEnrollment) -> Self {
        TwoFactorEnrollment { inner }
    }
}

/// One row of the append-only audit log.
#[uniffi::remote(Record)]
pub struct AuditEntry {
    /// Order of writing.
    pub id: i64,
    /// The acting user's id (the nil id for the system actor).
    pub actor_id: Uuid,
    /// What (`insert`, `query`, `place`, …).
    pub action: String,
    /// Which table.
    pub entity: String,
    /// Which row, when the call names one.
    pub entity_id: Option<String>,
    /// When the call finished.
    pub at: Timestamp,
    /// `OK` or `FORBIDDEN`.
    pub outcome: String,
    /// The basis of a granted access or the reason of a denial.
    pub detail: Option<String>,
}

/// A trade waiting for a guardian, with what the guardian needs to decide.
#[uniffi::remote(Record)]
pub struct ApprovalQueueItem {
    /// The pending trade.
    pub trade: Trade,
    /// Name of the minor's portfolio.
    pub portfolio_name: String,
    /// The minor's first name.
    pub first_name: Option<String>,
    /// The minor's last name.
    pub last_name: Option<String>,
}

/// The application's key-encryption key for the PII columns (names, date
/// of birth, two-factor secret), which are then stored as AES-256-GCM
/// ciphertext under a data key per user. An object, so that printing it
/// never shows the key; keep its bytes in the platform's keystore.
#[derive(uniffi::Object)]
pub struct PiiKey {
    key_id: String,
    key: core::Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for PiiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PiiKey {{ key_id: {:?}, <redacted> }}", self.key_id)
    }
}

#[uniffi::export]
impl PiiKey {
    /// A key from its 32 bytes, named `key_id` (stored with each row it
    /// protects, so rotation can tell keys apart).
    ///
    /// # Errors
    /// `InvalidInput` for a key that is not 32 bytes or an unusable id.
    #[uniffi::constructor]
    pub fn new(key_id: String, key: Vec<u8>) -> crate::Result<Arc<PiiKey>> {
        let bytes: [u8; 32] = key
            .as_slice()
            .try_into()
            .map_err(|_| crate::ElsonError::invalid("key", "must be exactly 32 bytes"))?;
        let key = core::Zeroizing::new(bytes);
        // The id's own rules are the store's.
        core::LocalKeyProvider::new(&key_id, *key)
            .map_err(|e| crate::ElsonError::invalid("key_id", e.to_string()))?;
        Ok(Arc::new(PiiKey { key_id, key }))
    }

    /// A fresh random key named `key_id`.
    ///
    /// # Errors
    /// `Crypto` when the system's random source fails; `InvalidInput` for an
    /// unusable id.
    #[uniffi::constructor]
    pub fn generate(key_id: String) -> crate::Result<Arc<PiiKey>> {
        let key = core::LocalKeyProvider::generate_key()
            .map_err(|e| crate::ElsonError::Crypto { detail: e.to_string() })?;
        PiiKey::new(key_id, key.to_vec())
    }

    /// The key's name.
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    /// The key's 32 bytes, to keep in the platform's keystore.
    pub fn key_bytes(&self) -> Vec<u8> {
        self.key.to_vec()
    }
}

impl PiiKey {
    pub(crate) fn provider(&self) -> crate::Result<core::LocalKeyProvider> {
        core::LocalKeyProvider::new(&self.key_id, *self.key)
            .map_err(|e| crate::ElsonError::invalid("key_id", e.to_string()))
    }
}

/// How a store is opened, beyond its URL. Every field left null keeps the
/// store's default.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct StoreConfig {
    /// Apply migrations on open (default true).
    #[uniffi(default = None)]
    pub migrate: Option<bool>,
    /// Pool size (default 8).
    #[uniffi(default = None)]
    pub max_connections: Option<u32>,
    /// bcrypt cost of new password hashes (default 12; 4–31, below 12 for
    /// tests only).
    #[uniffi(default = None)]
    pub bcrypt_cost: Option<u32>,
    /// Failed logins in a row per email (and codes per user) before further
    /// attempts are refused (default 5; 0 turns the limit off).
    #[uniffi(default = None)]
    pub login_max_failures: Option<u32>,
    /// How long, in seconds, such attempts are refused (default 900).
    #[uniffi(default = None)]
    pub login_lockout_seconds: Option<u32>,
    /// Encrypt the PII columns under this key (default: stored in plain
    /// text).
    #[uniffi(default = None)]
    pub pii_key: Option<Arc<PiiKey>>,
    /// The platform's fee schedule, charged on every execution (default
    /// `feeScheduleDefault()`: 0.35 %, minimum 0.50). Fees are the
    /// platform's: no call takes a fee schedule.
    #[uniffi(default = None)]
    pub fees: Option<FeeSchedule>,
}

impl StoreConfig {
    pub(crate) fn options(&self) -> crate::Result<elson_store::StoreOptions> {
        let d = elson_store::StoreOptions::default();
        let limit = d.login_attempts;
        let login_attempts = core::AttemptLimit {
            max_failures: self.login_max_failures.unwrap_or(limit.max_failures),
            lockout: self
                .login_lockout_seconds
                .map_or(limit.lockout, |s| chrono::TimeDelta::seconds(i64::from(s))),
        };
        let fees = match self.fees {
            Some(f) => f.try_into()?,
            None => d.fees,
        };
        Ok(elson_store::StoreOptions {
            migrate: self.migrate.unwrap_or(d.migrate),
            max_connections: self.max_connections.unwrap_or(d.max_connections),
            bcrypt_cost: self.bcrypt_cost.unwrap_or(d.bcrypt_cost),
            login_attempts,
            fees,
            ..d
        })
    }
}
