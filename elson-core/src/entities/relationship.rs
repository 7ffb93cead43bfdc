use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{RelationshipStatus, RelationshipType};
use crate::error::{ElsonError, Result};
use crate::families::{ApprovalSettings, Permissions};

checked_entity! {
    /// A guardian–minor link (table `relationships`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Relationship {
        /// Primary key.
        pub id: Uuid,
        /// The guardian (a user with role GUARDIAN).
        pub guardian_id: Uuid,
        /// The minor (a user with role MINOR).
        pub minor_id: Uuid,
        /// PARENT, LEGAL_GUARDIAN or OTHER.
        pub relationship_type: RelationshipType,
        /// Creation.
        pub created_at: DateTime<Utc>,
        /// Last update.
        pub updated_at: DateTime<Utc>,
        /// ACTIVE, INACTIVE or PENDING; trading needs ACTIVE.
        pub status: RelationshipStatus,
        /// Guardian approval settings (JSON column, typed here).
        pub approval_settings: ApprovalSettings,
        /// Permissions granted to the minor (JSON column, typed here).
        pub permissions: Permissions,
    }
}

/// Everything a caller chooses when linking a guardian and a minor; the id
/// and timestamps are filled in by [`Relationship::new`].
///
/// Start from [`NewRelationship::new`] (PENDING, default settings and
/// permissions) and override fields with struct-update syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRelationship {
    /// The guardian.
    pub guardian_id: Uuid,
    /// The minor; must differ from the guardian.
    pub minor_id: Uuid,
    /// PARENT, LEGAL_GUARDIAN or OTHER.
    pub relationship_type: RelationshipType,
    /// Initial status; default PENDING (a link is confirmed before it lets
    /// a minor trade).
    pub status: RelationshipStatus,
    /// Default [`ApprovalSettings::default`].
    pub approval_settings: ApprovalSettings,
    /// Default [`Permissions::default`].
    pub permissions: Permissions,
}

impl NewRelationship {
    /// The required values, with status PENDING and default settings and
    /// permissions (DESIGN §3).
    pub fn new(guardian_id: Uuid, minor_id: Uuid, relationship_type: RelationshipType) -> Self {
        NewRelationship {
            guardian_id,
            minor_id,
            relationship_type,
            status: RelationshipStatus::Pending,
            approval_settings: ApprovalSettings::default(),
            permissions: Permissions::default(),
        }
    }
}

/// What can happen to a relationship's status.
///
/// | from     | event      | to       | why                                             |
/// |----------|------------|----------|-------------------------------------------------|
/// | PENDING  | `Activate` | ACTIVE   | the link is confirmed                           |
/// | PENDING  | `Deactivate` | INACTIVE | the invitation is declined or withdrawn       |
/// | ACTIVE   | `Deactivate` | INACTIVE | the guardian steps down or access is revoked  |
/// | INACTIVE | `Reinvite` | PENDING  | a new confirmation is needed: the link may never have been confirmed |
///
/// Every other pair is [`ElsonError::InvalidTransition`], including a
/// repeat of the current status: status changes are deliberate acts that
/// change who may approve trades, so a caller must learn that nothing
/// happened. ACTIVE never goes back to PENDING and INACTIVE never jumps
/// straight to ACTIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationshipEvent {
    /// Confirm a PENDING link.
    Activate,
    /// End a PENDING or ACTIVE link.
    Deactivate,
    /// Ask again for confirmation of an INACTIVE link.
    Reinvite,
}

impl RelationshipEvent {
    /// The status the event aims at, used to name it in errors.
    pub const fn target(self) -> RelationshipStatus {
        match self {
            RelationshipEvent::Activate => RelationshipStatus::Active,
            RelationshipEvent::Deactivate => RelationshipStatus::Inactive,
            RelationshipEvent::Reinvite => RelationshipStatus::Pending,
        }
    }
}

