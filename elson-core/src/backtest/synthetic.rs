//! A deterministic synthetic price path with calm and turbulent stretches,
//! for examples, benchmarks and tests. Not market data: a seeded random walk
//! whose volatility cycles through the four regimes.

use crate::error::{ElsonError, Result};
use crate::volatility::Bar;

/// Annualized volatility of each stretch, cycling: calm, normal, high,
/// extreme, high, normal.
pub const STRETCH_VOLATILITY: [f64; 6] = [0.08, 0.20, 0.32, 0.65, 0.30, 0.18];

/// Bars per stretch.
pub const STRETCH_BARS: usize = 120;

/// Highest start price accepted: the largest value of a money column,
/// DECIMAL(15,2), rounded down to 10¹³ (DESIGN §1). The walk wanders a few
/// times above its start, far from `f64::MAX`, so every price stays finite.
pub const START_PRICE_MAX: f64 = 1e13;

/// SplitMix64: a tiny, well-known, seedable generator (no dependency, same
/// numbers on every platform).
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn next_unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn next_normal(&mut self) -> f64 {
        let (u, v) = (self.next_unit(), self.next_unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// `n` daily bars starting at `start_price`, deterministic in `seed`.
///
/// # Errors
/// [`ElsonError::InvalidInput`] on field `start_price` unless it is a
/// finite number above 0 and at most [`START_PRICE_MAX`]. Why: every price
/// of the walk is the start times a product of factors, so a NaN start gave
/// bars that were all NaN, a negative one bars with `low > high`, and a
/// huge one an overflow to infinity — data no estimator accepts, handed
/// out as if it were a price series.
///
/// ```
/// use elson_core::backtest::synthetic_bars;
/// let a = synthetic_bars(1_000, 7, 100.0)?;
/// assert_eq!(a, synthetic_bars(1_000, 7, 100.0)?);
/// assert!(a.iter().all(|b| b.low <= b.open.min(b.close) && b.high >= b.open.max(b.close)));
/// assert!(synthetic_bars(10, 7, f64::NAN).is_err());
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn synthetic_bars(n: usize, seed: u64, start_price: f64) -> Result<Vec<Bar>> {
    if !(start_price.is_finite() && start_price > 0.0 && start_price <= START_PRICE_MAX) {
        return Err(ElsonError::invalid(
            "start_price",
            format!("{start_price} is not a finite price above 0 and at most {START_PRICE_MAX}"),
        ));
    }
    let mut rng = SplitMix64(seed);
    let mut close = start_price;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let annual = STRETCH_VOLATILITY[(i / STRETCH_BARS) % STRETCH_VOLATILITY.len()];
        let sigma = annual / 252f64.sqrt();
        let open = close;
        // A small drift so the path does not wander to zero over 10⁷ bars.
        let drift = if close > 4.0 * start_price {
            -0.0003
        } else if close < start_price / 4.0 {
            0.0003
        } else {
            0.0002
        };
        close = open * (drift + sigma * rng.next_normal()).exp();
        let wick = sigma * 0.5 * rng.next_normal().abs();
        let high = open.max(close) * wick.exp();
        let low = open.min(close) * (-wick).exp();
        out.push(Bar { open, high, low, close });
    }
    Ok(out)
}
