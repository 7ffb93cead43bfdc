//! The stabilization (hysteresis) state machine of DESIGN §5.

use serde::{Deserialize, Serialize};

use crate::enums::VolatilityLevel;

/// Where the stabilizer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StabilizerState {
    /// No reading yet.
    Empty,
    /// A regime with `count` consecutive readings of it (counting the
    /// switch readings), and no candidate.
    Settled {
        /// The current regime.
        level: VolatilityLevel,
        /// Its `stabilization_count`.
        count: u32,
    },
    /// A regime and a candidate read `seen` times in a row (fewer than the
    /// switch needs).
    Pending {
        /// The current regime (unchanged while pending).
        level: VolatilityLevel,
        /// Its `stabilization_count` (unchanged while pending).
        count: u32,
        /// The level read instead.
        candidate: VolatilityLevel,
        /// Consecutive readings of `candidate`.
        seen: u32,
    },
}

/// Hysteresis over raw level readings, so that a regime (and the breaker it
/// drives) does not flap when volatility hovers at a boundary.
///
/// Rule (DESIGN §5): the first reading sets the regime with count 1; a
/// reading equal to the regime increments the count; a different reading is
/// a candidate; the regime switches only when the same candidate has been
/// read `switch_readings` (3) times in a row, and the count is then 3; a
/// different candidate restarts the run.
///
/// # Example
/// ```
/// use elson_core::enums::VolatilityLevel::{High, Low};
/// use elson_core::regime::Stabilizer;
/// let mut s = Stabilizer::new(3);
/// assert_eq!(s.push(Low), (Low, 1));
/// assert_eq!(s.push(High), (Low, 1));
/// assert_eq!(s.push(High), (Low, 1));
/// assert_eq!(s.push(High), (High, 3));
/// assert_eq!(s.push(High), (High, 4));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stabilizer {
    state: StabilizerState,
    switch_readings: u32,
}

impl Stabilizer {
    /// A stabilizer that switches after `switch_readings` identical
    /// readings (values below 1 are treated as 1).
    pub fn new(switch_readings: u32) -> Stabilizer {
        Stabilizer { state: StabilizerState::Empty, switch_readings: switch_readings.max(1) }
    }

    /// The current state.
    pub fn state(&self) -> StabilizerState {
        self.state
    }

    /// The stabilized level and its count, once there was a reading.
    pub fn current(&self) -> Option<(VolatilityLevel, u32)> {
        match self.state {
            StabilizerState::Empty => None,
            StabilizerState::Settled { level, count }
            | StabilizerState::Pending { level, count, .. } => Some((level, count)),
        }
    }

    /// The regime and its count when no candidate is pending.
    #[inline]
    pub(crate) fn settled(&self) -> Option<(VolatilityLevel, u32)> {
        match self.state {
            StabilizerState::Settled { level, count } => Some((level, count)),
            StabilizerState::Empty | StabilizerState::Pending { .. } => None,
        }
    }

    /// `run` readings equal to the settled regime at once: the same as
    /// `run` calls of [`Self::push`] with that level (the batch form's fast
    /// path). Callers check `count + run` fits; a pending state is left as is.
    #[inline]
    pub(crate) fn advance_settled(&mut self, run: u32) {
        if let StabilizerState::Settled { count, .. } = &mut self.state {
            *count = count.saturating_add(run);
        }
    }

    /// Adds `delta` (wrapping) to the count of the current regime: the
    /// correction of a part of a series stabilized from a guessed start
    /// (the batch form's stitching).
    pub(crate) fn shift_count(&mut self, delta: u32) {
        match &mut self.state {
            StabilizerState::Empty => {}
            StabilizerState::Settled { count, .. } | StabilizerState::Pending { count, .. } => {
                *count = count.wrapping_add(delta);
            }
        }
    }

