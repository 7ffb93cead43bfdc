//! Batch regime detection: per-bar arrays over a whole series.

use std::ops::Range;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::config::RegimeConfig;
use super::detector::RegimeReading;
use super::stabilizer::Stabilizer;
use crate::enums::{VolatilityLevel, VolatilityMethod};
use crate::error::{ElsonError, Result};
use crate::parallel;
use crate::simd::{Isa, Portable, Work};
use crate::volatility::close_to_close::{self, OnChunk, split_parts};
use crate::volatility::{Bar, VolatilityConfig, estimate_closes_into_on, estimate_into};

/// Per-bar regime arrays, aligned with the input series. Before the first
/// full window: volatility and confidence `NaN`, level `None`, count 0.
///
/// Struct of arrays (not a `Vec` of readings) because that is what a data
/// scientist plots and what the batch kernel writes at memory speed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegimeSeries {
    /// Annualized volatility per bar.
    pub volatility: Vec<f64>,
    /// Stabilized level per bar.
    pub level: Vec<Option<VolatilityLevel>>,
    /// Confidence score per bar.
    pub confidence: Vec<f64>,
    /// `stabilization_count` per bar.
    pub stabilization_count: Vec<u32>,
}

impl RegimeSeries {
    /// Number of bars.
    pub fn len(&self) -> usize {
        self.volatility.len()
    }

    /// True for an empty series.
    pub fn is_empty(&self) -> bool {
        self.volatility.is_empty()
    }

    /// Sets every array to `len` entries, keeping the allocations, and
    /// fills the entries before `first` (the ones no kernel writes) with the
    /// "no value yet" markers. Only what is not overwritten later is
    /// touched: on 10⁷ bars a full clear costs as much as the computation.
    fn reset(&mut self, len: usize, first: usize) {
        self.volatility.resize(len, f64::NAN);
        self.level.resize(len, None);
        self.confidence.resize(len, f64::NAN);
        self.stabilization_count.resize(len, 0);
        let first = first.min(len);
        self.volatility[..first].fill(f64::NAN);
        self.level[..first].fill(None);
        self.confidence[..first].fill(f64::NAN);
        self.stabilization_count[..first].fill(0);
    }
}

/// A slot of a level output: the typed `Option<VolatilityLevel>` of
/// [`RegimeSeries`] or the `i8` code of [`RegimeBuffers`].
trait LevelSlot: Copy + PartialEq + Send {
    /// Before the first full window.
    const NONE: Self;
    /// The slot of `level`.
    fn of(level: VolatilityLevel) -> Self;
}

impl LevelSlot for Option<VolatilityLevel> {
    const NONE: Self = None;
    #[inline(always)]
    fn of(level: VolatilityLevel) -> Self {
        Some(level)
    }
}

impl LevelSlot for i8 {
    const NONE: Self = NO_LEVEL;
    #[inline(always)]
    fn of(level: VolatilityLevel) -> Self {
        level_code(Some(level))
    }
}

/// The code of "no level yet" in a level-code array.
pub const NO_LEVEL: i8 = -1;

/// The compact code of a level, as [`detect_closes_to`] writes it (one byte
/// per bar, e.g. for a numpy `int8` array): 0 LOW, 1 NORMAL, 2 HIGH,
/// 3 EXTREME (the order of [`VolatilityLevel::ALL`]), [`NO_LEVEL`] (−1) for
/// none.
///
/// ```
/// use elson_core::enums::VolatilityLevel;
/// use elson_core::regime::level_code;
/// assert_eq!(level_code(Some(VolatilityLevel::High)), 2);
/// assert_eq!(level_code(None), -1);
/// ```
#[inline(always)]
pub const fn level_code(level: Option<VolatilityLevel>) -> i8 {
    match level {
        None => NO_LEVEL,
        Some(VolatilityLevel::Low) => 0,
        Some(VolatilityLevel::Normal) => 1,
        Some(VolatilityLevel::High) => 2,
        Some(VolatilityLevel::Extreme) => 3,
    }
}

/// The stateless half of the regime stage: confidence per bar.
#[derive(Clone, Copy)]
struct Stage {
    cfg: RegimeConfig,
    lookback: usize,
    /// Observations at index i are `i + obs_offset` (returns: i, bars: i + 1).
    obs_offset: usize,
}

impl Stage {
    fn new(vol: &VolatilityConfig, regime: &RegimeConfig) -> Stage {
        Stage {
            cfg: *regime,
            lookback: vol.lookback,
            obs_offset: if vol.uses_closes_only() { 0 } else { 1 },
        }
    }

