use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{FeedbackSeverity, FeedbackStatus, FeedbackType};
use crate::error::{ElsonError, Result};
use crate::limits::TextLimit;

/// Most screenshot URLs one feedback may carry; the column is an unbounded
/// ARRAY, and an unbounded list in one row is a bug waiting to happen.
pub const SCREENSHOTS_MAX: usize = 20;

checked_entity! {
    /// Feedback from a beta tester (table `beta_feedback`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct BetaFeedback {
        /// Primary key.
        pub id: Uuid,
        /// Author.
        pub user_id: Uuid,
        /// BUG, FEATURE_REQUEST or GENERAL.
        pub feedback_type: FeedbackType,
        /// Category, VARCHAR(100).
        pub category: Option<String>,
        /// Title, VARCHAR(255).
        pub title: String,
        /// Details.
        pub description: String,
        /// LOW, MEDIUM, HIGH or CRITICAL.
        pub severity: FeedbackSeverity,
        /// NEW → REVIEWING → PRIORITIZED → IMPLEMENTED, forward only.
        pub status: FeedbackStatus,
        /// Submission.
        pub submitted_at: DateTime<Utc>,
        /// Last update.
        pub updated_at: DateTime<Utc>,
        /// Component, VARCHAR(100).
        pub related_component: Option<String>,
        /// Environment details (free-form JSON).
        pub environment_details: Option<serde_json::Value>,
        /// Screenshot URLs.
        pub screenshots: Vec<String>,
        /// Team member assigned.
        pub assigned_to: Option<Uuid>,
    }
}

/// Everything a beta tester submits; the id, status (NEW), timestamps and
/// assignee are filled in by [`BetaFeedback::new`].
///
/// Start from [`NewBetaFeedback::new`] and override the optional fields with
/// struct-update syntax.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewBetaFeedback {
    /// Author.
    pub user_id: Uuid,
    /// BUG, FEATURE_REQUEST or GENERAL.
    pub feedback_type: FeedbackType,
    /// Title, 1–255 characters.
    pub title: String,
    /// Details, TEXT.
    pub description: String,
    /// LOW, MEDIUM, HIGH or CRITICAL.
    pub severity: FeedbackSeverity,
    /// Category, 1–100 characters.
    pub category: Option<String>,
    /// Component, 1–100 characters.
    pub related_component: Option<String>,
    /// Environment details (free-form JSON); `Some(null)` is stored as `None`.
    pub environment_details: Option<serde_json::Value>,
    /// Screenshot URLs, each 1–255 characters, at most [`SCREENSHOTS_MAX`].
    pub screenshots: Vec<String>,
}

impl NewBetaFeedback {
    /// The required values; no category, component, environment or screenshots.
    pub fn new(
        user_id: Uuid,
        feedback_type: FeedbackType,
        severity: FeedbackSeverity,
        title: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        NewBetaFeedback {
            user_id,
            feedback_type,
            title: title.into(),
            description: description.into(),
            severity,
            category: None,
            related_component: None,
            environment_details: None,
            screenshots: Vec::new(),
        }
    }
}

impl BetaFeedback {
    /// Creates feedback in status NEW after checking every column limit.
    /// `id` is used when given, else a fresh UUID v4;
    /// `submitted_at = updated_at = now`; nobody is assigned yet.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the column:
    /// - `title`: empty or longer than 255 characters;
    /// - `description`: longer than the TEXT bound;
    /// - `category`, `related_component`: empty or longer than 100 characters;
    /// - `screenshots`: more than [`SCREENSHOTS_MAX`] entries, or an entry
    ///   empty or longer than 255 characters (the reason gives its index).
    pub fn new(
        params: NewBetaFeedback,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<BetaFeedback> {
        let NewBetaFeedback {
            user_id,
            feedback_type,
            title,
            description,
            severity,
            category,
            related_component,
            environment_details,
            screenshots,
        } = params;
        let feedback = BetaFeedback {
            id: id.unwrap_or_else(Uuid::new_v4),
            user_id,
            feedback_type,
            category,
            title,
            description,
            severity,
            status: FeedbackStatus::New,
            submitted_at: now,
            updated_at: now,
            related_component,
            environment_details: super::user::drop_json_null(environment_details),
            screenshots,
            assigned_to: None,
        };
        feedback.validate()?;
        Ok(feedback)
    }

    /// Checks a whole row by the rules of [`BetaFeedback::new`]: serde runs
    /// it on every feedback it reads (issue 14 item 3). Any status is a
    /// row the forward-only machine can reach.
    ///
    /// # Errors
    /// As [`BetaFeedback::new`].
    pub fn validate(&self) -> Result<()> {
        TextLimit::LONG.check("title", &self.title)?;
        TextLimit::TEXT.check("description", &self.description)?;
        if let Some(v) = &self.category {
            TextLimit::NAME.check("category", v)?;
        }
        if let Some(v) = &self.related_component {
            TextLimit::NAME.check("related_component", v)?;
        }
        if self.screenshots.len() > SCREENSHOTS_MAX {
            return Err(ElsonError::invalid(
                "screenshots",
                format!("{} entries, at most {SCREENSHOTS_MAX} allowed", self.screenshots.len()),
            ));
        }
        for (index, url) in self.screenshots.iter().enumerate() {
            TextLimit::LONG.check("screenshots", url).map_err(|e| match e {
                ElsonError::InvalidInput { field, reason } => {
                    ElsonError::InvalidInput { field, reason: format!("entry {index} {reason}") }
                }
                other => other,
            })?;
        }
        Ok(())
    }

    /// Moves the status forward to `to` and stamps `updated_at = now`
    /// (DESIGN §9: NEW → REVIEWING → PRIORITIZED → IMPLEMENTED).
    ///
    /// Any strictly later status is allowed, so skipping is fine (a one-line
    /// fix can go from NEW straight to IMPLEMENTED): the rule is that work
    /// never goes backwards, not that every stage is visited. Staying in the
    /// same status is refused so a caller learns nothing changed.
    ///
    /// # Errors
    /// [`ElsonError::InvalidTransition`] (entity `beta_feedback`) when `to`
    /// is the current status or an earlier one; the feedback is unchanged.
    pub fn advance(&mut self, to: FeedbackStatus, now: DateTime<Utc>) -> Result<()> {
        use FeedbackStatus as S;
        let allowed = match (self.status, to) {
            (S::New, S::Reviewing | S::Prioritized | S::Implemented)
            | (S::Reviewing, S::Prioritized | S::Implemented)
            | (S::Prioritized, S::Implemented) => true,
            (S::New, S::New)
            | (S::Reviewing, S::New | S::Reviewing)
            | (S::Prioritized, S::New | S::Reviewing | S::Prioritized)
            // IMPLEMENTED is final.
            | (S::Implemented, S::New | S::Reviewing | S::Prioritized | S::Implemented) => false,
        };
        if !allowed {
            return Err(ElsonError::transition("beta_feedback", self.status, to));
        }
        // After this point the transition succeeds.
        let from = self.status;
        self.status = to;
        self.updated_at = now;
        debug_assert!(from < self.status, "Invariant: feedback status only moves forward");
        Ok(())
    }
}
