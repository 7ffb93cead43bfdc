//! `CLOSE_TO_CLOSE`: sample standard deviation (ddof 1) of the last n log
//! returns, × √N. Needs n + 1 closes.
//!
//! The streaming state and the batch kernel share [`Moments`] and the
//! fixed re-summation points of [`ResumClock`]; the batch kernel only
//! reorganizes the same arithmetic for speed (see [`batch`]).

use std::ops::Range;

use super::config::{Bar, VolatilityConfig};
use super::ln::{fast_ln, fast_ln_checked};
use super::rolling::{BLOCK, Moments, ResumClock, Ring, drifted, sum_sq_dev};
use super::validate::check_closes;
use crate::error::Result;
use crate::parallel;
use crate::simd::{Isa, Work};

/// Blocks per chunk of the batch kernel: this many independent running sums
/// advance side by side, which hides the latency of each addition, and the
/// chunk's buffers (≈ 40 KB) stay in L1/L2.
const BLOCKS_PER_CHUNK: usize = 4;

/// Closes per chunk.
pub(crate) const CHUNK: usize = BLOCK * BLOCKS_PER_CHUNK;

/// `√(max(Σ(r − r̄)², 0) · N / (n − 1))`: the annualized sample std.
/// (Written as a comparison rather than `f64::max` so that it compiles to
/// one SIMD max: the input is never NaN.)
#[inline(always)]
fn annualize(sum_sq_dev: f64, scale: f64) -> f64 {
    let v = if sum_sq_dev > 0.0 { sum_sq_dev } else { 0.0 };
    (v * scale).sqrt()
}

#[inline]
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
    /// (Always inlined: it is the whole per-bar work of a streaming
    /// detector, and a call would cost as much as its arithmetic.)
    #[inline(always)]
    pub(crate) fn push(&mut self, close: f64) -> Option<f64> {
        let sum_sq_dev = self.push_log(fast_ln(close))?;
        Some(annualize(sum_sq_dev, self.scale))
    }

    /// [`Self::push`] of consecutive bars' closes, the value after bar `i`
    /// (NaN before the first full window) into `out[i]`: the same operations
    /// on the same values, reorganized in three loops per block so that the
    /// independent ones (logarithms, square roots) overlap across bars
    /// instead of waiting on each other.
    pub(crate) fn push_bars(&mut self, bars: &[Bar], out: &mut [f64]) {
        const SUB: usize = 256;
        let mut logs = [0.0; SUB];
        for (bars, out) in bars.chunks(SUB).zip(out.chunks_mut(SUB)) {
            let logs = &mut logs[..bars.len()];
            for (l, bar) in logs.iter_mut().zip(bars) {
                *l = fast_ln(bar.close);
            }
            // Σ(r − r̄)², or NaN before the first window (a defined one is
            // always finite: the prices were validated).
            let (mut prev_log, mut moments, mut clock) = (self.prev_log, self.moments, self.clock);
            for (o, &log) in out.iter_mut().zip(logs.iter()) {
                *o = step(&mut prev_log, &mut self.window, &mut moments, &mut clock, log)
                    .unwrap_or(f64::NAN);
            }
            (self.prev_log, self.moments, self.clock) = (prev_log, moments, clock);
            let scale = self.scale;
            for o in out.iter_mut() {
                let v = *o;
                *o = if v.is_nan() { v } else { annualize(v, scale) };
            }
        }
    }

    /// The window step of [`Self::push`] from the close's logarithm:
    /// `Σ(r − r̄)²` once n returns are in the window.
    #[inline(always)]
    fn push_log(&mut self, log: f64) -> Option<f64> {
        step(&mut self.prev_log, &mut self.window, &mut self.moments, &mut self.clock, log)
    }
}