    /// Confidence of the defined values `vol` of the bars from `start` on.
    #[inline(always)]
    fn confidence(&self, start: usize, vol: &[f64], confidence: &mut [f64]) {
        // Branch-free, its own loop: SIMD. Past the first window the
        // sample weight min(1, k/n) is exactly 1.
        let first_full = self.lookback.saturating_sub(start + self.obs_offset).min(vol.len());
        for (j, (c, &v)) in confidence[..first_full].iter_mut().zip(vol).enumerate() {
            *c = self.cfg.confidence(v, start + j + self.obs_offset, self.lookback);
        }
        for (c, &v) in confidence[first_full..].iter_mut().zip(&vol[first_full..]) {
            *c = self.cfg.confidence_full_sample(v);
        }
    }
}

/// Classifies and stabilizes the defined values `vol`, writing the level and
/// optionally the count of each (the levels-only form skips the count: on
/// 10⁷ bars its memory traffic costs more than its computation).
#[inline(always)]
fn stabilize<L: LevelSlot>(
    cfg: &RegimeConfig,
    stabilizer: &mut Stabilizer,
    vol: &[f64],
    level: &mut [L],
    mut count: Option<&mut [u32]>,
) {
    /// Values classified at a time: their codes stay in L1.
    const PIECE: usize = 1024;
    let level = &mut level[..vol.len()];
    let mut codes = [0u8; PIECE];
    for (piece_no, piece) in vol.chunks(PIECE).enumerate() {
        // Every value's level code in one branch-free loop (SIMD at every
        // width), then the stabilizer, with whole runs of the settled level
        // at once (found 8 codes at a time); the state machine only sees
        // the values where the raw level differs from the settled one.
        let codes = &mut codes[..piece.len()];
        for (c, &v) in codes.iter_mut().zip(piece) {
            *c = cfg.level_code(v);
        }
        let base = piece_no * PIECE;
        let level = &mut level[base..base + piece.len()];
        let mut count = count.as_deref_mut().map(|c| &mut c[base..base + piece.len()]);
        let mut i = 0;
        while i < codes.len() {
            if let Some((settled, c0)) = stabilizer.settled() {
                let run = run_length(&codes[i..], level_code(Some(settled)).cast_unsigned());
                if run > 0 && u64::from(c0) + (run as u64) < u64::from(u32::MAX) {
                    level[i..i + run].fill(L::of(settled));
                    if let Some(count) = count.as_deref_mut() {
                        for (k, n) in count[i..i + run].iter_mut().enumerate() {
                            *n = c0 + 1 + k as u32;
                        }
                    }
                    stabilizer.advance_settled(run as u32);
                    i += run;
                    continue;
                }
            }
            let (lv, cnt) = stabilizer.push(RegimeConfig::level_of_code(codes[i]));
            level[i] = L::of(lv);
            if let Some(count) = count.as_deref_mut() {
                count[i] = cnt;
            }
            i += 1;
        }
    }
}

/// The stabilization of one part of a series split across threads, started
/// from the empty state — the true state for the first part; for a later
/// one a guess that [`Part::stitch`] corrects once the previous part's
/// final state is known.
///
/// Why a guess is cheap to correct: after `switch_readings` consecutive
/// identical raw readings R the state is "settled on R" whatever it was
/// before (the same level again only counts up, a candidate R switches on
/// its last reading). From that reading on (`sync`) the guessed and the
/// true runs take the same transitions; their levels agree, and their
/// counts differ by a constant until the first switch (a switch sets the
/// count to `switch_readings` in both).
struct Part {
    stabilizer: Stabilizer,
    /// The last raw reading and how many times in a row it was read, until
    /// `sync` is found.
    run: Option<(VolatilityLevel, u32)>,
    /// Part-relative index of the reading after which the state no longer
    /// depends on the start, with the level and the count there.
    sync: Option<(usize, VolatilityLevel, u32)>,
    /// Part-relative index of the first level switch after `sync`.
    first_switch: Option<usize>,
    /// Readings fed so far.
    done: usize,
}

impl Part {
    #[inline]
    fn new(switch_readings: u32) -> Part {
        Part {
            stabilizer: Stabilizer::new(switch_readings),
            run: None,
            sync: None,
            first_switch: None,
            done: 0,
        }
    }