    /// Feeds one raw reading; returns the stabilized level and its
    /// `stabilization_count` after it.
    #[inline]
    pub fn push(&mut self, reading: VolatilityLevel) -> (VolatilityLevel, u32) {
        // The common case first (the same level again), without the table.
        if let StabilizerState::Settled { level, count } = &mut self.state
            && *level == reading
        {
            *count = count.saturating_add(1);
            return (*level, *count);
        }
        let switch = self.switch_readings;
        let next = match self.state {
            StabilizerState::Empty => StabilizerState::Settled { level: reading, count: 1 },
            StabilizerState::Settled { level, count } if reading == level => {
                StabilizerState::Settled { level, count: count.saturating_add(1) }
            }
            // A new level: a candidate (or an immediate switch if one
            // reading is enough).
            StabilizerState::Settled { level, count } => {
                if switch <= 1 {
                    StabilizerState::Settled { level: reading, count: switch }
                } else {
                    StabilizerState::Pending { level, count, candidate: reading, seen: 1 }
                }
            }
            // The regime's own level interrupts the candidate's run.
            StabilizerState::Pending { level, count, .. } if reading == level => {
                StabilizerState::Settled { level, count: count.saturating_add(1) }
            }
            StabilizerState::Pending { level, count, candidate, seen } if reading == candidate => {
                let seen = seen + 1;
                if seen >= switch {
                    StabilizerState::Settled { level: candidate, count: seen }
                } else {
                    StabilizerState::Pending { level, count, candidate, seen }
                }
            }
            // A different candidate restarts the run.
            StabilizerState::Pending { level, count, .. } => {
                StabilizerState::Pending { level, count, candidate: reading, seen: 1 }
            }
        };
        self.state = next;
        let (level, count) = match next {
            StabilizerState::Settled { level, count }
            | StabilizerState::Pending { level, count, .. } => (level, count),
            StabilizerState::Empty => (reading, 1), // unreachable: every arm leaves Empty
        };
        debug_assert!(count >= 1, "Invariant: a regime has at least one reading");
        (level, count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VolatilityLevel::{Extreme, High, Low, Normal};

    fn run(readings: &[VolatilityLevel]) -> Vec<(VolatilityLevel, u32)> {
        let mut s = Stabilizer::new(3);
        readings.iter().map(|&r| s.push(r)).collect()
    }

    #[test]
    fn every_row_of_the_table() {
        // Empty → Settled(count 1); same → increment.
        assert_eq!(run(&[Normal, Normal]), vec![(Normal, 1), (Normal, 2)]);
        // Candidate runs to 3 → switch with count 3.
        assert_eq!(
            run(&[Normal, High, High, High, High]),
            vec![(Normal, 1), (Normal, 1), (Normal, 1), (High, 3), (High, 4)]
        );
        // Regime's own level interrupts the candidate and increments.
        assert_eq!(
            run(&[Low, High, High, Low, High, High]),
            vec![(Low, 1), (Low, 1), (Low, 1), (Low, 2), (Low, 2), (Low, 2)]
        );
        // A different candidate restarts the run.
        assert_eq!(
            run(&[Low, High, High, Extreme, Extreme, Extreme]),
            vec![(Low, 1), (Low, 1), (Low, 1), (Low, 1), (Low, 1), (Extreme, 3)]
        );
    }

    #[test]
    fn one_reading_switches_immediately_when_configured() {
        let mut s = Stabilizer::new(1);
        assert_eq!(s.push(Low), (Low, 1));
        assert_eq!(s.push(High), (High, 1));
        assert_eq!(Stabilizer::new(0).push(Low), (Low, 1));
    }

    #[test]
    fn current_reports_the_regime_while_pending() {
        let mut s = Stabilizer::new(3);
        assert_eq!(s.current(), None);
        s.push(Low);
        s.push(High);
        assert_eq!(s.current(), Some((Low, 1)));
        assert!(matches!(s.state(), StabilizerState::Pending { candidate: High, seen: 1, .. }));
    }
}
