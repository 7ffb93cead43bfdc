use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{RiskProfile, UserRole, UserStatus};
use crate::error::{ElsonError, Result};
use crate::limits::TextLimit;

checked_entity! {
    /// A person using the platform: a regular user, a guardian, a minor or an admin
    /// (table `users`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct User {
        /// Primary key.
        pub id: Uuid,
        /// Login key, unique, normalized to lower case.
        pub email: String,
        /// bcrypt hash (`$2b$…`); never the password.
        pub password_hash: String,
        /// USER, GUARDIAN, MINOR or ADMIN.
        pub role: UserRole,
        /// Given name (PII; encrypted at rest by the store).
        pub first_name: Option<String>,
        /// Family name (PII; encrypted at rest by the store).
        pub last_name: Option<String>,
        /// Date of birth; required for a MINOR.
        pub date_of_birth: Option<NaiveDate>,
        /// Account creation.
        pub created_at: DateTime<Utc>,
        /// Last update.
        pub updated_at: DateTime<Utc>,
        /// Last successful login.
        pub last_login: Option<DateTime<Utc>>,
        /// ACTIVE, INACTIVE, SUSPENDED or BETA_TESTER.
        pub status: UserStatus,
        /// Whether 2FA has been verified once and is enforced.
        pub two_factor_enabled: bool,
        /// TOTP secret (encrypted at rest by the store).
        pub two_factor_secret: Option<String>,
        /// Drives the largest position a buy may open.
        pub risk_profile: RiskProfile,
        /// Progress in educational modules (free-form JSON).
        pub education_progress: Option<serde_json::Value>,
        /// User preferences (free-form JSON).
        pub preferences: Option<serde_json::Value>,
        /// Beta tester feedback.
        pub beta_feedback: Option<String>,
    }
}

/// Everything a caller chooses when creating a [`User`]; the id, timestamps
/// and login state are filled in by [`User::new`].
///
/// Start from [`NewUser::new`] (the three required values, defaults for the
/// rest) and override fields with struct-update syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// Login key; trimmed and lower-cased by [`User::new`].
    pub email: String,
    /// A bcrypt hash (`$2a$`, `$2b$` or `$2y$`, 60 characters). The core
    /// never sees passwords: hashing happens in the store.
    pub password_hash: String,
    /// USER, GUARDIAN, MINOR or ADMIN.
    pub role: UserRole,
    /// Given name, VARCHAR(100).
    pub first_name: Option<String>,
    /// Family name, VARCHAR(100).
    pub last_name: Option<String>,
    /// Required for a MINOR, who must be under 18 on the creation day.
    pub date_of_birth: Option<NaiveDate>,
    /// Default ACTIVE.
    pub status: UserStatus,
    /// Default false; true needs a `two_factor_secret`.
    pub two_factor_enabled: bool,
    /// TOTP secret as stored (encrypted by the store), VARCHAR(255).
    pub two_factor_secret: Option<String>,
    /// Default MODERATE.
    pub risk_profile: RiskProfile,
    /// Free-form JSON; `Some(null)` is stored as `None`.
    pub education_progress: Option<serde_json::Value>,
    /// Free-form JSON; `Some(null)` is stored as `None`.
    pub preferences: Option<serde_json::Value>,
    /// Beta tester feedback, TEXT.
    pub beta_feedback: Option<String>,
}

impl NewUser {
    /// The required values, with defaults for everything else: status
    /// ACTIVE, risk profile MODERATE, no names, no date of birth, no 2FA.
    pub fn new(email: impl Into<String>, password_hash: impl Into<String>, role: UserRole) -> Self {
        NewUser {
            email: email.into(),
            password_hash: password_hash.into(),
            role,
            first_name: None,
            last_name: None,
            date_of_birth: None,
            status: UserStatus::Active,
            two_factor_enabled: false,
            two_factor_secret: None,
            risk_profile: RiskProfile::Moderate,
            education_progress: None,
            preferences: None,
            beta_feedback: None,
        }
    }
}

/// Age at which a person stops being a minor (DESIGN §3).
pub const ADULT_AGE: u32 = 18;

/// Length of every bcrypt hash in modular-crypt format: `$2b$` + 2 cost
/// digits + `$` + 22 salt characters + 31 hash characters.
const BCRYPT_HASH_LEN: usize = 60;

