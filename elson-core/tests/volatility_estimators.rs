//! Estimators against naive, independent formulas on hand-made series, and
//! every error path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::needless_range_loop)]

use elson_core::ElsonError;
use elson_core::enums::VolatilityMethod;
use elson_core::volatility::{
    Bar, VolatilityConfig, VolatilityEstimator, estimate, estimate_closes, estimate_closes_into,
    estimate_closes_points, estimate_into, estimate_points,
};

const CLOSES: [f64; 12] =
    [100.0, 101.2, 99.8, 102.5, 103.1, 101.0, 100.4, 104.9, 104.0, 106.3, 105.1, 108.0];

fn bars() -> Vec<Bar> {
    // open = previous close, high/low around open and close.
    let mut prev = 99.5;
    CLOSES
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let o: f64 = prev;
            prev = c;
            let wiggle = 0.4 + 0.3 * (i % 3) as f64;
            Bar::new(o, o.max(c) + wiggle, o.min(c) - wiggle * 0.8, c)
        })
        .collect()
}

fn cfg(method: VolatilityMethod, lookback: usize) -> VolatilityConfig {
    VolatilityConfig { lookback, ..VolatilityConfig::with_method(method) }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

/// Naive CLOSE_TO_CLOSE: two-pass sample std (ddof 1) of the n log returns
/// ending at index t, × √N.
fn naive_c2c(closes: &[f64], n: usize, t: usize, periods: f64) -> f64 {
    let r: Vec<f64> = (t + 1 - n..=t).map(|i| (closes[i] / closes[i - 1]).ln()).collect();
    let mean = r.iter().sum::<f64>() / n as f64;
    let var = r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (var * periods).sqrt()
}

fn naive_ewma(closes: &[f64], n: usize, lambda: f64, periods: f64) -> Vec<f64> {
    let r: Vec<f64> = (1..closes.len()).map(|i| (closes[i] / closes[i - 1]).ln()).collect();
    let mut out = vec![f64::NAN; closes.len()];
    if r.len() < n {
        return out;
    }
    let mut var = r[..n].iter().map(|x| x * x).sum::<f64>() / n as f64;
    out[n] = (periods * var).sqrt();
    for t in n + 1..closes.len() {
        var = lambda * var + (1.0 - lambda) * r[t - 1] * r[t - 1];
        out[t] = (periods * var).sqrt();
    }
    out
}

fn naive_parkinson(bars: &[Bar], n: usize, t: usize, periods: f64) -> f64 {
    let s: f64 = bars[t + 1 - n..=t].iter().map(|b| (b.high / b.low).ln().powi(2)).sum();
    (periods / (4.0 * n as f64 * 2f64.ln()) * s).sqrt()
}

fn naive_garman_klass(bars: &[Bar], n: usize, t: usize, periods: f64) -> f64 {
    let s: f64 = bars[t + 1 - n..=t]
        .iter()
        .map(|b| {
            0.5 * (b.high / b.low).ln().powi(2)
                - (2.0 * 2f64.ln() - 1.0) * (b.close / b.open).ln().powi(2)
        })
        .sum();
    (periods / n as f64 * s).sqrt()
}

#[test]
fn close_to_close_matches_the_naive_formula() {
    for n in [2, 3, 5, 11] {
        let got = estimate_closes(&CLOSES, &cfg(VolatilityMethod::CloseToClose, n)).unwrap();
        assert_eq!(got.len(), CLOSES.len());
        for t in 0..CLOSES.len() {
            if t < n {
                assert!(got[t].is_nan(), "n={n} t={t}");
            } else {
                let want = naive_c2c(&CLOSES, n, t, 252.0);
                assert!(close(got[t], want), "n={n} t={t}: {} vs {want}", got[t]);
            }
        }
    }
}

#[test]
fn close_to_close_by_hand_on_three_closes() {
    // r1 = ln 1.1, r2 = ln(1/1.1) = -r1: mean 0, sample var = 2 r1² / 1.
    let v =
        estimate_closes(&[100.0, 110.0, 100.0], &cfg(VolatilityMethod::CloseToClose, 2)).unwrap();
    let r1 = 1.1f64.ln();
    assert!(close(v[2], (2.0 * r1 * r1 * 252.0).sqrt()));
}

#[test]
fn ewma_matches_the_naive_recursion() {
    for n in [1, 3, 5] {
        let c = cfg(VolatilityMethod::Ewma, n);
        let got = estimate_closes(&CLOSES, &c).unwrap();
        let want = naive_ewma(&CLOSES, n, 0.94, 252.0);
        for t in 0..CLOSES.len() {
            assert_eq!(got[t].is_nan(), want[t].is_nan(), "n={n} t={t}");
            if !want[t].is_nan() {
                assert!(close(got[t], want[t]), "n={n} t={t}");
            }
        }
    }
}

#[test]
fn parkinson_and_garman_klass_match_the_naive_formulas() {
    let bars = bars();
    for n in [1, 4, 7] {
        let p = estimate(&bars, &cfg(VolatilityMethod::Parkinson, n)).unwrap();
        let g = estimate(&bars, &cfg(VolatilityMethod::GarmanKlass, n)).unwrap();
        for t in 0..bars.len() {
            if t + 1 < n {
                assert!(p[t].is_nan() && g[t].is_nan());
            } else {
                assert!(close(p[t], naive_parkinson(&bars, n, t, 252.0)), "n={n} t={t}");
                assert!(close(g[t], naive_garman_klass(&bars, n, t, 252.0)), "n={n} t={t}");
            }
        }
    }
}

#[test]
fn periods_per_year_scales_by_its_square_root() {
    let a = estimate_closes(&CLOSES, &cfg(VolatilityMethod::CloseToClose, 5)).unwrap();
    let c = VolatilityConfig { periods_per_year: 52, ..cfg(VolatilityMethod::CloseToClose, 5) };
    let b = estimate_closes(&CLOSES, &c).unwrap();
    assert!(close(b[8], a[8] * (52.0f64 / 252.0).sqrt()));
}

#[test]
fn bars_and_closes_give_the_same_close_based_values() {
    let bars = bars();
    for m in [VolatilityMethod::CloseToClose, VolatilityMethod::Ewma] {
        let c = cfg(m, 4);
        let from_bars = estimate(&bars, &c).unwrap();
        let from_closes = estimate_closes(&CLOSES, &c).unwrap();
        for (a, b) in from_bars.iter().zip(&from_closes) {
            assert!(a.to_bits() == b.to_bits());
        }
    }
}

#[test]
fn typed_points_are_only_the_defined_values() {
    let c = cfg(VolatilityMethod::CloseToClose, 5);
    let pts = estimate_closes_points(&CLOSES, &c).unwrap();
    assert_eq!(pts.len(), CLOSES.len() - 5);
    assert_eq!(pts[0].index, 5);
    let all = estimate_closes(&CLOSES, &c).unwrap();
    assert!(pts.iter().all(|p| all[p.index] == p.value));
    let pp = estimate_points(&bars(), &cfg(VolatilityMethod::Parkinson, 5)).unwrap();
    assert_eq!(pp.first().unwrap().index, 4);
    assert!(estimate_closes_points(&CLOSES[..5], &c).unwrap().is_empty());
}

#[test]
fn short_and_empty_series_have_no_values() {
    let c = VolatilityConfig::default();
    assert!(estimate_closes(&[], &c).unwrap().is_empty());
    let v = estimate_closes(&CLOSES, &c).unwrap();
    assert!(v.iter().all(|x| x.is_nan()));
    assert!(estimate(&[], &cfg(VolatilityMethod::GarmanKlass, 3)).unwrap().is_empty());
}

#[test]
fn streaming_equals_batch_on_the_hand_made_series() {
    let bars = bars();
    for m in VolatilityMethod::ALL {
        let c = cfg(*m, 3);
        let batch = estimate(&bars, &c).unwrap();
        let mut est = VolatilityEstimator::new(&c).unwrap();
        for (i, bar) in bars.iter().enumerate() {
            let v = est.update(bar).unwrap();
            assert_eq!(
                v.map(f64::to_bits),
                Some(batch[i]).filter(|x| !x.is_nan()).map(f64::to_bits)
            );
        }
        assert_eq!(est.bars_seen(), bars.len());
    }
}

#[test]
fn constant_prices_give_zero_volatility() {
    let closes = [50.0; 30];
    for m in [VolatilityMethod::CloseToClose, VolatilityMethod::Ewma] {
        let v = estimate_closes(&closes, &cfg(m, 10)).unwrap();
        assert_eq!(v[29], 0.0);
    }
    let flat: Vec<Bar> = closes.iter().map(|&c| Bar::from_close(c)).collect();
    assert_eq!(estimate(&flat, &cfg(VolatilityMethod::Parkinson, 5)).unwrap()[29], 0.0);
    assert_eq!(estimate(&flat, &cfg(VolatilityMethod::GarmanKlass, 5)).unwrap()[29], 0.0);
}

// ---- error paths ------------------------------------------------------

fn invalid(e: ElsonError) -> (String, String) {
    match e {
        ElsonError::InvalidInput { field, reason } => (field, reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn bad_closes_are_refused_with_their_index_in_batch() {
    for bad in [f64::NAN, f64::INFINITY, 0.0, -3.0] {
        for at in [0, 1, 7, 11] {
            let mut xs = CLOSES.to_vec();
            xs[at] = bad;
            for m in [VolatilityMethod::CloseToClose, VolatilityMethod::Ewma] {
                for n in [2, 5, 20] {
                    let (field, reason) = invalid(estimate_closes(&xs, &cfg(m, n)).unwrap_err());
                    assert_eq!(field, format!("close[{at}]"), "{m} n={n} bad={bad}");
                    assert!(reason.starts_with(&format!("index {at}: ")), "{reason}");
                }
            }
        }
    }
}

#[test]
fn bad_close_deep_in_a_long_series_is_found() {
    let mut xs: Vec<f64> = (0..10_000).map(|i| 100.0 + (i % 17) as f64).collect();
    xs[9_876] = f64::NAN;
    let (field, _) = invalid(estimate_closes(&xs, &VolatilityConfig::default()).unwrap_err());
    assert_eq!(field, "close[9876]");
}

#[test]
fn bad_bars_are_refused_with_field_and_index() {
    let cases = [
        (Bar::new(10.0, 9.0, 11.0, 10.0), "high[3]"),
        (Bar::new(12.0, 11.0, 9.0, 10.0), "open[3]"),
        (Bar::new(10.0, 11.0, 9.0, 11.5), "close[3]"),
        (Bar::new(10.0, f64::INFINITY, 9.0, 10.0), "high[3]"),
        (Bar::new(10.0, 11.0, -1.0, 10.0), "low[3]"),
    ];
    for (bad, want) in cases {
        let mut bs = bars();
        bs[3] = bad;
        for m in VolatilityMethod::ALL {
            let (field, reason) = invalid(estimate(&bs, &cfg(*m, 2)).unwrap_err());
            assert_eq!(field, want, "{m}");
            assert!(reason.starts_with("index 3: "));
        }
    }
}

#[test]
fn streaming_refuses_bad_input_and_keeps_its_state() {
    let c = cfg(VolatilityMethod::CloseToClose, 3);
    let mut est = VolatilityEstimator::new(&c).unwrap();
    let mut clean = VolatilityEstimator::new(&c).unwrap();
    for (i, &x) in CLOSES.iter().enumerate() {
        if i == 4 {
            let (field, reason) = invalid(est.update_close(f64::NAN).unwrap_err());
            assert_eq!(field, "close[4]");
            assert!(reason.starts_with("index 4: "));
            let (field, _) = invalid(est.update(&Bar::new(1.0, 0.5, 2.0, 1.0)).unwrap_err());
            assert_eq!(field, "high[4]");
        }
        assert_eq!(est.update_close(x).unwrap(), clean.update_close(x).unwrap());
    }
}

#[test]
fn method_and_shape_mismatches_are_refused() {
    let park = cfg(VolatilityMethod::Parkinson, 3);
    assert_eq!(invalid(estimate_closes(&CLOSES, &park).unwrap_err()).0, "method");
    let mut est = VolatilityEstimator::new(&park).unwrap();
    assert_eq!(invalid(est.update_close(100.0).unwrap_err()).0, "method");
    assert_eq!(est.bars_seen(), 0);
    let mut out = vec![0.0; 3];
    let c = VolatilityConfig::default();
    assert_eq!(invalid(estimate_closes_into(&CLOSES, &c, &mut out).unwrap_err()).0, "out");
    assert_eq!(invalid(estimate_into(&bars(), &c, &mut out).unwrap_err()).0, "out");
}

#[test]
fn invalid_configs_are_refused_everywhere() {
    let bad = VolatilityConfig { lookback: 1, ..VolatilityConfig::default() };
    assert_eq!(invalid(estimate_closes(&CLOSES, &bad).unwrap_err()).0, "lookback");
    assert_eq!(invalid(estimate(&bars(), &bad).unwrap_err()).0, "lookback");
    assert_eq!(invalid(VolatilityEstimator::new(&bad).unwrap_err()).0, "lookback");
    let bad = VolatilityConfig { ewma_lambda: 0.0, ..VolatilityConfig::default() };
    assert_eq!(invalid(estimate_closes(&CLOSES, &bad).unwrap_err()).0, "ewma_lambda");
}

#[test]
fn observations_count_returns_or_bars() {
    let mut c2c = VolatilityEstimator::new(&VolatilityConfig::default()).unwrap();
    assert_eq!(c2c.observations(), 0);
    c2c.update_close(1.0).unwrap();
    c2c.update_close(1.1).unwrap();
    assert_eq!(c2c.observations(), 1);
    let mut p = VolatilityEstimator::new(&cfg(VolatilityMethod::Parkinson, 3)).unwrap();
    p.update(&Bar::from_close(1.0)).unwrap();
    assert_eq!(p.observations(), 1);
}

#[test]
fn windows_longer_than_a_kernel_chunk_match_streaming_and_the_formula() {
    // lookback 3000 > the batch kernel's chunk (1024 closes): windows span
    // several chunks.
    let closes: Vec<f64> =
        (0..9000).map(|i| 100.0 * (1.0 + 0.3 * ((i as f64) * 0.37).sin() * 0.05)).collect();
    let c = cfg(VolatilityMethod::CloseToClose, 3000);
    let batch = estimate_closes(&closes, &c).unwrap();
    let mut est = VolatilityEstimator::new(&c).unwrap();
    for (t, &x) in closes.iter().enumerate() {
        let s = est.update_close(x).unwrap();
        assert_eq!(s.map(f64::to_bits), (t >= 3000).then(|| batch[t].to_bits()), "t={t}");
    }
    for t in [3000, 4095, 4096, 5000, 8999] {
        let want = naive_c2c(&closes, 3000, t, 252.0);
        assert!((batch[t] - want).abs() <= 1e-9 * want, "t={t}");
    }
}
