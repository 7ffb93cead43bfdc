//! Run-time instruction-set dispatch for the batch kernels: the one module
//! of the SDK with `unsafe`, shared by Rust callers and the Python module.
//!
//! Why: numpy, like polars, picks AVX2/AVX-512 code at run time, while a
//! default build (a Rust binary, a wheel) is compiled for the x86-64
//! baseline (SSE2, 2 lanes of f64) — without dispatch, the volatility and
//! regime kernels would leave half or three quarters of the vector units
//! idle on most machines.
//!
//! ```
//! use elson_sdk::core::regime::{RegimeBuffers, RegimeConfig, detect_closes_to_on};
//! use elson_sdk::core::volatility::VolatilityConfig;
//! use elson_sdk::simd::Dispatch;
//!
//! let closes: Vec<f64> = (0..300).map(|i| 100.0 + (i as f64 * 0.1).sin()).collect();
//! let (mut vol, mut codes) = (vec![0.0; 300], vec![0i8; 300]);
//! let out = RegimeBuffers {
//!     volatility: &mut vol,
//!     level_code: &mut codes,
//!     confidence: None,
//!     stabilization_count: None,
//! };
//! let isa = Dispatch::chosen(); // the best level this CPU has, decided once
//! detect_closes_to_on(&closes, &VolatilityConfig::default(), &RegimeConfig::default(), out, isa)?;
//! assert!(vol[25].is_finite());
//! println!("ran at {}", isa.level().name());
//! # Ok::<(), elson_sdk::core::ElsonError>(())
//! ```
//! `elson-core` forbids `unsafe`, so it cannot call a `#[target_feature]`
//! function itself; instead its `*_on` kernels take an
//! [`elson_core::simd::Isa`] and run each part's work inside
//! [`Isa::run`]. This module implements it: [`Dispatch`] does the work
//! through a function compiled with the features of an x86-64
//! micro-architecture level, into which LLVM inlines the whole kernel (the
//! core marks its hot path `#[inline(always)]`), so the kernel is compiled
//! once per level and the best one the CPU supports is chosen once, at
//! first use.
//!
//! The levels are the psABI's:
//! - `x86-64-v4`: v3 + AVX-512 F, BW, CD, DQ, VL (8 lanes of f64);
//! - `x86-64-v3`: AVX2, FMA, BMI1, BMI2, LZCNT, MOVBE, POPCNT, F16C (4 lanes);
//! - `portable`: the build target's baseline (or whatever `RUSTFLAGS`
//!   enabled), and the only level on other architectures.
//!
//! The results are the same bits at every level (see
//! [`elson_core::simd`]: no FMA contraction, only correctly rounded
//! operations, sums in a fixed order); the tests check it.
//!
//! `ELSON_SIMD=portable|v3|v4` (also `x86-64-v3`, `x86-64-v4`; any case)
//! lowers the level, e.g. to compare speeds or to rule the dispatch out
//! when chasing a problem; a level the CPU lacks is never used (the
//! variable can only lower the choice), and any other value is ignored.
#![allow(unsafe_code)] // the target-feature calls below, each with its SAFETY

use std::sync::OnceLock;

use elson_core::simd::{Isa, Work};

/// The environment variable that can lower the level.
pub const ENV_VAR: &str = "ELSON_SIMD";

