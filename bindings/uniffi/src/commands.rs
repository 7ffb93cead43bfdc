//! The store's write API for Kotlin and Swift: named commands, each one
//! transaction whose every effect `elson-core` decides, each audited. There
//! is no call that writes a row as given: accounts are created, portfolios
//! opened, links proposed and verified, notifications marked and feedback
//! filed through these methods; money, positions and trades change only
//! through the trading calls of [`crate::store`]. Whole rows from elsewhere
//! (a migration, a backfill) come in through `importRows`, the system
//! actor's, which checks every invariant across the rows before it commits.
//!
//! This module holds the commands' input and output records and the
//! `ElsonStore` methods of accounts, portfolios, links, the inbox, feedback
//! and import; every rule is the store's. Every command takes an optional
//! last `commandId` that makes a retry safe (see [`ElsonStore`]).

use elson_core::entities::{
    BetaFeedback, NewBetaFeedback, Notification, Portfolio, PortfolioSettings, Position,
    ProfileUpdate, Relationship, Trade, User,
};
use elson_core::enums::{
    FeedbackSeverity, FeedbackStatus, FeedbackType, PortfolioType, RelationshipType, RiskProfile,
    UserRole, UserStatus, VolatilityLevel,
};
use elson_core::families::{Actor, ApprovalSettings, Permissions};
use elson_core::notifications::NotificationEvent;
use elson_store as core;
use elson_store::{Caller, ImportBatch, NewLink};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::Result;
use crate::entities::Checked;
use crate::store::ElsonStore;
use crate::types::{JsonValue, Timestamp};
use elson_core::entities::NewPortfolio;

/// A new account: what a person (or an admin for them) gives at sign-up.
/// The password is not part of it (a record prints every field): it is an
/// argument of `createUser` / `enrollMinor`, hashed by the store before
/// anything is written. Start from `newAccount(email, role)` and `copy(...)`
/// what differs.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewAccount {
    /// Login email; trimmed and lower-cased by the core.
    pub email: String,
    /// USER, GUARDIAN or ADMIN for `createUser`; MINOR for `enrollMinor`.
    pub role: UserRole,
    /// LOW, MODERATE or AGGRESSIVE.
    pub risk_profile: RiskProfile,
    /// The account's id; a fresh v4 id when null. A self sign-up acts under
    /// this id.
    #[uniffi(default = None)]
    pub id: Option<Uuid>,
    /// Given name, 1–100 characters.
    #[uniffi(default = None)]
    pub first_name: Option<String>,
    /// Family name, 1–100 characters.
    #[uniffi(default = None)]
    pub last_name: Option<String>,
    /// Required for a MINOR (under 18 on the day of enrolment).
    #[uniffi(default = None)]
    pub date_of_birth: Option<NaiveDate>,
}

impl NewAccount {
    fn with_password(self, password: String) -> core::NewAccount {
        core::NewAccount {
            id: self.id,
            email: self.email,
            password,
            role: self.role,
            first_name: self.first_name,
            last_name: self.last_name,
            date_of_birth: self.date_of_birth,
            risk_profile: self.risk_profile,
        }
    }
}

/// The required values of a new account (MODERATE risk, fresh id, no names,
/// no date of birth).
#[uniffi::export]
pub fn new_account(email: String, role: UserRole) -> NewAccount {
    NewAccount {
        email,
        role,
        risk_profile: RiskProfile::Moderate,
        id: None,
        first_name: None,
        last_name: None,
        date_of_birth: None,
    }
}

/// The terms of a new guardian link (`linkGuardian`, `enrollMinor`).
#[uniffi::remote(Record)]
pub struct NewLink {
    /// The link's id; a fresh v4 id when null.
    #[uniffi(default = None)]
    pub id: Option<Uuid>,
    /// The GUARDIAN.
    pub guardian_id: Uuid,
    /// PARENT, LEGAL_GUARDIAN or OTHER.
    pub relationship_type: RelationshipType,
    /// What the minor may do.
    pub permissions: Permissions,
    /// How the minor's trades are approved.
    pub approval_settings: ApprovalSettings,
}

