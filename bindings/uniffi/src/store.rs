//! The persistent store (SQLite embedded, PostgreSQL on servers) as an
//! object with `async` methods: Kotlin `suspend` functions (coroutines) and
//! Swift `async` functions. Reads return rows; every write is a command
//! (here: money and trading; [`crate::commands`]: accounts, portfolios,
//! links, the inbox, feedback and import), one transaction whose every
//! effect the core decides. Execution prices are the market's (only the
//! system actor states one) and fees the platform's (`StoreConfig.fees`).
//!
//! The store runs on Tokio (sqlx); uniffi drives each call's future inside a
//! Tokio context (`async_runtime = "tokio"`), so callers need no runtime of
//! their own.

use std::collections::HashMap;
use std::sync::Arc;

use elson_core::entities::{NewTrade, Notification, Portfolio, Position, Trade, User};
use elson_core::enums::{AssetType, NotificationStatus};
use elson_core::families::{Actor, Verdict};
use elson_store as core;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::Result;
use crate::accounting::ExecutionOutcome;
use crate::commands::caller;
use crate::security::{LoginOutcome, StoreConfig, TwoFactorChallenge, TwoFactorEnrollment};
use crate::types::Timestamp;
use elson_store::AuditEntry;
use elson_store::repo::trades::ApprovalQueueItem;

/// A guardian's verdict on a minor's PENDING trade.
#[uniffi::remote(Enum)]
pub enum Verdict {
    /// Approve: the trade may execute.
    Approve,
    /// Reject with a reason: the trade becomes REJECTED.
    Reject { reason: String },
}

/// A new order and the market facts the approval rules need.
#[derive(Debug, Clone, uniffi::Record)]
pub struct OrderRequest {
    /// The order.
    pub trade: NewTrade,
    /// Asset type of the symbol.
    pub asset_type: AssetType,
    /// Current market price; required for MARKET orders.
    pub market_price: Option<Decimal>,
}

/// The market facts of an execution. The fees are not among them: they are
/// the platform's (`StoreConfig.fees`), never the caller's.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MarketFill {
    /// The market price the order fills at: the price feed's, so only the
    /// system actor gives one (anyone else: `Forbidden`). Null: a LIMIT
    /// order fills at its own limit price.
    #[uniffi(default = None)]
    pub market_price: Option<Decimal>,
    /// Asset type of a position a buy opens.
    pub asset_type: AssetType,
}

impl From<MarketFill> for core::Fill {
    fn from(f: MarketFill) -> Self {
        core::Fill { market_price: f.market_price, asset_type: f.asset_type }
    }
}

/// A fill at the market price `price` (the system actor's: the price feed
/// or the broker integration).
#[uniffi::export]
pub fn market_fill_at(price: Decimal, asset_type: AssetType) -> MarketFill {
    MarketFill { market_price: Some(price), asset_type }
}

/// A LIMIT order filled at its own limit price (any actor allowed to
/// execute it).
#[uniffi::export]
pub fn market_fill_at_limit(asset_type: AssetType) -> MarketFill {
    MarketFill { market_price: None, asset_type }
}

/// What a trading call committed.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TradeResult {
    /// The trade row as committed.
    pub trade: Trade,
    /// The portfolio row as committed.
    pub portfolio: Portfolio,
    /// For an execution: what the book did (None for place/decide/cancel).
    pub outcome: Option<ExecutionOutcome>,
    /// Notifications written in the same transaction.
    pub notifications: Vec<Notification>,
}

impl From<core::TradeResult> for TradeResult {
    fn from(r: core::TradeResult) -> Self {
        TradeResult {
            trade: r.trade,
            portfolio: r.portfolio,
            outcome: r.outcome.map(Into::into),
            notifications: r.notifications,
        }
    }
}

/// A portfolio with its positions, after a mark to market.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MarkedPortfolio {
    /// The portfolio row.
    pub portfolio: Portfolio,
    /// Its positions.
    pub positions: Vec<Position>,
}

/// The actor every platform-internal call uses (an active ADMIN with the
/// nil id), for seeding and maintenance.
#[uniffi::export]
pub fn system_actor() -> Actor {
    core::system_actor()
}

