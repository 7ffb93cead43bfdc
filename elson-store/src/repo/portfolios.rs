//! Table `portfolios`, and the portfolio overview query.

use elson_core::ElsonError;
use elson_core::entities::Portfolio;
use elson_core::limits::{DecimalLimit, TextLimit, check_score};
use uuid::Uuid;

use crate::actor::Actor;
use crate::check;
use crate::db::{Arg, Conn, DbRow, dec, enum_text, opt_enum, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

macro_rules! cols {
    ($p:literal) => {
        concat!(
            $p,
            "id, ",
            $p,
            "user_id, ",
            $p,
            "name, ",
            $p,
            "description, ",
            $p,
            "created_at, ",
            $p,
            "updated_at, ",
            $p,
            "cash_balance, ",
            $p,
            "total_value, ",
            $p,
            "type, ",
            $p,
            "risk_score, ",
            $p,
            "diversification_score, ",
            $p,
            "guardian_approval, ",
            $p,
            "volatility_preference, ",
            $p,
            "performance_metrics"
        )
    };
}
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO portfolios (",
    cols!(""),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
);
pub(crate) const UPDATE: &str = "UPDATE portfolios SET user_id = $2, name = $3, description = $4, \
     created_at = $5, updated_at = $6, cash_balance = $7, total_value = $8, type = $9, \
     risk_score = $10, diversification_score = $11, guardian_approval = $12, \
     volatility_preference = $13, performance_metrics = $14 WHERE id = $1";
pub(crate) const GET: &str = concat!("SELECT ", cols!(""), " FROM portfolios WHERE id = $1");
/// PostgreSQL: the same read, locking the row until the transaction ends.
/// (SQLite has no row locks; its writers hold the database lock instead.)
pub(crate) const GET_FOR_UPDATE: &str =
    concat!("SELECT ", cols!(""), " FROM portfolios WHERE id = $1 FOR UPDATE");
const BY_USER: &str =
    concat!("SELECT ", cols!(""), " FROM portfolios WHERE user_id = $1 ORDER BY created_at, id");
pub(crate) const OVERVIEW: &str = concat!(
    "SELECT ",
    cols!("p."),
    ", COUNT(pos.id) AS position_count FROM portfolios p \
     LEFT JOIN positions pos ON p.id = pos.portfolio_id \
     WHERE p.user_id = $1 GROUP BY p.id ORDER BY p.created_at, p.id"
);

/// A portfolio with its number of positions (the seed's "Portfolio
/// Overview" query).
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioOverview {
    /// The portfolio row.
    pub portfolio: Portfolio,
    /// How many positions it holds.
    pub position_count: i64,
}

/// Repository of `portfolios`; from [`Store::portfolios`].
#[derive(Debug, Clone, Copy)]
pub struct Portfolios<'s> {
    pub(crate) store: &'s Store,
}

pub(crate) fn validate(p: &Portfolio) -> Result<(), ElsonError> {
    check::text("name", &p.name, TextLimit::NAME)?;
    check::opt_text("description", &p.description, TextLimit::TEXT)?;
    check::dec("cash_balance", p.cash_balance, DecimalLimit::MONEY)?;
    check::dec("total_value", p.total_value, DecimalLimit::MONEY)?;
    if let Some(s) = p.risk_score {
        check_score("risk_score", s)?;
    }
    if let Some(s) = p.diversification_score {
        check_score("diversification_score", s)?;
    }
    Ok(())
}

pub(crate) fn args(p: &Portfolio) -> [Arg<'_>; 14] {
    [
        uuid(p.id),
        uuid(p.user_id),
        text(&p.name),
        opt_text(&p.description),
        ts(p.created_at),
        ts(p.updated_at),
        dec("cash_balance", p.cash_balance, DecimalLimit::MONEY),
        dec("total_value", p.total_value, DecimalLimit::MONEY),
        enum_text(p.portfolio_type),
        Arg::I32(p.risk_score),
        Arg::I32(p.diversification_score),
        Arg::Bool(p.guardian_approval),
        opt_enum(p.volatility_preference),
        Arg::Json(p.performance_metrics.as_ref()),
    ]
}

