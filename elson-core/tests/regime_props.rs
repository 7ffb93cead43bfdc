//! Property tests of the regime rules: the stabilized level never changes
//! unless the last 3 raw readings equal the new level (against a reference
//! model written from DESIGN §5), the streaming detector equals the batch
//! arrays, and detector rows always pass the storage check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeZone, Utc};
use elson_core::enums::{VolatilityLevel, VolatilityMethod};
use elson_core::regime::{
    RegimeConfig, RegimeDetector, Stabilizer, check_regime_rows, detect, detect_closes,
    detect_levels_into, detect_readings,
};
use elson_core::volatility::{Bar, VolatilityConfig};
use proptest::prelude::*;

fn level() -> impl Strategy<Value = VolatilityLevel> {
    prop::sample::select(VolatilityLevel::ALL.to_vec())
}

/// Reference model, straight from the rule's wording: the first reading
/// sets the regime (count 1); the regime's own reading increments; the
/// regime becomes L exactly when the last three readings are L.
fn reference(raw: &[VolatilityLevel]) -> Vec<(VolatilityLevel, u32)> {
    let mut out: Vec<(VolatilityLevel, u32)> = Vec::new();
    for t in 0..raw.len() {
        let next = match out.last() {
            None => (raw[t], 1),
            Some(&(regime, count)) if raw[t] == regime => (regime, count + 1),
            Some(_) if t >= 2 && raw[t - 2] == raw[t] && raw[t - 1] == raw[t] => (raw[t], 3),
            Some(&prev) => prev,
        };
        out.push(next);
    }
    out
}

