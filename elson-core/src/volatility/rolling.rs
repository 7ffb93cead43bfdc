//! Rolling window sums shared by the batch and streaming estimators.
//!
//! Why this exists: a rolling sum updated by `+ new − old` is O(1) but
//! accumulates rounding, and `Σx² − (Σx)²/n` cancels catastrophically when
//! the mean is large against the spread. Both are fixed here without giving
//! up O(1):
//! - values are **shifted** by the window mean `c` taken at the last exact
//!   summation (the variance does not depend on the shift), so `Σ(x−c)` stays
//!   small;
//! - the sums are **re-computed exactly** from the window every
//!   [`RESUM_EVERY`] slides, at fixed positions counted from the first full
//!   window, and additionally as soon as the accumulated magnitude of the
//!   updates `e` dwarfs the current result (`result < DRIFT_TRIGGER · e`),
//!   which bounds the relative error by about `3·ε / DRIFT_TRIGGER` ≈ 3e-11.
//!
//! The fixed positions are what make batch = streaming exact: the state
//! right after a re-summation depends only on the window contents, so the
//! batch kernel may run the same updates in any schedule between two such
//! points and produce the same bits as the one-at-a-time state.

/// Slides between two exact re-summations (and the batch block length).
pub(crate) const RESUM_EVERY: u32 = 256;

/// [`RESUM_EVERY`] as a block length.
pub(crate) const BLOCK: usize = RESUM_EVERY as usize;

/// Re-sum early when the result falls below this fraction of the magnitude
/// accumulated by the updates since the last exact sum.
pub(crate) const DRIFT_TRIGGER: f64 = 1e-5;

/// Shifted first and second moments of a window of n values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moments {
    /// Shift: the window mean at the last exact summation.
    c: f64,
    /// Σ (x − c) over the window.
    s: f64,
    /// Σ (x − c)² over the window.
    q: f64,
    /// Σ of the squared terms added or removed since the last exact sum.
    e: f64,
    /// 1 / n.
    inv_n: f64,
}

impl Moments {
    #[inline]
    pub(crate) fn new(n: usize) -> Moments {
        Moments { c: 0.0, s: 0.0, q: 0.0, e: 0.0, inv_n: 1.0 / n as f64 }
    }

    /// Exact sums over the window given oldest first (as one or two slices,
    /// so a ring buffer needs no copy). Returns `Σ(x − mean)²`.
    /// (Inlined: the batch kernel calls it once per block, see
    /// [`crate::simd`].)
    #[inline]
    pub(crate) fn resum(&mut self, older: &[f64], newer: &[f64]) -> f64 {
        let mut sum = 0.0;
        for &x in older.iter().chain(newer) {
            sum += x;
        }
        self.c = sum * self.inv_n;
        let (mut s, mut q) = (0.0, 0.0);
        for &x in older.iter().chain(newer) {
            let d = x - self.c;
            s += d;
            q += d * d;
        }
        self.s = s;
        self.q = q;
        self.e = q;
        self.sum_sq_dev()
    }

    /// Slides the window by one value. Returns `Σ(x − mean)²`.
    ///
    /// The batch kernel computes the same increments ([`Self::increments`])
    /// and adds them in the same order, so both give the same bits.
    #[inline(always)]
    pub(crate) fn slide(&mut self, new: f64, old: f64) -> f64 {
        let (ds, dq, de) = Self::increments(new, old, self.c);
        self.s += ds;
        self.q += dq;
        self.e += de;
        self.sum_sq_dev()
    }

    /// The increments of `s`, `q` and `e` when `new` enters and `old`
    /// leaves a window shifted by `c`. The shift cancels in `s`.
    #[inline(always)]
    pub(crate) fn increments(new: f64, old: f64, c: f64) -> (f64, f64, f64) {
        let d1 = new - c;
        let d0 = old - c;
        let (a, b) = (d1 * d1, d0 * d0);
        (new - old, a - b, a + b)
    }

    /// The shift `c`.
    #[inline(always)]
    pub(crate) fn shift(&self) -> f64 {
        self.c
    }

    /// The running sums `(s, q, e)`, for a kernel that advances them itself.
    #[inline(always)]
    pub(crate) fn sums(&self) -> (f64, f64, f64) {
        (self.s, self.q, self.e)
    }

    /// 1 / n.
    #[inline(always)]
    pub(crate) fn inv_n(&self) -> f64 {
        self.inv_n
    }

    /// `Σ(x − mean)² = Σ(x − c)² − (Σ(x − c))² / n`.
    #[inline(always)]
    pub(crate) fn sum_sq_dev(&self) -> f64 {
        sum_sq_dev(self.s, self.q, self.inv_n)
    }

    /// Whether `result` (from [`Self::slide`]) may have lost precision.
    #[inline(always)]
    pub(crate) fn drifted(&self, result: f64) -> bool {
        drifted(result, self.e)
    }
}

