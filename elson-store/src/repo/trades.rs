//! Table `trades`, the paginated trade history and the guardian approval
//! queue.

use elson_core::ElsonError;
use elson_core::entities::Trade;
use elson_core::limits::{DecimalLimit, TextLimit};
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{
    Call, Mode, NOBODY, Session, WithStanding, live, standing_pg, standing_sqlite, with_standing,
};
use crate::actor::Actor;
use crate::check;
use crate::db::{Arg, Conn, DbRow, dec, enum_text, opt_dec, opt_enum, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::pii::PiiField;
use crate::repo::{portfolios, relationships};
use crate::store::Store;

macro_rules! cols {
    ($p:literal) => {
        concat!(
            $p,
            "id, ",
            $p,
            "portfolio_id, ",
            $p,
            "symbol, ",
            $p,
            "order_type, ",
            $p,
            "side, ",
            $p,
            "quantity, ",
            $p,
            "price, ",
            $p,
            "status, ",
            $p,
            "created_at, ",
            $p,
            "executed_at, ",
            $p,
            "total_amount, ",
            $p,
            "fees, ",
            $p,
            "notes, ",
            $p,
            "circuit_breaker_state, ",
            $p,
            "volatility_level, ",
            $p,
            "guardian_approval, ",
            $p,
            "confidence_score, ",
            $p,
            "position_sizing"
        )
    };
}
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO trades (",
    cols!(""),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
);
/// `INSERT … VALUES ` for multi-row inserts ([`crate::db::Conn::insert_rows`]).
pub(crate) const INSERT_PREFIX: &str = concat!("INSERT INTO trades (", cols!(""), ") VALUES ");
pub(crate) const UPDATE: &str = "UPDATE trades SET portfolio_id = $2, symbol = $3, order_type = $4, \
     side = $5, quantity = $6, price = $7, status = $8, created_at = $9, executed_at = $10, \
     total_amount = $11, fees = $12, notes = $13, circuit_breaker_state = $14, \
     volatility_level = $15, guardian_approval = $16, confidence_score = $17, \
     position_sizing = $18 WHERE id = $1";
pub(crate) const GET: &str = concat!("SELECT ", cols!(""), " FROM trades WHERE id = $1");
/// Every row (a restore checks a whole snapshot).
pub(crate) const ALL: &str = concat!("SELECT ", cols!(""), " FROM trades");
/// The seed's "Trade History" (one page of a portfolio's trades, newest
/// first) with what its authorization needs, in the same round trip: the
/// portfolio's owner and the actor's standing as `owner_id` and
/// `elson_standing` on every row. A page without trades is one row of NULL
/// trade columns; an unknown portfolio (or one row-level security hides)
/// gives no row.
macro_rules! history_with_owner {
    ($standing:expr) => {
        concat!(
            "SELECT o.owner_id, o.elson_standing, t.* FROM \
             (SELECT user_id AS owner_id, ",
            $standing,
            " AS elson_standing FROM portfolios WHERE id = $1) o LEFT JOIN (SELECT ",
            cols!(""),
            " FROM trades WHERE portfolio_id = $1 ORDER BY created_at DESC, id DESC \
             LIMIT $2 OFFSET $3) t ON true ORDER BY t.created_at DESC, t.id DESC"
        )
    };
}
/// [`history_with_owner!`] in each backend's text.
pub(crate) const HISTORY: WithStanding = WithStanding {
    pg: history_with_owner!(standing_pg!()),
    sqlite: history_with_owner!(standing_sqlite!("4")),
};
/// Trades of a user's portfolios created in [$2, $3) and not rejected: the
/// minor's daily count for the approval rules.
pub(crate) const COUNT_FOR_OWNER_SINCE: &str = "SELECT COUNT(*) AS n FROM trades t \
     JOIN portfolios p ON t.portfolio_id = p.id \
     WHERE p.user_id = $1 AND t.created_at >= $2 AND t.created_at < $3 AND t.status <> 'REJECTED'";
/// The seed's "Guardian Approval Queue" with what its authorization needs,
/// in the same round trip: the actor's standing (`elson_standing`) on every
/// row, and on each item the guardian's link to that minor (`link_*`
/// columns). An empty queue is one row of NULL item columns.
///
/// `$pending` is where pending trades are read: on PostgreSQL the
/// unpartitioned copy `trades_pending_approval` (migration 14), because
/// looking trades up by portfolio on the monthly-partitioned `trades` opens
/// every partition; on SQLite `trades` itself.
macro_rules! approval_queue {
    ($standing:expr, $pending:literal) => {
        with_standing!(@text $standing, concat!(
            "SELECT ",
            cols!("t."),
            ", p.name AS portfolio_name, u.id AS minor_id, u.first_name, u.last_name, \
             u.pii_kek_id, u.pii_data_key, r.id AS link_id, \
             r.relationship_type AS link_relationship_type, r.created_at AS link_created_at, \
             r.updated_at AS link_updated_at, r.status AS link_status, \
             r.approval_settings AS link_approval_settings, r.permissions AS link_permissions \
             FROM ",
            $pending,
            " t \
             JOIN portfolios p ON t.portfolio_id = p.id \
             JOIN users u ON p.user_id = u.id \
             JOIN relationships r ON u.id = r.minor_id \
             WHERE r.guardian_id = $1 AND t.guardian_approval = 'PENDING'"
        ), "q.created_at, q.id")
    };
}
/// [`approval_queue!`] in each backend's text.
pub(crate) const APPROVAL_QUEUE: WithStanding = WithStanding {
    pg: approval_queue!(standing_pg!(), "trades_pending_approval"),
    sqlite: approval_queue!(standing_sqlite!("2"), "trades"),
};

/// A trade waiting for a guardian, with what the guardian needs to decide
/// (the seed's "Guardian Approval Queue").
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalQueueItem {
    /// The pending trade.
    pub trade: Trade,
    /// Name of the minor's portfolio.
    pub portfolio_name: String,
    /// The minor's first name.
    pub first_name: Option<String>,
    /// The minor's last name.
    pub last_name: Option<String>,
}

/// Repository of `trades`; from [`Store::trades`].
#[derive(Debug, Clone, Copy)]
pub struct Trades<'s> {
    store: &'s Store,
}

