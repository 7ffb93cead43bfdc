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
//! [`Work`] of each part on each worker thread. [`Portable`] just does it;
//! a binding that may use `unsafe` (the Python one does) implements `Isa`
//! with a `#[target_feature]` function that does the work, after checking
//! the CPU. The work and every function on its hot path are
//! `#[inline(always)]`, so that LLVM inlines all of it into the
//! target-feature function and compiles it with the wider instructions (a
//! function left out is compiled once, for the baseline).
//!
//! The results are the same bits on every instruction set: Rust never
//! contracts `a * b + c` into an FMA on its own, the kernels use only
//! correctly rounded operations (+, −, ×, ÷, √, comparisons) and fix the
//! order of every sum in the source, so wider vectors change the speed only.

/// A piece of kernel work that an [`Isa`] runs: [`Work::call`] does it.
///
/// Why a trait and not just a closure: LLVM compiles the work with the
/// `Isa`'s target features only if it inlines the work into the
/// target-feature function, and it only promises that for a function
/// marked `#[inline(always)]` — which a closure cannot be on stable Rust.
/// So the kernels pass their per-part work as types whose `call` is
/// `#[inline(always)]`, and everything on their hot path below is
/// `#[inline(always)]` too. A closure is a `Work` as well (convenient
/// for small jobs, but then LLVM decides whether it is inlined, and a
/// large one usually is not).
pub trait Work {
    /// What the work returns.
    type Output;
    /// Does the work.
    fn call(self) -> Self::Output;
}

impl<R, F: FnOnce() -> R> Work for F {
    type Output = R;
    #[inline(always)]
    fn call(self) -> R {
        self()
    }
}

/// An instruction-set context in which the batch kernels run their work.
///
/// Implementations must call `work` exactly once and return its result;
/// they may only change how its code is compiled (its target features),
/// never what it computes. `Copy + Send + Sync` because a kernel hands it
/// to each of its worker threads.
pub trait Isa: Copy + Send + Sync {
    /// Runs `work` in this context and returns its result.
    fn run<W: Work>(&self, work: W) -> W::Output;
}

/// The baseline of the build target (the default for every public kernel):
/// does the work as it is compiled. On a default x86-64 build that is SSE2
/// code; with `RUSTFLAGS="-C target-cpu=native"` it is the machine's own.
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
    fn run<W: Work>(&self, work: W) -> W::Output {
        work.call()
    }
}
