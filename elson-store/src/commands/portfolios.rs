//! Portfolios: opening one (with no cash) and changing its settings. Money
//! moves only through deposits, withdrawals and trades
//! ([`super::trading`]).

use chrono::{DateTime, Utc};
use elson_core::entities::{NewPortfolio, Portfolio, PortfolioSettings};
use elson_core::families::{Action, Resource};
use uuid::Uuid;

use super::Caller;
use crate::access::{Call, Session};
use crate::error::StoreResult;
use crate::repo::portfolios;
use crate::store::Store;

const OP_OPEN: &str = "portfolios.open";
const OP_SETTINGS: &str = "portfolios.update_settings";

impl Store {
    /// Opens a portfolio for `new.user_id` through the core's
    /// `Portfolio::new`: cash and total value 0.00. The owner opens their
    /// own; a guardian opens their ward's (and decides its
    /// `guardian_approval`); a minor opens none.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses; `InvalidInput` naming the field;
    /// `NotFound` for an unknown owner; `Conflict` for a reused id.
    pub async fn open_portfolio(
        &self,
        by: impl Into<Caller>,
        id: Uuid,
        new: NewPortfolio,
        now: DateTime<Utc>,
    ) -> StoreResult<Portfolio> {
        let caller = by.into();
        let digest = caller.digest(&(id, &new));
        let call = Call::new(OP_OPEN, "open_portfolio", "portfolios", Some(id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            s.authorize(Action::Create, Resource::Portfolio { owner_id: new.user_id }).await?;
            let p = Portfolio::new(new, id, now)?;
            portfolios::insert_in(&mut s.conn(), &p).await?;
            Ok(p)
        })
        .await
    }

    /// Changes a portfolio's settings (name, description, type, risk fields,
    /// `guardian_approval`) through the core's `update_settings`; cash,
    /// total value and owner are not settings. The owner changes their own;
    /// for a minor's portfolio only their guardian does, so a child cannot
    /// switch the approval off.
    ///
    /// # Errors
    /// `NotFound` for an unknown portfolio; `Forbidden` when `authorize`
    /// refuses; `InvalidInput` naming the field.
    pub async fn update_portfolio_settings(
        &self,
        by: impl Into<Caller>,
        portfolio_id: Uuid,
        settings: PortfolioSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<Portfolio> {
        let caller = by.into();
        let digest = caller.digest(&(portfolio_id, &settings));
        let call = Call::new(OP_SETTINGS, "update_settings", "portfolios", Some(portfolio_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let row = portfolios::LOCKED.fetch(s, OP_SETTINGS, "portfolio", portfolio_id).await?;
            let mut p = portfolios::from_row(&row)?;
            s.authorize(Action::Update, Resource::Portfolio { owner_id: p.user_id }).await?;
            p.update_settings(settings, now)?;
            portfolios::validate(&p)?;
            s.conn().execute(OP_SETTINGS, portfolios::UPDATE, &portfolios::args(&p)).await?;
            s.touch(&[p.id]);
            Ok(p)
        })
        .await
    }
}