pub(crate) fn validate(t: &Trade) -> Result<(), ElsonError> {
    check::text("symbol", &t.symbol, TextLimit::SYMBOL)?;
    check::dec("quantity", t.quantity, DecimalLimit::QUANTITY)?;
    check::positive("quantity", t.quantity)?;
    check::opt_dec("price", t.price, DecimalLimit::MONEY)?;
    check::opt_dec("total_amount", t.total_amount, DecimalLimit::MONEY)?;
    check::opt_dec("fees", t.fees, DecimalLimit::FEES)?;
    check::opt_text("notes", &t.notes, TextLimit::TEXT)?;
    check::opt_dec("confidence_score", t.confidence_score, DecimalLimit::UNIT_FRACTION)?;
    check::opt_dec("position_sizing", t.position_sizing, DecimalLimit::UNIT_FRACTION)?;
    Ok(())
}

pub(crate) fn args(t: &Trade) -> [Arg<'_>; 18] {
    [
        uuid(t.id),
        uuid(t.portfolio_id),
        text(&t.symbol),
        enum_text(t.order_type),
        enum_text(t.side),
        dec("quantity", t.quantity, DecimalLimit::QUANTITY),
        opt_dec("price", t.price, DecimalLimit::MONEY),
        enum_text(t.status),
        ts(t.created_at),
        Arg::Ts(t.executed_at),
        opt_dec("total_amount", t.total_amount, DecimalLimit::MONEY),
        opt_dec("fees", t.fees, DecimalLimit::FEES),
        opt_text(&t.notes),
        opt_enum(t.circuit_breaker_state),
        opt_enum(t.volatility_level),
        enum_text(t.guardian_approval),
        opt_dec("confidence_score", t.confidence_score, DecimalLimit::UNIT_FRACTION),
        opt_dec("position_sizing", t.position_sizing, DecimalLimit::UNIT_FRACTION),
    ]
}

/// Validates and inserts on an open connection (inside a caller's transaction).
pub(crate) async fn insert_in(c: &mut Conn<'_>, t: &Trade) -> StoreResult<()> {
    validate(t)?;
    c.execute("trades.insert", INSERT, &args(t))
        .await
        .map_err(|e| e.refine_fk("portfolio", t.portfolio_id))?;
    Ok(())
}

pub(crate) fn from_row(r: &DbRow) -> StoreResult<Trade> {
    Ok(Trade {
        id: r.uuid("id")?,
        portfolio_id: r.uuid("portfolio_id")?,
        symbol: r.text("symbol")?,
        order_type: r.parse("order_type")?,
        side: r.parse("side")?,
        quantity: r.dec("quantity", DecimalLimit::QUANTITY)?,
        price: r.opt_dec("price", DecimalLimit::MONEY)?,
        status: r.parse("status")?,
        created_at: r.ts("created_at")?,
        executed_at: r.opt_ts("executed_at")?,
        total_amount: r.opt_dec("total_amount", DecimalLimit::MONEY)?,
        fees: r.opt_dec("fees", DecimalLimit::FEES)?,
        notes: r.opt_text("notes")?,
        circuit_breaker_state: r.opt_parse("circuit_breaker_state")?,
        volatility_level: r.opt_parse("volatility_level")?,
        guardian_approval: r.parse("guardian_approval")?,
        confidence_score: r.opt_dec("confidence_score", DecimalLimit::UNIT_FRACTION)?,
        position_sizing: r.opt_dec("position_sizing", DecimalLimit::UNIT_FRACTION)?,
    })
}