    /// Stabilizes the next values of the part (slices of the same length).
    /// (Always inlined into the kernel's chunk hook: see [`crate::simd`].)
    #[inline(always)]
    fn feed<L: LevelSlot>(
        &mut self,
        cfg: &RegimeConfig,
        vol: &[f64],
        level: &mut [L],
        mut count: Option<&mut [u32]>,
    ) {
        let mut i = 0;
        // One reading at a time until the state is synchronized.
        while self.sync.is_none() && i < vol.len() {
            let reading = cfg.level_of(vol[i]);
            let seen = match self.run {
                Some((r, seen)) if r == reading => seen + 1,
                _ => 1,
            };
            self.run = Some((reading, seen));
            let (lv, cnt) = self.stabilizer.push(reading);
            level[i] = L::of(lv);
            if let Some(count) = count.as_deref_mut() {
                count[i] = cnt;
            }
            if seen >= cfg.switch_readings.max(1) {
                debug_assert!(lv == reading, "Invariant: synchronized on the reading");
                self.sync = Some((self.done + i, lv, cnt));
            }
            i += 1;
        }
        stabilize(
            cfg,
            &mut self.stabilizer,
            &vol[i..],
            &mut level[i..],
            count.map(|c| &mut c[i..]),
        );
        if let (Some((_, synced, _)), None) = (self.sync, self.first_switch) {
            let synced = L::of(synced);
            if let Some(k) = level[i..vol.len()].iter().position(|&l| l != synced) {
                self.first_switch = Some(self.done + i + k);
            }
        }
        self.done += vol.len();
    }

    /// Corrects the part's levels and counts (all of the part: `vol`, `level`
    /// and `count` are the part's slices) given the true `state` before it,
    /// and leaves there the true state after it.
    fn stitch<L: LevelSlot>(
        self,
        cfg: &RegimeConfig,
        state: &mut Stabilizer,
        vol: &[f64],
        level: &mut [L],
        mut count: Option<&mut [u32]>,
    ) {
        let Some((sync, synced, guessed_count)) = self.sync else {
            // Never synchronized: redo the part from the true state.
            stabilize(cfg, state, vol, level, count);
            return;
        };
        // Redo the readings up to the synchronization point …
        let upto = sync + 1;
        stabilize(
            cfg,
            state,
            &vol[..upto],
            &mut level[..upto],
            count.as_deref_mut().map(|c| &mut c[..upto]),
        );
        let (true_level, true_count) = state.current().unwrap_or((synced, guessed_count));
        debug_assert!(true_level == synced, "Invariant: runs agree after synchronization");
        // … then shift the guessed counts up to the first switch.
        let delta = true_count.wrapping_sub(guessed_count);
        let end = self.first_switch.unwrap_or(vol.len());
        if let Some(count) = count {
            for c in &mut count[upto..end] {
                *c = c.wrapping_add(delta);
            }
        }
        *state = self.stabilizer;
        if self.first_switch.is_none() {
            state.shift_count(delta);
        }
    }
}

/// Length of the leading run of `code` in `codes`, 8 codes at a time (one
/// 64-bit comparison; the run's end is the first differing byte), so the
/// search costs neither a branch per value nor SIMD code (which the bit
/// masks of float compares did not reliably become).
#[inline(always)]
fn run_length(codes: &[u8], code: u8) -> usize {
    let pattern = u64::from_le_bytes([code; 8]);
    let (words, tail) = codes.as_chunks::<8>();
    let mut run = 0;
    for word in words {
        let diff = u64::from_le_bytes(*word) ^ pattern;
        if diff != 0 {
            return run + (diff.trailing_zeros() / 8) as usize;
        }
        run += 8;
    }
    run + tail.iter().take_while(|&&c| c == code).count()
}

/// Caller-owned output buffers of [`detect_closes_to`], each as long as the
/// closes: the form for a binding that hands out arrays it allocated itself
/// (numpy), written in one pass without intermediate vectors. The
/// confidence and the count are optional (`None`: not computed).
#[derive(Debug)]
pub struct RegimeBuffers<'a> {
    /// Annualized volatility per bar (NaN before the first full window).
    pub volatility: &'a mut [f64],
    /// Stabilized level per bar as its [`level_code`] ([`NO_LEVEL`] before
    /// the first full window).
    pub level_code: &'a mut [i8],
    /// Confidence score per bar (NaN before the first full window).
    pub confidence: Option<&'a mut [f64]>,
    /// `stabilization_count` per bar (0 before the first full window).
    pub stabilization_count: Option<&'a mut [u32]>,
}

/// The per-bar outputs of the close-series forms, slot type `L` for levels.
struct Outputs<'a, L> {
    volatility: &'a mut [f64],
    level: &'a mut [L],
    confidence: Option<&'a mut [f64]>,
    count: Option<&'a mut [u32]>,
}

