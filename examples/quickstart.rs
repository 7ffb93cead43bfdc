//! Quickstart: a family's first trade, end to end.
//!
//! A guardian opens an education portfolio for their minor, deposits cash;
//! the minor places a trade that waits for the guardian; the guardian
//! approves; the trade executes and the portfolio is marked to market.
//!
//! Then the trading engine on a bundled synthetic price series: the regime
//! timeline, the circuit-breaker transitions and a backtest summary.
//!
//! Finally the same family is persisted to an SQLite file in the working
//! directory (`elson-quickstart.db`) through `elson-store`, which runs every
//! step as one transaction deciding by the same core rules; the file is then
//! reopened to show nothing was lost.
//!
//! Run with `cargo run --example quickstart`.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use elson_sdk::core::accounting::{Book, Execution, FeeSchedule, Outcome};
use elson_sdk::core::backtest::{BacktestConfig, RegimeMomentum};
use elson_sdk::core::entities::{
    NewPortfolio, NewRelationship, NewTrade, NewUser, Portfolio, Relationship, Trade, User,
};
use elson_sdk::core::enums::{
    AssetType, OrderType, PortfolioType, RelationshipStatus, RelationshipType, TradeSide, UserRole,
};
use elson_sdk::core::families::{self, ApprovalRequest, Permissions};
use elson_sdk::core::families::{Actor, Verdict};
use elson_sdk::core::notifications::{DomainEvent, TradeSummary, notifications_for};
use elson_sdk::core::volatility::Bar;
use elson_sdk::store::{Fill, NewAccount, NewLink, OrderRequest, Store, system_actor};
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

    // 7. The trading engine on a bundled price series.
    engine_tour()?;

    // 8. Durable: the same story in an SQLite file, then reopened.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(persist_tour(&guardian, &minor, &relationships[0]))?;
    Ok(())
}

async fn persist_tour(
    guardian: &User,
    minor: &User,
    relationship: &Relationship,
) -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::current_dir()?.join("elson-quickstart.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let url = format!("sqlite://{}", path.display());
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 16, 0, 0).single().ok_or("bad time")?;
    let portfolio_id = {
        let store = Store::open(&url).await?;
        // The platform (the system actor) creates the accounts: every row
        // through a command the core decides, passwords hashed by the store.
        let system = system_actor();
        let account = |u: &User| NewAccount {
            id: Some(u.id),
            email: u.email.clone(),
            password: "correct horse battery staple".into(),
            role: u.role,
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            date_of_birth: u.date_of_birth,
            risk_profile: u.risk_profile,
        };
        store.create_user(&system, account(guardian), now).await?;
        let link = NewLink {
            id: Some(relationship.id),
            guardian_id: guardian.id,
            relationship_type: relationship.relationship_type,
            permissions: relationship.permissions,
            approval_settings: relationship.approval_settings.clone(),
        };
        store.enroll_minor(&system, account(minor), link, now).await?;
        let (as_guardian, as_minor) = (Actor::from(guardian), Actor::from(minor));
        // The guardian opens the child's portfolio (cash 0.00) and funds it.
        let new = NewPortfolio {
            portfolio_type: PortfolioType::Education,
            guardian_approval: true,
            ..NewPortfolio::standard(minor.id, "College fund")
        };
        let portfolio = store.open_portfolio(&as_guardian, Uuid::new_v4(), new, now).await?;
        store.deposit(&as_guardian, portfolio.id, dec!(1000.00), now).await?;
        let order = OrderRequest {
            trade: NewTrade::market(Uuid::now_v7(), portfolio.id, "VTI", TradeSide::Buy, dec!(2)),
            asset_type: AssetType::Etf,
            market_price: Some(dec!(250.00)),
        };
        let placed = store.place_trade(&as_minor, order, now).await?;
        println!(
            "\nstore {url}: trade placed, approval {} ({} notification(s))",
            placed.trade.guardian_approval,
            placed.notifications.len()
        );
        let later = now + Duration::minutes(5);
        store.decide_trade(&as_guardian, placed.trade.id, Verdict::Approve, later).await?;
        // The price feed (the system actor) fills it at the market price.
        let fill = Fill::at(dec!(250.00), AssetType::Etf);
        let done = store.execute_trade(&system, placed.trade.id, &fill, later).await?;
        println!("store: trade {} at {:?}", done.trade.status, done.trade.price);
        store.close().await;
        portfolio.id
    };
    let as_minor = Actor::from(minor);

    // Reopen the file: everything committed is there.
    let store = Store::open(&url).await?;
    for o in store.portfolios().overview(&as_minor, minor.id).await? {
        println!(
            "reopened: '{}' cash {} total {} positions {}",
            o.portfolio.name, o.portfolio.cash_balance, o.portfolio.total_value, o.position_count
        );
    }
    for t in store.trades().history(&as_minor, portfolio_id, 10, 0).await? {
        println!("  trade {} {} {} {} fees {:?}", t.side, t.quantity, t.symbol, t.status, t.fees);
    }
    store.close().await;
    Ok(())
}