/// Bars of a random walk with volatility stretches that cross the levels.
fn bars(seed: u64, len: usize) -> Vec<Bar> {
    let mut s = seed;
    let mut uniform = move || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut price = 50.0;
    (0..len)
        .map(|i| {
            let daily = [0.004, 0.012, 0.02, 0.04][(i / 23) % 4];
            let open = price;
            price *= 1.0 + daily * 1.7 * (2.0 * uniform() - 1.0);
            let hi = open.max(price) * (1.0 + daily * uniform());
            let lo = open.min(price) * (1.0 - daily * uniform());
            Bar::new(open, hi, lo, price)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn stabilizer_follows_the_reference_model(raw in prop::collection::vec(level(), 0..120)) {
        let mut s = Stabilizer::new(3);
        let got: Vec<_> = raw.iter().map(|&r| s.push(r)).collect();
        prop_assert_eq!(&got, &reference(&raw));
        for t in 1..raw.len() {
            let (prev, _) = got[t - 1];
            let (now, count) = got[t];
            if now != prev {
                prop_assert!(t >= 2 && raw[t] == now && raw[t - 1] == now && raw[t - 2] == now);
                prop_assert_eq!(count, 3);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn detector_equals_batch_and_rows_pass_the_check(
        seed in any::<u64>(),
        len in 0usize..300,
        lookback in 2usize..25,
        method in prop::sample::select(VolatilityMethod::ALL.to_vec()),
    ) {
        let vol = VolatilityConfig { lookback, ..VolatilityConfig::with_method(method) };
        let regime = RegimeConfig::default();
        let bars = bars(seed, len);
        let t0 = Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap();
        let times: Vec<_> = (0..len as i64).map(|i| t0 + Duration::days(i)).collect();
        let series = detect(&bars, &vol, &regime).unwrap();
        if vol.uses_closes_only() {
            let closes: Vec<f64> = bars.iter().map(|b| b.close).collect();
            let other = detect_closes(&closes, &vol, &regime).unwrap();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&other.volatility), bits(&series.volatility));
            prop_assert_eq!(bits(&other.confidence), bits(&series.confidence));
            prop_assert_eq!(&other.level, &series.level);
            prop_assert_eq!(&other.stabilization_count, &series.stabilization_count);
            let (mut v, mut lv) = (vec![0.0; len], vec![Some(VolatilityLevel::Low); len]);
            detect_levels_into(&closes, &vol, &regime, &mut v, &mut lv).unwrap();
            prop_assert_eq!(bits(&v), bits(&series.volatility));
            prop_assert_eq!(&lv, &series.level);
        }
        let mut det = RegimeDetector::new(&vol, &regime).unwrap();
        let mut rows = Vec::new();
        for i in 0..len {
            match det.update(&bars[i], times[i]).unwrap() {
                None => {
                    prop_assert!(series.level[i].is_none() && series.volatility[i].is_nan());
                    prop_assert_eq!(series.stabilization_count[i], 0);
                }
                Some(r) => {
                    prop_assert_eq!(Some(r.level), series.level[i]);
                    prop_assert_eq!(r.stabilization_count, series.stabilization_count[i]);
                    prop_assert!((r.volatility - series.volatility[i]).abs() <= 1e-9 * r.volatility);
                    prop_assert!((r.confidence - series.confidence[i]).abs() <= 1e-12);
                    prop_assert!((0.5..=1.0).contains(&r.confidence));
                    rows.push(r.to_row("SYM", uuid::Uuid::new_v4()).unwrap());
                }
            }
        }
        check_regime_rows(&rows).unwrap();
        let typed = detect_readings(&bars, &times, &vol, &regime).unwrap();
        prop_assert_eq!(typed.len(), rows.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The backtester's lean update gives the full update's volatility (bit
    /// for bit) and level, and leaves the same state: a detector fed half
    /// its bars one way and half the other answers like one fed them all by
    /// `update`.
    #[test]
    fn update_level_equals_update(
        seed in any::<u64>(),
        len in 0usize..200,
        lookback in 2usize..25,
        switch_at in 0usize..200,
        method in prop::sample::select(VolatilityMethod::ALL.to_vec()),
    ) {
        let vol = VolatilityConfig { lookback, ..VolatilityConfig::with_method(method) };
        let regime = RegimeConfig::default();
        let bars = bars(seed, len);
        let t0 = Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap();
        let mut full = RegimeDetector::new(&vol, &regime).unwrap();
        let mut lean = RegimeDetector::new(&vol, &regime).unwrap();
        for (i, bar) in bars.iter().enumerate() {
            let t = t0 + Duration::days(i as i64);
            let want = full.update(bar, t).unwrap();
            let got = if i < switch_at {
                lean.update_level(bar, t).unwrap()
            } else {
                lean.update(bar, t).unwrap().map(|r| (r.volatility, r.level))
            };
            let want = want.map(|r| (r.volatility.to_bits(), r.level));
            prop_assert_eq!(got.map(|(v, l)| (v.to_bits(), l)), want);
            prop_assert_eq!(lean.current(), full.current());
        }
        // Time still never goes back.
        if len > 0 {
            prop_assert!(lean.update_level(&bars[0], t0).is_err());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// `update_levels` over chunks equals `update` bar by bar: the same
    /// bits, the same refused bar and error, the same state afterwards.
    #[test]
    fn update_levels_equals_update(
        seed in any::<u64>(),
        len in 0usize..700,
        lookback in 2usize..25,
        chunk in 1usize..300,
        bad_bar in prop::option::of((0usize..700, 0usize..4)),
        bad_time in prop::option::of(0usize..700),
        method in prop::sample::select(VolatilityMethod::ALL.to_vec()),
    ) {
        let vol = VolatilityConfig { lookback, ..VolatilityConfig::with_method(method) };
        let regime = RegimeConfig::default();
        let mut bars = bars(seed, len);
        if let Some((i, kind)) = bad_bar.filter(|(i, _)| *i < len) {
            match kind {
                0 => bars[i].close = f64::NAN,
                1 => bars[i].close = -1.0,
                2 => bars[i].high = bars[i].low * 0.5,
                _ => bars[i].open = bars[i].high * 2.0,
            }
        }
        let t0 = Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap();
        let mut times: Vec<_> = (0..len as i64).map(|i| t0 + Duration::days(i)).collect();
        if let Some(i) = bad_time.filter(|i| *i > 0 && *i < len) {
            times[i] = times[i - 1];
        }
        let mut one = RegimeDetector::new(&vol, &regime).unwrap();
        let mut want = Vec::new();
        let mut want_err = None;
        for i in 0..len {
            match one.update(&bars[i], times[i]) {
                Ok(r) => want.push(r.map(|r| (r.volatility.to_bits(), r.level))),
                Err(e) => {
                    want_err = Some((i, e));
                    break;
                }
            }
        }
        let mut many = RegimeDetector::new(&vol, &regime).unwrap();
        let mut got = Vec::new();
        let mut got_err = None;
        let mut start = 0;
        while start < len {
            let end = (start + chunk).min(len);
            let (mut v, mut lv) = (vec![0.0; end - start], vec![None; end - start]);
            let res = many.update_levels(&bars[start..end], &times[start..end], &mut v, &mut lv);
            let done = match &res {
                Ok(()) => end - start,
                Err((k, _)) => *k,
            };
            for k in 0..done {
                got.push(lv[k].map(|l| (v[k].to_bits(), l)));
                prop_assert_eq!(v[k].is_nan(), lv[k].is_none());
            }
            if let Err((k, e)) = res {
                got_err = Some((start + k, e));
                break;
            }
            start = end;
        }
        prop_assert_eq!(got, want);
        prop_assert_eq!(got_err, want_err);
        prop_assert_eq!(many.current(), one.current());
        // The same state: both answer the next bar alike.
        let next = Bar::from_close(77.0);
        let t = t0 + Duration::days(len as i64 + 1);
        let a = one.update(&next, t).map(|r| r.map(|r| (r.volatility.to_bits(), r.level)));
        let b = many.update_level(&next, t).map(|r| r.map(|(v, l)| (v.to_bits(), l)));
        prop_assert_eq!(a, b);
    }
}
