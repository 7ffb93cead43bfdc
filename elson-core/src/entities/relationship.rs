use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{RelationshipStatus, RelationshipType};
use crate::families::{ApprovalSettings, Permissions};

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
