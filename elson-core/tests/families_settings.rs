//! The typed JSON columns `permissions` and `approval_settings` (DESIGN §3).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use elson_core::ElsonError;
use elson_core::enums::AssetType;
use elson_core::families::{ApprovalSettings, Permissions};
use rust_decimal_macros::dec;

fn field_of(e: ElsonError) -> String {
    match e {
        ElsonError::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn permissions_default_as_documented() {
    let p = Permissions::from_json("{}").unwrap();
    assert_eq!(p, Permissions::default());
    assert!(!p.trading && !p.withdrawals && p.deposits && p.learning);
    assert!(!p.advanced_orders && !p.recurring_investments);
}

#[test]
fn approval_settings_default_as_documented() {
    let s = ApprovalSettings::from_json("{}").unwrap();
    assert_eq!(s, ApprovalSettings::default());
    assert!(s.require_approval);
    assert_eq!((s.auto_approve_below, s.max_trade_amount, s.daily_trade_limit), (None, None, None));
    assert_eq!(
        s.allowed_asset_types,
        vec![AssetType::Stock, AssetType::Etf, AssetType::MutualFund]
    );
}

#[test]
fn money_may_be_a_number_or_a_string() {
    let a = ApprovalSettings::from_json(
        r#"{"auto_approve_below": 25.5, "max_trade_amount": "100.00"}"#,
    )
    .unwrap();
    assert_eq!((a.auto_approve_below, a.max_trade_amount), (Some(dec!(25.5)), Some(dec!(100.00))));
    // JSON numbers arrive as f64; 0.1 must still be exactly 0.10.
    let tenth =
        ApprovalSettings::from_json(r#"{"auto_approve_below": 0.1, "max_trade_amount": 19.99}"#)
            .unwrap();
    assert_eq!(
        (tenth.auto_approve_below, tenth.max_trade_amount),
        (Some(dec!(0.1)), Some(dec!(19.99)))
    );
    let explicit_null = ApprovalSettings::from_json(r#"{"max_trade_amount": null}"#).unwrap();
    assert_eq!(explicit_null.max_trade_amount, None);
}

#[test]
fn unknown_keys_and_wrong_types_are_input_errors() {
    for bad in
        [r#"{"tradng": true}"#, r#"{"trading": "yes"}"#, r#"[]"#, r#"[true]"#, "not json", "null"]
    {
        assert_eq!(field_of(Permissions::from_json(bad).unwrap_err()), "permissions", "{bad}");
    }
    for bad in [
        r#"{"auto_aprove_below": 10}"#,
        r#"{"require_approval": 1}"#,
        r#"{"allowed_asset_types": ["BOND"]}"#,
        r#"{"allowed_asset_types": ["stock"]}"#,
        r#"{"daily_trade_limit": -1}"#,
        r#"{"daily_trade_limit": 1.5}"#,
        r#"{"max_trade_amount": "ten"}"#,
        r#"[true, null, null, [], null]"#,
        "[]",
    ] {
        assert_eq!(
            field_of(ApprovalSettings::from_json(bad).unwrap_err()),
            "approval_settings",
            "{bad}"
        );
    }
}

#[test]
fn amounts_must_fit_a_money_column() {
    for (bad, field) in [
        (r#"{"auto_approve_below": "-1"}"#, "approval_settings.auto_approve_below"),
        (r#"{"max_trade_amount": "-0.01"}"#, "approval_settings.max_trade_amount"),
        (r#"{"max_trade_amount": "1.001"}"#, "approval_settings.max_trade_amount"),
        (r#"{"max_trade_amount": "10000000000000"}"#, "approval_settings.max_trade_amount"),
    ] {
        assert_eq!(field_of(ApprovalSettings::from_json(bad).unwrap_err()), field, "{bad}");
    }
}

#[test]
fn settings_round_trip_through_json() {
    let s = ApprovalSettings {
        require_approval: false,
        auto_approve_below: Some(dec!(20.00)),
        max_trade_amount: Some(dec!(250.00)),
        allowed_asset_types: vec![AssetType::Etf, AssetType::Crypto],
        daily_trade_limit: Some(3),
    };
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains(r#""allowed_asset_types":["ETF","CRYPTO"]"#), "{json}");
    assert_eq!(ApprovalSettings::from_json(&json).unwrap(), s);
    let p = Permissions { trading: true, withdrawals: true, ..Permissions::default() };
    assert_eq!(Permissions::from_json(&serde_json::to_string(&p).unwrap()).unwrap(), p);
}
