//! Runs the shared vectors `testdata/vectors/authorize.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use elson_core::entities::Relationship;
use elson_core::enums::RelationshipType;
use elson_core::families::{Action, Actor, ApprovalSettings, Permissions, Resource, authorize};
use serde_json::{Value, json};
use uuid::Uuid;

const VECTORS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/authorize.json"));

fn relationship(v: &Value) -> Relationship {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Relationship {
        id: Uuid::new_v4(),
        guardian_id: serde_json::from_value(v["guardian_id"].clone()).unwrap(),
        minor_id: serde_json::from_value(v["minor_id"].clone()).unwrap(),
        relationship_type: RelationshipType::Parent,
        created_at: t,
        updated_at: t,
        status: serde_json::from_value(v["status"].clone()).unwrap(),
        approval_settings: ApprovalSettings::default(),
        permissions: Permissions::from_json(&v["permissions"].to_string()).unwrap(),
    }
}

#[test]
fn authorize_vectors() {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    assert_eq!(doc["area"], "authorize");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for c in cases {
        let name = c["name"].as_str().unwrap();
        assert_eq!(c["op"], "authorize", "{name}");
        let i = &c["input"];
        let actor: Actor = serde_json::from_value(i["actor"].clone()).unwrap();
        let action: Action = serde_json::from_value(i["action"].clone()).unwrap();
        let resource: Resource = serde_json::from_value(i["resource"].clone()).unwrap();
        let links: Vec<Relationship> =
            i["relationships"].as_array().unwrap().iter().map(relationship).collect();
        let got = authorize(&actor, action, &resource, &links)
            .map(|a| json!({"basis": a.basis, "audited": a.audited}));
        match (got, c.get("expected"), c.get("error")) {
            (Ok(v), Some(expected), None) => assert_eq!(&v, expected, "{name}"),
            (Err(e), None, Some(code)) => assert_eq!(e.code(), code, "{name}: {e}"),
            (got, _, _) => panic!("{name}: got {got:?}, case {c}"),
        }
    }
}