/// An instruction-set level the kernels can be compiled for, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The build target's baseline.
    Portable,
    /// x86-64-v3 (AVX2, FMA, …).
    V3,
    /// x86-64-v4 (v3 + AVX-512 F/BW/CD/DQ/VL).
    V4,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Portable, Level::V3, Level::V4];

    /// The name `simd_level()` reports: `"portable"`, `"x86-64-v3"`,
    /// `"x86-64-v4"`.
    pub const fn name(self) -> &'static str {
        match self {
            Level::Portable => "portable",
            Level::V3 => "x86-64-v3",
            Level::V4 => "x86-64-v4",
        }
    }

    /// The level an [`ENV_VAR`] value names (any case, with or without the
    /// `x86-64-` prefix), or `None`.
    pub fn parse(value: &str) -> Option<Level> {
        let value = value.trim().to_ascii_lowercase();
        match value.strip_prefix("x86-64-").unwrap_or(&value) {
            "portable" => Some(Level::Portable),
            "v3" => Some(Level::V3),
            "v4" => Some(Level::V4),
            _ => None,
        }
    }

    /// Whether this CPU (and its OS, which must save the wider registers)
    /// supports every feature the level's code is compiled with.
    pub fn supported(self) -> bool {
        match self {
            Level::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Level::V3 => x86::has_v3(),
            #[cfg(target_arch = "x86_64")]
            Level::V4 => x86::has_v3() && x86::has_v4(),
            #[cfg(not(target_arch = "x86_64"))]
            Level::V3 | Level::V4 => false,
        }
    }

    /// The highest level this CPU supports.
    pub fn detected() -> Level {
        Level::ALL.into_iter().rev().find(|l| l.supported()).unwrap_or(Level::Portable)
    }

    /// The level to use given the [`ENV_VAR`] value `requested`: the
    /// detected one, lowered to the requested one if that is lower.
    pub fn choose(requested: Option<&str>) -> Level {
        let detected = Level::detected();
        requested.and_then(Level::parse).map_or(detected, |r| r.min(detected))
    }
}

/// An [`Isa`] for a level the CPU supports: the only way to build one is
/// [`Dispatch::new`], which checks, or [`Dispatch::chosen`]. That check is
/// what makes the `unsafe` calls of [`Isa::run`] sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispatch {
    level: Level,
}

impl Dispatch {
    /// The dispatcher for `level`, if this CPU supports it.
    pub fn new(level: Level) -> Option<Dispatch> {
        level.supported().then_some(Dispatch { level })
    }

    /// The dispatcher of this process: [`Level::choose`] with the
    /// [`ENV_VAR`] value, decided at the first call (detection reads CPUID
    /// and the environment; later calls read a cached value).
    pub fn chosen() -> Dispatch {
        static CHOSEN: OnceLock<Dispatch> = OnceLock::new();
        *CHOSEN.get_or_init(|| {
            let requested = std::env::var(ENV_VAR).ok();
            let level = Level::choose(requested.as_deref());
            Dispatch::new(level).unwrap_or(Dispatch { level: Level::Portable })
        })
    }

    /// The level the kernels run at.
    pub fn level(self) -> Level {
        self.level
    }
}