/// A PARENT link to `guardian_id` with the default permissions and approval
/// settings (DESIGN §3: no trading until the guardian allows it).
#[uniffi::export]
pub fn new_link_parent(guardian_id: Uuid) -> NewLink {
    NewLink::parent(guardian_id)
}

/// A minor's account and their ACTIVE link, as `enrollMinor` committed them.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EnrolledMinor {
    /// The MINOR.
    pub user: User,
    /// The ACTIVE link to their guardian.
    pub relationship: Relationship,
}

/// The part of a user's row its owner may change (`updateProfile`). The
/// update replaces the profile: a null name or JSON clears it (a null risk
/// profile keeps the current one), so start from `profileOf(user)` and
/// `copy(...)` what changes.
#[uniffi::remote(Record)]
pub struct ProfileUpdate {
    /// Given name, 1–100 characters; null clears it.
    pub first_name: Option<String>,
    /// Family name, 1–100 characters; null clears it.
    pub last_name: Option<String>,
    /// LOW, MODERATE or AGGRESSIVE; null keeps the current one. Not a
    /// MINOR's to change (`Forbidden`).
    pub risk_profile: Option<RiskProfile>,
    /// Free-form JSON text; null clears it.
    pub education_progress: Option<JsonValue>,
    /// Free-form JSON text; null clears it.
    pub preferences: Option<JsonValue>,
}

/// `user`'s current profile, to change one field of.
#[uniffi::export]
pub fn profile_of(user: User) -> ProfileUpdate {
    ProfileUpdate {
        first_name: user.first_name,
        last_name: user.last_name,
        risk_profile: Some(user.risk_profile),
        education_progress: user.education_progress,
        preferences: user.preferences,
    }
}

/// The settings of a portfolio (`updatePortfolioSettings`): not its cash,
/// total value or owner. Start from `portfolioSettingsOf(portfolio)`.
#[uniffi::remote(Record)]
pub struct PortfolioSettings {
    /// Display name, 1–100 characters.
    pub name: String,
    /// Free text; null clears it.
    pub description: Option<String>,
    /// STANDARD, EDUCATION or RETIREMENT.
    pub portfolio_type: PortfolioType,
    /// Whether a minor's trades here need a guardian's approval (a minor's
    /// portfolio: changed by their guardian only).
    pub guardian_approval: bool,
    /// 0–100.
    pub risk_score: Option<i32>,
    /// 0–100.
    pub diversification_score: Option<i32>,
    /// Preferred volatility regime.
    pub volatility_preference: Option<VolatilityLevel>,
}

/// `portfolio`'s current settings, to change one field of.
#[uniffi::export]
pub fn portfolio_settings_of(portfolio: Portfolio) -> PortfolioSettings {
    PortfolioSettings::of(&portfolio)
}

/// A beta tester's feedback (`submitFeedback`); the store files it NEW.
#[uniffi::remote(Record)]
pub struct NewBetaFeedback {
    /// Author.
    pub user_id: Uuid,
    /// BUG, FEATURE_REQUEST or GENERAL.
    pub feedback_type: FeedbackType,
    /// Title, 1–255 characters.
    pub title: String,
    /// Details.
    pub description: String,
    /// LOW, MEDIUM, HIGH or CRITICAL.
    pub severity: FeedbackSeverity,
    /// Category, 1–100 characters.
    #[uniffi(default = None)]
    pub category: Option<String>,
    /// Component, 1–100 characters.
    #[uniffi(default = None)]
    pub related_component: Option<String>,
    /// Free-form JSON text.
    #[uniffi(default = None)]
    pub environment_details: Option<JsonValue>,
    /// Screenshot URLs, each 1–255 characters.
    #[uniffi(default = [])]
    pub screenshots: Vec<String>,
}

