//! A branch-free natural logarithm that the compiler can vectorize.
//!
//! Why not `f64::ln`: it is a call into libm per element (~5–10 ns), which
//! alone is slower than the whole rolling-volatility budget (≈ 2 ns a price).
//! This version has no branches, no table and no call, so a loop over a slice
//! of prices becomes SIMD code, and the scalar and vectorized forms give
//! bit-identical results (IEEE arithmetic, no FMA contraction in Rust), which
//! is what keeps batch and streaming estimators equal.
//!
//! The algorithm is fdlibm's `e_log.c` (Sun Microsystems, freely
//! redistributable): split `x = 2^k · m` with `m ∈ [√2/2, √2)`, then
//! `ln(m) = f − f²/2 + s·(f²/2 + R(s²))` with `f = m − 1`, `s = f / (2 + f)`
//! and `R` a degree-14 minimax polynomial. The error is below 1 ulp for every
//! normal positive input; the tests compare against `f64::ln` at 1e-15.
//!
//! Inputs must be normal, positive and finite: the price validation of this
//! module refuses everything else before the logarithm is taken.

// The constants are quoted digit for digit as fdlibm publishes them, so they
// can be checked against the source; they round to the intended f64.
#[allow(clippy::excessive_precision)]
mod coefficients {
    pub(super) const LG1: f64 = 6.666_666_666_666_735_13e-01;
    pub(super) const LG2: f64 = 3.999_999_999_940_941_908e-01;
    pub(super) const LG3: f64 = 2.857_142_874_366_239_149e-01;
    pub(super) const LG4: f64 = 2.222_219_843_214_978_396e-01;
    pub(super) const LG5: f64 = 1.818_357_216_161_805_012e-01;
    pub(super) const LG6: f64 = 1.531_383_769_920_937_332e-01;
    pub(super) const LG7: f64 = 1.479_819_860_511_658_591e-01;
    pub(super) const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-01;
    pub(super) const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
}
use coefficients::*;

/// Bits of 2^52 as an f64: OR-ing a small integer into its mantissa and
/// subtracting 2^52 converts the integer to f64 without an int→float
/// instruction (SSE2 has none for 64-bit lanes).
const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
const TWO52: f64 = 4_503_599_627_370_496.0;
const MANTISSA_MASK: u64 = 0x000F_FFFF_FFFF_FFFF;
const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;

/// Natural logarithm of a normal, positive, finite `x`, accurate to 1 ulp.
///
/// Why it exists: see the module documentation — it vectorizes, `f64::ln`
/// does not. For inputs outside the domain (zero, negative, subnormal, NaN,
/// infinite) the result is meaningless but no panic occurs; callers validate
/// first.
///
/// # Example
/// ```
/// use elson_core::volatility::ln::fast_ln;
/// assert!((fast_ln(100.0) - 100f64.ln()).abs() < 1e-15);
/// assert_eq!(fast_ln(1.0), 0.0);
/// ```
#[inline(always)]
pub fn fast_ln(x: f64) -> f64 {
    let bits = x.to_bits();
    // Biased exponent as f64, via the 2^52 trick (exact for 0..2047).
    let biased = f64::from_bits((bits >> 52) | TWO52_BITS) - TWO52;
    // Mantissa scaled into [1, 2).
    let m = f64::from_bits((bits & MANTISSA_MASK) | ONE_BITS);
    // Fold [√2, 2) down to [√2/2, 1): branch-free selects.
    let big = m > std::f64::consts::SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let k = biased - 1023.0 + if big { 1.0 } else { 0.0 };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

/// Writes `fast_ln(x)` of every element of `xs` into `out[..xs.len()]` and
/// returns whether every element was a valid price (finite, positive,
/// normal): validation and logarithm in one SIMD pass. (Always inlined:
/// it is the hot loop of the batch kernel, see [`crate::simd`].)
#[inline(always)]
pub(crate) fn fast_ln_checked(xs: &[f64], out: &mut [f64]) -> bool {
    let out = &mut out[..xs.len()];
    let mut ok = true;
    for (o, &x) in out.iter_mut().zip(xs) {
        ok &= super::validate::is_valid_price(x);
        *o = fast_ln(x);
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_ln_over_many_magnitudes() {
        let mut x = 1e-300_f64;
        let mut worst = 0.0_f64;
        while x < 1e300 {
            for m in [
                1.0,
                1.000_001,
                1.2,
                std::f64::consts::SQRT_2,
                std::f64::consts::SQRT_2 * (1.0 + f64::EPSILON),
                1.7,
                1.99,
            ] {
                let v = x * m;
                let want = v.ln();
                let got = fast_ln(v);
                let err = (got - want).abs() / want.abs().max(1.0);
                worst = worst.max(err);
            }
            x *= 1.37;
        }
        assert!(worst < 1e-15, "worst relative error {worst:e}");
    }

    #[test]
    fn exact_at_powers_of_two_and_one() {
        assert_eq!(fast_ln(1.0), 0.0);
        assert_eq!(fast_ln(2.0), std::f64::consts::LN_2);
        assert!((fast_ln(0.5) + std::f64::consts::LN_2).abs() < 1e-16);
    }

    #[test]
    fn near_one_is_accurate_in_absolute_terms() {
        // Log returns are differences of logs: absolute accuracy near any
        // price is what matters. Check ln(1 ± tiny).
        for d in [1e-12, 1e-9, 1e-6, 1e-3] {
            let up = fast_ln(1.0 + d);
            assert!((up - (1.0 + d).ln()).abs() <= 2e-16 * d.max(1e-16), "{d}");
            let dn = fast_ln(1.0 - d);
            assert!((dn - (1.0 - d).ln()).abs() <= 2e-16 * d.max(1e-16), "{d}");
        }
    }

    #[test]
    fn slice_form_equals_scalar_form_bit_for_bit() {
        let xs: Vec<f64> = (1..1000).map(|i| 0.37 * f64::from(i) + 1.0 / f64::from(i)).collect();
        let mut out = vec![0.0; xs.len()];
        assert!(fast_ln_checked(&xs, &mut out));
        for (x, o) in xs.iter().zip(&out) {
            assert_eq!(fast_ln(*x).to_bits(), o.to_bits());
        }
        assert!(!fast_ln_checked(&[1.0, 0.0], &mut out));
        assert!(!fast_ln_checked(&[f64::NAN], &mut out));
    }
}
