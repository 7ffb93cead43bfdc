//! Who is acting: every store call takes the core's
//! [`Actor`](elson_core::families::Actor) — the same type
//! `elson_core::families::authorize` decides on.
//!
//! Today the store only passes the actor to the [`crate::AuditHook`]; the
//! security layer (issue 5) will ask `authorize` with it before every call
//! and set it as the per-transaction user for PostgreSQL row-level security.
//! Taking it on every call now means that change touches no caller.

use elson_core::enums::{UserRole, UserStatus};
pub use elson_core::families::Actor;
use uuid::Uuid;

/// The SDK itself (market-data feeds, schedulers, demo-data generators):
/// an ACTIVE ADMIN under the nil id, audited like anyone else.
pub const fn system_actor() -> Actor {
    Actor { id: Uuid::nil(), role: UserRole::Admin, status: UserStatus::Active }
}
