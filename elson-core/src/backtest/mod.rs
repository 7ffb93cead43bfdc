//! Backtesting (DESIGN §8): bars + signals (or a [`Strategy`]) + a
//! [`BacktestConfig`] → a [`BacktestResult`] with every `backtest_results`
//! field, a per-regime breakdown, the equity curve and the regime and
//! breaker series.
//!
//! The engine is live trading replayed: the same streaming
//! [`RegimeDetector`](crate::regime::RegimeDetector), the same
//! [`Breaker`](crate::breaker::Breaker) state machines and admission rule,
//! the same [`sizing`](crate::sizing) limit and confidence gate, and fills
//! through the same [`Book`](crate::accounting::Book). There is no second
//! implementation of any rule here; this module only sequences them per bar.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc, Duration};
//! use elson_core::backtest::{run, BacktestConfig, MovingAverageCrossover};
//! use elson_core::volatility::Bar;
//!
//! let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 21, 0, 0).unwrap();
//! let times: Vec<_> = (0..300).map(|i| t0 + Duration::days(i)).collect();
//! let bars: Vec<_> = (0..300)
//!     .map(|i| Bar::from_close(100.0 + 10.0 * (i as f64 / 15.0).sin()))
//!     .collect();
//! let mut strategy = MovingAverageCrossover::new(5, 20)?;
//! let result = run(&times, &bars, &mut strategy, &BacktestConfig::new("DEMO"))?;
//! assert_eq!(result.equity.len(), 300);
//! assert!(result.row.total_trades > 0);
//! # Ok::<(), elson_core::ElsonError>(())
//! ```

mod config;
mod engine;
mod result;
mod strategy;
mod synthetic;

pub use config::*;
pub use engine::*;
pub use result::*;
pub use strategy::*;
pub use synthetic::*;