/// Opens (and migrates) the database at `url`: `sqlite://path/elson.db`,
/// `sqlite::memory:` or `postgres://user@host/db`.
///
/// # Errors
/// `Open` for an unknown scheme, an unreachable server or a failed migration.
#[uniffi::export(async_runtime = "tokio")]
pub async fn open_store(url: String) -> Result<Arc<ElsonStore>> {
    Ok(Arc::new(ElsonStore { inner: core::Store::open(&url).await? }))
}

/// [`open_store`] with a [`StoreConfig`] (bcrypt cost, attempt limits, pool
/// size, migrations, the platform's fee schedule).
///
/// # Errors
/// `Open` as for [`open_store`]; `InvalidInput` for a bad fee schedule. (A
/// bcrypt cost outside 4–31 is refused as `InvalidInput` by the calls that
/// hash.)
#[uniffi::export(async_runtime = "tokio")]
pub async fn open_store_with(url: String, config: StoreConfig) -> Result<Arc<ElsonStore>> {
    let store = core::Store::open_with(&url, config.options()?).await?;
    let store = match &config.pii_key {
        Some(key) => store.with_key_provider(Arc::new(key.provider()?)),
        None => store,
    };
    Ok(Arc::new(ElsonStore { inner: store }))
}

/// An open store. Thread-safe; share one per database.
///
/// Every command (the writes here and in [`crate::commands`]) takes an
/// optional last argument `commandId`: the client's id of that command (a
/// UUID's text), which makes a retry safe. The same id (for the same actor)
/// with the same arguments returns the first result and does nothing twice,
/// also when sent concurrently; with other arguments or for another command
/// it throws `IdempotencyConflict` and does nothing. `now` and passwords are
/// not compared. Null (the default): every call is a new command.
#[derive(Debug, uniffi::Object)]
pub struct ElsonStore {
    pub(crate) inner: core::Store,
}

