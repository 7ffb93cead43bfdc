#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Runs `testdata/vectors/metrics.json`: every case, every op.

use elson_core::metrics;
use serde_json::Value;

fn load() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/metrics.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A number, or one of the strings "NaN", "inf", "-inf".
fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(number).collect()
}

/// Expected values carry 12 significant digits.
fn same(actual: f64, expected: f64) -> bool {
    if expected.is_nan() {
        return actual.is_nan();
    }
    if expected.is_infinite() {
        return actual == expected;
    }
    (actual - expected).abs() <= 1e-11 * expected.abs() + 1e-15
}

enum Outcome {
    Value(f64),
    Values(Vec<f64>),
}

fn run(op: &str, input: &Value) -> elson_core::Result<Outcome> {
    let f = |key: &str| number(&input[key]);
    let v = |key: &str| numbers(&input[key]);
    Ok(match op {
        "sharpe_ratio" => Outcome::Value(metrics::sharpe_ratio(
            &v("returns"),
            f("risk_free"),
            f("periods_per_year"),
        )?),
        "sortino_ratio" => Outcome::Value(metrics::sortino_ratio(
            &v("returns"),
            f("required_return"),
            f("periods_per_year"),
        )?),
        "downside_risk" => Outcome::Value(metrics::downside_risk(
            &v("returns"),
            f("required_return"),
            f("periods_per_year"),
        )?),
        "annual_volatility" => {
            Outcome::Value(metrics::annual_volatility(&v("returns"), f("periods_per_year"))?)
        }
        "annual_return" => {
            Outcome::Value(metrics::annual_return(&v("returns"), f("periods_per_year"))?)
        }
        "max_drawdown" => Outcome::Value(metrics::max_drawdown(&v("returns"))?),
        "max_drawdown_from_equity" => {
            Outcome::Value(metrics::max_drawdown_from_equity(&v("equity"))?)
        }
        "returns_from_equity" => Outcome::Values(metrics::returns_from_equity(&v("equity"))?),
        "win_rate" => Outcome::Value(metrics::win_rate(&v("pnls"))?),
        other => panic!("unknown op {other}"),
    })
}

#[test]
fn every_metrics_vector_passes() {
    let doc = load();
    assert_eq!(doc["area"], "metrics");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 8, "the file has {} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let result = run(case["op"].as_str().unwrap(), &case["input"]);
        if let Some(code) = case.get("error") {
            let err = result.err().unwrap_or_else(|| panic!("{name}: expected {code}"));
            assert_eq!(err.code(), code.as_str().unwrap(), "{name}");
            continue;
        }
        match result.unwrap_or_else(|e| panic!("{name}: {e}")) {
            Outcome::Value(actual) => {
                let expected = number(&case["expected"]["value"]);
                assert!(same(actual, expected), "{name}: {actual} != {expected}");
            }
            Outcome::Values(actual) => {
                let expected = numbers(&case["expected"]["values"]);
                assert_eq!(actual.len(), expected.len(), "{name}");
                for (a, e) in actual.iter().zip(&expected) {
                    assert!(same(*a, *e), "{name}: {a} != {e}");
                }
            }
        }
    }
}