impl<L> Outputs<'_, L> {
    fn check_len(&self, len: usize) -> Result<()> {
        let lens = [
            Some(self.volatility.len()),
            Some(self.level.len()),
            self.confidence.as_ref().map(|c| c.len()),
            self.count.as_ref().map(|c| c.len()),
        ];
        if lens.iter().flatten().all(|&l| l == len) {
            return Ok(());
        }
        let lens: Vec<String> = lens.iter().flatten().map(ToString::to_string).collect();
        Err(ElsonError::invalid(
            "out",
            format!("outputs have {} slots for {len} closes", lens.join(", ")),
        ))
    }
}

/// The regime stage of one part, hooked into the volatility kernel: the
/// confidence and the stabilization of each chunk while it is in cache.
struct Hook<'a, L> {
    stage: &'a Stage,
    /// The part's first close index.
    base: usize,
    guess: Part,
    level: &'a mut [L],
    confidence: Option<&'a mut [f64]>,
    count: Option<&'a mut [u32]>,
}

impl<L: LevelSlot> OnChunk for Hook<'_, L> {
    #[inline(always)]
    fn chunk(&mut self, range: Range<usize>, values: &[f64]) {
        let rel = range.start - self.base..range.end - self.base;
        if let Some(c) = self.confidence.as_deref_mut() {
            self.stage.confidence(range.start, values, &mut c[rel.clone()]);
        }
        let count = self.count.as_deref_mut().map(|c| &mut c[rel.clone()]);
        self.guess.feed(&self.stage.cfg, values, &mut self.level[rel], count);
    }
}

/// One part of the fused kernel, as [`Work`] for an [`Isa`]: the
/// volatility with the regime stage hooked in; returns the part's guessed
/// stabilization (see [`Part`]).
struct PartWork<'a, L> {
    closes: &'a [f64],
    vol: &'a VolatilityConfig,
    part: Range<usize>,
    vol_out: &'a mut [f64],
    hook: Hook<'a, L>,
}

impl<L: LevelSlot> Work for PartWork<'_, L> {
    type Output = Result<Part>;
    #[inline(always)]
    fn call(self) -> Result<Part> {
        let mut hook = self.hook;
        close_to_close::batch_part(self.closes, self.vol, self.part, self.vol_out, &mut hook)?;
        Ok(hook.guess)
    }
}

/// Every close-series form: validates, then writes every slot of `out`.
/// `CLOSE_TO_CLOSE` runs fused (the regime stage on each chunk of
/// volatility while it is in cache) and, on a long series, split into
/// parts on up to `threads` threads (see [`Part`]), each part's work in
/// `isa` (see [`crate::simd`]): the same values as one sequential pass, bit
/// for bit.
fn detect_closes_with<L: LevelSlot>(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
    out: Outputs<'_, L>,
    threads: usize,
    isa: impl Isa,
) -> Result<()> {
    vol.validate()?;
    regime.validate()?;
    out.check_len(closes.len())?;
    let Outputs { volatility, level, mut confidence, mut count } = out;
    let first = vol.first_defined_index().min(closes.len());
    level[..first].fill(L::NONE);
    if let Some(c) = confidence.as_deref_mut() {
        c[..first].fill(f64::NAN);
    }
    if let Some(c) = count.as_deref_mut() {
        c[..first].fill(0);
    }
    let stage = Stage::new(vol, regime);
    if vol.method != VolatilityMethod::CloseToClose {
        estimate_closes_into_on(closes, vol, volatility, isa)?;
        let range = first..closes.len();
        let values = &volatility[range.clone()];
        if let Some(c) = confidence.as_deref_mut() {
            stage.confidence(first, values, &mut c[range.clone()]);
        }
        let mut stabilizer = Stabilizer::new(regime.switch_readings);
        let count = count.map(|c| &mut c[range.clone()]);
        stabilize(regime, &mut stabilizer, values, &mut level[range], count);
        return Ok(());
    }
    let parts = close_to_close::batch_parts(closes, vol, volatility, threads)?;
    let Some(start) = parts.first().map(|p| p.start) else { return Ok(()) };
    let confidences = match confidence {
        Some(c) => split_parts(&mut c[start..], &parts).into_iter().map(Some).collect(),
        None => parts.iter().map(|_| None).collect::<Vec<_>>(),
    };
    let counts = match count.as_deref_mut() {
        Some(c) => split_parts(&mut c[start..], &parts).into_iter().map(Some).collect(),
        None => parts.iter().map(|_| None).collect::<Vec<_>>(),
    };
    let jobs: Vec<_> = parts
        .iter()
        .cloned()
        .zip(split_parts(&mut volatility[start..], &parts))
        .zip(split_parts(&mut level[start..], &parts))
        .zip(confidences.into_iter().zip(counts))
        .collect();
    let results = parallel::run_all(jobs, |(((part, vol_out), level), (confidence, count))| {
        let hook = Hook {
            stage: &stage,
            base: part.start,
            guess: Part::new(regime.switch_readings),
            level,
            confidence,
            count,
        };
        isa.run(PartWork { closes, vol, part, vol_out, hook })
    });
    // Stitch the parts in order, each from the true state after the
    // previous one (the first part's guess is the truth).
    let mut state = Stabilizer::new(regime.switch_readings);
    for (k, (part, guess)) in parts.iter().zip(results).enumerate() {
        let guess = guess?;
        if k == 0 {
            state = guess.stabilizer;
            continue;
        }
        let count = count.as_deref_mut().map(|c| &mut c[part.clone()]);
        guess.stitch(
            regime,
            &mut state,
            &volatility[part.clone()],
            &mut level[part.clone()],
            count,
        );
    }
    Ok(())
}

