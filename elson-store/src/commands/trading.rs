//! Atomic trading operations: deposit, place, guardian decision, execute,
//! cancel, mark to market.
//!
//! Each is ONE transaction covering the trade row, positions, cash, total
//! value and the notifications it causes: they commit together or not at
//! all. Every rule is the core's — approval ([`elson_core::families`]),
//! fills, fees, average price and valuation ([`elson_core::accounting::Book`]),
//! the trade state machine, and the notification texts
//! ([`elson_core::notifications`]); the store loads rows, asks the core, and
//! writes back what the core returned.
//!
//! Concurrency: on PostgreSQL every operation first locks the portfolio row
//! (`SELECT … FOR UPDATE`), so writers of one portfolio queue behind each
//! other and can never both spend the same cash; on SQLite every write
//! transaction is `BEGIN IMMEDIATE`, which serializes writers on the
//! database lock (busy waits are retried with bounded backoff).

use chrono::{DateTime, Duration, Utc};
use elson_core::ElsonError;
use elson_core::accounting::{Book, Execution, Outcome, check_market_price};
use elson_core::entities::{
    NewTrade, Notification, Portfolio, Position, Relationship, Trade, User,
};
use elson_core::enums::{AssetType, GuardianApproval, TradeStatus, UserRole};
use elson_core::families::{
    ApprovalDecision, ApprovalRequest, Verdict, active_guardian_ids, apply_decision,
    check_price_source, decide, decide_trade, estimate_amount, execution_price,
};
use elson_core::notifications::{DomainEvent, TradeSummary, notifications_for};
use rust_decimal::Decimal;
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use super::Caller;
use crate::access::{AUDIT_INSERT, AuditRow, Call, Session, write_audit};
use crate::actor::Actor;
use crate::combined::Combined;
use crate::db::{Conn, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::repo::{notifications, portfolios, positions, relationships, trades, users};
use crate::store::Store;

/// A new order: the core's [`NewTrade`] plus the market facts the approval
/// rules need.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrderRequest {
    /// The order (id, portfolio, symbol, side, quantity, limit price, …).
    pub trade: NewTrade,
    /// Asset type of the symbol: checked against a minor's allowed types and
    /// given to a position a buy opens.
    pub asset_type: AssetType,
    /// Current market price; required for MARKET orders (the approval
    /// amount is estimated from it), ignored for LIMIT orders.
    pub market_price: Option<Decimal>,
}

/// The market facts of an execution. The fees are not among them: they are
/// the platform's ([`crate::StoreOptions::fees`]), never the caller's.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fill {
    /// The market price the order fills at: the price feed's. Only the
    /// system actor executes (`elson_core::families::execution_price`);
    /// `None`: a LIMIT order fills at its own limit price.
    pub market_price: Option<Decimal>,
    /// Asset type of a position a buy opens.
    pub asset_type: AssetType,
}

impl Fill {
    /// A fill at the market price `price` (the system actor's).
    pub fn at(price: Decimal, asset_type: AssetType) -> Fill {
        Fill { market_price: Some(price), asset_type }
    }

    /// A LIMIT order filled at its own limit price (by the system actor).
    pub fn at_limit(asset_type: AssetType) -> Fill {
        Fill { market_price: None, asset_type }
    }
}

/// What a trading operation wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TradeResult {
    /// The trade row as committed.
    pub trade: Trade,
    /// The portfolio row as committed (unchanged by place/decide/cancel).
    pub portfolio: Portfolio,
    /// For an execution: what the core's book did (`StillPending` for a
    /// LIMIT order the market has not reached — nothing was written).
    pub outcome: Option<Outcome>,
    /// Notifications written in the same transaction.
    pub notifications: Vec<Notification>,
}

/// Which way cash moves ([`Store::deposit`], [`Store::withdraw`]).
#[derive(Debug, Clone, Copy)]
enum CashMove {
    Deposit,
    Withdraw,
}

/// A locked portfolio with what trading on it needs.
struct Account {
    owner: User,
    links: Vec<Relationship>,
    /// The positions as stored, to compute what to write back.
    before: Vec<Position>,
    book: Book,
}

