//! Runs every case of `testdata/vectors/volatility.json` (shared with the
//! bindings). Ops are documented in `testdata/vectors/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use elson_core::entities::VolatilityRegime;
use elson_core::enums::{VolatilityLevel, VolatilityMethod};
use elson_core::regime::{
    RegimeConfig, RegimeReading, Stabilizer, check_regime_rows, detect_closes,
};
use elson_core::volatility::{Bar, VolatilityConfig, estimate, estimate_closes};
use elson_core::{ElsonError, Result};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

fn load() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/volatility.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn vol_config(input: &Value) -> VolatilityConfig {
    VolatilityConfig {
        method: input["method"].as_str().unwrap().parse().unwrap(),
        lookback: input["lookback"].as_u64().unwrap() as usize,
        periods_per_year: input["periods_per_year"].as_u64().unwrap() as u32,
        ewma_lambda: input["ewma_lambda"].as_f64().unwrap(),
    }
}

fn to_json(values: &[f64]) -> Value {
    Value::Array(values.iter().map(|v| if v.is_nan() { Value::Null } else { json!(v) }).collect())
}

/// Compares floats at 1e-10 relative (expected values carry 12 significant
/// digits), everything else exactly.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            (a - b).abs() <= 1e-10 * b.abs().max(1e-300)
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && b.iter().all(|(k, y)| a.get(k).is_some_and(|x| same(x, y)))
        }
        _ => got == want,
    }
}

fn run(op: &str, input: &Value) -> Result<Value> {
    match op {
        "estimate" => {
            let cfg = vol_config(input);
            let close = f64s(&input["close"]);
            let values = if input.get("open").is_some() {
                let (o, h, l) = (f64s(&input["open"]), f64s(&input["high"]), f64s(&input["low"]));
                let bars: Vec<Bar> =
                    (0..close.len()).map(|i| Bar::new(o[i], h[i], l[i], close[i])).collect();
                estimate(&bars, &cfg)?
            } else {
                estimate_closes(&close, &cfg)?
            };
            Ok(json!({ "values": to_json(&values) }))
        }
        "classify" => {
            let level = RegimeConfig::default().classify(input["value"].as_f64().unwrap())?;
            Ok(json!({ "level": level }))
        }
        "confidence" => {
            let c = RegimeConfig::default().confidence(
                input["value"].as_f64().unwrap(),
                input["observations"].as_u64().unwrap() as usize,
                input["lookback"].as_u64().unwrap() as usize,
            );
            Ok(json!({ "confidence": c }))
        }
        "stabilize" => {
            let mut s = Stabilizer::new(input["switch_readings"].as_u64().unwrap() as u32);
            let readings: Vec<VolatilityLevel> =
                serde_json::from_value(input["readings"].clone()).unwrap();
            let (levels, counts): (Vec<_>, Vec<_>) = readings.iter().map(|&r| s.push(r)).unzip();
            Ok(json!({ "levels": levels, "counts": counts }))
        }
        "regime_series" => {
            let s = detect_closes(
                &f64s(&input["close"]),
                &vol_config(input),
                &RegimeConfig::default(),
            )?;
            Ok(json!({
                "volatility": to_json(&s.volatility),
                "levels": s.level,
                "counts": s.stabilization_count,
                "confidence": to_json(&s.confidence),
            }))
        }
        "check_regime_rows" => {
            let rows: Vec<VolatilityRegime> = input["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| VolatilityRegime {
                    id: Uuid::nil(),
                    symbol: r["symbol"].as_str().unwrap().to_string(),
                    timestamp: r["timestamp"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(),
                    volatility_value: Decimal::new(2000, 4),
                    volatility_level: r["volatility_level"].as_str().unwrap().parse().unwrap(),
                    lookback_period: 20,
                    calculation_method: VolatilityMethod::CloseToClose,
                    circuit_breaker_state: None,
                    confidence_score: Decimal::new(80, 2),
                    stabilization_count: r["stabilization_count"].as_i64().unwrap() as i32,
                })
                .collect();
            check_regime_rows(&rows)?;
            Ok(json!({ "ok": true }))
        }
        "to_row" => {
            let reading = RegimeReading {
                time: input["timestamp"].as_str().unwrap().parse().unwrap(),
                volatility: input["volatility"].as_f64().unwrap(),
                reading: input["level"].as_str().unwrap().parse().unwrap(),
                level: input["level"].as_str().unwrap().parse().unwrap(),
                confidence: input["confidence"].as_f64().unwrap(),
                stabilization_count: input["stabilization_count"].as_u64().unwrap() as u32,
                lookback: input["lookback"].as_u64().unwrap() as usize,
                method: input["method"].as_str().unwrap().parse().unwrap(),
            };
            let row = reading.to_row(input["symbol"].as_str().unwrap(), Uuid::nil())?;
            Ok(json!({
                "volatility_value": row.volatility_value.to_string(),
                "confidence_score": row.confidence_score.to_string(),
                "volatility_level": row.volatility_level,
                "stabilization_count": row.stabilization_count,
                "lookback_period": row.lookback_period,
                "calculation_method": row.calculation_method,
                "circuit_breaker_state": row.circuit_breaker_state,
            }))
        }
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn every_volatility_vector_passes() {
    let doc = load();
    assert_eq!(doc["area"], "volatility");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 12, "only {} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let got = run(case["op"].as_str().unwrap(), &case["input"]);
        match (&case.get("error"), got) {
            (Some(code), Err(e)) => {
                assert_eq!(e.code(), code.as_str().unwrap(), "{name}");
                if let Some(field) = case.get("error_field") {
                    let ElsonError::InvalidInput { field: f, .. } = &e else {
                        panic!("{name}: {e:?}")
                    };
                    assert_eq!(f, field.as_str().unwrap(), "{name}");
                }
            }
            (Some(_), Ok(v)) => panic!("{name}: expected an error, got {v}"),
            (None, Err(e)) => panic!("{name}: unexpected error {e:?}"),
            (None, Ok(v)) => {
                assert!(same(&v, &case["expected"]), "{name}: got {v}, want {}", case["expected"])
            }
        }
    }
}
