//! Runs the shared feature-flag vectors (`testdata/vectors/flags.json`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use elson_core::entities::FeatureFlag;
use elson_core::enums::Environment;
use elson_core::flags::{bucket, is_enabled, murmur3_32};
use serde_json::Value;
use uuid::Uuid;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/flags.json");

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap().with_timezone(&Utc)
}

fn uuid(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().unwrap()).unwrap()
}

fn env(v: &Value) -> Environment {
    v.as_str().unwrap().parse().unwrap()
}

fn flag(v: &Value, now: DateTime<Utc>) -> FeatureFlag {
    FeatureFlag {
        id: Uuid::nil(),
        flag_name: v["flag_name"].as_str().unwrap().to_owned(),
        description: None,
        enabled: v["enabled"].as_bool().unwrap(),
        environment: env(&v["environment"]),
        user_percentage: i32::try_from(v["user_percentage"].as_i64().unwrap()).unwrap(),
        user_whitelist: v["user_whitelist"].as_array().unwrap().iter().map(uuid).collect(),
        created_at: now,
        updated_at: now,
        created_by: "vectors".to_owned(),
        expires_at: (!v["expires_at"].is_null()).then(|| time(&v["expires_at"])),
    }
}

#[test]
fn flag_vectors() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    assert_eq!(doc["area"], "flags");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "expected at least 20 cases, found {}", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = &case["input"];
        let expected = &case["expected"];
        match case["op"].as_str().unwrap() {
            "murmur3_32" => {
                let text = input["text"].as_str().unwrap();
                let seed = u32::try_from(input["seed"].as_u64().unwrap()).unwrap();
                let want = expected["hash"].as_u64().unwrap();
                assert_eq!(u64::from(murmur3_32(text.as_bytes(), seed)), want, "{name}");
            }
            "bucket" => {
                let got = bucket(input["flag_name"].as_str().unwrap(), uuid(&input["user_id"]));
                assert_eq!(u64::from(got), expected["bucket"].as_u64().unwrap(), "{name}");
            }
            "is_enabled" => {
                let now = time(&input["now"]);
                let f = flag(&input["flag"], now);
                let got = is_enabled(&f, uuid(&input["user_id"]), env(&input["environment"]), now);
                assert_eq!(got, expected["enabled"].as_bool().unwrap(), "{name}");
            }
            other => panic!("{name}: unknown op {other}"),
        }
    }
}