impl User {
    /// Creates a user after checking every column limit.
    ///
    /// The email is trimmed and lower-cased (it is the login key, DESIGN §10)
    /// before it is checked. `id` is used when given (rows created offline),
    /// else a fresh UUID v4. `created_at = updated_at = now`; the MINOR age
    /// rule is evaluated on `now`'s UTC date.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the column:
    /// - `email`: empty, longer than 255 characters, not exactly one `@`, an
    ///   empty local or domain part, or whitespace/control characters inside;
    /// - `password_hash`: not a bcrypt hash (`$2a$`/`$2b$`/`$2y$`, cost
    ///   04–31, 60 characters of the bcrypt alphabet);
    /// - `first_name`, `last_name`: empty or longer than 100 characters;
    /// - `date_of_birth`: after `now`'s date, missing for a MINOR, or making
    ///   a MINOR 18 or older;
    /// - `two_factor_secret`: empty or longer than 255 characters, or missing
    ///   while `two_factor_enabled`;
    /// - `beta_feedback`: longer than the TEXT bound.
    ///
    /// # Example
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use elson_core::entities::{NewUser, User};
    /// use elson_core::enums::UserRole;
    ///
    /// let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    /// let hash = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
    /// let user = User::new(
    ///     NewUser {
    ///         date_of_birth: NaiveDate::from_ymd_opt(2012, 5, 4),
    ///         ..NewUser::new("  Kid@Example.COM ", hash, UserRole::Minor)
    ///     },
    ///     None,
    ///     now,
    /// )?;
    /// assert_eq!(user.email, "kid@example.com");
    /// assert_eq!(user.age_on(now.date_naive()), Some(13));
    /// assert!(user.is_minor_on(now.date_naive()));
    ///
    /// // A MINOR without a date of birth is refused, naming the column.
    /// let err = User::new(NewUser::new("a@b.c", hash, UserRole::Minor), None, now).unwrap_err();
    /// assert_eq!(err.code(), "INVALID_INPUT");
    /// assert!(err.to_string().contains("date_of_birth"));
    /// # Ok::<(), elson_core::ElsonError>(())
    /// ```
    pub fn new(params: NewUser, id: Option<Uuid>, now: DateTime<Utc>) -> Result<User> {
        let NewUser {
            email,
            password_hash,
            role,
            first_name,
            last_name,
            date_of_birth,
            status,
            two_factor_enabled,
            two_factor_secret,
            risk_profile,
            education_progress,
            preferences,
            beta_feedback,
        } = params;
        let today = now.date_naive();
        let email = normalize_email(&email)?;

        // The row is checked as a whole, by the rules serde also runs.
        let user = User {
            id: id.unwrap_or_else(Uuid::new_v4),
            email,
            password_hash,
            role,
            first_name,
            last_name,
            date_of_birth,
            created_at: now,
            updated_at: now,
            last_login: None,
            status,
            two_factor_enabled,
            two_factor_secret,
            risk_profile,
            education_progress: drop_json_null(education_progress),
            preferences: drop_json_null(preferences),
            beta_feedback,
        };
        user.validate()?;
        debug_assert!(
            user.role != UserRole::Minor || user.is_minor_on(today),
            "Invariant: a new MINOR is under 18"
        );
        Ok(user)
    }

    /// Checks a whole row by the rules of [`User::new`], with the day of
    /// `created_at` in place of `now`'s: serde runs it on every user it
    /// reads (issue 14 item 3), so a row the constructor would refuse never
    /// reaches memory through JSON, a binding's dict or a pickle.
    ///
    /// A MINOR must have been under 18 on the day the account was created
    /// (a MINOR who has come of age since is a real row: the role changes by
    /// an admin's `set_role`, not by the calendar).
    ///
    /// # Errors
    /// As [`User::new`], and on `email` when it is not stored trimmed and in
    /// lower case (the constructor normalizes it; a row must already be).
    pub fn validate(&self) -> Result<()> {
        if self.id == crate::families::SYSTEM_ACTOR_ID {
            // The nil id is the system actor's: an account under it would
            // be a user row with the SDK's own identity.
            return Err(ElsonError::invalid("id", "the nil id is the SDK's own, never a user's"));
        }
        let email = normalize_email(&self.email)?;
        if email != self.email {
            return Err(ElsonError::invalid("email", "must be stored trimmed and in lower case"));
        }
        check_bcrypt_hash(&self.password_hash)?;
        if let Some(v) = &self.first_name {
            TextLimit::NAME.check("first_name", v)?;
        }
        if let Some(v) = &self.last_name {
            TextLimit::NAME.check("last_name", v)?;
        }
        let today = self.created_at.date_naive();
        if let Some(dob) = self.date_of_birth
            && dob > today
        {
            return Err(ElsonError::invalid(
                "date_of_birth",
                format!("{dob} is after today ({today}), the day the user was created"),
            ));
        }
        if self.role == UserRole::Minor {
            let Some(dob) = self.date_of_birth else {
                return Err(ElsonError::invalid("date_of_birth", "is required for a MINOR"));
            };
            if age_between(dob, today).is_some_and(|age| age >= ADULT_AGE) {
                return Err(ElsonError::invalid(
                    "date_of_birth",
                    format!("a MINOR must be under {ADULT_AGE} on {today}; born {dob}"),
                ));
            }
        }
        if let Some(v) = &self.two_factor_secret {
            TextLimit::LONG.check("two_factor_secret", v)?;
        }
        if self.two_factor_enabled && self.two_factor_secret.is_none() {
            return Err(ElsonError::invalid(
                "two_factor_secret",
                "is required when two_factor_enabled is true",
            ));
        }
        if let Some(v) = &self.beta_feedback {
            TextLimit::TEXT.check("beta_feedback", v)?;
        }
        Ok(())
    }

