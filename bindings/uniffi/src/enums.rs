//! Every seed enum, mirrored with `#[uniffi::remote(Enum)]`.
//!
//! Kotlin entries are the seed names (`TradeStatus.EXECUTED`,
//! `UserStatus.BETA_TESTER`), Swift cases are camelCase (`.executed`,
//! `.betaTester`). For the seed text itself, and for parsing it strictly,
//! each enum `Foo` has three functions: `foo_to_str`, `foo_from_str` and
//! `foo_all` (the values in the seed's order, which is also severity or
//! progress order for the ordered enums).

use elson_core::enums::*;

use crate::Result;

/// Mirrors a core enum and exports its text helpers.
macro_rules! ffi_enum {
    ($name:ident, $to_str:ident, $from_str:ident, $all:ident, { $($variant:ident),+ $(,)? }) => {
        #[uniffi::remote(Enum)]
        pub enum $name { $($variant),+ }

        /// The seed's upper-case name of the value (`BETA_TESTER`, …).
        #[uniffi::export]
        pub fn $to_str(value: $name) -> String {
            value.as_str().to_string()
        }

        /// Parses a value from its seed name, strictly (`"buy"` is an error).
        ///
        /// # Errors
        /// `InvalidInput` naming the enum when the text is not a seed name.
        #[uniffi::export]
        pub fn $from_str(text: String) -> Result<$name> {
            Ok(text.parse::<$name>()?)
        }

        /// Every value, in the seed's order (severity or progress order for
        /// the ordered enums).
        #[uniffi::export]
        pub fn $all() -> Vec<$name> {
            $name::ALL.to_vec()
        }
    };
}

ffi_enum!(UserRole, user_role_to_str, user_role_from_str, user_role_all, { User, Guardian, Minor, Admin });
ffi_enum!(UserStatus, user_status_to_str, user_status_from_str, user_status_all, { Active, Inactive, Suspended, BetaTester });
ffi_enum!(RiskProfile, risk_profile_to_str, risk_profile_from_str, risk_profile_all, { Low, Moderate, Aggressive });
ffi_enum!(PortfolioType, portfolio_type_to_str, portfolio_type_from_str, portfolio_type_all, { Standard, Education, Retirement });
ffi_enum!(VolatilityLevel, volatility_level_to_str, volatility_level_from_str, volatility_level_all, { Low, Normal, High, Extreme });
ffi_enum!(AssetType, asset_type_to_str, asset_type_from_str, asset_type_all, { Stock, Etf, MutualFund, Crypto, Other });
ffi_enum!(OrderType, order_type_to_str, order_type_from_str, order_type_all, { Market, Limit });
ffi_enum!(TradeSide, trade_side_to_str, trade_side_from_str, trade_side_all, { Buy, Sell });
ffi_enum!(TradeStatus, trade_status_to_str, trade_status_from_str, trade_status_all, { Pending, Executed, Cancelled, Rejected });
ffi_enum!(CircuitBreakerState, circuit_breaker_state_to_str, circuit_breaker_state_from_str, circuit_breaker_state_all, { Closed, Cautious, Restricted, Open });
ffi_enum!(GuardianApproval, guardian_approval_to_str, guardian_approval_from_str, guardian_approval_all, { Pending, Approved, Rejected, NotRequired });
ffi_enum!(RelationshipType, relationship_type_to_str, relationship_type_from_str, relationship_type_all, { Parent, LegalGuardian, Other });
ffi_enum!(RelationshipStatus, relationship_status_to_str, relationship_status_from_str, relationship_status_all, { Active, Inactive, Pending });
ffi_enum!(NotificationType, notification_type_to_str, notification_type_from_str, notification_type_all, { Trade, Approval, System, Educational });
ffi_enum!(NotificationStatus, notification_status_to_str, notification_status_from_str, notification_status_all, { Unread, Read, Archived });
ffi_enum!(NotificationPriority, notification_priority_to_str, notification_priority_from_str, notification_priority_all, { Low, Normal, High, Urgent });
ffi_enum!(FeedbackType, feedback_type_to_str, feedback_type_from_str, feedback_type_all, { Bug, FeatureRequest, General });
ffi_enum!(FeedbackSeverity, feedback_severity_to_str, feedback_severity_from_str, feedback_severity_all, { Low, Medium, High, Critical });
ffi_enum!(FeedbackStatus, feedback_status_to_str, feedback_status_from_str, feedback_status_all, { New, Reviewing, Prioritized, Implemented });
ffi_enum!(Environment, environment_to_str, environment_from_str, environment_all, { Dev, Beta, Staging, Production });
ffi_enum!(VolatilityMethod, volatility_method_to_str, volatility_method_from_str, volatility_method_all, { CloseToClose, Ewma, Parkinson, GarmanKlass });