impl Account {
    /// What placing a trade tells people: the guardians of a minor's
    /// PENDING trade, or the owner (and guardians) of a trade rejected at
    /// creation.
    fn placement_events(&self, trade: &Trade, decision: &ApprovalDecision) -> Vec<DomainEvent> {
        let guardian_ids = active_guardian_ids(self.owner.id, &self.links);
        match decision {
            ApprovalDecision::Pending => vec![DomainEvent::TradeAwaitingApproval {
                trade: TradeSummary::of(trade, self.owner.id),
                guardian_ids,
            }],
            ApprovalDecision::Rejected { .. } => {
                final_event(trade, self.owner.id, guardian_ids).into_iter().collect()
            }
            _ => Vec::new(),
        }
    }
}

const OP_PLACE: &str = "trading.place";
const OP_EXECUTE: &str = "trading.execute";
const OP_DECIDE: &str = "trading.decide";
const OP_CANCEL: &str = "trading.cancel";
const OP_DEPOSIT: &str = "trading.deposit";
const OP_MARK: &str = "trading.mark_to_market";
const OP_WITHDRAW: &str = "trading.withdraw";

/// Locks and reads a portfolio inside the session's transaction. The same
/// statement brings back the actor's standing (the `elson_standing` column,
/// see `Session::offer_standing`), so a trading call spends no round trip
/// on it.
async fn lock_portfolio(s: &mut Session, op: &'static str, id: Uuid) -> StoreResult<Portfolio> {
    let rows = s.fetch_with_standing(op, portfolios::LOCK_WITH_STANDING, &[uuid(id)]).await?;
    match rows.first() {
        Some(row) => portfolios::from_row(row),
        None => Err(StoreError::not_found("portfolio", id)),
    }
}

async fn load_trade(c: &mut Conn<'_>, op: &'static str, id: Uuid) -> StoreResult<Trade> {
    match c.fetch_optional(op, trades::GET, &[uuid(id)]).await? {
        Some(row) => trades::from_row(&row),
        None => Err(StoreError::not_found("trade", id)),
    }
}

async fn load_positions(
    c: &mut Conn<'_>,
    op: &'static str,
    portfolio_id: Uuid,
) -> StoreResult<Vec<Position>> {
    let rows = c.fetch_all(op, positions::BY_PORTFOLIO, &[uuid(portfolio_id)]).await?;
    rows.iter().map(positions::from_row).collect()
}

/// A user's row by id (PII opened), on the call's connection.
pub(crate) async fn load_user(
    store: &Store,
    c: &mut Conn<'_>,
    op: &'static str,
    id: Uuid,
) -> StoreResult<User> {
    match c.fetch_optional(op, users::GET, &[uuid(id)]).await? {
        Some(row) => store.users().row_to_user(&row),
        None => Err(StoreError::not_found("user", id)),
    }
}

async fn load_minor_links(
    c: &mut Conn<'_>,
    op: &'static str,
    minor_id: Uuid,
) -> StoreResult<Vec<Relationship>> {
    let rows = c.fetch_all(op, relationships::BY_MINOR, &[uuid(minor_id)]).await?;
    rows.iter().map(relationships::from_row).collect()
}

/// The active guardians to copy on a minor's trade notifications.
async fn guardians_to_notify(
    store: &Store,
    c: &mut Conn<'_>,
    op: &'static str,
    owner_id: Uuid,
) -> StoreResult<Vec<Uuid>> {
    let owner = load_user(store, c, op, owner_id).await?;
    if owner.role != UserRole::Minor {
        return Ok(Vec::new());
    }
    let links = load_minor_links(c, op, owner_id).await?;
    Ok(active_guardian_ids(owner_id, &links))
}

fn notifications_of(events: &[DomainEvent], now: DateTime<Utc>) -> StoreResult<Vec<Notification>> {
    let mut all = Vec::new();
    for event in events {
        all.extend(notifications_for(event, now)?);
    }
    Ok(all)
}

/// Rows a trading step produced, written by the caller: right away for a
/// single operation, as multi-row statements for a batch.
#[derive(Debug, Default)]
struct Outbox {
    trades: Vec<Trade>,
    notifications: Vec<Notification>,
}

impl Outbox {
    async fn flush(&mut self, c: &mut Conn<'_>, op: &'static str) -> StoreResult<()> {
        for t in &self.trades {
            trades::validate(t)?;
        }
        for n in &self.notifications {
            notifications::validate(n)?;
        }
        let rows: Vec<_> = self.trades.iter().map(trades::args).collect();
        c.insert_rows(op, trades::INSERT_PREFIX, &rows).await?;
        let rows: Vec<_> = self.notifications.iter().map(notifications::args).collect();
        c.insert_rows(op, notifications::INSERT_PREFIX, &rows).await?;
        self.trades.clear();
        self.notifications.clear();
        Ok(())
    }
}