/// Regimes of a close series (`CLOSE_TO_CLOSE` or `EWMA`), bar by bar.
///
/// # Errors
/// [`ElsonError::InvalidInput`]: an invalid configuration, a range method
/// (field `method`), a bad close (field `close[i]`).
///
/// # Example
/// ```
/// use elson_core::regime::{detect_closes, RegimeConfig};
/// use elson_core::volatility::VolatilityConfig;
/// let closes: Vec<f64> = (0..60).map(|i| 100.0 + (i % 3) as f64).collect();
/// let s = detect_closes(&closes, &VolatilityConfig::default(), &RegimeConfig::default())?;
/// assert_eq!(s.level[19], None);
/// assert!(s.level[20].is_some() && s.stabilization_count[20] == 1);
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn detect_closes(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
) -> Result<RegimeSeries> {
    let mut out = RegimeSeries::default();
    detect_closes_into(closes, vol, regime, &mut out)?;
    Ok(out)
}

/// [`detect_closes`] into a reused [`RegimeSeries`] (its allocations are
/// kept: the form for repeated runs and benchmarks).
///
/// For `CLOSE_TO_CLOSE` the volatility and the regime are computed in one
/// fused pass, chunk by chunk, while the chunk is in cache; a long series
/// (2¹⁶ closes and more) is split into parts computed on up to
/// [`std::thread::available_parallelism`] scoped threads, with the same
/// results bit for bit.
///
/// # Errors
/// As [`detect_closes`]; on error the contents of `out` are unspecified.
pub fn detect_closes_into(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
    out: &mut RegimeSeries,
) -> Result<()> {
    vol.validate()?;
    regime.validate()?;
    out.reset(closes.len(), vol.first_defined_index());
    let RegimeSeries { volatility, level, confidence, stabilization_count } = out;
    let outputs = Outputs {
        volatility,
        level,
        confidence: Some(confidence),
        count: Some(stabilization_count),
    };
    detect_closes_with(closes, vol, regime, outputs, parallel::max_threads(), Portable)
}

/// The lean batch form: the volatility and the stabilized level of every
/// close (`CLOSE_TO_CLOSE` or `EWMA`), without the per-bar confidence and
/// count — the regime timeline a chart or a backtest needs, at the cost of
/// two output arrays instead of four. The levels equal
/// [`detect_closes`]'s; before the first window they are `None`.
///
/// # Errors
/// As [`detect_closes`], plus field `out` when an output's length differs
/// from `closes`.
///
/// # Example
/// ```
/// use elson_core::regime::{detect_levels_into, RegimeConfig};
/// use elson_core::volatility::VolatilityConfig;
/// let closes: Vec<f64> = (0..30).map(|i| 100.0 + (i % 2) as f64).collect();
/// let (mut vol, mut lv) = (vec![0.0; 30], vec![None; 30]);
/// detect_levels_into(&closes, &VolatilityConfig::default(), &RegimeConfig::default(), &mut vol, &mut lv)?;
/// assert!(lv[19].is_none() && lv[20].is_some());
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn detect_levels_into(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
    volatility: &mut [f64],
    level: &mut [Option<VolatilityLevel>],
) -> Result<()> {
    let outputs = Outputs { volatility, level, confidence: None, count: None };
    detect_closes_with(closes, vol, regime, outputs, parallel::max_threads(), Portable)
}

