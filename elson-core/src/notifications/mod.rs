//! Notifications (DESIGN §4), produced by core as values from domain events;
//! nothing is sent. The store writes them in the same transaction as the
//! change that caused them.
//!
//! - [`notifications_for`]: a [`DomainEvent`] → the notifications it causes.
//! - [`NotificationEvent`] and [`Notification::apply`](crate::entities::Notification::apply): the one status
//!   machine (`UNREAD → READ` sets `read_at`; `ARCHIVED` is final; a
//!   repeated event is a no-op), re-exported here from
//!   [`crate::entities`] so callers of either path share it.

mod events;

pub use crate::entities::NotificationEvent;
pub use events::*;
