//! Regime detector, batch series, rows and the storage check: scenarios
//! and every error path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::VolatilityRegime;
use elson_core::enums::{CircuitBreakerState, VolatilityLevel, VolatilityMethod};
use elson_core::regime::{
    RegimeConfig, RegimeDetector, RegimeReading, check_regime_rows, check_regime_rows_with, detect,
    detect_closes, detect_levels_into, detect_readings,
};
use elson_core::volatility::{Bar, VolatilityConfig};
use rust_decimal::Decimal;
use uuid::Uuid;

use VolatilityLevel::{Extreme, High, Low, Normal};

fn t(day: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap() + Duration::days(day)
}

fn invalid(e: ElsonError) -> (String, String) {
    match e {
        ElsonError::InvalidInput { field, reason } => (field, reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

/// Closes alternating ±step around a level: a constant, known volatility.
fn zigzag(len: usize, step: f64) -> Vec<f64> {
    (0..len).map(|i| if i % 2 == 0 { 100.0 } else { 100.0 * (1.0 + step) }).collect()
}

#[test]
fn calm_then_turbulent_switches_after_three_readings() {
    // 30 calm closes then turbulent ones, lookback 2: each reading only
    // sees the last two returns, so the level reacts fast.
    let mut closes = zigzag(30, 0.001);
    let last = *closes.last().unwrap();
    closes.extend((0..10).map(|i| if i % 2 == 0 { last * 1.05 } else { last }));
    let vol = VolatilityConfig { lookback: 2, ..VolatilityConfig::default() };
    let s = detect_closes(&closes, &vol, &RegimeConfig::default()).unwrap();
    let raw: Vec<_> = s
        .volatility
        .iter()
        .map(|v| (!v.is_nan()).then(|| RegimeConfig::default().classify(*v).unwrap()))
        .collect();
    // First reading at index 2 sets LOW with count 1.
    assert_eq!((s.level[2], s.stabilization_count[2]), (Some(Low), 1));
    assert_eq!(s.stabilization_count[29], 28);
    // Find the first raw EXTREME; the regime switches 2 bars later.
    let first = raw.iter().position(|r| *r == Some(Extreme)).unwrap();
    assert_eq!(s.level[first], Some(Low));
    assert_eq!(s.level[first + 1], Some(Low));
    assert_eq!((s.level[first + 2], s.stabilization_count[first + 2]), (Some(Extreme), 3));
    assert!(s.confidence[first + 2] > 0.5);
}

#[test]
fn detector_readings_carry_every_row_field() {
    let vol = VolatilityConfig { lookback: 4, ..VolatilityConfig::default() };
    let mut det = RegimeDetector::new(&vol, &RegimeConfig::default()).unwrap();
    let closes = zigzag(8, 0.012);
    let mut readings = Vec::new();
    for (i, &c) in closes.iter().enumerate() {
        if let Some(r) = det.update_close(c, t(i as i64)).unwrap() {
            readings.push(r);
        }
    }
    assert_eq!(readings.len(), 4);
    let r = readings[3];
    assert_eq!(r.time, t(7));
    assert_eq!((r.lookback, r.method), (4, VolatilityMethod::CloseToClose));
    assert_eq!(r.reading, RegimeConfig::default().classify(r.volatility).unwrap());
    assert_eq!(det.current(), Some((r.level, r.stabilization_count)));
    let row = r.to_row("AAPL", Uuid::nil()).unwrap();
    assert_eq!(row.symbol, "AAPL");
    assert_eq!(row.timestamp, t(7));
    assert_eq!(row.volatility_level, r.level);
    assert_eq!(row.lookback_period, 4);
    assert_eq!(row.calculation_method, VolatilityMethod::CloseToClose);
    assert_eq!(row.circuit_breaker_state, None);
    assert_eq!(row.stabilization_count, r.stabilization_count as i32);
    assert_eq!(row.volatility_value.scale(), 4);
    assert!(
        (row.volatility_value - Decimal::try_from(r.volatility).unwrap()).abs()
            <= Decimal::new(5, 5)
    );
}

#[test]
fn to_row_rounds_half_even_and_refuses_bad_symbols() {
    let r = RegimeReading {
        time: t(0),
        volatility: 0.25,
        reading: High,
        level: Normal,
        confidence: 0.505,
        stabilization_count: 7,
        lookback: 20,
        method: VolatilityMethod::Ewma,
    };
    let row = r.to_row("SPY", Uuid::nil()).unwrap();
    assert_eq!(row.volatility_value, Decimal::new(2500, 4));
    assert_eq!(row.confidence_score, Decimal::new(50, 2)); // 0.505 → 0.50 (half-even)
    assert_eq!(row.volatility_level, Normal);
    assert_eq!(invalid(r.to_row("", Uuid::nil()).unwrap_err()).0, "symbol");
    assert_eq!(invalid(r.to_row(&"X".repeat(21), Uuid::nil()).unwrap_err()).0, "symbol");
    let huge = RegimeReading { volatility: 1e9, ..r };
    assert_eq!(invalid(huge.to_row("SPY", Uuid::nil()).unwrap_err()).0, "volatility_value");
    let nan = RegimeReading { volatility: f64::NAN, ..r };
    assert_eq!(invalid(nan.to_row("SPY", Uuid::nil()).unwrap_err()).0, "volatility_value");
}

#[test]
fn detector_refuses_time_going_back_and_bad_prices_without_changing_state() {
    let vol = VolatilityConfig { lookback: 2, ..VolatilityConfig::default() };
    let mut det = RegimeDetector::new(&vol, &RegimeConfig::default()).unwrap();
    let mut twin = det.clone();
    det.update_close(100.0, t(0)).unwrap();
    twin.update_close(100.0, t(0)).unwrap();
    let (field, reason) = invalid(det.update_close(101.0, t(0)).unwrap_err());
    assert_eq!(field, "time");
    assert!(reason.starts_with("index 1: "), "{reason}");
    let (field, reason) = invalid(det.update_close(-1.0, t(1)).unwrap_err());
    assert_eq!((field.as_str(), reason.starts_with("index 1: ")), ("close[1]", true));
    let (field, _) = invalid(det.update(&Bar::new(1.0, 0.9, 1.1, 1.0), t(1)).unwrap_err());
    assert_eq!(field, "high[1]");
    for (i, c) in [101.0, 99.0, 102.0].into_iter().enumerate() {
        let day = i as i64 + 1;
        assert_eq!(det.update_close(c, t(day)).unwrap(), twin.update_close(c, t(day)).unwrap());
    }
}

#[test]
fn invalid_configurations_are_refused() {
    let bad = RegimeConfig { high_min: 0.1, ..RegimeConfig::default() };
    let vol = VolatilityConfig::default();
    assert_eq!(invalid(RegimeDetector::new(&vol, &bad).unwrap_err()).0, "high_min");
    assert_eq!(invalid(detect_closes(&[1.0], &vol, &bad).unwrap_err()).0, "high_min");
    assert_eq!(invalid(detect(&[], &vol, &bad).unwrap_err()).0, "high_min");
    let badvol = VolatilityConfig { periods_per_year: 0, ..vol };
    assert_eq!(
        invalid(RegimeDetector::new(&badvol, &RegimeConfig::default()).unwrap_err()).0,
        "periods_per_year"
    );
    let park = VolatilityConfig::with_method(VolatilityMethod::Parkinson);
    assert_eq!(
        invalid(detect_closes(&[1.0], &park, &RegimeConfig::default()).unwrap_err()).0,
        "method"
    );
    let mut det = RegimeDetector::new(&park, &RegimeConfig::default()).unwrap();
    assert_eq!(invalid(det.update_close(1.0, t(0)).unwrap_err()).0, "method");
}

#[test]
fn batch_refuses_bad_prices_with_index() {
    let mut closes = zigzag(50, 0.01);
    closes[33] = f64::INFINITY;
    let (field, reason) = invalid(
        detect_closes(&closes, &VolatilityConfig::default(), &RegimeConfig::default()).unwrap_err(),
    );
    assert_eq!(field, "close[33]");
    assert!(reason.starts_with("index 33: "));
    let mut bars: Vec<Bar> = zigzag(10, 0.01).into_iter().map(Bar::from_close).collect();
    bars[6].low = 0.0;
    let vol = VolatilityConfig {
        lookback: 3,
        ..VolatilityConfig::with_method(VolatilityMethod::GarmanKlass)
    };
    assert_eq!(invalid(detect(&bars, &vol, &RegimeConfig::default()).unwrap_err()).0, "low[6]");
}

#[test]
fn detect_readings_checks_times() {
    let bars: Vec<Bar> = zigzag(6, 0.01).into_iter().map(Bar::from_close).collect();
    let vol = VolatilityConfig { lookback: 2, ..VolatilityConfig::default() };
    let times: Vec<_> = (0..6).map(t).collect();
    let r = detect_readings(&bars, &times, &vol, &RegimeConfig::default()).unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(r[0].time, t(2));
    assert_eq!(
        invalid(detect_readings(&bars, &times[..5], &vol, &RegimeConfig::default()).unwrap_err()).0,
        "times"
    );
    let mut back = times.clone();
    back[4] = t(1);
    let (field, reason) =
        invalid(detect_readings(&bars, &back, &vol, &RegimeConfig::default()).unwrap_err());
    assert_eq!(field, "times");
    assert!(reason.starts_with("index 4: "));
}

#[test]
fn levels_only_form_checks_its_outputs() {
    let closes = zigzag(30, 0.01);
    let (vol, reg) = (VolatilityConfig::default(), RegimeConfig::default());
    let (mut v, mut lv) = (vec![0.0; 29], vec![None; 30]);
    assert_eq!(
        invalid(detect_levels_into(&closes, &vol, &reg, &mut v, &mut lv).unwrap_err()).0,
        "out"
    );
    let mut v = vec![0.0; 30];
    let park = VolatilityConfig::with_method(VolatilityMethod::Parkinson);
    assert_eq!(
        invalid(detect_levels_into(&closes, &park, &reg, &mut v, &mut lv).unwrap_err()).0,
        "method"
    );
    let mut bad = closes.clone();
    bad[25] = 0.0;
    assert_eq!(
        invalid(detect_levels_into(&bad, &vol, &reg, &mut v, &mut lv).unwrap_err()).0,
        "close[25]"
    );
    detect_levels_into(&closes, &vol, &reg, &mut v, &mut lv).unwrap();
    assert_eq!(lv, detect_closes(&closes, &vol, &reg).unwrap().level);
}

#[test]
fn series_prefix_follows_the_conventions() {
    let s =
        detect_closes(&zigzag(25, 0.01), &VolatilityConfig::default(), &RegimeConfig::default())
            .unwrap();
    assert_eq!(s.len(), 25);
    assert!(!s.is_empty());
    for i in 0..20 {
        assert!(s.volatility[i].is_nan() && s.confidence[i].is_nan());
        assert_eq!((s.level[i], s.stabilization_count[i]), (None, 0));
    }
    assert!(s.level[20].is_some());
    assert!(
        detect_closes(&[], &VolatilityConfig::default(), &RegimeConfig::default())
            .unwrap()
            .is_empty()
    );
}

// ---- storage check ----------------------------------------------------

fn row(symbol: &str, day: i64, level: VolatilityLevel, count: i32) -> VolatilityRegime {
    VolatilityRegime {
        id: Uuid::nil(),
        symbol: symbol.to_string(),
        timestamp: t(day),
        volatility_value: Decimal::new(2000, 4),
        volatility_level: level,
        lookback_period: 20,
        calculation_method: VolatilityMethod::CloseToClose,
        circuit_breaker_state: Some(CircuitBreakerState::Cautious),
        confidence_score: Decimal::new(80, 2),
        stabilization_count: count,
    }
}

#[test]
fn storage_check_accepts_stabilized_changes_in_any_input_order() {
    let rows = vec![
        row("B", 1, High, 3),
        row("A", 0, Low, 1),
        row("A", 2, Normal, 3),
        row("B", 0, Low, 5),
        row("A", 1, Low, 2),
        row("A", 3, Normal, 4),
    ];
    check_regime_rows(&rows).unwrap();
    check_regime_rows(&[]).unwrap();
}

#[test]
fn storage_check_refuses_unstabilized_changes_duplicates_and_zero_counts() {
    let (field, reason) =
        invalid(check_regime_rows(&[row("A", 0, Low, 1), row("A", 1, High, 2)]).unwrap_err());
    assert_eq!(field, "stabilization_count");
    assert!(reason.contains("row 1") && reason.contains("LOW → HIGH"), "{reason}");
    // Order comes from timestamps, not from the slice.
    assert!(check_regime_rows(&[row("A", 1, High, 2), row("A", 0, Low, 1)]).is_err());
    // Another symbol in between does not hide the change.
    assert!(
        check_regime_rows(&[row("A", 0, Low, 1), row("B", 1, High, 1), row("A", 2, High, 1)])
            .is_err()
    );
    assert_eq!(
        invalid(check_regime_rows(&[row("A", 0, Low, 1), row("A", 0, Low, 2)]).unwrap_err()).0,
        "timestamp"
    );
    assert_eq!(
        invalid(check_regime_rows(&[row("A", 0, Low, 0)]).unwrap_err()).0,
        "stabilization_count"
    );
    // A stricter rule by parameter.
    assert!(check_regime_rows_with(&[row("A", 0, Low, 1), row("A", 1, High, 3)], 4).is_err());
}

/// Issue 15 item 11: a volatility is a non-negative finite number. NaN, a
/// negative value or an infinity used to classify as LOW — the calmest
/// regime, with the largest sizing factor — so a bad reading from a
/// caller's own estimator silently loosened every limit.
#[test]
fn classify_refuses_a_volatility_that_is_not_finite_and_non_negative() {
    let cfg = RegimeConfig::default();
    for bad in [f64::NAN, -0.1, f64::NEG_INFINITY, f64::INFINITY, -f64::MIN_POSITIVE] {
        let (field, reason) = invalid(elson_core::regime::classify(bad).unwrap_err());
        assert_eq!(field, "volatility", "{bad}");
        assert!(reason.contains("finite") && reason.contains("≥ 0"), "{reason}");
        assert_eq!(invalid(cfg.classify(bad).unwrap_err()).0, "volatility", "{bad}");
    }
    // The valid range is unchanged, −0.0 included (it equals 0).
    assert_eq!(elson_core::regime::classify(-0.0).unwrap(), Low);
    assert_eq!(elson_core::regime::classify(0.0).unwrap(), Low);
    assert_eq!(elson_core::regime::classify(0.15).unwrap(), Normal);
    assert_eq!(elson_core::regime::classify(0.25).unwrap(), High);
    assert_eq!(elson_core::regime::classify(f64::MAX).unwrap(), Extreme);
}