/// Validates and inserts on an open connection (inside a caller's transaction).
pub(crate) async fn insert_in(c: &mut Conn<'_>, p: &Portfolio) -> StoreResult<()> {
    validate(p)?;
    c.execute("portfolios.insert", INSERT, &args(p))
        .await
        .map_err(|e| e.refine_fk("user", p.user_id))?;
    Ok(())
}

pub(crate) fn from_row(r: &DbRow) -> StoreResult<Portfolio> {
    Ok(Portfolio {
        id: r.uuid("id")?,
        user_id: r.uuid("user_id")?,
        name: r.text("name")?,
        description: r.opt_text("description")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        cash_balance: r.dec("cash_balance", DecimalLimit::MONEY)?,
        total_value: r.dec("total_value", DecimalLimit::MONEY)?,
        portfolio_type: r.parse("type")?,
        risk_score: r.opt_i32("risk_score")?,
        diversification_score: r.opt_i32("diversification_score")?,
        guardian_approval: r.bool("guardian_approval")?,
        volatility_preference: r.opt_parse("volatility_preference")?,
        performance_metrics: r.opt_json("performance_metrics")?,
    })
}

impl Portfolios<'_> {
    /// Inserts a portfolio.
    ///
    /// # Errors
    /// `InvalidInput` for a value that does not fit its column (negative
    /// cash, a score outside 0–100, …), `NotFound` for an unknown owner,
    /// `Conflict` for a reused id.
    pub async fn insert(self, actor: &Actor, p: &Portfolio) -> StoreResult<()> {
        let op = "portfolios.insert";
        let r = async {
            validate(p)?;
            self.store
                .exec(op, INSERT, &args(p))
                .await
                .map_err(|e| e.refine_fk("user", p.user_id))?;
            Ok(())
        }
        .await;
        self.store.audited(actor, "insert", "portfolios", Some(p.id), r)
    }

    /// Replaces every column of an existing portfolio. Money-changing
    /// operations should use the atomic trading operations instead.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; otherwise as [`Portfolios::insert`].
    pub async fn update(self, actor: &Actor, p: &Portfolio) -> StoreResult<()> {
        let op = "portfolios.update";
        let r = async {
            validate(p)?;
            let r = self
                .store
                .exec_one(op, UPDATE, &args(p), "portfolio", p.id)
                .await
                .map_err(|e| e.refine_fk("user", p.user_id));
            // pgscale: after the statement's transaction ended (crate::cache).
            self.store.portfolio_cache().invalidate(&[p.id]);
            r
        }
        .await;
        self.store.audited(actor, "update", "portfolios", Some(p.id), r)
    }

    /// One portfolio by id; may answer from the short read cache
    /// ([`crate::StoreOptions::portfolio_cache_ttl`]), which this store's
    /// writes invalidate.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<Portfolio> {
        let read = async {
            match self.store.query_opt("portfolios.get", GET, &[uuid(id)]).await? {
                Some(row) => from_row(&row),
                None => Err(StoreError::not_found("portfolio", id)),
            }
        };
        let r = self.store.cached_portfolio(id, read).await;
        self.store.audited(actor, "get", "portfolios", Some(id), r)
    }

    /// Every portfolio of a user, oldest first.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn list_for_user(self, actor: &Actor, user_id: Uuid) -> StoreResult<Vec<Portfolio>> {
        let r = async {
            let rows =
                self.store.query_all("portfolios.list_for_user", BY_USER, &[uuid(user_id)]).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.audited(actor, "list", "portfolios", Some(user_id), r)
    }

    /// The seed's "Portfolio Overview": every portfolio of a user with its
    /// position count, oldest first.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn overview(
        self,
        actor: &Actor,
        user_id: Uuid,
    ) -> StoreResult<Vec<PortfolioOverview>> {
        let r = async {
            let rows =
                self.store.query_all("portfolios.overview", OVERVIEW, &[uuid(user_id)]).await?;
            rows.iter()
                .map(|r| {
                    Ok(PortfolioOverview {
                        portfolio: from_row(r)?,
                        position_count: r.i64("position_count")?,
                    })
                })
                .collect()
        }
        .await;
        self.store.audited(actor, "query", "portfolios", Some(user_id), r)
    }
}

impl Store {
    /// The `portfolios` repository.
    pub fn portfolios(&self) -> Portfolios<'_> {
        Portfolios { store: self }
    }
}