/// The window step of the streaming state, on its parts: a caller that runs
/// many steps (`push_bars`) passes local copies of the small ones, which then
/// live in registers instead of being stored and reloaded every bar.
#[inline(always)]
fn step(
    prev_log: &mut Option<f64>,
    window: &mut Ring,
    moments: &mut Moments,
    clock: &mut ResumClock,
    log: f64,
) -> Option<f64> {
    let prev = prev_log.replace(log)?;
    let r = log - prev;
    let sum_sq_dev = match window.push(r) {
        None if window.is_full() => {
            let (older, newer) = window.oldest_first();
            moments.resum(older, newer)
        }
        None => return None,
        Some(old) => {
            let resum_point = clock.tick();
            let v = if resum_point { f64::NAN } else { moments.slide(r, old) };
            if resum_point || moments.drifted(v) {
                let (older, newer) = window.oldest_first();
                moments.resum(older, newer)
            } else {
                v
            }
        }
    };
    Some(sum_sq_dev)
}

/// One block with the streaming semantics: exact sums at its first
/// position, then slides with the per-position drift check. `logs[p..=p + n]`
/// are the logs of the window of position `p` (n + 1 closes). Writes
/// `Σ(r − r̄)²` of positions `p0..p0 + ssd.len()` into `ssd`.
/// (Always inlined, as every function below [`batch_part`]: see
/// [`crate::simd`].)
#[inline(always)]
fn block_scalar(logs: &[f64], n: usize, p0: usize, ssd: &mut [f64]) {
    // Returns of the block's windows: rets[i] ends at log p0 + 1 + i.
    let len = ssd.len();
    let rets: Vec<f64> = logs[p0..p0 + n + len].windows(2).map(|w| w[1] - w[0]).collect();
    let mut moments = Moments::new(n);
    for (k, out) in ssd.iter_mut().enumerate() {
        *out = if k == 0 {
            moments.resum(&rets[..n], &[])
        } else {
            let v = moments.slide(rets[k + n - 1], rets[k - 1]);
            if moments.drifted(v) { moments.resum(&rets[k..k + n], &[]) } else { v }
        };
    }
}

/// Scratch of the fast path: increments, then running sums, per position.
struct Sums {
    s: Vec<f64>,
    q: Vec<f64>,
    e: Vec<f64>,
    window: Vec<f64>,
}

/// Lanes of the partial sums and minima of a block (a divisor of
/// [`BLOCK`]): written as fixed-width inner loops, they become SIMD.
const E_LANES: usize = 8;

/// Safety factor on the block bound of `e`: covers the different order of
/// its additions (≤ 256 ulp) many times over.
const E_BOUND_MARGIN: f64 = 1.0 + 1e-12;