/// Bar times and bars, parallel.
type PriceSeries = (Vec<DateTime<Utc>>, Vec<Bar>);

/// Reads `examples/data/demo_prices.csv` (date,open,high,low,close).
fn load_prices() -> Result<PriceSeries, Box<dyn std::error::Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/demo_prices.csv");
    let (mut times, mut bars) = (Vec::new(), Vec::new());
    for line in std::fs::read_to_string(path)?.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let [date, open, high, low, close] = f[..] else {
            return Err(format!("bad line {line}").into());
        };
        let date: NaiveDate = date.parse()?;
        times.push(date.and_hms_opt(21, 0, 0).ok_or("time")?.and_utc());
        bars.push(Bar::new(open.parse()?, high.parse()?, low.parse()?, close.parse()?));
    }
    Ok((times, bars))
}

fn engine_tour() -> Result<(), Box<dyn std::error::Error>> {
    let (times, bars) = load_prices()?;
    println!("\nprices: {} daily bars of DEMO from {}", bars.len(), times[0].date_naive());
    let config = BacktestConfig::new("DEMO");
    let mut strategy = RegimeMomentum::new(20)?;
    let result = elson_sdk::core::backtest::run(&times, &bars, &mut strategy, &config)?;

    println!("regime timeline (stabilized, {} of 20 bars):", config.volatility.method);
    let mut start = 0;
    for i in 1..=result.regime.len() {
        if i == result.regime.len() || result.regime[i] != result.regime[start] {
            let level = result.regime[start].map_or("WARMUP", |l| l.as_str());
            println!("  {} .. {}  {level}", times[start].date_naive(), times[i - 1].date_naive());
            start = i;
        }
    }
    println!("circuit-breaker transitions: {}", result.transitions.len());
    for t in result.transitions.iter().take(12) {
        println!("  {}  {}  {} → {}  ({})", t.at.date_naive(), t.scope, t.from, t.to, t.reason);
    }
    if result.transitions.len() > 12 {
        println!("  … {} more", result.transitions.len() - 12);
    }
    let row = &result.row;
    println!(
        "backtest '{}' on {}: {} .. {}",
        row.model_version, row.symbol, row.start_date, row.end_date
    );
    println!(
        "  trades {}  win rate {}%  P/L {}  Sharpe {}  max drawdown {}",
        row.total_trades, row.win_rate, row.profit_loss, row.sharpe_ratio, row.drawdown_max
    );
    for (regime, s) in &result.breakdown {
        println!(
            "  {regime:<8} bars {:>4}  trades {:>3}  P/L {:>10.2}  Sharpe {:>6.2}",
            s.bars, s.trades, s.profit_loss, s.sharpe
        );
    }
    if !result.orders_blocked.is_empty() {
        println!("  orders blocked by the rules: {:?}", result.orders_blocked);
    }
    Ok(())
}