/// Whole rows for `importRows` (migrations and backfills). A portfolio comes
/// with all its positions and trades: positions and trades may only name
/// portfolios of the same batch. Every list defaults to empty.
#[uniffi::remote(Record)]
pub struct ImportBatch {
    /// Users (password hashes as stored elsewhere: bcrypt `$2b$`).
    #[uniffi(default = [])]
    pub users: Vec<User>,
    /// Guardian links.
    #[uniffi(default = [])]
    pub relationships: Vec<Relationship>,
    /// Portfolios, with their cash and total value.
    #[uniffi(default = [])]
    pub portfolios: Vec<Portfolio>,
    /// Positions of this batch's portfolios.
    #[uniffi(default = [])]
    pub positions: Vec<Position>,
    /// Trades of this batch's portfolios.
    #[uniffi(default = [])]
    pub trades: Vec<Trade>,
    /// Notifications.
    #[uniffi(default = [])]
    pub notifications: Vec<Notification>,
    /// Beta feedback.
    #[uniffi(default = [])]
    pub beta_feedback: Vec<BetaFeedback>,
}

/// What `importRows` wrote: rows per table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    /// Users written.
    pub users: u64,
    /// Links written.
    pub relationships: u64,
    /// Portfolios written.
    pub portfolios: u64,
    /// Positions written.
    pub positions: u64,
    /// Trades written.
    pub trades: u64,
    /// Notifications written.
    pub notifications: u64,
    /// Feedback written.
    pub beta_feedback: u64,
}

impl From<core::ImportReport> for ImportReport {
    fn from(r: core::ImportReport) -> Self {
        let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
        ImportReport {
            users: n(r.users),
            relationships: n(r.relationships),
            portfolios: n(r.portfolios),
            positions: n(r.positions),
            trades: n(r.trades),
            notifications: n(r.notifications),
            beta_feedback: n(r.beta_feedback),
        }
    }
}

/// Who sends a command: `actor`, under the client's `command_id` (a UUID's
/// text) when one is given. With a command id the store runs the command
/// once: a retry with the same id and arguments returns the first result
/// and has no second effect; the same id with other arguments or for
/// another command is `IdempotencyConflict`. A `command_id` that is not a
/// UUID is `InvalidInput` naming `commandId`.
pub(crate) fn caller(actor: &Actor, command_id: Option<String>) -> Result<Caller> {
    let by = Caller::new(actor);
    let Some(text) = command_id else {
        return Ok(by);
    };
    let id = Uuid::try_parse(&text).map_err(|e| {
        crate::ElsonError::invalid("commandId", format!("{text:?} is not a UUID: {e}"))
    })?;
    Ok(by.with_command_id(id))
}

