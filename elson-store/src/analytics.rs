//! Portfolio analytics: one precomputed row per portfolio (positions,
//! value, trade counts), from the `portfolio_analytics` view of migration 11.
//!
//! PostgreSQL: a MATERIALIZED VIEW, refreshed by
//! [`Store::refresh_portfolio_analytics`] with `REFRESH MATERIALIZED VIEW
//! CONCURRENTLY` (readers are never blocked and see the previous contents
//! until the refresh commits); between refreshes it is stale by design.
//! SQLite: a plain VIEW with the same name and columns, always fresh, and the
//! refresh is a no-op.

use chrono::{DateTime, Utc};
use elson_core::limits::DecimalLimit;
use rust_decimal::Decimal;
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, live};
use crate::actor::Actor;
use crate::db::{DbRow, uuid};
use crate::error::{StoreError, StoreResult};
use crate::repo::portfolios::Portfolios;
use crate::store::{Backend, Store};

macro_rules! cols {
    () => {
        "portfolio_id, user_id, cash_balance, total_value, position_count, positions_value, \
         gain_loss, trades_pending, trades_executed, trades_cancelled, trades_rejected, \
         last_trade_at"
    };
}
const BY_PORTFOLIO: &str =
    concat!("SELECT ", cols!(), " FROM portfolio_analytics WHERE portfolio_id = $1");
const BY_USER: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM portfolio_analytics WHERE user_id = $1 ORDER BY portfolio_id"
);

/// One portfolio's analytics row.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioAnalytics {
    /// The portfolio.
    pub portfolio_id: Uuid,
    /// Its owner.
    pub user_id: Uuid,
    /// Cash, as on the portfolio row.
    pub cash_balance: Decimal,
    /// Total value, as on the portfolio row.
    pub total_value: Decimal,
    /// Number of positions.
    pub position_count: i64,
    /// Sum of the positions' `current_value`.
    pub positions_value: Decimal,
    /// Sum of the positions' `gain_loss`.
    pub gain_loss: Decimal,
    /// Trades by status.
    pub trades_pending: i64,
    /// Trades EXECUTED.
    pub trades_executed: i64,
    /// Trades CANCELLED.
    pub trades_cancelled: i64,
    /// Trades REJECTED.
    pub trades_rejected: i64,
    /// `created_at` of the newest trade, if any.
    pub last_trade_at: Option<DateTime<Utc>>,
}

fn from_row(r: &DbRow) -> StoreResult<PortfolioAnalytics> {
    Ok(PortfolioAnalytics {
        portfolio_id: r.uuid("portfolio_id")?,
        user_id: r.uuid("user_id")?,
        cash_balance: r.dec("cash_balance", DecimalLimit::MONEY)?,
        total_value: r.dec("total_value", DecimalLimit::MONEY)?,
        position_count: r.i64("position_count")?,
        positions_value: r.dec("positions_value", DecimalLimit::MONEY)?,
        gain_loss: r.dec("gain_loss", DecimalLimit::MONEY)?,
        trades_pending: r.i64("trades_pending")?,
        trades_executed: r.i64("trades_executed")?,
        trades_cancelled: r.i64("trades_cancelled")?,
        trades_rejected: r.i64("trades_rejected")?,
        last_trade_at: r.opt_ts("last_trade_at")?,
    })
}

impl Store {
    /// Recomputes the `portfolio_analytics` materialized view on PostgreSQL
    /// (`REFRESH MATERIALIZED VIEW CONCURRENTLY`: readers keep reading the
    /// previous contents meanwhile). SQLite's view is always fresh: no-op.
    ///
    /// # Errors
    /// `Storage` when the database refuses (e.g. a role that does not own
    /// the view).
    ///
    /// # Example
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use elson_store::{Store, system_actor};
    /// let store = Store::open("sqlite::memory:").await.unwrap();
    /// store.refresh_portfolio_analytics(&system_actor()).await.unwrap();
    /// # });
    /// ```
    pub async fn refresh_portfolio_analytics(&self, actor: &Actor) -> StoreResult<()> {
        const OP: &str = "portfolio_analytics.refresh";
        let r = async {
            if self.backend() == Backend::Sqlite {
                return Ok(());
            }
            let mut c = self.acquire(OP).await?;
            c.conn()
                .fetch_all_composed(
                    OP,
                    "REFRESH MATERIALIZED VIEW CONCURRENTLY portfolio_analytics".to_string(),
                    &[],
                )
                .await
                .map(|_| ())
        }
        .await;
        self.audited(actor, "refresh", "portfolio_analytics", None, r)
    }
}

impl Portfolios<'_> {
    /// One portfolio's analytics row: as of the last
    /// [`Store::refresh_portfolio_analytics`] on PostgreSQL, live on SQLite.
    ///
    /// # Errors
    /// `NotFound` for an unknown portfolio (on PostgreSQL also for one
    /// created after the last refresh).
    pub async fn analytics(
        self,
        actor: &Actor,
        portfolio_id: Uuid,
    ) -> StoreResult<PortfolioAnalytics> {
        let call =
            Call::new("portfolio_analytics.get", "get", "portfolio_analytics", Some(portfolio_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let row = s.conn().fetch_optional(call.op, BY_PORTFOLIO, &[uuid(portfolio_id)]).await?;
            let Some(row) = row else {
                return Err(StoreError::not_found("portfolio", portfolio_id));
            };
            let a = from_row(&row)?;
            s.authorize(Action::Read, Resource::Portfolio { owner_id: a.user_id }).await?;
            Ok(a)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// The analytics rows of every portfolio of a user, by portfolio id.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn analytics_for_user(
        self,
        actor: &Actor,
        user_id: Uuid,
    ) -> StoreResult<Vec<PortfolioAnalytics>> {
        let call =
            Call::new("portfolio_analytics.for_user", "list", "portfolio_analytics", Some(user_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Read, Resource::Portfolio { owner_id: user_id }).await?;
            let rows = s.conn().fetch_all(call.op, BY_USER, &[uuid(user_id)]).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}
