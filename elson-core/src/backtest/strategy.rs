//! What drives a backtest: a [`Strategy`] called once per bar, or a
//! precomputed array of target weights ([`Signals`]). Two reference
//! strategies ship for examples and benchmarks.

use chrono::{DateTime, Utc};

use crate::enums::{CircuitBreakerState, VolatilityLevel};
use crate::error::{ElsonError, Result};
use crate::volatility::Bar;

/// What a strategy sees at the close of one bar.
#[derive(Debug, Clone, Copy)]
pub struct BarContext<'a> {
    /// Index of the bar in the input.
    pub index: usize,
    /// Time of the bar.
    pub time: DateTime<Utc>,
    /// The bar.
    pub bar: &'a Bar,
    /// The symbol's stabilized regime (`None` while the window fills).
    pub regime: Option<VolatilityLevel>,
    /// The annualized volatility of the window ending here (NaN while it fills).
    pub volatility: f64,
    /// The governing breaker state.
    pub breaker: CircuitBreakerState,
    /// Quantity held.
    pub position_quantity: f64,
    /// Equity (cash + position at this close).
    pub equity: f64,
}

/// A strategy's wish: hold `weight` of equity in the symbol.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Fraction of equity to hold, in [−1, 1]. The platform does not sell
    /// short, so a negative weight means flat (0).
    pub weight: f64,
    /// Model confidence in [0, 1]; orders carrying one pass the confidence
    /// gate of DESIGN §7. `None` for rules that are not a model's output.
    pub confidence: Option<f64>,
}

impl Target {
    /// A target without a confidence score.
    pub const fn weight(weight: f64) -> Target {
        Target { weight, confidence: None }
    }
}

/// A trading rule, called at the close of every bar. Returning `None`
/// keeps the previous target. The engine trades only when the target
/// weight changes, never to chase price drift.
pub trait Strategy {
    /// A short name, used as the default `model_version`.
    fn name(&self) -> &str;
    /// The target after this bar.
    fn on_bar(&mut self, ctx: &BarContext<'_>) -> Option<Target>;
}

/// Precomputed target weights (and optional confidences), one per bar; NaN
/// means "no change".
#[derive(Debug, Clone, Copy)]
pub struct Signals<'a> {
    weights: &'a [f64],
    confidences: Option<&'a [f64]>,
}

impl<'a> Signals<'a> {
    /// Checks the weights are NaN or in [−1, 1] and confidences NaN or in [0, 1].
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the index of the bad value.
    pub fn new(weights: &'a [f64], confidences: Option<&'a [f64]>) -> Result<Signals<'a>> {
        for (i, w) in weights.iter().enumerate() {
            if !(w.is_nan() || (-1.0..=1.0).contains(w)) {
                return Err(ElsonError::invalid(
                    format!("weights[{i}]"),
                    format!("{w} is outside [-1, 1]"),
                ));
            }
        }
        if let Some(c) = confidences {
            if c.len() != weights.len() {
                return Err(ElsonError::invalid(
                    "confidences",
                    format!("has {} values for {} weights", c.len(), weights.len()),
                ));
            }
            for (i, v) in c.iter().enumerate() {
                if !(v.is_nan() || (0.0..=1.0).contains(v)) {
                    return Err(ElsonError::invalid(
                        format!("confidences[{i}]"),
                        format!("{v} is outside [0, 1]"),
                    ));
                }
            }
        }
        Ok(Signals { weights, confidences })
    }

    /// Number of signals.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

impl Strategy for Signals<'_> {
    fn name(&self) -> &str {
        "signals"
    }

    fn on_bar(&mut self, ctx: &BarContext<'_>) -> Option<Target> {
        let weight = *self.weights.get(ctx.index)?;
        if weight.is_nan() {
            return None;
        }
        let confidence =
            self.confidences.and_then(|c| c.get(ctx.index).copied()).filter(|c| !c.is_nan());
        Some(Target { weight, confidence })
    }
}

/// A fixed-size window of the last `n` values with O(1) push and a running sum.
#[derive(Debug, Clone)]
struct Window {
    values: Vec<f64>,
    /// `values.len()` as f64 (exact), the divisor of the mean.
    len: f64,
    next: usize,
    filled: bool,
    sum: f64,
    pushes: u32,
}

impl Window {
    fn new(n: usize) -> Window {
        Window { values: vec![0.0; n], len: n as f64, next: 0, filled: false, sum: 0.0, pushes: 0 }
    }

