//! The rules of guardian links beyond one row's state machine
//! ([`Relationship::apply`]): who may be joined, and when a guardian may
//! leave. The store's link commands (`link_guardian`, `accept_link`,
//! `deactivate_link`) ask these before they write.

use uuid::Uuid;

use crate::entities::{Relationship, User};
use crate::enums::{RelationshipStatus, UserRole};
use crate::error::{ElsonError, Result};

/// A link joins a GUARDIAN (the adult who decides) to a MINOR (the child
/// who trades): any other pair would let a user decide for someone who is
/// not a child, or a child decide for another.
///
/// # Errors
/// `InvalidInput` naming the side whose role does not fit.
///
/// # Example
/// ```
/// # use elson_core::entities::{NewUser, User};
/// # use elson_core::enums::UserRole;
/// # use elson_core::families::check_link_parties;
/// # let now = chrono::Utc::now();
/// let hash = format!("$2b$12${}", "a".repeat(53));
/// let adult = User::new(NewUser::new("a@example.com", hash.clone(), UserRole::User), None, now).unwrap();
/// let other = User::new(NewUser::new("b@example.com", hash, UserRole::User), None, now).unwrap();
/// assert!(check_link_parties(&adult, &other).is_err());
/// ```
pub fn check_link_parties(guardian: &User, minor: &User) -> Result<()> {
    if guardian.id == minor.id {
        return Err(ElsonError::invalid("minor_id", "must differ from guardian_id"));
    }
    if guardian.role != UserRole::Guardian {
        return Err(ElsonError::invalid(
            "guardian_id",
            format!("a link's guardian must be a GUARDIAN, not {}", guardian.role),
        ));
    }
    if minor.role != UserRole::Minor {
        return Err(ElsonError::invalid(
            "minor_id",
            format!("a link's minor must be a MINOR, not {}", minor.role),
        ));
    }
    Ok(())
}

/// Ending `link` must leave its minor with a guardian (DESIGN §3: a MINOR
/// has at least one ACTIVE or PENDING guardian link, and trading needs an
/// ACTIVE one). `links` are all the minor's links, `link` among them.
///
/// # Errors
/// `Conflict` when `link` is the minor's last ACTIVE link.
pub fn check_guardian_may_leave(link: &Relationship, links: &[Relationship]) -> Result<()> {
    if link.status != RelationshipStatus::Active {
        return Ok(());
    }
    let others = links.iter().any(|l| {
        l.id != link.id && l.minor_id == link.minor_id && l.status == RelationshipStatus::Active
    });
    if others {
        Ok(())
    } else {
        Err(ElsonError::Conflict {
            reason: format!(
                "relationship {} is the last ACTIVE guardian link of minor {}: a minor keeps one",
                link.id, link.minor_id
            ),
        })
    }
}

/// Whether `minor_id` has a link ACTIVE or PENDING with some guardian in
/// `links` (what a MINOR needs to exist, DESIGN §3).
pub fn has_guardian(minor_id: Uuid, links: &[Relationship]) -> bool {
    links.iter().any(|l| {
        l.minor_id == minor_id
            && matches!(l.status, RelationshipStatus::Active | RelationshipStatus::Pending)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::NewRelationship;
    use crate::enums::RelationshipType;
    use chrono::Utc;

    fn link(guardian: Uuid, minor: Uuid, status: RelationshipStatus) -> Relationship {
        let mut n = NewRelationship::new(guardian, minor, RelationshipType::Parent);
        n.status = status;
        Relationship::new(n, None, Utc::now()).unwrap()
    }

    #[test]
    fn the_last_active_guardian_may_not_leave() {
        let minor = Uuid::new_v4();
        let a = link(Uuid::new_v4(), minor, RelationshipStatus::Active);
        let pending = link(Uuid::new_v4(), minor, RelationshipStatus::Pending);
        let err = check_guardian_may_leave(&a, &[a.clone(), pending.clone()]).unwrap_err();
        assert_eq!(err.code(), "CONFLICT");
        let b = link(Uuid::new_v4(), minor, RelationshipStatus::Active);
        assert!(check_guardian_may_leave(&a, &[a.clone(), b.clone()]).is_ok());
        // A pending link may always be withdrawn.
        assert!(check_guardian_may_leave(&pending, &[a, pending.clone()]).is_ok());
    }

    #[test]
    fn has_guardian_counts_active_and_pending_links_of_that_minor() {
        let minor = Uuid::new_v4();
        assert!(!has_guardian(minor, &[link(Uuid::new_v4(), minor, RelationshipStatus::Inactive)]));
        assert!(has_guardian(minor, &[link(Uuid::new_v4(), minor, RelationshipStatus::Pending)]));
        assert!(!has_guardian(
            minor,
            &[link(Uuid::new_v4(), Uuid::new_v4(), RelationshipStatus::Active)]
        ));
    }
}
