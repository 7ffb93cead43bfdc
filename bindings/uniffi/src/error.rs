//! The one error type of the bindings: `ElsonException` in Kotlin (a sealed
//! class, one subclass per kind), `ElsonError` in Swift (an enum with
//! associated values).
//!
//! It mirrors `elson_core::ElsonError` variant by variant, fields included, so
//! that a Kotlin `catch (e: ElsonException.InsufficientFunds)` can read
//! `e.needed` and `e.available` as `BigDecimal`. It is declared here rather
//! than as `remote(Error)` because the core enum is `#[non_exhaustive]`: a
//! variant the core adds later must still cross, as [`ElsonError::Other`]
//! with its stable code, instead of panicking in generated code.

use rust_decimal::Decimal;
use uuid::Uuid;

use elson_core::ElsonError as CoreError;

/// Everything that can go wrong in the SDK, as seen from Kotlin and Swift.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum ElsonError {
    /// A value does not fit its column or its rule, or does not parse (a
    /// malformed decimal string, UUID, date or JSON). `field` names the input.
    #[error("invalid input for `{field}`: {reason}")]
    InvalidInput {
        /// The field, column, argument or type that was rejected.
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A buy needs more cash than the portfolio holds.
    #[error("insufficient funds: needed {needed}, available {available}")]
    InsufficientFunds {
        /// Notional plus fees of the buy.
        needed: Decimal,
        /// Cash balance of the portfolio.
        available: Decimal,
    },
    /// A sell asks for more than the position holds.
    #[error("insufficient quantity of {symbol}: requested {requested}, held {held}")]
    InsufficientQuantity {
        /// The symbol being sold.
        symbol: String,
        /// Quantity the sell asks for.
        requested: Decimal,
        /// Quantity held.
        held: Decimal,
    },
    /// A minor's trade cannot execute before a guardian approved it.
    #[error("trade {trade_id} requires guardian approval")]
    ApprovalRequired {
        /// The trade waiting for approval.
        trade_id: Uuid,
    },
    /// The actor may not perform the action on the resource.
    #[error("forbidden: {reason}")]
    Forbidden {
        /// Why the action was refused.
        reason: String,
    },
    /// A state machine was asked for a transition it does not have.
    #[error("invalid {entity} transition from {from} to {to}")]
    InvalidTransition {
        /// The kind of entity.
        entity: String,
        /// The current state.
        from: String,
        /// The requested state.
        to: String,
    },
    /// An entity referenced by id does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of entity.
        entity: String,
        /// The id that was looked up.
        id: String,
    },
    /// The request conflicts with existing data.
    #[error("conflict: {reason}")]
    Conflict {
        /// What conflicts.
        reason: String,
    },
    /// A buy is larger than the position-sizing limit allows.
    #[error("position limit exceeded: requested {requested}, limit {limit}")]
    PositionLimitExceeded {
        /// Notional of the requested buy.
        requested: Decimal,
        /// Largest buy allowed now.
        limit: Decimal,
    },
    /// A model-generated order's confidence is below the regime's threshold.
    #[error("confidence {score} below threshold {threshold}")]
    ConfidenceTooLow {
        /// The order's confidence score.
        score: Decimal,
        /// The threshold of the current regime.
        threshold: Decimal,
    },
    /// The governing circuit-breaker state does not allow this order.
    #[error("circuit breaker {state} blocks the order: {reason}")]
    TradingHalted {
        /// The governing breaker state, as its seed name.
        state: String,
        /// Why the order is blocked.
        reason: String,
    },
    /// A login or two-factor code was refused (wrong credentials, an expired
    /// challenge, too many failed attempts). The reason never tells an
    /// unknown email from a wrong password.
    #[error("authentication failed: {reason}")]
    AuthenticationFailed {
        /// Why.
        reason: String,
    },
    /// A client command id was already used for a different command or
    /// payload; nothing was done.
    #[error("command {command_id} was already used for another {operation}")]
    IdempotencyConflict {
        /// The reused command id.
        command_id: Uuid,
        /// The operation the id was first used for.
        operation: String,
    },
    /// Encrypted data could not be opened: an unknown or wrong key, a
    /// tampered or moved ciphertext, or encrypted rows read without a key.
    #[error("crypto: {detail}")]
    Crypto {
        /// What failed (never key material).
        detail: String,
    },
    /// The database failed in a way the caller cannot fix by changing the
    /// input (connection lost, disk full). Nothing was written.
    #[error("storage failure in {operation}: {detail}")]
    Storage {
        /// The store operation that failed (`users.insert`, …).
        operation: String,
        /// The database's message, for logs.
        detail: String,
    },
    /// The database stayed locked by other writers past the retry budget.
    /// Nothing was written; retrying later is safe.
    #[error("database busy in {operation} after {attempts} attempts")]
    Busy {
        /// The store operation that gave up.
        operation: String,
        /// How many times it tried.
        attempts: u32,
    },
    /// Opening the database or applying its migrations failed.
    #[error("cannot open store: {detail}")]
    Open {
        /// What went wrong.
        detail: String,
    },
    /// A core error kind this version of the bindings does not know yet
    /// (the core enum is non-exhaustive). `code` is its stable code.
    #[error("{code}: {detail}")]
    Other {
        /// The core's stable code for the error.
        code: String,
        /// The core's message (not `message`: that name is taken by
        /// Kotlin's `Throwable`).
        detail: String,
    },
}