    /// Age in whole years on `date`; `None` without a date of birth or when
    /// `date` lies before it. A birthday counts from its own day, so a
    /// 29 February birthday counts from 1 March in common years (the same
    /// convention as [`crate::families`]).
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        age_between(self.date_of_birth?, date)
    }

    /// Whether the person is under 18 on `date`, judged by the date of birth
    /// alone (not the role), so a MINOR who has come of age reads `false`.
    /// `false` without a date of birth.
    pub fn is_minor_on(&self, date: NaiveDate) -> bool {
        self.age_on(date).is_some_and(|age| age < ADULT_AGE)
    }
}

/// `Some(null)` in a JSON column cannot survive a JSON round-trip (it reads
/// back as `None`), so constructors store it as `None` from the start.
/// The part of a user's row its owner may change (the `update_profile`
/// command). Everything else is not the profile: email and password have
/// their own commands, and role, status and date of birth are the user's
/// *standing*, which only an admin changes (`set_role`, `set_status`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// VARCHAR(100); `None` clears it (the update replaces the profile).
    pub first_name: Option<String>,
    /// VARCHAR(100); `None` clears it.
    pub last_name: Option<String>,
    /// LOW, MODERATE or AGGRESSIVE; `None` keeps the current one.
    pub risk_profile: Option<RiskProfile>,
    /// Free JSON; `None` clears it.
    pub education_progress: Option<serde_json::Value>,
    /// Free JSON; `None` clears it.
    pub preferences: Option<serde_json::Value>,
}

impl User {
    /// Applies a profile change, checked like [`User::new`] checks the same
    /// columns. All or nothing: on error the user is unchanged.
    ///
    /// A MINOR's risk profile sets the largest buy their orders may make
    /// (DESIGN §7), so it is not theirs to raise: a change of it on a
    /// MINOR is `Forbidden` here, whoever asks (an admin sets it through the
    /// import path, a guardian's say is the approval settings).
    ///
    /// # Errors
    /// `InvalidInput` naming the column; `Forbidden` for a MINOR's risk
    /// profile.
    pub fn update_profile(&mut self, change: ProfileUpdate, now: DateTime<Utc>) -> Result<()> {
        if let Some(v) = &change.first_name {
            TextLimit::NAME.check("first_name", v)?;
        }
        if let Some(v) = &change.last_name {
            TextLimit::NAME.check("last_name", v)?;
        }
        if let Some(risk) = change.risk_profile
            && risk != self.risk_profile
            && self.role == UserRole::Minor
        {
            return Err(ElsonError::forbidden(
                "a MINOR's risk_profile bounds their orders and is not changed by a profile update",
            ));
        }
        // After this point the update cannot fail.
        self.first_name = change.first_name;
        self.last_name = change.last_name;
        if let Some(risk) = change.risk_profile {
            self.risk_profile = risk;
        }
        self.education_progress = drop_json_null(change.education_progress);
        self.preferences = drop_json_null(change.preferences);
        self.updated_at = now;
        Ok(())
    }