impl Relationship {
    /// Creates a guardian–minor link after checking its columns.
    ///
    /// The roles of the two users are not visible here; checking that
    /// `guardian_id` is a GUARDIAN and `minor_id` a MINOR is the job of
    /// [`crate::families`], which has the users. `id` is used when given,
    /// else a fresh UUID v4; `created_at = updated_at = now`.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] on `minor_id` when it equals
    /// `guardian_id`, or on `approval_settings.*` when an amount does not fit
    /// a money column ([`ApprovalSettings::validate`]).
    pub fn new(
        params: NewRelationship,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Relationship> {
        let NewRelationship {
            guardian_id,
            minor_id,
            relationship_type,
            status,
            approval_settings,
            permissions,
        } = params;
        let relationship = Relationship {
            id: id.unwrap_or_else(Uuid::new_v4),
            guardian_id,
            minor_id,
            relationship_type,
            created_at: now,
            updated_at: now,
            status,
            approval_settings,
            permissions,
        };
        relationship.validate()?;
        Ok(relationship)
    }

    /// Checks a whole row by the rules of [`Relationship::new`]: two
    /// different people, and approval settings whose amounts fit money
    /// columns (the JSON columns' keys and types are already strict in
    /// serde). serde runs it on every relationship it reads (issue 14
    /// item 3).
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] on `minor_id` or `approval_settings.*`.
    pub fn validate(&self) -> Result<()> {
        if self.guardian_id == self.minor_id {
            return Err(ElsonError::invalid("minor_id", "must differ from guardian_id"));
        }
        self.approval_settings.validate()
    }

    /// Applies `event` per the table on [`RelationshipEvent`] and stamps
    /// `updated_at = now`.
    ///
    /// # Errors
    /// [`ElsonError::InvalidTransition`] (entity `relationship`) for a pair
    /// not in the table; the relationship is left unchanged.
    pub fn apply(&mut self, event: RelationshipEvent, now: DateTime<Utc>) -> Result<()> {
        use RelationshipEvent as E;
        use RelationshipStatus as S;
        let to = match (self.status, event) {
            (S::Pending, E::Activate) => S::Active,
            (S::Pending, E::Deactivate) => S::Inactive,
            (S::Active, E::Deactivate) => S::Inactive,
            (S::Inactive, E::Reinvite) => S::Pending,
            // Repeats are refused so a caller learns nothing changed.
            (S::Active, E::Activate) | (S::Inactive, E::Deactivate) | (S::Pending, E::Reinvite) => {
                return Err(ElsonError::transition("relationship", self.status, event.target()));
            }
            // A confirmed link never needs re-confirmation, and an ended one
            // must be confirmed again before it counts.
            (S::Active, E::Reinvite) | (S::Inactive, E::Activate) => {
                return Err(ElsonError::transition("relationship", self.status, event.target()));
            }
        };
        // After this point the transition succeeds.
        self.status = to;
        self.updated_at = now;
        debug_assert_eq!(self.status, event.target(), "Invariant: the event reached its target");
        Ok(())
    }

    /// Confirms a PENDING link: PENDING → ACTIVE.
    ///
    /// # Errors
    /// [`ElsonError::InvalidTransition`] from any other status.
    pub fn activate(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.apply(RelationshipEvent::Activate, now)
    }

    /// Ends a link: PENDING or ACTIVE → INACTIVE.
    ///
    /// # Errors
    /// [`ElsonError::InvalidTransition`] when already INACTIVE.
    pub fn deactivate(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.apply(RelationshipEvent::Deactivate, now)
    }

    /// Asks again for confirmation: INACTIVE → PENDING.
    ///
    /// # Errors
    /// [`ElsonError::InvalidTransition`] from any other status.
    pub fn reinvite(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.apply(RelationshipEvent::Reinvite, now)
    }

    /// Replaces the link's permissions and approval settings (the
    /// `update_link_settings` command). The two people a link joins never
    /// change: a link to another child is a new link, verified anew.
    ///
    /// # Errors
    /// `InvalidInput` for settings the core refuses; `InvalidTransition` for
    /// an INACTIVE link (ended links are not edited; reinvite first).
    pub fn update_settings(
        &mut self,
        permissions: Permissions,
        approval_settings: ApprovalSettings,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.status == RelationshipStatus::Inactive {
            return Err(ElsonError::transition("relationship", self.status, "settings change"));
        }
        approval_settings.validate()?;
        self.permissions = permissions;
        self.approval_settings = approval_settings;
        self.updated_at = now;
        Ok(())
    }
}
