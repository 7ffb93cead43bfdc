//! The typed JSON columns of `relationships`: `permissions` and
//! `approval_settings` (DESIGN §3).
//!
//! Parsing is strict: an unknown key or a wrong type is an input error, never
//! silently ignored, because a typo in `"auto_aprove_below"` must not quietly
//! drop a guardian's rule. Missing keys take the documented defaults.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::enums::AssetType;
use crate::error::{ElsonError, Result};

/// What a minor may do (`relationships.permissions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Permissions {
    /// May place trades at all. Default false.
    pub trading: bool,
    /// May withdraw cash. Default false.
    pub withdrawals: bool,
    /// May deposit cash. Default true.
    pub deposits: bool,
    /// May use learning content. Default true.
    pub learning: bool,
    /// May place LIMIT orders. Default false.
    pub advanced_orders: bool,
    /// May set up recurring investments. Default false.
    pub recurring_investments: bool,
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions {
            trading: false,
            withdrawals: false,
            deposits: true,
            learning: true,
            advanced_orders: false,
            recurring_investments: false,
        }
    }
}

/// How a guardian wants a minor's trades handled (`relationships.approval_settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApprovalSettings {
    /// Whether trades wait for a guardian. Default true.
    pub require_approval: bool,
    /// Trades whose amount is below this are approved at creation. Default none.
    pub auto_approve_below: Option<Decimal>,
    /// Trades whose amount is above this are rejected at creation. Default none.
    pub max_trade_amount: Option<Decimal>,
    /// Asset types the minor may trade. Default STOCK, ETF, MUTUAL_FUND.
    pub allowed_asset_types: Vec<AssetType>,
    /// Most trades per day. Default none.
    pub daily_trade_limit: Option<u32>,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        ApprovalSettings {
            require_approval: true,
            auto_approve_below: None,
            max_trade_amount: None,
            allowed_asset_types: vec![AssetType::Stock, AssetType::Etf, AssetType::MutualFund],
            daily_trade_limit: None,
        }
    }
}

/// Parses a JSON column that must be an object. serde's derive would also
/// accept a JSON array as a positional struct (`[true]` → `trading: true`),
/// which no store writes and which would hide a corrupted column.
fn parse_object<T: serde::de::DeserializeOwned>(field: &str, json: &str) -> Result<T> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| ElsonError::invalid(field, e.to_string()))?;
    if !value.is_object() {
        return Err(ElsonError::invalid(field, "must be a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| ElsonError::invalid(field, e.to_string()))
}

impl Permissions {
    /// Parses the JSON column strictly.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] on `permissions` for malformed JSON, an
    /// unknown key or a wrong type.
    ///
    /// ```
    /// use elson_core::families::Permissions;
    /// let p = Permissions::from_json(r#"{"trading": true}"#).unwrap();
    /// assert!(p.trading && p.deposits && !p.advanced_orders);
    /// assert!(Permissions::from_json(r#"{"tradng": true}"#).is_err());
    /// ```
    pub fn from_json(json: &str) -> Result<Self> {
        parse_object("permissions", json)
    }
}

impl ApprovalSettings {
    /// Parses the JSON column strictly. Money values may be JSON numbers or
    /// decimal strings.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] on `approval_settings` for malformed JSON,
    /// an unknown key, a wrong type or a negative amount.
    pub fn from_json(json: &str) -> Result<Self> {
        let settings: ApprovalSettings = parse_object("approval_settings", json)?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the amounts fit money columns.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the offending key.
    pub fn validate(&self) -> Result<()> {
        use crate::limits::DecimalLimit;
        if let Some(v) = self.auto_approve_below {
            DecimalLimit::MONEY.check("approval_settings.auto_approve_below", v)?;
        }
        if let Some(v) = self.max_trade_amount {
            DecimalLimit::MONEY.check("approval_settings.max_trade_amount", v)?;
        }
        Ok(())
    }
}
