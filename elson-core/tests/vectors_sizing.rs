//! Runs the shared sizing vectors (`testdata/vectors/sizing.json`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use chrono::{DateTime, Utc};
use elson_core::Result;
use elson_core::entities::ModelParameter;
use elson_core::params::ParameterSet;
use elson_core::sizing::{
    SizingContext, SizingMode, check_buy, check_confidence, factor, max_buy_notional,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/sizing.json");

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap().with_timezone(&Utc)
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap()).unwrap()
}

fn parse<T: FromStr>(v: &Value) -> T
where
    T::Err: std::fmt::Debug,
{
    v.as_str().unwrap().parse().unwrap()
}

fn overrides(input: &Value) -> Vec<ModelParameter> {
    let Some(rows) = input.get("overrides") else { return Vec::new() };
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| ModelParameter {
            id: Uuid::nil(),
            volatility_level: parse(&r["volatility_level"]),
            parameter_type: r["parameter_type"].as_str().unwrap().to_owned(),
            parameter_name: r["parameter_name"].as_str().unwrap().to_owned(),
            parameter_value: dec(&r["parameter_value"]),
            effective_from: time(&r["effective_from"]),
            effective_to: (!r["effective_to"].is_null()).then(|| time(&r["effective_to"])),
            created_by: "vectors".to_owned(),
            created_at: time(&r["effective_from"]),
            updated_at: time(&r["effective_from"]),
            description: None,
        })
        .collect()
}

/// Runs one case and returns its output in the vector's `expected` shape.
fn run(op: &str, input: &Value) -> Result<Value> {
    let params = ParameterSet::with_overrides(overrides(input))?;
    let at = time(&input["at"]);
    match op {
        "factor" => {
            let f = factor(parse(&input["breaker_state"]), parse(&input["regime"]), &params, at)?;
            Ok(json!({ "factor": f.to_string() }))
        }
        "max_buy_notional" => {
            let limit = max_buy_notional(
                dec(&input["total_value"]),
                parse(&input["risk_profile"]),
                parse(&input["breaker_state"]),
                parse(&input["regime"]),
                &params,
                at,
            )?;
            Ok(json!({ "limit": limit.to_string() }))
        }
        "check_buy" => {
            let ctx = SizingContext {
                params: &params,
                total_value: dec(&input["total_value"]),
                risk_profile: parse(&input["risk_profile"]),
                breaker_state: parse(&input["breaker_state"]),
                regime: parse(&input["regime"]),
                at,
            };
            let mode = match input["mode"].as_str().unwrap() {
                "REJECT" => SizingMode::Reject,
                "RESIZE" => SizingMode::Resize,
                other => panic!("unknown mode {other}"),
            };
            let d = check_buy(dec(&input["quantity"]), dec(&input["price"]), &ctx, mode)?;
            Ok(json!({
                "resized": d.was_resized(),
                "quantity": d.quantity().to_string(),
                "notional": d.notional().to_string(),
                "limit": d.limit().to_string(),
            }))
        }
        "check_confidence" => {
            let score =
                (!input["confidence_score"].is_null()).then(|| dec(&input["confidence_score"]));
            check_confidence(score, parse(&input["regime"]), &params, at)?;
            Ok(json!({ "passed": true }))
        }
        "parameter_value" => {
            let v = params.value(
                parse(&input["volatility_level"]),
                input["parameter_type"].as_str().unwrap(),
                input["parameter_name"].as_str().unwrap(),
                at,
            );
            Ok(json!({ "value": v.map(|d| d.to_string()) }))
        }
        other => panic!("unknown op {other}"),
    }
}

/// Decimal strings compare by value ("0.90" = "0.9"); everything else exactly.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::String(g), Value::String(w)) => {
            match (Decimal::from_str(g), Decimal::from_str(w)) {
                (Ok(g), Ok(w)) => g == w,
                _ => g == w,
            }
        }
        (Value::Object(g), Value::Object(w)) => {
            g.len() == w.len() && w.iter().all(|(k, wv)| g.get(k).is_some_and(|gv| same(gv, wv)))
        }
        _ => got == want,
    }
}

#[test]
fn sizing_vectors() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    assert_eq!(doc["area"], "sizing");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 12, "expected at least 12 cases, found {}", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let result = run(case["op"].as_str().unwrap(), &case["input"]);
        match (result, case.get("error")) {
            (Ok(got), None) => {
                assert!(
                    same(&got, &case["expected"]),
                    "{name}: got {got}, expected {}",
                    case["expected"]
                );
            }
            (Err(e), Some(code)) => assert_eq!(e.code(), code.as_str().unwrap(), "{name}: {e}"),
            (Ok(got), Some(code)) => panic!("{name}: expected error {code}, got {got}"),
            (Err(e), None) => panic!("{name}: unexpected error {e}"),
        }
    }
}