/// A full chunk of [`CHUNK`] positions, in passes that are each either SIMD
/// or free of long dependency chains:
/// 1. per block: exact sums at its first position (as the streaming state
///    re-sums there), then the increments of `s` and `q` of the others from
///    the logs (SIMD), and a bound of the drift magnitude `e` at the block's
///    end (`e` only grows within a block);
/// 2. running sums of `s` and `q`, the blocks side by side (independent
///    chains instead of one);
/// 3. `Σ(r − r̄)²` and its minimum per block, then the annualized values
///    (SIMD).
///
/// The increments and the order of the additions of `s` and `q` are those
/// of [`Moments::slide`], so the values are the streaming state's bit for
/// bit — provided the streaming drift check never fires in the block, which
/// holds when the block's minimum stays above the trigger at the block's
/// largest `e`. Otherwise (rare: a window whose variance collapsed) the block
/// is redone by [`block_scalar`], which follows the streaming rules exactly.
// Index loops on purpose: a lane index into several fixed-size arrays is the
// shape LLVM turns into SIMD (iterator chains of six zips were not).
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn chunk_fast(logs: &[f64], n: usize, scale: f64, sums: &mut Sums, out: &mut [f64]) {
    const NB: usize = BLOCKS_PER_CHUNK;
    let (s, q, e) = (&mut sums.s[..CHUNK], &mut sums.q[..CHUNK], &mut sums.e[..BLOCK]);
    let mut e_end = [0.0; NB];
    let mut inv_n = 0.0;
    for b in 0..NB {
        let p0 = b * BLOCK;
        let window = &mut sums.window[..n];
        for (r, w) in window.iter_mut().zip(logs[p0..=p0 + n].windows(2)) {
            *r = w[1] - w[0];
        }
        let mut moments = Moments::new(n);
        moments.resum(window, &[]);
        let e0;
        (s[p0], q[p0], e0) = moments.sums();
        inv_n = moments.inv_n();
        let c = moments.shift();
        // Position p's new return is logs[p + n] − logs[p + n − 1]; its old
        // return (leaving) is logs[p] − logs[p − 1].
        // Increments of positions p0 + 1 .. p0 + BLOCK. Every slice has the
        // loop's length, so there are no bounds checks and the loop is SIMD.
        let len = BLOCK - 1;
        let xs = &mut s[p0 + 1..p0 + 1 + len];
        let ys = &mut q[p0 + 1..p0 + 1 + len];
        let es = &mut e[..len];
        let new_hi = &logs[p0 + n + 1..p0 + n + 1 + len];
        let new_lo = &logs[p0 + n..p0 + n + len];
        let old_hi = &logs[p0 + 1..p0 + 1 + len];
        let old_lo = &logs[p0..p0 + len];
        for k in 0..len {
            (xs[k], ys[k], es[k]) =
                Moments::increments(new_hi[k] - new_lo[k], old_hi[k] - old_lo[k], c);
        }
        // `e` at the block's end, summed lane-wise (order differs from the
        // streaming sum: hence the margin).
        let mut e_part = [0.0; E_LANES];
        let (ea, tail) = es.as_chunks::<E_LANES>();
        for chunk in ea {
            for l in 0..E_LANES {
                e_part[l] += chunk[l];
            }
        }
        let e_sum = e_part.iter().sum::<f64>() + tail.iter().sum::<f64>();
        e_end[b] = (e0 + e_sum) * E_BOUND_MARGIN;
    }
    let mut acc_s: [f64; NB] = std::array::from_fn(|b| s[b * BLOCK]);
    let mut acc_q: [f64; NB] = std::array::from_fn(|b| q[b * BLOCK]);
    for j in 1..BLOCK {
        for b in 0..NB {
            let p = b * BLOCK + j;
            acc_s[b] += s[p];
            s[p] = acc_s[b];
            acc_q[b] += q[p];
            q[p] = acc_q[b];
        }
    }
    for b in 0..NB {
        let range = b * BLOCK..(b + 1) * BLOCK;
        let mut low = [f64::INFINITY; E_LANES];
        let (oa, _) = out[range.clone()].as_chunks_mut::<E_LANES>();
        let (sa, _) = s[range.clone()].as_chunks::<E_LANES>();
        let (qa, _) = q[range.clone()].as_chunks::<E_LANES>();
        for ((oc, sc), qc) in oa.iter_mut().zip(sa).zip(qa) {
            for l in 0..E_LANES {
                let v = sum_sq_dev(sc[l], qc[l], inv_n);
                low[l] = if v < low[l] { v } else { low[l] };
                oc[l] = v;
            }
        }
        let low = low.iter().fold(f64::INFINITY, |m, &v| if v < m { v } else { m });
        if drifted(low, e_end[b]) {
            block_scalar(logs, n, b * BLOCK, &mut out[range.clone()]);
        }
        // The square roots in a loop of their own: a plain map, which LLVM
        // vectorizes at every width (inside the lane loop above, with the
        // generic tuning of a target-feature function, it did not: scalar
        // square roots took a third of the time).
        for o in &mut out[range] {
            *o = annualize(*o, scale);
        }
    }
}

/// Scratch of one worker of the batch kernel (≈ 40 KB: it stays in cache).
struct Scratch {
    logs: Vec<f64>,
    sums: Sums,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            logs: vec![0.0; n + CHUNK],
            sums: Sums {
                s: vec![0.0; CHUNK],
                q: vec![0.0; CHUNK],
                e: vec![0.0; BLOCK],
                window: vec![0.0; n],
            },
        }
    }
}

/// Fewest positions per part when the batch kernel splits a series across
/// threads: below this a thread's start (tens of µs) is not repaid, so a
/// series shorter than two of them (2¹⁶ closes) runs on the calling thread.
pub(crate) const PART_MIN: usize = 1 << 15;

