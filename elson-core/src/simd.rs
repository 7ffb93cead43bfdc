//! Where the batch kernels run: a hook for run-time instruction-set dispatch.
//!
//! Why this exists: the long batch kernels (rolling `CLOSE_TO_CLOSE`
//! volatility, the fused regime stage) are written so that LLVM turns them
//! into SIMD code, but a default x86-64 build may only assume SSE2 (2 lanes
//! of f64), while most machines that run them have AVX2 (4 lanes) or
//! AVX-512 (8 lanes). Using the wider units without a machine-specific
//! build needs run-time dispatch: a copy of the kernel compiled with
//! `#[target_feature(enable = ...)]`, called only after the CPU was checked,
//! which takes `unsafe` — and this crate forbids `unsafe` (numpy and polars
//! keep the same split: a small dispatch layer at the edge, portable kernels
//! inside).
//!
//! So the core takes the place to run its per-part work as a parameter, an
//! [`Isa`]: the `*_on` entry points (e.g.
//! [`crate::volatility::estimate_closes_into_on`],
//! [`crate::regime::detect_closes_to_on`]) call [`Isa::run`] around the
//! work of each part on each worker thread. [`Portable`] just calls it; a
//! binding that may use `unsafe` (the Python one does) implements `Isa`
//! with a `#[target_feature]` function that calls the closure, after
//! checking the CPU. Every function on the hot path below that closure is
//! `#[inline]`/`#[inline(always)]` so that LLVM inlines it into the
//! target-feature function and compiles it with the wider instructions.
//!
//! The results are the same bits on every instruction set: Rust never
//! contracts `a * b + c` into an FMA on its own, the kernels use only
//! correctly rounded operations (+, −, ×, ÷, √, comparisons) and fix the
//! order of every sum in the source, so wider vectors change the speed only.

/// An instruction-set context in which the batch kernels run their work.
///
/// Implementations must call `f` exactly once and return its result; they
/// may only change how the code of `f` is compiled (its target features),
/// never what it computes. `Copy + Send + Sync` because a kernel hands it to
/// each of its worker threads.
pub trait Isa: Copy + Send + Sync {
    /// Runs `f` in this context and returns its result.
    fn run<R>(&self, f: impl FnOnce() -> R) -> R;
}

/// The baseline of the build target (the default for every public kernel):
/// calls `f` as it is. On a default x86-64 build that is SSE2 code; with
/// `RUSTFLAGS="-C target-cpu=native"` it is the machine's own.
///
/// # Example
/// ```
/// use elson_core::simd::{Isa, Portable};
/// assert_eq!(Portable.run(|| 2 + 2), 4);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Portable;

impl Isa for Portable {
    #[inline(always)]
    fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        f()
    }
}