    /// Pushes `x` and returns the mean once the window is full (called once
    /// per bar: kept branch-light, and the mean comes from the sum in a
    /// register rather than from memory just written).
    #[inline]
    fn push_mean(&mut self, x: f64) -> Option<f64> {
        self.push(x);
        let sum = self.sum;
        self.filled.then_some(sum / self.len)
    }

    /// Pushes `x`.
    #[inline]
    fn push(&mut self, x: f64) {
        // Slots not yet written hold 0.0, so subtracting the slot's old
        // value is subtracting 0.0 until the window is full: one path.
        let Some(slot) = self.values.get_mut(self.next) else {
            return; // unreachable: `next` < len
        };
        let old = std::mem::replace(slot, x);
        self.sum += x - old;
        self.next += 1;
        if self.next == self.values.len() {
            self.next = 0;
            self.filled = true;
        }
        // Re-sum now and then so rounding error in the running sum cannot drift.
        self.pushes += 1;
        if self.pushes == 1 << 16 {
            self.pushes = 0;
            self.sum = self.values.iter().sum();
        }
    }

    /// The oldest value in a full window.
    fn oldest(&self) -> Option<f64> {
        self.filled.then(|| self.values[self.next])
    }
}

/// Reference strategy: long (weight 1) while the fast simple moving average
/// of closes is above the slow one, flat otherwise.
#[derive(Debug, Clone)]
pub struct MovingAverageCrossover {
    fast: Window,
    slow: Window,
    name: String,
}

impl MovingAverageCrossover {
    /// Windows of `fast` and `slow` closes.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] unless `0 < fast < slow`.
    pub fn new(fast: usize, slow: usize) -> Result<MovingAverageCrossover> {
        if fast == 0 || fast >= slow {
            return Err(ElsonError::invalid(
                "fast",
                format!("need 0 < fast < slow, got {fast}, {slow}"),
            ));
        }
        Ok(MovingAverageCrossover {
            fast: Window::new(fast),
            slow: Window::new(slow),
            name: format!("ma_crossover_{fast}_{slow}"),
        })
    }
}

impl Strategy for MovingAverageCrossover {
    fn name(&self) -> &str {
        &self.name
    }

    fn on_bar(&mut self, ctx: &BarContext<'_>) -> Option<Target> {
        let fast = self.fast.push_mean(ctx.bar.close);
        let slow = self.slow.push_mean(ctx.bar.close);
        let (fast, slow) = (fast?, slow?);
        Some(Target::weight(if fast > slow { 1.0 } else { 0.0 }))
    }
}

/// Reference strategy: long while the close is above the close `lookback`
/// bars ago, with a weight that shrinks as the regime turns turbulent, and
/// flat in EXTREME — so it trades less, and smaller, as volatility rises.
#[derive(Debug, Clone)]
pub struct RegimeMomentum {
    closes: Window,
    weights: [f64; 4],
    name: String,
}

impl RegimeMomentum {
    /// Default weights per regime LOW / NORMAL / HIGH / EXTREME.
    pub const WEIGHTS_DEFAULT: [f64; 4] = [1.0, 0.6, 0.25, 0.0];

    /// Momentum over `lookback` bars with [`Self::WEIGHTS_DEFAULT`].
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] for a zero lookback.
    pub fn new(lookback: usize) -> Result<RegimeMomentum> {
        Self::with_weights(lookback, Self::WEIGHTS_DEFAULT)
    }

    /// Momentum with custom weights per regime (each in [0, 1]).
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] for a zero lookback or a weight outside [0, 1].
    pub fn with_weights(lookback: usize, weights: [f64; 4]) -> Result<RegimeMomentum> {
        if lookback == 0 {
            return Err(ElsonError::invalid("lookback", "must be at least 1"));
        }
        if let Some(w) = weights.iter().find(|w| !(0.0..=1.0).contains(*w)) {
            return Err(ElsonError::invalid("weights", format!("{w} is outside [0, 1]")));
        }
        Ok(RegimeMomentum {
            closes: Window::new(lookback + 1),
            weights,
            name: format!("regime_momentum_{lookback}"),
        })
    }
}

impl Strategy for RegimeMomentum {
    fn name(&self) -> &str {
        &self.name
    }

    fn on_bar(&mut self, ctx: &BarContext<'_>) -> Option<Target> {
        self.closes.push(ctx.bar.close);
        let past = self.closes.oldest()?;
        let regime = ctx.regime?;
        let weight = match regime {
            VolatilityLevel::Low => self.weights[0],
            VolatilityLevel::Normal => self.weights[1],
            VolatilityLevel::High => self.weights[2],
            VolatilityLevel::Extreme => self.weights[3],
        };
        Some(Target::weight(if ctx.bar.close > past { weight } else { 0.0 }))
    }
}
