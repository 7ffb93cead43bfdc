//! Table `portfolios`, and the portfolio overview query.

use elson_core::ElsonError;
use elson_core::entities::Portfolio;
use elson_core::limits::{DecimalLimit, TextLimit, check_score};
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{
    Call, Mode, Session, WithStanding, live, standing_pg, standing_sqlite, with_standing,
};
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
/// Every row (a restore checks a whole snapshot).
pub(crate) const ALL: &str = concat!("SELECT ", cols!(""), " FROM portfolios");
/// PostgreSQL: the same read, locking the row until the transaction ends.
/// (SQLite has no row locks; its writers hold the database lock instead.)
pub(crate) const GET_FOR_UPDATE: &str =
    concat!("SELECT ", cols!(""), " FROM portfolios WHERE id = $1 FOR UPDATE");
/// [`GET`] under the write lock, for the commands.
pub(crate) const LOCKED: crate::commands::LockedGet =
    crate::commands::LockedGet { plain: GET, for_update: GET_FOR_UPDATE };
/// A portfolio for a trading call and the actor's standing
/// (`Session::fetch_with_standing`): on PostgreSQL [`GET_FOR_UPDATE`], on
/// SQLite [`GET`] (its writers hold the database lock instead).
pub(crate) const LOCK_WITH_STANDING: WithStanding = WithStanding {
    pg: concat!(
        "SELECT ",
        cols!(""),
        ", ",
        standing_pg!(),
        " AS elson_standing FROM portfolios WHERE id = $1 FOR UPDATE"
    ),
    sqlite: concat!(
        "SELECT ",
        cols!(""),
        ", ",
        standing_sqlite!("2"),
        " AS elson_standing FROM portfolios WHERE id = $1"
    ),
};
/// A portfolio's owner and the actor's standing.
const OWNER_WITH_STANDING: WithStanding = WithStanding {
    pg: concat!(
        "SELECT user_id, ",
        standing_pg!(),
        " AS elson_standing FROM portfolios WHERE id = $1"
    ),
    sqlite: concat!(
        "SELECT user_id, ",
        standing_sqlite!("2"),
        " AS elson_standing FROM portfolios WHERE id = $1"
    ),
};
const BY_USER: &str =
    concat!("SELECT ", cols!(""), " FROM portfolios WHERE user_id = $1 ORDER BY created_at, id");
pub(crate) const OVERVIEW: WithStanding = with_standing!(
    concat!(
        "SELECT ",
        cols!("p."),
        ", COUNT(pos.id) AS position_count FROM portfolios p \
         LEFT JOIN positions pos ON p.id = pos.portfolio_id \
         WHERE p.user_id = $1 GROUP BY p.id"
    ),
    "q.created_at, q.id",
    "2"
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
    from_row_named(r, ["id", "created_at", "updated_at"])
}

/// The portfolio of a row that also carries its owner's user row
/// (`users::PORTFOLIO_WITH_OWNER_FOR_UPDATE`), where the columns both
/// tables have are aliased.
pub(crate) fn from_owner_row(r: &DbRow) -> StoreResult<Portfolio> {
    from_row_named(r, ["portfolio_id", "portfolio_created_at", "portfolio_updated_at"])
}

/// [`from_row`] with the names of the `id`, `created_at` and `updated_at`
/// columns given.
fn from_row_named(r: &DbRow, [id, created_at, updated_at]: [&str; 3]) -> StoreResult<Portfolio> {
    Ok(Portfolio {
        id: r.uuid(id)?,
        user_id: r.uuid("user_id")?,
        name: r.text("name")?,
        description: r.opt_text("description")?,
        created_at: r.ts(created_at)?,
        updated_at: r.ts(updated_at)?,
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

/// The owner of a portfolio, on the session's connection. The same round
/// trip brings back the actor's standing for the authorization that
/// follows (`Session::offer_standing`): a read of a portfolio's trades or
/// positions then takes one query fewer.
pub(crate) async fn owner_of(
    s: &mut Session,
    op: &'static str,
    id: Uuid,
) -> StoreResult<Option<Uuid>> {
    let rows = s.fetch_with_standing(op, OWNER_WITH_STANDING, &[uuid(id)]).await?;
    rows.first().map(|r| r.uuid("user_id")).transpose()
}

impl Portfolios<'_> {
    /// One portfolio by id; may answer from the short read cache
    /// ([`crate::StoreOptions::portfolio_cache_ttl`]), which this store's
    /// writes invalidate.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Forbidden` when `authorize` refuses.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<Portfolio> {
        let call = Call::new("portfolios.get", "get", "portfolios", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let read = async {
                match s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? {
                    Some(row) => from_row(&row),
                    None => Err(StoreError::not_found("portfolio", id)),
                }
            };
            // The row may come from the cache; the access is decided anew.
            let p = self.store.cached_portfolio(id, read).await?;
            s.authorize(Action::Read, Resource::Portfolio { owner_id: p.user_id }).await?;
            Ok(p)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// Every portfolio of a user, oldest first.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses the actor the user's portfolios.
    pub async fn list_for_user(self, actor: &Actor, user_id: Uuid) -> StoreResult<Vec<Portfolio>> {
        let call = Call::new("portfolios.list_for_user", "list", "portfolios", Some(user_id));
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

    /// The seed's "Portfolio Overview": every portfolio of a user with its
    /// position count, oldest first.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses the actor the user's portfolios.
    pub async fn overview(
        self,
        actor: &Actor,
        user_id: Uuid,
    ) -> StoreResult<Vec<PortfolioOverview>> {
        let call = Call::new("portfolios.overview", "query", "portfolios", Some(user_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            // One round trip: the overview and the actor's standing;
            // nothing leaves before `authorize` agrees.
            let rows = s.fetch_all_with_standing(call.op, OVERVIEW, &[uuid(user_id)]).await?;
            s.authorize(Action::Read, Resource::Portfolio { owner_id: user_id }).await?;
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
        self.store.conclude(actor, s, r, &call).await
    }
}

impl Store {
    /// The `portfolios` repository.
    pub fn portfolios(&self) -> Portfolios<'_> {
        Portfolios { store: self }
    }
}