/// [`detect_closes`] into caller-owned buffers, levels as [`level_code`]s:
/// every slot is written (no need to initialize them), the confidence and
/// the count only when given. The values are [`detect_closes`]'s.
///
/// Why: a binding allocates the arrays its language hands out (numpy) and
/// has them filled in one pass, without a typed [`RegimeSeries`] to convert.
///
/// # Errors
/// As [`detect_closes`], plus field `out` when a buffer's length differs
/// from `closes`. On error the contents of the buffers are unspecified.
///
/// # Example
/// ```
/// use elson_core::regime::{detect_closes_to, RegimeBuffers, RegimeConfig, NO_LEVEL};
/// use elson_core::volatility::VolatilityConfig;
/// let closes: Vec<f64> = (0..30).map(|i| 100.0 + (i % 2) as f64).collect();
/// let (mut vol, mut codes, mut count) = (vec![0.0; 30], vec![0i8; 30], vec![0u32; 30]);
/// let out = RegimeBuffers {
///     volatility: &mut vol,
///     level_code: &mut codes,
///     confidence: None,
///     stabilization_count: Some(&mut count),
/// };
/// detect_closes_to(&closes, &VolatilityConfig::default(), &RegimeConfig::default(), out)?;
/// assert_eq!((codes[19], codes[20], count[20]), (NO_LEVEL, 1, 1)); // NORMAL (≈ 0.16)
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn detect_closes_to(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
    out: RegimeBuffers<'_>,
) -> Result<()> {
    detect_closes_to_on(closes, vol, regime, out, Portable)
}

/// [`detect_closes_to`] with the work of each thread run in `isa`: the entry
/// point of a binding that dispatches on the CPU at run time (see
/// [`crate::simd`]). The values are the same bits whatever the `isa`.
///
/// # Errors
/// As [`detect_closes_to`].
///
/// # Example
/// ```
/// use elson_core::regime::{detect_closes_to_on, RegimeBuffers, RegimeConfig};
/// use elson_core::simd::Portable;
/// use elson_core::volatility::VolatilityConfig;
/// let closes: Vec<f64> = (0..30).map(|i| 100.0 + (i % 2) as f64).collect();
/// let (mut vol, mut codes) = (vec![0.0; 30], vec![0i8; 30]);
/// let out = RegimeBuffers {
///     volatility: &mut vol,
///     level_code: &mut codes,
///     confidence: None,
///     stabilization_count: None,
/// };
/// let (v, r) = (VolatilityConfig::default(), RegimeConfig::default());
/// detect_closes_to_on(&closes, &v, &r, out, Portable)?;
/// assert_eq!((codes[19], codes[20]), (-1, 1)); // none yet, then NORMAL
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn detect_closes_to_on(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
    out: RegimeBuffers<'_>,
    isa: impl Isa,
) -> Result<()> {
    let RegimeBuffers { volatility, level_code, confidence, stabilization_count } = out;
    let outputs = Outputs { volatility, level: level_code, confidence, count: stabilization_count };
    detect_closes_with(closes, vol, regime, outputs, parallel::max_threads(), isa)
}

/// Regimes of a bar series with any estimator, bar by bar.
///
/// # Errors
/// [`ElsonError::InvalidInput`]: an invalid configuration or a bad bar.
pub fn detect(bars: &[Bar], vol: &VolatilityConfig, regime: &RegimeConfig) -> Result<RegimeSeries> {
    vol.validate()?;
    regime.validate()?;
    let mut out = RegimeSeries::default();
    out.reset(bars.len(), vol.first_defined_index());
    estimate_into(bars, vol, &mut out.volatility)?;
    let first = vol.first_defined_index().min(bars.len());
    let range = first..bars.len();
    let RegimeSeries { volatility, level, confidence, stabilization_count } = &mut out;
    let values = &volatility[range.clone()];
    Stage::new(vol, regime).confidence(first, values, &mut confidence[range.clone()]);
    let mut stabilizer = Stabilizer::new(regime.switch_readings);
    let count = Some(&mut stabilization_count[range.clone()]);
    stabilize(regime, &mut stabilizer, values, &mut level[range], count);
    Ok(out)
}

