//! `elson.Store`: the persistence layer (`elson-store`) with synchronous
//! methods. One internal tokio runtime serves every store; each call
//! releases the GIL while it waits on the database. Every rule (approval,
//! accounting, notifications, atomicity) is the store's and the core's.

use std::future::Future;
use std::sync::OnceLock;

use elson_core::entities::{NewPortfolio, PortfolioSettings, ProfileUpdate};
use elson_core::enums::{AssetType, OrderType, PortfolioType, UserRole};
use elson_core::families::{Actor, Verdict};
use elson_store::security::LoginOutcome;
use elson_store::{
    Backend, Fill, OrderRequest, PortfolioAnalytics, Store, StoreError, TradeResult,
};
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::accounting::{PyFeeSchedule, PyFill, fill_or_none, opt_decimal, opt_enum, opt_uuid};
use crate::commands;
use crate::conv::{ToPy, extract_datetime, extract_decimal, extract_enum, extract_uuid};
use crate::entities::*;
use crate::errors::{
    CryptoError, EnvironmentMismatch, SnapshotError, StorageError, Unsupported, build, invalid,
    obj, to_py_err,
};
use crate::families::actor;
use crate::security::{
    PyLocalKeyProvider, PyTwoFactorChallenge, PyTwoFactorEnrollment, rotation_report,
};

create_exception!(
    elson,
    StoreBusy,
    StorageError,
    "The database stayed busy (locked) past the retries."
);

fn runtime() -> PyResult<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("elson-store")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| PyErr::new::<StorageError, _>(format!("cannot start the store runtime: {e}")))
}

/// Converts a store error: domain errors become their own exception class;
/// database failures `StorageError` (`StoreBusy` for a locked database),
/// with `code`, `operation` and `message` attributes.
pub fn store_err(e: StoreError) -> PyErr {
    let code = e.code();
    let msg = e.to_string();
    let (err, operation, message) = match e {
        StoreError::Domain(d) => return to_py_err(d),
        StoreError::Busy { operation, .. } => {
            (PyErr::new::<StoreBusy, _>(msg.clone()), Some(operation), msg)
        }
        StoreError::Storage { operation, message } => {
            (PyErr::new::<StorageError, _>(msg), Some(operation), message)
        }
        StoreError::Open { message } => (PyErr::new::<StorageError, _>(msg), None, message),
        StoreError::Crypto(c) => {
            return Python::attach(|py| {
                build::<CryptoError>(py, msg, c.code(), &[("reason", obj(py, c.to_string()))])
            });
        }
        StoreError::EnvironmentMismatch { what, found, expected } => {
            return Python::attach(|py| {
                let name = |e: Option<elson_core::enums::Environment>| e.map(|e| e.as_str());
                build::<EnvironmentMismatch>(
                    py,
                    msg,
                    code,
                    &[
                        ("what", obj(py, what)),
                        ("found", obj(py, name(found))),
                        ("expected", obj(py, name(expected))),
                    ],
                )
            });
        }
        StoreError::Unsupported { operation, hint } => {
            return Python::attach(|py| {
                build::<Unsupported>(
                    py,
                    msg,
                    code,
                    &[("operation", obj(py, operation)), ("hint", obj(py, hint))],
                )
            });
        }
        StoreError::Snapshot { path, reason } => {
            return Python::attach(|py| {
                build::<SnapshotError>(
                    py,
                    msg,
                    code,
                    &[("path", obj(py, path)), ("reason", obj(py, reason))],
                )
            });
        }
        _ => (PyErr::new::<StorageError, _>(msg.clone()), None, msg),
    };
    Python::attach(|py| {
        let value = err.value(py);
        let _ = value.setattr("code", code);
        let _ = value.setattr("operation", operation);
        let _ = value.setattr("message", message);
    });
    err
}

/// Runs a store future to completion on the runtime, without the GIL.
fn wait<T: Send, F: Future<Output = Result<T, StoreError>> + Send>(
    py: Python<'_>,
    f: F,
) -> PyResult<T> {
    let rt = runtime()?;
    py.detach(|| rt.block_on(f)).map_err(store_err)
}

/// What a trading operation wrote, in one transaction.
#[pyclass(name = "TradeResult", module = "elson", frozen)]
pub struct PyTradeResult {
    inner: TradeResult,
}

#[pymethods]
impl PyTradeResult {
    /// The trade row as committed.
    #[getter]
    fn trade(&self) -> PyTrade {
        PyTrade { inner: self.inner.trade.clone() }
    }
    /// The portfolio row as committed.
    #[getter]
    fn portfolio(&self) -> PyPortfolio {
        PyPortfolio { inner: self.inner.portfolio.clone() }
    }
    /// For an execution that filled: the fill; else None.
    #[getter]
    fn fill(&self) -> Option<PyFill> {
        self.inner.outcome.and_then(fill_or_none)
    }
    /// Notifications written in the same transaction.
    #[getter]
    fn notifications(&self) -> Vec<PyNotification> {
        self.inner.notifications.iter().map(|n| PyNotification { inner: n.clone() }).collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "TradeResult(trade={} {} {}, notifications={})",
            self.inner.trade.id,
            self.inner.trade.status,
            self.inner.trade.guardian_approval,
            self.inner.notifications.len()
        )
    }
}

fn results(v: TradeResult) -> PyTradeResult {
    PyTradeResult { inner: v }
}

