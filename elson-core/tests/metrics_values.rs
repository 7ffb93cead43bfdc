#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Risk metrics against values worked out by hand, with the arithmetic
//! written out, plus the edge cases where empyrical returns NaN or ±inf.

use elson_core::error::ElsonError;
use elson_core::metrics::{
    PERIODS_PER_YEAR_DAILY, annual_return, annual_volatility, cagr, downside_risk, max_drawdown,
    max_drawdown_from_equity, returns_from_equity, sharpe_ratio, sortino_ratio, win_rate,
};
use proptest::prelude::*;

fn close(actual: f64, expected: f64) {
    let scale = expected.abs().max(1.0);
    assert!((actual - expected).abs() <= 1e-12 * scale, "{actual} != {expected}");
}

/// r = [0.01, −0.02, 0.03, −0.01, 0.02], N = 252.
const SERIES: [f64; 5] = [0.01, -0.02, 0.03, -0.01, 0.02];

#[test]
fn sharpe_by_hand() {
    // mean = 0.03 / 5 = 0.006
    // deviations 0.004, −0.026, 0.024, −0.016, 0.014; squares sum to
    // 0.000016 + 0.000676 + 0.000576 + 0.000256 + 0.000196 = 0.00172
    // variance (ddof 1) = 0.00172 / 4 = 0.00043
    // Sharpe = 0.006 / √0.00043 × √252
    let expected = 0.006 / 0.00043f64.sqrt() * 252f64.sqrt();
    close(sharpe_ratio(&SERIES, 0.0, PERIODS_PER_YEAR_DAILY).unwrap(), expected);
    close(expected, 4.593_220_484_431_88); // empyrical 0.7.1 prints 4.593220484431883
}

#[test]
fn sharpe_subtracts_the_risk_free_rate_per_period() {
    // excess = [0.03, 0.01, 0.02] − 0.01 = [0.02, 0, 0.01]: mean 0.01,
    // squares of deviations 0.0001 + 0.0001 + 0 = 0.0002, variance 0.0001,
    // std 0.01 → ratio 1 × √12 for monthly data.
    close(sharpe_ratio(&[0.03, 0.01, 0.02], 0.01, 12.0).unwrap(), 12f64.sqrt());
}

#[test]
fn annual_volatility_by_hand() {
    // √(0.00043 × 252) = √0.10836
    close(annual_volatility(&SERIES, 252.0).unwrap(), 0.10836f64.sqrt());
    close(0.10836f64.sqrt(), 0.329_180_801_384_285);
}

#[test]
fn sortino_by_hand_uses_every_period_in_the_downside_mean() {
    // min(r, 0) = [0, −0.02, 0, −0.01, 0]; squares 0.0004 + 0.0001 = 0.0005;
    // mean over all 5 periods = 0.0001; √ = 0.01; annualized 0.01 × √252.
    close(downside_risk(&SERIES, 0.0, 252.0).unwrap(), 0.01 * 252f64.sqrt());
    // numerator 0.006 × 252 = 1.512 → 1.512 / (0.01 × √252) = 151.2 / √252
    let expected = 151.2 / 252f64.sqrt();
    close(sortino_ratio(&SERIES, 0.0, 252.0).unwrap(), expected);
    close(expected, 9.524_704_719_832_53); // empyrical: 9.524704719832526
}

#[test]
fn sortino_subtracts_the_required_return() {
    // r − 0.01 = [0.01, −0.02]: mean −0.005 × 4 = −0.02;
    // downside √((0 + 0.0004) / 2) × √4 = √0.0002 × 2
    let expected = -0.02 / (0.0002f64.sqrt() * 2.0);
    close(sortino_ratio(&[0.02, -0.01], 0.01, 4.0).unwrap(), expected);
}

#[test]
fn annual_return_by_hand() {
    // wealth 1.1 × 0.95 = 1.045 over 2 periods of a 4-period year (½ year)
    // → 1.045^(1/0.5) − 1 = 1.092025 − 1 = 0.092025
    close(annual_return(&[0.10, -0.05], 4.0).unwrap(), 0.092025);
    // wealth 1.5 × 0.5 = 0.75 over two years → √0.75 − 1
    close(cagr(&[0.5, -0.5], 1.0).unwrap(), 0.75f64.sqrt() - 1.0);
    // SERIES: wealth 1.01 × 0.98 × 1.03 × 0.99 × 1.02 = 1.0294850412, ^(252/5)
    close(annual_return(&SERIES, 252.0).unwrap(), 1.029_485_041_2f64.powf(50.4) - 1.0);
    close(annual_return(&SERIES, 252.0).unwrap(), 3.325_636_719_291_22); // empyrical
}

