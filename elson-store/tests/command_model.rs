//! Random command sequences from random actors — the owner, the system (the
//! price feed), another family's guardian, a suspended user, an admin —
//! with retries under reused command ids (same payload, and altered), on
//! SQLite and PostgreSQL. After every command the store's answer (its
//! error code, or success) and the stored portfolio and positions equal a
//! reference model replayed in memory through the core (`authorize`, the
//! `Book`, the fee schedule), and every invariant of the book holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use common::*;
use elson_store::elson_core::accounting::{Book, Execution, FeeSchedule};
use elson_store::elson_core::entities::{NewTrade, Portfolio, Position, Trade, User};
use elson_store::elson_core::enums::*;
use elson_store::elson_core::families::{Action, Actor, Resource, authorize};
use elson_store::{Caller, Fill, ImportBatch, OrderRequest, Store};
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

const SYMBOLS: [&str; 2] = ["AAPL", "MSFT"];

#[derive(Debug, Clone, Copy)]
enum Who {
    Owner,
    System,
    OtherGuardian,
    Suspended,
    Admin,
}

#[derive(Debug, Clone)]
enum Op {
    Deposit {
        who: Who,
        cents: i64,
    },
    Withdraw {
        who: Who,
        cents: i64,
    },
    Trade {
        who: Who,
        buy: bool,
        symbol: usize,
        micros: i64,
        price_cents: i64,
    },
    Mark {
        who: Who,
        symbol: usize,
        price_cents: i64,
    },
    /// Sends the `back`-th last command that had a command id again, with
    /// the same payload or (`altered`) one cent more.
    Retry {
        back: usize,
        altered: bool,
    },
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        4 => Just(Who::Owner),
        4 => Just(Who::System),
        1 => Just(Who::OtherGuardian),
        1 => Just(Who::Suspended),
        1 => Just(Who::Admin),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (who(), 1i64..200_000).prop_map(|(who, cents)| Op::Deposit { who, cents }),
        2 => (who(), 1i64..150_000).prop_map(|(who, cents)| Op::Withdraw { who, cents }),
        4 => (who(), any::<bool>(), 0usize..2, 1i64..5_000_000, 1i64..50_000).prop_map(
            |(who, buy, symbol, micros, price_cents)| Op::Trade { who, buy, symbol, micros, price_cents }
        ),
        1 => (who(), 0usize..2, 1i64..60_000)
            .prop_map(|(who, symbol, price_cents)| Op::Mark { who, symbol, price_cents }),
        2 => (0usize..4, any::<bool>()).prop_map(|(back, altered)| Op::Retry { back, altered }),
    ]
}

/// The people of one case, and the portfolio under test.
struct Cast {
    owner: User,
    other_guardian: User,
    suspended: User,
    admin: User,
    portfolio: Portfolio,
}

impl Cast {
    fn actor(&self, who: Who) -> Actor {
        match who {
            Who::Owner => Actor::from(&self.owner),
            Who::System => admin(),
            Who::OtherGuardian => Actor::from(&self.other_guardian),
            Who::Suspended => Actor::from(&self.suspended),
            Who::Admin => Actor::from(&self.admin),
        }
    }
}

async fn cast(store: &Store) -> Cast {
    let tag = Uuid::new_v4().simple().to_string();
    let owner = user(UserRole::User, &format!("owner-{tag}@example.com"));
    let other_guardian = user(UserRole::Guardian, &format!("other-{tag}@example.com"));
    let mut suspended = user(UserRole::User, &format!("suspended-{tag}@example.com"));
    suspended.status = UserStatus::Suspended;
    let admin_user = user(UserRole::Admin, &format!("admin-{tag}@example.com"));
    let mut p = portfolio(owner.id, "0.00");
    p.guardian_approval = false;
    let rows = ImportBatch {
        users: vec![owner.clone(), other_guardian.clone(), suspended.clone(), admin_user.clone()],
        portfolios: vec![p.clone()],
        ..ImportBatch::default()
    };
    given(store, rows).await;
    Cast { owner, other_guardian, suspended, admin: admin_user, portfolio: p }
}

