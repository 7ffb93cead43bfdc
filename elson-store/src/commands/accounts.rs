//! Accounts: sign-up and account creation, a minor's enrolment with their
//! guardian, profile changes, and an admin's changes of standing.

use chrono::{DateTime, NaiveDate, Utc};
use elson_core::ElsonError;
use elson_core::entities::{NewRelationship, NewUser, ProfileUpdate, Relationship, User};
use elson_core::enums::{RelationshipStatus, RiskProfile, UserRole, UserStatus};
use elson_core::families::{Action, Resource, check_link_parties, has_guardian};
use uuid::Uuid;

use super::Caller;
use super::links::{NewLink, load_links_of_minor};
use crate::access::{Call, Session};
use crate::error::StoreResult;
use crate::repo::{relationships, users};
use crate::store::Store;

/// A new account: what a person (or an admin for them) gives at sign-up.
/// The store hashes the password (bcrypt at [`crate::StoreOptions::bcrypt_cost`])
/// and builds the row through the core's `User::new`: ACTIVE, no two-factor,
/// no last login.
///
/// Serialized (for the digest of an idempotent command) without its password.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewAccount {
    /// The account's id; a fresh v4 id when `None`. A self sign-up acts under
    /// this id.
    pub id: Option<Uuid>,
    /// Login email; trimmed and lower-cased by the core.
    pub email: String,
    /// The password, hashed before anything is written; never serialized.
    #[serde(skip_serializing)]
    pub password: String,
    /// USER, GUARDIAN or ADMIN here; a MINOR is enrolled with
    /// [`Store::enroll_minor`].
    pub role: UserRole,
    /// VARCHAR(100).
    pub first_name: Option<String>,
    /// VARCHAR(100).
    pub last_name: Option<String>,
    /// Required for a MINOR.
    pub date_of_birth: Option<NaiveDate>,
    /// LOW, MODERATE or AGGRESSIVE.
    pub risk_profile: RiskProfile,
}

impl NewAccount {
    /// An account with just the required fields (MODERATE risk).
    pub fn new(email: impl Into<String>, password: impl Into<String>, role: UserRole) -> Self {
        NewAccount {
            id: None,
            email: email.into(),
            password: password.into(),
            role,
            first_name: None,
            last_name: None,
            date_of_birth: None,
            risk_profile: RiskProfile::Moderate,
        }
    }
}

const OP_CREATE: &str = "accounts.create_user";
const OP_ENROLL: &str = "accounts.enroll_minor";
const OP_PROFILE: &str = "accounts.update_profile";
const OP_ROLE: &str = "accounts.set_role";
const OP_STATUS: &str = "accounts.set_status";

impl Store {
    /// The core's user row for `account`, its password hashed (outside any
    /// transaction: bcrypt takes a quarter of a second).
    async fn build_user(&self, account: NewAccount, now: DateTime<Utc>) -> StoreResult<User> {
        let hash = self.hash_password(&account.password).await?;
        let mut new = NewUser::new(account.email, hash, account.role);
        new.first_name = account.first_name;
        new.last_name = account.last_name;
        new.date_of_birth = account.date_of_birth;
        new.risk_profile = account.risk_profile;
        Ok(User::new(new, account.id, now)?)
    }

    /// Creates an account. A person signs up by acting under the new
    /// account's id (USER or GUARDIAN only, the core decides); an admin or
    /// the system creates accounts of any role but MINOR.
    ///
    /// # Errors
    /// `InvalidInput` for a MINOR (use [`Store::enroll_minor`]), a bad
    /// email, an empty or over-long password or a value that does not fit;
    /// `Forbidden` when `authorize` refuses; `Conflict` for a taken email or
    /// id.
    pub async fn create_user(
        &self,
        by: impl Into<Caller>,
        account: NewAccount,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let caller = by.into();
        let actor = &caller.actor;
        let digest = caller.digest(&account);
        let call = Call::new(OP_CREATE, "create_user", "users", account.id);
        if account.role == UserRole::Minor {
            let e = ElsonError::invalid(
                "role",
                "a MINOR is created with enroll_minor, which links their guardian in the same step",
            );
            return self.refuse(actor, &call, e.into()).await;
        }
        let user = match self.build_user(account, now).await {
            Ok(u) => u,
            Err(e) => return self.refuse(actor, &call, e).await,
        };
        let call = Call::new(OP_CREATE, "create_user", "users", Some(user.id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            // Sign-up: an id with no row yet creating its own account acts
            // with the role and status of the row it creates.
            s.sign_up(actor.id, &user).await?;
            s.authorize(Action::Create, Resource::User { id: user.id }).await?;
            self.users().write_in(&mut s.conn(), OP_CREATE, users::INSERT, &user).await?;
            Ok(user)
        })
        .await
    }

