//! Beta feedback: a user files theirs; an admin moves it forward
//! (NEW → REVIEWING → PRIORITIZED → IMPLEMENTED, DESIGN §9).

use chrono::{DateTime, Utc};
use elson_core::entities::{BetaFeedback, NewBetaFeedback};
use elson_core::enums::FeedbackStatus;
use elson_core::families::{Action, Resource};
use uuid::Uuid;

use super::Caller;
use crate::access::{Call, Session};
use crate::error::StoreResult;
use crate::repo::beta_feedback;
use crate::store::Store;

const OP_SUBMIT: &str = "beta_feedback.submit";
const OP_ADVANCE: &str = "beta_feedback.advance";

impl Store {
    /// Files a feedback through the core's `BetaFeedback::new` (status NEW).
    /// A user files their own.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses; `InvalidInput` naming the
    /// field; `Conflict` for a reused id.
    pub async fn submit_feedback(
        &self,
        by: impl Into<Caller>,
        id: Option<Uuid>,
        new: NewBetaFeedback,
        now: DateTime<Utc>,
    ) -> StoreResult<BetaFeedback> {
        let caller = by.into();
        let digest = caller.digest(&(id, &new));
        let call = Call::new(OP_SUBMIT, "submit", "beta_feedback", id);
        self.command(&caller, &call, digest, async |s: &mut Session| {
            s.authorize(Action::Create, Resource::BetaFeedback { user_id: new.user_id }).await?;
            let f = BetaFeedback::new(new, id, now)?;
            self.beta_feedback()
                .write_in(&mut s.conn(), OP_SUBMIT, beta_feedback::INSERT, &f)
                .await?;
            s.audit_rows([f.id]);
            Ok(f)
        })
        .await
    }

    /// Moves a feedback forward (the core's `BetaFeedback::advance`): an
    /// admin's triage.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden` for anyone but an admin; `InvalidTransition`
    /// for a move backwards or in place.
    pub async fn advance_feedback(
        &self,
        by: impl Into<Caller>,
        feedback_id: Uuid,
        to: FeedbackStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<BetaFeedback> {
        let caller = by.into();
        let digest = caller.digest(&(feedback_id, to));
        let call = Call::new(OP_ADVANCE, "advance", "beta_feedback", Some(feedback_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let row =
                beta_feedback::LOCKED.fetch(s, OP_ADVANCE, "beta_feedback", feedback_id).await?;
            let mut f = beta_feedback::from_row(&row)?;
            s.authorize(Action::Update, Resource::BetaFeedback { user_id: f.user_id }).await?;
            f.advance(to, now)?;
            self.beta_feedback()
                .write_in(&mut s.conn(), OP_ADVANCE, beta_feedback::UPDATE, &f)
                .await?;
            Ok(f)
        })
        .await
    }
}
