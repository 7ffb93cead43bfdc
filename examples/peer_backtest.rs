//! Runs the moving-average crossover backtest over a file of closes and
//! prints the elapsed time and the trades, for `benches/peers/`.
//!
//! Usage: `peer_backtest <closes.f64le> [fast] [slow]` where the file holds
//! raw little-endian f64 closes (what numpy's `tofile` writes). Without a
//! file it generates 10⁶ synthetic bars.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use elson_sdk::core::backtest::{BacktestConfig, MovingAverageCrossover, run, synthetic_bars};
use elson_sdk::core::volatility::Bar;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let bars: Vec<Bar> = match args.get(1) {
        Some(path) => std::fs::read(path)?
            .chunks_exact(8)
            .map(|c| Bar::from_close(f64::from_le_bytes(c.try_into().unwrap())))
            .collect(),
        None => synthetic_bars(1_000_000, 42, 100.0),
    };
    let fast: usize = args.get(2).map_or(Ok(10), |s| s.parse())?;
    let slow: usize = args.get(3).map_or(Ok(50), |s| s.parse())?;
    let t0 = Utc.with_ymd_and_hms(1990, 1, 1, 21, 0, 0).single().ok_or("time")?;
    let times: Vec<_> = (0..bars.len()).map(|i| t0 + Duration::days(i as i64)).collect();
    let cfg = BacktestConfig::new("PEER");
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..5 {
        let mut strategy = MovingAverageCrossover::new(fast, slow)?;
        let start = Instant::now();
        let r = run(&times, &bars, &mut strategy, &cfg)?;
        best = best.min(start.elapsed().as_secs_f64());
        result = Some(r);
    }
    let r = result.ok_or("no run")?;
    println!("bars={} trades={} best_ms={:.3}", bars.len(), r.row.total_trades, best * 1e3);
    if std::env::var_os("PEER_TRADES").is_some() {
        for t in &r.trades {
            let i = (t.created_at - t0).num_days();
            println!("trade {} {} {}", i, t.side, t.quantity);
        }
    }
    Ok(())
}