/// The typed batch form: one [`RegimeReading`] per bar that has one, the
/// same readings a [`super::RegimeDetector`] fed the same bars returns.
///
/// # Errors
/// [`ElsonError::InvalidInput`]: as [`detect`], plus field `times` when its
/// length differs from `bars` or a time is not after the previous one.
pub fn detect_readings(
    bars: &[Bar],
    times: &[DateTime<Utc>],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
) -> Result<Vec<RegimeReading>> {
    if times.len() != bars.len() {
        return Err(ElsonError::invalid(
            "times",
            format!("{} times for {} bars", times.len(), bars.len()),
        ));
    }
    if let Some(i) = times.windows(2).position(|w| w[1] <= w[0]) {
        return Err(ElsonError::invalid(
            "times",
            format!("index {}: time is not after the previous bar's", i + 1),
        ));
    }
    let series = detect(bars, vol, regime)?;
    let mut readings = Vec::with_capacity(bars.len().saturating_sub(vol.first_defined_index()));
    for (i, &time) in times.iter().enumerate() {
        let Some(level) = series.level[i] else { continue };
        let volatility = series.volatility[i];
        readings.push(RegimeReading {
            time,
            volatility,
            reading: regime.level_of(volatility),
            level,
            confidence: series.confidence[i],
            stabilization_count: series.stabilization_count[i],
            lookback: vol.lookback,
            method: vol.method,
        });
    }
    Ok(readings)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift64*), so the tests need no
    /// randomness crate and always see the same series.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        /// Uniform in [0, 1).
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }

        /// Standard normal (Box–Muller).
        fn normal(&mut self) -> f64 {
            let (u, v) = (1.0 - self.unit(), self.unit());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        }
    }

    /// Volatility readings wandering between the levels: long runs, then
    /// stretches that flip every reading (no 3 identical in a row), so parts
    /// start synchronized, late, or never.
    fn readings(g: &mut Gen, len: usize) -> Vec<f64> {
        const MIDS: [f64; 4] = [0.1, 0.2, 0.3, 0.5];
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let run = (g.next() % 400) as usize;
            match g.next() % 3 {
                0 => out.extend(std::iter::repeat_n(MIDS[(g.next() % 4) as usize], run)),
                1 => out.extend((0..run).map(|k| MIDS[(k + (g.next() % 2) as usize * 2) % 4])),
                _ => out.extend((0..run).map(|_| MIDS[(g.next() % 4) as usize])),
            }
        }
        out.truncate(len);
        out
    }

    #[test]
    fn run_length_stops_at_the_first_other_code() {
        let codes = vec![2u8; 40];
        for end in 0..codes.len() {
            let mut c = codes.clone();
            c[end] = 3;
            assert_eq!(run_length(&c, 2), end, "end {end}");
            assert_eq!(run_length(&c[..end], 2), end, "tail {end}");
        }
        assert_eq!(run_length(&codes, 2), 40);
        assert_eq!(run_length(&codes, 1), 0);
        assert_eq!(run_length(&[], 0), 0);
    }

    #[test]
    fn stitched_parts_equal_one_sequential_run() {
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        for trial in 0..300 {
            let len = 1 + (g.next() % 3000) as usize;
            let vol = readings(&mut g, len);
            let cfg = RegimeConfig { switch_readings: 1 + (trial % 4), ..RegimeConfig::default() };
            let (mut want_l, mut want_c) = (vec![None; len], vec![0u32; len]);
            let mut whole = Stabilizer::new(cfg.switch_readings);
            stabilize(&cfg, &mut whole, &vol, &mut want_l, Some(&mut want_c));
            // Random part boundaries, each part fed in random chunks.
            let mut cuts: Vec<usize> =
                (0..(g.next() % 6)).map(|_| (g.next() as usize) % len).collect();
            cuts.extend([0, len]);
            cuts.sort_unstable();
            cuts.dedup();
            let (mut got_l, mut got_c) = (vec![None; len], vec![0u32; len]);
            let mut state = Stabilizer::new(cfg.switch_readings);
            for (k, w) in cuts.windows(2).enumerate() {
                let part = w[0]..w[1];
                let mut guess = Part::new(cfg.switch_readings);
                let mut at = part.start;
                while at < part.end {
                    let end = (at + 1 + (g.next() % 300) as usize).min(part.end);
                    let r = at..end;
                    guess.feed(&cfg, &vol[r.clone()], &mut got_l[r.clone()], Some(&mut got_c[r]));
                    at = end;
                }
                if k == 0 {
                    state = guess.stabilizer;
                } else {
                    let c = Some(&mut got_c[part.clone()]);
                    guess.stitch(&cfg, &mut state, &vol[part.clone()], &mut got_l[part], c);
                }
            }
            assert_eq!(got_l, want_l, "levels, trial {trial}, cuts {cuts:?}");
            assert_eq!(got_c, want_c, "counts, trial {trial}, cuts {cuts:?}");
            assert_eq!(state, whole, "final state, trial {trial}");
        }
    }

    /// Closes whose volatility cycles through the four levels, with a long
    /// calm stretch (no switch for more than a part), a stretch hovering at
    /// a boundary, and flat prices (a variance collapse: the drift check
    /// re-sums) across part boundaries.
    fn closes(len: usize) -> Vec<f64> {
        let mut g = Gen(20260101);
        let mut price = 100.0_f64;
        (0..len)
            .map(|i| {
                let sigma = match i {
                    40_000..130_000 => 0.05,
                    131_000..132_000 => 0.0,
                    150_000..160_000 => 0.15 * (1.0 + 0.02 * g.normal()),
                    _ => [0.08, 0.18, 0.30, 0.55][(i / 3000) % 4],
                };
                price *= (g.normal() * sigma / 252f64.sqrt()).exp();
                price
            })
            .collect()
    }

    #[test]
    fn threads_give_the_sequential_bits() {
        let closes = closes(300_000);
        let vol = VolatilityConfig::default();
        let regime = RegimeConfig::default();
        let run = |threads: usize| {
            let len = closes.len();
            let mut s = RegimeSeries {
                volatility: vec![0.0; len],
                level: vec![None; len],
                confidence: vec![0.0; len],
                stabilization_count: vec![0; len],
            };
            let RegimeSeries { volatility, level, confidence, stabilization_count } = &mut s;
            let out = Outputs {
                volatility,
                level,
                confidence: Some(confidence),
                count: Some(stabilization_count),
            };
            detect_closes_with(&closes, &vol, &regime, out, threads, Portable).unwrap();
            let mut codes = vec![0i8; len];
            let mut v2 = vec![0.0; len];
            let out =
                Outputs { volatility: &mut v2, level: &mut codes, confidence: None, count: None };
            detect_closes_with(&closes, &vol, &regime, out, threads, Portable).unwrap();
            (s, codes, v2)
        };
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (one, one_codes, _) = run(1);
        // The series exercises what it is meant to: flat prices, a long run.
        assert!(one.volatility[131_500] < 1e-9);
        assert!(one.stabilization_count.iter().any(|&c| c > 80_000));
        for threads in [2, 3, 4, 7] {
            let (par, codes, v2) = run(threads);
            assert_eq!(bits(&par.volatility), bits(&one.volatility), "{threads} threads");
            assert_eq!(bits(&par.confidence), bits(&one.confidence), "{threads} threads");
            assert_eq!(par.level, one.level, "{threads} threads");
            assert_eq!(par.stabilization_count, one.stabilization_count, "{threads} threads");
            assert_eq!(codes, one_codes, "{threads} threads");
            assert_eq!(bits(&v2), bits(&one.volatility), "{threads} threads");
        }
        let want: Vec<i8> = one.level.iter().map(|&l| level_code(l)).collect();
        assert_eq!(one_codes, want);
        // And the sequential batch is the streaming detector's.
        let mut det = crate::regime::RegimeDetector::new(&vol, &regime).unwrap();
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        for (i, &c) in closes.iter().enumerate() {
            let t = t0 + chrono::TimeDelta::minutes(i as i64);
            let r = det.update(&Bar::from_close(c), t).unwrap();
            assert_eq!(r.map(|r| r.level), one.level[i], "bar {i}");
            if let Some(r) = r {
                assert_eq!(r.volatility.to_bits(), one.volatility[i].to_bits(), "bar {i}");
                assert_eq!(r.stabilization_count, one.stabilization_count[i], "bar {i}");
            }
        }
    }

    #[test]
    fn a_bad_close_is_reported_at_its_index_whatever_the_part() {
        let mut closes = closes(200_000);
        let vol = VolatilityConfig::default();
        let regime = RegimeConfig::default();
        let field = |closes: &[f64], threads: usize| {
            let len = closes.len();
            let (mut v, mut l) = (vec![0.0; len], vec![0i8; len]);
            let out = Outputs { volatility: &mut v, level: &mut l, confidence: None, count: None };
            match detect_closes_with(closes, &vol, &regime, out, threads, Portable).unwrap_err() {
                ElsonError::InvalidInput { field, .. } => field,
                e => panic!("{e:?}"),
            }
        };
        closes[170_000] = f64::NAN;
        assert_eq!(field(&closes, 3), "close[170000]");
        closes[90_000] = -1.0;
        assert_eq!(field(&closes, 3), "close[90000]");
        assert_eq!(field(&closes, 1), "close[90000]");
    }
}
