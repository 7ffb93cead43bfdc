//! Validate-and-apply of a trade on an in-memory book with 50 positions
//! (issue 2: target ≥ 5 million trades per second on one core).
//!
//! Trades alternate buy and sell of the same quantity on each symbol so the
//! book stays in a steady state. Fresh PENDING trades are built in the
//! (unmeasured) batch setup, so the measured loop is exactly
//! `Book::execute`: guards, fees, average price, valuation, mutation.
//!
//! Measured 2026-11-25 on a shared 2-vCPU AMD EPYC VM (other builds running):
//! 4–8 M trades/s wall-clock depending on the neighbours; counted against the
//! process's CPU time (`perf stat -e task-clock`, ~32 M trades in 3.4 s) about
//! 9.5 M trades/s for `execute` and 11 M/s for `preview` on one core.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use elson_sdk::core::accounting::{Book, Execution, FeeSchedule};
use elson_sdk::core::entities::{NewPortfolio, NewTrade, Portfolio, Trade};
use elson_sdk::core::enums::{AssetType, TradeSide};
use rust_decimal::Decimal;
use uuid::Uuid;

const POSITIONS: usize = 50;
const BATCH: usize = 1_000;
static FEES: FeeSchedule = FeeSchedule::DEFAULT;

fn now() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + Duration::days(20_000)
}

fn symbol(i: usize) -> String {
    format!("SYM{i:02}")
}

fn book() -> Book {
    let id = Uuid::from_u128(1);
    let portfolio =
        Portfolio::new(NewPortfolio::standard(Uuid::from_u128(2), "bench"), id, now()).unwrap();
    let mut book = Book::new(portfolio).unwrap();
    book.deposit(Decimal::new(500_000_000_000, 0), now()).unwrap();
    for i in 0..POSITIONS {
        let mut t = trade(i, TradeSide::Buy, Decimal::new(100, 0));
        book.execute(&mut t, exec(i, 0)).unwrap();
    }
    book
}

fn trade(i: usize, side: TradeSide, qty: Decimal) -> Trade {
    let new =
        NewTrade::market(Uuid::from_u128(i as u128 + 10), Uuid::from_u128(1), symbol(i), side, qty);
    Trade::new(new, now()).unwrap()
}

/// A price around 100 that differs per symbol and per trade.
fn exec(i: usize, k: usize) -> Execution<'static> {
    let cents = 10_000 + (i as i64 * 37 + k as i64 * 13) % 500;
    Execution {
        market_price: Decimal::new(cents, 2),
        asset_type: AssetType::Stock,
        fees: &FEES,
        now: now(),
    }
}

/// `BATCH` trades: buy then sell 2.5 shares of each symbol in turn.
fn trades() -> Vec<(Trade, Execution<'static>)> {
    (0..BATCH)
        .map(|k| {
            let i = (k / 2) % POSITIONS;
            let side = if k % 2 == 0 { TradeSide::Buy } else { TradeSide::Sell };
            (trade(i, side, Decimal::new(25, 1)), exec(i, k))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("trade_apply");
    group.throughput(Throughput::Elements(BATCH as u64));

    let mut b = book();
    group.bench_function("execute_50_positions", |bench| {
        bench.iter_batched_ref(
            trades,
            |batch| {
                for (t, e) in batch.iter_mut() {
                    black_box(b.execute(t, *e).unwrap());
                }
            },
            BatchSize::LargeInput,
        )
    });
    assert_eq!(b.positions().len(), POSITIONS, "steady state: no position opened or closed");

    let b = book();
    let batch = trades();
    group.bench_function("preview_50_positions", |bench| {
        bench.iter(|| {
            for (t, e) in &batch {
                black_box(b.preview(black_box(t), *e).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
