//! Who is a minor, and whether a minor's account is in good standing
//! (DESIGN §3).
//!
//! Minor-ness follows the role: a user with role MINOR is judged by these
//! rules, a user with any other role is not a minor whatever their age. A
//! MINOR who turned 18 is an inconsistency the store must fix by changing
//! the role, so it is reported as an error rather than silently treated as an
//! adult (which would drop the guardians' rules without anyone deciding so).

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::entities::{Relationship, User};
use crate::enums::{RelationshipStatus, UserRole};
use crate::error::{ElsonError, Result};

/// Age at which a person stops being a minor.
pub const AGE_OF_MAJORITY: u32 = 18;

/// What [`check_minor`] found about a minor in good standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinorStanding {
    /// Age in whole years on the day asked about (always < 18).
    pub age: u32,
    /// Guardians with an ACTIVE relationship, sorted, without duplicates.
    pub active_guardian_ids: Vec<Uuid>,
    /// Guardians with a PENDING relationship, sorted, without duplicates.
    pub pending_guardian_ids: Vec<Uuid>,
    /// True when at least one ACTIVE relationship grants `permissions.trading`.
    /// Trade-level rules (LIMIT orders, amounts, …) are the approval
    /// decision's job; see [`crate::families::decide`].
    pub can_trade: bool,
}

/// Age in whole years on `today`; the birthday counts from its own day (a
/// 29 February birthday counts from 1 March in common years).
///
/// # Errors
/// [`ElsonError::InvalidInput`] on `date_of_birth` when it lies after `today`.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use elson_core::families::age_on;
/// let dob = NaiveDate::from_ymd_opt(2010, 6, 15).unwrap();
/// assert_eq!(age_on(dob, NaiveDate::from_ymd_opt(2028, 6, 14).unwrap()).unwrap(), 17);
/// assert_eq!(age_on(dob, NaiveDate::from_ymd_opt(2028, 6, 15).unwrap()).unwrap(), 18);
/// ```
pub fn age_on(date_of_birth: NaiveDate, today: NaiveDate) -> Result<u32> {
    if date_of_birth > today {
        return Err(ElsonError::invalid(
            "date_of_birth",
            format!("{date_of_birth} is after {today}"),
        ));
    }
    let birthday_passed =
        (today.month(), today.day()) >= (date_of_birth.month(), date_of_birth.day());
    // today ≥ date_of_birth, so the year difference is ≥ 0 and fits u32.
    let years = u32::try_from(today.year() - date_of_birth.year())
        .map_err(|_| ElsonError::invalid("date_of_birth", "year out of range"))?;
    Ok(if birthday_passed { years } else { years.saturating_sub(1) })
}

/// Checks that `user` is a minor in good standing on `today`: role MINOR, a
/// date of birth, under 18, and at least one ACTIVE or PENDING relationship
/// with a guardian. Relationships of other minors in `relationships` are
/// ignored, so a caller may pass a broader query result.
///
/// # Errors
/// - [`ElsonError::InvalidInput`] on `role` when the user is not a MINOR;
/// - on `date_of_birth` when it is missing, after `today`, or makes the user
///   18 or older;
/// - on `relationships` when no ACTIVE or PENDING guardian relationship exists.
///
/// # Example
/// ```
/// # use chrono::{NaiveDate, TimeZone, Utc};
/// # use elson_core::entities::{Relationship, User};
/// # use elson_core::enums::*;
/// # use elson_core::families::{check_minor, ApprovalSettings, Permissions};
/// # use uuid::Uuid;
/// # let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let minor = User { id: Uuid::new_v4(), email: "kid@example.com".into(), password_hash: "$2b$12$x".into(),
/// #   role: UserRole::Minor, first_name: None, last_name: None,
/// #   date_of_birth: NaiveDate::from_ymd_opt(2014, 3, 1), created_at: t, updated_at: t, last_login: None,
/// #   status: UserStatus::Active, two_factor_enabled: false, two_factor_secret: None,
/// #   risk_profile: RiskProfile::Low, education_progress: None, preferences: None, beta_feedback: None };
/// let guardian_id = Uuid::new_v4();
/// let link = Relationship { id: Uuid::new_v4(), guardian_id, minor_id: minor.id,
///     relationship_type: RelationshipType::Parent, created_at: t, updated_at: t,
///     status: RelationshipStatus::Active, approval_settings: ApprovalSettings::default(),
///     permissions: Permissions { trading: true, ..Permissions::default() } };
/// let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
/// let standing = check_minor(&minor, &[link], today).unwrap();
/// assert_eq!(standing.age, 12);
/// assert!(standing.can_trade);
/// assert_eq!(standing.active_guardian_ids, vec![guardian_id]);
/// ```
pub fn check_minor(
    user: &User,
    relationships: &[Relationship],
    today: NaiveDate,
) -> Result<MinorStanding> {
    if user.role != UserRole::Minor {
        return Err(ElsonError::invalid("role", format!("{} is not MINOR", user.role)));
    }
    let Some(date_of_birth) = user.date_of_birth else {
        return Err(ElsonError::invalid("date_of_birth", "a MINOR must have a date of birth"));
    };
    let age = age_on(date_of_birth, today)?;
    if age >= AGE_OF_MAJORITY {
        return Err(ElsonError::invalid(
            "date_of_birth",
            format!(
                "a MINOR must be under {AGE_OF_MAJORITY} on {today}, but is {age}; change the role"
            ),
        ));
    }
    let own: Vec<&Relationship> = relationships.iter().filter(|r| r.minor_id == user.id).collect();
    let ids_with = |status: RelationshipStatus| {
        let mut ids: Vec<Uuid> =
            own.iter().filter(|r| r.status == status).map(|r| r.guardian_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let active_guardian_ids = ids_with(RelationshipStatus::Active);
    let pending_guardian_ids = ids_with(RelationshipStatus::Pending);
    if active_guardian_ids.is_empty() && pending_guardian_ids.is_empty() {
        return Err(ElsonError::invalid(
            "relationships",
            "a MINOR needs at least one ACTIVE or PENDING guardian relationship",
        ));
    }
    let can_trade =
        own.iter().any(|r| r.status == RelationshipStatus::Active && r.permissions.trading);
    Ok(MinorStanding { age, active_guardian_ids, pending_guardian_ids, can_trade })
}

/// The ACTIVE relationships of `minor_id` among `relationships`, in input
/// order. These are the guardians whose rules apply and who may decide.
pub fn active_relationships_of(
    minor_id: Uuid,
    relationships: &[Relationship],
) -> impl Iterator<Item = &Relationship> {
    relationships
        .iter()
        .filter(move |r| r.minor_id == minor_id && r.status == RelationshipStatus::Active)
}

/// The guardians with an ACTIVE relationship to `minor_id`, sorted, without
/// duplicates: the recipients of a minor's approval and trade notifications.
pub fn active_guardian_ids(minor_id: Uuid, relationships: &[Relationship]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> =
        active_relationships_of(minor_id, relationships).map(|r| r.guardian_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
