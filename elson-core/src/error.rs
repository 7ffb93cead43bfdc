//! The one error type of the core.
//!
//! Every fallible function of `elson-core` returns [`Result<T>`]. Each variant
//! names the rule that was broken and carries the values a caller needs to
//! explain it; [`ElsonError::code`] gives a stable, machine-readable code that
//! crosses FFI boundaries and ends up in logs and databases unchanged.

use rust_decimal::Decimal;
use uuid::Uuid;

/// Result alias used across the core.
pub type Result<T, E = ElsonError> = std::result::Result<T, E>;

/// Everything that can go wrong in the domain core.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ElsonError {
    /// A value does not fit its column or its rule (length, precision, range,
    /// NaN in a price series, malformed JSON …). `field` names the input.
    #[error("invalid input for `{field}`: {reason}")]
    InvalidInput {
        /// The field, column or argument that was rejected.
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
        /// Quantity held in the portfolio.
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
        /// The kind of entity (`trade`, `notification`, …).
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
    /// The request conflicts with existing data (duplicate email, overlapping
    /// parameter intervals, a trade id reused with different contents …).
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
    /// A login did not prove who the caller is: unknown email or wrong
    /// password (one message for both, so a caller cannot probe which emails
    /// exist), or a wrong, expired or already used two-factor code.
    #[error("authentication failed: {reason}")]
    AuthenticationFailed {
        /// What failed, worded so it reveals nothing about other accounts.
        reason: String,
    },
    /// A client command id was used before for a different command or
    /// payload (TigerBeetle's "exists with different fields"): the retry is
    /// not the same command, and nothing was done.
    #[error("command {command_id} was already used for another {operation} (different payload)")]
    IdempotencyConflict {
        /// The reused command id.
        command_id: Uuid,
        /// The operation the id was first used for.
        operation: String,
    },
}

impl ElsonError {
    /// A stable machine-readable code for the variant (`INVALID_INPUT`, …).
    pub fn code(&self) -> &'static str {
        match self {
            ElsonError::InvalidInput { .. } => "INVALID_INPUT",
            ElsonError::InsufficientFunds { .. } => "INSUFFICIENT_FUNDS",
            ElsonError::InsufficientQuantity { .. } => "INSUFFICIENT_QUANTITY",
            ElsonError::ApprovalRequired { .. } => "APPROVAL_REQUIRED",
            ElsonError::Forbidden { .. } => "FORBIDDEN",
            ElsonError::InvalidTransition { .. } => "INVALID_TRANSITION",
            ElsonError::NotFound { .. } => "NOT_FOUND",
            ElsonError::Conflict { .. } => "CONFLICT",
            ElsonError::PositionLimitExceeded { .. } => "POSITION_LIMIT_EXCEEDED",
            ElsonError::ConfidenceTooLow { .. } => "CONFIDENCE_TOO_LOW",
            ElsonError::TradingHalted { .. } => "TRADING_HALTED",
            ElsonError::AuthenticationFailed { .. } => "AUTHENTICATION_FAILED",
            ElsonError::IdempotencyConflict { .. } => "IDEMPOTENCY_CONFLICT",
        }
    }

    /// Shorthand for [`ElsonError::InvalidInput`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ElsonError::InvalidInput { field: field.into(), reason: reason.into() }
    }

    /// Shorthand for [`ElsonError::Forbidden`].
    pub fn forbidden(reason: impl Into<String>) -> Self {
        ElsonError::Forbidden { reason: reason.into() }
    }

    /// Shorthand for [`ElsonError::InvalidTransition`].
    pub fn transition(
        entity: impl Into<String>,
        from: impl std::fmt::Display,
        to: impl std::fmt::Display,
    ) -> Self {
        ElsonError::InvalidTransition {
            entity: entity.into(),
            from: from.to_string(),
            to: to.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_messages_name_the_field() {
        let e = ElsonError::invalid("email", "empty");
        assert_eq!(e.code(), "INVALID_INPUT");
        assert_eq!(e.to_string(), "invalid input for `email`: empty");
        let e = ElsonError::transition("trade", "EXECUTED", "CANCELLED");
        assert_eq!(e.code(), "INVALID_TRANSITION");
        assert!(e.to_string().contains("EXECUTED"));
        let e = ElsonError::AuthenticationFailed { reason: "invalid email or password".into() };
        assert_eq!(e.code(), "AUTHENTICATION_FAILED");
        assert_eq!(e.to_string(), "authentication failed: invalid email or password");
    }
}
