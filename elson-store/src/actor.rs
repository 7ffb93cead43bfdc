//! Who is acting: every store call takes the core's
//! [`Actor`](elson_core::families::Actor) — the same type
//! `elson_core::families::authorize` decides on.
//!
//! The store takes only the actor's **id** from the caller: before every
//! call it reads the actor's current role and status from `users` (so a
//! suspended user, or a caller claiming a role the user does not have, is
//! refused), asks `authorize`, sets the actor as the per-transaction user of
//! PostgreSQL row-level security, and writes the `audit_log` row. The one
//! exception is [`system_actor`], which is not a user row.

pub use elson_core::families::Actor;

/// The SDK itself: [`Actor::system`], an ACTIVE ADMIN under the nil id.
/// Trusted in-process code (payment webhooks, market feeds, schedulers,
/// demo-data generators) acts as it; `authorize` grants it everything and
/// every call it makes is written to `audit_log`.
pub const fn system_actor() -> Actor {
    Actor::system()
}