async fn write_notifications(
    c: &mut Conn<'_>,
    events: &[DomainEvent],
    now: DateTime<Utc>,
) -> StoreResult<Vec<Notification>> {
    let mut written = Vec::new();
    for event in events {
        for n in notifications_for(event, now)? {
            notifications::insert_in(c, &n).await?;
            written.push(n);
        }
    }
    Ok(written)
}

/// Writes a book back: the portfolio row, and each position inserted,
/// updated or deleted to match.
async fn write_book(
    c: &mut Conn<'_>,
    op: &'static str,
    before: &[Position],
    book: &Book,
) -> StoreResult<()> {
    let p = book.portfolio();
    portfolios::validate(p)?;
    c.execute(op, portfolios::UPDATE, &portfolios::args(p)).await?;
    // Deletes first: a symbol closed and reopened in one batch comes back
    // under a new id, and (portfolio_id, symbol) is unique.
    for b in before {
        if !book.positions().iter().any(|a| a.id == b.id) {
            c.execute(op, positions::DELETE, &[uuid(b.id)]).await?;
        }
    }
    for after in book.positions() {
        match before.iter().find(|b| b.id == after.id) {
            Some(b) if b == after => {}
            Some(_) => {
                positions::validate(after)?;
                c.execute(op, positions::UPDATE, &positions::args(after)).await?;
            }
            None => positions::insert_in(c, after).await?,
        }
    }
    Ok(())
}

