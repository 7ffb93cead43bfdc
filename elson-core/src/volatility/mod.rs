//! Volatility estimators (DESIGN §5): `CLOSE_TO_CLOSE`, `EWMA`, `PARKINSON`
//! and `GARMAN_KLASS`, each annualized and expressed as a fraction (0.18
//! means 18 %).
//!
//! Every estimator exists twice, and the two agree (bit for bit in practice,
//! 1e-9 relative by contract):
//! - **batch** over a whole series ([`estimate_closes`], [`estimate`]): one
//!   value per input bar, aligned with the input, `NaN` before the first full
//!   window (pandas' convention); [`estimate_points`] is the typed form that
//!   only returns the defined values;
//! - **streaming** ([`VolatilityEstimator`]): O(1) work per update (plus
//!   an exact re-summation of the window every 256 updates, so amortized
//!   O(1 + n/256)) and O(lookback) memory, one bar at a time.
//!
//! Why they agree exactly: both run the same arithmetic — the same
//! logarithm ([`ln::fast_ln`]), the same rolling sums and the same exact
//! re-summation points — so the batch path is only a
//! faster schedule of the streaming computation, not a second formula
//! (the rolling sums are shifted and periodically re-summed exactly, so
//! the error stays near 1e-11 relative to a two-pass standard deviation).
//!
//! Accuracy: log returns are differences of logarithms, `ln Pₜ − ln Pₜ₋₁`
//! (as in pandas' `np.log(close).diff()`), so each return carries the
//! rounding of `ln P` (≈ 1e-15 absolute); against a two-pass standard
//! deviation of exact returns the result agrees to 1e-9 relative, or to
//! 1e-12 absolute for windows so calm that this rounding dominates.
//!
//! Bad prices (NaN, infinite, zero, negative, subnormal) and inconsistent
//! bars (high below low, open or close outside the range) are
//! [`ElsonError::InvalidInput`] naming the field and the index, e.g. field
//! `close[17]`, reason `index 17: NaN is not a finite positive price`.
//!
//! Performance: the batch `CLOSE_TO_CLOSE` kernel validates and takes the
//! logarithms of a chunk of prices in one SIMD loop ([`ln::fast_ln`] has no
//! branch and no libm call), advances the running sums of four blocks side
//! by side, and takes the square roots in another SIMD loop; on 10⁷ prices
//! it runs in ≈ 60 ms on one core with a default x86-64 build (SSE2) and
//! ≈ 34 ms with `RUSTFLAGS="-C target-cpu=native"` on an AVX-512 machine —
//! the same bits either way (see `benches/volatility.rs` and
//! `benches/peers/`). [`estimate_closes_into_on`] takes the instruction
//! set to run in as a [`crate::simd::Isa`], so that a binding can choose
//! AVX2/AVX-512 at run time (the Python one does: ≈ 20 ms on 2 cores). A series of 2¹⁶ closes or more is split into parts
//! that start at fixed re-summation points, so they are independent, and
//! computed on up to [`std::thread::available_parallelism`] scoped threads
//! (≈ 31 ms on 2 cores): again the same bits as one sequential pass and as
//! the streaming estimator.
//!
//! # Example
//! ```
//! use elson_core::enums::VolatilityMethod;
//! use elson_core::volatility::{estimate_closes, VolatilityConfig, VolatilityEstimator};
//!
//! let closes: Vec<f64> = (0..40).map(|i| 100.0 * (1.0 + 0.01 * ((i % 5) as f64 - 2.0))).collect();
//! let cfg = VolatilityConfig::default(); // CLOSE_TO_CLOSE, 20 returns, 252 periods a year
//! let batch = estimate_closes(&closes, &cfg)?;
//! assert!(batch[19].is_nan() && batch[20].is_finite()); // needs 21 closes
//!
//! let mut stream = VolatilityEstimator::new(&cfg)?;
//! for (i, &c) in closes.iter().enumerate() {
//!     let v = stream.update_close(c)?;
//!     assert_eq!(v.is_some(), batch[i].is_finite());
//! }
//! # Ok::<(), elson_core::ElsonError>(())
//! ```

mod batch;
pub(crate) mod close_to_close;
mod config;
mod ewma;
pub mod ln;
mod range;
mod rolling;
mod stream;
mod validate;

pub use batch::{
    VolatilityPoint, estimate, estimate_closes, estimate_closes_into, estimate_closes_into_on,
    estimate_closes_points, estimate_into, estimate_points,
};
pub use config::{Bar, LOOKBACK_MAX, VolatilityConfig};
pub use stream::VolatilityEstimator;

#[cfg(doc)]
use crate::error::ElsonError;
