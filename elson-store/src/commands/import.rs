//! The one way whole rows enter the store: migrations and backfills.
//!
//! [`Store::import`] takes rows made elsewhere, rebuilds each through the
//! core's validating constructor, checks every rule that spans rows, and
//! writes all of them or none, audited. Only the system actor may call it:
//! it is how history from another system arrives, not a shortcut around the
//! commands.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use elson_core::ElsonError;
use elson_core::accounting::{Book, check_holdings, check_trade_row};
use elson_core::entities::{
    BetaFeedback, NewUser, Notification, Portfolio, Position, Relationship, Trade, User,
};
use elson_core::enums::UserRole;
use elson_core::families::{check_link_parties, has_guardian};
use uuid::Uuid;

use super::Caller;
use super::links::load_links_of_minor;
use crate::access::{Call, Session};
use crate::error::StoreResult;
use crate::repo::{
    beta_feedback, notifications, portfolios, positions, relationships, trades, users,
};
use crate::store::Store;

/// Whole rows to import, of any of the user-owned tables. A portfolio comes
/// with all its positions and trades (its history is checked against its
/// holdings), so positions and trades may only name portfolios of the same
/// batch.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportBatch {
    /// Users (password hashes as stored elsewhere: bcrypt `$2b$`).
    pub users: Vec<User>,
    /// Guardian links.
    pub relationships: Vec<Relationship>,
    /// Portfolios, with their cash and total value.
    pub portfolios: Vec<Portfolio>,
    /// Positions of this batch's portfolios.
    pub positions: Vec<Position>,
    /// Trades of this batch's portfolios.
    pub trades: Vec<Trade>,
    /// Notifications.
    pub notifications: Vec<Notification>,
    /// Beta feedback.
    pub beta_feedback: Vec<BetaFeedback>,
}

/// What an import wrote: rows per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportReport {
    /// Users written.
    pub users: usize,
    /// Links written.
    pub relationships: usize,
    /// Portfolios written.
    pub portfolios: usize,
    /// Positions written.
    pub positions: usize,
    /// Trades written.
    pub trades: usize,
    /// Notifications written.
    pub notifications: usize,
    /// Feedback written.
    pub beta_feedback: usize,
}

const OP_IMPORT: &str = "import";

/// `u` rebuilt through `User::new` as of `now` (so every column rule of a
/// new user holds, a MINOR is under 18 today), with its stored times.
pub(crate) fn rebuild_user(u: &User, now: DateTime<Utc>) -> StoreResult<User> {
    let new = NewUser {
        email: u.email.clone(),
        password_hash: u.password_hash.clone(),
        role: u.role,
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        date_of_birth: u.date_of_birth,
        status: u.status,
        two_factor_enabled: u.two_factor_enabled,
        two_factor_secret: u.two_factor_secret.clone(),
        risk_profile: u.risk_profile,
        education_progress: u.education_progress.clone(),
        preferences: u.preferences.clone(),
        beta_feedback: u.beta_feedback.clone(),
    };
    let mut built = User::new(new, Some(u.id), now)?;
    if built.email != u.email {
        return Err(ElsonError::invalid("email", "must be trimmed and lower case").into());
    }
    (built.created_at, built.updated_at, built.last_login) =
        (u.created_at, u.updated_at, u.last_login);
    Ok(built)
}

/// Every rule of the core over whole rows, without a database: each row
/// through its constructor's checks, each link between a GUARDIAN and a
/// MINOR, each MINOR with an ACTIVE or PENDING guardian link, each
/// portfolio a consistent book whose positions are its executed trades, and
/// each trade a state the lifecycle and the approval rules can reach.
/// `users` are the batch's users already rebuilt ([`rebuild_user`]);
/// `stored` holds the people the batch refers to without bringing them,
/// `stored_links` the stored links of its minors. The import checks a batch
/// with it before writing; a restore checks a whole snapshot, without the
/// trade history (`history` false: each trade row's lifecycle and each
/// position against the executed trades), which the ledger's `verify` will
/// replay instead.
///
/// # Errors
/// `InvalidInput` naming the first row and rule that fails; `NotFound` for
/// a person or portfolio the rows refer to that is nowhere.
pub(crate) fn check_batch(
    batch: &ImportBatch,
    users: &[User],
    stored: &HashMap<Uuid, User>,
    stored_links: &[Relationship],
    history: bool,
) -> StoreResult<()> {
    let person = |id: Uuid| -> StoreResult<&User> {
        users
            .iter()
            .find(|u| u.id == id)
            .or_else(|| stored.get(&id))
            .ok_or_else(|| crate::error::StoreError::not_found("user", id))
    };
    for r in &batch.relationships {
        r.validate()?;
        check_link_parties(person(r.guardian_id)?, person(r.minor_id)?)?;
    }
    for minor in users.iter().filter(|u| u.role == UserRole::Minor) {
        let links: Vec<Relationship> = stored_links
            .iter()
            .chain(&batch.relationships)
            .filter(|r| r.minor_id == minor.id)
            .cloned()
            .collect();
        if !has_guardian(minor.id, &links) {
            return Err(ElsonError::invalid(
                "role",
                format!("MINOR {} has no ACTIVE or PENDING guardian link", minor.id),
            )
            .into());
        }
    }
    for p in &batch.portfolios {
        p.validate()?;
        portfolios::validate(p)?;
        let held: Vec<Position> =
            batch.positions.iter().filter(|x| x.portfolio_id == p.id).cloned().collect();
        for x in &held {
            positions::validate(x)?;
        }
        Book::from_rows(p.clone(), held.clone())?;
        let minor_owner = person(p.user_id)?.role == UserRole::Minor;
        for t in batch.trades.iter().filter(|t| t.portfolio_id == p.id) {
            trades::validate(t)?;
            if history {
                check_trade_row(t, minor_owner)?;
            }
        }
        if history {
            check_holdings(p.id, &held, &batch.trades)?;
        }
    }
    let in_batch = |id: Uuid| batch.portfolios.iter().any(|p| p.id == id);
    if let Some(x) = batch.positions.iter().find(|x| !in_batch(x.portfolio_id)) {
        return Err(crate::error::StoreError::not_found("portfolio", x.portfolio_id));
    }
    if let Some(t) = batch.trades.iter().find(|t| !in_batch(t.portfolio_id)) {
        return Err(crate::error::StoreError::not_found("portfolio", t.portfolio_id));
    }
    for n in &batch.notifications {
        notifications::validate(n)?;
    }
    for f in &batch.beta_feedback {
        f.validate()?;
    }
    Ok(())
}