/// `q − s² / n`, the one formula shared by [`Moments`] and the batch kernel.
#[inline(always)]
pub(crate) fn sum_sq_dev(s: f64, q: f64, inv_n: f64) -> f64 {
    q - s * s * inv_n
}

/// Whether a result may have lost precision (see [`DRIFT_TRIGGER`]).
#[inline(always)]
pub(crate) fn drifted(result: f64, e: f64) -> bool {
    result < DRIFT_TRIGGER * e
}

/// A plain rolling sum of non-negative terms, with the same re-summation
/// discipline as [`Moments`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RollingSum {
    sum: f64,
    e: f64,
}

impl RollingSum {
    /// Exact sum over the window, oldest first.
    pub(crate) fn resum(&mut self, older: &[f64], newer: &[f64]) -> f64 {
        let mut sum = 0.0;
        for &x in older.iter().chain(newer) {
            sum += x;
        }
        self.sum = sum;
        self.e = sum;
        sum
    }

    /// Slides by one term.
    #[inline(always)]
    pub(crate) fn slide(&mut self, new: f64, old: f64) -> f64 {
        self.sum += new - old;
        self.e += new + old;
        self.sum
    }

    /// Whether `result` may have lost precision.
    #[inline(always)]
    pub(crate) fn drifted(&self, result: f64) -> bool {
        result < DRIFT_TRIGGER * self.e
    }
}

/// The last n values of a stream, oldest first on demand.
#[derive(Debug, Clone)]
pub(crate) struct Ring {
    buf: Vec<f64>,
    cap: usize,
    /// Index of the oldest value once full.
    next: usize,
}

impl Ring {
    pub(crate) fn new(cap: usize) -> Ring {
        Ring { buf: Vec::with_capacity(cap), cap, next: 0 }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.buf.len() == self.cap
    }

    /// Appends `x`; once full, returns the value it evicts.
    #[inline]
    pub(crate) fn push(&mut self, x: f64) -> Option<f64> {
        if self.buf.len() < self.cap {
            self.buf.push(x);
            return None;
        }
        let old = std::mem::replace(&mut self.buf[self.next], x);
        self.next += 1;
        if self.next == self.cap {
            self.next = 0;
        }
        Some(old)
    }

    /// The contents, oldest first, as two slices.
    pub(crate) fn oldest_first(&self) -> (&[f64], &[f64]) {
        let (newer, older) = self.buf.split_at(self.next);
        (older, newer)
    }
}

/// Counts slides between fixed re-summation points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResumClock {
    left: u32,
}

impl ResumClock {
    /// Started at a re-summation (the first full window is one).
    pub(crate) fn new() -> ResumClock {
        ResumClock { left: RESUM_EVERY }
    }

    /// Counts one slide; true when this slide is a fixed re-summation point.
    #[inline(always)]
    pub(crate) fn tick(&mut self) -> bool {
        self.left -= 1;
        if self.left == 0 {
            self.left = RESUM_EVERY;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_pass(xs: &[f64]) -> f64 {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        xs.iter().map(|x| (x - m) * (x - m)).sum()
    }

    #[test]
    fn moments_track_a_two_pass_sum_through_a_jump() {
        // A huge value enters and leaves: the drift trigger must re-sum.
        let mut xs: Vec<f64> = (0..400).map(|i| 1e-4 * ((i * 7919 % 13) as f64 - 6.0)).collect();
        xs[100] = 5.0;
        let n = 20;
        let mut ring = Ring::new(n);
        let mut m = Moments::new(n);
        let mut clock = ResumClock::new();
        for (i, &x) in xs.iter().enumerate() {
            let got = match ring.push(x) {
                None if ring.is_full() => {
                    let (a, b) = ring.oldest_first();
                    m.resum(a, b)
                }
                None => continue,
                Some(old) => {
                    let (a, b) = ring.oldest_first();
                    if clock.tick() {
                        m.resum(a, b)
                    } else {
                        let v = m.slide(x, old);
                        if m.drifted(v) { m.resum(a, b) } else { v }
                    }
                }
            };
            let want = two_pass(&xs[i + 1 - n..=i]);
            assert!((got - want).abs() <= 1e-10 * want, "i={i} got={got} want={want}");
        }
    }

    #[test]
    fn ring_returns_oldest_first() {
        let mut r = Ring::new(3);
        assert_eq!(r.push(1.0), None);
        assert_eq!(r.push(2.0), None);
        assert!(!r.is_full());
        assert_eq!(r.push(3.0), None);
        assert!(r.is_full());
        assert_eq!(r.push(4.0), Some(1.0));
        let (a, b) = r.oldest_first();
        assert_eq!([a, b].concat(), vec![2.0, 3.0, 4.0]);
    }

    #[test]
    fn rolling_sum_recovers_after_large_term_leaves() {
        let mut s = RollingSum::default();
        let v = s.resum(&[1e6, 1e-6], &[]);
        assert_eq!(v, 1e6 + 1e-6);
        let v = s.slide(1e-6, 1e6);
        assert!(s.drifted(v));
    }
}