#[uniffi::export(async_runtime = "tokio")]
impl ElsonStore {
    /// Creates an account (USER, GUARDIAN or ADMIN) with `password` hashed.
    /// A person signs up by acting under the new account's id (an actor
    /// whose id is `account.id`: USER or GUARDIAN only); an admin or the
    /// system creates accounts of any role but MINOR.
    ///
    /// # Errors
    /// `InvalidInput` for a MINOR (use `enrollMinor`), a bad email, an empty
    /// or over-long password or a value that does not fit; `Forbidden` when
    /// the actor may not; `Conflict` for a taken email or id.
    #[uniffi::method(default(command_id = None))]
    pub async fn create_user(
        &self,
        actor: Actor,
        account: NewAccount,
        password: String,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<User> {
        Ok(self
            .inner
            .create_user(caller(&actor, command_id)?, account.with_password(password), now)
            .await?)
    }

    /// Enrols a child: creates the MINOR's account and their ACTIVE link to
    /// `link.guardianId` in one transaction, so no minor exists without a
    /// guardian. An admin's (or the system's) act.
    ///
    /// # Errors
    /// `InvalidInput` when the account is not a MINOR under 18 or the guardian
    /// is not a GUARDIAN; `Forbidden` for anyone but an admin or the system;
    /// `NotFound` for an unknown guardian; `Conflict` for a taken email.
    #[uniffi::method(default(command_id = None))]
    pub async fn enroll_minor(
        &self,
        actor: Actor,
        account: NewAccount,
        password: String,
        link: NewLink,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<EnrolledMinor> {
        let (user, relationship) = self
            .inner
            .enroll_minor(caller(&actor, command_id)?, account.with_password(password), link, now)
            .await?;
        Ok(EnrolledMinor { user, relationship })
    }

    /// Replaces a user's profile (names, risk profile, the free JSON): the
    /// user themself.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden` for anyone else, or for a MINOR's risk
    /// profile; `InvalidInput` naming the field.
    #[uniffi::method(default(command_id = None))]
    pub async fn update_profile(
        &self,
        actor: Actor,
        user_id: Uuid,
        profile: ProfileUpdate,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<User> {
        Ok(self.inner.update_profile(caller(&actor, command_id)?, user_id, profile, now).await?)
    }

    /// An admin changes a user's role (a MINOR only while under 18 and with
    /// a guardian link).
    ///
    /// # Errors
    /// `Forbidden` for anyone but an admin (never on their own standing);
    /// `InvalidInput`; `InvalidTransition` when nothing changes; `NotFound`.
    #[uniffi::method(default(command_id = None))]
    pub async fn set_role(
        &self,
        actor: Actor,
        user_id: Uuid,
        role: UserRole,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<User> {
        Ok(self.inner.set_role(caller(&actor, command_id)?, user_id, role, now).await?)
    }

    /// An admin suspends, deactivates or re-admits a user, or makes them a
    /// beta tester.
    ///
    /// # Errors
    /// As `setRole`.
    #[uniffi::method(default(command_id = None))]
    pub async fn set_status(
        &self,
        actor: Actor,
        user_id: Uuid,
        status: UserStatus,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<User> {
        Ok(self.inner.set_status(caller(&actor, command_id)?, user_id, status, now).await?)
    }

    /// Opens a portfolio with no cash (cash and total value 0.00). The owner
    /// opens their own; a guardian opens their ward's.
    ///
    /// # Errors
    /// `Forbidden`; `InvalidInput` naming the field; `NotFound` for an
    /// unknown owner; `Conflict` for a reused id.
    #[uniffi::method(default(command_id = None))]
    pub async fn open_portfolio(
        &self,
        actor: Actor,
        id: Uuid,
        portfolio: NewPortfolio,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Portfolio> {
        Ok(self.inner.open_portfolio(caller(&actor, command_id)?, id, portfolio, now).await?)
    }

    /// Changes a portfolio's settings. The owner changes their own; a
    /// minor's portfolio only their guardian.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden`; `InvalidInput` naming the field.
    #[uniffi::method(default(command_id = None))]
    pub async fn update_portfolio_settings(
        &self,
        actor: Actor,
        portfolio_id: Uuid,
        settings: PortfolioSettings,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Portfolio> {
        Ok(self
            .inner
            .update_portfolio_settings(caller(&actor, command_id)?, portfolio_id, settings, now)
            .await?)
    }

    /// Proposes a PENDING link between a GUARDIAN and `minor_id`: a guardian
    /// proposes links to themself, an admin any. It counts for nothing until
    /// an admin accepts it.
    ///
    /// # Errors
    /// `Forbidden`; `InvalidInput` when the two are not a GUARDIAN and a
    /// MINOR; `NotFound`; `Conflict` when the pair is already linked.
    #[uniffi::method(default(command_id = None))]
    pub async fn link_guardian(
        &self,
        actor: Actor,
        minor_id: Uuid,
        link: NewLink,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Relationship> {
        Ok(self.inner.link_guardian(caller(&actor, command_id)?, minor_id, link, now).await?)
    }

    /// Verifies a PENDING link (→ ACTIVE): an admin's (or the system's) act.
    ///
    /// # Errors
    /// `Forbidden` for anyone else; `InvalidTransition` unless PENDING;
    /// `NotFound`.
    #[uniffi::method(default(command_id = None))]
    pub async fn accept_link(
        &self,
        actor: Actor,
        link_id: Uuid,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Relationship> {
        Ok(self.inner.accept_link(caller(&actor, command_id)?, link_id, now).await?)
    }

    /// Ends a link (→ INACTIVE): its guardian or an admin. A minor's last
    /// ACTIVE link cannot end.
    ///
    /// # Errors
    /// `Forbidden`; `Conflict` for the last ACTIVE link; `InvalidTransition`
    /// when already INACTIVE; `NotFound`.
    #[uniffi::method(default(command_id = None))]
    pub async fn deactivate_link(
        &self,
        actor: Actor,
        link_id: Uuid,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Relationship> {
        Ok(self.inner.deactivate_link(caller(&actor, command_id)?, link_id, now).await?)
    }

    /// Replaces a link's permissions and approval settings: its guardian or
    /// an admin, never the minor.
    ///
    /// # Errors
    /// `Forbidden`; `InvalidInput` for refused settings; `InvalidTransition`
    /// for an INACTIVE link; `NotFound`.
    #[uniffi::method(default(command_id = None))]
    pub async fn update_link_settings(
        &self,
        actor: Actor,
        link_id: Uuid,
        permissions: Permissions,
        approval_settings: ApprovalSettings,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Relationship> {
        Ok(self
            .inner
            .update_link_settings(
                caller(&actor, command_id)?,
                link_id,
                permissions,
                approval_settings,
                now,
            )
            .await?)
    }

    /// Marks one of the actor's notifications: `MARK_READ` (UNREAD → READ,
    /// sets `readAt`) or `ARCHIVE` (final). Only its recipient may.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden` for anyone else; `InvalidTransition` for an
    /// archived notification.
    #[uniffi::method(default(command_id = None))]
    pub async fn mark_notification(
        &self,
        actor: Actor,
        notification_id: Uuid,
        event: NotificationEvent,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Notification> {
        Ok(self
            .inner
            .mark_notification(caller(&actor, command_id)?, notification_id, event, now)
            .await?)
    }

    /// Files a feedback (status NEW): a user files their own.
    ///
    /// # Errors
    /// `Forbidden`; `InvalidInput` naming the field; `Conflict` for a reused
    /// id.
    #[uniffi::method(default(command_id = None))]
    pub async fn submit_feedback(
        &self,
        actor: Actor,
        id: Option<Uuid>,
        feedback: NewBetaFeedback,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<BetaFeedback> {
        Ok(self.inner.submit_feedback(caller(&actor, command_id)?, id, feedback, now).await?)
    }

    /// Moves a feedback forward (NEW → REVIEWING → PRIORITIZED →
    /// IMPLEMENTED): an admin's triage.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden` for anyone but an admin; `InvalidTransition`
    /// for a move backwards or in place.
    #[uniffi::method(default(command_id = None))]
    pub async fn advance_feedback(
        &self,
        actor: Actor,
        feedback_id: Uuid,
        to: FeedbackStatus,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<BetaFeedback> {
        Ok(self.inner.advance_feedback(caller(&actor, command_id)?, feedback_id, to, now).await?)
    }

    /// Imports whole rows, all or nothing, audited: the one path for
    /// migrations and backfills, the system actor's only. Before anything is
    /// written every row is rebuilt through its core constructor (users as
    /// of `now`: a MINOR must be under 18 then, with a guardian link) and
    /// every rule across rows is checked: cash ≥ 0, total value = cash + Σ
    /// positions, each position equal to its portfolio's executed trades,
    /// trade status and approval consistent.
    ///
    /// # Errors
    /// `Forbidden` for any actor but the system; `InvalidInput` naming the
    /// first row and rule that fails; `NotFound` for a position or trade of
    /// a portfolio outside the batch; `Conflict` for an id or email taken.
    #[uniffi::method(default(command_id = None))]
    pub async fn import_rows(
        &self,
        actor: Actor,
        batch: ImportBatch,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<ImportReport> {
        let batch = ImportBatch {
            users: batch.users.checked()?,
            relationships: batch.relationships.checked()?,
            portfolios: batch.portfolios.checked()?,
            positions: batch.positions.checked()?,
            trades: batch.trades.checked()?,
            notifications: batch.notifications.checked()?,
            beta_feedback: batch.beta_feedback.checked()?,
        };
        Ok(self.inner.import(caller(&actor, command_id)?, batch, now).await?.into())
    }
}