impl Isa for Dispatch {
    #[inline]
    fn run<W: Work>(&self, work: W) -> W::Output {
        match self.level {
            Level::Portable => work.call(),
            // SAFETY: a `Dispatch` holds V3 only if `Level::supported`
            // found every feature `x86::v3` is compiled with.
            #[cfg(target_arch = "x86_64")]
            Level::V3 => unsafe { x86::v3(work) },
            // SAFETY: a `Dispatch` holds V4 only if `Level::supported`
            // found every feature of `x86::v3` and `x86::v4`.
            #[cfg(target_arch = "x86_64")]
            Level::V4 => unsafe { x86::v4(work) },
            #[cfg(not(target_arch = "x86_64"))]
            Level::V3 | Level::V4 => work.call(),
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use elson_core::simd::Work;

    /// One level from one list of features: the detection of exactly those
    /// features, and a function compiled with them that does the work (into
    /// which LLVM inlines the work's `#[inline(always)]` call and the kernel
    /// below it).
    macro_rules! level {
        ($(#[$doc:meta])* $has:ident, $run:ident, [$($feature:tt),+ $(,)?]) => {
            /// Whether the CPU and the OS support every feature of the
            /// function of the same level.
            pub(super) fn $has() -> bool {
                $(std::arch::is_x86_feature_detected!($feature))&&+
            }

            $(#[$doc])*
            $(#[target_feature(enable = $feature)])+
            #[inline]
            pub(super) fn $run<W: Work>(work: W) -> W::Output {
                work.call()
            }
        };
    }

    level!(
        /// The work compiled for x86-64-v3.
        has_v3,
        v3,
        ["avx2", "fma", "bmi1", "bmi2", "lzcnt", "movbe", "popcnt", "f16c"]
    );

    level!(
        /// The work compiled for x86-64-v4 (callers also check [`has_v3`]).
        has_v4,
        v4,
        [
            "avx2", "fma", "bmi1", "bmi2", "lzcnt", "movbe", "popcnt", "f16c", "avx512f",
            "avx512bw", "avx512cd", "avx512dq", "avx512vl",
        ]
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use elson_core::regime::{RegimeBuffers, RegimeConfig, detect_closes_to_on};
    use elson_core::simd::Portable;
    use elson_core::volatility::{VolatilityConfig, estimate_closes_into_on};

    use super::*;

    #[test]
    fn levels_parse_and_never_exceed_the_cpu() {
        assert_eq!(Level::parse("V3"), Some(Level::V3));
        assert_eq!(Level::parse(" x86-64-v4 "), Some(Level::V4));
        assert_eq!(Level::parse("portable"), Some(Level::Portable));
        assert_eq!(Level::parse("avx2"), None);
        let detected = Level::detected();
        assert!(detected.supported());
        assert_eq!(Level::choose(None), detected);
        assert_eq!(Level::choose(Some("nonsense")), detected);
        assert_eq!(Level::choose(Some("portable")), Level::Portable);
        assert_eq!(Level::choose(Some("v4")), detected); // never above the CPU
        for level in Level::ALL {
            assert_eq!(Dispatch::new(level).is_some(), level <= detected, "{level:?}");
            assert_eq!(Level::parse(level.name()), Some(level));
        }
        assert!(Dispatch::chosen().level() <= detected);
    }

    /// A deterministic random walk (xorshift64*, uniform steps) whose
    /// volatility jumps up and down, with a flat stretch: the variance
    /// collapses and the drift check re-sums, and the regime switches.
    fn closes(len: usize) -> Vec<f64> {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut price = 100.0_f64;
        (0..len)
            .map(|i| {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                let u =
                    (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
                // Uniform steps of width σ: annualized σ·√(252/12), so
                // ≈ 8 %, 20 %, 32 %, 60 % (LOW … EXTREME), then flat.
                let sigma = match i {
                    60_000..61_500 => 0.0,
                    _ => [0.0175, 0.0436, 0.0698, 0.131][(i / 7_000) % 4],
                };
                price *= 1.0 + sigma * (u - 0.5);
                price
            })
            .collect()
    }

    struct Outputs {
        volatility: Vec<u64>,
        levels: Vec<i8>,
        confidence: Vec<u64>,
        counts: Vec<u32>,
        volatility_alone: Vec<u64>,
    }

    fn run(closes: &[f64], isa: impl Isa) -> Outputs {
        let len = closes.len();
        let (vol_cfg, regime_cfg) = (VolatilityConfig::default(), RegimeConfig::default());
        let (mut vol, mut codes) = (vec![0.0; len], vec![0i8; len]);
        let (mut conf, mut count) = (vec![0.0; len], vec![0u32; len]);
        let out = RegimeBuffers {
            volatility: &mut vol,
            level_code: &mut codes,
            confidence: Some(&mut conf),
            stabilization_count: Some(&mut count),
        };
        detect_closes_to_on(closes, &vol_cfg, &regime_cfg, out, isa).unwrap();
        let mut alone = vec![0.0; len];
        estimate_closes_into_on(closes, &vol_cfg, &mut alone, isa).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect();
        Outputs {
            volatility: bits(&vol),
            levels: codes,
            confidence: bits(&conf),
            counts: count,
            volatility_alone: bits(&alone),
        }
    }

    #[test]
    fn every_supported_level_gives_the_portable_bits() {
        let closes = closes(200_000);
        let want = run(&closes, Portable);
        // The series exercises what it should: a collapse, all four levels.
        assert_eq!(f64::from_bits(want.volatility[61_000]), 0.0);
        for code in 0..4 {
            assert!(want.levels.contains(&code), "level {code} never occurs");
        }
        assert_eq!(want.volatility_alone, want.volatility);
        let mut tried = 0;
        for level in Level::ALL {
            let Some(isa) = Dispatch::new(level) else { continue };
            tried += 1;
            let got = run(&closes, isa);
            assert!(got.volatility == want.volatility, "{level:?}: volatility");
            assert!(got.volatility_alone == want.volatility, "{level:?}: volatility alone");
            assert!(got.levels == want.levels, "{level:?}: levels");
            assert!(got.confidence == want.confidence, "{level:?}: confidence");
            assert!(got.counts == want.counts, "{level:?}: counts");
        }
        assert!(tried >= 1 && tried == Level::ALL.iter().filter(|l| l.supported()).count());
    }
}