impl ElsonError {
    /// Shorthand for [`ElsonError::InvalidInput`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ElsonError::InvalidInput { field: field.into(), reason: reason.into() }
    }

    /// The stable machine-readable code, the same as the core's
    /// `ElsonError::code()` for the same kind.
    pub fn code(&self) -> String {
        match self {
            ElsonError::InvalidInput { .. } => "INVALID_INPUT".into(),
            ElsonError::InsufficientFunds { .. } => "INSUFFICIENT_FUNDS".into(),
            ElsonError::InsufficientQuantity { .. } => "INSUFFICIENT_QUANTITY".into(),
            ElsonError::ApprovalRequired { .. } => "APPROVAL_REQUIRED".into(),
            ElsonError::Forbidden { .. } => "FORBIDDEN".into(),
            ElsonError::InvalidTransition { .. } => "INVALID_TRANSITION".into(),
            ElsonError::NotFound { .. } => "NOT_FOUND".into(),
            ElsonError::Conflict { .. } => "CONFLICT".into(),
            ElsonError::PositionLimitExceeded { .. } => "POSITION_LIMIT_EXCEEDED".into(),
            ElsonError::ConfidenceTooLow { .. } => "CONFIDENCE_TOO_LOW".into(),
            ElsonError::TradingHalted { .. } => "TRADING_HALTED".into(),
            ElsonError::AuthenticationFailed { .. } => "AUTHENTICATION_FAILED".into(),
            ElsonError::IdempotencyConflict { .. } => "IDEMPOTENCY_CONFLICT".into(),
            ElsonError::Crypto { .. } => "CRYPTO".into(),
            ElsonError::Storage { .. } => "STORAGE".into(),
            ElsonError::Busy { .. } => "BUSY".into(),
            ElsonError::Open { .. } => "OPEN".into(),
            ElsonError::Other { code, .. } => code.clone(),
        }
    }
}

impl From<CoreError> for ElsonError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::InvalidInput { field, reason } => ElsonError::InvalidInput { field, reason },
            CoreError::InsufficientFunds { needed, available } => {
                ElsonError::InsufficientFunds { needed, available }
            }
            CoreError::InsufficientQuantity { symbol, requested, held } => {
                ElsonError::InsufficientQuantity { symbol, requested, held }
            }
            CoreError::ApprovalRequired { trade_id } => ElsonError::ApprovalRequired { trade_id },
            CoreError::Forbidden { reason } => ElsonError::Forbidden { reason },
            CoreError::InvalidTransition { entity, from, to } => {
                ElsonError::InvalidTransition { entity, from, to }
            }
            CoreError::NotFound { entity, id } => ElsonError::NotFound { entity, id },
            CoreError::Conflict { reason } => ElsonError::Conflict { reason },
            CoreError::PositionLimitExceeded { requested, limit } => {
                ElsonError::PositionLimitExceeded { requested, limit }
            }
            CoreError::ConfidenceTooLow { score, threshold } => {
                ElsonError::ConfidenceTooLow { score, threshold }
            }
            CoreError::TradingHalted { state, reason } => {
                ElsonError::TradingHalted { state, reason }
            }
            CoreError::AuthenticationFailed { reason } => {
                ElsonError::AuthenticationFailed { reason }
            }
            CoreError::IdempotencyConflict { command_id, operation } => {
                ElsonError::IdempotencyConflict { command_id, operation }
            }
            // The core enum is non-exhaustive: a kind added after this
            // binding was written still crosses, with its stable code.
            other => {
                ElsonError::Other { code: other.code().to_string(), detail: other.to_string() }
            }
        }
    }
}

impl From<elson_store::StoreError> for ElsonError {
    fn from(e: elson_store::StoreError) -> Self {
        use elson_store::StoreError as S;
        match e {
            S::Domain(core) => core.into(),
            S::Storage { operation, message } => {
                ElsonError::Storage { operation: operation.to_owned(), detail: message }
            }
            S::Busy { operation, attempts } => {
                ElsonError::Busy { operation: operation.to_owned(), attempts }
            }
            S::Open { message } => ElsonError::Open { detail: message },
            S::Crypto(c) => ElsonError::Crypto { detail: c.to_string() },
            // The store's error enum is non-exhaustive.
            other => ElsonError::Other { code: other.code().to_owned(), detail: other.to_string() },
        }
    }
}

/// The stable machine-readable code of an error (`INSUFFICIENT_FUNDS`, …),
/// identical to the core's and to the `error` of the shared test vectors.
#[uniffi::export]
pub fn error_code(error: ElsonError) -> String {
    error.code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_keeps_its_code_and_fields() {
        let id = Uuid::nil();
        let cases = vec![
            CoreError::invalid("email", "empty"),
            CoreError::InsufficientFunds { needed: Decimal::ONE, available: Decimal::ZERO },
            CoreError::InsufficientQuantity {
                symbol: "AAPL".into(),
                requested: Decimal::TWO,
                held: Decimal::ONE,
            },
            CoreError::ApprovalRequired { trade_id: id },
            CoreError::forbidden("not a guardian"),
            CoreError::transition("trade", "EXECUTED", "CANCELLED"),
            CoreError::NotFound { entity: "trade".into(), id: "x".into() },
            CoreError::Conflict { reason: "dup".into() },
            CoreError::PositionLimitExceeded { requested: Decimal::TEN, limit: Decimal::ONE },
            CoreError::ConfidenceTooLow { score: Decimal::ZERO, threshold: Decimal::ONE },
            CoreError::TradingHalted { state: "OPEN".into(), reason: "halted".into() },
            CoreError::AuthenticationFailed { reason: "invalid email or password".into() },
        ];
        for core in cases {
            let ffi = ElsonError::from(core.clone());
            assert_eq!(ffi.code(), core.code());
            assert_eq!(ffi.to_string(), core.to_string());
        }
    }
}