#[test]
fn max_drawdown_by_hand_is_positive() {
    // wealth 1.01, 0.9898, 1.019494, 1.00929906, 1.0294850412:
    // first fall (1.01 − 0.9898) / 1.01 = 0.02; second 0.01 → 0.02
    close(max_drawdown(&SERIES).unwrap(), 0.02);
    // 1 → 0.9 → 1.08 → 0.756: (1.08 − 0.756) / 1.08 = 0.3
    close(max_drawdown(&[-0.10, 0.20, -0.30]).unwrap(), 0.30);
    assert_eq!(max_drawdown(&[0.01, 0.02]).unwrap(), 0.0);
}

#[test]
fn drawdown_counts_from_the_starting_value() {
    // 1 → 0.9 → 0.945: the peak is the starting 1, so the drawdown is 10 %
    // (measured only between returns it would be 0).
    close(max_drawdown(&[-0.10, 0.05]).unwrap(), 0.10);
    close(max_drawdown_from_equity(&[100.0, 80.0, 110.0]).unwrap(), 0.20);
}

#[test]
fn equity_curve_returns_and_drawdown_by_hand() {
    let equity = [100.0, 120.0, 90.0, 95.0, 130.0, 104.0];
    let r = returns_from_equity(&equity).unwrap();
    let expected = [0.2, -0.25, 5.0 / 90.0, 35.0 / 95.0, -0.2];
    assert_eq!(r.len(), expected.len());
    for (a, e) in r.iter().zip(expected) {
        close(*a, e);
    }
    // peak 120 → 90: 30/120 = 0.25; peak 130 → 104: 26/130 = 0.2 → 0.25
    close(max_drawdown_from_equity(&equity).unwrap(), 0.25);
    close(max_drawdown(&r).unwrap(), 0.25);
    // Total loss at the end is allowed: a 100 % drawdown.
    assert_eq!(max_drawdown_from_equity(&[100.0, 0.0]).unwrap(), 1.0);
    assert_eq!(returns_from_equity(&[100.0, 0.0]).unwrap(), vec![-1.0]);
}

#[test]
fn win_rate_by_hand() {
    // wins: 10, 3, 7, 0.01 → 4 of 8; 0 is not a win
    assert_eq!(win_rate(&[10.0, -5.0, 0.0, 3.0, -1.0, 7.0, 0.01, -0.01]).unwrap(), 50.0);
    assert_eq!(win_rate(&[1.0, 2.0, 3.0]).unwrap(), 100.0);
    assert_eq!(win_rate(&[-1.0]).unwrap(), 0.0);
    close(win_rate(&[1.0, -1.0, -1.0]).unwrap(), 100.0 / 3.0);
}

#[test]
fn short_series_give_nan_where_empyrical_does() {
    for one in [&[][..], &[0.01][..]] {
        assert!(sharpe_ratio(one, 0.0, 252.0).unwrap().is_nan());
        assert!(sortino_ratio(one, 0.0, 252.0).unwrap().is_nan());
        assert!(annual_volatility(one, 252.0).unwrap().is_nan());
    }
    assert!(annual_return(&[], 252.0).unwrap().is_nan());
    assert!(downside_risk(&[], 0.0, 252.0).unwrap().is_nan());
    assert!(max_drawdown(&[]).unwrap().is_nan());
    assert!(max_drawdown_from_equity(&[]).unwrap().is_nan());
    assert!(win_rate(&[]).unwrap().is_nan());
    // One return is enough for these.
    close(annual_return(&[0.01], 1.0).unwrap(), 0.01);
    close(downside_risk(&[-0.01], 0.0, 1.0).unwrap(), 0.01);
    assert_eq!(max_drawdown(&[0.05]).unwrap(), 0.0);
    assert_eq!(max_drawdown_from_equity(&[5.0]).unwrap(), 0.0);
    assert!(returns_from_equity(&[]).unwrap().is_empty());
    assert!(returns_from_equity(&[5.0]).unwrap().is_empty());
}

#[test]
fn zero_denominators_follow_ieee_division_like_numpy() {
    // 0.01 + 0.01 = 0.02 exactly, / 2 = 0.01 exactly: std is exactly 0.
    assert_eq!(sharpe_ratio(&[0.01, 0.01], 0.0, 252.0).unwrap(), f64::INFINITY);
    assert_eq!(sharpe_ratio(&[-0.01, -0.01], 0.0, 252.0).unwrap(), f64::NEG_INFINITY);
    assert!(sharpe_ratio(&[0.0, 0.0], 0.0, 252.0).unwrap().is_nan());
    assert_eq!(sortino_ratio(&[0.01, 0.02], 0.0, 252.0).unwrap(), f64::INFINITY);
    assert!(sortino_ratio(&[0.0, 0.0], 0.0, 252.0).unwrap().is_nan());
}

