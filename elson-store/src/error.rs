//! The one error type of the store.
//!
//! Domain errors (`NotFound`, `Conflict`, `InvalidInput`, …) are the core's
//! [`ElsonError`], so a caller handles "duplicate email" the same way whether
//! the core or the database noticed it. Everything else the database can do
//! wrong is [`StoreError::Storage`] or [`StoreError::Busy`]; a `sqlx::Error`
//! never crosses the public API (STYLE §11).

use elson_core::ElsonError;
use elson_core::enums::Environment;

use crate::security::CryptoError;

/// Result alias of the store.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// Everything a store call can fail with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A domain error: bad input, unknown id, duplicate, forbidden, a rule of
    /// the core that refused the operation. Nothing was written.
    #[error(transparent)]
    Domain(#[from] ElsonError),
    /// The database failed in a way the caller cannot fix by changing the
    /// input (connection lost, disk full, corrupt row). Nothing was written.
    #[error("storage failure in {operation}: {message}")]
    Storage {
        /// The store operation that failed (`users.insert`, …).
        operation: &'static str,
        /// The database's message, for logs.
        message: String,
    },
    /// The database stayed locked by other writers for longer than the retry
    /// budget. Nothing was written; retrying later is safe.
    #[error("database busy in {operation} after {attempts} attempts")]
    Busy {
        /// The store operation that gave up.
        operation: &'static str,
        /// How many times it tried.
        attempts: u32,
    },
    /// Opening the database or applying its migrations failed.
    #[error("cannot open store: {message}")]
    Open {
        /// What went wrong.
        message: String,
    },
    /// Encrypted data could not be sealed or opened: an unknown or wrong
    /// key, a tampered, moved or malformed stored value, no key provider.
    /// Nothing was written.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    // --- beta safeguards (environments, snapshots) ---
    /// A database or snapshot belongs to another environment than the store
    /// (`None`: not stamped with any). Nothing was opened or written.
    #[error(
        "environment mismatch: the {what} belongs to {}, the store is opened for {}",
        env_name(*.found),
        env_name(*.expected)
    )]
    EnvironmentMismatch {
        /// `database` or `snapshot`.
        what: &'static str,
        /// The environment the database or snapshot is stamped with.
        found: Option<Environment>,
        /// The environment of the store.
        expected: Option<Environment>,
    },
    /// The call does not exist on this backend; `hint` says what does the
    /// job there (e.g. `pg_dump` for a PostgreSQL snapshot).
    #[error("{operation} is not supported here: {hint}")]
    Unsupported {
        /// The store operation.
        operation: &'static str,
        /// What to use instead.
        hint: String,
    },
    /// A snapshot file cannot be used: not a database, corrupt, not an
    /// Elson database, or another schema version. Nothing was written.
    #[error("unusable snapshot {path}: {reason}")]
    Snapshot {
        /// The snapshot file.
        path: String,
        /// Why it was refused.
        reason: String,
    },
}

fn env_name(e: Option<Environment>) -> &'static str {
    e.map_or("no environment", Environment::as_str)
}

impl StoreError {
    /// A stable machine-readable code: the core's code for domain errors,
    /// `STORAGE`, `BUSY`, `OPEN`, `CRYPTO`, `ENVIRONMENT_MISMATCH`,
    /// `UNSUPPORTED` or `SNAPSHOT` otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Domain(e) => e.code(),
            StoreError::Storage { .. } => "STORAGE",
            StoreError::Busy { .. } => "BUSY",
            StoreError::Open { .. } => "OPEN",
            StoreError::Crypto(_) => "CRYPTO",
            StoreError::EnvironmentMismatch { .. } => "ENVIRONMENT_MISMATCH",
            StoreError::Unsupported { .. } => "UNSUPPORTED",
            StoreError::Snapshot { .. } => "SNAPSHOT",
        }
    }

    /// The domain error, if this is one.
    pub fn as_domain(&self) -> Option<&ElsonError> {
        match self {
            StoreError::Domain(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn storage(operation: &'static str, message: impl Into<String>) -> Self {
        StoreError::Storage { operation, message: message.into() }
    }

    /// A foreign-key violation names no entity on SQLite; the operation,
    /// which knows what it referenced, names it here.
    pub(crate) fn refine_fk(self, entity: &str, id: impl std::fmt::Display) -> Self {
        match self {
            StoreError::Domain(ElsonError::NotFound { entity: e, .. })
                if e == crate::db::FK_ENTITY =>
            {
                StoreError::not_found(entity, id)
            }
            other => other,
        }
    }

    pub(crate) fn not_found(entity: &str, id: impl std::fmt::Display) -> Self {
        StoreError::Domain(ElsonError::NotFound { entity: entity.to_string(), id: id.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(StoreError::not_found("user", "x").code(), "NOT_FOUND");
        assert_eq!(StoreError::storage("op", "m").code(), "STORAGE");
        assert_eq!(StoreError::Busy { operation: "op", attempts: 3 }.code(), "BUSY");
        assert_eq!(StoreError::Open { message: "m".into() }.code(), "OPEN");
        assert!(StoreError::storage("op", "m").as_domain().is_none());
        let e = StoreError::EnvironmentMismatch {
            what: "database",
            found: Some(Environment::Production),
            expected: None,
        };
        assert_eq!(e.code(), "ENVIRONMENT_MISMATCH");
        assert!(e.to_string().contains("PRODUCTION") && e.to_string().contains("no environment"));
        let e = StoreError::Unsupported { operation: "snapshot", hint: "pg_dump".into() };
        assert_eq!(e.code(), "UNSUPPORTED");
        let e = StoreError::Snapshot { path: "x".into(), reason: "corrupt".into() };
        assert_eq!(e.code(), "SNAPSHOT");
    }
}
