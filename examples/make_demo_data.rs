//! Regenerates `examples/data/demo_prices.csv`: 720 deterministic synthetic
//! daily bars (one full calm → turbulent → calm cycle) for the quickstart.
//!
//! `cargo run --example make_demo_data`
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use elson_sdk::core::backtest::synthetic_bars;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = NaiveDate::from_ymd_opt(2023, 1, 2).ok_or("date")?;
    let mut csv = String::from("date,open,high,low,close\n");
    for (i, b) in synthetic_bars(720, 2026, 100.0)?.iter().enumerate() {
        let date = start + Duration::days(i as i64);
        writeln!(csv, "{date},{:.4},{:.4},{:.4},{:.4}", b.open, b.high, b.low, b.close)?;
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/demo_prices.csv");
    std::fs::write(path, csv)?;
    println!("wrote {path}");
    Ok(())
}