/// What a command asks for, concretely (the payload a retry resends).
#[derive(Debug, Clone, PartialEq)]
enum Payload {
    Deposit(Decimal),
    Withdraw(Decimal),
    Trade { order: OrderRequest, price: Decimal },
    Mark { symbol: &'static str, price: Decimal },
}

/// The reference: the core alone, in memory.
struct Model {
    book: Book,
    /// (actor, command id) → the payload it was first recorded with.
    recorded: HashMap<(Uuid, Uuid), Payload>,
}

impl Model {
    fn may(&self, actor: &Actor, action: Action, owner: Uuid) -> Result<(), &'static str> {
        let resource = match action {
            Action::Create | Action::Update => Resource::Trade { owner_id: owner },
            _ => Resource::Portfolio { owner_id: owner },
        };
        authorize(actor, action, &resource, &[]).map(|_| ()).map_err(|e| e.code())
    }

    /// What the store must answer to `payload` from `actor`, applying it.
    fn apply(
        &mut self,
        actor: &Actor,
        payload: &Payload,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), &'static str> {
        let owner = self.book.portfolio().user_id;
        let feed_only = |a: &Actor| if a.is_system() { Ok(()) } else { Err("FORBIDDEN") };
        let mut book = self.book.clone();
        match payload {
            Payload::Deposit(amount) => {
                self.may(actor, Action::Deposit, owner)?;
                book.deposit(*amount, now).map_err(|e| e.code())?;
            }
            Payload::Withdraw(amount) => {
                self.may(actor, Action::Withdraw, owner)?;
                book.withdraw(*amount, now).map_err(|e| e.code())?;
            }
            Payload::Trade { order, price } => {
                self.may(actor, Action::Create, owner)?;
                feed_only(actor)?;
                let mut trade = Trade::new(order.trade.clone(), now).map_err(|e| e.code())?;
                let fees = FeeSchedule::default();
                let exec = Execution {
                    market_price: *price,
                    asset_type: AssetType::Stock,
                    fees: &fees,
                    now,
                };
                book.execute(&mut trade, exec).map_err(|e| e.code())?;
            }
            Payload::Mark { symbol, price } => {
                if *price <= Decimal::ZERO {
                    return Err("INVALID_INPUT");
                }
                self.may(actor, Action::Update, owner).map_err(|_| "FORBIDDEN")?;
                feed_only(actor)?;
                if book.position(symbol).is_some() {
                    book.mark_to_market(symbol, *price, now).map_err(|e| e.code())?;
                }
            }
        }
        self.book = book;
        Ok(())
    }
}

async fn send(
    store: &Store,
    caller: Caller,
    pid: Uuid,
    payload: &Payload,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let code = |e: elson_store::StoreError| e.code().to_string();
    match payload {
        Payload::Deposit(a) => store.deposit(caller, pid, *a, now).await.map(|_| ()).map_err(code),
        Payload::Withdraw(a) => {
            store.withdraw(caller, pid, *a, now).await.map(|_| ()).map_err(code)
        }
        Payload::Trade { order, price } => {
            let fill = Fill::at(*price, AssetType::Stock);
            store
                .place_and_execute(caller, order.clone(), &fill, now)
                .await
                .map(|_| ())
                .map_err(code)
        }
        Payload::Mark { symbol, price } => store
            .mark_to_market(caller, pid, &[(symbol, *price)], now)
            .await
            .map(|_| ())
            .map_err(code),
    }
}

fn key(p: &Position) -> (String, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal) {
    (
        p.symbol.clone(),
        p.quantity,
        p.average_price,
        p.current_price,
        p.current_value,
        p.gain_loss,
        p.gain_loss_percent,
    )
}

