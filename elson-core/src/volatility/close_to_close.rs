//! `CLOSE_TO_CLOSE`: sample standard deviation (ddof 1) of the last n log
//! returns, × √N. Needs n + 1 closes.
//!
//! The streaming state and the batch kernel share [`Moments`] and the
//! fixed re-summation points of [`ResumClock`]; the batch kernel only
//! reorganizes the same arithmetic for speed (see [`batch`]).

use std::ops::Range;

use super::config::VolatilityConfig;
use super::ln::{fast_ln, fast_ln_slice};
use super::rolling::{BLOCK, Moments, ResumClock, Ring, drifted, sum_sq_dev};
use super::validate::check_closes;
use crate::error::Result;

/// Blocks per chunk of the batch kernel: this many independent running sums
/// advance side by side, which hides the latency of each addition.
const BLOCKS_PER_CHUNK: usize = 8;

/// Closes per chunk: the logs, returns and output of a chunk stay in L1/L2
/// while the regime stage reads them.
pub(crate) const CHUNK: usize = BLOCK * BLOCKS_PER_CHUNK;

/// `√(max(Σ(r − r̄)², 0) · N / (n − 1))`: the annualized sample std.
/// (Written as a comparison rather than `f64::max` so that it compiles to
/// one SIMD max: the input is never NaN.)
#[inline(always)]
fn annualize(sum_sq_dev: f64, scale: f64) -> f64 {
    let v = if sum_sq_dev > 0.0 { sum_sq_dev } else { 0.0 };
    (v * scale).sqrt()
}

fn scale_of(cfg: &VolatilityConfig) -> f64 {
    f64::from(cfg.periods_per_year) / (cfg.lookback - 1) as f64
}

/// Streaming state (prices already validated by the caller).
#[derive(Debug, Clone)]
pub(crate) struct CloseToCloseState {
    scale: f64,
    prev_log: Option<f64>,
    window: Ring,
    moments: Moments,
    clock: ResumClock,
}

impl CloseToCloseState {
    pub(crate) fn new(cfg: &VolatilityConfig) -> CloseToCloseState {
        CloseToCloseState {
            scale: scale_of(cfg),
            prev_log: None,
            window: Ring::new(cfg.lookback),
            moments: Moments::new(cfg.lookback),
            clock: ResumClock::new(),
        }
    }

    /// Adds a valid close; the value once n returns are in the window.
    pub(crate) fn push(&mut self, close: f64) -> Option<f64> {
        let log = fast_ln(close);
        let prev = self.prev_log.replace(log)?;
        let r = log - prev;
        let sum_sq_dev = match self.window.push(r) {
            None if self.window.is_full() => {
                let (older, newer) = self.window.oldest_first();
                self.moments.resum(older, newer)
            }
            None => return None,
            Some(old) => {
                let resum_point = self.clock.tick();
                let v = if resum_point { f64::NAN } else { self.moments.slide(r, old) };
                if resum_point || self.moments.drifted(v) {
                    let (older, newer) = self.window.oldest_first();
                    self.moments.resum(older, newer)
                } else {
                    v
                }
            }
        };
        Some(annualize(sum_sq_dev, self.scale))
    }
}

/// One block with the streaming semantics: exact sums at `p0`, then slides
/// with the drift check. `rets[p..p + n]` is the window of position `p`.
/// Writes `Σ(r − r̄)²` of positions `p0..p0 + ssd.len()` into `ssd`.
fn block_scalar(rets: &[f64], n: usize, p0: usize, ssd: &mut [f64]) {
    let mut moments = Moments::new(n);
    for (k, out) in ssd.iter_mut().enumerate() {
        let p = p0 + k;
        *out = if k == 0 {
            moments.resum(&rets[p..p + n], &[])
        } else {
            let v = moments.slide(rets[p + n - 1], rets[p - 1]);
            if moments.drifted(v) { moments.resum(&rets[p..p + n], &[]) } else { v }
        };
    }
}

/// Scratch of the fast path: increments, then running sums, per position.
struct Sums {
    s: Vec<f64>,
    q: Vec<f64>,
    e: Vec<f64>,
}

/// Blocks whose running sums advance side by side in [`chunk_fast`]: enough
/// independent chains to hide the latency of an addition, few enough that
/// the 3 × 4 accumulators stay in registers.
const LANES: usize = 4;