impl Store {
    /// Imports whole rows, all or nothing (see the module docs). Checked
    /// before anything is written:
    /// - every row through its core constructor (users as of `now`: a MINOR
    ///   must be under 18 today), and the nil id refused;
    /// - each link joins a GUARDIAN and a MINOR; each imported MINOR has an
    ///   ACTIVE or PENDING guardian link (imported or stored);
    /// - each portfolio's book: cash ≥ 0, `total_value = cash + Σ positions`,
    ///   each position's derived columns;
    /// - each trade's status, fill and approval consistent (the lifecycle,
    ///   and approval only on a minor's trades), and each position equal to
    ///   its portfolio's executed trades.
    ///
    /// # Errors
    /// `Forbidden` for any actor but the system; `InvalidInput` naming the
    /// first row and rule that fails; `NotFound` for a position or trade of
    /// a portfolio outside the batch; `Conflict` for an id or email taken.
    pub async fn import(
        &self,
        by: impl Into<Caller>,
        batch: ImportBatch,
        now: DateTime<Utc>,
    ) -> StoreResult<ImportReport> {
        let caller = by.into();
        let actor = &caller.actor;
        let digest = caller.digest(&batch);
        let call = Call::new(OP_IMPORT, "import", "batch", None);
        self.command(&caller, &call, digest, async |s: &mut Session| {
            if !actor.is_system() {
                return Err(ElsonError::forbidden("only the system actor imports rows").into());
            }
            self.import_in(s, batch, now).await
        })
        .await
    }

    async fn import_in(
        &self,
        s: &mut Session,
        batch: ImportBatch,
        now: DateTime<Utc>,
    ) -> StoreResult<ImportReport> {
        let users: Vec<User> =
            batch.users.iter().map(|u| rebuild_user(u, now)).collect::<StoreResult<_>>()?;
        // Whom the batch refers to without bringing them, and the stored
        // links of the minors it brings: read under the write lock.
        let mut stored: HashMap<Uuid, User> = HashMap::new();
        let referred = batch
            .relationships
            .iter()
            .flat_map(|r| [r.guardian_id, r.minor_id])
            .chain(batch.portfolios.iter().map(|p| p.user_id));
        for id in referred {
            if !users.iter().any(|u| u.id == id) && !stored.contains_key(&id) {
                stored.insert(id, self.locked_user(s, OP_IMPORT, id).await?);
            }
        }
        let mut stored_links = Vec::new();
        for minor in users.iter().filter(|u| u.role == UserRole::Minor) {
            stored_links.extend(load_links_of_minor(s, OP_IMPORT, minor.id).await?);
        }
        check_batch(&batch, &users, &stored, &stored_links, true)?;
        // Checked: now written, in the order the foreign keys need.
        let c = &mut s.conn();
        for u in &users {
            self.users().write_in(c, OP_IMPORT, users::INSERT, u).await?;
        }
        for r in &batch.relationships {
            self.relationships().write_in(c, OP_IMPORT, relationships::INSERT, r).await?;
        }
        for p in &batch.portfolios {
            portfolios::insert_in(c, p).await?;
        }
        for x in &batch.positions {
            positions::insert_in(c, x).await?;
        }
        for t in &batch.trades {
            trades::insert_in(c, t).await?;
        }
        for n in &batch.notifications {
            notifications::insert_in(c, n).await?;
        }
        for f in &batch.beta_feedback {
            self.beta_feedback().write_in(c, OP_IMPORT, beta_feedback::INSERT, f).await?;
        }
        let ids = users
            .iter()
            .map(|u| u.id)
            .chain(batch.relationships.iter().map(|r| r.id))
            .chain(batch.portfolios.iter().map(|p| p.id))
            .chain(batch.positions.iter().map(|x| x.id))
            .chain(batch.trades.iter().map(|t| t.id))
            .chain(batch.notifications.iter().map(|n| n.id))
            .chain(batch.beta_feedback.iter().map(|f| f.id));
        s.audit_rows(ids);
        Ok(ImportReport {
            users: users.len(),
            relationships: batch.relationships.len(),
            portfolios: batch.portfolios.len(),
            positions: batch.positions.len(),
            trades: batch.trades.len(),
            notifications: batch.notifications.len(),
            beta_feedback: batch.beta_feedback.len(),
        })
    }
}