async fn run_case(store: &Store, ops: Vec<Op>) {
    let c = cast(store).await;
    let pid = c.portfolio.id;
    let mut model =
        Model { book: Book::new(c.portfolio.clone()).unwrap(), recorded: HashMap::new() };
    // Commands sent with an id: (caller, payload, first answer recorded?).
    let mut sent: Vec<(Caller, Payload)> = Vec::new();
    for (i, op) in ops.into_iter().enumerate() {
        let now = at(10 + i as i64);
        let (caller, payload) = match op {
            Op::Retry { back, altered } => {
                let Some((caller, payload)) = sent.iter().rev().nth(back).cloned() else {
                    continue;
                };
                let payload = match (altered, payload) {
                    (false, p) => p,
                    (true, Payload::Deposit(a)) => Payload::Deposit(a + Decimal::new(1, 2)),
                    (true, Payload::Withdraw(a)) => Payload::Withdraw(a + Decimal::new(1, 2)),
                    (true, Payload::Trade { order, price }) => {
                        Payload::Trade { order, price: price + Decimal::new(1, 2) }
                    }
                    (true, Payload::Mark { symbol, price }) => {
                        Payload::Mark { symbol, price: price + Decimal::new(1, 2) }
                    }
                };
                (caller, payload)
            }
            Op::Deposit { who, cents } => {
                (Caller::new(&c.actor(who)), Payload::Deposit(Decimal::new(cents, 2)))
            }
            Op::Withdraw { who, cents } => {
                (Caller::new(&c.actor(who)), Payload::Withdraw(Decimal::new(cents, 2)))
            }
            Op::Trade { who, buy, symbol, micros, price_cents } => {
                let side = if buy { TradeSide::Buy } else { TradeSide::Sell };
                let qty = Decimal::new(micros, 6);
                let price = Decimal::new(price_cents, 2);
                let order = OrderRequest {
                    trade: NewTrade::market(Uuid::now_v7(), pid, SYMBOLS[symbol], side, qty),
                    asset_type: AssetType::Stock,
                    market_price: Some(price),
                };
                (Caller::new(&c.actor(who)), Payload::Trade { order, price })
            }
            Op::Mark { who, symbol, price_cents } => {
                let payload =
                    Payload::Mark { symbol: SYMBOLS[symbol], price: Decimal::new(price_cents, 2) };
                (Caller::new(&c.actor(who)), payload)
            }
        };
        // Every other first send carries a command id, so retries have some.
        let caller = match caller.command_id {
            Some(_) => caller,
            None if i % 2 == 0 => caller.with_command_id(Uuid::new_v4()),
            None => caller,
        };
        let answer = send(store, caller, pid, &payload, now).await;
        // The model's answer: a recorded id with this payload replays (no
        // effect), with another payload conflicts; otherwise the core decides.
        let expected = match caller.command_id.map(|id| (caller.actor.id, id)) {
            Some(k) if model.recorded.contains_key(&k) => {
                if model.recorded[&k] == payload {
                    Ok(())
                } else {
                    Err("IDEMPOTENCY_CONFLICT")
                }
            }
            k => {
                let r = model.apply(&caller.actor, &payload, now);
                if let (Some(k), Ok(())) = (k, &r) {
                    model.recorded.insert(k, payload.clone());
                }
                r
            }
        };
        assert_eq!(
            answer.as_ref().map_err(String::as_str),
            expected.as_ref().map_err(|e| *e),
            "{payload:?} by {caller:?}"
        );
        if caller.command_id.is_some()
            && !sent.iter().any(|(c, _)| c.command_id == caller.command_id)
        {
            sent.push((caller, payload));
        }
        // The stored rows are the model's, and a consistent book.
        let stored = store.portfolios().get(&admin(), pid).await.unwrap();
        let held = store.positions().list_for_portfolio(&admin(), pid).await.unwrap();
        assert_eq!(
            (stored.cash_balance, stored.total_value),
            (model.book.portfolio().cash_balance, model.book.portfolio().total_value),
            "after step {i}"
        );
        let mut ours: Vec<_> = held.iter().map(key).collect();
        let mut theirs: Vec<_> = model.book.positions().iter().map(key).collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "positions after step {i}");
        Book::from_rows(stored, held).expect("the stored rows are a consistent book");
    }
}

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("ELSON_MODEL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    ProptestConfig { cases: n, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(cases(256))]
    #[test]
    fn sqlite_matches_the_model(ops in proptest::collection::vec(op(), 1..24)) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let store = sqlite_store().await;
            run_case(&store, ops).await;
            store.close().await;
        });
    }
}

proptest! {
    #![proptest_config(cases(64))]
    #[test]
    fn postgres_matches_the_model(ops in proptest::collection::vec(op(), 1..24)) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            // One database for all cases: each case brings its own people.
            static URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
            let url = match URL.get() {
                Some(u) => u.clone(),
                None => {
                    let u = pg_fresh_url().await;
                    URL.get_or_init(|| u).clone()
                }
            };
            let Some(url) = url else { return };
            let store = Store::open(&url).await.unwrap();
            run_case(&store, ops).await;
            store.close().await;
        });
    }
}
