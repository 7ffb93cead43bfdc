//! Notifications (DESIGN §4), produced by core as values from domain events;
//! nothing is sent. The store writes them in the same transaction as the
//! change that caused them.
//!
//! - [`notifications_for`]: a [`DomainEvent`] → the notifications it causes.
//! - [`transition`] / [`mark_read`] / [`archive`]: `UNREAD → READ` sets
//!   `read_at`; `ARCHIVED` is final.

mod events;
mod status;

pub use events::*;
pub use status::*;