/// Defines a repository class: `get` and the table's own queries always;
/// `insert` for the append-only tables (`[append]`), `insert` and `update`
/// for the admin-owned ones (`[crud]`). The user-owned tables (`[read]`) are
/// read here and written only by the store's commands.
macro_rules! repo {
    (
        $(#[$meta:meta])*
        $py:ident($name:literal, $accessor:ident, $entity:ident) [append]
        { $($extra:tt)* }
    ) => {
        $(#[$meta])*
        #[pyclass(name = $name, module = "elson", frozen)]
        pub struct $py {
            store: Store,
        }

        #[pymethods]
        impl $py {
            /// Inserts a row. Raises `Conflict` for a duplicate, `InvalidInput`
            /// for a value that does not fit.
            fn insert(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, row: &Bound<'_, $entity>) -> PyResult<()> {
                let (actor, row) = (self::actor(actor)?, row.get().inner.clone());
                wait(py, async { self.store.$accessor().insert(&actor, &row).await })
            }

            /// The row with this id. Raises `NotFound`.
            fn get(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, id: &Bound<'_, PyAny>) -> PyResult<$entity> {
                let (actor, id) = (self::actor(actor)?, extract_uuid("id", id)?);
                wait(py, async { self.store.$accessor().get(&actor, id).await }).map(|inner| $entity { inner })
            }

            $($extra)*
        }
    };
    (
        $(#[$meta:meta])*
        $py:ident($name:literal, $accessor:ident, $entity:ident) [read]
        { $($extra:tt)* }
    ) => {
        $(#[$meta])*
        #[pyclass(name = $name, module = "elson", frozen)]
        pub struct $py {
            store: Store,
        }

        #[pymethods]
        impl $py {
            /// The row with this id. Raises `NotFound`.
            fn get(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, id: &Bound<'_, PyAny>) -> PyResult<$entity> {
                let (actor, id) = (self::actor(actor)?, extract_uuid("id", id)?);
                wait(py, async { self.store.$accessor().get(&actor, id).await }).map(|inner| $entity { inner })
            }

            $($extra)*
        }
    };
    (
        $(#[$meta:meta])*
        $py:ident($name:literal, $accessor:ident, $entity:ident) [crud]
        { $($extra:tt)* }
    ) => {
        $(#[$meta])*
        #[pyclass(name = $name, module = "elson", frozen)]
        pub struct $py {
            store: Store,
        }

        #[pymethods]
        impl $py {
            /// Inserts a row. Raises `Conflict` for a duplicate, `InvalidInput`
            /// for a value that does not fit.
            fn insert(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, row: &Bound<'_, $entity>) -> PyResult<()> {
                let (actor, row) = (self::actor(actor)?, row.get().inner.clone());
                wait(py, async { self.store.$accessor().insert(&actor, &row).await })
            }

            /// The row with this id. Raises `NotFound`.
            fn get(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, id: &Bound<'_, PyAny>) -> PyResult<$entity> {
                let (actor, id) = (self::actor(actor)?, extract_uuid("id", id)?);
                wait(py, async { self.store.$accessor().get(&actor, id).await }).map(|inner| $entity { inner })
            }
            /// Replaces every column of an existing row. Raises `NotFound`.
            fn update(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, row: &Bound<'_, $entity>) -> PyResult<()> {
                let (actor, row) = (self::actor(actor)?, row.get().inner.clone());
                wait(py, async { self.store.$accessor().update(&actor, &row).await })
            }

            $($extra)*
        }
    };
}

fn wrap<T, P>(v: Vec<T>, f: impl Fn(T) -> P) -> Vec<P> {
    v.into_iter().map(f).collect()
}

repo! {
    /// The `users` repository: reads (accounts change through the store's
    /// commands: `create_user`, `enroll_minor`, `update_profile`, …).
    PyUsers("Users", users, PyUser) [read] {
        /// The login record of an email (case-insensitive), or None:
        /// `{"id", "password_hash", "role", "status"}`.
        fn find_for_login<'py>(&self, py: Python<'py>, actor: &Bound<'py, PyAny>, email: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
            let actor = self::actor(actor)?;
            let rec = wait(py, async { self.store.users().find_for_login(&actor, email).await })?;
            rec.map(|r| {
                let d = PyDict::new(py);
                d.set_item("id", r.id)?;
                d.set_item("password_hash", r.password_hash)?;
                d.set_item("role", r.role.to_py(py)?)?;
                d.set_item("status", r.status.to_py(py)?)?;
                Ok(d)
            }).transpose()
        }
        /// Sets `last_login`.
        fn record_login(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, id: &Bound<'_, PyAny>, at: &Bound<'_, PyAny>) -> PyResult<()> {
            let (actor, id, at) = (self::actor(actor)?, extract_uuid("id", id)?, extract_datetime("at", at)?);
            wait(py, async { self.store.users().record_login(&actor, id, at).await })
        }
        /// Users of a role and status, a page at a time.
        #[pyo3(signature = (actor, role, status, limit=100, offset=0))]
        fn list_by_role_status(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, role: &Bound<'_, PyAny>, status: &Bound<'_, PyAny>, limit: i64, offset: i64) -> PyResult<Vec<PyUser>> {
            let (actor, role, status) = (self::actor(actor)?, extract_enum("role", role)?, extract_enum("status", status)?);
            let v = wait(py, async { self.store.users().list_by_role_status(&actor, role, status, limit, offset).await })?;
            Ok(wrap(v, |inner| PyUser { inner }))
        }
    }
}

repo! {
    /// The `portfolios` repository: reads (`open_portfolio`,
    /// `update_portfolio_settings` and the money commands write it).
    PyPortfolios("Portfolios", portfolios, PyPortfolio) [read] {
        /// The portfolios of a user.
        fn list_for_user(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, user_id: &Bound<'_, PyAny>) -> PyResult<Vec<PyPortfolio>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
            let v = wait(py, async { self.store.portfolios().list_for_user(&actor, id).await })?;
            Ok(wrap(v, |inner| PyPortfolio { inner }))
        }
        /// The seed's portfolio overview: `(portfolio, position_count)` pairs.
        fn overview(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, user_id: &Bound<'_, PyAny>) -> PyResult<Vec<(PyPortfolio, i64)>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
            let v = wait(py, async { self.store.portfolios().overview(&actor, id).await })?;
            Ok(wrap(v, |o| (PyPortfolio { inner: o.portfolio }, o.position_count)))
        }
    }
}

repo! {
    /// The `positions` repository: reads (only executions and marks change
    /// positions).
    PyPositions("Positions", positions, PyPosition) [read] {
        /// The positions of a portfolio.
        fn list_for_portfolio(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, portfolio_id: &Bound<'_, PyAny>) -> PyResult<Vec<PyPosition>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("portfolio_id", portfolio_id)?);
            let v = wait(py, async { self.store.positions().list_for_portfolio(&actor, id).await })?;
            Ok(wrap(v, |inner| PyPosition { inner }))
        }
    }
}

repo! {
    /// The `trades` repository: reads (placing, deciding, executing and
    /// cancelling go through the store's trading commands).
    PyTrades("Trades", trades, PyTrade) [read] {
        /// A portfolio's trades, newest first, a page at a time.
        #[pyo3(signature = (actor, portfolio_id, limit=100, offset=0))]
        fn history(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, portfolio_id: &Bound<'_, PyAny>, limit: i64, offset: i64) -> PyResult<Vec<PyTrade>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("portfolio_id", portfolio_id)?);
            let v = wait(py, async { self.store.trades().history(&actor, id, limit, offset).await })?;
            Ok(wrap(v, |inner| PyTrade { inner }))
        }
        /// Trades waiting for a guardian: dicts `{trade, portfolio_name,
        /// first_name, last_name}`.
        fn approval_queue<'py>(&self, py: Python<'py>, actor: &Bound<'py, PyAny>, guardian_id: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyDict>>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("guardian_id", guardian_id)?);
            let v = wait(py, async { self.store.trades().approval_queue(&actor, id).await })?;
            v.into_iter().map(|item| {
                let d = PyDict::new(py);
                d.set_item("trade", PyTrade { inner: item.trade })?;
                d.set_item("portfolio_name", item.portfolio_name)?;
                d.set_item("first_name", item.first_name)?;
                d.set_item("last_name", item.last_name)?;
                Ok(d)
            }).collect()
        }
    }
}

repo! {
    /// The `relationships` repository: reads (`link_guardian`,
    /// `accept_link`, `deactivate_link`, `update_link_settings` write it).
    PyRelationships("Relationships", relationships, PyRelationship) [read] {
        /// The relationships where the user is the guardian.
        fn list_for_guardian(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, guardian_id: &Bound<'_, PyAny>) -> PyResult<Vec<PyRelationship>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("guardian_id", guardian_id)?);
            let v = wait(py, async { self.store.relationships().list_for_guardian(&actor, id).await })?;
            Ok(wrap(v, |inner| PyRelationship { inner }))
        }
        /// The relationships where the user is the minor.
        fn list_for_minor(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, minor_id: &Bound<'_, PyAny>) -> PyResult<Vec<PyRelationship>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("minor_id", minor_id)?);
            let v = wait(py, async { self.store.relationships().list_for_minor(&actor, id).await })?;
            Ok(wrap(v, |inner| PyRelationship { inner }))
        }
    }
}

repo! {
    /// The `notifications` repository: reads (the commands whose events
    /// cause them write them; `mark_notification` moves them on).
    PyNotifications("Notifications", notifications, PyNotification) [read] {
        /// A user's notifications, newest first, a page at a time.
        #[pyo3(signature = (actor, user_id, limit=100, offset=0))]
        fn list_for_user(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, user_id: &Bound<'_, PyAny>, limit: i64, offset: i64) -> PyResult<Vec<PyNotification>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
            let v = wait(py, async { self.store.notifications().list_for_user(&actor, id, limit, offset).await })?;
            Ok(wrap(v, |inner| PyNotification { inner }))
        }
        /// A user's notifications in one status.
        fn list_for_user_status(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, user_id: &Bound<'_, PyAny>, status: &Bound<'_, PyAny>) -> PyResult<Vec<PyNotification>> {
            let (actor, id, status) = (self::actor(actor)?, extract_uuid("user_id", user_id)?, extract_enum("status", status)?);
            let v = wait(py, async { self.store.notifications().list_for_user_status(&actor, id, status).await })?;
            Ok(wrap(v, |inner| PyNotification { inner }))
        }
    }
}

repo! {
    /// The `volatility_regimes` repository (append-only).
    PyVolatilityRegimes("VolatilityRegimes", volatility_regimes, PyVolatilityRegime) [append] {
        /// The latest regime rows of a symbol.
        fn recent(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, symbol: &str) -> PyResult<Vec<PyVolatilityRegime>> {
            let actor = self::actor(actor)?;
            let v = wait(py, async { self.store.volatility_regimes().recent(&actor, symbol).await })?;
            Ok(wrap(v, |inner| PyVolatilityRegime { inner }))
        }
    }
}

repo! {
    /// The `model_parameters` repository.
    PyModelParameters("ModelParameters", model_parameters, PyModelParameter) [crud] {
        /// Every row of a (level, type, name) key.
        fn list_for_key(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, level: &Bound<'_, PyAny>, parameter_type: &str, parameter_name: &str) -> PyResult<Vec<PyModelParameter>> {
            let (actor, level) = (self::actor(actor)?, extract_enum("level", level)?);
            let v = wait(py, async { self.store.model_parameters().list_for_key(&actor, level, parameter_type, parameter_name).await })?;
            Ok(wrap(v, |inner| PyModelParameter { inner }))
        }
        /// The row of a key in force at `at`, or None.
        fn effective_at(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, level: &Bound<'_, PyAny>, parameter_type: &str, parameter_name: &str, at: &Bound<'_, PyAny>) -> PyResult<Option<PyModelParameter>> {
            let (actor, level, at) = (self::actor(actor)?, extract_enum("level", level)?, extract_datetime("at", at)?);
            let v = wait(py, async { self.store.model_parameters().effective_at(&actor, level, parameter_type, parameter_name, at).await })?;
            Ok(v.map(|inner| PyModelParameter { inner }))
        }
    }
}

repo! {
    /// The `backtest_results` repository (append-only).
    PyBacktestResults("BacktestResults", backtest_results, PyBacktestResultRow) [append] {
        /// The results of a symbol and model version.
        fn list_for(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, symbol: &str, model_version: &str) -> PyResult<Vec<PyBacktestResultRow>> {
            let actor = self::actor(actor)?;
            let v = wait(py, async { self.store.backtest_results().list_for(&actor, symbol, model_version).await })?;
            Ok(wrap(v, |inner| PyBacktestResultRow { inner }))
        }
    }
}

repo! {
    /// The `beta_feedback` repository: reads (`submit_feedback`,
    /// `advance_feedback` write it).
    PyBetaFeedbackRepo("BetaFeedbackRepository", beta_feedback, PyBetaFeedback) [read] {
        /// A user's feedback.
        fn by_user(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, user_id: &Bound<'_, PyAny>) -> PyResult<Vec<PyBetaFeedback>> {
            let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
            let v = wait(py, async { self.store.beta_feedback().by_user(&actor, id).await })?;
            Ok(wrap(v, |inner| PyBetaFeedback { inner }))
        }
    }
}

repo! {
    /// The `feature_flags` repository.
    PyFeatureFlags("FeatureFlags", feature_flags, PyFeatureFlag) [crud] {
        /// The enabled flags of an environment.
        fn enabled_in(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, environment: &Bound<'_, PyAny>) -> PyResult<Vec<PyFeatureFlag>> {
            let (actor, env) = (self::actor(actor)?, extract_enum("environment", environment)?);
            let v = wait(py, async { self.store.feature_flags().enabled_in(&actor, env).await })?;
            Ok(wrap(v, |inner| PyFeatureFlag { inner }))
        }
        /// The enabled BETA flags.
        fn beta_enabled(&self, py: Python<'_>, actor: &Bound<'_, PyAny>) -> PyResult<Vec<PyFeatureFlag>> {
            let actor = self::actor(actor)?;
            let v = wait(py, async { self.store.feature_flags().beta_enabled(&actor).await })?;
            Ok(wrap(v, |inner| PyFeatureFlag { inner }))
        }
    }
}

/// A store of the Elson data model on SQLite (`sqlite:///path.db`,
/// `sqlite::memory:`) or PostgreSQL (`postgres://…`). Open it with
/// `Store.open(url)`; use it as a context manager to close it.
///
/// Every command takes a keyword-only `command_id` (`uuid.UUID` or its
/// text): the client's id of that command, which makes a retry safe. The
/// same id (for the same actor) with the same arguments returns the first
/// result and does nothing twice, also when sent concurrently; with other
/// arguments or for another command it raises `IdempotencyConflict` and
/// does nothing. `now` and passwords are not compared. Under a command id,
/// a portfolio or trade id not given is derived from the command id, so
/// the retry is the same command.
#[pyclass(name = "Store", module = "elson")]
pub struct PyStore {
    inner: Option<Store>,
}

impl PyStore {
    fn store(&self) -> PyResult<&Store> {
        self.inner.as_ref().ok_or_else(|| {
            store_err(StoreError::Open { message: "the store is closed".to_owned() })
        })
    }
}

/// An order from its keyword arguments; `new_id` gives the trade's id
/// when `id` is not given ([`commands::new_id`]).
#[allow(clippy::too_many_arguments)] // the order's keyword arguments
fn order(
    portfolio_id: &Bound<'_, PyAny>,
    symbol: String,
    side: &Bound<'_, PyAny>,
    quantity: &Bound<'_, PyAny>,
    order_type: Option<&Bound<'_, PyAny>>,
    limit_price: Option<&Bound<'_, PyAny>>,
    market_price: Option<&Bound<'_, PyAny>>,
    asset_type: Option<&Bound<'_, PyAny>>,
    confidence_score: Option<&Bound<'_, PyAny>>,
    notes: Option<String>,
    id: Option<&Bound<'_, PyAny>>,
    new_id: impl FnOnce() -> Uuid,
) -> PyResult<OrderRequest> {
    Ok(OrderRequest {
        trade: elson_core::entities::NewTrade {
            id: opt_uuid("id", id)?.unwrap_or_else(new_id),
            portfolio_id: extract_uuid("portfolio_id", portfolio_id)?,
            symbol,
            order_type: opt_enum("order_type", order_type)?.unwrap_or(OrderType::Market),
            side: extract_enum("side", side)?,
            quantity: extract_decimal("quantity", quantity)?,
            limit_price: opt_decimal("limit_price", limit_price)?,
            confidence_score: opt_decimal("confidence_score", confidence_score)?,
            position_sizing: None,
            circuit_breaker_state: None,
            volatility_level: None,
            notes,
        },
        asset_type: opt_enum("asset_type", asset_type)?.unwrap_or(AssetType::Stock),
        market_price: opt_decimal("market_price", market_price)?,
    })
}

/// The market facts of an execution: the price feed's price (None: a LIMIT
/// order fills at its own limit price) and the asset type. Fees are not
/// among them: they are the store's (`Store.open(fees=…)`).
fn fill(market_price: Option<Decimal>, asset_type: Option<&Bound<'_, PyAny>>) -> PyResult<Fill> {
    Ok(Fill {
        market_price,
        asset_type: opt_enum("asset_type", asset_type)?.unwrap_or(AssetType::Stock),
    })
}

/// One order of `place_and_execute_batch`, from a mapping of the keyword
/// arguments of `place_and_execute`; `new_id` as for [`order`].
fn batch_order(
    item: &Bound<'_, PyAny>,
    new_id: impl FnOnce() -> Uuid,
) -> PyResult<(OrderRequest, Fill)> {
    const KEYS: &[&str] = &[
        "portfolio_id",
        "symbol",
        "side",
        "quantity",
        "market_price",
        "order_type",
        "limit_price",
        "asset_type",
        "confidence_score",
        "notes",
        "id",
    ];
    let map = item.cast::<pyo3::types::PyMapping>().map_err(|_| {
        to_py_err(elson_core::ElsonError::invalid("orders", "each order must be a mapping"))
    })?;
    for key in map.keys()?.iter() {
        let key: String = key.extract()?;
        if !KEYS.contains(&key.as_str()) {
            return Err(to_py_err(elson_core::ElsonError::invalid(
                "orders",
                format!("unknown key {key:?}; expected {}", KEYS.join(", ")),
            )));
        }
    }
    let get = |k: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        match map.get_item(k) {
            Ok(v) if v.is_none() => Ok(None),
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(item.py()) => Ok(None),
            Err(e) => Err(e),
        }
    };
    let need = |k: &'static str| -> PyResult<Bound<'_, PyAny>> {
        get(k)?.ok_or_else(|| to_py_err(elson_core::ElsonError::invalid(k, "is required")))
    };
    let market_price = get("market_price")?;
    let asset_type = get("asset_type")?;
    let notes: Option<String> = get("notes")?.map(|n| n.extract()).transpose()?;
    let order = order(
        &need("portfolio_id")?,
        need("symbol")?.extract()?,
        &need("side")?,
        &need("quantity")?,
        get("order_type")?.as_ref(),
        get("limit_price")?.as_ref(),
        market_price.as_ref(),
        asset_type.as_ref(),
        get("confidence_score")?.as_ref(),
        notes,
        get("id")?.as_ref(),
        new_id,
    )?;
    let fill = fill(opt_decimal("market_price", market_price.as_ref())?, asset_type.as_ref())?;
    Ok((order, fill))
}

/// A duration given in seconds by the caller of `Store.open`.
fn seconds(field: &str, t: f64) -> PyResult<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(t)
        .map_err(|_| invalid(field, "must be a finite number of seconds >= 0"))
}

#[pymethods]
impl PyStore {
    /// Opens (and migrates) the database at `url`. Raises `StorageError`
    /// when it cannot be opened.
    ///
    /// `environment` ("DEV", "BETA", "STAGING", "PRODUCTION") stamps a new
    /// database and refuses one stamped for another (`EnvironmentMismatch`);
    /// `key_provider` turns on envelope encryption of the PII columns;
    /// `bcrypt_cost` (default 12) is for `hash_password` and login;
    /// `portfolio_cache_ttl` (seconds, default 2, 0 disables) bounds how long
    /// portfolio reads may come from memory; after `login_max_failures`
    /// failed logins in a row for one email (or codes for one user; default
    /// 5, 0 disables) further attempts are refused for `login_lockout`
    /// seconds (default 900). `fees` (a `FeeSchedule`, default 0.35 %,
    /// minimum 0.50) is the platform's schedule, charged on every execution:
    /// no trading call takes fees.
    #[staticmethod]
    #[pyo3(signature = (url, *, migrate=true, max_connections=8, environment=None,
        key_provider=None, bcrypt_cost=elson_store::security::DEFAULT_BCRYPT_COST,
        totp_issuer=None, portfolio_cache_ttl=None, login_max_failures=None,
        login_lockout=None, fees=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn open(
        py: Python<'_>,
        url: &str,
        migrate: bool,
        max_connections: u32,
        environment: Option<&Bound<'_, PyAny>>,
        key_provider: Option<PyRef<'_, PyLocalKeyProvider>>,
        bcrypt_cost: u32,
        totp_issuer: Option<String>,
        portfolio_cache_ttl: Option<f64>,
        login_max_failures: Option<u32>,
        login_lockout: Option<f64>,
        fees: Option<PyRef<'_, PyFeeSchedule>>,
    ) -> PyResult<Self> {
        let defaults = elson_store::StoreOptions::default();
        let limit = defaults.login_attempts;
        let lockout = match login_lockout {
            None => limit.lockout,
            Some(t) => chrono::TimeDelta::from_std(seconds("login_lockout", t)?)
                .map_err(|_| invalid("login_lockout", "is too long"))?,
        };
        let login_attempts = elson_store::security::AttemptLimit {
            max_failures: login_max_failures.unwrap_or(limit.max_failures),
            lockout,
        };
        let portfolio_cache_ttl = match portfolio_cache_ttl {
            None => defaults.portfolio_cache_ttl,
            Some(t) => seconds("portfolio_cache_ttl", t)?,
        };
        let options = elson_store::StoreOptions {
            migrate,
            max_connections,
            environment: opt_enum("environment", environment)?,
            bcrypt_cost,
            totp_issuer: totp_issuer.unwrap_or(defaults.totp_issuer.clone()),
            portfolio_cache_ttl,
            login_attempts,
            fees: fees.map_or(defaults.fees, |f| f.inner),
            ..defaults
        };
        let store = wait(py, Store::open_with(url, options))?;
        let store = match key_provider {
            Some(k) => store.with_key_provider(std::sync::Arc::new(k.inner.clone())),
            None => store,
        };
        Ok(Self { inner: Some(store) })
    }

    /// The same database through a store that seals and opens the PII
    /// columns with `key_provider` (e.g. one holding an old and a new key
    /// during a rotation).
    fn with_key_provider(&self, key_provider: PyRef<'_, PyLocalKeyProvider>) -> PyResult<Self> {
        let store = self
            .store()?
            .clone()
            .with_key_provider(std::sync::Arc::new(key_provider.inner.clone()));
        Ok(Self { inner: Some(store) })
    }

    /// The environment of this store and its database, or None (unscoped).
    #[getter]
    fn environment<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.store()?.environment().map(|e| e.to_py(py)).transpose()
    }

    // --- Passwords and two-factor.

    /// A bcrypt hash of `password` at the store's cost (GIL released).
    fn hash_password(&self, py: Python<'_>, password: &str) -> PyResult<String> {
        let store = self.store()?;
        wait(py, store.hash_password(password))
    }

    /// Replaces a user's password hash with a fresh bcrypt hash.
    #[pyo3(signature = (actor, user_id, password, *, now))]
    fn set_password(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        password: &str,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.set_password(&actor, id, password, now))
    }

    /// Logs in by email and password: returns the actor (a dict for later
    /// calls), or a `TwoFactorChallenge` when the user has two-factor on.
    /// Raises `AuthenticationFailed` — the same for an unknown email and a
    /// wrong password — and `Forbidden` for an INACTIVE or SUSPENDED user.
    #[pyo3(signature = (email, password, *, now))]
    fn login<'py>(
        &self,
        py: Python<'py>,
        email: &str,
        password: &str,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        match wait(py, store.login(email, password, now))? {
            LoginOutcome::Authenticated(a) => Ok(actor_dict(py, &a)?.into_any()),
            LoginOutcome::TwoFactorRequired(c) => {
                Ok(Bound::new(py, PyTwoFactorChallenge { inner: c })?.into_any())
            }
        }
    }

    /// The second step of a login: the challenge and a code from the
    /// authenticator. Returns the actor; raises `AuthenticationFailed` for a
    /// wrong, expired or already used code.
    #[pyo3(signature = (challenge, code, *, now))]
    fn complete_login<'py>(
        &self,
        py: Python<'py>,
        challenge: PyRef<'py, PyTwoFactorChallenge>,
        code: &str,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let now = extract_datetime("now", now)?;
        let challenge = challenge.inner.clone();
        let store = self.store()?;
        let a = wait(py, store.complete_login(&challenge, code, now))?;
        actor_dict(py, &a)
    }

    /// Starts two-factor enrollment: stores a new secret (encrypted when a
    /// key provider is set) and returns it with its `otpauth://` URI.
    /// Two-factor stays off until `confirm_two_factor` sees a valid code.
    #[pyo3(signature = (actor, user_id, *, now))]
    fn enroll_two_factor(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<PyTwoFactorEnrollment> {
        let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        let e = wait(py, store.enroll_two_factor(&actor, id, now))?;
        Ok(PyTwoFactorEnrollment { secret_base32: e.secret_base32, otpauth_uri: e.otpauth_uri })
    }

    /// Turns two-factor on with a first valid code (replays refused).
    #[pyo3(signature = (actor, user_id, code, *, now))]
    fn confirm_two_factor(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        code: &str,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.confirm_two_factor(&actor, id, code, now))
    }

    /// Turns two-factor off and forgets the secret.
    #[pyo3(signature = (actor, user_id, *, now))]
    fn disable_two_factor(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.disable_two_factor(&actor, id, now))
    }

    // --- Keys.

    /// Re-wraps, in batches, every user's data key that is not under the
    /// provider's current key (field ciphertexts untouched). Returns a report
    /// dict.
    #[pyo3(signature = (actor, batch_size=500))]
    fn rotate_pii_keys<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        batch_size: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let actor = self::actor(actor)?;
        let store = self.store()?;
        rotation_report(py, wait(py, store.rotate_pii_keys(&actor, batch_size))?)
    }

    /// Encrypts users written in plain text before a key provider was set.
    #[pyo3(signature = (actor, batch_size=500))]
    fn reseal_plaintext_users<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        batch_size: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        let actor = self::actor(actor)?;
        let store = self.store()?;
        rotation_report(py, wait(py, store.reseal_plaintext_users(&actor, batch_size))?)
    }

    /// (key id, users) pairs: which key-encryption key wraps how many rows.
    fn pii_key_usage(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<(String, i64)>> {
        let actor = self::actor(actor)?;
        let store = self.store()?;
        wait(py, store.pii_key_usage(&actor))
    }

    /// The newest `limit` rows of the append-only audit log, newest first,
    /// as dicts (`id`, `actor_id`, `action`, `entity`, `entity_id`, `at`,
    /// `outcome`, `detail`). An admin's read (and itself on record);
    /// others raise `Forbidden`.
    #[pyo3(signature = (actor, limit=100))]
    fn audit_log<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        limit: i64,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let actor = self::actor(actor)?;
        let store = self.store()?;
        let entries = wait(py, store.audit_log().recent(&actor, limit))?;
        entries
            .into_iter()
            .map(|e| {
                let d = PyDict::new(py);
                d.set_item("id", e.id)?;
                d.set_item("actor_id", e.actor_id)?;
                d.set_item("action", e.action)?;
                d.set_item("entity", e.entity)?;
                d.set_item("entity_id", e.entity_id)?;
                d.set_item("at", e.at)?;
                d.set_item("outcome", e.outcome)?;
                d.set_item("detail", e.detail)?;
                Ok(d)
            })
            .collect()
    }

    // --- Beta safeguards.

    /// SQLite: an online, consistent copy of the database to `path` (never
    /// overwrites). PostgreSQL raises `Unsupported` (use pg_dump).
    fn snapshot(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        path: std::path::PathBuf,
    ) -> PyResult<()> {
        let actor = self::actor(actor)?;
        let store = self.store()?;
        wait(py, store.snapshot(&actor, path))
    }

    /// SQLite: brings the database back to the snapshot at `path`, in one
    /// transaction (the audit log keeps its history). Raises
    /// `SnapshotError`, `EnvironmentMismatch`, `NotFound`.
    fn restore(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        path: std::path::PathBuf,
    ) -> PyResult<()> {
        let actor = self::actor(actor)?;
        let store = self.store()?;
        wait(py, store.restore(&actor, path))
    }

    // --- Scale.

    /// PostgreSQL: creates the monthly partitions of trades and volatility
    /// regimes from `start`'s month to `months_ahead` months later, moving
    /// rows out of the DEFAULT partitions; returns what it created (dicts).
    /// SQLite: nothing to do, returns [].
    #[pyo3(signature = (actor, start, months_ahead=3))]
    fn ensure_partitions<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        start: &Bound<'py, PyAny>,
        months_ahead: u32,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let (actor, start) = (self::actor(actor)?, extract_datetime("start", start)?);
        let store = self.store()?;
        let created = wait(py, store.ensure_partitions(&actor, start, months_ahead))?;
        created
            .into_iter()
            .map(|p| {
                let d = PyDict::new(py);
                d.set_item("table", p.table)?;
                d.set_item("partition", p.partition)?;
                d.set_item("month", p.month)?;
                d.set_item("rows_moved", p.rows_moved)?;
                Ok(d)
            })
            .collect()
    }

    /// PostgreSQL: `REFRESH MATERIALIZED VIEW CONCURRENTLY portfolio_analytics`
    /// (readers are not blocked). SQLite: the view is always fresh.
    fn refresh_portfolio_analytics(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let actor = self::actor(actor)?;
        let store = self.store()?;
        wait(py, store.refresh_portfolio_analytics(&actor))
    }

    /// One portfolio's analytics row (as of the last refresh on PostgreSQL),
    /// as a dict.
    fn portfolio_analytics<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        portfolio_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (actor, id) = (self::actor(actor)?, extract_uuid("portfolio_id", portfolio_id)?);
        let store = self.store()?;
        let a = wait(py, async { store.portfolios().analytics(&actor, id).await })?;
        analytics_dict(py, a)
    }

    /// The analytics rows of every portfolio of a user.
    fn portfolio_analytics_for_user<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        user_id: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let (actor, id) = (self::actor(actor)?, extract_uuid("user_id", user_id)?);
        let store = self.store()?;
        let rows = wait(py, async { store.portfolios().analytics_for_user(&actor, id).await })?;
        rows.into_iter().map(|a| analytics_dict(py, a)).collect()
    }

    /// Portfolio read cache counters: `hits`, `misses`, `invalidations`,
    /// `entries`.
    fn portfolio_cache_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let st = self.store()?.portfolio_cache_stats();
        let d = PyDict::new(py);
        d.set_item("hits", st.hits)?;
        d.set_item("misses", st.misses)?;
        d.set_item("invalidations", st.invalidations)?;
        d.set_item("entries", st.entries)?;
        Ok(d)
    }

    /// Empties the portfolio read cache.
    fn clear_portfolio_cache(&self) -> PyResult<()> {
        self.store()?.clear_portfolio_cache();
        Ok(())
    }

    /// `"SQLITE"` or `"POSTGRES"`.
    #[getter]
    fn backend(&self) -> PyResult<&'static str> {
        Ok(match self.store()?.backend() {
            Backend::Sqlite => "SQLITE",
            Backend::Postgres => "POSTGRES",
        })
    }

    /// Applies pending migrations.
    fn migrate(&self, py: Python<'_>) -> PyResult<()> {
        let store = self.store()?;
        wait(py, store.migrate())
    }

    /// Versions of the applied migrations.
    fn applied_migrations(&self, py: Python<'_>) -> PyResult<Vec<i64>> {
        let store = self.store()?;
        wait(py, store.applied_migrations())
    }

    /// Closes the connections; later calls raise `StorageError`.
    fn close(&mut self, py: Python<'_>) -> PyResult<()> {
        if let Some(store) = self.inner.take() {
            let rt = runtime()?;
            py.detach(|| rt.block_on(store.close()));
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &mut self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    /// The `users` repository.
    #[getter]
    fn users(&self) -> PyResult<PyUsers> {
        Ok(PyUsers { store: self.store()?.clone() })
    }

    /// The `portfolios` repository.
    #[getter]
    fn portfolios(&self) -> PyResult<PyPortfolios> {
        Ok(PyPortfolios { store: self.store()?.clone() })
    }

    /// The `positions` repository.
    #[getter]
    fn positions(&self) -> PyResult<PyPositions> {
        Ok(PyPositions { store: self.store()?.clone() })
    }

    /// The `trades` repository.
    #[getter]
    fn trades(&self) -> PyResult<PyTrades> {
        Ok(PyTrades { store: self.store()?.clone() })
    }

    /// The `relationships` repository.
    #[getter]
    fn relationships(&self) -> PyResult<PyRelationships> {
        Ok(PyRelationships { store: self.store()?.clone() })
    }

    /// The `notifications` repository.
    #[getter]
    fn notifications(&self) -> PyResult<PyNotifications> {
        Ok(PyNotifications { store: self.store()?.clone() })
    }

    /// The `volatility_regimes` repository.
    #[getter]
    fn volatility_regimes(&self) -> PyResult<PyVolatilityRegimes> {
        Ok(PyVolatilityRegimes { store: self.store()?.clone() })
    }

    /// The `model_parameters` repository.
    #[getter]
    fn model_parameters(&self) -> PyResult<PyModelParameters> {
        Ok(PyModelParameters { store: self.store()?.clone() })
    }

    /// The `backtest_results` repository.
    #[getter]
    fn backtest_results(&self) -> PyResult<PyBacktestResults> {
        Ok(PyBacktestResults { store: self.store()?.clone() })
    }

    /// The `beta_feedback` repository.
    #[getter]
    fn beta_feedback(&self) -> PyResult<PyBetaFeedbackRepo> {
        Ok(PyBetaFeedbackRepo { store: self.store()?.clone() })
    }

    /// The `feature_flags` repository.
    #[getter]
    fn feature_flags(&self) -> PyResult<PyFeatureFlags> {
        Ok(PyFeatureFlags { store: self.store()?.clone() })
    }

    // --- Commands: the only writes of users, portfolios, links,
    // notifications and feedback. Each is one transaction with its audit
    // row; a refused one writes nothing (and a denial is on record). Each
    // takes a keyword-only `command_id` (see the class docs: idempotency).

    /// Creates an account (password hashed at the store's bcrypt cost, the
    /// row built by the core: ACTIVE, no two-factor). A person signs up by
    /// acting under the new account's `id` (USER or GUARDIAN); an admin or
    /// the system creates accounts of any role but MINOR (see
    /// `enroll_minor`). Raises `Forbidden`, `InvalidInput`, `Conflict` (a
    /// taken email or id).
    #[pyo3(signature = (actor, *, email, password, now, role=None, first_name=None,
        last_name=None, date_of_birth=None, risk_profile=None, id=None, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn create_user(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        email: String,
        password: String,
        now: &Bound<'_, PyAny>,
        role: Option<&Bound<'_, PyAny>>,
        first_name: Option<String>,
        last_name: Option<String>,
        date_of_birth: Option<chrono::NaiveDate>,
        risk_profile: Option<&Bound<'_, PyAny>>,
        id: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyUser> {
        let by = commands::caller(actor, command_id)?;
        let role = opt_enum("role", role)?.unwrap_or(UserRole::User);
        let account = commands::account(
            id,
            email,
            password,
            role,
            first_name,
            last_name,
            date_of_birth,
            risk_profile,
        )?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.create_user(by, account, now)).map(|inner| PyUser { inner })
    }

    /// Enrols a child: creates the MINOR's account and their ACTIVE link to
    /// `guardian_id` in one transaction (an admin's or the system's act).
    /// Returns `(user, relationship)`. `permissions` and `approval_settings`
    /// are dicts (or JSON text) read strictly. Raises `Forbidden`,
    /// `InvalidInput` (not under 18, the guardian not a GUARDIAN, …),
    /// `NotFound`, `Conflict`.
    #[pyo3(signature = (actor, *, email, password, date_of_birth, guardian_id, now,
        first_name=None, last_name=None, risk_profile=None, id=None, link_id=None,
        relationship_type=None, permissions=None, approval_settings=None, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn enroll_minor(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        email: String,
        password: String,
        date_of_birth: chrono::NaiveDate,
        guardian_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        first_name: Option<String>,
        last_name: Option<String>,
        risk_profile: Option<&Bound<'_, PyAny>>,
        id: Option<&Bound<'_, PyAny>>,
        link_id: Option<&Bound<'_, PyAny>>,
        relationship_type: Option<&Bound<'_, PyAny>>,
        permissions: Option<&Bound<'_, PyAny>>,
        approval_settings: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(PyUser, PyRelationship)> {
        let by = commands::caller(actor, command_id)?;
        let account = commands::account(
            id,
            email,
            password,
            UserRole::Minor,
            first_name,
            last_name,
            Some(date_of_birth),
            risk_profile,
        )?;
        let link = commands::link(
            link_id,
            guardian_id,
            relationship_type,
            permissions,
            approval_settings,
        )?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        let (u, r) = wait(py, store.enroll_minor(by, account, link, now))?;
        Ok((PyUser { inner: u }, PyRelationship { inner: r }))
    }

    /// Changes a user's profile: `first_name`, `last_name`, `risk_profile`,
    /// `education_progress`, `preferences` (keyword arguments; None clears a
    /// name or a JSON field). Fields not given keep their values: they are
    /// read just before the command, so give every field to replace the
    /// whole profile in one step. Only the user themself; a MINOR's risk
    /// profile is not theirs to change (`Forbidden`).
    #[pyo3(signature = (actor, user_id, *, now, command_id=None, **changes))]
    fn update_profile(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
        changes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyUser> {
        const FIELDS: &[&str] =
            &["first_name", "last_name", "risk_profile", "education_progress", "preferences"];
        let changes = commands::Changes::new("update_profile", FIELDS, changes)?;
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("user_id", user_id)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        let kept = ["first_name", "last_name", "education_progress", "preferences"];
        let current = if changes.all(&kept) {
            None
        } else {
            Some(wait(py, async { store.users().get(&by.actor, id).await })?)
        };
        let cur =
            |f: fn(&elson_core::entities::User) -> Option<String>| current.as_ref().and_then(f);
        let change = ProfileUpdate {
            first_name: changes.text("first_name", cur(|u| u.first_name.clone()))?,
            last_name: changes.text("last_name", cur(|u| u.last_name.clone()))?,
            risk_profile: changes.opt_enum("risk_profile", None)?,
            education_progress: changes.json(
                "education_progress",
                current.as_ref().and_then(|u| u.education_progress.clone()),
            )?,
            preferences: changes
                .json("preferences", current.as_ref().and_then(|u| u.preferences.clone()))?,
        };
        wait(py, store.update_profile(by, id, change, now)).map(|inner| PyUser { inner })
    }

    /// An admin changes a user's role. Raises `Forbidden` for anyone else,
    /// `InvalidInput` (a MINOR of age or without a guardian link),
    /// `InvalidTransition` when nothing changes.
    #[pyo3(signature = (actor, user_id, role, *, now, command_id=None))]
    fn set_role(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        role: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyUser> {
        let (by, id) = (commands::caller(actor, command_id)?, extract_uuid("user_id", user_id)?);
        let role = extract_enum("role", role)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.set_role(by, id, role, now)).map(|inner| PyUser { inner })
    }

    /// An admin changes a user's status (suspends, deactivates, re-admits,
    /// makes a beta tester). Raises as `set_role`.
    #[pyo3(signature = (actor, user_id, status, *, now, command_id=None))]
    fn set_status(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        status: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyUser> {
        let (by, id) = (commands::caller(actor, command_id)?, extract_uuid("user_id", user_id)?);
        let status = extract_enum("status", status)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.set_status(by, id, status, now)).map(|inner| PyUser { inner })
    }

    /// Opens a portfolio for `user_id` with no cash (cash and total value
    /// 0.00): the owner their own, a guardian their ward's. Money comes in
    /// with `deposit`. Raises `Forbidden`, `InvalidInput`, `NotFound`,
    /// `Conflict` (a reused id).
    #[pyo3(signature = (actor, user_id, name, *, now, description=None, portfolio_type=None,
        guardian_approval=false, risk_score=None, diversification_score=None,
        volatility_preference=None, id=None, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn open_portfolio(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        name: String,
        now: &Bound<'_, PyAny>,
        description: Option<String>,
        portfolio_type: Option<&Bound<'_, PyAny>>,
        guardian_approval: bool,
        risk_score: Option<i32>,
        diversification_score: Option<i32>,
        volatility_preference: Option<&Bound<'_, PyAny>>,
        id: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPortfolio> {
        let by = commands::caller(actor, command_id)?;
        let new = NewPortfolio {
            user_id: extract_uuid("user_id", user_id)?,
            name,
            description,
            portfolio_type: opt_enum("portfolio_type", portfolio_type)?
                .unwrap_or(PortfolioType::Standard),
            guardian_approval,
            risk_score,
            diversification_score,
            volatility_preference: opt_enum("volatility_preference", volatility_preference)?,
        };
        let id = opt_uuid("id", id)?
            .unwrap_or_else(|| commands::new_id(&by, "portfolio", 0, Uuid::new_v4));
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.open_portfolio(by, id, new, now)).map(|inner| PyPortfolio { inner })
    }

    /// Changes a portfolio's settings: `name`, `description`,
    /// `portfolio_type`, `guardian_approval`, `risk_score`,
    /// `diversification_score`, `volatility_preference` (keyword arguments;
    /// None clears an optional one). Cash, total value and owner are not
    /// settings. Fields not given keep their values (read just before the
    /// command; give all seven to replace them in one step). The owner
    /// changes their own; a minor's, only their guardian.
    #[pyo3(signature = (actor, portfolio_id, *, now, command_id=None, **changes))]
    fn update_portfolio_settings(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        portfolio_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
        changes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyPortfolio> {
        const FIELDS: &[&str] = &[
            "name",
            "description",
            "portfolio_type",
            "guardian_approval",
            "risk_score",
            "diversification_score",
            "volatility_preference",
        ];
        let changes = commands::Changes::new("update_portfolio_settings", FIELDS, changes)?;
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("portfolio_id", portfolio_id)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        let current = if changes.all(FIELDS) {
            PortfolioSettings {
                name: String::new(),
                description: None,
                portfolio_type: PortfolioType::Standard,
                guardian_approval: false,
                risk_score: None,
                diversification_score: None,
                volatility_preference: None,
            }
        } else {
            PortfolioSettings::of(&wait(py, async { store.portfolios().get(&by.actor, id).await })?)
        };
        let settings = PortfolioSettings {
            name: changes.text_or("name", current.name)?,
            description: changes.text("description", current.description)?,
            portfolio_type: changes.enum_or("portfolio_type", current.portfolio_type)?,
            guardian_approval: changes.flag("guardian_approval", current.guardian_approval)?,
            risk_score: changes.score("risk_score", current.risk_score)?,
            diversification_score: changes
                .score("diversification_score", current.diversification_score)?,
            volatility_preference: changes
                .opt_enum("volatility_preference", current.volatility_preference)?,
        };
        wait(py, store.update_portfolio_settings(by, id, settings, now))
            .map(|inner| PyPortfolio { inner })
    }

    /// Takes cash out of a portfolio: the owner, or a minor whose active
    /// guardians granted `withdrawals`. Returns the portfolio as committed.
    /// Raises `Forbidden`, `InsufficientFunds`, `InvalidInput`.
    #[pyo3(signature = (actor, portfolio_id, amount, *, now, command_id=None))]
    fn withdraw(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        portfolio_id: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPortfolio> {
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("portfolio_id", portfolio_id)?;
        let amount = extract_decimal("amount", amount)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.withdraw(by, id, amount, now)).map(|inner| PyPortfolio { inner })
    }

    /// Proposes a PENDING link between the GUARDIAN `guardian_id` and the
    /// MINOR `minor_id`: a guardian proposes links to themself, an admin
    /// any. It counts for nothing until an admin's `accept_link`. Raises
    /// `Forbidden`, `InvalidInput`, `NotFound`, `Conflict` (already linked).
    #[pyo3(signature = (actor, minor_id, guardian_id, *, now, relationship_type=None,
        permissions=None, approval_settings=None, id=None, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn link_guardian(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        minor_id: &Bound<'_, PyAny>,
        guardian_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        relationship_type: Option<&Bound<'_, PyAny>>,
        permissions: Option<&Bound<'_, PyAny>>,
        approval_settings: Option<&Bound<'_, PyAny>>,
        id: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRelationship> {
        let by = commands::caller(actor, command_id)?;
        let minor_id = extract_uuid("minor_id", minor_id)?;
        let link =
            commands::link(id, guardian_id, relationship_type, permissions, approval_settings)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.link_guardian(by, minor_id, link, now)).map(|inner| PyRelationship { inner })
    }

    /// Makes a PENDING link ACTIVE (verification: an admin's or the
    /// system's act). Raises `Forbidden` for anyone else,
    /// `InvalidTransition` unless PENDING, `NotFound`.
    #[pyo3(signature = (actor, link_id, *, now, command_id=None))]
    fn accept_link(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        link_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRelationship> {
        let (by, id) = (commands::caller(actor, command_id)?, extract_uuid("link_id", link_id)?);
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.accept_link(by, id, now)).map(|inner| PyRelationship { inner })
    }

    /// Ends a link (PENDING or ACTIVE → INACTIVE): its guardian or an admin.
    /// A minor's last ACTIVE link cannot end (`Conflict`).
    #[pyo3(signature = (actor, link_id, *, now, command_id=None))]
    fn deactivate_link(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        link_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRelationship> {
        let (by, id) = (commands::caller(actor, command_id)?, extract_uuid("link_id", link_id)?);
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.deactivate_link(by, id, now)).map(|inner| PyRelationship { inner })
    }

    /// Replaces a link's `permissions` and/or `approval_settings` (dicts or
    /// JSON text, read strictly; one not given keeps its value, read just
    /// before the command): its guardian or an admin. The two people a
    /// link joins never change. Raises `Forbidden`, `InvalidInput`,
    /// `InvalidTransition` (an INACTIVE link), `NotFound`.
    #[pyo3(signature = (actor, link_id, *, now, permissions=None, approval_settings=None,
        command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn update_link_settings(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        link_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        permissions: Option<&Bound<'_, PyAny>>,
        approval_settings: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRelationship> {
        let (by, id) = (commands::caller(actor, command_id)?, extract_uuid("link_id", link_id)?);
        let permissions = commands::permissions(permissions)?;
        let approval_settings = commands::approval_settings(approval_settings)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        let (permissions, approval_settings) = match (permissions, approval_settings) {
            (Some(p), Some(a)) => (p, a),
            (p, a) => {
                let link = wait(py, async { store.relationships().get(&by.actor, id).await })?;
                (p.unwrap_or(link.permissions), a.unwrap_or(link.approval_settings))
            }
        };
        wait(py, store.update_link_settings(by, id, permissions, approval_settings, now))
            .map(|inner| PyRelationship { inner })
    }

    /// Marks one of the actor's notifications `READ` (sets `read_at`) or
    /// `ARCHIVED` (final). Only its recipient may. Raises `Forbidden`,
    /// `InvalidTransition`, `NotFound`.
    #[pyo3(signature = (actor, notification_id, status, *, now, command_id=None))]
    fn mark_notification(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        notification_id: &Bound<'_, PyAny>,
        status: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyNotification> {
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("notification_id", notification_id)?;
        let event = commands::notification_event(status)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.mark_notification(by, id, event, now)).map(|inner| PyNotification { inner })
    }

    /// Files a beta feedback (status NEW): a user files their own. Raises
    /// `Forbidden`, `InvalidInput`, `Conflict` (a reused id).
    #[pyo3(signature = (actor, user_id, feedback_type, severity, title, description, *, now,
        category=None, related_component=None, environment_details=None,
        screenshots=Vec::new(), id=None, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn submit_feedback(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        feedback_type: &Bound<'_, PyAny>,
        severity: &Bound<'_, PyAny>,
        title: String,
        description: String,
        now: &Bound<'_, PyAny>,
        category: Option<String>,
        related_component: Option<String>,
        environment_details: Option<&Bound<'_, PyAny>>,
        screenshots: Vec<String>,
        id: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyBetaFeedback> {
        let by = commands::caller(actor, command_id)?;
        let new = commands::feedback(
            user_id,
            feedback_type,
            severity,
            title,
            description,
            category,
            related_component,
            environment_details,
            screenshots,
        )?;
        let id = opt_uuid("id", id)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.submit_feedback(by, id, new, now)).map(|inner| PyBetaFeedback { inner })
    }

    /// Moves a feedback forward (NEW → REVIEWING → PRIORITIZED →
    /// IMPLEMENTED): an admin's triage. Raises `Forbidden`,
    /// `InvalidTransition`, `NotFound`.
    #[pyo3(signature = (actor, feedback_id, status, *, now, command_id=None))]
    fn advance_feedback(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        feedback_id: &Bound<'_, PyAny>,
        status: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyBetaFeedback> {
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("feedback_id", feedback_id)?;
        let status = extract_enum("status", status)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.advance_feedback(by, id, status, now)).map(|inner| PyBetaFeedback { inner })
    }

    /// Imports whole rows — migrations and backfills — all or nothing, as
    /// the system actor only (`elson.system_actor()`; anyone else raises
    /// `Forbidden`, on record, and nothing is written). Each argument is an
    /// iterable of entities (or dicts of their fields). Every row is
    /// rebuilt through the core's constructor (users as of `now`) and every
    /// rule across rows is checked before anything is written: cash ≥ 0,
    /// `total_value = cash + Σ positions`, positions equal to the batch's
    /// executed trades, trade status and approval consistent, minors with a
    /// guardian link; positions and trades only of the batch's portfolios.
    /// Returns the rows written per table (a dict). Raises `InvalidInput`
    /// naming the first row and rule that fails, `NotFound`, `Conflict`.
    #[pyo3(signature = (actor, *, now, users=None, relationships=None, portfolios=None,
        positions=None, trades=None, notifications=None, beta_feedback=None, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn import_rows<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        users: Option<&Bound<'py, PyAny>>,
        relationships: Option<&Bound<'py, PyAny>>,
        portfolios: Option<&Bound<'py, PyAny>>,
        positions: Option<&Bound<'py, PyAny>>,
        trades: Option<&Bound<'py, PyAny>>,
        notifications: Option<&Bound<'py, PyAny>>,
        beta_feedback: Option<&Bound<'py, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let by = commands::caller(actor, command_id)?;
        let empty = pyo3::types::PyTuple::empty(py).into_any();
        let or_empty =
            |o: Option<&Bound<'py, PyAny>>| o.filter(|o| !o.is_none()).unwrap_or(&empty).clone();
        let batch = commands::import_batch([
            &or_empty(users),
            &or_empty(relationships),
            &or_empty(portfolios),
            &or_empty(positions),
            &or_empty(trades),
            &or_empty(notifications),
            &or_empty(beta_feedback),
        ])?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        let report = wait(py, store.import(by, batch, now))?;
        commands::import_report(py, report)
    }

    /// Places an order in one transaction: the core decides whether a
    /// guardian must approve it; the trade is written PENDING (or REJECTED
    /// at creation with the reason in `notes`) and the guardians or owner
    /// are notified. A MARKET order needs `market_price` (the approval
    /// amount is estimated from it).
    #[pyo3(signature = (actor, portfolio_id, symbol, side, quantity, *, now, order_type=None,
        limit_price=None, market_price=None, asset_type=None, confidence_score=None, notes=None,
        id=None, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn place_trade(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        portfolio_id: &Bound<'_, PyAny>,
        symbol: String,
        side: &Bound<'_, PyAny>,
        quantity: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        order_type: Option<&Bound<'_, PyAny>>,
        limit_price: Option<&Bound<'_, PyAny>>,
        market_price: Option<&Bound<'_, PyAny>>,
        asset_type: Option<&Bound<'_, PyAny>>,
        confidence_score: Option<&Bound<'_, PyAny>>,
        notes: Option<String>,
        id: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTradeResult> {
        let by = commands::caller(actor, command_id)?;
        let order = order(
            portfolio_id,
            symbol,
            side,
            quantity,
            order_type,
            limit_price,
            market_price,
            asset_type,
            confidence_score,
            notes,
            id,
            || commands::new_id(&by, "trade", 0, Uuid::now_v7),
        )?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.place_trade(by, order, now)).map(results)
    }

    /// Executes a PENDING trade in one transaction (trade, position, cash,
    /// total value, notifications), with the store's fees. `market_price` is
    /// the price feed's: only the system actor gives one (anyone else raises
    /// `Forbidden`, on record in the audit log, and nothing changes). None
    /// fills a LIMIT order at its own limit price. A LIMIT order the price
    /// does not reach writes nothing (`fill` None).
    #[pyo3(signature = (actor, trade_id, market_price=None, *, now, asset_type=None,
        command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn execute_trade(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        trade_id: &Bound<'_, PyAny>,
        market_price: Option<&Bound<'_, PyAny>>,
        now: &Bound<'_, PyAny>,
        asset_type: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTradeResult> {
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("trade_id", trade_id)?;
        let fill = fill(opt_decimal("market_price", market_price)?, asset_type)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.execute_trade(by, id, &fill, now)).map(results)
    }

    /// Places and, when no approval is pending, executes an order in one
    /// transaction, with the store's fees. As for `execute_trade`, only the
    /// system actor gives a `market_price`; without one a LIMIT order fills
    /// at its limit price.
    #[pyo3(signature = (actor, portfolio_id, symbol, side, quantity, market_price=None, *, now,
        order_type=None, limit_price=None, asset_type=None, confidence_score=None, notes=None,
        id=None, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn place_and_execute(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        portfolio_id: &Bound<'_, PyAny>,
        symbol: String,
        side: &Bound<'_, PyAny>,
        quantity: &Bound<'_, PyAny>,
        market_price: Option<&Bound<'_, PyAny>>,
        now: &Bound<'_, PyAny>,
        order_type: Option<&Bound<'_, PyAny>>,
        limit_price: Option<&Bound<'_, PyAny>>,
        asset_type: Option<&Bound<'_, PyAny>>,
        confidence_score: Option<&Bound<'_, PyAny>>,
        notes: Option<String>,
        id: Option<&Bound<'_, PyAny>>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTradeResult> {
        let by = commands::caller(actor, command_id)?;
        let price = opt_decimal("market_price", market_price)?;
        let order = order(
            portfolio_id,
            symbol,
            side,
            quantity,
            order_type,
            limit_price,
            market_price,
            asset_type,
            confidence_score,
            notes,
            id,
            || commands::new_id(&by, "trade", 0, Uuid::now_v7),
        )?;
        let fill = fill(price, asset_type)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.place_and_execute(by, order, &fill, now)).map(results)
    }

    /// The batching API: places and executes every order in ONE transaction
    /// (one commit), in order; all or nothing — the first refused order
    /// rolls the whole batch back and raises its exception. Each order is a
    /// mapping with the keyword arguments of `place_and_execute`
    /// (`portfolio_id`, `symbol`, `side`, `quantity`, and optionally
    /// `market_price` (the system actor's only), `order_type`,
    /// `limit_price`, `asset_type`, `confidence_score`, `notes`, `id`).
    #[pyo3(signature = (actor, orders, *, now, command_id=None))]
    fn place_and_execute_batch(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        orders: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyTradeResult>> {
        let by = commands::caller(actor, command_id)?;
        let now = extract_datetime("now", now)?;
        let mut batch = Vec::new();
        for (i, item) in (0_u64..).zip(orders.try_iter()?) {
            batch.push(batch_order(&item?, || commands::new_id(&by, "trade", i, Uuid::now_v7))?);
        }
        let store = self.store()?;
        wait(py, store.place_and_execute_batch(by, batch, now))
            .map(|v| v.into_iter().map(results).collect())
    }

    /// A guardian's decision on a minor's PENDING trade: `verdict`
    /// "APPROVE" or "REJECT" (with a `reason`).
    #[pyo3(signature = (actor, trade_id, verdict, reason=None, *, now, command_id=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
    fn decide_trade(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        trade_id: &Bound<'_, PyAny>,
        verdict: &str,
        reason: Option<String>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTradeResult> {
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("trade_id", trade_id)?;
        let verdict = match verdict {
            "APPROVE" => Verdict::Approve,
            "REJECT" => Verdict::Reject { reason: reason.unwrap_or_default() },
            other => {
                return Err(crate::errors::invalid(
                    "verdict",
                    format!("expected APPROVE or REJECT, got {other:?}"),
                ));
            }
        };
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.decide_trade(by, id, verdict, now)).map(results)
    }

    /// Cancels a PENDING trade.
    #[pyo3(signature = (actor, trade_id, *, now, command_id=None))]
    fn cancel_trade(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        trade_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTradeResult> {
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("trade_id", trade_id)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.cancel_trade(by, id, now)).map(results)
    }

    /// Adds cash to a portfolio; returns the portfolio as committed.
    #[pyo3(signature = (actor, portfolio_id, amount, *, now, command_id=None))]
    fn deposit(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        portfolio_id: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPortfolio> {
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("portfolio_id", portfolio_id)?;
        let amount = extract_decimal("amount", amount)?;
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        wait(py, store.deposit(by, id, amount, now)).map(|inner| PyPortfolio { inner })
    }

    /// Revalues positions at `prices` (`{symbol: price}`, every price
    /// checked); returns the portfolio and its positions as committed.
    /// Prices are the price feed's: the system actor only (`Forbidden`
    /// otherwise).
    #[pyo3(signature = (actor, portfolio_id, prices, *, now, command_id=None))]
    fn mark_to_market(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        portfolio_id: &Bound<'_, PyAny>,
        prices: &Bound<'_, PyDict>,
        now: &Bound<'_, PyAny>,
        command_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(PyPortfolio, Vec<PyPosition>)> {
        let by = commands::caller(actor, command_id)?;
        let id = extract_uuid("portfolio_id", portfolio_id)?;
        let mut owned: Vec<(String, Decimal)> = Vec::with_capacity(prices.len());
        for (k, v) in prices.iter() {
            let symbol: String = k
                .cast::<PyString>()
                .map_err(|_| crate::errors::invalid("prices", "keys must be symbols (str)"))?
                .extract()?;
            let price = extract_decimal(&format!("prices[{symbol}]"), &v)?;
            owned.push((symbol, price));
        }
        let now = extract_datetime("now", now)?;
        let store = self.store()?;
        let pairs: Vec<(&str, Decimal)> = owned.iter().map(|(s, p)| (s.as_str(), *p)).collect();
        let (p, positions) = wait(py, store.mark_to_market(by, id, &pairs, now))?;
        Ok((PyPortfolio { inner: p }, wrap(positions, |inner| PyPosition { inner })))
    }

    fn __repr__(&self) -> String {
        match &self.inner {
            Some(s) => format!("Store({:?})", s.backend()),
            None => "Store(closed)".to_owned(),
        }
    }
}

/// The actor of the system's own work (an ADMIN with the nil id), as a dict
/// for the `actor` arguments.
#[pyfunction]
pub fn system_actor<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    actor_dict(py, &elson_store::system_actor())
}

/// An actor as the dict every store call accepts.
fn actor_dict<'py>(py: Python<'py>, a: &Actor) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", a.id)?;
    d.set_item("role", a.role.to_py(py)?)?;
    d.set_item("status", a.status.to_py(py)?)?;
    Ok(d)
}

fn analytics_dict(py: Python<'_>, a: PortfolioAnalytics) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("portfolio_id", a.portfolio_id)?;
    d.set_item("user_id", a.user_id)?;
    d.set_item("cash_balance", a.cash_balance)?;
    d.set_item("total_value", a.total_value)?;
    d.set_item("position_count", a.position_count)?;
    d.set_item("positions_value", a.positions_value)?;
    d.set_item("gain_loss", a.gain_loss)?;
    d.set_item("trades_pending", a.trades_pending)?;
    d.set_item("trades_executed", a.trades_executed)?;
    d.set_item("trades_cancelled", a.trades_cancelled)?;
    d.set_item("trades_rejected", a.trades_rejected)?;
    d.set_item("last_trade_at", a.last_trade_at)?;
    Ok(d)
}

/// Registers the store classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("StoreBusy", m.py().get_type::<StoreBusy>())?;
    m.add_class::<PyStore>()?;
    m.add_class::<PyTradeResult>()?;
    m.add_class::<PyUsers>()?;
    m.add_class::<PyPortfolios>()?;
    m.add_class::<PyPositions>()?;
    m.add_class::<PyTrades>()?;
    m.add_class::<PyRelationships>()?;
    m.add_class::<PyNotifications>()?;
    m.add_class::<PyVolatilityRegimes>()?;
    m.add_class::<PyModelParameters>()?;
    m.add_class::<PyBacktestResults>()?;
    m.add_class::<PyBetaFeedbackRepo>()?;
    m.add_class::<PyFeatureFlags>()?;
    m.add_function(wrap_pyfunction!(system_actor, m)?)?;
    Ok(())
}