/// Authorizes `action` on the trades of portfolio `portfolio_id`; an unknown
/// portfolio is `NotFound`.
async fn authorize_portfolio(
    s: &mut Session,
    op: &'static str,
    action: Action,
    portfolio_id: Uuid,
) -> StoreResult<()> {
    match portfolios::owner_of(s, op, portfolio_id).await? {
        Some(owner_id) => s.authorize(action, Resource::Trade { owner_id }).await.map(|_| ()),
        None => Err(StoreError::not_found("portfolio", portfolio_id)),
    }
}

impl Trades<'_> {
    /// One trade by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Forbidden` when `authorize` refuses.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<Trade> {
        let call = Call::new("trades.get", "get", "trades", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let Some(row) = s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? else {
                return Err(StoreError::not_found("trade", id));
            };
            let t = from_row(&row)?;
            authorize_portfolio(s, call.op, Action::Read, t.portfolio_id).await?;
            Ok(t)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// The seed's "Trade History": one page of a portfolio's trades, newest
    /// first.
    ///
    /// # Errors
    /// `InvalidInput` for a limit outside 1–1000 or a negative offset;
    /// `Forbidden` when `authorize` refuses (an unknown portfolio counts as
    /// someone else's, and has no trades).
    pub async fn history(
        &self,
        actor: &Actor,
        portfolio_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Trade>> {
        let call = Call::new("trades.history", "query", "trades", Some(portfolio_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            check::page(limit, offset)?;
            // One round trip: the page, its portfolio's owner and the
            // actor's standing; nothing leaves before `authorize` agrees.
            let page = [uuid(portfolio_id), Arg::I64(limit), Arg::I64(offset)];
            let rows = s.fetch_with_standing(call.op, HISTORY, &page).await?;
            // An unknown portfolio counts as someone else's.
            let owner_id = rows.first().map(|r| r.uuid("owner_id")).transpose()?.unwrap_or(NOBODY);
            s.authorize(Action::Read, Resource::Trade { owner_id }).await?;
            let mut trades = Vec::with_capacity(rows.len());
            for row in &rows {
                if row.opt_uuid("id")?.is_some() {
                    trades.push(from_row(row)?);
                }
            }
            Ok(trades)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// The seed's "Guardian Approval Queue": every trade with
    /// `guardian_approval = PENDING` on a portfolio of one of the guardian's
    /// minors, oldest first. Authorized as reading the guardian's
    /// relationships, then each item as reading that minor's trades: a
    /// minor whose link is no longer ACTIVE drops out of the queue.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses the actor the guardian's
    /// relationships.
    pub async fn approval_queue(
        self,
        actor: &Actor,
        guardian_id: Uuid,
    ) -> StoreResult<Vec<ApprovalQueueItem>> {
        let call = Call::new("trades.approval_queue", "query", "trades", Some(guardian_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            // One round trip: the queue, the actor's standing and the link
            // each item's check needs; nothing leaves before the checks.
            let rows = s.fetch_with_standing(call.op, APPROVAL_QUEUE, &[uuid(guardian_id)]).await?;
            let links = Resource::Relationship { guardian_id, minor_id: NOBODY };
            s.authorize(Action::Read, links).await?;
            // The guardian's own queue: the item's link is the one of the
            // guardian's links the rule can look at.
            let own = s.actor_id() == guardian_id;
            let pii = self.store.pii();
            let mut items = Vec::with_capacity(rows.len());
            for r in &rows {
                if r.opt_uuid("id")?.is_none() {
                    continue; // the one row of an empty queue
                }
                let minor_id = r.uuid("minor_id")?;
                let ward = Resource::Trade { owner_id: minor_id };
                // Only minors the guardian may still read (an ACTIVE link).
                let may = if own {
                    let link = relationships::link_of_row(r, guardian_id, minor_id)?;
                    s.may_given(Action::Read, ward, &[link]).await?
                } else {
                    s.may(Action::Read, ward).await?
                };
                if !may {
                    continue;
                }
                let mut names = [
                    PiiField { column: "first_name", value: r.opt_text("first_name")? },
                    PiiField { column: "last_name", value: r.opt_text("last_name")? },
                ];
                let key = crate::security::wrapped_key(r, minor_id)?;
                pii.open_row(minor_id, key.as_ref(), &mut names)?;
                let [first_name, last_name] = names.map(|f| f.value);
                items.push(ApprovalQueueItem {
                    trade: from_row(r)?,
                    portfolio_name: r.text("portfolio_name")?,
                    first_name,
                    last_name,
                });
            }
            Ok(items)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}

impl Store {
    /// The `trades` repository.
    pub fn trades(&self) -> Trades<'_> {
        Trades { store: self }
    }
}