/// pgscale: [`Outbox::flush`] and [`write_book`] in ONE round trip on
/// PostgreSQL ([`Combined`]): the same rows, checks and statements. When a
/// position is deleted (a symbol closed) the two run as before, so a
/// reopened symbol never meets its old row inside one statement.
/// The call's audit rows travel in the same statement.
async fn write_all(
    c: &mut Conn<'_>,
    op: &'static str,
    out: &mut Outbox,
    before: &[Position],
    book: &Book,
    audit: &[AuditRow<'_>],
) -> StoreResult<()> {
    if before.iter().any(|b| !book.positions().iter().any(|a| a.id == b.id)) {
        out.flush(c, op).await?;
        write_book(c, op, before, book).await?;
        return write_audit(c, op, audit).await;
    }
    let p = book.portfolio();
    portfolios::validate(p)?;
    let mut w = Combined::default();
    for t in &out.trades {
        trades::validate(t)?;
        w.push(trades::INSERT, trades::args(t).to_vec());
    }
    for n in &out.notifications {
        notifications::validate(n)?;
        w.push(notifications::INSERT, notifications::args(n).to_vec());
    }
    for after in book.positions() {
        let sql = match before.iter().find(|b| b.id == after.id) {
            Some(b) if b == after => continue,
            Some(_) => positions::UPDATE,
            None => positions::INSERT,
        };
        positions::validate(after)?;
        w.push(sql, positions::args(after).to_vec());
    }
    w.push(portfolios::UPDATE, portfolios::args(p).to_vec());
    for row in audit {
        w.push(AUDIT_INSERT, row.args().to_vec());
    }
    w.run(c, op).await?;
    out.trades.clear();
    out.notifications.clear();
    Ok(())
}

async fn update_trade(c: &mut Conn<'_>, op: &'static str, t: &Trade) -> StoreResult<()> {
    trades::validate(t)?;
    c.execute(op, trades::UPDATE, &trades::args(t)).await?;
    Ok(())
}

/// The price `trade` fills at when `actor` executes it with `fill`: the
/// core's rule ([`execution_price`]): only the system gives a market price.
fn s_execution_price(actor: &Actor, trade: &Trade, fill: &Fill) -> StoreResult<Decimal> {
    Ok(execution_price(actor, trade.order_type, trade.price, fill.market_price)?)
}

/// A trade's owner-side events after it executed, was cancelled or rejected.
fn final_event(trade: &Trade, owner_id: Uuid, guardian_ids: Vec<Uuid>) -> Option<DomainEvent> {
    let summary = TradeSummary::of(trade, owner_id);
    match trade.status {
        TradeStatus::Executed => Some(DomainEvent::TradeExecuted { trade: summary, guardian_ids }),
        TradeStatus::Cancelled => {
            Some(DomainEvent::TradeCancelled { trade: summary, guardian_ids })
        }
        TradeStatus::Rejected => Some(DomainEvent::TradeRejected {
            trade: summary,
            guardian_ids,
            reason: trade.notes.clone().unwrap_or_default(),
        }),
        TradeStatus::Pending => None,
    }
}

impl Store {
    /// Places an order: the core decides whether it needs a guardian
    /// (`families::decide`), the trade row is written PENDING (or REJECTED at
    /// creation, with the reason in `notes`), and the guardians or the owner
    /// are notified — one transaction.
    ///
    /// # Errors
    /// `NotFound` for an unknown portfolio; `InvalidInput` for a malformed
    /// order (the core's `Trade::new` and `estimate_amount`); a minor without
    /// a guardian relationship is refused by the core; `Conflict` for a
    /// reused trade id.
    pub async fn place_trade(
        &self,
        by: impl Into<Caller>,
        order: OrderRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<TradeResult> {
        let caller = by.into();
        let call = Call::new(OP_PLACE, "place", "trades", Some(order.trade.id));
        let digest = caller.digest(&order);
        self.command(&caller, &call, digest, async |s: &mut Session| {
            self.place_in(s, order, now).await
        })
        .await
    }

    /// Locks a portfolio, authorizes `action` on its trades, and loads what
    /// trading on it needs: the owner, a minor's relationships, the
    /// positions, and the core's [`Book`].
    async fn load_account(
        &self,
        s: &mut Session,
        op: &'static str,
        portfolio_id: Uuid,
        action: Action,
    ) -> StoreResult<Account> {
        let (portfolio, owner) = self.lock_with_owner(s, op, portfolio_id).await?;
        s.authorize(action, Resource::Trade { owner_id: portfolio.user_id }).await?;
        let c = &mut s.conn();
        let links = if owner.role == UserRole::Minor {
            load_minor_links(c, op, owner.id).await?
        } else {
            Vec::new()
        };
        let before = load_positions(c, op, portfolio_id).await?;
        let book = Book::from_rows(portfolio, before.clone())?;
        Ok(Account { owner, links, before, book })
    }

    /// Locks a portfolio and reads its owner and the actor's standing in one
    /// statement (the positions follow in their own, see
    /// `users::PORTFOLIO_WITH_OWNER_FOR_UPDATE`).
    async fn lock_with_owner(
        &self,
        s: &mut Session,
        op: &'static str,
        portfolio_id: Uuid,
    ) -> StoreResult<(Portfolio, User)> {
        let sql = users::PORTFOLIO_WITH_OWNER;
        let rows = s.fetch_with_standing(op, sql, &[uuid(portfolio_id)]).await?;
        let Some(row) = rows.first() else {
            // No portfolio, or (row-level security) one whose owner the
            // actor may not see: which of the two is the lock's answer.
            let portfolio = lock_portfolio(s, op, portfolio_id).await?;
            let owner = load_user(self, &mut s.conn(), op, portfolio.user_id).await?;
            return Ok((portfolio, owner));
        };
        Ok((portfolios::from_owner_row(row)?, self.users().row_to_user(row)?))
    }

    /// Builds the trade and applies the core's approval decision (a minor's
    /// trades today are counted in the open transaction, so orders earlier
    /// in the same batch count). Writes nothing.
    async fn decide_order(
        &self,
        c: &mut Conn<'_>,
        op: &'static str,
        acct: &Account,
        order: OrderRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<(Trade, ApprovalDecision)> {
        let trades_today = if acct.owner.role == UserRole::Minor {
            let day_start = now.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
            let args = [uuid(acct.owner.id), ts(day_start), ts(day_start + Duration::days(1))];
            let n = match c.fetch_optional(op, trades::COUNT_FOR_OWNER_SINCE, &args).await? {
                Some(row) => row.i64("n")?,
                None => 0,
            };
            u32::try_from(n).unwrap_or(u32::MAX)
        } else {
            0
        };
        let amount = estimate_amount(
            order.trade.order_type,
            order.trade.quantity,
            order.trade.limit_price,
            order.market_price,
        )?;
        let decision = decide(&ApprovalRequest {
            owner: &acct.owner,
            portfolio: acct.book.portfolio(),
            relationships: &acct.links,
            order_type: order.trade.order_type,
            asset_type: order.asset_type,
            amount,
            trades_today,
            today: now.date_naive(),
        })?;
        let mut trade = Trade::new(order.trade, now)?;
        apply_decision(&mut trade, &decision)?;
        Ok((trade, decision))
    }

    async fn place_in(
        &self,
        s: &mut Session,
        order: OrderRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<TradeResult> {
        let acct = self.load_account(s, OP_PLACE, order.trade.portfolio_id, Action::Create).await?;
        s.touch(&[acct.book.portfolio().id]);
        let c = &mut s.conn();
        let (trade, decision) = self.decide_order(c, OP_PLACE, &acct, order, now).await?;
        // After this point only the database can refuse.
        trades::insert_in(c, &trade).await?;
        let notifications =
            write_notifications(c, &acct.placement_events(&trade, &decision), now).await?;
        Ok(TradeResult {
            trade,
            portfolio: acct.book.portfolio().clone(),
            outcome: None,
            notifications,
        })
    }

    /// Executes a PENDING trade at `fill.market_price` through the core's
    /// [`Book`]: cash, position, total value and the trade's fill columns are
    /// written with the owner's (and a minor's guardians') notifications in
    /// one transaction. A LIMIT order the price does not reach stays PENDING
    /// and nothing is written (`outcome` = `StillPending`).
    ///
    /// # Errors
    /// `NotFound` for an unknown trade; the core's `ApprovalRequired`,
    /// `InsufficientFunds`, `InsufficientQuantity`, `InvalidTransition`,
    /// `InvalidInput` — with nothing written.
    pub async fn execute_trade(
        &self,
        by: impl Into<Caller>,
        trade_id: Uuid,
        fill: &Fill,
        now: DateTime<Utc>,
    ) -> StoreResult<TradeResult> {
        let caller = by.into();
        let actor = &caller.actor;
        let call = Call::new(OP_EXECUTE, "execute", "trades", Some(trade_id));
        let digest = caller.digest(&(trade_id, fill));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            self.execute_in(s, actor, trade_id, fill, now).await
        })
        .await
    }

    async fn execute_in(
        &self,
        s: &mut Session,
        actor: &Actor,
        trade_id: Uuid,
        fill: &Fill,
        now: DateTime<Utc>,
    ) -> StoreResult<TradeResult> {
        let portfolio_id = load_trade(&mut s.conn(), OP_EXECUTE, trade_id).await?.portfolio_id;
        let portfolio = lock_portfolio(s, OP_EXECUTE, portfolio_id).await?;
        // Executing is the trade's next step: authorized like cancelling it.
        s.authorize(Action::Update, Resource::Trade { owner_id: portfolio.user_id }).await?;
        s.touch(&[portfolio_id]);
        let c = &mut s.conn();
        // Re-read under the lock: every change of a trade locks its portfolio first.
        let mut trade = load_trade(c, OP_EXECUTE, trade_id).await?;
        let before = load_positions(c, OP_EXECUTE, portfolio_id).await?;
        let mut book = Book::from_rows(portfolio, before.clone())?;
        let market_price = s_execution_price(actor, &trade, fill)?;
        let exec = Execution {
            market_price,
            asset_type: fill.asset_type,
            fees: &self.options().fees,
            now,
        };
        let outcome = book.execute(&mut trade, exec)?;
        if outcome == Outcome::StillPending {
            return Ok(TradeResult {
                trade,
                portfolio: book.portfolio().clone(),
                outcome: Some(outcome),
                notifications: Vec::new(),
            });
        }
        write_book(c, OP_EXECUTE, &before, &book).await?;
        update_trade(c, OP_EXECUTE, &trade).await?;
        let owner_id = book.portfolio().user_id;
        let guardian_ids = guardians_to_notify(self, c, OP_EXECUTE, owner_id).await?;
        let events: Vec<DomainEvent> =
            final_event(&trade, owner_id, guardian_ids).into_iter().collect();
        let notifications = write_notifications(c, &events, now).await?;
        Ok(TradeResult {
            trade,
            portfolio: book.portfolio().clone(),
            outcome: Some(outcome),
            notifications,
        })
    }

    /// Places a MARKET (or LIMIT) order and executes it at once, in ONE
    /// transaction: the unit of work of a self-directed trade.
    ///
    /// # Errors
    /// As [`Store::place_trade`] and [`Store::execute_trade`]; a trade that
    /// needs a guardian's approval is `ApprovalRequired` and nothing is
    /// written.
    pub async fn place_and_execute(
        &self,
        by: impl Into<Caller>,
        order: OrderRequest,
        fill: &Fill,
        now: DateTime<Utc>,
    ) -> StoreResult<TradeResult> {
        let caller = by.into();
        let actor = &caller.actor;
        let call = Call::new(OP_EXECUTE, "place_execute", "trades", Some(order.trade.id));
        let digest = caller.digest(&(&order, fill));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let pid = order.trade.portfolio_id;
            let mut acct = self.load_account(s, OP_EXECUTE, pid, Action::Create).await?;
            let mut out = Outbox::default();
            let result = self
                .place_execute_on(actor, &mut s.conn(), &mut acct, order, fill, now, &mut out)
                .await?;
            let audit = s.take_write_audit(actor, &call);
            write_all(&mut s.conn(), OP_EXECUTE, &mut out, &acct.before, &acct.book, &audit)
                .await?;
            s.touch(&[acct.book.portfolio().id]);
            Ok(result)
        })
        .await
    }

    /// Places and executes one order on a loaded account: the trade row is
    /// written once, already filled, with its notifications; the book is
    /// updated in memory and written back by the caller ([`write_book`]).
    #[allow(clippy::too_many_arguments)]
    async fn place_execute_on(
        &self,
        actor: &Actor,
        c: &mut Conn<'_>,
        acct: &mut Account,
        order: OrderRequest,
        fill: &Fill,
        now: DateTime<Utc>,
        out: &mut Outbox,
    ) -> StoreResult<TradeResult> {
        if acct.owner.role == UserRole::Minor {
            // A minor's daily count must see the trades queued before this one.
            out.flush(c, OP_EXECUTE).await?;
        }
        let (mut trade, decision) = self.decide_order(c, OP_EXECUTE, acct, order, now).await?;
        if trade.status != TradeStatus::Pending {
            // Rejected at creation: recorded and reported, nothing to execute.
            let notifications = notifications_of(&acct.placement_events(&trade, &decision), now)?;
            out.trades.push(trade.clone());
            out.notifications.extend(notifications.iter().cloned());
            let portfolio = acct.book.portfolio().clone();
            return Ok(TradeResult { trade, portfolio, outcome: None, notifications });
        }
        if trade.guardian_approval == GuardianApproval::Pending {
            return Err(ElsonError::ApprovalRequired { trade_id: trade.id }.into());
        }
        let exec = Execution {
            market_price: s_execution_price(actor, &trade, fill)?,
            asset_type: fill.asset_type,
            fees: &self.options().fees,
            now,
        };
        let outcome = acct.book.execute(&mut trade, exec)?;
        out.trades.push(trade.clone());
        let portfolio = acct.book.portfolio().clone();
        if outcome == Outcome::StillPending {
            return Ok(TradeResult {
                trade,
                portfolio,
                outcome: Some(outcome),
                notifications: Vec::new(),
            });
        }
        let guardian_ids = if acct.owner.role == UserRole::Minor {
            active_guardian_ids(acct.owner.id, &acct.links)
        } else {
            Vec::new()
        };
        let events: Vec<DomainEvent> =
            final_event(&trade, acct.owner.id, guardian_ids).into_iter().collect();
        let notifications = notifications_of(&events, now)?;
        out.notifications.extend(notifications.iter().cloned());
        Ok(TradeResult { trade, portfolio, outcome: Some(outcome), notifications })
    }

    /// The batching API: places and executes many orders in ONE transaction
    /// (one commit, one fsync), in order. All or nothing: the first refused
    /// order rolls the whole batch back and its error is returned.
    ///
    /// # Errors
    /// As [`Store::place_and_execute`], for the first order that fails.
    pub async fn place_and_execute_batch(
        &self,
        by: impl Into<Caller>,
        orders: Vec<(OrderRequest, Fill)>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<TradeResult>> {
        let caller = by.into();
        let actor = &caller.actor;
        let call = Call::new(OP_EXECUTE, "place_execute_batch", "trades", None);
        let digest = caller.digest(&orders);
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let mut results = Vec::with_capacity(orders.len());
            // Each portfolio is locked and loaded once; its book stays in
            // memory for the whole batch and is written back once.
            let mut accounts: Vec<Account> = Vec::new();
            let mut out = Outbox::default();
            for (order, fill) in orders {
                let pid = order.trade.portfolio_id;
                let index = match accounts.iter().position(|a| a.book.portfolio().id == pid) {
                    Some(i) => i,
                    None => {
                        accounts.push(self.load_account(s, OP_EXECUTE, pid, Action::Create).await?);
                        accounts.len() - 1
                    }
                };
                let acct = &mut accounts[index];
                let c = &mut s.conn();
                results.push(
                    self.place_execute_on(actor, c, acct, order, &fill, now, &mut out).await?,
                );
            }
            let c = &mut s.conn();
            out.flush(c, OP_EXECUTE).await?;
            for acct in &accounts {
                write_book(c, OP_EXECUTE, &acct.before, &acct.book).await?;
            }
            let ids: Vec<Uuid> = accounts.iter().map(|a| a.book.portfolio().id).collect();
            s.touch(&ids);
            // One audit row per trade written.
            s.audit_rows(results.iter().map(|r: &TradeResult| r.trade.id));
            Ok(results)
        })
        .await
    }

    /// A guardian approves or rejects a minor's PENDING trade
    /// (`families::decide_trade`: only an ACTIVE guardian of the owner may,
    /// and the first decision wins); the trade and the notifications commit
    /// together.
    ///
    /// # Errors
    /// `NotFound` for an unknown trade or acting user; the core's
    /// `Forbidden`, `InvalidTransition`, `InvalidInput` (blank reason).
    pub async fn decide_trade(
        &self,
        by: impl Into<Caller>,
        trade_id: Uuid,
        verdict: Verdict,
        now: DateTime<Utc>,
    ) -> StoreResult<TradeResult> {
        let caller = by.into();
        let actor = &caller.actor;
        let call = Call::new(OP_DECIDE, "decide", "trades", Some(trade_id));
        let digest = caller.digest(&(trade_id, &verdict));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let portfolio_id = load_trade(&mut s.conn(), OP_DECIDE, trade_id).await?.portfolio_id;
            let portfolio = lock_portfolio(s, OP_DECIDE, portfolio_id).await?;
            s.authorize(Action::Approve, Resource::Trade { owner_id: portfolio.user_id }).await?;
            let c = &mut s.conn();
            let mut trade = load_trade(c, OP_DECIDE, trade_id).await?;
            let guardian = load_user(self, c, OP_DECIDE, actor.id).await?;
            let links = load_minor_links(c, OP_DECIDE, portfolio.user_id).await?;
            let decision = decide_trade(&mut trade, &portfolio, &guardian, &links, verdict, now)?;
            update_trade(c, OP_DECIDE, &trade).await?;
            let mut events = vec![DomainEvent::approval_decided(&trade, &decision)];
            if trade.status == TradeStatus::Rejected {
                let guardian_ids = active_guardian_ids(portfolio.user_id, &links);
                events.extend(final_event(&trade, portfolio.user_id, guardian_ids));
            }
            let notifications = write_notifications(c, &events, now).await?;
            s.touch(&[portfolio.id]);
            Ok(TradeResult { trade, portfolio, outcome: None, notifications })
        })
        .await
    }

    /// Cancels a PENDING trade (the core's `Trade::cancel`) and notifies the
    /// owner and a minor's guardians, in one transaction.
    ///
    /// # Errors
    /// `NotFound` for an unknown trade; `InvalidTransition` when the trade is
    /// not PENDING.
    pub async fn cancel_trade(
        &self,
        by: impl Into<Caller>,
        trade_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<TradeResult> {
        let caller = by.into();
        let call = Call::new(OP_CANCEL, "cancel", "trades", Some(trade_id));
        let digest = caller.digest(&trade_id);
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let portfolio_id = load_trade(&mut s.conn(), OP_CANCEL, trade_id).await?.portfolio_id;
            let portfolio = lock_portfolio(s, OP_CANCEL, portfolio_id).await?;
            s.authorize(Action::Update, Resource::Trade { owner_id: portfolio.user_id }).await?;
            let c = &mut s.conn();
            let mut trade = load_trade(c, OP_CANCEL, trade_id).await?;
            trade.cancel()?;
            update_trade(c, OP_CANCEL, &trade).await?;
            let guardian_ids = guardians_to_notify(self, c, OP_CANCEL, portfolio.user_id).await?;
            let events: Vec<DomainEvent> =
                final_event(&trade, portfolio.user_id, guardian_ids).into_iter().collect();
            let notifications = write_notifications(c, &events, now).await?;
            s.touch(&[portfolio.id]);
            Ok(TradeResult { trade, portfolio, outcome: None, notifications })
        })
        .await
    }

    /// Adds cash to a portfolio (the core's `Book::deposit`).
    ///
    /// # Errors
    /// `NotFound` for an unknown portfolio; `InvalidInput` for an amount that
    /// is not positive money or a balance that would overflow.
    pub async fn deposit(
        &self,
        by: impl Into<Caller>,
        portfolio_id: Uuid,
        amount: Decimal,
        now: DateTime<Utc>,
    ) -> StoreResult<Portfolio> {
        self.move_cash(by.into(), CashMove::Deposit, portfolio_id, amount, now).await
    }

    /// Takes cash out of a portfolio (the core's `Book::withdraw`): the
    /// owner, or a minor whose every active guardian granted `withdrawals`.
    ///
    /// # Errors
    /// `NotFound` for an unknown portfolio; `Forbidden` when `authorize`
    /// refuses; `InsufficientFunds`; `InvalidInput` for an amount that is not
    /// positive money.
    pub async fn withdraw(
        &self,
        by: impl Into<Caller>,
        portfolio_id: Uuid,
        amount: Decimal,
        now: DateTime<Utc>,
    ) -> StoreResult<Portfolio> {
        self.move_cash(by.into(), CashMove::Withdraw, portfolio_id, amount, now).await
    }

    /// A deposit or a withdrawal: one transaction on the locked portfolio,
    /// authorized as that action, decided by the core's book.
    async fn move_cash(
        &self,
        caller: Caller,
        kind: CashMove,
        portfolio_id: Uuid,
        amount: Decimal,
        now: DateTime<Utc>,
    ) -> StoreResult<Portfolio> {
        let (op, action) = match kind {
            CashMove::Deposit => (OP_DEPOSIT, Action::Deposit),
            CashMove::Withdraw => (OP_WITHDRAW, Action::Withdraw),
        };
        let verb = op.trim_start_matches("trading.");
        let call = Call::new(op, verb, "portfolios", Some(portfolio_id));
        let digest = caller.digest(&(portfolio_id, amount));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let portfolio = lock_portfolio(s, op, portfolio_id).await?;
            s.authorize(action, Resource::Portfolio { owner_id: portfolio.user_id }).await?;
            let c = &mut s.conn();
            let before = load_positions(c, op, portfolio_id).await?;
            let mut book = Book::from_rows(portfolio, before.clone())?;
            match kind {
                CashMove::Deposit => book.deposit(amount, now)?,
                CashMove::Withdraw => book.withdraw(amount, now)?,
            }
            write_book(c, op, &before, &book).await?;
            s.touch(&[portfolio_id]);
            Ok(book.portfolio().clone())
        })
        .await
    }

    /// Revalues held symbols at new prices (the core's
    /// `Book::mark_to_market`); symbols the portfolio does not hold are
    /// ignored, but every price given is checked. Positions and total value
    /// commit together. Prices are the price feed's: only the system actor
    /// marks (`elson_core::families::check_price_source`).
    ///
    /// # Errors
    /// `NotFound` for an unknown portfolio; `Forbidden` for any actor but the
    /// system; `InvalidInput` for a price that is not positive money.
    pub async fn mark_to_market(
        &self,
        by: impl Into<Caller>,
        portfolio_id: Uuid,
        prices: &[(&str, Decimal)],
        now: DateTime<Utc>,
    ) -> StoreResult<(Portfolio, Vec<Position>)> {
        let caller = by.into();
        let actor = &caller.actor;
        let call = Call::new(OP_MARK, "mark_to_market", "portfolios", Some(portfolio_id));
        let digest = caller.digest(&(portfolio_id, prices));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            for (_, price) in prices {
                check_market_price("price", *price)?;
            }
            let portfolio = lock_portfolio(s, OP_MARK, portfolio_id).await?;
            s.authorize(Action::Update, Resource::Portfolio { owner_id: portfolio.user_id })
                .await?;
            check_price_source(actor)?;
            let c = &mut s.conn();
            let before = load_positions(c, OP_MARK, portfolio_id).await?;
            let mut book = Book::from_rows(portfolio, before.clone())?;
            for (symbol, price) in prices {
                if book.position(symbol).is_some() {
                    book.mark_to_market(symbol, *price, now)?;
                }
            }
            write_book(c, OP_MARK, &before, &book).await?;
            s.touch(&[portfolio_id]);
            Ok(book.into_rows())
        })
        .await
    }
}
