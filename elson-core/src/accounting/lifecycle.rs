//! The trade state machine (DESIGN §2): `PENDING → EXECUTED | CANCELLED |
//! REJECTED`; nothing leaves a final state.
//!
//! One exhaustive `(status, event)` table decides every transition
//! ([`next_status`]); [`Trade::cancel`], [`Trade::reject`] and
//! [`crate::accounting::Book::execute`] all go through it, so no code sets a
//! trade's status by hand.

use crate::entities::Trade;
use crate::enums::TradeStatus;
use crate::error::{ElsonError, Result};
use crate::limits::TextLimit;

/// Something that can happen to a trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TradeEvent {
    /// The order was filled (see [`crate::accounting::Book::execute`]).
    Execute,
    /// The owner withdrew the order before it was filled.
    Cancel,
    /// The platform or a guardian refused the order.
    Reject,
}

impl TradeEvent {
    /// The status this event leads to from PENDING (used in error messages).
    pub const fn target(self) -> TradeStatus {
        match self {
            TradeEvent::Execute => TradeStatus::Executed,
            TradeEvent::Cancel => TradeStatus::Cancelled,
            TradeEvent::Reject => TradeStatus::Rejected,
        }
    }
}

/// The trade state machine: the status after `event` happens in `status`.
///
/// # Errors
/// [`ElsonError::InvalidTransition`] (`entity` = `"trade"`) for every event
/// on a final status (EXECUTED, CANCELLED, REJECTED).
///
/// # Example
/// ```
/// use elson_core::accounting::{next_status, TradeEvent};
/// use elson_core::enums::TradeStatus;
///
/// assert_eq!(next_status(TradeStatus::Pending, TradeEvent::Cancel).unwrap(), TradeStatus::Cancelled);
/// assert!(next_status(TradeStatus::Executed, TradeEvent::Cancel).is_err());
/// ```
pub const fn next_status(status: TradeStatus, event: TradeEvent) -> Result<TradeStatus, Refused> {
    use TradeEvent as E;
    use TradeStatus as S;
    match (status, event) {
        (S::Pending, E::Execute) => Ok(S::Executed),
        (S::Pending, E::Cancel) => Ok(S::Cancelled),
        (S::Pending, E::Reject) => Ok(S::Rejected),
        // A filled order cannot be undone: a reversal is a new, opposite trade.
        (S::Executed, _) => Err(Refused { from: status, event }),
        // Cancelled and rejected orders never come back; the owner places a new one.
        (S::Cancelled | S::Rejected, _) => Err(Refused { from: status, event }),
    }
}

/// A refused transition; converts into [`ElsonError::InvalidTransition`].
///
/// Kept allocation-free so [`next_status`] can be `const` and the execution
/// hot path only builds the error text when it actually fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// The status the trade is in.
    pub from: TradeStatus,
    /// The event that was refused.
    pub event: TradeEvent,
}

impl From<Refused> for ElsonError {
    fn from(r: Refused) -> Self {
        ElsonError::transition("trade", r.from, r.event.target())
    }
}

impl Trade {
    /// Cancels a PENDING trade (the owner withdrew it).
    ///
    /// # Errors
    /// [`ElsonError::InvalidTransition`] when the trade is not PENDING.
    pub fn cancel(&mut self) -> Result<()> {
        let next = next_status(self.status, TradeEvent::Cancel)?;
        // After this point it must succeed.
        self.status = next;
        Ok(())
    }

    /// Rejects a PENDING trade; `reason` becomes the trade's `notes` (the
    /// data model keeps the rejection reason there, replacing earlier notes).
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `reason` when it is empty or longer
    /// than a TEXT column allows; [`ElsonError::InvalidTransition`] when the
    /// trade is not PENDING.
    pub fn reject(&mut self, reason: &str) -> Result<()> {
        TextLimit::TEXT.check("reason", reason)?;
        if reason.trim().is_empty() {
            return Err(ElsonError::invalid("reason", "must not be empty"));
        }
        let next = next_status(self.status, TradeEvent::Reject)?;
        // After this point it must succeed.
        self.status = next;
        self.notes = Some(reason.to_owned());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TradeEvent as E;
    use TradeStatus as S;

    #[test]
    fn every_row_of_the_table() {
        let table = [
            (S::Pending, E::Execute, Some(S::Executed)),
            (S::Pending, E::Cancel, Some(S::Cancelled)),
            (S::Pending, E::Reject, Some(S::Rejected)),
            (S::Executed, E::Execute, None),
            (S::Executed, E::Cancel, None),
            (S::Executed, E::Reject, None),
            (S::Cancelled, E::Execute, None),
            (S::Cancelled, E::Cancel, None),
            (S::Cancelled, E::Reject, None),
            (S::Rejected, E::Execute, None),
            (S::Rejected, E::Cancel, None),
            (S::Rejected, E::Reject, None),
        ];
        assert_eq!(table.len(), S::ALL.len() * 3, "every (status, event) pair listed");
        for (from, event, expected) in table {
            match (next_status(from, event), expected) {
                (Ok(got), Some(want)) => assert_eq!(got, want, "{from} {event:?}"),
                (Err(refused), None) => {
                    let err = ElsonError::from(refused);
                    assert_eq!(err.code(), "INVALID_TRANSITION");
                    assert_eq!(
                        err,
                        ElsonError::InvalidTransition {
                            entity: "trade".into(),
                            from: from.to_string(),
                            to: event.target().to_string(),
                        }
                    );
                }
                (got, want) => panic!("{from} {event:?}: got {got:?}, want {want:?}"),
            }
        }
    }
}