/// First steps of the batch kernel: fills the values before the first full
/// window with NaN, validates its closes, and returns the ranges of
/// positions (close indices) that [`batch_part`] computes — at most
/// `threads` of them, each a whole number of [`CHUNK`]s from the first full
/// window (but the last), so that each starts at a fixed re-summation point
/// and the parts are independent: computed in any order or at the same time,
/// they give the bits of one sequential pass.
///
/// # Errors
/// `InvalidInput` naming `close[i]` for a bad close in the first window (or
/// anywhere, for a series shorter than a window).
pub(crate) fn batch_parts(
    closes: &[f64],
    cfg: &VolatilityConfig,
    out: &mut [f64],
    threads: usize,
) -> Result<Vec<Range<usize>>> {
    let n = cfg.lookback;
    let len = closes.len();
    out[..n.min(len)].fill(f64::NAN);
    if len <= n {
        check_closes(closes, 0)?;
        return Ok(Vec::new());
    }
    check_closes(&closes[..n], 0)?;
    let chunks = (len - n).div_ceil(CHUNK);
    // Counts stay below u32::MAX on a series this long, which the
    // stitching of the regime stage relies on.
    let fits = u32::try_from(len).is_ok();
    let parts = if fits { threads.min(len / PART_MIN).clamp(1, chunks) } else { 1 };
    let per_part = chunks.div_ceil(parts) * CHUNK;
    Ok((n..len).step_by(per_part).map(|start| start..(start + per_part).min(len)).collect())
}

/// Batch kernel over the positions `part` (one of [`batch_parts`]' ranges):
/// writes the value of close `part.start + i` into `out[i]` and calls
/// `on_chunk.chunk(range, values)` for every chunk of it, in order, right after
/// writing it (the regime stage hooks there while the chunk is still in
/// cache; `range` is in close indices).
///
/// Schedule: chunks of [`CHUNK`] closes starting at the part's start, so
/// that every block of [`BLOCK`] positions starts at a fixed re-summation
/// point; per chunk, validation and logarithms in one SIMD loop, then
/// [`chunk_fast`] (or [`block_scalar`] for a partial chunk).
///
/// # Errors
/// `InvalidInput` naming `close[i]` for the first bad close of the part
/// (everything before it may have been written).
///
/// Always inlined, with everything it calls on the hot path: a caller that
/// runs it inside an [`Isa`] context (a `#[target_feature]` function) gets
/// all of it compiled for that instruction set (see [`crate::simd`]).
#[inline(always)]
pub(crate) fn batch_part(
    closes: &[f64],
    cfg: &VolatilityConfig,
    part: Range<usize>,
    out: &mut [f64],
    mut on_chunk: impl OnChunk,
) -> Result<()> {
    let n = cfg.lookback;
    let scale = scale_of(cfg);
    let Scratch { logs: mut all_logs, mut sums } = Scratch::new(n);
    let mut start = part.start;
    while start < part.end {
        let end = (start + CHUNK).min(part.end);
        let m = end - start;
        // logs[i] = ln close[start − n + i]: position p (close start + p)
        // has its window's n + 1 logs at logs[p..=p + n].
        let logs = &mut all_logs[..n + m];
        if !fast_ln_checked(&closes[start - n..end], logs) {
            check_closes(&closes[start..end], start)?;
        }
        let logs = &*logs;
        let dst = &mut out[start - part.start..end - part.start];
        if m == CHUNK {
            chunk_fast(logs, n, scale, &mut sums, dst);
        } else {
            for p0 in (0..m).step_by(BLOCK) {
                let block = &mut sums.s[..BLOCK.min(m - p0)];
                block_scalar(logs, n, p0, block);
                for (o, &v) in dst[p0..].iter_mut().zip(&*block) {
                    *o = annualize(v, scale);
                }
            }
        }
        debug_assert!(
            dst.iter().all(|v| *v >= 0.0),
            "Invariant: a volatility is never negative or NaN"
        );
        on_chunk.chunk(start..end, dst);
        start = end;
    }
    Ok(())
}

