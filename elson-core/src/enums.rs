//! Every enumeration of the data model, spelled exactly as the seed spells it.
//!
//! The text form (`Display`, `FromStr`, serde) is the seed's upper-case name,
//! in storage, JSON and every binding. Parsing is strict: `"buy"` is an error.

use crate::error::ElsonError;

macro_rules! seed_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $text, "`")] #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in the seed's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The seed's upper-case name.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = ElsonError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(ElsonError::invalid(
                        stringify!($name),
                        format!("unknown value {other:?}; expected one of {}",
                            [$($text),+].join(", ")),
                    )),
                }
            }
        }
    };
}

seed_enum! {
    /// `users.role`.
    UserRole { User => "USER", Guardian => "GUARDIAN", Minor => "MINOR", Admin => "ADMIN" }
}
seed_enum! {
    /// `users.status`.
    UserStatus { Active => "ACTIVE", Inactive => "INACTIVE", Suspended => "SUSPENDED", BetaTester => "BETA_TESTER" }
}
seed_enum! {
    /// `users.risk_profile`.
    RiskProfile { Low => "LOW", Moderate => "MODERATE", Aggressive => "AGGRESSIVE" }
}
seed_enum! {
    /// `portfolios.type`.
    PortfolioType { Standard => "STANDARD", Education => "EDUCATION", Retirement => "RETIREMENT" }
}
seed_enum! {
    /// Volatility regime level (`volatility_level`, `volatility_preference`).
    ///
    /// Ordered from calm to turbulent, so `Low < Extreme`.
    #[derive(PartialOrd, Ord)]
    VolatilityLevel { Low => "LOW", Normal => "NORMAL", High => "HIGH", Extreme => "EXTREME" }
}
seed_enum! {
    /// `positions.asset_type`.
    AssetType { Stock => "STOCK", Etf => "ETF", MutualFund => "MUTUAL_FUND", Crypto => "CRYPTO", Other => "OTHER" }
}
seed_enum! {
    /// `trades.order_type`.
    OrderType { Market => "MARKET", Limit => "LIMIT" }
}
seed_enum! {
    /// `trades.side`.
    TradeSide { Buy => "BUY", Sell => "SELL" }
}
seed_enum! {
    /// `trades.status`: `PENDING → EXECUTED | CANCELLED | REJECTED`.
    TradeStatus { Pending => "PENDING", Executed => "EXECUTED", Cancelled => "CANCELLED", Rejected => "REJECTED" }
}
seed_enum! {
    /// Circuit-breaker state, declared from least to most severe so that
    /// `Ord` is severity: `Closed < Cautious < Restricted < Open`.
    #[derive(PartialOrd, Ord)]
    CircuitBreakerState { Closed => "CLOSED", Cautious => "CAUTIOUS", Restricted => "RESTRICTED", Open => "OPEN" }
}
seed_enum! {
    /// `trades.guardian_approval`.
    GuardianApproval { Pending => "PENDING", Approved => "APPROVED", Rejected => "REJECTED", NotRequired => "NOT_REQUIRED" }
}
seed_enum! {
    /// `relationships.relationship_type`.
    RelationshipType { Parent => "PARENT", LegalGuardian => "LEGAL_GUARDIAN", Other => "OTHER" }
}
seed_enum! {
    /// `relationships.status`.
    RelationshipStatus { Active => "ACTIVE", Inactive => "INACTIVE", Pending => "PENDING" }
}
seed_enum! {
    /// `notifications.type`.
    NotificationType { Trade => "TRADE", Approval => "APPROVAL", System => "SYSTEM", Educational => "EDUCATIONAL" }
}
seed_enum! {
    /// `notifications.status`: `UNREAD → READ`, either → `ARCHIVED` (final).
    NotificationStatus { Unread => "UNREAD", Read => "READ", Archived => "ARCHIVED" }
}
seed_enum! {
    /// `notifications.priority`, ordered from least to most urgent.
    #[derive(PartialOrd, Ord)]
    NotificationPriority { Low => "LOW", Normal => "NORMAL", High => "HIGH", Urgent => "URGENT" }
}
seed_enum! {
    /// `beta_feedback.feedback_type`.
    FeedbackType { Bug => "BUG", FeatureRequest => "FEATURE_REQUEST", General => "GENERAL" }
}
seed_enum! {
    /// `beta_feedback.severity`, ordered from least to most severe.
    #[derive(PartialOrd, Ord)]
    FeedbackSeverity { Low => "LOW", Medium => "MEDIUM", High => "HIGH", Critical => "CRITICAL" }
}
seed_enum! {
    /// `beta_feedback.status`; it only moves forward, so `Ord` is progress.
    #[derive(PartialOrd, Ord)]
    FeedbackStatus { New => "NEW", Reviewing => "REVIEWING", Prioritized => "PRIORITIZED", Implemented => "IMPLEMENTED" }
}
seed_enum! {
    /// `feature_flags.environment`, and the environment a store is opened for.
    Environment { Dev => "DEV", Beta => "BETA", Staging => "STAGING", Production => "PRODUCTION" }
}
seed_enum! {
    /// `volatility_regimes.calculation_method`: the estimator that produced a value.
    VolatilityMethod { CloseToClose => "CLOSE_TO_CLOSE", Ewma => "EWMA", Parkinson => "PARKINSON", GarmanKlass => "GARMAN_KLASS" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn text_round_trips_and_is_strict() {
        for v in GuardianApproval::ALL {
            assert_eq!(GuardianApproval::from_str(v.as_str()), Ok(*v));
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.as_str()));
        }
        assert_eq!(GuardianApproval::NotRequired.to_string(), "NOT_REQUIRED");
        assert!(TradeSide::from_str("buy").is_err());
        assert!(serde_json::from_str::<TradeSide>("\"buy\"").is_err());
    }

    #[test]
    fn severity_orders() {
        assert!(CircuitBreakerState::Closed < CircuitBreakerState::Cautious);
        assert!(CircuitBreakerState::Restricted < CircuitBreakerState::Open);
        assert!(VolatilityLevel::Low < VolatilityLevel::Extreme);
        assert!(FeedbackStatus::New < FeedbackStatus::Implemented);
    }
}
