//! `CLOSE_TO_CLOSE`: sample standard deviation (ddof 1) of the last n log
//! returns, × √N. Needs n + 1 closes.
//!
//! The streaming state and the batch kernel share [`Moments`] and
//! [`ResumClock`]; the batch kernel only reorganizes the
//! work: logarithms of a chunk of prices in one vectorized loop, returns as
//! differences of logs, then the sequential O(1) slides over the chunk.

use std::ops::Range;

use super::config::VolatilityConfig;
use super::ln::{fast_ln, fast_ln_slice};
use super::rolling::{Moments, ResumClock, Ring};
use super::validate::check_closes;
use crate::error::Result;

/// Prices per chunk of the batch kernel: the logs, the returns and the
/// output of a chunk stay in L1/L2 while the regime stage reads them.
pub(crate) const CHUNK: usize = 2048;

/// `√(max(Σ(r − r̄)², 0) · N / (n − 1))`: the annualized sample std.
#[inline(always)]
fn annualize(sum_sq_dev: f64, scale: f64) -> f64 {
    (sum_sq_dev.max(0.0) * scale).sqrt()
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

/// Batch kernel. Writes one value per close into `out` (NaN before index
/// n) and calls `on_chunk(range, &out[range])` for every range of defined
/// values, in order, right after writing it (the regime stage hooks there
/// while the chunk is still in cache).
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
    let head = n.min(len);
    out[..head].fill(f64::NAN);
    if len <= n {
        return check_closes(closes, 0);
    }
    let scale = scale_of(cfg);

    // Warm-up: closes 0..=n give the first window of n returns.
    check_closes(&closes[..=n], 0)?;
    // rets[..n] always holds the n returns before the current chunk;
    // rets[n + i] is the return ending at close `start + i`.
    let mut rets = vec![0.0; n + CHUNK];
    let mut logs = vec![0.0; CHUNK.max(n + 1)];
    fast_ln_slice(&closes[..=n], &mut logs);
    for i in 0..n {
        rets[i] = logs[i + 1] - logs[i];
    }
    let mut prev_log = logs[n];
    let mut moments = Moments::new(n);
    out[n] = annualize(moments.resum(&rets[..n], &[]), scale);
    on_chunk(n..n + 1, &out[n..n + 1]);
    let mut clock = ResumClock::new();

    let mut start = n + 1;
    while start < len {
        let end = (start + CHUNK).min(len);
        let m = end - start;
        let chunk = &closes[start..end];
        check_closes(chunk, start)?;
        let logs = &mut logs[..m];
        fast_ln_slice(chunk, logs);
        rets[n] = logs[0] - prev_log;
        {
            let (_, tail) = rets.split_at_mut(n + 1);
            for ((r, &l1), &l0) in tail[..m - 1].iter_mut().zip(&logs[1..]).zip(&logs[..m - 1]) {
                *r = l1 - l0;
            }
        }
        prev_log = logs[m - 1];

        let rets_ro = &rets[..n + m];
        let dst = &mut out[start..end];
        for (i, o) in dst.iter_mut().enumerate() {
            let new = rets_ro[n + i];
            let old = rets_ro[i];
            let resum_point = clock.tick();
            let v = if resum_point { f64::NAN } else { moments.slide(new, old) };
            let v = if resum_point || moments.drifted(v) {
                moments.resum(&rets_ro[i + 1..n + i + 1], &[])
            } else {
                v
            };
            *o = annualize(v, scale);
        }
        on_chunk(start..end, &out[start..end]);
        rets.copy_within(m..m + n, 0);
        start = end;
    }
    Ok(())
}