/// A full chunk of [`CHUNK`] positions, in passes that are each either SIMD
/// or free of long dependency chains:
/// 1. per block, exact sums at its first position and the increments of the
///    others (SIMD);
/// 2. running sums, [`LANES`] blocks side by side (independent chains);
/// 3. `Σ(r − r̄)²`, the drift check and the annualized value (SIMD).
///
/// Same increments and same order of additions as [`block_scalar`], so the
/// bits are the same; a block where the drift check fires is redone by
/// [`block_scalar`].
fn chunk_fast(rets: &[f64], n: usize, scale: f64, sums: &mut Sums, out: &mut [f64]) {
    let (s, q, e) = (&mut sums.s[..CHUNK], &mut sums.q[..CHUNK], &mut sums.e[..CHUNK]);
    let mut inv_n = 0.0;
    for b in 0..BLOCKS_PER_CHUNK {
        let p0 = b * BLOCK;
        let mut moments = Moments::new(n);
        moments.resum(&rets[p0..p0 + n], &[]);
        (s[p0], q[p0], e[p0]) = moments.sums();
        inv_n = moments.inv_n();
        let c = moments.shift();
        let range = p0 + 1..p0 + BLOCK;
        let news = &rets[p0 + n..p0 + n + BLOCK - 1];
        let olds = &rets[p0..p0 + BLOCK - 1];
        for (((x, y), z), (&new, &old)) in s[range.clone()]
            .iter_mut()
            .zip(&mut q[range.clone()])
            .zip(&mut e[range])
            .zip(news.iter().zip(olds))
        {
            (*x, *y, *z) = Moments::increments(new, old, c);
        }
    }
    for group in (0..BLOCKS_PER_CHUNK).step_by(LANES) {
        let base = group * BLOCK;
        let mut acc_s: [f64; LANES] = std::array::from_fn(|l| s[base + l * BLOCK]);
        let mut acc_q: [f64; LANES] = std::array::from_fn(|l| q[base + l * BLOCK]);
        let mut acc_e: [f64; LANES] = std::array::from_fn(|l| e[base + l * BLOCK]);
        for j in 1..BLOCK {
            for l in 0..LANES {
                let p = base + l * BLOCK + j;
                acc_s[l] += s[p];
                s[p] = acc_s[l];
                acc_q[l] += q[p];
                q[p] = acc_q[l];
                acc_e[l] += e[p];
                e[p] = acc_e[l];
            }
        }
    }
    for b in 0..BLOCKS_PER_CHUNK {
        let range = b * BLOCK..(b + 1) * BLOCK;
        let mut any_drift = false;
        for (((o, &s), &q), &e) in out[range.clone()]
            .iter_mut()
            .zip(&s[range.clone()])
            .zip(&q[range.clone()])
            .zip(&e[range.clone()])
        {
            let v = sum_sq_dev(s, q, inv_n);
            any_drift |= drifted(v, e);
            *o = annualize(v, scale);
        }
        if any_drift {
            // Rare (a window whose variance collapsed): redo exactly as the
            // streaming state does, re-summing where it re-sums.
            let block = &mut s[range.clone()];
            block_scalar(rets, n, b * BLOCK, block);
            for (o, &v) in out[range].iter_mut().zip(&*block) {
                *o = annualize(v, scale);
            }
        }
    }
}

/// Batch kernel. Writes one value per close into `out` (NaN before index
/// n) and calls `on_chunk(range, &out[range])` for every range of defined
/// values, in order, right after writing it (the regime stage hooks there
/// while the chunk is still in cache).
///
/// Schedule: chunks of [`CHUNK`] closes starting at the first full window,
/// so that every block of [`BLOCK`] positions starts at a fixed
/// re-summation point. Per chunk: validation and logarithms (SIMD), returns
/// (SIMD), per-block exact sums and increments (SIMD), running sums of the
/// blocks side by side, square roots (SIMD). The state after a fixed
/// re-summation only depends on the window, so this equals the streaming
/// state bit for bit.
///
/// # Errors
/// `InvalidInput` naming `close[i]` for the first bad close (everything
/// before it may have been written).
pub(crate) fn batch(
    closes: &[f64],
    cfg: &VolatilityConfig,
    out: &mut [f64],
    mut on_chunk: impl FnMut(Range<usize>, &[f64]),
) -> Result<()> {
    let n = cfg.lookback;
    let len = closes.len();
    let out = &mut out[..len];
    out[..n.min(len)].fill(f64::NAN);
    if len <= n {
        return check_closes(closes, 0);
    }
    let scale = scale_of(cfg);
    check_closes(&closes[..n], 0)?;
    let mut logs = vec![0.0; n + CHUNK];
    let mut rets = vec![0.0; n + CHUNK];
    let mut ssd = vec![0.0; CHUNK];
    let mut sums = Sums { s: vec![0.0; CHUNK], q: vec![0.0; CHUNK], e: vec![0.0; CHUNK] };
    let mut start = n;
    while start < len {
        let end = (start + CHUNK).min(len);
        let m = end - start;
        check_closes(&closes[start..end], start)?;
        // logs[i] = ln close[start − n + i]; rets[i] = return ending at
        // close start − n + 1 + i, so position p's window is rets[p..p + n].
        let logs = &mut logs[..n + m];
        fast_ln_slice(&closes[start - n..end], logs);
        let rets = &mut rets[..n + m - 1];
        for ((r, &l1), &l0) in rets.iter_mut().zip(&logs[1..]).zip(&logs[..n + m - 1]) {
            *r = l1 - l0;
        }
        let rets = &*rets;
        let dst = &mut out[start..end];
        if m == CHUNK {
            chunk_fast(rets, n, scale, &mut sums, dst);
        } else {
            for p0 in (0..m).step_by(BLOCK) {
                let block = &mut ssd[..BLOCK.min(m - p0)];
                block_scalar(rets, n, p0, block);
                for (o, &v) in dst[p0..].iter_mut().zip(&*block) {
                    *o = annualize(v, scale);
                }
            }
        }
        on_chunk(start..end, &out[start..end]);
        start = end;
    }
    Ok(())
}