#[uniffi::export(async_runtime = "tokio")]
impl ElsonStore {
    /// The migrations applied, by version (1 to 15 after `open`).
    ///
    /// # Errors
    /// `Storage` on a database failure.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>> {
        Ok(self.inner.applied_migrations().await?)
    }

    /// Reads a user.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn get_user(&self, actor: Actor, id: Uuid) -> Result<User> {
        Ok(self.inner.users().get(&actor, id).await?)
    }

    /// Reads a portfolio.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn get_portfolio(&self, actor: Actor, id: Uuid) -> Result<Portfolio> {
        Ok(self.inner.portfolios().get(&actor, id).await?)
    }

    /// The positions of a portfolio.
    ///
    /// # Errors
    /// `Storage` on a database failure.
    pub async fn positions(&self, actor: Actor, portfolio_id: Uuid) -> Result<Vec<Position>> {
        Ok(self.inner.positions().list_for_portfolio(&actor, portfolio_id).await?)
    }

    /// Reads a trade.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn get_trade(&self, actor: Actor, id: Uuid) -> Result<Trade> {
        Ok(self.inner.trades().get(&actor, id).await?)
    }

    /// The trades of a portfolio, newest first, one page.
    ///
    /// # Errors
    /// `InvalidInput` for a bad page.
    pub async fn trade_history(
        &self,
        actor: Actor,
        portfolio_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Trade>> {
        Ok(self.inner.trades().history(&actor, portfolio_id, limit, offset).await?)
    }

    /// Adds cash to a portfolio (one transaction).
    ///
    /// # Errors
    /// `InvalidInput`, `NotFound`, `Forbidden`.
    #[uniffi::method(default(command_id = None))]
    pub async fn deposit(
        &self,
        actor: Actor,
        portfolio_id: Uuid,
        amount: Decimal,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Portfolio> {
        Ok(self.inner.deposit(caller(&actor, command_id)?, portfolio_id, amount, now).await?)
    }

    /// Takes cash out of a portfolio (one transaction): the owner, or a
    /// minor whose every active guardian granted `withdrawals`.
    ///
    /// # Errors
    /// `InsufficientFunds`; `InvalidInput` for an amount that is not
    /// positive money; `NotFound`; `Forbidden`.
    #[uniffi::method(default(command_id = None))]
    pub async fn withdraw(
        &self,
        actor: Actor,
        portfolio_id: Uuid,
        amount: Decimal,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<Portfolio> {
        Ok(self.inner.withdraw(caller(&actor, command_id)?, portfolio_id, amount, now).await?)
    }

    /// Places an order: the approval decision, the trade row and the
    /// notifications, in one transaction.
    ///
    /// # Errors
    /// The core's errors for the order; `Conflict` for a reused trade id
    /// with different contents.
    #[uniffi::method(default(command_id = None))]
    pub async fn place_trade(
        &self,
        actor: Actor,
        order: OrderRequest,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<TradeResult> {
        let order = core::OrderRequest {
            trade: order.trade,
            asset_type: order.asset_type,
            market_price: order.market_price,
        };
        Ok(self.inner.place_trade(caller(&actor, command_id)?, order, now).await?.into())
    }

    /// A guardian's verdict on a PENDING trade.
    ///
    /// # Errors
    /// `Forbidden`, `InvalidTransition`, `InvalidInput` (blank reason).
    #[uniffi::method(default(command_id = None))]
    pub async fn decide_trade(
        &self,
        actor: Actor,
        trade_id: Uuid,
        verdict: Verdict,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<TradeResult> {
        Ok(self
            .inner
            .decide_trade(caller(&actor, command_id)?, trade_id, verdict, now)
            .await?
            .into())
    }

    /// Executes a PENDING trade: trade, position, cash, total value and
    /// notifications in one transaction, with the platform's fees. A
    /// `fill.marketPrice` is the system actor's (the price feed or broker);
    /// anyone else allowed to execute the trade fills a LIMIT order at its
    /// limit price (`marketFillAtLimit`).
    ///
    /// # Errors
    /// `Forbidden` for a market price from anyone but the system actor, or a
    /// MARKET order executed by anyone else; `ApprovalRequired`,
    /// `InsufficientFunds`, `InsufficientQuantity`, `InvalidTransition`,
    /// `InvalidInput`.
    #[uniffi::method(default(command_id = None))]
    pub async fn execute_trade(
        &self,
        actor: Actor,
        trade_id: Uuid,
        fill: MarketFill,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<TradeResult> {
        let fill: core::Fill = fill.into();
        Ok(self
            .inner
            .execute_trade(caller(&actor, command_id)?, trade_id, &fill, now)
            .await?
            .into())
    }

    /// Cancels a PENDING trade.
    ///
    /// # Errors
    /// `InvalidTransition` from a final status.
    #[uniffi::method(default(command_id = None))]
    pub async fn cancel_trade(
        &self,
        actor: Actor,
        trade_id: Uuid,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<TradeResult> {
        Ok(self.inner.cancel_trade(caller(&actor, command_id)?, trade_id, now).await?.into())
    }

    /// Marks positions to new prices (symbol → price) in one transaction.
    /// Prices are the price feed's: the system actor's only. Symbols the
    /// portfolio does not hold are ignored; every price is checked.
    ///
    /// # Errors
    /// `Forbidden` for any actor but the system; `InvalidInput` for a price
    /// that is not positive money or a bad symbol; `NotFound`.
    #[uniffi::method(default(command_id = None))]
    pub async fn mark_to_market(
        &self,
        actor: Actor,
        portfolio_id: Uuid,
        prices: HashMap<String, Decimal>,
        now: Timestamp,
        command_id: Option<String>,
    ) -> Result<MarkedPortfolio> {
        let prices: Vec<(&str, Decimal)> = prices.iter().map(|(s, p)| (s.as_str(), *p)).collect();
        let (portfolio, positions) = self
            .inner
            .mark_to_market(caller(&actor, command_id)?, portfolio_id, &prices, now)
            .await?;
        Ok(MarkedPortfolio { portfolio, positions })
    }

    /// The seed's "Guardian Approval Queue": the PENDING trades of the
    /// guardian's minors, oldest first (audited).
    ///
    /// # Errors
    /// `Forbidden` when the actor may not read the guardian's relationships.
    pub async fn approval_queue(
        &self,
        actor: Actor,
        guardian_id: Uuid,
    ) -> Result<Vec<ApprovalQueueItem>> {
        Ok(self.inner.trades().approval_queue(&actor, guardian_id).await?)
    }

    /// A page of a user's notifications, newest first.
    ///
    /// # Errors
    /// `Forbidden` when the actor may not read them; `InvalidInput` for a
    /// limit outside 1–1000 or a negative offset.
    pub async fn notifications(
        &self,
        actor: Actor,
        user_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Notification>> {
        Ok(self.inner.notifications().list_for_user(&actor, user_id, limit, offset).await?)
    }

    /// A user's notifications in one status (e.g. the unread ones).
    ///
    /// # Errors
    /// `Forbidden` when the actor may not read them.
    pub async fn notifications_with_status(
        &self,
        actor: Actor,
        user_id: Uuid,
        status: NotificationStatus,
    ) -> Result<Vec<Notification>> {
        Ok(self.inner.notifications().list_for_user_status(&actor, user_id, status).await?)
    }

    /// A bcrypt hash of `password` at the store's cost, for the `passwordHash`
    /// of a user row given to `importRows` (the commands hash for themselves).
    ///
    /// # Errors
    /// `InvalidInput` for an empty password or one over 72 bytes.
    pub async fn hash_password(&self, password: String) -> Result<String> {
        Ok(self.inner.hash_password(&password).await?)
    }

    /// Logs in by email and password. An unknown email and a wrong password
    /// fail alike; after too many failures the email is refused for a while.
    ///
    /// # Errors
    /// `AuthenticationFailed`; `Forbidden` for an INACTIVE or SUSPENDED user.
    pub async fn login(
        &self,
        email: String,
        password: String,
        now: Timestamp,
    ) -> Result<LoginOutcome> {
        Ok(self.inner.login(&email, &password, now).await?.into())
    }

    /// The code step of a login with two-factor.
    ///
    /// # Errors
    /// `AuthenticationFailed` for an expired challenge or a wrong, reused or
    /// locked-out code; `Forbidden` for a user suspended meanwhile.
    pub async fn complete_login(
        &self,
        challenge: Arc<TwoFactorChallenge>,
        code: String,
        now: Timestamp,
    ) -> Result<Actor> {
        Ok(self.inner.complete_login(&challenge.inner, &code, now).await?)
    }

    /// Starts two-factor enrollment for a user.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` when two-factor is already on; `Forbidden`.
    pub async fn enroll_two_factor(
        &self,
        actor: Actor,
        user_id: Uuid,
        now: Timestamp,
    ) -> Result<Arc<TwoFactorEnrollment>> {
        Ok(Arc::new(self.inner.enroll_two_factor(&actor, user_id, now).await?.into()))
    }

    /// Turns two-factor on with a first correct code.
    ///
    /// # Errors
    /// `AuthenticationFailed` for a wrong code; `Conflict` when already on.
    pub async fn confirm_two_factor(
        &self,
        actor: Actor,
        user_id: Uuid,
        code: String,
        now: Timestamp,
    ) -> Result<()> {
        Ok(self.inner.confirm_two_factor(&actor, user_id, &code, now).await?)
    }

    /// Copies the SQLite database to a new file at `path`, consistently,
    /// while the store stays in use (admins only).
    ///
    /// # Errors
    /// `Forbidden` for anyone else; `InvalidInput` for a path that exists or
    /// a PostgreSQL store (use `pg_dump`).
    pub async fn snapshot(&self, actor: Actor, path: String) -> Result<()> {
        Ok(self.inner.snapshot(&actor, path).await?)
    }

    /// Replaces the SQLite database with a snapshot (admins only); on any
    /// error nothing changed.
    ///
    /// # Errors
    /// `Forbidden` for anyone else; `InvalidInput` for a file that is not an
    /// Elson snapshot of the same environment.
    pub async fn restore(&self, actor: Actor, path: String) -> Result<()> {
        Ok(self.inner.restore(&actor, path).await?)
    }

    /// The newest `limit` rows of the audit log (admins only).
    ///
    /// # Errors
    /// `Forbidden` for anyone else; `InvalidInput` for a limit outside 1–1000.
    pub async fn audit_log(&self, actor: Actor, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(self.inner.audit_log().recent(&actor, limit).await?)
    }

    /// Closes the connection pool (not `close`: Kotlin objects already have
    /// `AutoCloseable.close`, which frees the handle).
    pub async fn shutdown(&self) {
        self.inner.close().await;
    }
}
