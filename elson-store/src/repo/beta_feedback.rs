//! Table `beta_feedback`, and the feedback-by-user query.

use elson_core::ElsonError;
use elson_core::entities::BetaFeedback;
use elson_core::limits::TextLimit;
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, WithStanding, live, with_standing};
use crate::actor::Actor;
use crate::check;
use crate::db::{Arg, Conn, DbRow, enum_text, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

macro_rules! cols {
    () => {
        "id, user_id, feedback_type, category, title, description, severity, status, \
         submitted_at, updated_at, related_component, environment_details, screenshots, assigned_to"
    };
}
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO beta_feedback (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
);
pub(crate) const UPDATE: &str = "UPDATE beta_feedback SET user_id = $2, feedback_type = $3, category = $4, \
     title = $5, description = $6, severity = $7, status = $8, submitted_at = $9, \
     updated_at = $10, related_component = $11, environment_details = $12, screenshots = $13, \
     assigned_to = $14 WHERE id = $1";
const GET: &str = concat!("SELECT ", cols!(), " FROM beta_feedback WHERE id = $1");
/// Every row (a restore checks a whole snapshot).
pub(crate) const ALL: &str = concat!("SELECT ", cols!(), " FROM beta_feedback");
/// [`GET`] under the write lock, for the commands.
pub(crate) const LOCKED: crate::commands::LockedGet = crate::commands::LockedGet {
    plain: GET,
    for_update: concat!("SELECT ", cols!(), " FROM beta_feedback WHERE id = $1 FOR UPDATE"),
};
/// The seed's "Beta User Feedback Collection" with the actor's standing
/// ([`with_standing!`]).
pub(crate) const BY_USER: WithStanding = with_standing!(
    concat!("SELECT ", cols!(), " FROM beta_feedback WHERE user_id = $1"),
    "q.submitted_at DESC",
    "2"
);

/// Most screenshots one feedback may carry.
pub const SCREENSHOTS_MAX: usize = 20;

/// Repository of `beta_feedback`; from [`Store::beta_feedback`].
#[derive(Debug, Clone, Copy)]
pub struct BetaFeedbackRepo<'s> {
    store: &'s Store,
}

fn validate(f: &BetaFeedback) -> Result<(), ElsonError> {
    check::opt_text("category", &f.category, TextLimit::NAME)?;
    check::text("title", &f.title, TextLimit::LONG)?;
    check::text("description", &f.description, TextLimit::TEXT)?;
    check::opt_text("related_component", &f.related_component, TextLimit::NAME)?;
    if f.screenshots.len() > SCREENSHOTS_MAX {
        return Err(ElsonError::invalid(
            "screenshots",
            format!("{} screenshots, at most {SCREENSHOTS_MAX} allowed", f.screenshots.len()),
        ));
    }
    for s in &f.screenshots {
        check::text("screenshots", s, TextLimit::LONG)?;
    }
    Ok(())
}

pub(crate) fn from_row(r: &DbRow) -> StoreResult<BetaFeedback> {
    Ok(BetaFeedback {
        id: r.uuid("id")?,
        user_id: r.uuid("user_id")?,
        feedback_type: r.parse("feedback_type")?,
        category: r.opt_text("category")?,
        title: r.text("title")?,
        description: r.text("description")?,
        severity: r.parse("severity")?,
        status: r.parse("status")?,
        submitted_at: r.ts("submitted_at")?,
        updated_at: r.ts("updated_at")?,
        related_component: r.opt_text("related_component")?,
        environment_details: r.opt_json("environment_details")?,
        screenshots: r.text_array("screenshots")?,
        assigned_to: r.opt_uuid("assigned_to")?,
    })
}

impl BetaFeedbackRepo<'_> {
    pub(crate) async fn write_in(
        self,
        c: &mut Conn<'_>,
        op: &'static str,
        sql: &'static str,
        f: &BetaFeedback,
    ) -> StoreResult<u64> {
        validate(f)?;
        let args = [
            uuid(f.id),
            uuid(f.user_id),
            enum_text(f.feedback_type),
            opt_text(&f.category),
            text(&f.title),
            text(&f.description),
            enum_text(f.severity),
            enum_text(f.status),
            ts(f.submitted_at),
            ts(f.updated_at),
            opt_text(&f.related_component),
            Arg::Json(f.environment_details.as_ref()),
            Arg::TextArray(&f.screenshots),
            Arg::Uuid(f.assigned_to),
        ];
        c.execute(op, sql, &args).await.map_err(|e| e.refine_fk("user", f.user_id))
    }

    /// One feedback by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Forbidden` when `authorize` refuses.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<BetaFeedback> {
        let call = Call::new("beta_feedback.get", "get", "beta_feedback", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let Some(row) = s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? else {
                return Err(StoreError::not_found("beta_feedback", id));
            };
            let f = from_row(&row)?;
            s.authorize(Action::Read, Resource::BetaFeedback { user_id: f.user_id }).await?;
            Ok(f)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// The seed's "Beta User Feedback Collection": a user's feedback, newest
    /// first.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses.
    pub async fn by_user(self, actor: &Actor, user_id: Uuid) -> StoreResult<Vec<BetaFeedback>> {
        let call = Call::new("beta_feedback.by_user", "query", "beta_feedback", Some(user_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            // One round trip: the feedback and the actor's standing;
            // nothing leaves before `authorize` agrees.
            let rows = s.fetch_all_with_standing(call.op, BY_USER, &[uuid(user_id)]).await?;
            s.authorize(Action::Read, Resource::BetaFeedback { user_id }).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}

impl Store {
    /// The `beta_feedback` repository.
    pub fn beta_feedback(&self) -> BetaFeedbackRepo<'_> {
        BetaFeedbackRepo { store: self }
    }
}
