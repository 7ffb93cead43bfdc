//! Quickstart: a family's first trade, end to end.
//!
//! A guardian opens an education portfolio for their minor, deposits cash;
//! the minor places a trade that waits for the guardian; the guardian
//! approves; the trade executes and the portfolio is marked to market.
//!
//! Run with `cargo run --example quickstart`.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use elson_sdk::core::accounting::{Book, Execution, FeeSchedule, Outcome};
use elson_sdk::core::entities::{
    NewPortfolio, NewRelationship, NewTrade, NewUser, Portfolio, Relationship, Trade, User,
};
use elson_sdk::core::enums::{
    AssetType, OrderType, PortfolioType, RelationshipStatus, RelationshipType, TradeSide, UserRole,
};
use elson_sdk::core::families::{self, ApprovalRequest, Permissions};
use elson_sdk::core::notifications::{DomainEvent, TradeSummary, notifications_for};
use rust_decimal_macros::dec;
use uuid::Uuid;

// A real application stores bcrypt hashes made by the store's password module.
const HASH: &str = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5zWJ8f0p1f3hT3q0zT9nN1bqJ2Xb5W.";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 15, 0, 0).single().ok_or("bad time")?;

    // 1. The family: a guardian, a minor, an active relationship.
    let guardian = User::new(
        NewUser {
            first_name: Some("Grace".into()),
            ..NewUser::new("grace@example.com", HASH, UserRole::Guardian)
        },
        None,
        now,
    )?;
    let minor = User::new(
        NewUser {
            first_name: Some("Ada".into()),
            date_of_birth: NaiveDate::from_ymd_opt(2012, 5, 1),
            ..NewUser::new("ada@example.com", HASH, UserRole::Minor)
        },
        None,
        now,
    )?;
    let relationship = Relationship::new(
        NewRelationship {
            status: RelationshipStatus::Active,
            permissions: Permissions { trading: true, ..Permissions::default() },
            ..NewRelationship::new(guardian.id, minor.id, RelationshipType::Parent)
        },
        None,
        now,
    )?;
    let relationships = [relationship];
    println!("family: {} (guardian) → {} (minor)", guardian.email, minor.email);

    // 2. The minor's education portfolio, funded by a deposit.
    let portfolio = Portfolio::new(
        NewPortfolio {
            portfolio_type: PortfolioType::Education,
            guardian_approval: true,
            ..NewPortfolio::standard(minor.id, "College fund")
        },
        Uuid::new_v4(),
        now,
    )?;
    let mut book = Book::new(portfolio)?;
    book.deposit(dec!(1000.00), now)?;
    println!("deposited: cash {}", book.portfolio().cash_balance);

    // 3. The minor places a market order; the approval rules decide.
    let market_price = dec!(250.00);
    let mut trade = Trade::new(
        NewTrade::market(Uuid::now_v7(), book.portfolio().id, "VTI", TradeSide::Buy, dec!(2)),
        now,
    )?;
    let amount =
        families::estimate_amount(OrderType::Market, trade.quantity, None, Some(market_price))?;
    let decision = families::decide(&ApprovalRequest {
        owner: &minor,
        portfolio: book.portfolio(),
        relationships: &relationships,
        order_type: OrderType::Market,
        asset_type: AssetType::Etf,
        amount,
        trades_today: 0,
        today: now.date_naive(),
    })?;
    families::apply_decision(&mut trade, &decision)?;
    println!(
        "trade {} {} {} → approval {}",
        trade.side, trade.quantity, trade.symbol, trade.guardian_approval
    );
    let waiting = DomainEvent::TradeAwaitingApproval {
        trade: TradeSummary::of(&trade, minor.id),
        guardian_ids: vec![guardian.id],
    };
    for n in notifications_for(&waiting, now)? {
        println!("  notify {} [{} {}]: {}", n.user_id, n.notification_type, n.priority, n.title);
    }

    // 4. It cannot execute before the guardian decides.
    let fees = FeeSchedule::default();
    let exec = |at| Execution { market_price, asset_type: AssetType::Etf, fees: &fees, now: at };
    if let Err(e) = book.execute(&mut trade, exec(now)) {
        println!("execute before approval: {e} ({})", e.code());
    }

    // 5. The guardian approves; the trade executes.
    let later = now + Duration::minutes(5);
    let approval =
        families::approve(&mut trade, book.portfolio(), &guardian, &relationships, later)?;
    for n in notifications_for(&DomainEvent::approval_decided(&trade, &approval), later)? {
        println!("  notify {} [{}]: {}", n.user_id, n.notification_type, n.title);
    }
    if let Outcome::Executed(fill) = book.execute(&mut trade, exec(later))? {
        println!(
            "executed: {} @ {} notional {} fees {} total {}",
            fill.quantity, fill.price, fill.notional, fill.fees, fill.total_amount
        );
    }

    // 6. The market moves; the portfolio is marked to market.
    book.mark_to_market("VTI", dec!(255.10), later + Duration::hours(1))?;
    let p = book.portfolio();
    println!("portfolio '{}': cash {} total {}", p.name, p.cash_balance, p.total_value);
    for pos in book.positions() {
        println!(
            "  {} {} avg {} now {} value {} P/L {} ({}%)",
            pos.symbol,
            pos.quantity,
            pos.average_price,
            pos.current_price,
            pos.current_value,
            pos.gain_loss,
            pos.gain_loss_percent
        );
    }
    Ok(())
}