/// The volatility alone over a whole series, with up to `threads` threads,
/// each part's work run in `isa`: one value per close into `out` (NaN
/// before index n).
///
/// # Errors
/// `InvalidInput` naming `close[i]` for the first bad close.
pub(crate) fn batch(
    closes: &[f64],
    cfg: &VolatilityConfig,
    out: &mut [f64],
    threads: usize,
    isa: impl Isa,
) -> Result<()> {
    let out = &mut out[..closes.len()];
    let parts = batch_parts(closes, cfg, out, threads)?;
    let Some(first) = parts.first() else { return Ok(()) };
    let jobs: Vec<_> =
        parts.iter().cloned().zip(split_parts(&mut out[first.start..], &parts)).collect();
    parallel::run_all(jobs, |(part, out)| isa.run(PartWork { closes, cfg, part, out }))
        .into_iter()
        .collect()
}

/// What [`batch_part`] does with each chunk of values it wrote (the regime
/// stage's hook). A trait rather than a closure so that it can be
/// `#[inline(always)]` (see [`crate::simd::Work`]).
pub(crate) trait OnChunk {
    /// Called with the close indices of the chunk and its values.
    fn chunk(&mut self, range: Range<usize>, values: &[f64]);
}

/// No hook: the volatility alone.
impl OnChunk for () {
    #[inline(always)]
    fn chunk(&mut self, _: Range<usize>, _: &[f64]) {}
}

/// A hook lent to the kernel (the caller keeps what it gathered).
impl<H: OnChunk> OnChunk for &mut H {
    #[inline(always)]
    fn chunk(&mut self, range: Range<usize>, values: &[f64]) {
        (**self).chunk(range, values);
    }
}

/// The volatility of one part of [`batch`], as [`Work`] for an [`Isa`].
struct PartWork<'a> {
    closes: &'a [f64],
    cfg: &'a VolatilityConfig,
    part: Range<usize>,
    out: &'a mut [f64],
}

impl Work for PartWork<'_> {
    type Output = Result<()>;
    #[inline(always)]
    fn call(self) -> Result<()> {
        batch_part(self.closes, self.cfg, self.part, self.out, ())
    }
}

/// `values` (starting at the first part's start) split into one slice per
/// part of `parts` (consecutive ranges).
pub(crate) fn split_parts<'a, T>(
    mut values: &'a mut [T],
    parts: &[Range<usize>],
) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let at = part.len().min(values.len());
        let (head, tail) = std::mem::take(&mut values).split_at_mut(at);
        out.push(head);
        values = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_on_threads_give_the_sequential_and_streaming_bits() {
        // A long series (split into parts) with a flat stretch across the
        // boundary of the first two parts: the variance collapses and the
        // drift check re-sums, in the batch as in the stream.
        let mut price = 100.0_f64;
        let closes: Vec<f64> = (0..150_000u32)
            .map(|i| {
                if !(74_000..77_000).contains(&i) {
                    let wiggle = f64::from((i.wrapping_mul(2_654_435_761) >> 7) % 2001) - 1000.0;
                    price *= 1.0 + 1e-5 * wiggle;
                }
                price
            })
            .collect();
        let cfg = VolatilityConfig::default();
        let parts = batch_parts(&closes, &cfg, &mut vec![0.0; closes.len()], 2).unwrap();
        assert_eq!(parts.len(), 2);
        assert!((74_000 + cfg.lookback..77_000).contains(&parts[0].end));
        let run = |threads| {
            let mut out = vec![0.0; closes.len()];
            batch(&closes, &cfg, &mut out, threads, crate::simd::Portable).unwrap();
            out.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            assert_eq!(run(threads), one, "{threads} threads");
        }
        let mut state = CloseToCloseState::new(&cfg);
        for (i, &c) in closes.iter().enumerate() {
            let want = state.push(c).unwrap_or(f64::NAN);
            assert_eq!(want.to_bits(), one[i], "close {i}");
        }
        assert_eq!(f64::from_bits(one[75_000]), 0.0);
        assert_eq!(f64::from_bits(one[parts[0].end + 100]), 0.0);
        // Short series stay on one part.
        assert_eq!(
            batch_parts(&closes[..60_000], &cfg, &mut vec![0.0; 60_000], 8).unwrap().len(),
            1
        );
    }
}