    /// Changes the user's role (an admin's command, `set_role`). A MINOR
    /// must have a date of birth under 18 on `now` (as in [`User::new`]);
    /// the store also requires a guardian link, which this row cannot see.
    ///
    /// # Errors
    /// `InvalidInput` for a MINOR without a date of birth or of age;
    /// `InvalidTransition` when the role is already `role`.
    pub fn set_role(&mut self, role: UserRole, now: DateTime<Utc>) -> Result<()> {
        if role == self.role {
            return Err(ElsonError::transition("user role", self.role, role));
        }
        if role == UserRole::Minor {
            let today = now.date_naive();
            let Some(dob) = self.date_of_birth else {
                return Err(ElsonError::invalid("date_of_birth", "is required for a MINOR"));
            };
            if age_between(dob, today).is_none_or(|age| age >= ADULT_AGE) {
                return Err(ElsonError::invalid(
                    "role",
                    format!("a MINOR must be under {ADULT_AGE} on {today}; born {dob}"),
                ));
            }
        }
        self.role = role;
        self.updated_at = now;
        Ok(())
    }

    /// Changes the user's status (an admin's command, `set_status`).
    ///
    /// # Errors
    /// `InvalidTransition` when the status is already `status`.
    pub fn set_status(&mut self, status: UserStatus, now: DateTime<Utc>) -> Result<()> {
        if status == self.status {
            return Err(ElsonError::transition("user status", self.status, status));
        }
        self.status = status;
        self.updated_at = now;
        Ok(())
    }
}

pub(super) fn drop_json_null(value: Option<serde_json::Value>) -> Option<serde_json::Value> {
    value.filter(|v| !v.is_null())
}

/// Whole years from `dob` to `date`, `None` when `date < dob`.
fn age_between(dob: NaiveDate, date: NaiveDate) -> Option<u32> {
    if date < dob {
        return None;
    }
    let years = u32::try_from(date.year() - dob.year()).ok()?;
    let birthday_passed = (date.month(), date.day()) >= (dob.month(), dob.day());
    Some(if birthday_passed { years } else { years.saturating_sub(1) })
}

/// Trims and lower-cases an email and checks its basic shape. Deliberately
/// not RFC 5322: the store's uniqueness and a confirmation mail are the real
/// checks; this only refuses what can never be an address.
fn normalize_email(raw: &str) -> Result<String> {
    let email = raw.trim().to_lowercase();
    // The login key is an identifier: no control or bidirectional
    // characters, which would make two addresses look alike.
    TextLimit::LONG.identifier().check("email", &email)?;
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ElsonError::invalid(
            "email",
            "must not contain whitespace or control characters",
        ));
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ElsonError::invalid("email", "must contain exactly one '@'"));
    };
    if local.is_empty() {
        return Err(ElsonError::invalid("email", "the part before '@' is empty"));
    }
    if domain.is_empty() {
        return Err(ElsonError::invalid("email", "the part after '@' is empty"));
    }
    Ok(email)
}

/// Checks the modular-crypt shape of a bcrypt hash: `$2a$`, `$2b$` or `$2y$`,
/// a two-digit cost 04–31, `$`, then 53 characters of bcrypt's base64
/// alphabet. A plaintext password never has this shape, which is the point.
fn check_bcrypt_hash(hash: &str) -> Result<()> {
    const FIELD: &str = "password_hash";
    if !(hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$")) {
        return Err(ElsonError::invalid(
            FIELD,
            "must be a bcrypt hash starting with $2a$, $2b$ or $2y$",
        ));
    }
    let len = hash.chars().count();
    if len != BCRYPT_HASH_LEN {
        return Err(ElsonError::invalid(
            FIELD,
            format!("is {len} characters long; a bcrypt hash has {BCRYPT_HASH_LEN}"),
        ));
    }
    let bytes = hash.as_bytes();
    let cost = match (bytes.get(4), bytes.get(5)) {
        (Some(tens @ b'0'..=b'9'), Some(ones @ b'0'..=b'9')) => (tens - b'0') * 10 + (ones - b'0'),
        _ => 0,
    };
    if !(4..=31).contains(&cost) || bytes.get(6) != Some(&b'$') {
        return Err(ElsonError::invalid(
            FIELD,
            "must carry a two-digit cost 04–31 followed by '$'",
        ));
    }
    // `get` returns None when byte 7 is not a char boundary (non-ASCII input).
    let body_ok = hash
        .get(7..)
        .is_some_and(|b| b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'/'));
    if !body_ok {
        return Err(ElsonError::invalid(
            FIELD,
            "salt and hash must use the bcrypt alphabet [./A-Za-z0-9]",
        ));
    }
    Ok(())
}
