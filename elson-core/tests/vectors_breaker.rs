#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Runs `testdata/vectors/breaker.json`: every case, every op.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use elson_core::breaker::{
    BreakerConfig, BreakerEvent, Breakers, OrderIntent, Scope, Transition, admit,
};
use elson_core::enums::CircuitBreakerState;
use serde_json::Value;
use uuid::Uuid;

fn load() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/breaker.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// Feeds one `{"at", "scope"?, "type", ...}` entry; without a scope it must
/// be a TICK of the whole registry.
fn feed(breakers: &mut Breakers, entry: &Value) -> elson_core::Result<Vec<Transition>> {
    let mut fields = entry.as_object().unwrap().clone();
    let at = time(&fields.remove("at").unwrap());
    let scope = fields.remove("scope");
    let event: BreakerEvent = serde_json::from_value(Value::Object(fields)).unwrap();
    match scope {
        Some(scope) => breakers.step(&scope.as_str().unwrap().parse::<Scope>()?, &event, at),
        None => {
            assert_eq!(event, BreakerEvent::Tick, "only a TICK may omit the scope");
            breakers.tick(at)
        }
    }
}

fn states(breakers: &Breakers) -> BTreeMap<String, CircuitBreakerState> {
    breakers.iter().map(|b| (b.scope().to_string(), b.state())).collect()
}

fn run_breakers(name: &str, case: &Value) {
    let input = &case["input"];
    let config: BreakerConfig = match input.get("config") {
        Some(c) => serde_json::from_value(c.clone()).unwrap(),
        None => BreakerConfig::default(),
    };
    let mut breakers = Breakers::new(config).unwrap();
    let events = input["events"].as_array().unwrap();
    let (last, earlier) = events.split_last().unwrap();
    let mut transitions = Vec::new();
    for entry in earlier {
        transitions.extend(feed(&mut breakers, entry).unwrap_or_else(|e| panic!("{name}: {e}")));
    }
    if let Some(code) = case.get("error") {
        let before = breakers.clone();
        let err =
            feed(&mut breakers, last).err().unwrap_or_else(|| panic!("{name}: expected {code}"));
        assert_eq!(err.code(), code.as_str().unwrap(), "{name}: {err}");
        assert_eq!(breakers, before, "{name}: a refused event changes nothing");
        return;
    }
    transitions.extend(feed(&mut breakers, last).unwrap_or_else(|e| panic!("{name}: {e}")));
    let expected = &case["expected"];
    let want: Vec<Transition> = serde_json::from_value(expected["transitions"].clone()).unwrap();
    assert_eq!(transitions, want, "{name}: transitions");
    let want: BTreeMap<String, CircuitBreakerState> =
        serde_json::from_value(expected["states"].clone()).unwrap();
    assert_eq!(states(&breakers), want, "{name}: final states");
    if let Some(queries) = input.get("governing") {
        let want: Vec<CircuitBreakerState> =
            serde_json::from_value(expected["governing"].clone()).unwrap();
        let got: Vec<CircuitBreakerState> = queries
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                let portfolio: Uuid = q["portfolio"].as_str().unwrap().parse().unwrap();
                breakers.governing(q["symbol"].as_str().unwrap(), portfolio).state
            })
            .collect();
        assert_eq!(got, want, "{name}: governing");
    }
}

fn run_admit(name: &str, case: &Value) {
    let mut input = case["input"].as_object().unwrap().clone();
    let state: CircuitBreakerState =
        serde_json::from_value(input.remove("state").unwrap()).unwrap();
    let order: OrderIntent = serde_json::from_value(Value::Object(input)).unwrap();
    let result = admit(state, &order);
    match case.get("error") {
        Some(code) => {
            let err = result.err().unwrap_or_else(|| panic!("{name}: expected {code}"));
            assert_eq!(err.code(), code.as_str().unwrap(), "{name}");
        }
        None => {
            assert_eq!(case["expected"]["admitted"], true, "{name}");
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn every_breaker_vector_passes() {
    let doc = load();
    assert_eq!(doc["area"], "breaker");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 12, "the file has {} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        match case["op"].as_str().unwrap() {
            "breakers" => run_breakers(name, case),
            "admit" => run_admit(name, case),
            other => panic!("{name}: unknown op {other}"),
        }
    }
}
