//! Table `positions`.

use elson_core::ElsonError;
use elson_core::entities::Position;
use elson_core::limits::{DecimalLimit, TextLimit};
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, NOBODY, Session, live};
use crate::actor::Actor;
use crate::check;
use crate::db::{Arg, Conn, DbRow, dec, enum_text, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::repo::portfolios;
use crate::store::Store;

macro_rules! cols {
    () => {
        "id, portfolio_id, symbol, quantity, average_price, current_price, current_value, \
         created_at, updated_at, last_price_update, gain_loss, gain_loss_percent, asset_type, sector"
    };
}
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO positions (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
);
pub(crate) const UPDATE: &str = "UPDATE positions SET portfolio_id = $2, symbol = $3, quantity = $4, \
     average_price = $5, current_price = $6, current_value = $7, created_at = $8, updated_at = $9, \
     last_price_update = $10, gain_loss = $11, gain_loss_percent = $12, asset_type = $13, \
     sector = $14 WHERE id = $1";
const GET: &str = concat!("SELECT ", cols!(), " FROM positions WHERE id = $1");
/// Every row (a restore checks a whole snapshot).
pub(crate) const ALL: &str = concat!("SELECT ", cols!(), " FROM positions");
pub(crate) const BY_PORTFOLIO: &str =
    concat!("SELECT ", cols!(), " FROM positions WHERE portfolio_id = $1 ORDER BY symbol");

/// Repository of `positions`; from [`Store::positions`].
#[derive(Debug, Clone, Copy)]
pub struct Positions<'s> {
    store: &'s Store,
}

pub(crate) fn validate(p: &Position) -> Result<(), ElsonError> {
    check::text("symbol", &p.symbol, TextLimit::SYMBOL)?;
    check::dec("quantity", p.quantity, DecimalLimit::QUANTITY)?;
    check::dec("average_price", p.average_price, DecimalLimit::MONEY)?;
    check::dec("current_price", p.current_price, DecimalLimit::MONEY)?;
    check::dec("current_value", p.current_value, DecimalLimit::MONEY)?;
    check::dec("gain_loss", p.gain_loss, DecimalLimit::MONEY_SIGNED)?;
    check::dec("gain_loss_percent", p.gain_loss_percent, DecimalLimit::PERCENT)?;
    check::opt_text("sector", &p.sector, TextLimit::NAME.identifier())?;
    Ok(())
}

pub(crate) fn args(p: &Position) -> [Arg<'_>; 14] {
    [
        uuid(p.id),
        uuid(p.portfolio_id),
        text(&p.symbol),
        dec("quantity", p.quantity, DecimalLimit::QUANTITY),
        dec("average_price", p.average_price, DecimalLimit::MONEY),
        dec("current_price", p.current_price, DecimalLimit::MONEY),
        dec("current_value", p.current_value, DecimalLimit::MONEY),
        ts(p.created_at),
        ts(p.updated_at),
        Arg::Ts(p.last_price_update),
        dec("gain_loss", p.gain_loss, DecimalLimit::MONEY_SIGNED),
        dec("gain_loss_percent", p.gain_loss_percent, DecimalLimit::PERCENT),
        enum_text(p.asset_type),
        opt_text(&p.sector),
    ]
}

/// Validates and inserts on an open connection (inside a caller's transaction).
pub(crate) async fn insert_in(c: &mut Conn<'_>, p: &Position) -> StoreResult<()> {
    validate(p)?;
    c.execute("positions.insert", INSERT, &args(p))
        .await
        .map_err(|e| e.refine_fk("portfolio", p.portfolio_id))?;
    Ok(())
}

pub(crate) fn from_row(r: &DbRow) -> StoreResult<Position> {
    Ok(Position {
        id: r.uuid("id")?,
        portfolio_id: r.uuid("portfolio_id")?,
        symbol: r.text("symbol")?,
        quantity: r.dec("quantity", DecimalLimit::QUANTITY)?,
        average_price: r.dec("average_price", DecimalLimit::MONEY)?,
        current_price: r.dec("current_price", DecimalLimit::MONEY)?,
        current_value: r.dec("current_value", DecimalLimit::MONEY)?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        last_price_update: r.opt_ts("last_price_update")?,
        gain_loss: r.dec("gain_loss", DecimalLimit::MONEY_SIGNED)?,
        gain_loss_percent: r.dec("gain_loss_percent", DecimalLimit::PERCENT)?,
        asset_type: r.parse("asset_type")?,
        sector: r.opt_text("sector")?,
    })
}

/// Authorizes `action` on the portfolio `portfolio_id` (positions are part
/// of their portfolio); an unknown portfolio is `NotFound`.
async fn authorize_portfolio(
    s: &mut Session,
    op: &'static str,
    action: Action,
    portfolio_id: Uuid,
) -> StoreResult<()> {
    match portfolios::owner_of(s, op, portfolio_id).await? {
        Some(owner_id) => s.authorize(action, Resource::Portfolio { owner_id }).await.map(|_| ()),
        None => Err(StoreError::not_found("portfolio", portfolio_id)),
    }
}

impl Positions<'_> {
    /// One position by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Forbidden` when `authorize` refuses.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<Position> {
        let call = Call::new("positions.get", "get", "positions", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let Some(row) = s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? else {
                return Err(StoreError::not_found("position", id));
            };
            let p = from_row(&row)?;
            authorize_portfolio(s, call.op, Action::Read, p.portfolio_id).await?;
            Ok(p)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// Every position of a portfolio, by symbol.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses (an unknown portfolio counts as
    /// someone else's, and has no positions).
    pub async fn list_for_portfolio(
        self,
        actor: &Actor,
        portfolio_id: Uuid,
    ) -> StoreResult<Vec<Position>> {
        let call =
            Call::new("positions.list_for_portfolio", "list", "positions", Some(portfolio_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let owner_id = portfolios::owner_of(s, call.op, portfolio_id).await?.unwrap_or(NOBODY);
            s.authorize(Action::Read, Resource::Portfolio { owner_id }).await?;
            let rows = s.conn().fetch_all(call.op, BY_PORTFOLIO, &[uuid(portfolio_id)]).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}

impl Store {
    /// The `positions` repository.
    pub fn positions(&self) -> Positions<'_> {
        Positions { store: self }
    }
}

/// Removes a closed position (quantity reached 0).
pub(crate) const DELETE: &str = "DELETE FROM positions WHERE id = $1";
