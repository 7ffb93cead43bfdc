//! Who is acting: every store call takes an [`Actor`].
//!
//! Today the store only passes the actor to the [`crate::AuditHook`]; the
//! security layer (issue 5) will ask `elson_core`'s `authorize` with it before
//! every call and set it as the per-transaction user for PostgreSQL
//! row-level security. Taking it on every call now means that change touches
//! no caller.

use elson_core::enums::UserRole;
use uuid::Uuid;

/// The user on whose behalf a store call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Actor {
    /// The acting user's id (`Uuid::nil()` for the system itself).
    pub user_id: Uuid,
    /// The acting user's role.
    pub role: UserRole,
}

impl Actor {
    /// An actor for a user with a role.
    pub const fn new(user_id: Uuid, role: UserRole) -> Self {
        Actor { user_id, role }
    }

    /// The SDK itself: market-data feeds, schedulers, demo-data generators.
    /// Audited like anyone else, under the nil id.
    pub const fn system() -> Self {
        Actor { user_id: Uuid::nil(), role: UserRole::Admin }
    }

    /// Whether this is [`Actor::system`].
    pub fn is_system(&self) -> bool {
        self.user_id.is_nil()
    }
}