    /// Enrols a child: creates the MINOR's account and their ACTIVE link to
    /// `link.guardian_id` in one transaction, so no minor ever exists
    /// without a guardian (DESIGN §3). Activating a link is verification,
    /// an admin's (or the system's) act.
    ///
    /// # Errors
    /// `InvalidInput` when the account is not a MINOR under 18, the guardian
    /// is not a GUARDIAN, or the settings are refused; `Forbidden` for
    /// anyone but an admin or the system; `NotFound` for an unknown
    /// guardian; `Conflict` for a taken email.
    pub async fn enroll_minor(
        &self,
        by: impl Into<Caller>,
        account: NewAccount,
        link: NewLink,
        now: DateTime<Utc>,
    ) -> StoreResult<(User, Relationship)> {
        let caller = by.into();
        let actor = &caller.actor;
        let digest = caller.digest(&(&account, &link));
        let call = Call::new(OP_ENROLL, "enroll_minor", "users", account.id);
        if account.role != UserRole::Minor {
            let e = ElsonError::invalid("role", "enroll_minor creates a MINOR");
            return self.refuse(actor, &call, e.into()).await;
        }
        let minor = match self.build_user(account, now).await {
            Ok(u) => u,
            Err(e) => return self.refuse(actor, &call, e).await,
        };
        let call = Call::new(OP_ENROLL, "enroll_minor", "users", Some(minor.id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            s.authorize(Action::Create, Resource::User { id: minor.id }).await?;
            let resource =
                Resource::Relationship { guardian_id: link.guardian_id, minor_id: minor.id };
            s.authorize(Action::Create, resource).await?;
            s.authorize(Action::Update, Resource::UserStanding { id: minor.id }).await?;
            let row = users::LOCKED.fetch(s, OP_ENROLL, "user", link.guardian_id).await?;
            let guardian = self.users().row_to_user(&row)?;
            check_link_parties(&guardian, &minor)?;
            let mut new = NewRelationship::new(link.guardian_id, minor.id, link.relationship_type);
            new.status = RelationshipStatus::Active;
            new.permissions = link.permissions;
            new.approval_settings = link.approval_settings;
            let relationship = Relationship::new(new, link.id, now)?;
            let c = &mut s.conn();
            self.users().write_in(c, OP_ENROLL, users::INSERT, &minor).await?;
            self.relationships()
                .write_in(c, OP_ENROLL, relationships::INSERT, &relationship)
                .await?;
            s.audit_rows([minor.id, relationship.id]);
            Ok((minor, relationship))
        })
        .await
    }

    /// Changes a user's profile: names, risk profile and the free JSON
    /// (the core's `User::update_profile`). Not email, password, role,
    /// status or date of birth.
    ///
    /// # Errors
    /// `NotFound` for an unknown user; `Forbidden` when `authorize` refuses
    /// (only the user themself), or for a MINOR's risk profile;
    /// `InvalidInput` naming the field.
    pub async fn update_profile(
        &self,
        by: impl Into<Caller>,
        user_id: Uuid,
        change: ProfileUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let caller = by.into();
        let digest = caller.digest(&(user_id, &change));
        let call = Call::new(OP_PROFILE, "update_profile", "users", Some(user_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            s.authorize(Action::Update, Resource::User { id: user_id }).await?;
            let mut user = self.locked_user(s, OP_PROFILE, user_id).await?;
            user.update_profile(change, now)?;
            self.users().write_in(&mut s.conn(), OP_PROFILE, users::UPDATE, &user).await?;
            Ok(user)
        })
        .await
    }

    /// An admin changes a user's role (the core's `User::set_role`). A user
    /// becomes a MINOR only while under 18 and with a guardian link.
    ///
    /// # Errors
    /// `Forbidden` for anyone but an admin (never on their own standing);
    /// `InvalidInput` for a MINOR of age or without a guardian;
    /// `InvalidTransition` when nothing changes; `NotFound`.
    pub async fn set_role(
        &self,
        by: impl Into<Caller>,
        user_id: Uuid,
        role: UserRole,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let caller = by.into();
        let digest = caller.digest(&(user_id, role));
        let call = Call::new(OP_ROLE, "set_role", "users", Some(user_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            s.authorize(Action::Update, Resource::UserStanding { id: user_id }).await?;
            let mut user = self.locked_user(s, OP_ROLE, user_id).await?;
            user.set_role(role, now)?;
            if role == UserRole::Minor {
                let links = load_links_of_minor(s, OP_ROLE, user_id).await?;
                if !has_guardian(user_id, &links) {
                    return Err(ElsonError::invalid(
                        "role",
                        "a MINOR needs an ACTIVE or PENDING guardian link first",
                    )
                    .into());
                }
            }
            self.users().write_in(&mut s.conn(), OP_ROLE, users::UPDATE, &user).await?;
            Ok(user)
        })
        .await
    }

    /// An admin changes a user's status: suspends, deactivates, re-admits
    /// or makes a beta tester (the core's `User::set_status`).
    ///
    /// # Errors
    /// As [`Store::set_role`].
    pub async fn set_status(
        &self,
        by: impl Into<Caller>,
        user_id: Uuid,
        status: UserStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let caller = by.into();
        let digest = caller.digest(&(user_id, status));
        let call = Call::new(OP_STATUS, "set_status", "users", Some(user_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            s.authorize(Action::Update, Resource::UserStanding { id: user_id }).await?;
            let mut user = self.locked_user(s, OP_STATUS, user_id).await?;
            user.set_status(status, now)?;
            self.users().write_in(&mut s.conn(), OP_STATUS, users::UPDATE, &user).await?;
            Ok(user)
        })
        .await
    }

    /// A user's row under the write lock, its PII opened.
    pub(crate) async fn locked_user(
        &self,
        s: &mut Session,
        op: &'static str,
        id: Uuid,
    ) -> StoreResult<User> {
        let row = users::LOCKED.fetch(s, op, "user", id).await?;
        self.users().row_to_user(&row)
    }
}
