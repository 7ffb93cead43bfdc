//! Table `backtest_results`.

use elson_core::ElsonError;
use elson_core::entities::BacktestResultRow;
use elson_core::limits::{DecimalLimit, TextLimit};
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, live};
use crate::actor::Actor;
use crate::check;
use crate::db::{Arg, DbRow, dec, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

macro_rules! cols {
    () => {
        "id, model_version, symbol, start_date, end_date, total_trades, win_rate, profit_loss, \
         sharpe_ratio, drawdown_max, volatility_breakdown, parameters_used, created_at, notes"
    };
}
const INSERT: &str = concat!(
    "INSERT INTO backtest_results (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
);
const GET: &str = concat!("SELECT ", cols!(), " FROM backtest_results WHERE id = $1");
const BY_SYMBOL: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM backtest_results WHERE symbol = $1 AND model_version = $2 ORDER BY created_at DESC"
);

/// Repository of `backtest_results`; from [`Store::backtest_results`].
#[derive(Debug, Clone, Copy)]
pub struct BacktestResults<'s> {
    store: &'s Store,
}

fn validate(b: &BacktestResultRow) -> Result<(), ElsonError> {
    check::text("model_version", &b.model_version, TextLimit::SHORT.identifier())?;
    check::text("symbol", &b.symbol, TextLimit::SYMBOL)?;
    if b.end_date < b.start_date {
        return Err(ElsonError::invalid("end_date", "is before start_date"));
    }
    if b.total_trades < 0 {
        return Err(ElsonError::invalid("total_trades", "is negative"));
    }
    check::dec("win_rate", b.win_rate, DecimalLimit::WIN_RATE)?;
    check::dec("profit_loss", b.profit_loss, DecimalLimit::MONEY_SIGNED)?;
    check::dec("sharpe_ratio", b.sharpe_ratio, DecimalLimit::RATIO)?;
    check::dec("drawdown_max", b.drawdown_max, DecimalLimit::RATIO)?;
    check::opt_text("notes", &b.notes, TextLimit::TEXT)?;
    Ok(())
}

fn from_row(r: &DbRow) -> StoreResult<BacktestResultRow> {
    Ok(BacktestResultRow {
        id: r.uuid("id")?,
        model_version: r.text("model_version")?,
        symbol: r.text("symbol")?,
        start_date: r.date("start_date")?,
        end_date: r.date("end_date")?,
        total_trades: r.i32("total_trades")?,
        win_rate: r.dec("win_rate", DecimalLimit::WIN_RATE)?,
        profit_loss: r.dec("profit_loss", DecimalLimit::MONEY_SIGNED)?,
        sharpe_ratio: r.dec("sharpe_ratio", DecimalLimit::RATIO)?,
        drawdown_max: r.dec("drawdown_max", DecimalLimit::RATIO)?,
        volatility_breakdown: r.json("volatility_breakdown")?,
        parameters_used: r.json("parameters_used")?,
        created_at: r.ts("created_at")?,
        notes: r.opt_text("notes")?,
    })
}

impl BacktestResults<'_> {
    /// Inserts a backtest summary.
    ///
    /// # Errors
    /// `InvalidInput` for a value that does not fit (a win rate over 100, a
    /// Sharpe ratio over DECIMAL(10,4), …), `Conflict` for a reused id.
    pub async fn insert(self, actor: &Actor, b: &BacktestResultRow) -> StoreResult<()> {
        let call = Call::new("backtest_results.insert", "insert", "backtest_results", Some(b.id));
        let mut s = self.store.session(&call, actor, Mode::Write).await;
        let r = async {
            let s = live(&mut s)?;
            validate(b)?;
            s.authorize(Action::Create, Resource::BacktestResult).await?;
            let args = [
                uuid(b.id),
                text(&b.model_version),
                text(&b.symbol),
                Arg::Date(Some(b.start_date)),
                Arg::Date(Some(b.end_date)),
                Arg::I32(Some(b.total_trades)),
                dec("win_rate", b.win_rate, DecimalLimit::WIN_RATE),
                dec("profit_loss", b.profit_loss, DecimalLimit::MONEY_SIGNED),
                dec("sharpe_ratio", b.sharpe_ratio, DecimalLimit::RATIO),
                dec("drawdown_max", b.drawdown_max, DecimalLimit::RATIO),
                Arg::Json(Some(&b.volatility_breakdown)),
                Arg::Json(Some(&b.parameters_used)),
                ts(b.created_at),
                opt_text(&b.notes),
            ];
            s.conn().execute(call.op, INSERT, &args).await?;
            Ok(())
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// One result by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<BacktestResultRow> {
        let call = Call::new("backtest_results.get", "get", "backtest_results", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Read, Resource::BacktestResult).await?;
            match s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? {
                Some(row) => from_row(&row),
                None => Err(StoreError::not_found("backtest_result", id)),
            }
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// Every result for a symbol and model version, newest first.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn list_for(
        &self,
        actor: &Actor,
        symbol: &str,
        model_version: &str,
    ) -> StoreResult<Vec<BacktestResultRow>> {
        let call = Call::new("backtest_results.list_for", "list", "backtest_results", None);
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Read, Resource::BacktestResult).await?;
            let args = [text(symbol), text(model_version)];
            let rows = s.conn().fetch_all(call.op, BY_SYMBOL, &args).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}

impl Store {
    /// The `backtest_results` repository.
    pub fn backtest_results(&self) -> BacktestResults<'_> {
        BacktestResults { store: self }
    }
}