fn index_error(e: ElsonError, field_expected: &str, index: usize) {
    match e {
        ElsonError::InvalidInput { field, reason } => {
            assert_eq!(field, field_expected);
            assert!(reason.contains(&format!("index {index}")), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn non_finite_inputs_are_refused_with_their_index() {
    let bad = [0.01, 0.02, f64::NAN, f64::INFINITY];
    index_error(sharpe_ratio(&bad, 0.0, 252.0).unwrap_err(), "returns", 2);
    index_error(sortino_ratio(&bad, 0.0, 252.0).unwrap_err(), "returns", 2);
    index_error(downside_risk(&bad, 0.0, 252.0).unwrap_err(), "returns", 2);
    index_error(annual_volatility(&bad, 252.0).unwrap_err(), "returns", 2);
    index_error(annual_return(&bad, 252.0).unwrap_err(), "returns", 2);
    index_error(max_drawdown(&bad[1..]).unwrap_err(), "returns", 1);
    index_error(win_rate(&[1.0, f64::NEG_INFINITY]).unwrap_err(), "pnls", 1);
    index_error(returns_from_equity(&[1.0, 2.0, f64::NAN]).unwrap_err(), "equity", 2);
    index_error(max_drawdown_from_equity(&[f64::NAN]).unwrap_err(), "equity", 0);
}

#[test]
fn bad_equity_is_refused_with_its_index() {
    index_error(returns_from_equity(&[100.0, -1.0, 5.0]).unwrap_err(), "equity", 1);
    index_error(returns_from_equity(&[100.0, 0.0, 5.0]).unwrap_err(), "equity", 1);
    index_error(max_drawdown_from_equity(&[0.0, 5.0]).unwrap_err(), "equity", 0);
}

#[test]
fn bad_rates_and_annualization_are_refused() {
    for n in [0.0, -252.0, f64::NAN, f64::INFINITY] {
        for e in [
            sharpe_ratio(&SERIES, 0.0, n).unwrap_err(),
            sortino_ratio(&SERIES, 0.0, n).unwrap_err(),
            annual_volatility(&SERIES, n).unwrap_err(),
            annual_return(&SERIES, n).unwrap_err(),
        ] {
            assert!(
                matches!(e, ElsonError::InvalidInput { ref field, .. } if field == "periods_per_year")
            );
        }
    }
    let e = sharpe_ratio(&SERIES, f64::NAN, 252.0).unwrap_err();
    assert!(matches!(e, ElsonError::InvalidInput { ref field, .. } if field == "risk_free"));
    let e = sortino_ratio(&SERIES, f64::INFINITY, 252.0).unwrap_err();
    assert!(matches!(e, ElsonError::InvalidInput { ref field, .. } if field == "required_return"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The two drawdown forms agree, and a drawdown of non-negative equity is a fraction.
    #[test]
    fn drawdown_from_equity_matches_drawdown_from_returns(
        equity in prop::collection::vec(1.0f64..1e6, 1..60),
    ) {
        let from_equity = max_drawdown_from_equity(&equity).unwrap();
        let returns = returns_from_equity(&equity).unwrap();
        prop_assert!((0.0..1.0).contains(&from_equity));
        if !returns.is_empty() {
            let from_returns = max_drawdown(&returns).unwrap();
            prop_assert!((from_equity - from_returns).abs() <= 1e-9, "{} vs {}", from_equity, from_returns);
        }
    }

    /// Sharpe and Sortino share the sign of the mean excess return; the
    /// volatility does not depend on the risk-free rate.
    #[test]
    fn ratio_signs_follow_the_mean(
        returns in prop::collection::vec(-0.2f64..0.2, 2..80),
        rf in -0.001f64..0.001,
    ) {
        let mean = returns.iter().map(|r| r - rf).sum::<f64>() / returns.len() as f64;
        let sharpe = sharpe_ratio(&returns, rf, 252.0).unwrap();
        let sortino = sortino_ratio(&returns, rf, 252.0).unwrap();
        if mean.abs() > 1e-12 && sharpe.is_finite() {
            prop_assert_eq!(sharpe > 0.0, mean > 0.0);
            prop_assert!(sortino.is_nan() || (sortino > 0.0) == (mean > 0.0));
        }
        let shifted: Vec<f64> = returns.iter().map(|r| r + 0.01).collect();
        let v0 = annual_volatility(&returns, 252.0).unwrap();
        let v1 = annual_volatility(&shifted, 252.0).unwrap();
        prop_assert!((v0 - v1).abs() <= 1e-9 * v0.max(1.0));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// `summary` is the four functions, bit for bit, errors included.
    #[test]
    fn summary_equals_the_four_functions(
        returns in prop::collection::vec(
            prop_oneof![
                20 => -0.5f64..0.5,
                1 => Just(0.0),
                1 => Just(-0.0),
                1 => Just(f64::NAN),
                1 => Just(f64::INFINITY),
            ],
            0..40,
        ),
        rf in prop_oneof![Just(0.0), Just(-0.0), -0.01f64..0.01, Just(f64::NAN)],
        ppy in prop_oneof![Just(252.0), 1.0f64..400.0, Just(0.0)],
    ) {
        let bits = |r: Result<f64, ElsonError>| r.map(f64::to_bits);
        match elson_core::metrics::summary(&returns, rf, ppy) {
            Ok(s) => {
                prop_assert_eq!(Ok(s.sharpe.to_bits()), bits(sharpe_ratio(&returns, rf, ppy)));
                prop_assert_eq!(Ok(s.sortino.to_bits()), bits(sortino_ratio(&returns, rf, ppy)));
                prop_assert_eq!(Ok(s.annual_return.to_bits()), bits(annual_return(&returns, ppy)));
                prop_assert_eq!(
                    Ok(s.annual_volatility.to_bits()),
                    bits(annual_volatility(&returns, ppy))
                );
            }
            Err(e) => prop_assert_eq!(Err(e), sharpe_ratio(&returns, rf, ppy)),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// `returns_and_max_drawdown` is the two functions, bit for bit, errors included.
    #[test]
    fn returns_and_drawdown_equal_the_two_functions(
        equity in prop::collection::vec(
            prop_oneof![20 => 0.01f64..1e6, 1 => Just(0.0), 1 => Just(-1.0), 1 => Just(f64::NAN)],
            0..40,
        ),
    ) {
        match elson_core::metrics::returns_and_max_drawdown(&equity) {
            Ok((r, dd)) => {
                let want = returns_from_equity(&equity).unwrap();
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(&r), bits(&want));
                prop_assert_eq!(dd.to_bits(), max_drawdown_from_equity(&equity).unwrap().to_bits());
            }
            Err(e) => prop_assert_eq!(Err(e), returns_from_equity(&equity)),
        }
    }
}

/// Issue 15 item 11: equal values have exactly zero dispersion. The mean
/// of three 0.1s summed left to right is 0.10000000000000002, so the old
/// two-pass formula found a standard deviation of about 1.6e-17 and a
/// Sharpe ratio of about ±1e16 instead of ±inf (empyrical's convention for
/// zero dispersion, as the docstring says).
#[test]
fn a_constant_series_has_zero_dispersion_and_an_infinite_sharpe() {
    for (value, sign) in [(0.1, 1.0), (-0.1, -1.0), (0.07, 1.0), (1e-3 / 3.0, 1.0)] {
        for len in [3, 7, 10, 252] {
            let r = vec![value; len];
            let s = sharpe_ratio(&r, 0.0, 252.0).unwrap();
            assert_eq!(s, sign * f64::INFINITY, "{value} × {len}: {s}");
            assert_eq!(annual_volatility(&r, 252.0).unwrap(), 0.0, "{value} × {len}");
            let summary = elson_core::metrics::summary(&r, 0.0, 252.0).unwrap();
            assert_eq!(summary.sharpe, sign * f64::INFINITY, "{value} × {len}");
            assert_eq!(summary.annual_volatility, 0.0, "{value} × {len}");
        }
    }
    // Equal *excess* returns: the risk-free rate is subtracted from equal
    // values, which stay equal.
    assert_eq!(sharpe_ratio(&[0.3; 5], 0.1, 12.0).unwrap(), f64::INFINITY);
    assert!(sharpe_ratio(&[0.1; 4], 0.1, 12.0).unwrap().is_nan(), "0 / 0");
}

proptest! {
    /// Any constant series: Sharpe ±inf (NaN for zero), volatility exactly 0.
    #[test]
    fn constant_series_never_give_a_finite_sharpe(
        value in -0.5f64..0.5,
        len in 2usize..300,
        rf in prop_oneof![Just(0.0), -0.01f64..0.01],
    ) {
        let r = vec![value; len];
        let s = sharpe_ratio(&r, rf, 252.0).unwrap();
        let excess = value - rf;
        prop_assert!(!s.is_finite(), "{} × {}: {}", value, len, s);
        if excess != 0.0 {
            prop_assert_eq!(s.is_sign_positive(), excess > 0.0);
        }
        prop_assert_eq!(annual_volatility(&r, 252.0).unwrap(), 0.0);
    }
}
